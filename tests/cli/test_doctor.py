"""``catalogmgr doctor``: exit 0 on a clean setup, 1 on a broken one, and never a secret."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from catalogmgr.omp import install as install_module

# Unique values: if any of them appears in any output, a secret leaked.
ENV_SECRET = "sk-or-v1-doctorENVsecret0123456789abcdef0123456789abcdef"
DOTENV_SECRET = "sk-doctorDOTENVsecret0123456789abcdefABCDEF"
LITERAL_SECRET = "sk-ant-api03-doctorLITERALsecret0123456789abcdefABCDEF0123"

CLEAN = """\
providers:
  minimax:
    apiKey: DOCTOR_MINIMAX_KEY
    modelOverrides:
      MiniMax-M2:
        contextWindow: 200000
"""
REJECTED = """\
providers:
  minimax:
    apiKey: DOCTOR_MINIMAX_KEY
    api: anthropic-messages
    models:
      - id: MiniMax-M9
        contextWindow: 0
"""


@pytest.fixture(autouse=True)
def _no_system_omp(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's own /usr/lib/node_modules must not count as an installed OMP here."""
    monkeypatch.setattr(install_module, "SYSTEM_NPM_ROOTS", ())


def write_overlay(home: Path, text: str, name: str = "models.yml") -> Path:
    directory = home / ".omp" / "agent"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def doctor_json(run_cli: Any, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("doctor", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def by_area(document: dict[str, Any], area: str) -> list[dict[str, Any]]:
    return [finding for finding in document["findings"] if finding["area"] == area]


def test_clean_setup_exits_0(run_cli: Any, tmp_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_overlay(tmp_home, CLEAN)
    monkeypatch.setenv("DOCTOR_MINIMAX_KEY", ENV_SECRET)
    result = run_cli("doctor")
    assert result.exit_code == 0, result.stdout
    assert "ok       overlay" in result.stdout
    assert "valid for OMP" in result.stdout
    assert "nothing here breaks OMP" in result.stdout
    assert ENV_SECRET not in result.stdout + result.stderr
    code, document = doctor_json(run_cli)
    assert code == 0
    assert document["ok"] is True
    assert document["version"] == 1
    assert [f["area"] for f in document["findings"]] == [
        "omp",
        "base",
        "overlay",
        "keys",
        "settings",
        "cache",
    ]
    assert by_area(document, "base")[0]["summary"].startswith("base catalog: embedded catalog of OMP 18.2.3")


def test_nothing_configured_is_fine(run_cli: Any, tmp_home: Path) -> None:
    code, document = doctor_json(run_cli)
    assert code == 0
    overlay = by_area(document, "overlay")[0]
    assert overlay["status"] == "info"
    assert "catalogmgr init" in overlay["fix"]
    assert by_area(document, "omp")[0]["summary"] == "no installed OMP found"


def test_a_file_omp_rejects_exits_1_with_the_located_problems(run_cli: Any, tmp_home: Path) -> None:
    path = write_overlay(tmp_home, REJECTED)
    result = run_cli("doctor", env={"DOCTOR_MINIMAX_KEY": "x"})
    assert result.exit_code == 1
    assert "error    overlay" in result.stdout
    assert "OMP rejects this file" in result.stdout
    assert f"{path}:2:3: [error]" in result.stdout  # the located problem line (models need a baseUrl)
    assert "would break OMP (exit 1)" in result.stdout


def test_a_key_that_cannot_work_exits_1_and_nothing_secret_is_printed(
    run_cli: Any, tmp_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = CLEAN + (
        "  openrouter:\n"
        f"    apiKey: {LITERAL_SECRET}\n"
        "  anthropic:\n"
        "    apiKey: $ANTHROPIC_DOCTOR_KEY\n"
        "  deepseek:\n"
        "    apiKey: DOCTOR_DOTENV_KEY\n"
        "  zai:\n"
        '    apiKey: "!echo doctor-command-ran"\n'
    )
    write_overlay(tmp_home, text)
    (tmp_home / ".omp" / "agent" / ".env").write_text(
        f"DOCTOR_DOTENV_KEY={DOTENV_SECRET}\n", encoding="utf-8"
    )
    monkeypatch.setenv("DOCTOR_MINIMAX_KEY", ENV_SECRET)
    monkeypatch.setenv("ANTHROPIC_DOCTOR_KEY", ENV_SECRET)
    for output_format in ("text", "json"):
        result = run_cli("doctor", "--format", output_format)
        assert result.exit_code == 1
        everything = result.stdout + result.stderr
        for secret in (ENV_SECRET, DOTENV_SECRET, LITERAL_SECRET, "doctor-command-ran"):
            assert secret not in everything, (output_format, secret)
        assert "$ANTHROPIC_DOCTOR_KEY" in everything  # the written form names the problem
    _, document = doctor_json(run_cli)
    keys = by_area(document, "keys")[0]
    assert keys["status"] == "error"
    assert any("unsupported-syntax" in line for line in keys["details"])
    # A literal key is a hygiene warning of validate, not something that breaks OMP.
    assert by_area(document, "overlay")[0]["status"] == "warning"


def test_settings_that_change_models_are_listed(run_cli: Any, tmp_home: Path) -> None:
    write_overlay(tmp_home, CLEAN)
    (tmp_home / ".omp" / "agent" / "config.yml").write_text(
        "extendedContext: true\ndisabledProviders: [ollama]\ntheme: dark\n", encoding="utf-8"
    )
    _, document = doctor_json(run_cli)
    settings = by_area(document, "settings")[0]
    assert settings["status"] == "info"
    assert [line.split(":")[0] for line in settings["details"]] == ["extendedContext", "disabledProviders"]


def test_models_yaml_beside_models_yml_is_a_warning(run_cli: Any, tmp_home: Path) -> None:
    write_overlay(tmp_home, CLEAN)
    write_overlay(tmp_home, CLEAN, "models.yaml")
    _, document = doctor_json(run_cli, "--no-dotenv")
    assert any(
        f["status"] == "warning" and "models.yaml is ignored" in f["summary"]
        for f in by_area(document, "overlay")
    )


def test_cache_age_is_reported(run_cli: Any, tmp_home: Path) -> None:
    upstream = tmp_home / ".cache" / "catalogmgr" / "upstream"
    upstream.mkdir(parents=True)
    old = (datetime.now(UTC) - timedelta(days=45)).isoformat()
    meta = {"version": 1, "url": "https://openrouter.ai/api/v1/models", "fetched_at": old}
    (upstream / "abc.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    (upstream / "bad.meta.json").write_text("{not json", encoding="utf-8")
    _, document = doctor_json(run_cli)
    cache = by_area(document, "cache")[0]
    assert cache["status"] == "info"
    assert "https://openrouter.ai/api/v1/models: fetched 45 days ago" in cache["details"]
    assert any("unreadable" in line for line in cache["details"])
    assert "diff-upstream" in cache["fix"]


def test_an_installed_omp_is_named_with_its_version_and_profile(
    run_cli: Any, tmp_home: Path, tmp_path: Path
) -> None:
    modules = tmp_path / "prefix" / "lib" / "node_modules"
    catalog = modules / "@oh-my-pi/pi-catalog/src/models.json"
    catalog.parent.mkdir(parents=True)
    catalog.write_text(json.dumps({"p": {"m": {"id": "m", "provider": "p"}}}), encoding="utf-8")
    agent = modules / "@oh-my-pi/pi-coding-agent"
    agent.mkdir(parents=True)
    (agent / "package.json").write_text('{"version": "18.2.3"}', encoding="utf-8")
    result = run_cli("doctor", "--format", "json", env={"NPM_CONFIG_PREFIX": str(tmp_path / "prefix")})
    document = json.loads(result.stdout)
    omp = by_area(document, "omp")[0]
    assert omp["status"] == "ok"
    assert omp["summary"] == f"OMP 18.2.3 at {modules}"
    assert any(line.startswith("profile 18.2.3 ") for line in omp["details"])
    assert by_area(document, "base")[0]["summary"].startswith(f"base catalog: {catalog} (1 providers")


def test_an_unreadable_base_is_an_error(run_cli: Any, tmp_home: Path, tmp_path: Path) -> None:
    broken = tmp_path / "models.json"
    broken.write_text("{", encoding="utf-8")
    code, document = doctor_json(run_cli, "--base", str(broken))
    assert code == 1
    assert by_area(document, "base")[0]["status"] == "error"
