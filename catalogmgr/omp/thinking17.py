"""OMP 17.x's ``thinking`` derivation: the ``thinking`` object ``buildModel`` bakes into a model.

OMP 17.x has no compat rule engine (that is 18.x, :mod:`catalogmgr.omp.rule_engine`): pi-catalog's
``buildModel`` (``src/build.ts``) first resolves the model's compat in code (``buildCompat``), then
calls ``resolveModelThinking(spec, compat)`` (``src/model-thinking.ts``). This module ports that
function, for the two 17.x code generations installed here (17.2.15 and 17.3.5):

1. ``resolveModelThinking``: no thinking for a non-reasoning spec, nor for an openai-responses*
   model whose resolved compat says ``supportsReasoningEffort: false`` (it thinks but exposes no
   control); explicit spec thinking with a non-empty ``efforts`` list is kept and only its wire
   facts filled (``fillThinkingWireDefaults``); a Devin model without explicit thinking has none
   (``trustExplicitThinkingOnly``); otherwise ``deriveThinking``.
2. ``deriveThinking``: the effort ladder (model-defined ladders first: GLM-5.2/5.3, Kimi K3, Sakana
   Fugu, GPT-5.6+, Anthropic adaptive, Fire Pass, Ollama, DeepSeek, Baseten gpt-oss, xAI; then per
   family: OpenAI, Gemini, Anthropic, and the api fallback), the control mode per api, the
   ``effortMap`` (detected host/model quirks merged under the compat's ``reasoningEffortMap`` and
   filtered to the ladder), ``supportsDisplay``, ``requiresEffort`` and ``defaultLevel``.
3. The id classification it stands on (``identity/classify.ts``: Gemini/Anthropic/OpenAI/GLM
   parsers and semver; ``identity/family.ts``: the family predicates; ``hosts.ts``: the few host
   classes it asks about).

What changed between 17.2 and 17.3 is one :class:`Generation` record (GLM-5.3's ladder, DeepSeek
V4's per-host ladders, xAI's ladders, the OpenAI rolling aliases). The data here is a handful of
small constant tables (ladders, effort maps, four host classes), each named after its source.

Strings are compared as OMP compares them: regular expressions with ASCII ``\\d``/``\\b`` and ASCII
case folding (JavaScript's ``/i`` without ``u``), ``$`` as the end of the string, host markers
matched ASCII-case-insensitively on the base URL.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from catalogmgr.omp import identity17 as ids
from catalogmgr.omp.identity17 import ParsedModel, bare_model_id, semver_gte
from catalogmgr.omp.rule_engine import UNDEFINED, _includes_ascii_case_insensitive, _js_lower, _js_truthy

_I = re.IGNORECASE | re.ASCII

# -- the two 17.x code generations --------------------------------------------------------------


@dataclass(frozen=True)
class Generation:
    """What a 17.x release's ``model-thinking.ts`` (and the identity code it calls) does
    differently: 17.3 added each of these."""

    name: str
    # GLM-5.3+: the low/high/max ladder on every host, `max` by default, thinking always on.
    glm53: bool
    # DeepSeek V4 (Flash and Pro) on low/high/max except OpenRouter's non-Flash route, and the
    # DeepSeek ladders on Ollama Cloud's ollama-chat too (17.2: only Flash had low/high/max).
    deepseek_v4_ladders: bool
    # First-party xAI Grok: minimal..high, plus xhigh for grok-4.6* and multi-agent.
    xai_ladders: bool
    # `daybreak-*-latest` rolling aliases parse as GPT-5.6 (classify.ts OPENAI_ALIAS_VERSIONS).
    openai_aliases: bool


GENERATION_17_2 = Generation(
    "17.2", glm53=False, deepseek_v4_ladders=False, xai_ladders=False, openai_aliases=False
)
GENERATION_17_3 = Generation(
    "17.3", glm53=True, deepseek_v4_ladders=True, xai_ladders=True, openai_aliases=True
)


@lru_cache(maxsize=32)
def generation_for_release(release: str) -> Generation:
    """The 17.x code generation of an OMP release (``"17.2.15"``, ``"17.3"``...): 17.3+ is
    17.3.5's code, anything older 17.2.15's (the two releases this port is measured against)."""
    parts = release.split(".")
    try:
        major, minor = int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        raise ValueError(f"not an OMP release: {release!r}") from None
    if major != 17:
        raise ValueError(f"OMP {release} is not a 17.x release (thinking17 ports 17.x's code)")
    return GENERATION_17_3 if minor >= 3 else GENERATION_17_2


# -- effort ladders and maps (model-thinking.ts constants) ---------------------------------------

_DEFAULT = ("minimal", "low", "medium", "high")
_DEFAULT_WITH_XHIGH = ("minimal", "low", "medium", "high", "xhigh")
_DEFAULT_WITH_MAX = ("minimal", "low", "medium", "high", "max")
_GEMINI_3_PRO = ("low", "high")
_GEMINI_3_FLASH = ("minimal", "low", "medium", "high")
_GPT_5_2_PLUS = ("low", "medium", "high", "xhigh")
_GPT_5_1_CODEX_MINI = ("medium", "high")
_LOW_MEDIUM_HIGH = ("low", "medium", "high")
_LOW_HIGH_MAX = ("low", "high", "max")
_HIGH_MAX = ("high", "max")
_HIGH_ONLY = ("high",)
_FIVE_TIER_LOW_TO_MAX = ("low", "medium", "high", "xhigh", "max")
_FOUR_TIER_LOW_TO_MAX = ("low", "medium", "high", "max")
_OLLAMA = ("low", "medium", "high", "max")

_GROQ_QWEN3_32B_MAP = {
    "minimal": "default",
    "low": "default",
    "medium": "default",
    "high": "default",
    "xhigh": "default",
}
_FIREWORKS_MAP = {"minimal": "none"}
_MIMO_MAP = {"minimal": "low", "xhigh": "high"}
_MINIMAX_ANTHROPIC_ADAPTIVE_MAP = {"low": "adaptive", "medium": "adaptive", "high": "adaptive"}

_RESPONSES_APIS = frozenset({"openai-responses", "openai-codex-responses", "azure-openai-responses"})
_OPENAI_COMPAT_APIS = frozenset({"openai-completions", "openrouter"})
_ANTHROPIC_APIS = frozenset({"anthropic-messages", "bedrock-converse-stream"})
_GOOGLE_APIS = frozenset({"google-generative-ai", "google-gemini-cli", "google-vertex"})

# -- identity (classify.ts / family.ts: catalogmgr.omp.identity17, and what only thinking reads) --


def parse_known_model(model_id: str, generation: Generation) -> ParsedModel | None:
    """``parseKnownModel`` on the bare id: Gemini, else Anthropic, else OpenAI; None is OMP's
    ``unknown`` family."""
    bare = bare_model_id(model_id)
    return (
        ids.parse_gemini_model(bare)
        or ids.parse_anthropic_model(bare)
        or ids.parse_openai_model(bare, aliases=generation.openai_aliases)
    )


_MINIMAX_M2 = re.compile(r"(?:^|[/.-])m2\d*(?:[.-]\d+)?(?:[-.:_]|\Z)", _I)
_MINIMAX_M3 = re.compile(r"(?:^|[/._-])(?:minimax[/._-])?m3(?:[-.:_]|\Z)", _I)
_GPT_OSS = re.compile(r"(^|/)gpt-oss[-:]", _I)
_THINKING_VARIANT_TOKEN = re.compile(r"-(?:thinking|reasoner|reasoning)(?=\Z|[^a-z0-9])", _I)
_TRAILING_WORD = re.compile(r"([a-z0-9]+)\Z", _I)
_OPENAI_O_SERIES = re.compile(r"^o[134](?:\Z|[-:.])", _I)
_SAKANA_FUGU = re.compile(r"^fugu(?:\Z|-)", _I)


def _is_deepseek_v4_flash(model_id: str) -> bool:
    """``isDeepseekV4FlashModelId``."""
    return "deepseek-v4-flash" in _js_lower(bare_model_id(model_id))


def _is_minimax_m2(model_id: str) -> bool:
    """``isMinimaxM2FamilyModelId``: M2, M2.x, dotless ``m21``... (not M1/M3)."""
    lower = _js_lower(model_id)
    return "minimax" in lower and _MINIMAX_M2.search(lower) is not None


def _is_minimax_m3(model_id: str) -> bool:
    """``isMinimaxM3FamilyModelId``."""
    lower = _js_lower(model_id)
    return "minimax" in lower and _MINIMAX_M3.search(lower) is not None


def _is_gpt_oss(model_id: str) -> bool:
    """``isOpenAIGptOssModelId``."""
    return _GPT_OSS.search(model_id) is not None


def _is_glm53(model_id: str, generation: Generation) -> bool:
    """17.3's ``isGlm53ReasoningEffortModelId``: GLM 5.3+ on the base / air / turbo lines, not
    vision (17.2 has no such test)."""
    if not generation.glm53:
        return False
    glm = ids.parse_glm_model(bare_model_id(model_id))
    return (
        glm is not None
        and not glm.vision
        and glm.kind in ("base", "air", "turbo")
        and semver_gte(glm.version, "5.3")
    )


def _thinking_variant_token(model_id: str) -> re.Match[str] | None:
    """``findThinkingVariantToken``: the first bounded ``-thinking``/``-reasoner``/``-reasoning``
    not named by a preceding ``non``/``no`` (``non-thinking`` is the other SKU)."""
    for match in _THINKING_VARIANT_TOKEN.finditer(model_id):
        preceding = _TRAILING_WORD.search(model_id[: match.start()])
        if preceding is None or _js_lower(preceding[1]) not in ("non", "no"):
            return match
    return None


def has_thinking_variant_token(model_id: str) -> bool:
    """``findThinkingVariantToken(id) !== undefined``."""
    return _thinking_variant_token(model_id) is not None


def strip_thinking_variant_token_17(model_id: str) -> str | None:
    """``stripThinkingVariantToken`` (17.x ``identity/family.ts``): the id without its first
    thinking-variant token (``kimi-k2-thinking`` -> ``kimi-k2``, ``x-reasoner-thinking`` ->
    ``x-thinking``), or None when it has none or nothing would remain. 17.x's twin collapse
    (``deriveThinkingPairFamilies``) pairs an id with the id this gives."""
    match = _thinking_variant_token(model_id)
    if match is None:
        return None
    stripped = model_id[: match.start()] + model_id[match.end() :]
    return stripped or None


# -- hosts.ts (the host classes model-thinking.ts asks about) --------------------------------------

# KNOWN_HOSTS entries: (provider ids, lowercase URL markers); xAI's `xai-oauth` is 17.3's.
_HOSTS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "openrouter": (("openrouter",), ("openrouter.ai",)),
    "deepseekFamily": (("deepseek",), ("deepseek.com",)),
    "fireworks": ((), ("fireworks.ai",)),
    "xai": (("xai", "xai-oauth"), ("api.x.ai",)),
}


def _matches_host(spec: Mapping[str, Any], host: str) -> bool:
    """``modelMatchesHost``: the provider id, or a marker anywhere in the base URL."""
    providers, markers = _HOSTS[host]
    if _provider(spec) in providers:
        return True
    base_url = spec.get("baseUrl")
    if not isinstance(base_url, str) or not base_url:
        return False
    return any(_includes_ascii_case_insensitive(base_url, marker) for marker in markers)


# -- reading the resolved compat -----------------------------------------------------------------


def _member(compat: Any, key: str) -> Any:
    """``compat?.[key]``: ``UNDEFINED`` when there is no compat or no such (defined) member."""
    if not isinstance(compat, Mapping):
        return UNDEFINED
    return compat.get(key, UNDEFINED)


def _compat_effort_map(compat: Any) -> Mapping[str, Any] | None:
    """``readCompatEffortMap``: the compat's non-empty ``reasoningEffortMap``."""
    value = _member(compat, "reasoningEffortMap")
    return value if isinstance(value, Mapping) and value else None


