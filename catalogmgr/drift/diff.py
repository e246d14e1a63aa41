"""Compare an effective catalog with an upstream listing: pure, no I/O.

:func:`diff_catalog` takes a catalog (``provider -> id -> model``, models.json shape), a normalised
:class:`~catalogmgr.upstream.listing.UpstreamListing` and an explicit provider mapping (which
upstream providers describe which local one), and returns a :class:`DriftReport`:

* ``new``: an upstream model no local model matches (by default only models that support tools,
  as OMP's own generators keep only those; ``include_non_tool`` lifts that);
* ``changed``: a matched model whose compared fields differ (:data:`COMPARED_FIELDS`), each with
  old -> new and the relative change;
* ``removal``: a matched model upstream schedules for removal (OpenRouter ``expiration_date``,
  models.dev ``status: deprecated``);
* ``gone``: a local model no upstream model matches. Reported, never acted on: OMP itself keeps
  models after they disappear upstream, and churn is large (pitfall 5).

Matching (per local provider): the exact id first; then a local id equal to an upstream model's
``canonical_slug`` (``minimax/minimax-m3-20260531`` <-> ``minimax/minimax-m3``), reported as
"uses the canonical slug". Variants (``:free``, ``:batch``, ``:thinking``) are separate ids: a
variant matches a canonical slug only with the same variant suffix.

Comparison rules (see :mod:`catalogmgr.upstream.normalize`): prices as exact decimals with a
relative tolerance; a price upstream does not list, or lists as variable (``-1``), is not
compared; a model with time-of-day prices (OpenRouter ``pricing.overrides`` with UTC windows) is
compared window by window: its top-level prices depend on the hour of the fetch (pitfall 6), so a
catalog price drifts only when it equals no window's price (nor the top-level one); a
context window or max-token count upstream does not give (``0``/``null``) is not compared; names
are compared after OMP's ``cleanModelName`` on both sides (``"MiniMax: MiniMax M3"`` equals
``"MiniMax M3"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

from catalogmgr.merge import Catalog, clean_model_name
from catalogmgr.upstream.listing import COST_FIELDS, UpstreamListing, UpstreamModel
from catalogmgr.upstream.normalize import (
    DEFAULT_TOLERANCE,
    OMP_INPUT_MODALITIES,
    Variable,
    numbers_match,
    relative_change,
    to_decimal,
)

DriftKind = Literal["new", "changed", "removal", "gone"]
# Report order: what to add, what to fix, what is going away, what went away.
KINDS: tuple[DriftKind, ...] = ("new", "changed", "removal", "gone")

COST_FIELD_PATHS = tuple(f"cost.{key}" for key in COST_FIELDS)
COMPARED_FIELDS: tuple[str, ...] = (
    "name",
    "contextWindow",
    "maxTokens",
    *COST_FIELD_PATHS,
    "input",
    "reasoning",
)
# Names --fields accepts besides the fields themselves.
FIELD_GROUPS: dict[str, tuple[str, ...]] = {"cost": COST_FIELD_PATHS}


@dataclass(frozen=True)
class FieldDrift:
    """One field that differs: normalised local and upstream values, and the relative change.

    Values: ``name`` str; ``contextWindow``/``maxTokens`` int; ``cost.*`` Decimal (USD per
    million); ``input`` tuple of ``text``/``image``; ``reasoning`` bool. ``local`` is None when the
    local model lacks the field. ``relative`` is ``(new - old) / old`` for numbers (None when old
    is 0 or absent, and for non-numbers).
    """

    field: str
    local: Any
    upstream: Any
    relative: Decimal | None = None
    # Time-of-day prices: every (window label, price) upstream lists; ``upstream`` is the lowest.
    windows: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True)
class Drift:
    """One difference between the catalog and upstream, for one model."""

    kind: DriftKind
    provider: str  # the local (catalog) provider
    model_id: str  # the local id; for `new`, the upstream id (what the overlay adds)
    upstream_provider: str
    upstream_id: str
    fields: tuple[FieldDrift, ...] = ()
    notes: tuple[str, ...] = ()
    removal_date: str | None = None
    upstream: UpstreamModel | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> tuple[str, str]:
        """``(provider, model id)`` as in the catalog."""
        return (self.provider, self.model_id)


@dataclass(frozen=True)
class IgnoredDrift:
    """Drift an ignore rule accepted: what was accepted, why, and which rule (``file:line``)."""

    drift: Drift
    reason: str
    rule: str


@dataclass(frozen=True)
class HiddenDrift:
    """Drift (or one field of it) hidden as noise by :mod:`catalogmgr.drift.noise`, and its class."""

    drift: Drift
    noise: str


@dataclass(frozen=True)
class ProviderComparison:
    """One local provider compared: against which upstream providers, and how many models each."""

    provider: str
    upstream: tuple[str, ...]
    local_models: int
    upstream_models: int
    matched: int


@dataclass(frozen=True)
class DriftReport:
    """The whole result of a comparison; renderers and the overlay writer read only this."""

    source: str
    origin: str
    retrieved: str | None
    from_cache: bool
    providers: tuple[ProviderComparison, ...]
    drift: tuple[Drift, ...]
    ignored: tuple[IgnoredDrift, ...] = ()
    notes: tuple[str, ...] = ()
    canonical_matches: tuple[tuple[str, str, str], ...] = ()  # (provider, local id, upstream id)
    # What the catalog side was made of (base, overlays), as the CLI's other JSON outputs say it.
    inputs: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # Noise taken out of view (catalogmgr.drift.noise), kept whole for --all and JSON.
    hidden: tuple[HiddenDrift, ...] = ()

    def count(self, kind: DriftKind) -> int:
        """How many drift records of ``kind`` the report holds."""
        return sum(1 for drift in self.drift if drift.kind == kind)

    @property
    def has_drift(self) -> bool:
        """True when anything is reported (the command then exits 1)."""
        return bool(self.drift)


@dataclass(frozen=True)
class DiffOptions:
    """What to compare: which fields, how tolerant on prices, whether non-tool models count as new."""

    fields: tuple[str, ...] = COMPARED_FIELDS
    tolerance: Decimal = DEFAULT_TOLERANCE
    include_non_tool: bool = False


# ------------------------------------------------------------------------------------------------
# Provider mapping


def resolve_mapping(
    default: Mapping[str, str], overrides: Sequence[tuple[str, str | None]] = ()
) -> dict[str, tuple[str, ...]]:
    """Local provider -> the upstream providers describing it, from the source's default map.

    ``overrides`` are ``(upstream, local)`` pairs applied in order: a pair replaces (or adds) the
    upstream provider's entry; ``local`` None removes it. Local providers come out sorted.
    """
    upstream_to_local = dict(default)
    for upstream, local in overrides:
        if local is None:
            upstream_to_local.pop(upstream, None)
        else:
            upstream_to_local[upstream] = local
    result: dict[str, list[str]] = {}
    for upstream, local in upstream_to_local.items():
        result.setdefault(local, []).append(upstream)
    return {local: tuple(result[local]) for local in sorted(result)}


def parse_field_selection(names: Iterable[str]) -> tuple[str, ...]:
    """``--fields`` values (comma lists allowed, ``cost`` = every cost field) -> field paths.

    Raises ValueError naming an unknown field; the result keeps :data:`COMPARED_FIELDS` order.
    """
    chosen: set[str] = set()
    for raw in names:
        for name in (part.strip() for part in raw.split(",")):
            if not name:
                continue
            if name in FIELD_GROUPS:
                chosen.update(FIELD_GROUPS[name])
            elif name in COMPARED_FIELDS:
                chosen.add(name)
            else:
                known = ", ".join([*COMPARED_FIELDS, *FIELD_GROUPS])
                raise ValueError(f"unknown field {name!r}; known fields: {known}")
    return tuple(name for name in COMPARED_FIELDS if name in chosen)


# ------------------------------------------------------------------------------------------------
# The comparison


def diff_catalog(
    catalog: Catalog,
    listing: UpstreamListing,
    mapping: Mapping[str, Sequence[str]],
    options: DiffOptions = DiffOptions(),
) -> DriftReport:
    """Compare every mapped local provider of ``catalog`` with ``listing`` (see module docstring)."""
    comparisons: list[ProviderComparison] = []
    drift: list[Drift] = []
    canonical: list[tuple[str, str, str]] = []
    missing_local: list[str] = []
    missing_upstream: list[str] = []
    skipped_non_tool = 0
    for local_provider, upstream_providers in mapping.items():
        local_models = catalog.get(local_provider)
        present = [name for name in upstream_providers if name in listing.providers]
        missing_upstream.extend(
            f"{name} (-> {local_provider})" for name in upstream_providers if name not in listing.providers
        )
        if local_models is None:
            if present:
                missing_local.append(local_provider)
            continue
        if not present:
            continue
        pooled = _pool(listing, present)
        matches = _match(local_models, pooled)
        matched_upstream = {upstream_id for upstream_id, _ in matches.values()}
        for local_id, model in local_models.items():
            found = matches.get(local_id)
            if found is None:
                drift.append(Drift("gone", local_provider, local_id, present[0], local_id))
                continue
            upstream_id, how = found
            upstream_provider, upstream_model = pooled[upstream_id]
            notes: list[str] = []
            if how == "canonical":
                canonical.append((local_provider, local_id, upstream_id))
                notes.append(f"uses the canonical slug of upstream {upstream_id}")
            changes = compare_model(model, upstream_model, options)
            if changes:
                drift.append(
                    Drift(
                        "changed",
                        local_provider,
                        local_id,
                        upstream_provider,
                        upstream_id,
                        changes,
                        tuple(notes),
                        upstream=upstream_model,
                    )
                )
            if upstream_model.expiration_date is not None or upstream_model.deprecated:
                why = (
                    f"upstream schedules removal on {upstream_model.expiration_date}"
                    if upstream_model.expiration_date
                    else "upstream marks it deprecated"
                )
                drift.append(
                    Drift(
                        "removal",
                        local_provider,
                        local_id,
                        upstream_provider,
                        upstream_id,
                        notes=(why, *notes),
                        removal_date=upstream_model.expiration_date,
                        upstream=upstream_model,
                    )
                )
        for upstream_id, (upstream_provider, upstream_model) in pooled.items():
            if upstream_id in matched_upstream:
                continue
            if upstream_model.supports_tools is False and not options.include_non_tool:
                skipped_non_tool += 1
                continue
            notes = []
            if upstream_model.expiration_date is not None:
                notes.append(f"upstream schedules removal on {upstream_model.expiration_date}")
            if upstream_model.time_of_day_pricing:
                notes.append(
                    "time-of-day prices upstream: the prices shown are those at the time of the fetch"
                )
            drift.append(
                Drift(
                    "new",
                    local_provider,
                    upstream_id,
                    upstream_provider,
                    upstream_id,
                    notes=tuple(notes),
                    removal_date=upstream_model.expiration_date,
                    upstream=upstream_model,
                )
            )
        comparisons.append(
            ProviderComparison(local_provider, tuple(present), len(local_models), len(pooled), len(matches))
        )
    report_notes = list(listing.notes)
    if missing_local:
        report_notes.append("not in the catalog, so not compared: " + ", ".join(sorted(missing_local)))
    if missing_upstream and listing.source != "openrouter":
        report_notes.append("not in the upstream listing: " + ", ".join(sorted(missing_upstream)))
    if skipped_non_tool:
        report_notes.append(
            f"{skipped_non_tool} upstream model(s) without tool support not reported as new"
            " (OMP's generators skip them; --all-models to include them)"
        )
    order = {kind: index for index, kind in enumerate(KINDS)}
    provider_order = {c.provider: index for index, c in enumerate(comparisons)}
    drift.sort(key=lambda d: (provider_order.get(d.provider, 0), order[d.kind], d.model_id))
    return DriftReport(
        source=listing.source,
        origin=listing.origin,
        retrieved=listing.retrieved,
        from_cache=listing.from_cache,
        providers=tuple(comparisons),
        drift=tuple(drift),
        notes=tuple(report_notes),
        canonical_matches=tuple(canonical),
    )


def _pool(listing: UpstreamListing, providers: Sequence[str]) -> dict[str, tuple[str, UpstreamModel]]:
    # Several upstream providers may describe one local provider: pool them, the first one wins.
    pooled: dict[str, tuple[str, UpstreamModel]] = {}
    for provider in providers:
        for model_id, model in listing.providers[provider].items():
            pooled.setdefault(model_id, (provider, model))
    return pooled


def _match(
    local_models: Mapping[str, Any], pooled: Mapping[str, tuple[str, UpstreamModel]]
) -> dict[str, tuple[str, str]]:
    """local id -> (upstream id, "exact" | "canonical")."""
    matches: dict[str, tuple[str, str]] = {}
    by_canonical: dict[str, str] = {}
    for upstream_id, (_, model) in pooled.items():
        key = canonical_key(model)
        if key is not None and key != upstream_id:
            by_canonical.setdefault(key, upstream_id)
    for local_id in local_models:
        if local_id in pooled:
            matches[local_id] = (local_id, "exact")
        elif local_id in by_canonical:
            matches[local_id] = (by_canonical[local_id], "canonical")
    return matches


def canonical_key(model: UpstreamModel) -> str | None:
    """The secondary id a local model may use for ``model``: its canonical slug, with the
    model's variant suffix carried over (``x:free`` with slug ``x-2026`` -> ``x-2026:free``)."""
    slug = model.canonical_slug
    if slug is None:
        return None
    _, colon, variant = model.id.partition(":")
    if colon and ":" not in slug:
        return f"{slug}:{variant}"
    return slug


