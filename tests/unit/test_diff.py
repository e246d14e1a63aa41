"""diff_catalog: matching, the four kinds of drift, and the pitfalls (variable, missing, time of day)."""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogmgr.drift.diff import (
    COMPARED_FIELDS,
    DiffOptions,
    DriftReport,
    FieldDrift,
    canonical_key,
    compare_model,
    diff_catalog,
    parse_field_selection,
    resolve_mapping,
    select_drift,
)
from catalogmgr.merge import Catalog
from catalogmgr.render.drift import describe_windows
from catalogmgr.upstream import modelsdev, openrouter
from catalogmgr.upstream.fetch import SOURCES, load_listing_file
from catalogmgr.upstream.listing import UpstreamListing, UpstreamModel

FIXTURES = Path(__file__).resolve().parent.parent / "upstream" / "fixtures"
OPENROUTER_MAP = resolve_mapping(openrouter.DEFAULT_PROVIDER_MAP)


def catalog() -> Catalog:
    data: Catalog = json.loads((FIXTURES / "catalog-small.json").read_text())
    return data


def listing(name: str = "openrouter-small.json", source: str = "openrouter") -> UpstreamListing:
    return load_listing_file(SOURCES[source], FIXTURES / name)


@pytest.fixture
def report() -> DriftReport:
    return diff_catalog(catalog(), listing(), OPENROUTER_MAP)


def kinds(report: DriftReport) -> list[tuple[str, str]]:
    return [(d.kind, d.model_id) for d in report.drift]


def test_the_whole_small_report(report: DriftReport) -> None:
    assert kinds(report) == [
        ("new", "minimax/minimax-m3:free"),  # a variant: its own id, not the canonical model
        ("new", "moonshotai/kimi-k3"),
        ("changed", "minimax/minimax-m3-20260531"),
        ("removal", "z-ai/glm-4.5"),
        ("gone", "old/retired-model"),
    ]
    assert report.canonical_matches == (("openrouter", "minimax/minimax-m3-20260531", "minimax/minimax-m3"),)
    comparison = report.providers[0]
    assert (comparison.provider, comparison.upstream) == ("openrouter", ("openrouter",))
    assert (comparison.local_models, comparison.upstream_models, comparison.matched) == (7, 9, 6)


def test_changed_fields_carry_old_new_and_relative_change(report: DriftReport) -> None:
    changed = next(d for d in report.drift if d.kind == "changed")
    assert changed.upstream_id == "minimax/minimax-m3"
    assert changed.notes == ("uses the canonical slug of upstream minimax/minimax-m3",)
    assert changed.fields == (
        FieldDrift("contextWindow", 1000000, 1048576, Decimal("0.04858")),
        FieldDrift("maxTokens", 16384, 512000, Decimal("30.25")),
        FieldDrift("cost.cacheRead", Decimal("0.05"), Decimal("0.06"), Decimal("0.2")),
    )


def test_pitfalls_produce_no_false_drift(report: DriftReport) -> None:
    quiet = {d.model_id for d in report.drift}
    # 0.7999999999999999 stored locally vs "0.0000008" upstream; "Anthropic: " prefix vs none.
    assert "anthropic/claude-x" not in quiet
    # "-1" (variable) upstream vs 0 locally.
    assert "openrouter/auto" not in quiet
    # cacheRead/cacheWrite missing upstream (not zero); max_completion_tokens null upstream.
    assert "qwen/qwen3-coder" not in quiet
    # Time-of-day prices: 1.32 locally is the peak window's price, so it matches a window.
    assert "deepseek/deepseek-v4-pro" not in quiet


def test_time_of_day_prices_are_compared_window_by_window() -> None:
    local = catalog()
    local["openrouter"]["deepseek/deepseek-v4-pro"]["cost"]["input"] = 1.6  # no window charges 1.6
    report = diff_catalog(local, listing(), OPENROUTER_MAP)
    changed = next(d for d in report.drift if d.model_id == "deepseek/deepseek-v4-pro")
    (price,) = changed.fields
    assert (price.field, price.local, price.upstream) == ("cost.input", Decimal("1.6"), Decimal("0.66"))
    assert price.windows == (("01:00-04:00 UTC", Decimal("1.32")), ("04:00-01:00 UTC", Decimal("0.66")))
    assert describe_windows(price.windows) == "0.66 at 04:00-01:00; 1.32 at 01:00-04:00 UTC"