def _thinking_format_is(compat: Any, name: str) -> bool:
    return bool(_member(compat, "thinkingFormat") == name)


# -- model-thinking.ts -----------------------------------------------------------------------------


def derive_thinking_17(spec: Mapping[str, Any], compat: Any, release: str) -> dict[str, Any] | None:
    """The ``thinking`` OMP 17.x's ``buildModel`` gives ``spec`` (``resolveModelThinking``), or None
    (OMP's ``undefined``: no thinking). ``compat`` is the compat OMP resolved for the spec
    (``buildCompat``: a mapping, or None for apis without one; ``UNDEFINED`` members are absent);
    ``release`` the OMP release whose code to follow (:func:`generation_for_release`)."""
    generation = generation_for_release(release)
    if not _js_truthy(spec.get("reasoning")):
        return None
    if _api(spec) in _RESPONSES_APIS and _member(compat, "supportsReasoningEffort") is False:
        return None  # thinks natively, but the wire takes no effort: no control surface
    thinking = spec.get("thinking")
    if isinstance(thinking, Mapping) and isinstance(thinking.get("efforts"), list) and thinking["efforts"]:
        return _fill_wire_defaults(spec, compat, thinking, generation)
    if _member(compat, "trustExplicitThinkingOnly") is True:
        return None  # Devin routes effort to sibling ids: no ladder from the id
    return derive_thinking_from_identity_17(spec, compat, generation)


