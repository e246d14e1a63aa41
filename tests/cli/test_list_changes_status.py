"""``list`` says "changed" only when a field differs; ``changes`` lists a compat change once (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalogmgr.cli import cli
from catalogmgr.omp.rule_engine import load_rule_engine


def _model(model_id: str) -> dict[str, object]:
    row: dict[str, object] = {
        "id": model_id,
        "name": model_id,
        "api": "anthropic-messages",
        "provider": "minimax",
        "baseUrl": "https://api.minimax.io/anthropic",
        "reasoning": True,
        # As OMP materializes a bundled reasoning row: a provider override rebuilds the model
        # through the compat rule engine, which would otherwise give it this thinking ("changed")
        "thinking": {"mode": "budget", "efforts": ["minimal", "low", "medium", "high", "xhigh"]},
        "input": ["text"],
        "cost": {"input": 0.3, "output": 1.2, "cacheRead": 0.06, "cacheWrite": 0},
        "contextWindow": 200000,
        "maxTokens": 128000,
    }
    # ... and its resolved compat, as OMP's catalog generator bakes it (rebuilt rows keep it).
    row["compat"] = load_rule_engine("18.2.3").decide(row).compat
    return row


@pytest.fixture
def base(tmp_path: Path, tmp_home: Path) -> Path:
    path = tmp_path / "base.json"
    path.write_text(json.dumps({"minimax": {"M3": _model("M3"), "M2": _model("M2")}}), encoding="utf-8")
    return path


def _run(tmp_path: Path, base: Path, overlay: str, *args: str) -> str:
    path = tmp_path / "models.yml"
    path.write_text(overlay, encoding="utf-8")
    result = CliRunner().invoke(cli, [*args, "--base", str(base), "--overlay", str(path)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_provider_override_that_changes_nothing_leaves_models_as_base(tmp_path: Path, base: Path) -> None:
    overlay = "providers:\n  minimax:\n    baseUrl: https://api.minimax.io/anthropic\n"
    listed = json.loads(_run(tmp_path, base, overlay, "list", "--format", "json"))
    assert {model["id"]: model["status"] for model in listed["models"]} == {"M3": "base", "M2": "base"}
    shown = json.loads(_run(tmp_path, base, overlay, "show", "minimax/M3", "--format", "json"))
    assert shown["status"] == "base"


def test_a_real_change_is_changed(tmp_path: Path, base: Path) -> None:
    overlay = "providers:\n  minimax:\n    baseUrl: https://api.minimaxi.com/anthropic\n"
    listed = json.loads(_run(tmp_path, base, overlay, "list", "--format", "json"))
    assert {model["status"] for model in listed["models"]} == {"changed"}


def test_a_compat_change_is_listed_once(tmp_path: Path, base: Path) -> None:
    overlay = (
        "providers:\n  minimax:\n    modelOverrides:\n"
        "      M3:\n        compat:\n          supportsOutputEffort: false\n"
    )
    text = _run(tmp_path, base, overlay, "changes")
    assert len(text.splitlines()) == 1
    assert "compat.supportsOutputEffort: true -> false" in text
    records = json.loads(_run(tmp_path, base, overlay, "changes", "--format", "json"))["changes"]
    assert [record["field"] for record in records] == ["compat.supportsOutputEffort"]


def test_a_compat_key_the_api_lacks_is_only_authored(tmp_path: Path, base: Path) -> None:
    # anthropic-messages has no `supportsStore`: OMP keeps it in compatConfig, not in compat.
    overlay = (
        "providers:\n  minimax:\n    modelOverrides:\n"
        "      M3:\n        compat:\n          supportsStore: false\n"
    )
    records = json.loads(_run(tmp_path, base, overlay, "changes", "--format", "json"))["changes"]
    assert [record["field"] for record in records] == ["compatConfig.supportsStore"]
