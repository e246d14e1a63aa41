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
from typing import Any, NamedTuple

from catalogmgr.omp.rule_engine import UNDEFINED, _includes_ascii_case_insensitive, _js_trim, _js_truthy

_I = re.IGNORECASE | re.ASCII
_A = re.ASCII

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

# -- identity/classify.ts ------------------------------------------------------------------------


class SemVer(NamedTuple):
    """``SemVer``: tuple order is OMP's ``compareSemVer`` order."""

    major: int
    minor: int
    patch: int


class ParsedModel(NamedTuple):
    """``parseKnownModel``'s result: ``family`` is gemini/anthropic/openai/unknown; ``kind`` the
    Gemini/Anthropic kind or the OpenAI variant; ``version`` None for ``unknown``."""

    family: str
    kind: str
    version: SemVer | None


_SEMVER = re.compile(r"^(\d{1,2})(?:[.-](\d{1,2}))?(?:[.-](\d{1,2}))?\Z", _A)


def parse_semver(version: str) -> SemVer | None:
    """``parseSemVer``: one to three 1-2 digit components separated by ``.`` or ``-``."""
    match = _SEMVER.match(version)
    if match is None:
        return None
    return SemVer(int(match[1]), int(match[2] or 0), int(match[3] or 0))


def _version(text: str) -> SemVer:
    parsed = parse_semver(text)
    assert parsed is not None, text
    return parsed


def _gte(left: SemVer | None, right: str) -> bool:
    """``semverGte(left, "x.y")``; OMP's ``compareSemVer`` puts a missing version first."""
    return left is not None and left >= _version(right)


def bare_model_id(model_id: str) -> str:
    """``bareModelId``: the id after its last ``/``."""
    return model_id[model_id.rfind("/") + 1 :]


_GEMINI = re.compile(r"gemini-(\d+(?:\.\d+){0,2})-(pro|flash)\b", _A)
_ANTHROPIC_KIND_FIRST = re.compile(r"claude-(opus|sonnet|fable|mythos)-(\d{1,2}(?:[.-]\d{1,2}){0,2})\b", _A)
_ANTHROPIC_VERSION_FIRST = re.compile(
    r"claude-(\d{1,2}(?:[.-]\d{1,2}){0,2})-(opus|sonnet|fable|mythos)\b", _A
)
_OPENAI = re.compile(
    r"gpt-(\d+(?:\.\d+){0,2})(?:-(codex-spark|codex-mini|codex-max|codex|mini|max|nano))?\b", _A
)
_GLM = re.compile(r"glm-(\d{1,2}(?:\.\d+)?)(v)?(?:-(air|turbo|flashx|flash|preview))?\b", _I)
# classify.ts OPENAI_ALIAS_VERSIONS (17.3): rolling aliases take their snapshot's version.
_OPENAI_ALIAS_VERSIONS = {
    "daybreak-blue-latest": "5.6",
    "gpt-daybreak-blue-latest": "5.6",
    "daybreak-red-latest": "5.6",
    "gpt-daybreak-red-latest": "5.6",
}


def parse_gemini_model(model_id: str) -> ParsedModel | None:
    """``parseGeminiModel``: ``gemini-<version>-(pro|flash)``, a ``-preview`` suffix dropped."""
    if model_id.endswith("-preview"):
        model_id = model_id[: -len("-preview")]
    match = _GEMINI.search(model_id)
    version = parse_semver(match[1]) if match else None
    return ParsedModel("gemini", match[2], version) if match and version else None


def parse_anthropic_model(model_id: str) -> ParsedModel | None:
    """``parseAnthropicModel``: ``claude-<kind>-<version>`` or ``claude-<version>-<kind>``."""
    match = _ANTHROPIC_KIND_FIRST.search(model_id)
    if match is not None:
        kind, version_text = match[1], match[2]
    else:
        match = _ANTHROPIC_VERSION_FIRST.search(model_id)
        if match is None:
            return None
        kind, version_text = match[2], match[1]
    version = parse_semver(version_text)
    return ParsedModel("anthropic", kind, version) if version else None


