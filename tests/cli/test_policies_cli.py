"""The runtime policies on the command line: OMP's numbers by default, the files' with --as-written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

BASE = {
    "openai": {
        "gpt-5.6": {
            "id": "gpt-5.6",
            "name": "GPT-5.6",
            "api": "openai-responses",
            "provider": "openai",
            "baseUrl": "https://api.openai.com/v1",
            "reasoning": True,
            "input": ["text"],
            "cost": {
                "input": 5,
                "output": 30,
                "cacheRead": 0.5,
                "cacheWrite": 0,
                "longContext": {"inputThreshold": 272000, "input": 10, "output": 45},
            },
            "contextWindow": 1050000,
            "maxTokens": 128000,
        }
    }
}


@pytest.fixture
def base(tmp_path: Path, tmp_home: Path) -> Path:
    path = tmp_path / "models.json"
    path.write_text(json.dumps(BASE), encoding="utf-8")
    return path


def window(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["openai"]["gpt-5.6"]["contextWindow"]


def test_merge_gives_omps_window_and_as_written_the_files(run_cli: Any, base: Path) -> None:
    assert window(run_cli("merge", "--base", str(base), "--no-default-overlay")) == 272000
    assert window(run_cli("merge", "--base", str(base), "--no-default-overlay", "--as-written")) == 1050000
    assert (
        window(run_cli("merge", "--base", str(base), "--no-default-overlay", "--extended-context")) == 1050000
    )


def test_as_written_goes_with_emit_catalog_only(run_cli: Any, base: Path) -> None:
    result = run_cli(
        "merge", "--base", str(base), "--no-default-overlay", "--as-written", "--emit", "overlay"
    )
    assert result.exit_code == 2
    assert "--as-written applies only to --emit catalog" in result.stderr


def test_the_users_config_yml_is_read(run_cli: Any, base: Path, tmp_home: Path) -> None:
    agent = tmp_home / ".omp" / "agent"
    agent.mkdir(parents=True)
    (agent / "config.yml").write_text("extendedContext: true\n", encoding="utf-8")
    result = run_cli("merge", "--base", str(base), "--no-default-overlay")
    assert window(result) == 1050000
    assert f"extendedContext on ({agent / 'config.yml'})" in result.stderr
    assert (
        window(run_cli("merge", "--base", str(base), "--no-default-overlay", "--no-extended-context"))
        == 272000
    )


def test_show_explain_names_the_policy_and_list_keeps_status_base(run_cli: Any, base: Path) -> None:
    shown = run_cli("show", "openai/gpt-5.6", "--base", str(base), "--no-default-overlay", "--explain")
    assert shown.exit_code == 0, shown.stderr
    assert "(policy: capped at the long-context threshold 272,000: extendedContext is off)" in shown.stdout
    assert "openai/gpt-5.6  (base)" in shown.stdout
    listed = run_cli("list", "--base", str(base), "--no-default-overlay", "--format", "json")
    models = json.loads(listed.stdout)["models"]
    assert [(m["contextWindow"], m["status"]) for m in models] == [(272000, "base")]
    assert json.loads(listed.stdout)["ompSettings"] == {
        "extendedContext": False,
        "source": "default",
        "runtimePolicies": True,
    }


def test_changes_lists_only_what_the_overlay_changes(run_cli: Any, base: Path, tmp_path: Path) -> None:
    quiet = run_cli("changes", "--base", str(base), "--no-default-overlay", "--exit-code")
    assert quiet.exit_code == 0, quiet.stdout
    overlay = tmp_path / "o.yml"
    overlay.write_text(
        "providers:\n  openai:\n    modelOverrides:\n      gpt-5.6:\n        contextWindow: 400000\n",
        encoding="utf-8",
    )
    changed = run_cli("changes", "--base", str(base), "--overlay", str(overlay))
    assert changed.exit_code == 0, changed.stderr
    assert "contextWindow: 272000 -> 400000" in changed.stdout


def test_an_invalid_config_yml_is_one_located_error(run_cli: Any, base: Path, tmp_home: Path) -> None:
    agent = tmp_home / ".omp" / "agent"
    agent.mkdir(parents=True)
    (agent / "config.yml").write_text("extendedContext: maybe\n", encoding="utf-8")
    result = run_cli("list", "--base", str(base), "--no-default-overlay")
    assert result.exit_code == 3
    assert "config.yml: extendedContext must be true or false" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("version", ["17.3.5", "17.2.15"])
def test_show_under_17x_builds_the_model_as_17x_does(
    run_cli: Any, base: Path, tmp_path: Path, version: str
) -> None:
    # 17.x's buildModel (compat in code, then thinking from it) is ported (catalogmgr.omp.compat17,
    # thinking17): no "not ported" note, and the resolved compat names 17.x's code.
    overlay = tmp_path / "o.yml"
    overlay.write_text(
        "providers:\n  gw:\n    baseUrl: https://gw.example/v1\n    apiKey: K\n"
        "    api: openai-completions\n    models:\n      - id: kimi-k2.6\n        reasoning: true\n",
        encoding="utf-8",
    )
    shown = run_cli(
        "show", "gw/kimi-k2.6", "--base", str(base), "--no-default-overlay", "--overlay", str(overlay),
        "--omp-version", version, "--explain",
    )  # fmt: skip
    assert shown.exit_code == 0, shown.stderr
    assert "note:" not in shown.stderr
    assert "alwaysSendMaxTokens" in shown.stdout
    assert "compat code (buildModel)" in shown.stdout


@pytest.mark.parametrize("version", ["13.19.0", "14.9.9"])
def test_show_under_13x_14x_derives_a_new_models_thinking_from_its_id(
    run_cli: Any, base: Path, tmp_path: Path, version: str
) -> None:
    # pi-ai's enrichModelThinking, ported (catalogmgr.omp.thinking13): no "not ported" note.
    overlay = tmp_path / "o.yml"
    overlay.write_text(
        "providers:\n  gw:\n    baseUrl: https://gw.example/v1\n    apiKey: K\n"
        "    api: openai-responses\n    models:\n      - id: gpt-5.4\n        reasoning: true\n",
        encoding="utf-8",
    )
    shown = run_cli(
        "show", "gw/gpt-5.4", "--base", str(base), "--no-default-overlay", "--overlay", str(overlay),
        "--omp-version", version, "--explain",
    )  # fmt: skip
    assert shown.exit_code == 0, shown.stderr
    assert "rule engine derives" not in shown.stderr
    assert "thinking derived from the model id" in shown.stdout
    thinking = '{"mode": "effort", "minLevel": "low", "maxLevel": "xhigh"}'
    assert f"thinking       {thinking}   <- OMP {version} runtime" in shown.stdout


@pytest.mark.parametrize(("version", "noted"), [("18.3.4", True), ("18.2.9", True), ("18.2.3", False)])
def test_show_names_the_catalog_only_rules_of_the_newest_profiles(
    run_cli: Any, base: Path, tmp_path: Path, version: str, noted: bool
) -> None:
    # The 18.2.9 and 18.3 profiles rebuild models with pi-catalog 18.2.11's rules and code: a
    # package published without its release, so `show` says what the answer is and is not.
    overlay = tmp_path / "o.yml"
    overlay.write_text(
        "providers:\n  llama.cpp:\n    baseUrl: http://127.0.0.1:8080/v1\n    apiKey: none\n"
        "    api: openai-completions\n    models:\n      - id: qwen3-32b\n",
        encoding="utf-8",
    )
    shown = run_cli(
        "show", "llama.cpp/qwen3-32b", "--base", str(base), "--no-default-overlay", "--overlay", str(overlay),
        "--omp-version", version, "--engine", "python", "--explain",
    )  # fmt: skip
    assert shown.exit_code == 0, shown.stderr
    assert ("pi-catalog 18.2.11's compat rules and code" in shown.stderr) is noted
    engine = "pi-catalog 18.2.11" if noted else "pi-catalog 18.2.3"
    assert f"policy: {engine}'s compat rule engine (buildModel)" in shown.stdout


@pytest.mark.parametrize(("version", "listed"), [("18.2.3", True), ("18.3.0", False)])
def test_a_provider_named_local_meets_omps_own_tiny_model_rules(
    run_cli: Any, base: Path, tmp_path: Path, version: str, listed: bool
) -> None:
    # From pi-catalog 18.2.11 (the 18.2.9/18.3 profiles) `local` is OMP's own provider of tiny
    # local models: its rules give `qwen*` the kind "tiny" (read from that package's buildModel:
    # {"kind": "tiny"} for this very spec), and getAll() lists chat models only.
    overlay = tmp_path / "o.yml"
    overlay.write_text(
        "providers:\n  local:\n    baseUrl: http://127.0.0.1:11434/v1\n    apiKey: none\n"
        "    api: openai-completions\n    models:\n      - id: qwen3:8b\n        reasoning: true\n"
        "      - id: llava:7b\n",
        encoding="utf-8",
    )
    merged = run_cli(
        "merge", "--base", str(base), "--no-default-overlay", "--overlay", str(overlay),
        "--omp-version", version, "--engine", "python", "--compact",
    )  # fmt: skip
    assert merged.exit_code == 0, merged.stderr
    models = json.loads(merged.stdout)["local"]
    assert ("qwen3:8b" in models) is listed
    assert "llava:7b" in models
    # Said where the model is written, as a warning (the merge still succeeds).
    warned = "o.yml:7:9: [warning] OMP gives local/qwen3:8b the kind 'tiny'" in merged.stderr
    assert warned is not listed


@pytest.mark.parametrize(
    ("version", "api_key", "note"),
    [
        ("13.19.0", "OPENAI_API_KEY", "re-reads openai's bundled models when it refreshes"),
        ("13.19.0", None, "if OMP 13.19.0 finds a key for openai"),
        ("14.9.9", "K", "re-reads openai's bundled models when it refreshes"),
        ("18.2.3", "K", None),
    ],
)
def test_show_says_when_13x_14x_refresh_drops_the_provider_compat(
    run_cli: Any, base: Path, tmp_path: Path, version: str, api_key: str | None, note: str | None
) -> None:
    key_line = f"    apiKey: {api_key}\n" if api_key else ""
    overlay = tmp_path / "o.yml"
    overlay.write_text(
        f"providers:\n  openai:\n{key_line}    compat:\n      supportsStore: false\n", encoding="utf-8"
    )
    shown = run_cli(
        "show", "openai/gpt-5.6", "--base", str(base), "--no-default-overlay", "--overlay", str(overlay),
        "--omp-version", version,
    )  # fmt: skip
    assert shown.exit_code == 0, shown.stderr
    if note is None:
        assert "refreshes" not in shown.stderr
    else:
        assert note in shown.stderr
    # The catalog OMP runs: with a key, the provider compat is gone under 13.x/14.x.
    dropped = api_key is not None and version != "18.2.3"
    assert ("supportsStore" in shown.stdout) is not dropped
