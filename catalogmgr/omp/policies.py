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
``scripts/generate_policy_tables.py`` from OMP's own ``resolveModelPolicy``. The ``thinking`` of
the models OMP rebuilds is decided by the port of its compat rule engine,
:mod:`catalogmgr.omp.rule_engine` (``PolicySet.rule_engine``).

Every function is pure and returns :class:`PolicyChange` records whose ``how`` names the policy and
its reason ("policy: capped at the long-context threshold 272,000: extendedContext is off"), which
become the provenance ``show --explain`` prints.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, TypeGuard

from catalogmgr.omp.jsstring import js_lower
from catalogmgr.omp.settings import RuntimeSettings
from catalogmgr.omp.whatwg_url import parse as parse_url

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
class PolicySet:
    """Which runtime policies one epoch of OMP's ``ModelRegistry`` applies (read in its source).

    ``tables`` names the generated rule tables it reads (``policy-tables-<tables>.json``).
    """

    id: str
    tables: str
    gpt54_window: bool = True
    ollama_cloud: bool = False
    llama_cpp: bool = False
    twin_collapse: bool = False
    # The long-context cap, the extended-context maximum and the Codex clamp (18.1+).
    context_policies: bool = False
    # The compat rule engine's `thinking` (and `reasoning`) for the models OMP rebuilds
    # (catalogmgr.omp.rule_engine), on the compiled rules the profile names (`Profile.rules`).
    rule_engine: bool = False
    # 17.x's `buildModel` (pi-catalog build.ts) resolves every model's compat (and fills its
    # thinking) in code at load, bundled models included (catalogmgr.omp.compat17).
    compat_built_in_code: bool = False
    # 17.x's offline refresh merges the models.yml definitions again over the built snapshot
    # (model-registry.ts #refreshRuntimeDiscoveries), so a new custom model is patched once more in
    # "replace" mode (applyModelPatch): it keeps only its definition's compat, not its reference
    # model's (finalizeCustomModel's), and a `thinking` it writes stands as written. Read in
    # 17.3.5; measured under the OMP bridge (no credentials: the refresh always finds models).
    custom_models_repatched: bool = False
    # The llama.cpp fix-ups reach every model under `/v1` (17.3+); 17.2's
    # `applyLlamaCppQwenThinking` re-points the Qwen-family models only.
    llama_cpp_v1_every_model: bool = True
    # 13.x/14.x: `refresh()`'s built-in discovery replaces a keyed bundled provider's models by
    # their bundled rows, without the provider-level compat (:func:`discovery_drops_provider_compat`).
    discovery_refresh: bool = False

    @property
    def model_builder(self) -> str | None:
        """The implementation of OMP's ``buildModel`` the merge runs under this set (a key of
        :data:`catalogmgr.omp.builders.MODEL_BUILDERS`), or None when none is ported."""
        if self.compat_built_in_code:
            return "code-17"
        return "rule-engine" if self.rule_engine else None


# Named by the first release read; `Profile.runtime_policies` picks one.
POLICY_SETS: Mapping[str, PolicySet] = {
    # 13.x / 14.x: `#applyHardcodedModelPolicies` is gpt-5.4's window alone.
    "13": PolicySet("13", tables="18.2.3", discovery_refresh=True),
    # 17.x: + ollama-cloud's omitMaxOutputTokens, llama.cpp fix-ups, `collapseBuiltModelVariants`.
    # 17.0-17.2: as 17.3 but llama.cpp's `/v1` for Qwen-family models only (read in 17.2.15).
    "17.2": PolicySet(
        "17.2",
        tables="18.2.3",
        ollama_cloud=True,
        llama_cpp=True,
        twin_collapse=True,
        compat_built_in_code=True,
        custom_models_repatched=True,
        llama_cpp_v1_every_model=False,
    ),
    # 17.3: + every model of a llama.cpp provider under `/v1` (read in 17.3.5).
    "17": PolicySet(
        "17",
        tables="18.2.3",
        ollama_cloud=True,
        llama_cpp=True,
        twin_collapse=True,
        compat_built_in_code=True,
        custom_models_repatched=True,
    ),
    # 18.1+: + long-context cap, extended-context maximum, Codex clamp; the compat rule engine's
    # thinking (ported from 18.2.3's code and rules).
    "18.2.3": PolicySet(
        "18.2.3",
        tables="18.2.3",
        ollama_cloud=True,
        llama_cpp=True,
        twin_collapse=True,
        context_policies=True,
        rule_engine=True,
    ),
}


def policy_set(name: str) -> PolicySet:
    """The policy set a profile names (an unknown name is a programming error)."""
    return POLICY_SETS[name]