def parse_openai_model(model_id: str, generation: Generation) -> ParsedModel | None:
    """``parseOpenAIModel``: ``gpt-<version>[-<variant>]`` (17.3: or a rolling alias)."""
    alias = _OPENAI_ALIAS_VERSIONS.get(model_id) if generation.openai_aliases else None
    match = None if alias else _OPENAI.search(model_id)
    version_text = alias or (match[1] if match else None)
    version = parse_semver(version_text) if version_text else None
    if version is None:
        return None
    return ParsedModel("openai", (match[2] if match else None) or "base", version)


class _Glm(NamedTuple):
    variant: str
    vision: bool
    version: SemVer


def _parse_glm_model(model_id: str) -> _Glm | None:
    """``parseGlmModel``: ``glm-<version>[v][-<variant>]``, case-insensitive."""
    match = _GLM.search(model_id)
    version = parse_semver(match[1]) if match else None
    if match is None or version is None:
        return None
    return _Glm((match[3] or "base").lower(), (match[2] or "").lower() == "v", version)


def parse_known_model(model_id: str, generation: Generation) -> ParsedModel:
    """``parseKnownModel``: Gemini, else Anthropic, else OpenAI, else ``unknown``, on the bare id."""
    bare = bare_model_id(model_id)
    return (
        parse_gemini_model(bare)
        or parse_anthropic_model(bare)
        or parse_openai_model(bare, generation)
        or ParsedModel("unknown", "", None)
    )


def _anthropic_adaptive_at_least(parsed: ParsedModel, opus_min: str) -> bool:
    """``isAnthropicAdaptiveGenAtLeast``: Opus from ``opus_min``, every other kind from 5."""
    return _gte(parsed.version, opus_min if parsed.kind == "opus" else "5")


# -- identity/family.ts --------------------------------------------------------------------------

_KIMI_K3 = re.compile(r"(^|/)kimi-k3(?:\.\d+)?(?:[-.:_]|\Z)", _I)
_MINIMAX_M2 = re.compile(r"(?:^|[/.-])m2\d*(?:[.-]\d+)?(?:[-.:_]|\Z)", _I)
_MINIMAX_M3 = re.compile(r"(?:^|[/._-])(?:minimax[/._-])?m3(?:[-.:_]|\Z)", _I)
_GPT_OSS = re.compile(r"(^|/)gpt-oss[-:]", _I)
_THINKING_VARIANT_TOKEN = re.compile(r"-(?:thinking|reasoner|reasoning)(?=\Z|[^a-z0-9])", _I)
_TRAILING_WORD = re.compile(r"([a-z0-9]+)\Z", _I)
_OPENAI_O_SERIES = re.compile(r"^o[134](?:\Z|[-:.])", _I)
_SAKANA_FUGU = re.compile(r"^fugu(?:\Z|-)", _I)


def _is_kimi_k3(model_id: str) -> bool:
    return _KIMI_K3.search(model_id) is not None


def _is_deepseek_id_or_name(value: str) -> bool:
    return "deepseek" in value.lower()


def _is_deepseek_v4_flash(model_id: str) -> bool:
    return "deepseek-v4-flash" in bare_model_id(model_id).lower()


def _is_mimo_id_or_name(value: str) -> bool:
    return "mimo" in value.lower()


def _is_minimax_m2(model_id: str) -> bool:
    lower = model_id.lower()
    return "minimax" in lower and _MINIMAX_M2.search(lower) is not None


def _is_minimax_m3(model_id: str) -> bool:
    lower = model_id.lower()
    return "minimax" in lower and _MINIMAX_M3.search(lower) is not None


def _is_gpt_oss(model_id: str) -> bool:
    return _GPT_OSS.search(model_id) is not None


def _is_glm_at_least(model_id: str, floor: str) -> bool:
    """``isGlm52ReasoningEffortModelId`` / ``isGlm53ReasoningEffortModelId``: a base/air/turbo
    GLM, not vision, at or above ``floor``."""
    glm = _parse_glm_model(bare_model_id(model_id))
    return (
        glm is not None
        and not glm.vision
        and glm.variant in ("base", "air", "turbo")
        and _gte(glm.version, floor)
    )


