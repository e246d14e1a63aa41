"""OMP 17.x's model-id classification, ported from pi-catalog ``src/identity/classify.ts`` and
``src/identity/family.ts`` (17.2.15 and 17.3.5).

17.x decides a model's compat (:mod:`catalogmgr.omp.compat17`) and thinking from its id with these
predicates; 18.x replaced them with the compiled taxonomy (:mod:`catalogmgr.omp.rule_engine`).
Each function is named after the TypeScript one it ports. Where 17.2 and 17.3 differ, a keyword
argument says which code runs (``aliases``: 17.3's rolling OpenAI aliases; ``grok_46``: 17.3 adds
``grok-4.6`` to the effort-capable Grok SKUs).

JavaScript regular expressions are translated with ``re.ASCII`` (``\\d``, ``\\b`` and ``/i`` are
ASCII in JavaScript without the ``u`` flag) and ``\\Z`` for ``$`` (JavaScript's ``$`` never matches
before a final newline). OMP memoizes these per id for speed; ``lru_cache`` does the same here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from catalogmgr.omp.rule_engine import _js_lower, _js_trim

SemVer = tuple[int, int, int]


@dataclass(frozen=True)
class ParsedModel:
    """``GeminiModel`` / ``AnthropicModel`` / ``OpenAIModel`` / ``GlmModel``: family, kind or
    variant, version (and for GLM the vision flag)."""

    family: str
    kind: str
    version: SemVer
    vision: bool = False


# -- classify.ts -------------------------------------------------------------------------------------

_SEMVER = re.compile(r"^(\d{1,2})(?:[.-](\d{1,2}))?(?:[.-](\d{1,2}))?\Z", re.A)


def bare_model_id(model_id: str) -> str:
    """``bareModelId``: the id after its last ``/`` (``openai/gpt-5.4`` -> ``gpt-5.4``)."""
    return model_id[model_id.rfind("/") + 1 :]


def parse_semver(version: str) -> SemVer | None:
    """``parseSemVer``: one to three 1-2 digit components separated by ``.`` or ``-``."""
    match = _SEMVER.match(version)
    if match is None:
        return None
    return (int(match[1]), int(match[2] or 0), int(match[3] or 0))


def semver_gte(left: SemVer, right: str) -> bool:
    """``semverGte`` with a literal right-hand version."""
    bound = parse_semver(right)
    assert bound is not None, right
    return left >= bound


_GEMINI = re.compile(r"gemini-(\d+(?:\.\d+){0,2})-(pro|flash)\b", re.A)
_ANTHROPIC_KIND_FIRST = re.compile(r"claude-(opus|sonnet|fable|mythos)-(\d{1,2}(?:[.-]\d{1,2}){0,2})\b", re.A)
_ANTHROPIC_VERSION_FIRST = re.compile(
    r"claude-(\d{1,2}(?:[.-]\d{1,2}){0,2})-(opus|sonnet|fable|mythos)\b", re.A
)
_OPENAI = re.compile(
    r"gpt-(\d+(?:\.\d+){0,2})(?:-(codex-spark|codex-mini|codex-max|codex|mini|max|nano))?\b", re.A
)
# 17.3's OPENAI_ALIAS_VERSIONS: rolling aliases take their default snapshot's version.
_OPENAI_ALIAS_VERSIONS = {
    "daybreak-blue-latest": "5.6",
    "gpt-daybreak-blue-latest": "5.6",
    "daybreak-red-latest": "5.6",
    "gpt-daybreak-red-latest": "5.6",
}
_GLM = re.compile(r"glm-(\d{1,2}(?:\.\d+)?)(v)?(?:-(air|turbo|flashx|flash|preview))?\b", re.A | re.I)


@lru_cache(maxsize=8192)
def parse_gemini_model(model_id: str) -> ParsedModel | None:
    """``parseGeminiModel``: ``gemini-<version>-(pro|flash)`` (a ``-preview`` suffix ignored)."""
    model_id = model_id.removesuffix("-preview")
    match = _GEMINI.search(model_id)
    version = parse_semver(match[1]) if match else None
    if match is None or version is None:
        return None
    return ParsedModel("gemini", match[2], version)


@lru_cache(maxsize=8192)
def parse_anthropic_model(model_id: str) -> ParsedModel | None:
    """``parseAnthropicModel``: ``claude-<kind>-<version>`` or ``claude-<version>-<kind>``."""
    kind_first = _ANTHROPIC_KIND_FIRST.search(model_id)
    version_first = None if kind_first else _ANTHROPIC_VERSION_FIRST.search(model_id)
    if kind_first:
        kind, version_text = kind_first[1], kind_first[2]
    elif version_first:
        kind, version_text = version_first[2], version_first[1]
    else:
        return None
    version = parse_semver(version_text)
    return ParsedModel("anthropic", kind, version) if version is not None else None


@lru_cache(maxsize=8192)
def parse_openai_model(model_id: str, *, aliases: bool) -> ParsedModel | None:
    """``parseOpenAIModel``: ``gpt-<version>[-<variant>]`` (17.3: or a rolling alias)."""
    alias_version = _OPENAI_ALIAS_VERSIONS.get(model_id) if aliases else None
    match = None if alias_version else _OPENAI.search(model_id)
    version_text = alias_version or (match[1] if match else None)
    if not version_text:
        return None
    version = parse_semver(version_text)
    if version is None:
        return None
    return ParsedModel("openai", (match[2] if match else None) or "base", version)


@lru_cache(maxsize=8192)
def parse_glm_model(model_id: str) -> ParsedModel | None:
    """``parseGlmModel``: ``glm-<version>[v][-<variant>]``."""
    match = _GLM.search(model_id)
    version = parse_semver(match[1]) if match else None
    if match is None or version is None:
        return None
    return ParsedModel(
        "glm", _js_lower(match[3]) if match[3] else "base", version, _js_lower(match[2] or "") == "v"
    )


def is_anthropic_adaptive_gen_at_least(parsed: ParsedModel, opus_minimum: str) -> bool:
    """``isAnthropicAdaptiveGenAtLeast``: Opus from ``opus_minimum``, every other kind from 5."""
    return semver_gte(parsed.version, opus_minimum if parsed.kind == "opus" else "5")


# -- family.ts ---------------------------------------------------------------------------------------

_KIMI = re.compile(r"(^|/)kimi[-.]", re.A | re.I)
_KIMI_K26 = re.compile(r"(^|/)kimi-k2(?:\.6|p6)(?:[-:]|\Z)", re.A | re.I)
_KIMI_K3 = re.compile(r"(^|/)kimi-k3(?:\.\d+)?(?:[-.:_]|\Z)", re.A | re.I)
_CLAUDE = re.compile(r"(^|[/.])claude[-.]", re.A | re.I)
_ANTHROPIC_NAMESPACED = re.compile(r"(^|/)anthropic/", re.A | re.I)
_O_SERIES = re.compile(r"(^|/)o[134](?:[-.]|\Z)", re.A | re.I)
_GROK_EFFORT_CAPABLE_PREFIXES = ("grok-3-mini", "grok-4.20-multi-agent", "grok-4.3", "grok-4.5")


def is_kimi_model_id(model_id: str) -> bool:
    """``isKimiModelId``: Kimi ids in any namespace form."""
    return "moonshotai/kimi" in model_id or _KIMI.search(model_id) is not None


def is_kimi_k26_model_id(model_id: str) -> bool:
    """``isKimiK26ModelId`` (router ids spell the version ``k2p6``)."""
    return _KIMI_K26.search(model_id) is not None


def is_kimi_k3_model_id(model_id: str) -> bool:
    """``isKimiK3ModelId``."""
    return _KIMI_K3.search(model_id) is not None


def is_claude_model_id(model_id: str) -> bool:
    """``isClaudeModelId``: bare, path-namespaced or dot-prefixed (Bedrock profiles) Claude ids."""
    return _CLAUDE.search(model_id) is not None


def is_anthropic_namespaced_model_id(model_id: str) -> bool:
    """``isAnthropicNamespacedModelId``: ``anthropic/...`` ids of aggregator catalogs."""
    return _ANTHROPIC_NAMESPACED.search(model_id) is not None


def is_qwen_model_id(model_id: str) -> bool:
    """``isQwenModelId``: ``qwen`` anywhere."""
    return "qwen" in _js_lower(model_id)


def is_deepseek_model_id_or_name(value: str) -> bool:
    """``isDeepseekModelIdOrName``: ``deepseek`` anywhere in an id or a display name."""
    return "deepseek" in _js_lower(value)


def is_mimo_model_id_or_name(value: str) -> bool:
    """``isMimoModelIdOrName``: ``mimo`` anywhere in an id or a display name."""
    return "mimo" in _js_lower(value)


def _grok_bare(model_id: str) -> str:
    return _js_lower(_js_trim(bare_model_id(model_id)))


def is_grok_reasoning_effort_capable(model_id: str, *, grok_46: bool) -> bool:
    """``isGrokReasoningEffortCapable``: the Grok SKUs that take ``reasoning.effort``."""
    bare = _grok_bare(model_id)
    prefixes = (*_GROK_EFFORT_CAPABLE_PREFIXES, "grok-4.6") if grok_46 else _GROK_EFFORT_CAPABLE_PREFIXES
    return bool(bare) and bare.startswith(prefixes)


def is_grok_xhigh_effort_capable(model_id: str) -> bool:
    """17.3's ``isGrokXHighEffortCapable``: multi-agent Grok and ``grok-4.6*``."""
    return _grok_bare(model_id).startswith(("grok-4.20-multi-agent", "grok-4.6"))