def test_non_tool_models_are_not_new_unless_asked(report: DriftReport) -> None:
    assert "google/image-maker" not in {d.model_id for d in report.drift}
    assert any("1 upstream model(s) without tool support" in note for note in report.notes)
    everything = diff_catalog(catalog(), listing(), OPENROUTER_MAP, DiffOptions(include_non_tool=True))
    assert ("new", "google/image-maker") in kinds(everything)


def test_removal_carries_the_date(report: DriftReport) -> None:
    removal = next(d for d in report.drift if d.kind == "removal")
    assert removal.removal_date == "2026-08-24"
    assert removal.notes == ("upstream schedules removal on 2026-08-24",)


def test_exact_id_wins_over_the_canonical_slug() -> None:
    local = catalog()
    local["openrouter"]["minimax/minimax-m3"] = copy.deepcopy(
        local["openrouter"]["minimax/minimax-m3-20260531"]
    )
    result = diff_catalog(local, listing(), OPENROUTER_MAP)
    changed = {d.model_id: d for d in result.drift if d.kind == "changed"}
    assert changed["minimax/minimax-m3"].notes == ()
    # The canonical-slug copy still matches (it is not "gone") and is compared too.
    assert "uses the canonical slug" in changed["minimax/minimax-m3-20260531"].notes[0]
    assert ("gone", "minimax/minimax-m3-20260531") not in kinds(result)


def test_variant_canonical_keys_keep_their_suffix() -> None:
    assert canonical_key(UpstreamModel("a/b:free", canonical_slug="a/b-2026")) == "a/b-2026:free"
    assert canonical_key(UpstreamModel("a/b", canonical_slug="a/b-2026")) == "a/b-2026"
    assert canonical_key(UpstreamModel("a/b")) is None


def test_name_comparison_ignores_the_vendor_prefix() -> None:
    upstream = UpstreamModel("x/y", name="Vendor: Model Y")
    assert compare_model({"name": "Model Y"}, upstream) == ()
    assert compare_model({"name": "Vendor: Model Y"}, upstream) == ()
    assert compare_model({"name": "Model Z"}, upstream) == (FieldDrift("name", "Model Z", "Model Y"),)


def test_input_compares_as_a_set_and_reasoning_as_a_flag() -> None:
    upstream = UpstreamModel("x/y", input=("text", "image"), reasoning=True)
    assert compare_model({"input": ["image", "text"], "reasoning": True}, upstream) == ()
    assert compare_model({"input": ["text"], "reasoning": False}, upstream) == (
        FieldDrift("input", ("text",), ("text", "image")),
        FieldDrift("reasoning", False, True),
    )


def test_a_local_field_that_is_absent_is_reported_without_a_relative_change() -> None:
    upstream = UpstreamModel("x/y", context_window=1000, cost={"input": Decimal("1")})
    assert compare_model({}, upstream) == (
        FieldDrift("contextWindow", None, 1000, None),
        FieldDrift("cost.input", None, Decimal("1"), None),
    )


def test_tolerance_and_field_selection() -> None:
    upstream = UpstreamModel("x/y", context_window=1000, cost={"input": Decimal("1.005")})
    model = {"contextWindow": 999, "cost": {"input": 1.0}}
    assert [c.field for c in compare_model(model, upstream)] == ["contextWindow", "cost.input"]
    assert (
        compare_model(model, upstream, DiffOptions(tolerance=Decimal("0.01"), fields=("cost.input",))) == ()
    )


def test_parse_field_selection() -> None:
    assert parse_field_selection(["cost", "name"]) == (
        "name",
        "cost.input",
        "cost.output",
        "cost.cacheRead",
        "cost.cacheWrite",
    )
    assert parse_field_selection(["maxTokens,contextWindow"]) == ("contextWindow", "maxTokens")
    with pytest.raises(ValueError, match="unknown field 'price'"):
        parse_field_selection(["price"])
    assert set(COMPARED_FIELDS) == set(parse_field_selection(COMPARED_FIELDS))


def test_resolve_mapping_overrides_and_drops() -> None:
    mapping = resolve_mapping(modelsdev.DEFAULT_PROVIDER_MAP, [("moonshotai", "kimi"), ("zenmux", None)])
    assert mapping["kimi"] == ("moonshotai",)
    assert "moonshot" not in mapping
    assert "zenmux" not in mapping
    assert mapping["cloudflare-ai-gateway"] == ("cloudflare-ai-gateway", "cloudflare-workers-ai")
    assert list(mapping) == sorted(mapping)


