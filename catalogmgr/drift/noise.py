"""Hide the drift nobody can act on, and count what was hidden: pure, no I/O.

A raw comparison of OMP's catalog with a listing is accurate but mostly noise (measured on OMP
18.2.3 vs OpenRouter 2026-08-18: about 230 of 323 items). :func:`hide_noise` takes a report and
moves each record (or each field of a record) of these classes out of ``drift`` into ``hidden``:

``cosmetic-name``
    a name that differs only in case, spacing or punctuation (``Seed 2.0 Code`` vs
    ``Seed-2.0-Code``). Shown when ``--fields`` names ``name`` or with ``--all``.
``headroom``
    a maxTokens OMP deliberately keeps below the listing's: where upstream lets a model write as
    many tokens as its context holds, OMP's catalog keeps ``floor(0.9 * contextWindow)`` (see
    :func:`omp_headroom`), e.g. ``kimi-k2.5`` 235,929 vs 262,144.
``placeholder-date``
    a removal date far in the future (``2098-12-31``): a placeholder, not a schedule.
``deprecated-new``
    a model upstream marks deprecated, which would otherwise be offered as "new".
``elsewhere-gone``
    "gone" for a provider whose OMP rows come from somewhere else than this listing (models.dev's
    aggregators and clouds: OMP lists their models from the provider's own API), from the explicit
    table :data:`ROWS_FROM_ELSEWHERE`. ``--include-gone`` shows them.

Nothing here changes a value: a hidden record is kept whole in :attr:`DriftReport.hidden`, so
``--all`` (or a JSON consumer) sees exactly what a raw comparison says.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from catalogmgr.drift.diff import Drift, DriftReport, FieldDrift, HiddenDrift, local_int
from catalogmgr.merge import Catalog

NoiseClass = Literal["cosmetic-name", "headroom", "placeholder-date", "deprecated-new", "elsewhere-gone"]

# Summary wording, in report order: "hidden: 33 cosmetic names, 24 maxTokens headroom, ...".
NOISE_LABELS: dict[NoiseClass, str] = {
    "cosmetic-name": "cosmetic names",
    "headroom": "maxTokens headroom",
    "placeholder-date": "placeholder removal dates",
    "deprecated-new": "deprecated new models",
    "elsewhere-gone": "gone from providers OMP lists from elsewhere",
}

# OMP's maxTokens headroom: a model whose listed output limit reaches its context window gets
# floor(0.9 * contextWindow) in OMP's catalog. Read off the data, which follows it without
# exception: in 18.2.3, 24 OpenRouter models keep exactly floor(0.9 * context) where
# OpenRouter 2026-08-18 lists max_completion_tokens >= that (262,144 -> 235,929; 131,072 ->
# 117,964; 4,095 -> 3,685).
HEADROOM_RATIO_NUMERATOR = 9
HEADROOM_RATIO_DENOMINATOR = 10

# A removal scheduled this many years or more ahead is a placeholder (OpenRouter writes
# 2098-12-31 for "no date yet").
PLACEHOLDER_YEARS_AHEAD = 25

# Per source, the catalog providers whose OMP rows do not come from that listing, so a model the
# listing lacks is not "gone" anywhere that matters. models.dev: aggregators and clouds that OMP
# discovers through the provider's own model-list API (nanogpt alone holds 1,074 rows in 18.2.3,
# models.dev lists 33 of them).
ROWS_FROM_ELSEWHERE: dict[str, frozenset[str]] = {
    "models.dev": frozenset(
        {
            "amazon-bedrock",
            "azure",
            "cloudflare-ai-gateway",
            "coreweave",
            "github-copilot",
            "google-vertex",
            "huggingface",
            "kilo",
            "nanogpt",
            "nvidia",
            "ollama-cloud",
            "opencode-zen",
            "synthetic",
            "together",
            "venice",
            "zenmux",
        }
    ),
}


@dataclass(frozen=True)
class NoiseOptions:
    """What to keep in view: ``show_all`` hides nothing; ``show_names`` keeps cosmetic name
    changes (``--fields name``); ``include_gone`` keeps every "gone"; ``today`` dates placeholders."""

    today: date
    show_all: bool = False
    show_names: bool = False
    include_gone: bool = False


def omp_headroom(context_window: int) -> int:
    """The maxTokens OMP's catalog gives a model whose listed output limit fills its context."""
    return context_window * HEADROOM_RATIO_NUMERATOR // HEADROOM_RATIO_DENOMINATOR