def derive_thinking_from_identity_17(
    spec: Mapping[str, Any], compat: Any, generation: Generation
) -> dict[str, Any]:
    """``deriveThinking``: the thinking of ``spec`` from its id, api, provider and resolved
    compat alone, ignoring any thinking the spec carries (the catalog generator's entry)."""
    model_id = _id(spec)
    parsed = parse_known_model(model_id, generation)
    mode = _control_mode(spec, parsed, generation)
    config: dict[str, Any] = {
        "mode": mode,
        "efforts": list(_supported_efforts(parsed, spec, compat, generation)),
    }
    if ids.is_kimi_k3_model_id(model_id) or _is_glm53(model_id, generation):
        config["defaultLevel"] = "max"
    effort_map = _effort_map(spec, compat, mode, config["efforts"])
    if effort_map is not None:
        config["effortMap"] = effort_map
    if _api(spec) in _ANTHROPIC_APIS and ids.supports_adaptive_thinking_display(model_id):
        config["supportsDisplay"] = True
    if _implies_mandatory_reasoning(parsed, model_id, generation):
        config["requiresEffort"] = True
    return config


def _id(spec: Mapping[str, Any]) -> str:
    value = spec.get("id")
    return value if isinstance(value, str) else ""


def _api(spec: Mapping[str, Any]) -> str:
    # A non-string api or provider equals none of the names OMP compares them with.
    value = spec.get("api")
    return value if isinstance(value, str) else ""


