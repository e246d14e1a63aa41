"""OpenRouter's model listing (``GET /api/v1/models``): shapes, paging and field mapping.

Three root shapes are accepted (see ``upstream-listings.md``): ``{"data": [...], "total_count":
N, "links": {"next": ...}}`` (current), ``{"data": [...]}`` (older responses) and a bare array
(some mirrors). The field mapping follows OMP's own generator
(``openrouterModelManagerOptions`` in pi-catalog's ``provider-models/openai-compat.ts``):
``context_length`` -> ``contextWindow``, ``top_provider.max_completion_tokens`` -> ``maxTokens``,
per-token prices x 1e6 -> ``cost``, ``reasoning`` from ``supported_parameters``, and a
``thinking`` block from ``reasoning.supported_efforts``. Unlike that generator, a price upstream
omits stays "not listed" instead of becoming 0, and ``-1`` stays "variable".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urljoin

from catalogmgr.errors import UpstreamError
from catalogmgr.upstream.listing import PriceWindow, SuggestedThinking, UpstreamModel
from catalogmgr.upstream.normalize import (
    listed_prices,
    modality_string_inputs,
    object_field,
    omp_input,
    per_token_price,
    positive_int,
)

SOURCE = "openrouter"
# `output_modalities=all`: without it OpenRouter lists only text-output models (414 vs 549).
DEFAULT_URL = "https://openrouter.ai/api/v1/models?output_modalities=all"
# OpenRouter describes exactly one catalog provider.
DEFAULT_PROVIDER_MAP: dict[str, str] = {"openrouter": "openrouter"}
# The one upstream "provider" of an OpenRouter listing.
UPSTREAM_PROVIDER = "openrouter"
# Paging is optional upstream (the full list comes back without offset/limit); a cap stops a
# server that keeps answering with a `next` link.
MAX_PAGES = 100

# OpenRouter pricing key -> OMP cost field.
_PRICE_KEYS = (
    ("input", "prompt"),
    ("output", "completion"),
    ("cacheRead", "input_cache_read"),
    ("cacheWrite", "input_cache_write"),
)
# OMP's thinking efforts, in order (THINKING_EFFORTS in pi-catalog).
_EFFORTS = ("minimal", "low", "medium", "high", "xhigh", "max")


def page_models(payload: Any, origin: str) -> list[Any]:
    """The raw model entries of one response, whichever of the three shapes it has."""
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict) and isinstance(payload.get("data"), list):
        return list(payload["data"])
    raise UpstreamError(f"{origin}: unexpected response shape: {_describe_shape(payload)}")


def next_page_url(payload: Any, current_url: str) -> str | None:
    """The absolute URL of the next page (``links.next``), or None on the last page."""
    if not isinstance(payload, dict):
        return None
    links = payload.get("links")
    if not isinstance(links, dict):
        return None
    following = links.get("next")
    if not isinstance(following, str) or not following.strip():
        return None
    return urljoin(current_url, following.strip())


def total_count(payload: Any) -> int | None:
    """The ``total_count`` a response announces, when it does."""
    if isinstance(payload, dict):
        count = payload.get("total_count")
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            return count
    return None


def combine_pages(pages: list[Any], origin: str) -> dict[str, Any]:
    """Several pages as one ``{"data": [...]}`` payload (what the cache stores)."""
    models: list[Any] = []
    for page in pages:
        models.extend(page_models(page, origin))
    combined: dict[str, Any] = {"data": models}
    announced = total_count(pages[0]) if pages else None
    if announced is not None:
        combined["total_count"] = announced
    return combined


def parse_listing(payload: Any, origin: str) -> tuple[dict[str, dict[str, UpstreamModel]], list[str]]:
    """A whole OpenRouter payload -> ``{"openrouter": {id: model}}`` plus notes for the report.

    Raises :class:`UpstreamError` when the payload is not a listing at all. Individual entries
    without a usable ``id`` are skipped and counted in a note rather than failing the run.
    """
    entries = page_models(payload, origin)
    models: dict[str, UpstreamModel] = {}
    notes: list[str] = []
    malformed = 0
    duplicates = 0
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"].strip():
            malformed += 1
            continue
        model = parse_model(entry)
        if model.id in models:
            duplicates += 1
        models[model.id] = model
    if entries and not models:
        raise UpstreamError(f"{origin}: unexpected response shape: no entry has an `id`")
    if malformed:
        notes.append(f"{malformed} upstream entr{'y' if malformed == 1 else 'ies'} without an `id` skipped")
    if duplicates:
        notes.append(f"{duplicates} duplicate upstream id(s): the last entry of each was used")
    announced = total_count(payload)
    if announced is not None and announced != len(entries):
        notes.append(
            f"the listing announces total_count {announced} but holds {len(entries)} entries"
            " (a partial response?)"
        )
    return {UPSTREAM_PROVIDER: models}, notes


def parse_model(entry: dict[str, Any]) -> UpstreamModel:
    """One OpenRouter model entry, normalised (see the module docstring for the mapping)."""
    pricing = object_field(entry, "pricing")
    cost = listed_prices(pricing, _PRICE_KEYS, per_token_price)
    architecture = object_field(entry, "architecture")
    modalities = architecture.get("input_modalities")
    if not isinstance(modalities, list):
        modalities = modality_string_inputs(architecture.get("modality"))
    parameters = entry.get("supported_parameters")
    listed = [p for p in parameters if isinstance(p, str)] if isinstance(parameters, list) else None
    top_provider = object_field(entry, "top_provider")
    name = entry.get("name")
    canonical = entry.get("canonical_slug")
    expiration = entry.get("expiration_date")
    return UpstreamModel(
        id=entry["id"].strip(),
        name=name.strip() if isinstance(name, str) and name.strip() else None,
        canonical_slug=canonical.strip() if isinstance(canonical, str) and canonical.strip() else None,
        context_window=positive_int(entry.get("context_length")),
        max_tokens=positive_int(top_provider.get("max_completion_tokens")),
        cost=cost,
        input=omp_input(modalities),
        reasoning=("reasoning" in listed) if listed is not None else None,
        supports_tools=("tools" in listed) if listed is not None else None,
        supports_tool_choice=("tool_choice" in listed) if listed is not None else None,
        expiration_date=expiration.strip() if isinstance(expiration, str) and expiration.strip() else None,
        time_of_day_pricing=_has_time_windows(pricing),
        price_windows=_price_windows(pricing),
        thinking=_thinking(entry.get("reasoning")),
    )


def _has_time_windows(pricing: dict[str, Any]) -> bool:
    overrides = pricing.get("overrides")
    if not isinstance(overrides, list):
        return False
    return any(isinstance(o, dict) and ("utc_start" in o or "utc_end" in o) for o in overrides)


def _price_windows(pricing: dict[str, Any]) -> tuple[PriceWindow, ...]:
    # `utc_start`/`utc_end` are HHMM integers (1000 -> 10:00); a window without usable bounds or
    # without any listed price tells nothing to compare, so it is left out.
    overrides = pricing.get("overrides")
    if not isinstance(overrides, list):
        return ()
    windows: list[PriceWindow] = []
    for override in overrides:
        if not isinstance(override, dict):
            continue
        start, end = _hhmm(override.get("utc_start")), _hhmm(override.get("utc_end"))
        if start is None or end is None:
            continue
        cost = listed_prices(override, _PRICE_KEYS, per_token_price)
        if any(isinstance(price, Decimal) for price in cost.values()):
            windows.append(PriceWindow(start, end, cost))
    return tuple(windows)


def _hhmm(raw: Any) -> str | None:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 2400 or raw % 100 >= 60:
        return None
    return f"{raw // 100:02d}:{raw % 100:02d}"


def _thinking(reasoning: Any) -> SuggestedThinking | None:
    # mapOpenRouterThinking: efforts OMP knows, in OMP's order; the default only when listed.
    if not isinstance(reasoning, dict) or not isinstance(reasoning.get("supported_efforts"), list):
        return None
    supported = reasoning["supported_efforts"]
    efforts = tuple(effort for effort in _EFFORTS if effort in supported)
    if not efforts:
        return None
    default = reasoning.get("default_effort")
    return SuggestedThinking(
        efforts=efforts,
        default_level=default if isinstance(default, str) and default in efforts else None,
        requires_effort=reasoning.get("mandatory") is True,
    )


def _describe_shape(payload: Any) -> str:
    if isinstance(payload, dict):
        keys = ", ".join(sorted(str(k) for k in payload)[:6]) or "no keys"
        return f'expected {{"data": [...]}} or a list of models, got an object with {keys}'
    return f'expected {{"data": [...]}} or a list of models, got {type(payload).__name__}'