def test_select_drift_filters_by_kind_provider_and_regex(report: DriftReport) -> None:
    assert kinds(select_drift(report, kinds=["gone"])) == [("gone", "old/retired-model")]
    assert kinds(select_drift(report, match=re.compile("kimi"))) == [("new", "moonshotai/kimi-k3")]
    # The upstream id is searched too: the canonical-slug model is found by "minimax/minimax-m3$".
    assert kinds(select_drift(report, match=re.compile(r"minimax-m3$"))) == [
        ("changed", "minimax/minimax-m3-20260531")
    ]
    assert select_drift(report, providers=["minimax"]).drift == ()


def test_models_dev_mapping_and_pooling() -> None:
    result = diff_catalog(
        catalog(),
        listing("modelsdev-small.json", "models.dev"),
        resolve_mapping(modelsdev.DEFAULT_PROVIDER_MAP),
    )
    assert kinds(result) == [("new", "MiniMax-M3")]  # MiniMax-M2.7 agrees; the speech model has no tools
    assert [c.provider for c in result.providers] == ["minimax"]
    # moonshotai -> moonshot, which the small catalog lacks: said, not silently dropped.
    assert any(n.startswith("not in the catalog, so not compared:") and "moonshot" in n for n in result.notes)


def test_deprecated_on_models_dev_is_a_removal() -> None:
    local = catalog()
    local["moonshot"] = {
        "kimi-k2.5": {
            "id": "kimi-k2.5",
            "name": "Kimi K2.5",
            "contextWindow": 262144,
            "maxTokens": 262144,
            "input": ["text"],
            "reasoning": True,
            "cost": {"input": 0.6, "output": 3, "cacheRead": 0.1},
        }
    }
    result = diff_catalog(
        local, listing("modelsdev-small.json", "models.dev"), resolve_mapping(modelsdev.DEFAULT_PROVIDER_MAP)
    )
    assert ("removal", "kimi-k2.5") in kinds(result)


def test_diff_does_not_mutate_its_inputs() -> None:
    local = catalog()
    before = copy.deepcopy(local)
    diff_catalog(local, listing(), OPENROUTER_MAP)
    assert local == before


prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("0.0001"), places=10)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(prices, prices, st.integers(1, 2_000_000)), min_size=1, max_size=8))
def test_a_catalog_generated_from_the_listing_has_no_drift(rows: list[tuple[Decimal, Decimal, int]]) -> None:
    # What OMP's generator would store for these upstream models (floats and all) never differs.
    data = [
        {
            "id": f"v/m{i}",
            "name": f"V: M{i}",
            "context_length": context,
            "pricing": {"prompt": format(prompt, "f"), "completion": format(completion, "f")},
            "supported_parameters": ["tools"],
        }
        for i, (prompt, completion, context) in enumerate(rows)
    ]
    providers, _ = openrouter.parse_listing({"data": data}, "generated")
    local: Catalog = {
        "openrouter": {
            entry["id"]: {
                "id": entry["id"],
                "name": entry["name"].split(": ", 1)[1],
                "contextWindow": entry["context_length"],
                "reasoning": False,
                "cost": {
                    "input": float(entry["pricing"]["prompt"]) * 1e6,
                    "output": float(entry["pricing"]["completion"]) * 1e6,
                    "cacheRead": 0,
                    "cacheWrite": 0,
                },
            }
            for entry in data
        }
    }
    result = diff_catalog(local, UpstreamListing("openrouter", "generated", providers), OPENROUTER_MAP)
    assert result.drift == ()


@pytest.mark.shared
def test_blog_scenario_reports_minimax_m3_as_new(shared: Any) -> None:
    base: Catalog = json.loads(shared("data", "omp", "pi-ai-15.7.3.models.json").read_text())
    upstream = load_listing_file(
        SOURCES["openrouter"], shared("data", "openrouter", "models-2026-08-18-all.json")
    )
    result = diff_catalog(base, upstream, OPENROUTER_MAP)
    new = {d.model_id: d for d in result.drift if d.kind == "new"}
    m3 = new["minimax/minimax-m3"].upstream
    assert m3 is not None
    assert (m3.context_window, m3.cost["input"], m3.cost["output"]) == (
        1048576,
        Decimal("0.3"),
        Decimal("1.2"),
    )