def compare_model(
    model: Mapping[str, Any], upstream: UpstreamModel, options: DiffOptions = DiffOptions()
) -> tuple[FieldDrift, ...]:
    """The compared fields of one local model that differ from ``upstream``, in field order."""
    changes: list[FieldDrift] = []
    for name in options.fields:
        change = _compare_field(name, model, upstream, options.tolerance)
        if change is not None:
            changes.append(change)
    return tuple(changes)


def _compare_field(
    name: str, model: Mapping[str, Any], upstream: UpstreamModel, tolerance: Decimal
) -> FieldDrift | None:
    if name == "name":
        if upstream.name is None:
            return None
        wanted = clean_model_name(upstream.name)
        local = model.get("name")
        if isinstance(local, str) and clean_model_name(local) == wanted:
            return None
        return FieldDrift(name, local if isinstance(local, str) else None, wanted)
    if name in ("contextWindow", "maxTokens"):
        wanted_count = upstream.context_window if name == "contextWindow" else upstream.max_tokens
        if wanted_count is None:
            return None
        local_count = local_int(model.get(name))
        if local_count == wanted_count:
            return None
        relative = (
            relative_change(Decimal(local_count), Decimal(wanted_count)) if local_count is not None else None
        )
        return FieldDrift(name, local_count, wanted_count, relative)
    if name in COST_FIELD_PATHS:
        if upstream.time_of_day_pricing:
            return _compare_windowed_price(name, model, upstream, tolerance)
        key = name.removeprefix("cost.")
        wanted_price = upstream.cost.get(key)
        if wanted_price is None or isinstance(wanted_price, Variable):
            return None
        cost = model.get("cost")
        local_price = to_decimal(cost.get(key)) if isinstance(cost, Mapping) else None
        if local_price is not None and numbers_match(local_price, wanted_price, tolerance):
            return None
        relative = relative_change(local_price, wanted_price) if local_price is not None else None
        return FieldDrift(name, local_price, wanted_price, relative)
    if name == "input":
        if upstream.input is None:
            return None
        local_input = local_modalities(model.get("input"))
        if local_input is not None and set(local_input) == set(upstream.input):
            return None
        return FieldDrift(name, local_input, upstream.input)
    if name == "reasoning":
        if upstream.reasoning is None:
            return None
        local_flag = model.get("reasoning")
        if isinstance(local_flag, bool) and local_flag == upstream.reasoning:
            return None
        return FieldDrift(name, local_flag if isinstance(local_flag, bool) else None, upstream.reasoning)
    raise ValueError(f"not a compared field: {name}")  # pragma: no cover - guarded by parse_field_selection


