"""The records an upstream source is reduced to before it is compared with a catalog.

Each source module (:mod:`.openrouter`, :mod:`.modelsdev`) turns its raw JSON into these, already
in the catalog's units (USD per million tokens, OMP's ``input`` vocabulary), so the diff never
needs to know where a listing came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from catalogmgr.upstream.normalize import Price

# Cost sub-fields of an OMP model, in the catalog's order.
COST_FIELDS = ("input", "output", "cacheRead", "cacheWrite")


@dataclass(frozen=True)
class SuggestedThinking:
    """A ``thinking`` block for a new model, derived the way OMP's own generator does it."""

    efforts: tuple[str, ...]
    default_level: str | None = None
    requires_effort: bool = False


@dataclass(frozen=True)
class PriceWindow:
    """One time-of-day price window (OpenRouter ``pricing.overrides``): UTC ``HH:MM`` bounds and the
    prices listed for it (the same units as :attr:`UpstreamModel.cost`). ``start > end`` wraps
    midnight (``10:00-01:00``)."""

    start: str
    end: str
    cost: Mapping[str, Price] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``10:00-01:00 UTC``."""
        return f"{self.start}-{self.end} UTC"


@dataclass(frozen=True)
class UpstreamModel:
    """One upstream model, normalised. ``None`` always means "upstream does not say"."""

    id: str
    name: str | None = None
    canonical_slug: str | None = None
    context_window: int | None = None
    max_tokens: int | None = None
    # Only the prices upstream lists: a missing key is not a zero (see normalize.py).
    cost: Mapping[str, Price] = field(default_factory=dict)
    input: tuple[str, ...] | None = None
    reasoning: bool | None = None
    supports_tools: bool | None = None
    supports_tool_choice: bool | None = None
    expiration_date: str | None = None
    deprecated: bool = False
    # OpenRouter `pricing.overrides` with utc_start/utc_end: the top-level prices depend on the
    # hour the listing was fetched (pitfall 6), so they are not compared.
    time_of_day_pricing: bool = False
    # The windows themselves, compared one by one (a catalog price should equal one of them).
    price_windows: tuple[PriceWindow, ...] = ()
    thinking: SuggestedThinking | None = None


@dataclass(frozen=True)
class UpstreamListing:
    """A whole upstream listing: upstream provider id -> model id -> model.

    OpenRouter describes one provider (``openrouter``); models.dev describes many.
    ``origin`` is the URL or file it came from; ``retrieved`` when it was fetched (ISO 8601 UTC,
    None for a file); ``from_cache`` whether the bytes came from the on-disk cache.
    """

    source: str
    origin: str
    providers: Mapping[str, Mapping[str, UpstreamModel]]
    retrieved: str | None = None
    from_cache: bool = False
    notes: tuple[str, ...] = ()

    @property
    def model_count(self) -> int:
        """How many models the listing holds across all its providers."""
        return sum(len(models) for models in self.providers.values())
