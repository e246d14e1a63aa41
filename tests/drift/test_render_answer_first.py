"""Lead with the answer: the text report's first lines, 80 columns, and a markdown PR body that folds."""

from __future__ import annotations

from decimal import Decimal

from catalogmgr.drift.diff import Drift, DriftReport, FieldDrift, HiddenDrift
from catalogmgr.render.drift import MARKDOWN_FOLD_ROWS, render
from catalogmgr.upstream.listing import UpstreamModel


def _report() -> DriftReport:
    drift = [
        Drift(
            "new",
            "minimax",
            "MiniMax-M3",
            "minimax",
            "MiniMax-M3",
            upstream=UpstreamModel(
                "MiniMax-M3",
                name="MiniMax-M3",
                context_window=1048576,
                cost={"input": Decimal("0.3"), "output": Decimal("1.2")},
            ),
        ),
    ]
    for provider in ("alpha", "beta"):
        for index in range(MARKDOWN_FOLD_ROWS):
            change = FieldDrift("contextWindow", 1000, 2000 + index, Decimal(1))
            drift.append(Drift("changed", provider, f"m{index}", provider, f"m{index}", (change,)))
    hidden = (
        HiddenDrift(
            Drift("changed", "alpha", "x", "alpha", "x", (FieldDrift("name", "A B", "a-b"),)), "cosmetic-name"
        ),
    )
    return DriftReport("models.dev", "api.json", None, False, (), tuple(drift), hidden=hidden)


def test_text_leads_with_the_summary_and_the_new_models() -> None:
    lines = render(_report(), "text").splitlines()
    assert lines[1] == "drift: 1 new, 60 changed, 0 gone"
    assert lines[2:5] == ["  minimax: 1 new upstream", "  alpha: 30 changed", "  beta: 30 changed"]
    assert lines[5] == "hidden: 1 cosmetic names (--all shows them)"
    assert lines[7:10] == [
        "new upstream (1):",
        "  minimax (1; context, $/M input/output):",
        "    MiniMax-M3  1,048,576 ctx  $0.3/$1.2",
    ]
    assert max(len(line) for line in lines) <= 80


def test_markdown_is_a_pr_body_that_folds_long_change_lists() -> None:
    text = render(_report(), "markdown")
    assert "_Hidden: 1 cosmetic names (--all shows them)._" in text
    assert "| alpha | 0 | 30 | 0 | 0 |" in text  # the per-provider overview
    assert text.index("### New upstream (1)") < text.index("### Changed (60)")
    assert "<details><summary>alpha: 30 changed</summary>" in text
    assert "<details><summary>beta: 30 changed</summary>" in text
    assert text.count("| provider | model | field | catalog | upstream | change |") == 2


def test_openrouter_new_models_point_at_the_vendors_own_api() -> None:
    from catalogmgr.drift.check import direct_route_note

    new = Drift("new", "openrouter", "minimax/minimax-m3", "openrouter", "minimax/minimax-m3")
    other = Drift("new", "openrouter", "acme/thing", "openrouter", "acme/thing")
    report = DriftReport("openrouter", "x", None, False, (), (new, other))
    assert direct_route_note(report, {"minimax": {}, "openrouter": {}}) == (
        "new models from vendors OMP also serves directly (minimax): to add them on the vendor's own API,"
        " run diff-upstream --source models.dev --provider minimax --only new"
    )
    assert direct_route_note(report, {"openrouter": {}}) is None  # no direct provider to add them to