def _provider(spec: Mapping[str, Any]) -> str:
    value = spec.get("provider")
    return value if isinstance(value, str) else ""


def _name(spec: Mapping[str, Any]) -> str:
    value = spec.get("name")
    return value if isinstance(value, str) else ""


def _fill_wire_defaults(
    spec: Mapping[str, Any], compat: Any, thinking: Mapping[str, Any], generation: Generation
) -> dict[str, Any]:
    """``fillThinkingWireDefaults``: explicit thinking owns mode/efforts/defaultLevel; the wire
    facts the id implies (``effortMap``, ``supportsDisplay``, ``requiresEffort``, Kimi K3's /
    GLM-5.3's ``defaultLevel``) are filled where absent. When the id defines a ladder that differs
    from the explicit one, the ladder and its effort map are both re-derived (stale metadata)."""
    model_id = _id(spec)
    parsed = parse_known_model(model_id, generation)
    explicit_efforts = thinking["efforts"]
    model_defined = _model_defined_efforts(spec, compat, generation)
    efforts = list(model_defined) if model_defined is not None else explicit_efforts
    efforts_changed = efforts != explicit_efforts
    has_map = "effortMap" in thinking
    effort_map = (
        _effort_map(spec, compat, thinking.get("mode"), efforts) if not has_map or efforts_changed else None
    )
    replace_map = effort_map is not None if not has_map else efforts_changed
    needs_display = (
        "supportsDisplay" not in thinking
        and _api(spec) in _ANTHROPIC_APIS
        and ids.supports_adaptive_thinking_display(model_id)
    )
    needs_requires_effort = "requiresEffort" not in thinking and _implies_mandatory_reasoning(
        parsed, model_id, generation
    )
    needs_default_level = "defaultLevel" not in thinking and (
        ids.is_kimi_k3_model_id(model_id) or _is_glm53(model_id, generation)
    )
    filled = copy.deepcopy(dict(thinking))
    if efforts_changed:
        filled["efforts"] = efforts
    if replace_map:
        if effort_map is None:
            filled.pop("effortMap", None)
        else:
            filled["effortMap"] = effort_map
    if needs_display:
        filled["supportsDisplay"] = True
    if needs_default_level:
        filled["defaultLevel"] = "max"
    if needs_requires_effort:
        filled["requiresEffort"] = True
    return filled