def _is_glm52(model_id: str) -> bool:
    return _is_glm_at_least(model_id, "5.2")


def _is_glm53(model_id: str, generation: Generation) -> bool:
    return generation.glm53 and _is_glm_at_least(model_id, "5.3")


def _is_grok_xhigh_capable(model_id: str) -> bool:
    """``isGrokXHighEffortCapable`` (17.3): ``grok-4.20-multi-agent*`` and ``grok-4.6*``."""
    bare = _js_trim(bare_model_id(model_id)).lower()
    return bare.startswith("grok-4.20-multi-agent") or bare.startswith("grok-4.6")


def _supports_adaptive_thinking_display(model_id: str) -> bool:
    parsed = parse_anthropic_model(bare_model_id(model_id))
    return parsed is not None and _anthropic_adaptive_at_least(parsed, "4.7")


def has_thinking_variant_token(model_id: str) -> bool:
    """``findThinkingVariantToken(id) !== undefined``: a bounded ``-thinking``/``-reasoner``/
    ``-reasoning`` not named by a preceding ``non``/``no`` (``non-thinking`` is the other SKU)."""
    for match in _THINKING_VARIANT_TOKEN.finditer(model_id):
        preceding = _TRAILING_WORD.search(model_id[: match.start()])
        if preceding is None or preceding[1].lower() not in ("non", "no"):
            return True
    return False


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
    if spec.get("provider") in providers:
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
    if spec.get("api") in _RESPONSES_APIS and _member(compat, "supportsReasoningEffort") is False:
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
    if _is_kimi_k3(model_id) or _is_glm53(model_id, generation):
        config["defaultLevel"] = "max"
    effort_map = _effort_map(spec, compat, mode, config["efforts"])
    if effort_map is not None:
        config["effortMap"] = effort_map
    if spec.get("api") in _ANTHROPIC_APIS and _supports_adaptive_thinking_display(model_id):
        config["supportsDisplay"] = True
    if _implies_mandatory_reasoning(parsed, model_id, generation):
        config["requiresEffort"] = True
    return config


