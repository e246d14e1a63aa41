"""OMP 13.x/14.x's ``thinking``: derived from the model id when a reasoning model has none.

Before the compat rule engine (pi-catalog, 17+), OMP's ``pi-ai/src/model-thinking.ts``
``enrichModelThinking`` gives every model it builds (a new custom model in ``finalizeCustomModel``,
a same-id definition in ``#mergeCustomModels``, a ``modelOverrides`` entry in
``applyModelOverride``) its ``thinking`` as ``{mode, minLevel, maxLevel}``:

* a model that is not ``reasoning`` has no thinking (a written one is dropped);
* a written thinking whose ``minLevel``..``maxLevel`` range is non-empty (14.x: or whose ``levels``
  list is) is kept exactly as written;
* otherwise it is inferred (``inferModelThinking``): the id, without any ``vendor/`` prefix, is
  parsed as a known family (``parseKnownModel``: ``gemini-X.Y-pro|flash``, ``claude-opus|sonnet-X-Y``,
  ``gpt-X.Y[-variant]``; versions up to 9.10), whose efforts come from the family and version
  (``inferSupportedEfforts``); an unknown id gets the api's default ladder
  (``inferFallbackEfforts``: anthropic-messages and the Responses apis up to ``xhigh``,
  openai-completions up to ``xhigh`` only when its resolved compat speaks OpenAI's
  ``reasoning_effort``); the mode follows the api and family (``inferThinkingControlMode``).
  14.x adds ``levels`` when the efforts have a gap the range cannot express (Gemini 3 Pro:
  low, high) and the ``xhigh`` ladder for a model whose name contains ``deepseek-v4``.

:class:`IdThinking` names the release's variant; :func:`enrich_model_thinking` is the port.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

EFFORTS = ("minimal", "low", "medium", "high", "xhigh")
_DEFAULT = ("minimal", "low", "medium", "high")
_DEFAULT_XHIGH = EFFORTS
_GEMINI_3_PRO = ("low", "high")
_GEMINI_3_FLASH = ("minimal", "low", "medium", "high")
_GPT_5_2_PLUS = ("low", "medium", "high", "xhigh")
_GPT_5_1_CODEX_MINI = ("medium", "high")

Version = tuple[int, int, int]
Family = Literal["gemini", "anthropic", "openai", "unknown"]


@dataclass(frozen=True)
class IdThinking:
    """One release's ``model-thinking.ts`` (13.19 and 14.9 differ in two places)."""

    release: str
    # `levels` is written when the inferred efforts have a gap (14.x).
    levels_for_gaps: bool
    # `inferFallbackEfforts` gives a model named `*deepseek-v4*` the xhigh ladder (14.x).
    deepseek_v4_by_name: bool


ID_THINKING: Mapping[str, IdThinking] = {
    "13": IdThinking("13.19", levels_for_gaps=False, deepseek_v4_by_name=False),
    "14": IdThinking("14.9", levels_for_gaps=True, deepseek_v4_by_name=True),
}


@dataclass(frozen=True)
class ParsedModel:
    """``parseKnownModel``'s answer: the family, its kind/variant and version (unknown: neither)."""

    family: Family
    kind: str = ""
    version: Version = (0, 0, 0)


# `precomputeTable`: "M", "M.m" and "M-m" for M in 0..9, m in 0..10; anything else is no version.
_VERSIONS: dict[str, Version] = {}
for _major in range(10):
    for _minor in range(11):
        _VERSIONS[f"{_major}.{_minor}"] = _VERSIONS[f"{_major}-{_minor}"] = (_major, _minor, 0)
    _VERSIONS[f"{_major}"] = (_major, 0, 0)

# JavaScript's `\b` and `\d` are ASCII-only.
_GEMINI = re.compile(r"gemini-(\d+(?:\.\d+){0,2})-(pro|flash)\b", re.ASCII)
_ANTHROPIC = re.compile(r"claude-(opus|sonnet)-(\d{1,2}(?:[.-]\d{1,2}){0,2})\b", re.ASCII)
_OPENAI = re.compile(
    r"gpt-(\d+(?:\.\d+){0,2})(?:-(codex-spark|codex-mini|codex-max|codex|mini|max|nano))?\b", re.ASCII
)


def parse_known_model(model_id: str) -> ParsedModel:
    """``parseKnownModel``: the id's last ``/`` segment as a Gemini, Claude or GPT model."""
    canonical = model_id[model_id.rfind("/") + 1 :]
    gemini_id = canonical[: -len("-preview")] if canonical.endswith("-preview") else canonical
    match = _GEMINI.search(gemini_id)
    if match and match.group(1) in _VERSIONS:
        return ParsedModel("gemini", match.group(2), _VERSIONS[match.group(1)])
    match = _ANTHROPIC.search(canonical)
    if match and match.group(2) in _VERSIONS:
        return ParsedModel("anthropic", match.group(1), _VERSIONS[match.group(2)])
    match = _OPENAI.search(canonical)
    if match and match.group(1) in _VERSIONS:
        return ParsedModel("openai", match.group(2) or "base", _VERSIONS[match.group(1)])
    return ParsedModel("unknown")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _completions_compat(model: Mapping[str, Any]) -> tuple[Any, Any]:
    """``resolveOpenAICompat``'s ``thinkingFormat`` and ``supportsReasoningEffort`` (both releases
    detect these two the same way: from the provider, the base URL and the id)."""
    provider, base_url = model.get("provider"), _text(model.get("baseUrl"))
    authored = model.get("compat")
    compat: Mapping[str, Any] = authored if isinstance(authored, Mapping) else {}
    is_zai = provider == "zai" or "api.z.ai" in base_url
    is_grok = provider == "xai" or "api.x.ai" in base_url
    is_alibaba = provider == "alibaba-coding-plan" or "dashscope" in base_url
    is_qwen = "qwen" in _text(model.get("id")).lower()
    if is_zai:
        detected_format = "zai"
    elif provider == "openrouter" or "openrouter.ai" in base_url:
        detected_format = "openrouter"
    elif is_alibaba or is_qwen:
        detected_format = "qwen"
    else:
        detected_format = "openai"
    thinking_format = compat.get("thinkingFormat")
    supports_effort = compat.get("supportsReasoningEffort")
    return (
        detected_format if thinking_format is None else thinking_format,
        (not is_grok and not is_zai) if supports_effort is None else supports_effort,
    )