@dataclass(frozen=True)
class PolicyTables:
    """The rule-owned answers the policies read (generated from OMP's ``resolveModelPolicy``)."""

    policy_set: str
    max_context_window: Mapping[str, int]
    clamp_providers: frozenset[str]
    clamp_models: frozenset[str]
    reviewed_collapse_providers: frozenset[str]
    pair_tokens: tuple[str, ...]

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
        reviewed_collapse_providers=frozenset(data["reviewedCollapseProviders"]),
        pair_tokens=tuple(data["pairTokens"]),
    )


@dataclass(frozen=True)
class DiscoveryRefresh:
    """Which bundled providers' models one 13.x/14.x release re-reads at ``refresh()`` (generated
    by ``scripts/generate_discovery_tables.py`` from that release's own ModelRegistry)."""

    always: frozenset[str]
    with_api_key: frozenset[str]


@cache
def load_discovery_refresh(release: str) -> DiscoveryRefresh:
    """The table of ``release`` (``13.19.0``); a release the file does not name re-reads none."""
    resource = resources.files("catalogmgr").joinpath("omp", "data", "discovery-refresh.json")
    entry = json.loads(resource.read_text(encoding="utf-8"))["releases"].get(release, {})
    return DiscoveryRefresh(frozenset(entry.get("always", ())), frozenset(entry.get("withApiKey", ())))


# `kNoAuth`: the key value OMP treats as "no key".
_NO_AUTH_KEY = "N/A"


def discovery_drops_provider_compat(
    provider: str, config: Mapping[str, Any], table: DiscoveryRefresh
) -> bool:
    """Whether OMP 13.x/14.x's ``refresh()`` replaces ``provider``'s bundled models, dropping the
    compat its ``models.yml`` entry (``config``) gave them.

    ``#refreshRuntimeDiscoveries`` runs the built-in discovery of every provider with a key (or
    needing none); offline its model manager answers with the bundled rows, which replace the
    loaded models keeping only their ``baseUrl`` and ``headers``; definitions and
    ``modelOverrides`` are applied again after it. The key counted is the entry's ``apiKey``
    (``resolveApiKeyConfig``: an environment variable's value or the text itself), as OMP sees it
    with no credentials of its own -- what ``--engine omp`` runs; keys in the user's environment
    or auth storage are not seen.
    """
    if provider in table.always:
        return True
    api_key = config.get("apiKey")
    keyed = isinstance(api_key, str) and bool(api_key) and api_key != _NO_AUTH_KEY
    return keyed and provider in table.with_api_key


def discovery_compat_note(
    provider: str, config: Mapping[str, Any], table: DiscoveryRefresh, release: str
) -> str | None:
    """What ``show`` says of a bundled model whose provider's models.yml compat OMP 13.x/14.x's
    ``refresh()`` may drop (:func:`discovery_drops_provider_compat`), or ``None``."""
    compat = config.get("compat")
    has_compat = (isinstance(compat, Mapping) and bool(compat)) or config.get("disableStrictTools") is True
    if not has_compat or provider not in table.always | table.with_api_key:
        return None
    if discovery_drops_provider_compat(provider, config, table):
        return (
            f"OMP {release} re-reads {provider}'s bundled models when it refreshes (its built-in "
            "discovery runs with the models.yml apiKey), so the provider-level compat of models.yml "
            "does not reach them"
        )
    return (
        f"if OMP {release} finds a key for {provider} in your environment or auth storage, it "
        f"re-reads {provider}'s bundled models when it refreshes and the provider-level compat "
        "of models.yml shown here does not reach them (catalogmgr reads no credentials)"
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
    policies: PolicySet = POLICY_SETS["18.2.3"],
) -> list[PolicyChange]:
    """``#applyHardcodedModelPolicies`` for one model (a bundled one, after provider overrides).

    ``model_override`` is the ``modelOverrides`` entry of this model, if any (gpt-5.4's window
    yields to its ``contextWindow``; the override itself is applied later by the merge).
    """
    changes: list[PolicyChange] = []
    window = model.get("contextWindow")
    extended = settings.extended_context
    maximum = resolve_max_context_window(model, tables) if policies.context_policies else None
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
    if policies.context_policies and not extended and model.get("provider") != "xai-oauth":
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
    if (
        policies.ollama_cloud
        and model.get("provider") == "ollama-cloud"
        and model.get("omitMaxOutputTokens") is not True
    ):
        changes.append(
            PolicyChange("omitMaxOutputTokens", True, "policy: ollama-cloud models never send max tokens")
        )
    if policies.gpt54_window and model.get("id") == "gpt-5.4" and model.get("provider") != "github-copilot":
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