def _effort_map(
    spec: Mapping[str, Any], compat: Any, mode: Any, efforts: Sequence[Any]
) -> dict[str, Any] | None:
    """``inferEffortMap``: the detected map under the compat's ``reasoningEffortMap``, keeping
    the ladder's efforts only (in ladder order); None when nothing is left."""
    detected = _detected_effort_map(spec, compat, mode)
    configured = _compat_effort_map(compat)
    if detected is None and configured is None:
        return None
    merged = {**(detected or {}), **(configured or {})}
    filtered = {
        effort: merged[effort]
        for effort in efforts
        if isinstance(effort, str) and merged.get(effort, UNDEFINED) is not UNDEFINED
    }
    return filtered or None


def _detected_effort_map(spec: Mapping[str, Any], compat: Any, mode: Any) -> Mapping[str, str] | None:
    """``inferDetectedEffortMap``: MiniMax on Anthropic endpoints (adaptive), Groq's qwen3-32b,
    MiMo, and Fireworks' ``minimal`` -> ``none``."""
    if mode == "anthropic-adaptive":
        return _MINIMAX_ANTHROPIC_ADAPTIVE_MAP if _is_minimax_on_anthropic_endpoint(spec) else None
    if _api(spec) not in _OPENAI_COMPAT_APIS:
        return None
    if _provider(spec) == "groq" and spec.get("id") == "qwen/qwen3-32b":
        return _GROQ_QWEN3_32B_MAP
    if _is_openai_compat_mimo(spec, compat):
        return _MIMO_MAP
    if _matches_host(spec, "fireworks"):
        return _FIREWORKS_MAP
    return None


def _is_minimax_on_anthropic_endpoint(spec: Mapping[str, Any]) -> bool:
    model_id = _id(spec)
    return _api(spec) == "anthropic-messages" and (_is_minimax_m2(model_id) or _is_minimax_m3(model_id))