def _fallback_efforts(model: Mapping[str, Any], variant: IdThinking) -> tuple[str, ...]:
    api = model.get("api")
    if api == "anthropic-messages":
        return _DEFAULT_XHIGH
    if variant.deepseek_v4_by_name and "deepseek-v4" in _text(model.get("name")):
        return _DEFAULT_XHIGH
    if api == "bedrock-converse-stream":
        return _DEFAULT
    if api == "openai-completions":
        thinking_format, supports_effort = _completions_compat(model)
        return _DEFAULT_XHIGH if thinking_format == "openai" and supports_effort else _DEFAULT
    if api in ("openai-responses", "openai-codex-responses"):
        return _DEFAULT_XHIGH
    return _DEFAULT


def supported_efforts(parsed: ParsedModel, model: Mapping[str, Any], variant: IdThinking) -> tuple[str, ...]:
    """``inferSupportedEfforts``: the efforts of a parsed family, else the api's fallback ladder."""
    if parsed.family == "openai":
        if parsed.kind == "codex-mini" and parsed.version == (5, 1, 0):
            return _GPT_5_1_CODEX_MINI
        return _GPT_5_2_PLUS if parsed.version >= (5, 2, 0) else _DEFAULT
    if parsed.family == "gemini":
        if parsed.version < (3, 0, 0):
            return _DEFAULT
        return _GEMINI_3_PRO if parsed.kind == "pro" else _GEMINI_3_FLASH
    if (
        parsed.family == "anthropic"
        and model.get("api") in ("anthropic-messages", "bedrock-converse-stream")
        and parsed.version >= (4, 6, 0)
    ):
        return _DEFAULT_XHIGH if parsed.kind == "opus" else _DEFAULT
    return _fallback_efforts(model, variant)


def control_mode(parsed: ParsedModel, api: Any) -> str:
    """``inferThinkingControlMode``: how the api encodes thinking for this family."""
    if api in ("google-generative-ai", "google-gemini-cli", "google-vertex"):
        gemini_3 = parsed.family == "gemini" and parsed.version >= (3, 0, 0) and parsed.version[0] == 3
        return "google-level" if gemini_3 else "budget"
    if api in ("anthropic-messages", "bedrock-converse-stream") and parsed.family == "anthropic":
        adaptive = parsed.version >= (4, 6, 0) and (api == "anthropic-messages" or parsed.kind == "opus")
        if adaptive:
            return "anthropic-adaptive"
        if parsed.version >= (4, 5, 0):
            return "anthropic-budget-effort"
        return "budget"
    if api in ("anthropic-messages", "bedrock-converse-stream"):
        return "budget"
    return "effort"


def infer_thinking(model: Mapping[str, Any], variant: IdThinking) -> dict[str, Any]:
    """``inferModelThinking``: ``{mode, minLevel, maxLevel}`` (+ ``levels`` for a gap in 14.x)."""
    parsed = parse_known_model(_text(model.get("id")))
    efforts = supported_efforts(parsed, model, variant)
    thinking: dict[str, Any] = {
        "mode": control_mode(parsed, model.get("api")),
        "minLevel": efforts[0],
        "maxLevel": efforts[-1],
    }
    span = EFFORTS.index(efforts[-1]) - EFFORTS.index(efforts[0]) + 1
    if variant.levels_for_gaps and span != len(efforts):
        thinking["levels"] = list(efforts)
    return thinking


def _written_range(thinking: Any, variant: IdThinking) -> bool:
    """``normalizeThinkingConfig``: whether a written thinking names a non-empty effort range."""
    if not isinstance(thinking, Mapping):
        return False
    levels = thinking.get("levels")
    if variant.levels_for_gaps and isinstance(levels, list) and levels:
        return True
    low, high = thinking.get("minLevel"), thinking.get("maxLevel")
    return low in EFFORTS and high in EFFORTS and EFFORTS.index(low) <= EFFORTS.index(high)


def enrich_model_thinking(model: Mapping[str, Any], variant: IdThinking) -> Mapping[str, Any] | None:
    """``enrichModelThinking``: the ``thinking`` OMP 13.x/14.x gives ``model`` (``None``: none).

    A usable written thinking is returned as the very same object (OMP keeps it as written).
    """
    if not model.get("reasoning"):
        return None
    written = model.get("thinking")
    if _written_range(written, variant):
        assert isinstance(written, Mapping)
        return written
    return infer_thinking(model, variant)