_NOT_ALNUM = re.compile(r"[\W_]+")


def cosmetic_key(name: str) -> str:
    """A name with case, spacing and punctuation removed: ``Seed-2.0-Code`` -> ``seed20code``."""
    return _NOT_ALNUM.sub("", name.casefold())


def is_cosmetic_name_change(change: FieldDrift) -> bool:
    """True for a ``name`` drift whose two sides differ only in case, spacing or punctuation."""
    if change.field != "name" or not isinstance(change.local, str) or not isinstance(change.upstream, str):
        return False
    return cosmetic_key(change.local) == cosmetic_key(change.upstream)


def is_headroom(change: FieldDrift, local_model: Mapping[str, Any], drift: Drift) -> bool:
    """True for a maxTokens drift where the catalog keeps OMP's headroom below upstream's limit."""
    if (
        change.field != "maxTokens"
        or not isinstance(change.local, int)
        or not isinstance(change.upstream, int)
    ):
        return False
    contexts = {local_int(local_model.get("contextWindow"))}
    if drift.upstream is not None:
        contexts.add(drift.upstream.context_window)
    return any(
        context is not None and change.local == omp_headroom(context) and change.upstream >= change.local
        for context in contexts
    )


def is_placeholder_date(removal_date: str | None, today: date) -> bool:
    """True for a removal date :data:`PLACEHOLDER_YEARS_AHEAD` years or more after ``today``."""
    if removal_date is None:
        return False
    try:
        year = int(removal_date[:4])
    except ValueError:
        return False
    return year - today.year >= PLACEHOLDER_YEARS_AHEAD


def hide_noise(report: DriftReport, catalog: Catalog, options: NoiseOptions) -> DriftReport:
    """``report`` with every noise record (or field) moved from ``drift`` to ``hidden``."""
    if options.show_all:
        return report
    elsewhere = ROWS_FROM_ELSEWHERE.get(report.source, frozenset())
    kept: list[Drift] = []
    hidden: list[HiddenDrift] = list(report.hidden)
    for drift in report.drift:
        if drift.kind == "gone" and not options.include_gone and drift.provider in elsewhere:
            hidden.append(HiddenDrift(drift, "elsewhere-gone"))
            continue
        if drift.kind == "new" and drift.upstream is not None and drift.upstream.deprecated:
            hidden.append(HiddenDrift(drift, "deprecated-new"))
            continue
        if drift.kind == "removal" and is_placeholder_date(drift.removal_date, options.today):
            hidden.append(HiddenDrift(drift, "placeholder-date"))
            continue
        if drift.kind == "changed":
            local_model = catalog.get(drift.provider, {}).get(drift.model_id, {})
            visible: list[FieldDrift] = []
            for change in drift.fields:
                noise: NoiseClass | None = None
                if not options.show_names and is_cosmetic_name_change(change):
                    noise = "cosmetic-name"
                elif is_headroom(change, local_model, drift):
                    noise = "headroom"
                if noise is None:
                    visible.append(change)
                else:
                    hidden.append(HiddenDrift(replace(drift, fields=(change,)), noise))
            if not visible:
                continue
            drift = replace(drift, fields=tuple(visible))
        kept.append(drift)
    return replace(report, drift=tuple(kept), hidden=tuple(hidden))


def hidden_counts(report: DriftReport) -> list[tuple[str, int]]:
    """``[(label, count)]`` of the hidden classes, in :data:`NOISE_LABELS` order, zeros left out."""
    counts = Counter(item.noise for item in report.hidden)
    return [(label, counts[noise]) for noise, label in NOISE_LABELS.items() if counts[noise]]


def hidden_summary(report: DriftReport) -> str | None:
    """``hidden: 33 cosmetic names, 24 maxTokens headroom (--all shows them)``, or None."""
    counts = hidden_counts(report)
    if not counts:
        return None
    return "hidden: " + ", ".join(f"{count} {label}" for label, count in counts) + " (--all shows them)"