def _compare_windowed_price(
    name: str, model: Mapping[str, Any], upstream: UpstreamModel, tolerance: Decimal
) -> FieldDrift | None:
    """A price with time-of-day windows: drift only when the catalog's price equals no window's.

    The top-level price is the one in force at the hour of the fetch, so it counts as one more
    window. The drift shows the lowest window price as the new value and lists every window.
    """
    key = name.removeprefix("cost.")
    windows: list[tuple[str, Decimal]] = []
    for window in upstream.price_windows:
        price = window.cost.get(key)
        if isinstance(price, Decimal):
            windows.append((window.label, price))
    if not windows:
        return None  # no window lists this price: nothing to compare against
    top = upstream.cost.get(key)
    candidates = [price for _, price in windows]
    if isinstance(top, Decimal):
        candidates.append(top)
    cost = model.get("cost")
    local_price = to_decimal(cost.get(key)) if isinstance(cost, Mapping) else None
    if local_price is not None and any(numbers_match(local_price, c, tolerance) for c in candidates):
        return None
    lowest = min(candidates)
    relative = relative_change(local_price, lowest) if local_price is not None else None
    return FieldDrift(name, local_price, lowest, relative, windows=tuple(windows))


def local_int(value: Any) -> int | None:
    """A catalog token count as an int (JSON may carry 128000.0), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def local_modalities(value: Any) -> tuple[str, ...] | None:
    """A catalog ``input`` list in OMP's order, or None when it is not a list."""
    if not isinstance(value, list):
        return None
    return tuple(kind for kind in OMP_INPUT_MODALITIES if kind in value)


# ------------------------------------------------------------------------------------------------
# Filters


def select_drift(
    report: DriftReport,
    *,
    providers: Sequence[str] = (),
    kinds: Sequence[str] = (),
    match: re.Pattern[str] | None = None,
) -> DriftReport:
    """Keep only the drift of the given local providers / kinds / ids matching ``match``
    (searched in the local and the upstream id). Empty selections keep everything."""

    def kept(drift: Drift) -> bool:
        if providers and drift.provider not in providers:
            return False
        if kinds and drift.kind not in kinds:
            return False
        return match is None or bool(match.search(drift.model_id) or match.search(drift.upstream_id))

    return replace(
        report,
        drift=tuple(d for d in report.drift if kept(d)),
        ignored=tuple(i for i in report.ignored if kept(i.drift)),
        hidden=tuple(h for h in report.hidden if kept(h.drift)),
    )
