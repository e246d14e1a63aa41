"""The comparison ``diff-upstream`` runs, as one core call: diff -> noise -> ignore rules -> filters.

The CLI parses its options into a :class:`DriftQuery` and calls :func:`check_drift`; what it then
prints is only a rendering of the returned report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from catalogmgr.drift.diff import DiffOptions, DriftReport, diff_catalog, select_drift
from catalogmgr.drift.ignore import IgnoreRule, apply_ignores
from catalogmgr.drift.noise import NoiseOptions, hide_noise
from catalogmgr.merge import Catalog
from catalogmgr.upstream.listing import UpstreamListing


@dataclass(frozen=True)
class DriftQuery:
    """Everything that decides a report besides the catalog and the listing."""

    mapping: Mapping[str, Sequence[str]]
    today: date
    options: DiffOptions = field(default_factory=DiffOptions)
    rules: Sequence[IgnoreRule] = ()
    kinds: Sequence[str] = ()
    match: re.Pattern[str] | None = None
    show_all: bool = False
    show_names: bool = False  # --fields named `name`: cosmetic name changes are what was asked for
    include_gone: bool = False
    inputs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def noise(self) -> NoiseOptions:
        """What :func:`~catalogmgr.drift.noise.hide_noise` keeps: names when ``--fields`` asked for them."""
        return NoiseOptions(
            today=self.today,
            show_all=self.show_all,
            show_names=self.show_names,
            include_gone=self.include_gone,
        )


# OpenRouter's vendor prefix -> the OMP provider that serves the vendor's own API (and that
# models.dev describes under DEFAULT_PROVIDER_MAP): a model new on OpenRouter may be wanted there.
DIRECT_PROVIDERS: dict[str, str] = {
    "anthropic": "anthropic",
    "deepseek": "deepseek",
    "google": "google",
    "minimax": "minimax",
    "mistralai": "mistral",
    "moonshotai": "moonshot",
    "openai": "openai",
    "x-ai": "xai",
    "xiaomi": "xiaomi",
    "z-ai": "zai",
}


def direct_route_note(report: DriftReport, catalog: Catalog) -> str | None:
    """For OpenRouter's new models whose vendor OMP also serves directly: how to add them there."""
    if report.source != "openrouter":
        return None
    direct = sorted(
        {
            DIRECT_PROVIDERS[vendor]
            for drift in report.drift
            if drift.kind == "new"
            and (vendor := drift.model_id.partition("/")[0]) in DIRECT_PROVIDERS
            and DIRECT_PROVIDERS[vendor] in catalog
        }
    )
    if not direct:
        return None
    return (
        f"new models from vendors OMP also serves directly ({', '.join(direct)}): to add them on the vendor's"
        f" own API, run diff-upstream --source models.dev --provider {','.join(direct)} --only new"
    )


def check_drift(catalog: Catalog, listing: UpstreamListing, query: DriftQuery) -> DriftReport:
    """Compare, hide noise, apply the ignore rules, then keep the asked kinds and ids."""
    report = diff_catalog(catalog, listing, query.mapping, query.options)
    report = hide_noise(report, catalog, query.noise)
    if query.rules:
        report = apply_ignores(
            report,
            list(query.rules),
            today=query.today,
            compared_providers=[c.provider for c in report.providers],
        )
    report = select_drift(report, kinds=query.kinds, match=query.match)
    note = direct_route_note(report, catalog)
    if note is not None:
        report = replace(report, notes=(*report.notes, note))
    if query.inputs:
        report = replace(report, inputs=dict(query.inputs))
    return report