def is_openai_sampling_restricted_model_id(model_id: str, *, aliases: bool) -> bool:
    """``isOpenAISamplingRestrictedModelId``: gpt-5+ (parsed version) and the o-series."""
    bare = bare_model_id(model_id)
    parsed = parse_openai_model(bare, aliases=aliases)
    return (parsed is not None and semver_gte(parsed.version, "5")) or _O_SERIES.search(bare) is not None


def is_openai_at_least(model_id: str, minimum: str, *, aliases: bool) -> bool:
    """``parseOpenAIModel(bareModelId(id))`` at or above ``minimum`` (the gpt-5.4 computer-use
    and gpt-5.6 prompt-cache floors)."""
    parsed = parse_openai_model(bare_model_id(model_id), aliases=aliases)
    return parsed is not None and semver_gte(parsed.version, minimum)


def is_glm52_reasoning_effort_model_id(model_id: str) -> bool:
    """``isGlm52ReasoningEffortModelId``: GLM 5.2+ on the base / air / turbo lines, not vision."""
    glm = parse_glm_model(bare_model_id(model_id))
    if glm is None or glm.vision or glm.kind not in ("base", "air", "turbo"):
        return False
    return semver_gte(glm.version, "5.2")


def _anthropic_adaptive(model_id: str, opus_minimum: str) -> bool:
    parsed = parse_anthropic_model(bare_model_id(model_id))
    return parsed is not None and is_anthropic_adaptive_gen_at_least(parsed, opus_minimum)


def supports_adaptive_thinking_display(model_id: str) -> bool:
    """``supportsAdaptiveThinkingDisplay`` (Opus 4.7+, Sonnet/Fable/Mythos 5+); also
    ``hasOpus47ApiRestrictions``, the same test."""
    return _anthropic_adaptive(model_id, "4.7")


def supports_mid_conversation_system_messages(model_id: str) -> bool:
    """``supportsMidConversationSystemMessages`` (Opus 4.8+, Sonnet/Fable/Mythos 5+)."""
    return _anthropic_adaptive(model_id, "4.8")


def is_anthropic_fable_or_mythos_model(model_id: str) -> bool:
    """``isAnthropicFableOrMythosModel``."""
    parsed = parse_anthropic_model(bare_model_id(model_id))
    return parsed is not None and parsed.kind in ("fable", "mythos")


def is_gemini_family_17_2(model_id: str) -> bool:
    """17.2's ``modelFamilyToken(id) === "gemini"``: only ``parseKnownModel`` returns that token
    there (its Gemini parse wins first; the later fallbacks name other families)."""
    return parse_gemini_model(bare_model_id(model_id)) is not None