def _is_openai_compat_mimo(spec: Mapping[str, Any], compat: Any) -> bool:
    """``isOpenAICompatMimoReasoningEffortModel``: MiMo (by id or name) on an openai-compat api
    whose compat sends OpenAI/OpenRouter-style effort."""
    if _api(spec) not in _OPENAI_COMPAT_APIS:
        return False
    if not ids.is_mimo_model_id_or_name(_id(spec)) and not ids.is_mimo_model_id_or_name(_name(spec)):
        return False
    return _member(compat, "thinkingFormat") in ("openai", "openrouter") and _js_truthy(
        _member(compat, "supportsReasoningEffort")
    )


def _is_anthropic_messages_glm52(spec: Mapping[str, Any]) -> bool:
    return (
        _api(spec) == "anthropic-messages"
        and _provider(spec) in ("umans", "zai")
        and ids.is_glm52_reasoning_effort_model_id(_id(spec))
    )


def _is_ollama_cloud_glm52(spec: Mapping[str, Any]) -> bool:
    return (
        _api(spec) == "ollama-chat"
        and _provider(spec) == "ollama-cloud"
        and ids.is_glm52_reasoning_effort_model_id(_id(spec))
    )


def _is_gpt56_plus_wire_effort(spec: Mapping[str, Any], generation: Generation) -> bool:
    """``isGpt56PlusWireEffortModel``: GPT-5.6+ on an api with a wire effort field."""
    if _api(spec) not in _RESPONSES_APIS | _OPENAI_COMPAT_APIS:
        return False
    parsed = ids.parse_openai_model(bare_model_id(_id(spec)), aliases=generation.openai_aliases)
    return parsed is not None and semver_gte(parsed.version, "5.6")


def _is_deepseek_reasoning(spec: Mapping[str, Any]) -> bool:
    """``isDeepseekReasoningModel``: a reasoning spec on a DeepSeek host, or a DeepSeek id/name,
    or OpenCode Zen's ``big-pickle`` alias."""
    if not _js_truthy(spec.get("reasoning")):
        return False
    model_id, name = _id(spec), _name(spec)
    opencode_alias = _provider(spec) == "opencode-zen" and (
        _js_lower(model_id) == "big-pickle" or _js_lower(name) == "big pickle"
    )
    return (
        _matches_host(spec, "deepseekFamily")
        or ids.is_deepseek_model_id_or_name(model_id)
        or ids.is_deepseek_model_id_or_name(name)
        or opencode_alias
    )


def _deepseek_efforts(spec: Mapping[str, Any], compat: Any, generation: Generation) -> tuple[str, ...]:
    """The DeepSeek ladders: V4 Flash low/high/max everywhere; 17.3: V4 Pro too but on
    OpenRouter (high only, but its dated ``-0813`` SKU); older reasoners high/max (OpenRouter:
    high only)."""
    model_id = _id(spec)
    if _is_deepseek_v4_flash(model_id):
        return _LOW_HIGH_MAX
    bare = _js_lower(bare_model_id(model_id))
    if generation.deepseek_v4_ladders and "deepseek-v4" in bare:
        if not _thinking_format_is(compat, "openrouter"):
            return _LOW_HIGH_MAX
        return _LOW_HIGH_MAX if bare == "deepseek-v4-pro-0813" else _HIGH_ONLY
    return _HIGH_ONLY if _thinking_format_is(compat, "openrouter") else _HIGH_MAX


