"""Signal first: the noise classes diff-upstream hides by default, each counted, none lost."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from catalogmgr.drift.diff import Drift, DriftReport, FieldDrift, HiddenDrift
from catalogmgr.drift.noise import (
    NoiseOptions,
    cosmetic_key,
    hidden_summary,
    hide_noise,
    is_placeholder_date,
    omp_headroom,
)
from catalogmgr.upstream.listing import UpstreamModel

TODAY = date(2026, 8, 18)


def report_of(*drift: Drift, source: str = "openrouter") -> DriftReport:
    return DriftReport(source, "x.json", None, False, (), tuple(drift))


def changed(model_id: str, *fields: FieldDrift, upstream: UpstreamModel | None = None) -> Drift:
    return Drift("changed", "openrouter", model_id, "openrouter", model_id, fields, upstream=upstream)


def test_cosmetic_key_ignores_case_spacing_and_punctuation() -> None:
    assert cosmetic_key("Seed 2.0 Code") == cosmetic_key("Seed-2.0-Code") == cosmetic_key("seed_2.0 code")
    assert cosmetic_key("Claude Opus 4.7") != cosmetic_key("Claude Opus 4.7 (Fast)")
    assert cosmetic_key("DeepSeek-R1") != cosmetic_key("R1")


def test_headroom_is_ninety_percent_of_the_context() -> None:
    assert omp_headroom(262144) == 235929
    assert omp_headroom(131072) == 117964
    assert omp_headroom(4095) == 3685


def test_placeholder_dates_are_far_future_only() -> None:
    assert is_placeholder_date("2098-12-31", TODAY)
    assert not is_placeholder_date("2026-08-24", TODAY)
    assert not is_placeholder_date("garbage", TODAY)
    assert not is_placeholder_date(None, TODAY)


def test_each_noise_class_is_hidden_and_counted() -> None:
    catalog = {
        "openrouter": {"k": {"contextWindow": 262144, "maxTokens": 235929}, "real": {"contextWindow": 8}}
    }
    drift = (
        changed("s", FieldDrift("name", "Seed 2.0 Code", "Seed-2.0-Code")),
        changed(
            "k",
            FieldDrift("maxTokens", 235929, 262144, Decimal("0.111")),
            FieldDrift("cost.input", Decimal(1), Decimal(2), Decimal(1)),
            upstream=UpstreamModel("k", context_window=262144, max_tokens=262144),
        ),
        changed("real", FieldDrift("name", "GPT-4", "GPT-5")),
        Drift("removal", "openrouter", "p", "openrouter", "p", removal_date="2098-12-31"),
        Drift("removal", "openrouter", "soon", "openrouter", "soon", removal_date="2026-09-01"),
        Drift(
            "new", "openrouter", "old", "openrouter", "old", upstream=UpstreamModel("old", deprecated=True)
        ),
    )
    result = hide_noise(report_of(*drift), catalog, NoiseOptions(today=TODAY))
    shown = {(d.kind, d.model_id): [f.field for f in d.fields] for d in result.drift}
    assert shown == {
        ("changed", "k"): ["cost.input"],  # the real price change stays, the headroom goes
        ("changed", "real"): ["name"],
        ("removal", "soon"): [],
    }
    assert Counter(h.noise for h in result.hidden) == {
        "cosmetic-name": 1,
        "headroom": 1,
        "placeholder-date": 1,
        "deprecated-new": 1,
    }
    assert hidden_summary(result) == (
        "hidden: 1 cosmetic names, 1 maxTokens headroom, 1 placeholder removal dates,"
        " 1 deprecated new models (--all shows them)"
    )
    # --all hides nothing; --fields name keeps the cosmetic names.
    assert hide_noise(report_of(*drift), catalog, NoiseOptions(today=TODAY, show_all=True)).hidden == ()
    names = hide_noise(report_of(*drift), catalog, NoiseOptions(today=TODAY, show_names=True))
    assert "cosmetic-name" not in {h.noise for h in names.hidden}


def test_a_lower_upstream_limit_is_not_headroom() -> None:
    # OMP keeps 235,929 but upstream now caps output at 16,384: real drift.
    drift = changed(
        "g",
        FieldDrift("maxTokens", 235929, 16384),
        upstream=UpstreamModel("g", context_window=262144, max_tokens=16384),
    )
    catalog = {"openrouter": {"g": {"contextWindow": 262144, "maxTokens": 235929}}}
    assert hide_noise(report_of(drift), catalog, NoiseOptions(today=TODAY)).drift == (drift,)


def test_gone_is_hidden_only_for_providers_listed_elsewhere() -> None:
    aggregator = Drift("gone", "nanogpt", "a", "nano-gpt", "a")
    direct = Drift("gone", "anthropic", "b", "anthropic", "b")
    report = report_of(aggregator, direct, source="models.dev")
    result = hide_noise(report, {}, NoiseOptions(today=TODAY))
    assert result.drift == (direct,)
    assert result.hidden == (HiddenDrift(aggregator, "elsewhere-gone"),)
    assert hide_noise(report, {}, NoiseOptions(today=TODAY, include_gone=True)).drift == (aggregator, direct)
    # OpenRouter's own rows come from OpenRouter: its gone models are not hidden.
    assert (
        hide_noise(report_of(Drift("gone", "nanogpt", "a", "x", "a")), {}, NoiseOptions(TODAY)).hidden == ()
    )


# ------------------------------------------------------------------------------------------------
# The "done when", on the real data in ../shared


def _json(run_cli: Callable[..., object], *args: str) -> dict[str, object]:
    result = run_cli("diff-upstream", "--no-default-overlay", "--format", "json", *args)
    return json.loads(result.stdout)  # type: ignore[attr-defined]


@pytest.mark.shared
def test_openrouter_vs_18_2_3_shows_no_noise_by_default(run_cli, shared, tmp_home: Path) -> None:  # type: ignore[no-untyped-def]
    base = str(shared("data", "omp", "pi-catalog-18.2.3.models.json"))
    listing = str(shared("data", "openrouter", "models-2026-08-18-all.json"))
    data = _json(run_cli, "--base", base, "--upstream-file", listing)
    noise = Counter(item["noise"] for item in data["hidden"])  # type: ignore[union-attr, index]
    assert noise == {"cosmetic-name": 47, "headroom": 24, "placeholder-date": 2}
    assert data["summary"]["changed"] == 101  # type: ignore[index]
    everything = _json(run_cli, "--base", base, "--upstream-file", listing, "--all")
    assert everything["hidden"] == []
    assert everything["summary"]["changed"] == 147  # type: ignore[index]
    text = run_cli("diff-upstream", "--no-default-overlay", "--base", base, "--upstream-file", listing)
    assert "hidden: 47 cosmetic names, 24 maxTokens headroom, 2 placeholder" in text.stdout  # type: ignore[attr-defined]


@pytest.mark.shared
def test_models_dev_vs_18_2_3_shows_no_aggregator_gone(run_cli, shared, tmp_home: Path) -> None:  # type: ignore[no-untyped-def]
    from catalogmgr.drift.noise import ROWS_FROM_ELSEWHERE

    base = str(shared("data", "omp", "pi-catalog-18.2.3.models.json"))
    listing = str(shared("data", "modelsdev", "api-2026-03-01.json"))
    data = _json(run_cli, "--base", base, "--source", "models.dev", "--upstream-file", listing)
    gone = [d for d in data["drift"] if d["kind"] == "gone"]  # type: ignore[union-attr, index]
    assert gone
    assert not [d for d in gone if d["provider"] in ROWS_FROM_ELSEWHERE["models.dev"]]
