"""OMP's reference lookup for new custom models: which bundled model a custom id is "really".

When a ``models.yml`` adds a model the base catalog does not have (``- id: gpt-5.1`` under a
proxy provider), OMP 18.2.3 fills the fields the definition leaves out from a *reference*: a base
model found by id across every provider. This module reproduces that lookup exactly
(``pi-catalog/src/identity/reference.ts``, ``identity/id.ts``, ``identity/bundled.ts``):

* the index holds every base model except those of reference-isolated providers (``cline-pass``)
  and zero-priced ``xai-oauth`` rows; one entry per lower-cased id, ties going to the larger
  ``contextWindow``, then the larger ``maxTokens``, then the one with cache pricing, then provider
  ``openai``; a second map aliases the longest model-like segment of a namespaced id's tail;
* an id is expanded into candidates, least stripped first (bracketed reseller affixes, model-like
  segments, ``:cloud``/``-cloud``, a ``vendor/`` prefix, ``:`` -> ``-``, lower case, one trailing
  variant marker), and the first candidate found in either map wins;
* ids starting with ``@`` (gateway wire ids) never resolve.

The vocabularies below are OMP 18.2.3's compiled rules (``compat/rules.json``:
``discoveryVocabulary()``, ``collapseVocabulary()``, ``behavior.referenceIsolatedProviders``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from catalogmgr.omp.jsstring import JS_SPACE_CLASS, js_lower, js_trim

# --- OMP 18.2.3 vocabularies (compat/rules.json) -------------------------------------------------

_TRAILING_MARKERS = (
    "customtools", "cloud", "exacto", "nitro", "original", "optimized", "nvfp4", "fp8", "fp4",
    "bf16", "int8", "int4", "thinking", "minimal", "low", "medium", "high", "xhigh", "free",
)  # fmt: skip
_REFERENCE_ONLY_TRAILING_MARKERS = ("search",)
_BILLING_VARIANT_SUFFIXES = ("-free", "-contributor")
_COLLAPSE_SUFFIXES = (
    "-thinking", "-extra-high", "-none", "-minimal", "-medium", "-xhigh", "-high", "-low", "-max",
)  # fmt: skip
_ROUTING_VARIANT_SUFFIXES = ("-wm",)
REFERENCE_ISOLATED_PROVIDERS = frozenset({"cline-pass"})

_MARKER_SUFFIXES: tuple[str, ...] = tuple(
    suffix
    for marker in (*_TRAILING_MARKERS, *_REFERENCE_ONLY_TRAILING_MARKERS)
    for suffix in (f"-{marker}", f":{marker}")
)
# Every suffix stripReferenceTrailingMarker considers; the longest match is removed.
_STRIPPABLE_SUFFIXES: tuple[str, ...] = (
    *_BILLING_VARIANT_SUFFIXES,
    *_MARKER_SUFFIXES,
    *_COLLAPSE_SUFFIXES,
    *_ROUTING_VARIANT_SUFFIXES,
)

# --- identity/id.ts --------------------------------------------------------------------------------

# JavaScript's `\s` is not Python's (catalogmgr.omp.jsstring.JS_SPACE_CLASS), nor its `$`.
_BRACKETED_AFFIX = rf"{JS_SPACE_CLASS}*(?:\[|【)[^\]】]+(?:\]|】){JS_SPACE_CLASS}*"
_LEADING_BRACKETED_AFFIX = re.compile(rf"^(?:{_BRACKETED_AFFIX})+")
_TRAILING_BRACKETED_AFFIX = re.compile(rf"(?:{_BRACKETED_AFFIX})+\Z")
_MODEL_ID_SEGMENT = re.compile(r"[a-z0-9.:-]+")
_MODEL_FAMILY_PREFIX = re.compile(
    r"^(claude|gemini|gpt|grok|glm|qwen|deepseek|kimi|mimo|doubao|ernie|gpt-oss|gemma|minimax|step"
    r"|command|jamba|llama|o[1345])",
    re.IGNORECASE,
)
_WHITESPACE_RUN = re.compile(rf"{JS_SPACE_CLASS}+")
_DIGIT = re.compile(r"\d")


def _normalize_whitespace(value: str) -> str:
    return _WHITESPACE_RUN.sub(" ", js_trim(value))


def _segment_sort_key(segment: str) -> tuple[int, str]:
    # Longest first; ties lexicographic. JavaScript's localeCompare on these lower-case ASCII
    # segments orders '-' and '.' before digits and letters, as plain code-point order does here
    # for the characters a segment can hold ([a-z0-9.:-]).
    return (-len(segment), segment)


def model_like_segments(model_id: str) -> list[str]:
    """Segments of an id that look like model names (``claude-opus-4-8``), longest first."""
    matches = _MODEL_ID_SEGMENT.findall(js_lower(_normalize_whitespace(model_id)))
    segments = dict.fromkeys(
        segment for segment in matches if _MODEL_FAMILY_PREFIX.match(segment) and _DIGIT.search(segment)
    )
    return sorted(segments, key=_segment_sort_key)


def longest_model_like_segment(model_id: str) -> str | None:
    """The preferred model-like segment of an id, or ``None``."""
    segments = model_like_segments(model_id)
    return segments[0] if segments else None


def bracket_stripped_candidates(model_id: str) -> list[str]:
    """``"[Kiro] claude-opus-4-8 [x]"`` -> both ends stripped, then leading only, then trailing only."""
    if not any(mark in model_id for mark in "[]【】"):
        return []
    normalized = _normalize_whitespace(model_id)
    if not normalized:
        return []
    stripped_leading = _LEADING_BRACKETED_AFFIX.sub("", normalized, count=1)
    without_leading = _normalize_whitespace(stripped_leading)
    without_trailing = _normalize_whitespace(_TRAILING_BRACKETED_AFFIX.sub("", normalized, count=1))
    without_both = _normalize_whitespace(_TRAILING_BRACKETED_AFFIX.sub("", stripped_leading, count=1))
    candidates = dict.fromkeys(
        candidate
        for candidate in (without_both, without_leading, without_trailing)
        if candidate and candidate != normalized
    )
    return list(candidates)


# --- identity/reference.ts -------------------------------------------------------------------------


def _strip_trailing_marker(candidate: str) -> str | None:
    lower = js_lower(candidate)
    length = max((len(suffix) for suffix in _STRIPPABLE_SUFFIXES if lower.endswith(suffix)), default=0)
    return candidate[:-length] if 0 < length < len(candidate) else None


def reference_candidate_ids(model_id: str) -> list[str]:
    """Every id a proxied/affixed model id may be catalogued under, least stripped first."""
    seen: dict[str, None] = {}
    queue = [model_id]
    index = 0
    while index < len(queue):
        candidate = js_trim(queue[index])
        index += 1
        if not candidate or candidate in seen:
            continue
        seen[candidate] = None
        queue.extend(bracket_stripped_candidates(candidate))
        queue.extend(model_like_segments(candidate))
        lower = js_lower(candidate)
        for suffix in (":cloud", "-cloud"):
            if lower.endswith(suffix):
                queue.append(candidate[: -len(suffix)])
        slash = candidate.rfind("/")
        if slash != -1:
            queue.append(candidate[slash + 1 :])
        colon_to_dash = candidate.replace(":", "-")
        if colon_to_dash != candidate:
            queue.append(colon_to_dash)
        if lower != candidate:
            queue.append(lower)
        stripped = _strip_trailing_marker(candidate)
        if stripped:
            queue.append(stripped)
    return list(seen)


def _number_or_zero(value: Any) -> float:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _has_cache_pricing(model: Mapping[str, Any]) -> bool:
    cost = model.get("cost")
    if not isinstance(cost, Mapping):
        return False
    return _number_or_zero(cost.get("cacheRead")) > 0 or _number_or_zero(cost.get("cacheWrite")) > 0


def _should_replace(existing: Mapping[str, Any] | None, candidate: Mapping[str, Any]) -> bool:
    if existing is None:
        return True
    if candidate.get("contextWindow") != existing.get("contextWindow"):
        return _number_or_zero(candidate.get("contextWindow")) > _number_or_zero(
            existing.get("contextWindow")
        )
    if candidate.get("maxTokens") != existing.get("maxTokens"):
        return _number_or_zero(candidate.get("maxTokens")) > _number_or_zero(existing.get("maxTokens"))
    candidate_cache, existing_cache = _has_cache_pricing(candidate), _has_cache_pricing(existing)
    if candidate_cache != existing_cache:
        return candidate_cache
    return existing.get("provider") != "openai" and candidate.get("provider") == "openai"


def _is_zero_cost_xai_oauth(provider: str, model: Mapping[str, Any]) -> bool:
    cost = model.get("cost")
    if provider != "xai-oauth" or not isinstance(cost, Mapping):
        return False
    return all(cost.get(key) == 0 for key in ("input", "output", "cacheRead", "cacheWrite"))


@dataclass(frozen=True)
class ReferenceIndex:
    """Lower-cased id -> best reference model; and namespaced-tail alias -> best reference model."""

    exact: Mapping[str, Mapping[str, Any]]
    suffix_alias: Mapping[str, Mapping[str, Any]]
    # OMP 14.x's map (`buildCustomReferenceMap`): the exact id -> best model of every provider.
    by_id: Mapping[str, Mapping[str, Any]]


def build_reference_index(
    catalog: Mapping[str, Mapping[str, Mapping[str, Any]]],
    isolated: frozenset[str] = REFERENCE_ISOLATED_PROVIDERS,
) -> ReferenceIndex:
    """Index a base catalog the way OMP indexes its bundled models (see the module docstring).
    ``isolated``: the providers whose rows seed no reference (``Profile.reference_isolated_providers``:
    none before 18.2.1)."""
    exact: dict[str, Mapping[str, Any]] = {}
    by_id: dict[str, Mapping[str, Any]] = {}
    for models in catalog.values():
        for model_id, model in models.items():
            key = str(model.get("id", model_id))
            if _should_replace(by_id.get(key), model):
                by_id[key] = model
    for provider, models in catalog.items():
        if provider in isolated:
            continue
        for model_id, model in models.items():
            if _is_zero_cost_xai_oauth(provider, model):
                continue
            key = js_lower(js_trim(str(model.get("id", model_id))))
            if _should_replace(exact.get(key), model):
                exact[key] = model
    return ReferenceIndex(exact=exact, suffix_alias=_suffix_aliases(exact.values()), by_id=by_id)


def _suffix_aliases(references: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    aliases: dict[str, Mapping[str, Any]] = {}
    for reference in references:
        model_id = str(reference.get("id", ""))
        slash = model_id.rfind("/")
        if slash == -1:
            continue
        alias = longest_model_like_segment(model_id[slash + 1 :])
        if alias and _should_replace(aliases.get(alias), reference):
            aliases[alias] = reference
    return aliases


def resolve_reference(model_id: str, index: ReferenceIndex) -> Mapping[str, Any] | None:
    """The reference model for a (possibly proxied/affixed) custom id, or ``None``."""
    if model_id.startswith("@"):
        # Portkey-style wire ids are opaque: fuzzy matching would pick unrelated models.
        return None
    for candidate in reference_candidate_ids(model_id):
        key = js_lower(js_trim(candidate))
        reference = index.exact.get(key) or index.suffix_alias.get(key)
        if reference is not None:
            return reference
    return None


def inherit_reference_thinking(
    model_thinking: Any, reference: Mapping[str, Any] | None, provider: str
) -> Any:
    """``thinking`` for a new custom model: its own, else a *same-provider* reference's, else ``None``.

    Thinking carries provider-specific wire routing, so OMP never copies it across providers.
    """
    if model_thinking is not None:
        return model_thinking
    if reference is None or not reference.get("thinking"):
        return None
    if reference.get("provider") != provider:
        return None
    return reference.get("thinking")


# --- OMP 14.x (pi-coding-agent model-registry.ts, resolveCustomModelReference) ----------------------

# What a 14.x custom model takes from its reference (finalizeCustomModel's `reference?.X`).
REFERENCE_FIELDS_14 = ("reasoning", "thinking", "input", "cost", "contextWindow", "maxTokens", "compat")


def reference_candidate_ids_14(model_id: str) -> list[str]:
    """``getCustomReferenceCandidateIds``: the trimmed id, then without ``:cloud``/``-cloud``
    (matched case-insensitively), then with ``:`` -> ``-``, breadth first; case is kept."""
    seen: dict[str, None] = {}
    queue = [model_id]
    index = 0
    while index < len(queue):
        candidate = js_trim(queue[index])
        index += 1
        if not candidate or candidate in seen:
            continue
        seen[candidate] = None
        for suffix in (":cloud", "-cloud"):
            if js_lower(candidate).endswith(suffix):
                queue.append(candidate[: -len(suffix)])
        dashed = candidate.replace(":", "-")
        if dashed != candidate:
            queue.append(dashed)
    return list(seen)


def resolve_reference_14(model_id: str, index: ReferenceIndex) -> Mapping[str, Any] | None:
    """OMP 14.x's reference: the first candidate id that is exactly a bundled model's id."""
    for candidate in reference_candidate_ids_14(model_id):
        reference = index.by_id.get(candidate)
        if reference is not None:
            return reference
    return None
