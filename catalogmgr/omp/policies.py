"""OMP's runtime model policies: what ``ModelRegistry`` changes in a catalog after reading the files.

The catalog OMP runs is not the bundled ``models.json`` plus ``models.yml`` as written: OMP 18.2.3's
``model-registry.ts`` rewrites models at fixed points of its composition, and catalogmgr's merge
(:mod:`catalogmgr.merge`) calls the functions here at the same points:

1. after provider overrides, on every bundled model (``#applyHardcodedModelPolicies``):
   the extended-context maximum (``extendedContext`` on), the long-context cap (off: a model with a
   premium long-context price tier is capped at ``cost.longContext.inputThreshold``, except
   ``xai-oauth``), ``omitMaxOutputTokens`` for ``ollama-cloud``, and gpt-5.4's 1,000,000 window
   (its ``modelOverrides`` ``contextWindow`` wins) -- :func:`hardcoded_policy_changes`;
2. after custom models, the ``X`` / ``X-thinking`` twin collapse (``collapseBuiltVariants``): a
   ``X-thinking`` model is dropped when ``X`` exists in the same provider with the same api and
   compatible prices -- :func:`thinking_twin_of`;
3. on every ``modelOverrides`` ``contextWindow``, the Codex clamp (``#applyModelOverrideWithClamp``,
   ``clampCodexContextWindow``) -- :func:`clamp_context_override`;
4. last, the llama.cpp fix-ups for providers with ``discovery: {type: llama.cpp}``
   (``#applyLlamaCppModelFixups``): ``/v1`` appended to every baseUrl, Qwen-family models switched
   to ``openai-completions`` with ``reasoning`` and Qwen compat -- :func:`llama_cpp_changes`.

Where OMP reads these decisions out of its compiled compat rules (the curated maximum context
window and which models clamp overrides), the answers are generated data:
``catalogmgr/omp/data/policy-tables-<version>.json``, written by
``scripts/generate_policy_tables.py`` from OMP's own ``resolveModelPolicy``.

Every function is pure and returns :class:`PolicyChange` records whose ``how`` names the policy and
its reason ("policy: capped at the long-context threshold 272,000: extendedContext is off"), which
become the provenance ``show --explain`` prints.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, TypeGuard

from catalogmgr.omp.settings import RuntimeSettings

GPT54_WINDOW = 1_000_000
_DEFAULT_POLICY_SET = "18.2.3"


def _number(value: Any) -> TypeGuard[int | float]:
    """A JSON number (not a boolean, not NaN)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and not math.isnan(value)