def configured_extended_window(
    model: Mapping[str, Any],
    baseline: Mapping[str, Any],
    maximum: Any,
    settings: RuntimeSettings,
    tables: PolicyTables,
) -> PolicyChange | None:
    """OMP 18.3's ``#applyConfiguredExtendedWindow``: a ``maxContextWindow`` written in models.yml.

    With ``extendedContext`` on, a model whose definition (or ``modelOverrides`` entry) sets
    ``maxContextWindow`` above its window runs with that maximum (clamped like a Codex override on
    ``openai-codex``). ``baseline`` is the model before its ``modelOverrides`` entry.
    """
    if not settings.extended_context or not _number(maximum):
        return None
    standard = model.get("contextWindow")
    if not _number(standard) or maximum <= standard:
        return None
    window = maximum
    if tables.clamps_context_override(baseline):
        window = clamp_context_override(baseline, {**baseline, "contextWindow": maximum}, tables)
    if window == standard:
        return None
    return PolicyChange(
        "contextWindow",
        window,
        f"policy: the configured maxContextWindow {_tokens(window)}: extendedContext is on",
    )


# ------------------------------------------------------------------------------------------------
# The X / X-thinking twin collapse (pi-catalog compat/collapse.ts, deriveThinkingPairFamilies)

# The ladder a collapsed pair gets when neither member carries thinking metadata and the rule
# engine derives none (collapse.ts DEFAULT_PAIR_EFFORTS is not reached when it derives one).
_ROUTING_KEYS_DROPPED = ("effortRouting", "suppressWhenOff", "requiresEffort")


def _is_token_character(character: str) -> bool:
    return character.isascii() and (character.isdigit() or character.islower())


def strip_thinking_variant(model_id: str, tables: PolicyTables) -> str | None:
    """``stripThinkingVariantSuffix``: ``X-thinking`` (or a ``-reasoner``... token anywhere,
    bounded, not after ``non``/``no``) -> ``X``; ``None`` when the id names no reasoning twin."""
    return strip_pair_token(model_id, tables.pair_tokens)


def strip_pair_token(model_id: str, pair_tokens: Sequence[str]) -> str | None:
    """The id without its first bounded ``-<token>`` of ``pair_tokens`` (OMP's taxonomy collapse
    tokens), or ``None``; shared by the twin collapse and the rule engine's identity."""
    lower = js_lower(model_id)
    for token in pair_tokens:
        needle = f"-{token}"
        start = 0
        while start < len(lower):
            index = lower.find(needle, start)
            if index == -1:
                break
            end = index + len(needle)
            followed = end < len(lower) and _is_token_character(lower[end])
            word_start = index
            while word_start > 0 and _is_token_character(lower[word_start - 1]):
                word_start -= 1
            preceding = lower[word_start:index]
            if not followed and preceding not in ("non", "no"):
                stripped = model_id[:index] + model_id[end:]
                return stripped or None
            start = index + 1
    return None


def _priced(cost: Mapping[str, Any]) -> bool:
    return bool(cost.get("input") != 0 or cost.get("output") != 0)


def as_cost(model: Mapping[str, Any]) -> Mapping[str, Any]:
    cost = model.get("cost")
    return cost if isinstance(cost, Mapping) else {}


def twins_collapse(thinking: Mapping[str, Any], base: Mapping[str, Any]) -> bool:
    """Whether OMP folds ``thinking`` (the ``X-thinking`` row) into ``base`` (the ``X`` row):
    the same api, and the same prices unless one of them is unpriced."""
    if thinking.get("api") != base.get("api"):
        return False
    left, right = as_cost(thinking), as_cost(base)
    if _priced(left) and _priced(right):
        return all(left.get(key) == right.get(key) for key in ("input", "output", "cacheRead", "cacheWrite"))
    return True


@dataclass(frozen=True)
class TwinCollapse:
    """One ``X`` / ``X-thinking`` pair OMP turns into one model ``X`` with effort routing."""

    base_id: str
    thinking_id: str
    # The collapsed model's `thinking` when a member carries thinking metadata (the rule engine
    # gives every rebuilt reasoning member its thinking before the collapse); None when none does.
    thinking: Mapping[str, Any] | None


# OMP 17.x's collapse (variant-collapse.ts `derivePairThinkingSurface`): with no member thinking,
# the thinking member's own derivation (reasoning forced on), else this budget ladder.
_DEFAULT_PAIR_THINKING: Mapping[str, Any] = {
    "mode": "budget",
    "efforts": ["minimal", "low", "medium", "high"],
}


