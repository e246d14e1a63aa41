"""Hostile time-of-day price windows: whatever a listing puts in `pricing.overrides`, no crash, and
only well-formed windows are compared."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from catalogmgr.drift.diff import diff_catalog
from catalogmgr.upstream.listing import UpstreamListing
from catalogmgr.upstream.openrouter import parse_model


@pytest.mark.parametrize(
    "overrides",
    [
        None,
        "not a list",
        [None, 1, "x", []],
        [{"utc_start": True, "utc_end": 100, "prompt": "0.000001"}],
        [{"utc_start": 2500, "utc_end": 100, "prompt": "0.000001"}],
        [{"utc_start": 99, "utc_end": 100, "prompt": "0.000001"}],  # 00:99 is no time
        [{"utc_start": -1, "utc_end": 10**400, "prompt": "0.000001"}],
        [{"utc_start": 100, "utc_end": 400, "prompt": "1e999999999999999999"}],
        [{"utc_start": 100, "utc_end": 400, "prompt": "NaN", "completion": "-1"}],
        [{"utc_start": 100, "utc_end": 400, "prompt": "\x1b]52;c;AAAA\x07"}],
        [{"utc_start": 100, "utc_end": 400}],
    ],
)
def test_malformed_windows_are_left_out(overrides: Any) -> None:
    entry = {"id": "a/b", "pricing": {"prompt": "0.000001", "overrides": overrides}}
    model = parse_model(entry)
    assert model.price_windows == ()
    catalog = {"openrouter": {"a/b": {"cost": {"input": 5, "output": 0, "cacheRead": 0, "cacheWrite": 0}}}}
    listing = UpstreamListing("openrouter", "x", {"openrouter": {"a/b": model}})
    diff_catalog(catalog, listing, {"openrouter": ("openrouter",)})  # no exception


def test_well_formed_windows_are_parsed() -> None:
    entry = {
        "id": "a/b",
        "pricing": {
            "prompt": "0.000001",
            "overrides": [{"utc_start": 2330, "utc_end": 0, "prompt": "0.000002"}, {"bad": 1}],
        },
    }
    (window,) = parse_model(entry).price_windows
    assert (window.label, window.cost["input"]) == ("23:30-00:00 UTC", Decimal(2))