def _tokens(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


@dataclass(frozen=True)
class PolicyChange:
    """One field a runtime policy sets: its new value and, for provenance, why."""

    field: str
    value: Any
    how: str


POLICY_HOW_PREFIX = "policy: "


def is_policy_origin(origin: Any) -> bool:
    """Whether a provenance :class:`~catalogmgr.merge.Origin` records a runtime policy."""
    how = getattr(origin, "how", "")
    return isinstance(how, str) and how.startswith(POLICY_HOW_PREFIX)


@dataclass(frozen=True)
class PolicyTables:
    """The rule-owned answers the policies read (generated from OMP's ``resolveModelPolicy``)."""

    policy_set: str
    max_context_window: Mapping[str, int]
    clamp_providers: frozenset[str]
    clamp_models: frozenset[str]

    def curated_maximum(self, model: Mapping[str, Any]) -> int | None:
        return self.max_context_window.get(_rule_key(model))

    def clamps_context_override(self, model: Mapping[str, Any]) -> bool:
        return model.get("provider") in self.clamp_providers or _rule_key(model) in self.clamp_models


def _rule_key(model: Mapping[str, Any]) -> str:
    return f"{model.get('provider')}/{model.get('id')}/{model.get('api')}"


@cache
def load_policy_tables(policy_set: str = _DEFAULT_POLICY_SET) -> PolicyTables:
    """The generated tables of one OMP release (``policy-tables-<policy_set>.json``)."""
    resource = resources.files("catalogmgr").joinpath("omp", "data", f"policy-tables-{policy_set}.json")
    data = json.loads(resource.read_text(encoding="utf-8"))
    return PolicyTables(
        policy_set=policy_set,
        max_context_window=dict(data["maxContextWindow"]),
        clamp_providers=frozenset(data["clampContextOverrideProviders"]),
        clamp_models=frozenset(data["clampContextOverrideModels"]),
    )


def resolve_max_context_window(model: Mapping[str, Any], tables: PolicyTables) -> int | None:
    """``resolveMaxContextWindow``: the model's ``maxContextWindow`` or the curated one, the larger."""
    curated = tables.curated_maximum(model)
    own = model.get("maxContextWindow")
    if _number(own) and math.isfinite(own) and own > 0:
        return int(max(own, curated or 0))
    return curated


def hardcoded_policy_changes(
    model: Mapping[str, Any],
    settings: RuntimeSettings,
    tables: PolicyTables,
    model_override: Mapping[str, Any] | None,
) -> list[PolicyChange]:
    """``#applyHardcodedModelPolicies`` for one model (a bundled one, after provider overrides).

    ``model_override`` is the ``modelOverrides`` entry of this model, if any (gpt-5.4's window
    yields to its ``contextWindow``; the override itself is applied later by the merge).
    """
    changes: list[PolicyChange] = []
    window = model.get("contextWindow")
    extended = settings.extended_context
    maximum = resolve_max_context_window(model, tables)
    if maximum is not None and window is not None and _number(window) and extended:
        # The standard window is what buildModel gives the row: for a built catalog row, its own.
        raised = max(window, maximum)
        if raised != window:
            window = raised
            changes.append(
                PolicyChange(
                    "contextWindow",
                    raised,
                    f"policy: raised to the maximum context window {_tokens(raised)}: extendedContext is on",
                )
            )
    if not extended and model.get("provider") != "xai-oauth":
        cost = model.get("cost")
        long_context = cost.get("longContext") if isinstance(cost, Mapping) else None
        threshold = long_context.get("inputThreshold") if isinstance(long_context, Mapping) else None
        if _number(threshold) and _number(window) and window > threshold:
            window = threshold
            changes.append(
                PolicyChange(
                    "contextWindow",
                    threshold,
                    f"policy: capped at the long-context threshold {_tokens(threshold)}: "
                    "extendedContext is off",
                )
            )
    if model.get("provider") == "ollama-cloud" and model.get("omitMaxOutputTokens") is not True:
        changes.append(
            PolicyChange("omitMaxOutputTokens", True, "policy: ollama-cloud models never send max tokens")
        )
    if model.get("id") == "gpt-5.4" and model.get("provider") != "github-copilot":
        wanted = model_override.get("contextWindow") if model_override is not None else None
        if wanted is None:
            changes.append(
                PolicyChange(
                    "contextWindow", GPT54_WINDOW, "policy: gpt-5.4 runs with a 1,000,000-token window"
                )
            )
    return changes


def clamp_context_override(before: Mapping[str, Any], after: Mapping[str, Any], tables: PolicyTables) -> Any:
    """``#applyModelOverrideWithClamp``: the contextWindow a ``modelOverrides`` entry really gets.

    ``before`` is the model before the override, ``after`` with it. Models under the
    ``clamp-context-override`` rule (every openai-codex model) clamp the requested window to the
    ceiling ``resolveMaxContextWindow(before)``, never below the window ``before`` had
    (``clampCodexContextWindow``). Returns ``after["contextWindow"]`` when nothing clamps.
    """
    requested = after.get("contextWindow")
    if requested is None or not tables.clamps_context_override(after):
        return requested
    if not _number(requested) or not math.isfinite(requested) or requested <= 0:
        return requested
    ceiling = resolve_max_context_window(before, tables)
    if ceiling is None or requested <= ceiling:
        return requested
    current = before.get("contextWindow")
    floor = current if _number(current) and math.isfinite(current) and current > 0 else 0
    return min(requested, max(ceiling, floor))


# ------------------------------------------------------------------------------------------------
# The X / X-thinking twin collapse (pi-catalog compat/collapse.ts, deriveThinkingPairFamilies)

_THINKING_SUFFIX = re.compile(r"^(.*?)[-_:](?:thinking|think)$", re.IGNORECASE)


def thinking_twin_of(model_id: str) -> str | None:
    """The base id of an ``X-thinking`` id (``stripThinkingVariantSuffix``), else ``None``."""
    match = _THINKING_SUFFIX.match(model_id)
    if match is None or not match.group(1):
        return None
    return match.group(1)


def _priced(cost: Any) -> bool:
    cost = cost if isinstance(cost, Mapping) else {}
    return bool(cost.get("input", 0) != 0 or cost.get("output", 0) != 0)


def twins_collapse(thinking: Mapping[str, Any], base: Mapping[str, Any]) -> bool:
    """Whether OMP folds ``thinking`` (the ``X-thinking`` row) into ``base`` (the ``X`` row)."""
    if thinking.get("api") != base.get("api"):
        return False
    left, right = as_cost(thinking), as_cost(base)
    if _priced(left) and _priced(right):
        return all(
            bool(left.get(key) == right.get(key)) for key in ("input", "output", "cacheRead", "cacheWrite")
        )
    return True


def as_cost(model: Mapping[str, Any]) -> Mapping[str, Any]:
    cost = model.get("cost")
    return cost if isinstance(cost, Mapping) else {}


# ------------------------------------------------------------------------------------------------
# llama.cpp fix-ups (model-registry.ts #applyLlamaCppModelFixups)


def llama_cpp_changes(model: Mapping[str, Any]) -> list[PolicyChange]:
    """The ``/v1`` baseUrl suffix OMP gives every model of a llama.cpp discovery provider."""
    base_url = model.get("baseUrl")
    if model.get("transport") or not isinstance(base_url, str) or base_url.endswith("/v1"):
        return []
    trimmed = base_url.rstrip("/")
    fixed = trimmed if trimmed.endswith("/v1") else f"{trimmed}/v1"
    return [PolicyChange("baseUrl", fixed, "policy: llama.cpp servers are reached under /v1")]