def _id(spec: Mapping[str, Any]) -> str:
    value = spec.get("id")
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
        and spec.get("api") in _ANTHROPIC_APIS
        and _supports_adaptive_thinking_display(model_id)
    )
    needs_requires_effort = "requiresEffort" not in thinking and _implies_mandatory_reasoning(
        parsed, model_id, generation
    )
    needs_default_level = "defaultLevel" not in thinking and (
        _is_kimi_k3(model_id) or _is_glm53(model_id, generation)
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
    if spec.get("api") not in _OPENAI_COMPAT_APIS:
        return None
    if spec.get("provider") == "groq" and spec.get("id") == "qwen/qwen3-32b":
        return _GROQ_QWEN3_32B_MAP
    if _is_openai_compat_mimo(spec, compat):
        return _MIMO_MAP
    if _matches_host(spec, "fireworks"):
        return _FIREWORKS_MAP
    return None


def _is_minimax_on_anthropic_endpoint(spec: Mapping[str, Any]) -> bool:
    model_id = _id(spec)
    return spec.get("api") == "anthropic-messages" and (_is_minimax_m2(model_id) or _is_minimax_m3(model_id))


def _is_openai_compat_mimo(spec: Mapping[str, Any], compat: Any) -> bool:
    """``isOpenAICompatMimoReasoningEffortModel``: MiMo (by id or name) on an openai-compat api
    whose compat sends OpenAI/OpenRouter-style effort."""
    if spec.get("api") not in _OPENAI_COMPAT_APIS:
        return False
    if not _is_mimo_id_or_name(_id(spec)) and not _is_mimo_id_or_name(_name(spec)):
        return False
    return _member(compat, "thinkingFormat") in ("openai", "openrouter") and _js_truthy(
        _member(compat, "supportsReasoningEffort")
    )


def _is_anthropic_messages_glm52(spec: Mapping[str, Any]) -> bool:
    return (
        spec.get("api") == "anthropic-messages"
        and spec.get("provider") in ("umans", "zai")
        and _is_glm52(_id(spec))
    )


def _is_ollama_cloud_glm52(spec: Mapping[str, Any]) -> bool:
    return (
        spec.get("api") == "ollama-chat" and spec.get("provider") == "ollama-cloud" and _is_glm52(_id(spec))
    )


def _is_gpt56_plus_wire_effort(spec: Mapping[str, Any], generation: Generation) -> bool:
    """``isGpt56PlusWireEffortModel``: GPT-5.6+ on an api with a wire effort field."""
    if spec.get("api") not in _RESPONSES_APIS | _OPENAI_COMPAT_APIS:
        return False
    parsed = parse_openai_model(bare_model_id(_id(spec)), generation)
    return parsed is not None and _gte(parsed.version, "5.6")


def _is_deepseek_reasoning(spec: Mapping[str, Any]) -> bool:
    """``isDeepseekReasoningModel``: a reasoning spec on a DeepSeek host, or a DeepSeek id/name,
    or OpenCode Zen's ``big-pickle`` alias."""
    if not _js_truthy(spec.get("reasoning")):
        return False
    model_id, name = _id(spec), _name(spec)
    opencode_alias = spec.get("provider") == "opencode-zen" and (
        model_id.lower() == "big-pickle" or name.lower() == "big pickle"
    )
    return (
        _matches_host(spec, "deepseekFamily")
        or _is_deepseek_id_or_name(model_id)
        or _is_deepseek_id_or_name(name)
        or opencode_alias
    )


def _deepseek_efforts(spec: Mapping[str, Any], compat: Any, generation: Generation) -> tuple[str, ...]:
    """The DeepSeek ladders: V4 Flash low/high/max everywhere; 17.3: V4 Pro too but on
    OpenRouter (high only, but its dated ``-0813`` SKU); older reasoners high/max (OpenRouter:
    high only)."""
    model_id = _id(spec)
    if _is_deepseek_v4_flash(model_id):
        return _LOW_HIGH_MAX
    bare = bare_model_id(model_id).lower()
    if generation.deepseek_v4_ladders and "deepseek-v4" in bare:
        if not _thinking_format_is(compat, "openrouter"):
            return _LOW_HIGH_MAX
        return _LOW_HIGH_MAX if bare == "deepseek-v4-pro-0813" else _HIGH_ONLY
    return _HIGH_ONLY if _thinking_format_is(compat, "openrouter") else _HIGH_MAX


def _model_defined_efforts(
    spec: Mapping[str, Any], compat: Any, generation: Generation
) -> tuple[str, ...] | None:
    """``getModelDefinedEfforts``: the ladders a model/host pair fixes whatever the spec says."""
    model_id, api, provider = _id(spec), spec.get("api"), spec.get("provider")
    if _is_glm53(model_id, generation):
        return _LOW_HIGH_MAX
    if _is_glm52(model_id):
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
    if _is_kimi_k3(model_id):
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
        return _DEFAULT_WITH_XHIGH if _is_grok_xhigh_capable(model_id) else _DEFAULT
    if api in _OPENAI_COMPAT_APIS and (
        _is_minimax_m2(model_id) or _is_gpt_oss(model_id) or _is_openai_compat_mimo(spec, compat)
    ):
        return _LOW_MEDIUM_HIGH
    return None


def _anthropic_adaptive_efforts(spec: Mapping[str, Any]) -> tuple[str, ...] | None:
    """``getAnthropicAdaptiveEfforts``: Opus 4.6+/Sonnet 5+... on Anthropic/Bedrock (five tiers
    with the real xhigh on the Messages API from Opus 4.7, else four), or via OpenRouter."""
    parsed = parse_anthropic_model(bare_model_id(_id(spec)))
    if parsed is None or not _anthropic_adaptive_at_least(parsed, "4.6"):
        return None
    api = spec.get("api")
    if api in _ANTHROPIC_APIS:
        real_xhigh = api == "anthropic-messages" and _anthropic_adaptive_at_least(parsed, "4.7")
        return _FIVE_TIER_LOW_TO_MAX if real_xhigh else _FOUR_TIER_LOW_TO_MAX
    if api in _OPENAI_COMPAT_APIS and _matches_host(spec, "openrouter"):
        return _FIVE_TIER_LOW_TO_MAX if _anthropic_adaptive_at_least(parsed, "4.7") else _FOUR_TIER_LOW_TO_MAX
    return None


def _supported_efforts(
    parsed: ParsedModel, spec: Mapping[str, Any], compat: Any, generation: Generation
) -> tuple[str, ...]:
    """``inferSupportedEfforts``: a model-defined ladder, else per family."""
    model_defined = _model_defined_efforts(spec, compat, generation)
    if model_defined is not None:
        return model_defined
    if parsed.family == "openai":
        if parsed.kind == "codex-mini" and parsed.version == _version("5.1"):
            return _GPT_5_1_CODEX_MINI
        if _gte(parsed.version, "5.6"):
            return _FIVE_TIER_LOW_TO_MAX
        return _GPT_5_2_PLUS if _gte(parsed.version, "5.2") else _DEFAULT
    if parsed.family == "gemini":
        if not _gte(parsed.version, "3.0"):
            return _DEFAULT
        return _GEMINI_3_PRO if parsed.kind == "pro" else _GEMINI_3_FLASH
    if parsed.family == "anthropic":
        api = spec.get("api")
        if api == "anthropic-messages" and _gte(parsed.version, "4.6"):
            return _LOW_MEDIUM_HIGH
        if api == "bedrock-converse-stream" and _gte(parsed.version, "4.6"):
            return _DEFAULT
    return _fallback_efforts(spec, compat)


def _fallback_efforts(spec: Mapping[str, Any], compat: Any) -> tuple[str, ...]:
    """``inferFallbackEfforts`` (its model-defined check is already made by every caller)."""
    api = spec.get("api")
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


def _implies_mandatory_reasoning(parsed: ParsedModel, model_id: str, generation: Generation) -> bool:
    """``impliesMandatoryReasoning``: upstreams that reject thinking off (Gemini 3 and 2.5 Pro,
    Kimi K3, GLM-5.3+, MiniMax M2, OpenAI o-series, thinking-variant SKUs)."""
    if parsed.family == "gemini":
        if _gte(parsed.version, "3.0"):
            return True
        if parsed.kind == "pro" and _gte(parsed.version, "2.5"):
            return True
    if _is_kimi_k3(model_id) or _is_glm53(model_id, generation) or _is_minimax_m2(model_id):
        return True
    if _OPENAI_O_SERIES.search(bare_model_id(model_id)):
        return True
    return has_thinking_variant_token(model_id)


def _control_mode(spec: Mapping[str, Any], parsed: ParsedModel, generation: Generation) -> str:
    """``inferThinkingControlMode``: how the api carries thinking for this model."""
    api = spec.get("api")
    if api in _GOOGLE_APIS:
        is_gemini_3 = parsed.family == "gemini" and parsed.version is not None and parsed.version.major == 3
        return "google-level" if is_gemini_3 else "budget"
    if api == "anthropic-messages":
        if _is_minimax_on_anthropic_endpoint(spec):
            return "anthropic-adaptive"
        if _is_anthropic_messages_glm52(spec):
            return "anthropic-budget-effort"
        if parsed.family == "anthropic":
            if _gte(parsed.version, "4.6"):
                return "anthropic-adaptive"
            # Opus 4.5 takes `output_config.effort` beside the budget; Sonnet/Haiku 4.5 reject it.
            if parsed.kind == "opus" and _gte(parsed.version, "4.5"):
                return "anthropic-budget-effort"
        return "budget"
    if api == "bedrock-converse-stream":
        if parsed.family == "anthropic":
            if _anthropic_adaptive_at_least(parsed, "4.6"):
                return "anthropic-adaptive"
            if parsed.kind == "opus" and _gte(parsed.version, "4.5"):
                return "anthropic-budget-effort"
        return "budget"
    return "effort"