def _model_defined_efforts(
    spec: Mapping[str, Any], compat: Any, generation: Generation
) -> tuple[str, ...] | None:
    """``getModelDefinedEfforts``: the ladders a model/host pair fixes whatever the spec says."""
    model_id, api, provider = _id(spec), _api(spec), _provider(spec)
    if _is_glm53(model_id, generation):
        return _LOW_HIGH_MAX
    if ids.is_glm52_reasoning_effort_model_id(model_id):
        # GLM-5.2's reasoning_effort dialect is per host.
        if _thinking_format_is(compat, "openrouter"):
            return _DEFAULT_WITH_XHIGH
        if (
            _thinking_format_is(compat, "zai")
            or _is_anthropic_messages_glm52(spec)
            or _is_ollama_cloud_glm52(spec)
            or provider == "baseten"
        ):
            return _HIGH_MAX
        if api in _OPENAI_COMPAT_APIS:
            return _DEFAULT_WITH_MAX
    if ids.is_kimi_k3_model_id(model_id):
        return _LOW_HIGH_MAX
    if provider == "sakana" and _SAKANA_FUGU.search(model_id):
        return _HIGH_MAX
    if _is_gpt56_plus_wire_effort(spec, generation):
        return _FIVE_TIER_LOW_TO_MAX
    anthropic_adaptive = _anthropic_adaptive_efforts(spec)
    if anthropic_adaptive is not None:
        return anthropic_adaptive
    if provider == "firepass":
        return _FIVE_TIER_LOW_TO_MAX
    if provider == "ollama":
        return _OLLAMA
    deepseek_api = api in _OPENAI_COMPAT_APIS or (
        generation.deepseek_v4_ladders and api == "ollama-chat" and provider == "ollama-cloud"
    )
    if deepseek_api and _is_deepseek_reasoning(spec):
        return _deepseek_efforts(spec, compat, generation)
    if provider == "baseten" and _is_gpt_oss(model_id):
        return _HIGH_MAX
    if generation.xai_ladders and _matches_host(spec, "xai"):
        return _DEFAULT_WITH_XHIGH if ids.is_grok_xhigh_effort_capable(model_id) else _DEFAULT
    if api in _OPENAI_COMPAT_APIS and (
        _is_minimax_m2(model_id) or _is_gpt_oss(model_id) or _is_openai_compat_mimo(spec, compat)
    ):
        return _LOW_MEDIUM_HIGH
    return None


def _anthropic_adaptive_efforts(spec: Mapping[str, Any]) -> tuple[str, ...] | None:
    """``getAnthropicAdaptiveEfforts``: Opus 4.6+/Sonnet 5+... on Anthropic/Bedrock (five tiers
    with the real xhigh on the Messages API from Opus 4.7, else four), or via OpenRouter."""
    parsed = ids.parse_anthropic_model(bare_model_id(_id(spec)))
    if parsed is None or not ids.is_anthropic_adaptive_gen_at_least(parsed, "4.6"):
        return None
    api = _api(spec)
    if api in _ANTHROPIC_APIS:
        real_xhigh = api == "anthropic-messages" and ids.is_anthropic_adaptive_gen_at_least(parsed, "4.7")
        return _FIVE_TIER_LOW_TO_MAX if real_xhigh else _FOUR_TIER_LOW_TO_MAX
    if api in _OPENAI_COMPAT_APIS and _matches_host(spec, "openrouter"):
        return (
            _FIVE_TIER_LOW_TO_MAX
            if ids.is_anthropic_adaptive_gen_at_least(parsed, "4.7")
            else _FOUR_TIER_LOW_TO_MAX
        )
    return None


def _supported_efforts(
    parsed: ParsedModel | None, spec: Mapping[str, Any], compat: Any, generation: Generation
) -> tuple[str, ...]:
    """``inferSupportedEfforts``: a model-defined ladder, else per family."""
    model_defined = _model_defined_efforts(spec, compat, generation)
    if model_defined is not None:
        return model_defined
    if parsed is None:
        return _fallback_efforts(spec, compat)
    if parsed.family == "openai":
        if parsed.kind == "codex-mini" and parsed.version == (5, 1, 0):
            return _GPT_5_1_CODEX_MINI
        if semver_gte(parsed.version, "5.6"):
            return _FIVE_TIER_LOW_TO_MAX
        return _GPT_5_2_PLUS if semver_gte(parsed.version, "5.2") else _DEFAULT
    if parsed.family == "gemini":
        if not semver_gte(parsed.version, "3.0"):
            return _DEFAULT
        return _GEMINI_3_PRO if parsed.kind == "pro" else _GEMINI_3_FLASH
    if parsed.family == "anthropic":
        api = _api(spec)
        if api == "anthropic-messages" and semver_gte(parsed.version, "4.6"):
            return _LOW_MEDIUM_HIGH
        if api == "bedrock-converse-stream" and semver_gte(parsed.version, "4.6"):
            return _DEFAULT
    return _fallback_efforts(spec, compat)


