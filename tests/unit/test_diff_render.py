"""Drift renderers: text (grouped), json (stable shape), markdown (a PR), github (annotations)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from catalogmgr.drift.diff import Drift, DriftReport, FieldDrift, IgnoredDrift, diff_catalog, resolve_mapping
from catalogmgr.render.drift import DRIFT_RENDERERS, FORMAT_CHOICES, render, summary_line
from catalogmgr.upstream import openrouter
from catalogmgr.upstream.fetch import SOURCES, load_listing_file

FIXTURES = Path(__file__).resolve().parent.parent / "upstream" / "fixtures"


@pytest.fixture
def report() -> DriftReport:
    catalog = json.loads((FIXTURES / "catalog-small.json").read_text())
    listing = load_listing_file(SOURCES["openrouter"], FIXTURES / "openrouter-small.json", name="small.json")
    result = diff_catalog(catalog, listing, resolve_mapping(openrouter.DEFAULT_PROVIDER_MAP))
    accepted = IgnoredDrift(
        Drift("changed", "openrouter", "a|b", "openrouter", "a|b", (FieldDrift("name", "A", "B"),)),
        "names differ | on purpose",
        "ignore.yml:4",
    )
    return DriftReport(
        result.source,
        result.origin,
        "2026-08-18T12:00:00+00:00",
        True,
        result.providers,
        result.drift,
        (accepted,),
        result.notes,
        result.canonical_matches,
    )


def test_formats_are_one_registry() -> None:
    assert FORMAT_CHOICES == ("text", "json", "markdown", "github")
    assert set(DRIFT_RENDERERS) == set(FORMAT_CHOICES)


def test_text_groups_by_provider_then_kind(report: DriftReport) -> None:
    text = render(report, "text")
    lines = text.splitlines()
    assert lines[0] == "openrouter: small.json (retrieved 2026-08-18T12:00:00+00:00, from the cache)"
    # The answer leads: the summary, then the new models with context and prices.
    assert lines[1] == "drift: 2 new, 1 changed, 1 scheduled removal, 1 gone (1 ignored)"
    assert lines[3:6] == [
        "new upstream (2):",
        "  openrouter (2; context, $/M input/output):",
        "    minimax/minimax-m3:free    262,144 ctx  $0/$0",
    ]
    assert "catalog openrouter (7 models) vs upstream openrouter (9 models): 6 matched" in lines
    order = [
        lines.index(title)
        for title in (
            "new upstream (2):",
            "changed (1):",
            "scheduled removal (1):",
            "gone upstream (1; reported only, never removed):",
        )
    ]
    assert order == sorted(order)
    assert "      contextWindow   1000000 -> 1048576  (+4.858%)" in lines
    assert "      cost.cacheRead  0.05 -> 0.06  (+20%)" in lines
    assert "    minimax/minimax-m3-20260531  (uses the canonical slug of upstream" in lines
    assert all(len(line) <= 80 for line in lines if "ignore.yml" not in line)
    assert "  openrouter/a|b changed [name]: names differ | on purpose (ignore.yml:4)" in lines
    assert lines[-1] == "drift: 2 new, 1 changed, 1 scheduled removal, 1 gone (1 ignored)"


def test_text_without_drift() -> None:
    empty = DriftReport("openrouter", "x.json", None, False, (), ())
    assert render(empty, "text").splitlines()[-1] == "no drift: 0 new, 0 changed, 0 gone"


def test_json_shape(report: DriftReport) -> None:
    data = json.loads(render(report, "json"))
    assert list(data) == [
        "version",
        "source",
        "upstream",
        "retrieved",
        "fromCache",
        "summary",
        "providers",
        "drift",
        "ignored",
        "hidden",
        "canonicalSlugs",
        "inputs",
        "notes",
    ]
    assert data["summary"] == {
        "new": 2,
        "changed": 1,
        "removal": 1,
        "gone": 1,
        "ignored": 1,
        "hidden": 0,
        "drift": True,
    }
    changed = next(d for d in data["drift"] if d["kind"] == "changed")
    assert changed["changes"][2] == {
        "field": "cost.cacheRead",
        "catalog": 0.05,
        "upstream": 0.06,
        "relative": 0.2,
    }
    assert changed["changes"][0] == {
        "field": "contextWindow",
        "catalog": 1000000,
        "upstream": 1048576,
        "relative": 0.04858,
    }
    new = next(d for d in data["drift"] if d["id"] == "moonshotai/kimi-k3")
    assert new["upstreamModel"]["cost"] == {
        "input": 0.6,
        "output": 2.5,
        "cacheRead": 0.15,
    }  # no invented zeros
    assert new["upstreamModel"]["input"] == ["text", "image"]
    gone = next(d for d in data["drift"] if d["kind"] == "gone")
    assert gone["upstreamModel"] is None
    assert data["ignored"][0]["reason"] == "names differ | on purpose"
    assert data["canonicalSlugs"] == [
        {"provider": "openrouter", "id": "minimax/minimax-m3-20260531", "upstreamId": "minimax/minimax-m3"}
    ]


def test_json_prints_variable_prices_as_a_word() -> None:
    from catalogmgr.render.drift import upstream_json
    from catalogmgr.upstream.listing import UpstreamModel
    from catalogmgr.upstream.normalize import VARIABLE

    assert upstream_json(UpstreamModel("a", cost={"input": VARIABLE, "output": Decimal("2")}))["cost"] == {
        "input": "variable",
        "output": 2,
    }


def test_markdown_tables_escape_pipes(report: DriftReport) -> None:
    markdown = render(report, "markdown")
    assert markdown.startswith(
        "## Upstream drift: openrouter\n\nCompared with `small.json`, retrieved 2026-08-18"
    )
    assert "| provider | model | field | catalog | upstream | change |" in markdown
    assert "| openrouter | `minimax/minimax-m3-20260531` | cost.cacheRead | 0.05 | 0.06 | +20% |" in markdown
    assert "| `openrouter/a\\|b` | changed (name) | names differ \\| on purpose | ignore.yml:4 |" in markdown
    assert "<details><summary>1 model(s)</summary>" in markdown
    # An unknown value is an empty cell, not a word.
    assert (
        "| openrouter | `minimax/minimax-m3:free` | MiniMax: MiniMax M3 (free) | 262144 |  | 0 | 0 |"
        in markdown
    )


def test_github_annotations_escape_their_syntax(report: DriftReport) -> None:
    lines = render(report, "github").splitlines()
    assert lines[0].startswith("::warning title=new upstream%3A openrouter/minimax/minimax-m3%3Afree::")
    changed = next(line for line in lines if line.startswith("::warning title=changed"))
    assert "(+4.858%25)" in changed  # a literal % is escaped
    assert any(
        line.startswith("::notice title=gone upstream%3A openrouter/old/retired-model::") for line in lines
    )
    assert (
        lines[-1] == "::notice title=catalogmgr diff-upstream::"
        "2 new, 1 changed, 1 scheduled removal, 1 gone (1 ignored)"
    )


def test_summary_line_mentions_removal_only_when_present() -> None:
    empty = DriftReport("openrouter", "x", None, False, (), ())
    assert summary_line(empty) == "0 new, 0 changed, 0 gone"