def thinking_twins(
    models: Mapping[str, Mapping[str, Any]],
    provider: str,
    tables: PolicyTables,
    *,
    strip: Callable[[str], str | None] | None = None,
    derive: Callable[[Mapping[str, Any]], Mapping[str, Any] | None] | None = None,
) -> list[TwinCollapse]:
    """The reasoning twins OMP collapses in one provider's models (``deriveThinkingPairFamilies``).
    ``strip`` and ``derive`` are 17.x's: how an id names its twin's base (default: the tables'
    pair tokens), and the thinking OMP derives for the thinking member when no member has any."""
    if provider in tables.reviewed_collapse_providers:
        return []
    found: list[TwinCollapse] = []
    for model_id, model in models.items():
        base_id = strip(model_id) if strip is not None else strip_thinking_variant(model_id, tables)
        if base_id is None or base_id == model_id or base_id not in models:
            continue
        base = models[base_id]
        if not twins_collapse(model, base):
            continue
        thinking = _pair_thinking(model, base, base_id, model_id, derive)
        found.append(TwinCollapse(base_id, model_id, thinking))
    return found


def _pair_thinking(
    thinking_model: Mapping[str, Any],
    base: Mapping[str, Any],
    base_id: str,
    thinking_id: str,
    derive: Callable[[Mapping[str, Any]], Mapping[str, Any] | None] | None = None,
) -> Mapping[str, Any] | None:
    baked = thinking_model.get("thinking") or base.get("thinking")
    if (not isinstance(baked, Mapping) or not baked.get("efforts")) and derive is not None:
        baked = derive(thinking_model)
        if not isinstance(baked, Mapping) or not baked.get("efforts"):
            baked = _DEFAULT_PAIR_THINKING
    if not isinstance(baked, Mapping) or not baked.get("efforts"):
        return None
    surface = {key: value for key, value in baked.items() if key not in _ROUTING_KEYS_DROPPED}
    routing: dict[str, str] = {"off": base_id}
    for effort in surface["efforts"]:
        routing[str(effort)] = thinking_id
    return {**surface, "effortRouting": routing}


# ------------------------------------------------------------------------------------------------
# llama.cpp fix-ups (model-registry.ts #applyLlamaCppModelFixups, model-discovery.ts)

# Qwen-family ids (taxonomy/qwen.kdl: a bounded `qwen` token, `*distill-qwen*`) and the
# Qwen3.6-based PrismLM Bonsai GGUFs (`isBonsaiQwenGguf`).
_QWEN_ID = re.compile(r"(?:^|[^a-z0-9])qwen|distill-qwen|(?:ternary-)?bonsai-27b", re.IGNORECASE)
_QWEN_COMPAT = {
    "supportsReasoningParams": True,
    "thinkingFormat": "qwen-chat-template",
    "reasoningDisableMode": "qwen-template-false",
    "qwenPreserveThinking": True,
}


def _llama_cpp_base_url(base_url: Any) -> str:
    """``ensureLlamaCppV1BaseUrl(normalizeLlamaCppBaseUrl(url))``: the URL's protocol, host and
    path as JavaScript's ``URL`` gives them (:mod:`catalogmgr.omp.whatwg_url`), no trailing
    slash, ``/v1``; a URL ``new URL`` rejects is kept as written."""
    raw = base_url if isinstance(base_url, str) and base_url else "http://127.0.0.1:8080"
    parsed = parse_url(raw)
    normalized = raw if parsed is None else f"{parsed.protocol}//{parsed.host}{parsed.pathname.rstrip('/')}"
    return normalized if normalized.endswith("/v1") else f"{normalized}/v1"


def _as_map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def llama_cpp_changes(model: Mapping[str, Any], *, every_model_v1: bool = True) -> list[PolicyChange]:
    """``#applyLlamaCppModelFixups`` for one model of a provider with ``discovery: llama.cpp``:
    Qwen-family models run over chat-completions with reasoning and the Qwen template compat,
    and every model without its own transport is reached under ``/v1`` (``every_model_v1``
    false, as in 17.2: the Qwen-family ones only)."""
    changes: list[PolicyChange] = []
    transport = model.get("transport")
    base_url = model.get("baseUrl")
    if _QWEN_ID.search(str(model.get("id", ""))):
        why = "policy: llama.cpp serves Qwen-family models over chat completions with thinking"
        if model.get("api") != "openai-completions":
            changes.append(PolicyChange("api", "openai-completions", why))
        if model.get("reasoning") is not True:
            changes.append(PolicyChange("reasoning", True, why))
        compat = _as_map(model.get("compat"))
        authored = _as_map(model.get("compatConfig"))
        changes.append(PolicyChange("compat", {**compat, **_QWEN_COMPAT}, why))
        changes.append(PolicyChange("compatConfig", {**authored, **_QWEN_COMPAT}, why))
        if not transport:
            base_url = _llama_cpp_base_url(base_url)
    if every_model_v1 and not transport and isinstance(base_url, str) and not base_url.endswith("/v1"):
        base_url = _llama_cpp_base_url(base_url)
    if base_url != model.get("baseUrl"):
        changes.append(PolicyChange("baseUrl", base_url, "policy: llama.cpp servers are reached under /v1"))
    return changes