def _fallback_efforts(spec: Mapping[str, Any], compat: Any) -> tuple[str, ...]:
    """``inferFallbackEfforts`` (its model-defined check is already made by every caller)."""
    api = _api(spec)
    if _is_minimax_on_anthropic_endpoint(spec):
        return _LOW_MEDIUM_HIGH
    if api == "anthropic-messages":
        return _DEFAULT_WITH_XHIGH
    if "deepseek-v4" in _name(spec):
        return _DEFAULT_WITH_XHIGH
    if api == "bedrock-converse-stream":
        return _DEFAULT
    if api in _OPENAI_COMPAT_APIS:
        openai_effort = _member(compat, "thinkingFormat") == "openai" and _js_truthy(
            _member(compat, "supportsReasoningEffort")
        )
        return _DEFAULT_WITH_XHIGH if openai_effort else _DEFAULT
    if api in _RESPONSES_APIS:
        return _DEFAULT_WITH_XHIGH  # the Responses APIs encode discrete levels, xhigh included
    return _DEFAULT


def _implies_mandatory_reasoning(parsed: ParsedModel | None, model_id: str, generation: Generation) -> bool:
    """``impliesMandatoryReasoning``: upstreams that reject thinking off (Gemini 3 and 2.5 Pro,
    Kimi K3, GLM-5.3+, MiniMax M2, OpenAI o-series, thinking-variant SKUs)."""
    if parsed is not None and parsed.family == "gemini":
        if semver_gte(parsed.version, "3.0"):
            return True
        if parsed.kind == "pro" and semver_gte(parsed.version, "2.5"):
            return True
    if ids.is_kimi_k3_model_id(model_id) or _is_glm53(model_id, generation) or _is_minimax_m2(model_id):
        return True
    if _OPENAI_O_SERIES.search(bare_model_id(model_id)):
        return True
    return has_thinking_variant_token(model_id)


def _control_mode(spec: Mapping[str, Any], parsed: ParsedModel | None, generation: Generation) -> str:
    """``inferThinkingControlMode``: how the api carries thinking for this model."""
    api = _api(spec)
    if api in _GOOGLE_APIS:
        is_gemini_3 = parsed is not None and parsed.family == "gemini" and parsed.version[0] == 3
        return "google-level" if is_gemini_3 else "budget"
    if api == "anthropic-messages":
        if _is_minimax_on_anthropic_endpoint(spec):
            return "anthropic-adaptive"
        if _is_anthropic_messages_glm52(spec):
            return "anthropic-budget-effort"
        if parsed is not None and parsed.family == "anthropic":
            if semver_gte(parsed.version, "4.6"):
                return "anthropic-adaptive"
            # Opus 4.5 takes `output_config.effort` beside the budget; Sonnet/Haiku 4.5 reject it.
            if parsed.kind == "opus" and semver_gte(parsed.version, "4.5"):
                return "anthropic-budget-effort"
        return "budget"
    if api == "bedrock-converse-stream":
        if parsed is not None and parsed.family == "anthropic":
            if ids.is_anthropic_adaptive_gen_at_least(parsed, "4.6"):
                return "anthropic-adaptive"
            if parsed.kind == "opus" and semver_gte(parsed.version, "4.5"):
                return "anthropic-budget-effort"
        return "budget"
    return "effort"
