"""``catalogmgr keys``: the report, its formats, --check, --allow-commands and dotenv files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

# A small base catalog: three bundled providers, one model each.
BASE_CATALOG = json.dumps(
    {
        provider: {
            model_id: {
                "id": model_id,
                "name": model_id,
                "api": api,
                "provider": provider,
                "baseUrl": url,
                "reasoning": False,
                "input": ["text"],
                "cost": {"input": 1, "output": 2, "cacheRead": 0, "cacheWrite": 0},
                "contextWindow": 128000,
                "maxTokens": 8192,
            }
        }
        for provider, model_id, api, url in (
            ("minimax", "MiniMax-M3", "anthropic-messages", "https://api.minimax.io/anthropic"),
            ("openai", "gpt-5", "openai-responses", "https://api.openai.com/v1"),
            ("openrouter", "openai/gpt-5", "openai-completions", "https://openrouter.ai/api/v1"),
        )
    }
)


def write_base(directory: Path) -> str:
    path = directory / "base-models.json"
    path.write_text(BASE_CATALOG, encoding="utf-8")
    return str(path)


SEED = """\
providers:
  minimax:
    baseUrl: https://api.minimaxi.com/anthropic
    apiKey: MINIMAX_API_KEY
    api: anthropic-messages
    authHeader: true
  bifrost:
    baseUrl: http://localhost:8080/v1
    api: openai-completions
    apiKey: env:OMP_BIFROST_API_KEY
    models:
      - id: house
"""

FIXED = """\
providers:
  minimax:
    baseUrl: https://api.minimaxi.com/anthropic
    apiKey: MINIMAX_API_KEY
"""


@pytest.fixture
def workdir(tmp_path: Path, tmp_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current directory (no project .env) and a clean environment for key variables."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for name in ("MINIMAX_API_KEY", "OMP_BIFROST_API_KEY", "OPENAI_API_KEY", "NODE_ENV"):
        monkeypatch.delenv(name, raising=False)
    return work


def _overlay(directory: Path, text: str, name: str = "models.yml") -> str:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_table_report_and_exit_code(run_cli: Any, workdir: Path) -> None:
    base = write_base(workdir)
    overlay = _overlay(workdir, SEED)
    result = run_cli("keys", "--base", base, "--overlay", overlay)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "PROVIDER",
        "KEY",
        "STATUS",
        "OK",
        "CONFIGURED",
        "AS",
        "VALUE",
        "WHERE",
        "DETAIL",
    ]
    assert lines[1].split()[:5] == ["minimax", "apiKey", "env-unset", "NO", "MINIMAX_API_KEY"]
    assert "MINIMAX_API_KEY is not set: OMP would send the string 'MINIMAX_API_KEY' literally" in lines[1]
    assert f"{overlay}:4:13" in lines[1]
    assert lines[2].split()[:5] == [
        "bifrost",
        "apiKey",
        "unsupported-syntax",
        "NO",
        "env:OMP_BIFROST_API_KEY",
    ]
    # bundled providers of the base follow, with OMP's own lookup
    assert any(line.startswith("openai ") and "missing" in line for line in lines)
    assert f"catalogmgr: base: {base}; overlays: {overlay}" in result.stderr
    assert "2 configured key(s), 2 unusable" in result.stderr


def test_usable_keys_exit_zero(run_cli: Any, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINIMAX_API_KEY", "mm-" + "a1b2c3d4" * 5)
    result = run_cli("keys", "--base", write_base(workdir), "--overlay", _overlay(workdir, FIXED))
    assert result.exit_code == 0, result.stderr
    row = result.stdout.splitlines()[1].split()
    assert row[:6] == ["minimax", "apiKey", "env", "yes", "MINIMAX_API_KEY", "…c3d4"]


def test_json_format(run_cli: Any, workdir: Path) -> None:
    base = write_base(workdir)
    overlay = _overlay(workdir, SEED)
    result = run_cli("keys", "--base", base, "--overlay", overlay, "--format", "json")
    assert result.exit_code == 1
    record = json.loads(result.stdout)
    assert record["base"] == base
    assert record["overlays"] == [overlay]
    assert record["allowCommands"] is False
    assert record["unusable"] == 2
    first = record["keys"][0]
    assert first["provider"] == "minimax"
    assert first["status"] == "env-unset"
    assert (first["file"], first["line"], first["column"]) == (overlay, 4, 13)
    assert {key["provider"] for key in record["keys"]} == {"minimax", "bifrost", *json.loads(BASE_CATALOG)}


def test_check_prints_only_located_problems(run_cli: Any, workdir: Path) -> None:
    overlay = _overlay(workdir, SEED)
    result = run_cli("keys", "--base", write_base(workdir), "--overlay", overlay, "--check")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{overlay}:4:13: provider minimax: apiKey is unusable: MINIMAX_API_KEY is not set: "
        "OMP would send the string 'MINIMAX_API_KEY' literally (keys)",
        f"{overlay}:10:13: provider bifrost: apiKey is unusable: OMP has no 'env:VAR' syntax: it would "
        "send 'env:OMP_BIFROST_API_KEY' literally; write `OMP_BIFROST_API_KEY` (the bare variable name) "
        "instead (OMP_BIFROST_API_KEY is not set either) (keys)",
    ]


def test_check_passes_when_keys_work(run_cli: Any, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINIMAX_API_KEY", "x" * 40)
    result = run_cli("keys", "--base", write_base(workdir), "--overlay", _overlay(workdir, FIXED), "--check")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_commands_run_only_with_allow_commands(run_cli: Any, workdir: Path) -> None:
    marker = workdir / "ran"
    overlay = _overlay(
        workdir, f'providers:\n  minimax:\n    apiKey: "!touch {marker} && echo key-value-0123456789"\n'
    )
    base = write_base(workdir)
    without = run_cli("keys", "--base", base, "--overlay", overlay, "--format", "json")
    assert not marker.exists()
    assert json.loads(without.stdout)["keys"][0]["status"] == "command-not-run"
    assert without.exit_code == 0  # not knowable without running it: not a failure
    with_flag = run_cli("keys", "--base", base, "--overlay", overlay, "--format", "json", "--allow-commands")
    assert marker.exists()
    key = json.loads(with_flag.stdout)["keys"][0]
    assert key["status"] == "command-ok"
    assert key["masked"] == "…6789"
    assert with_flag.exit_code == 0


def test_failing_command_fails_the_check(run_cli: Any, workdir: Path) -> None:
    overlay = _overlay(workdir, 'providers:\n  minimax:\n    apiKey: "!exit 4"\n')
    result = run_cli(
        "keys", "--base", write_base(workdir), "--overlay", overlay, "--check", "--allow-commands"
    )
    assert result.exit_code == 1
    assert "command failed: exited with status 4" in result.stderr


def test_provider_filter(run_cli: Any, workdir: Path) -> None:
    base = write_base(workdir)
    overlay = _overlay(workdir, SEED)
    result = run_cli(
        "keys", "--base", base, "--overlay", overlay, "--provider", "bifrost", "--format", "json"
    )
    assert result.exit_code == 1
    assert {key["provider"] for key in json.loads(result.stdout)["keys"]} == {"bifrost"}
    bundled = run_cli("keys", "--base", base, "--overlay", overlay, "--provider", "openai", "--check")
    assert bundled.exit_code == 0  # a bundled provider the overlays do not configure never fails
    unknown = run_cli("keys", "--base", base, "--overlay", overlay, "--provider", "bifrots")
    assert unknown.exit_code == 3
    assert "no provider 'bifrots'" in unknown.stderr
    assert "did you mean 'bifrost'" in unknown.stderr


def test_configured_only(run_cli: Any, workdir: Path) -> None:
    result = run_cli(
        "keys",
        "--base",
        write_base(workdir),
        "--overlay",
        _overlay(workdir, SEED),
        "--configured-only",
        "--format",
        "json",
    )
    assert [key["provider"] for key in json.loads(result.stdout)["keys"]] == ["minimax", "bifrost"]


def test_agent_dotenv_is_read_like_omp(run_cli: Any, workdir: Path, tmp_home: Path) -> None:
    agent = tmp_home / ".omp" / "agent"
    agent.mkdir(parents=True)
    (agent / ".env").write_text("MINIMAX_API_KEY=from-dotenv-0123456789abcdef\n", encoding="utf-8")
    args = ("keys", "--base", write_base(workdir), "--overlay", _overlay(workdir, FIXED), "--format", "json")
    record = json.loads(run_cli(*args).stdout)
    key = record["keys"][0]
    assert key["status"] == "env"
    assert key["envSource"] == "~/.omp/agent/.env"
    assert record["dotenv"] == ["~/.omp/agent/.env"]
    plain = json.loads(run_cli(*args, "--no-dotenv").stdout)
    assert plain["keys"][0]["status"] == "env-unset"


def test_project_dotenv_and_process_environment_precedence(
    run_cli: Any, workdir: Path, tmp_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / ".env").write_text("MINIMAX_API_KEY=project-value-0123456789\n", encoding="utf-8")
    (tmp_home / ".env").write_text("MINIMAX_API_KEY=home-value-0123456789\n", encoding="utf-8")
    args = ("keys", "--base", write_base(workdir), "--overlay", _overlay(workdir, FIXED), "--format", "json")
    source = json.loads(run_cli(*args).stdout)["keys"][0]["envSource"]
    assert source.endswith("work/.env")
    monkeypatch.setenv("MINIMAX_API_KEY", "process-value-0123456789")
    key = json.loads(run_cli(*args).stdout)["keys"][0]
    assert key["envSource"] is None
    assert key["masked"] == "…6789"


def test_default_overlay_and_embedded_base(run_cli: Any, workdir: Path, tmp_home: Path) -> None:
    agent = tmp_home / ".omp" / "agent"
    agent.mkdir(parents=True)
    (agent / "models.yml").write_text(SEED, encoding="utf-8")
    result = run_cli("keys", "--format", "json")
    record = json.loads(result.stdout)
    assert record["base_is_embedded"] is True
    assert record["overlays"] == [str(agent / "models.yml")]
    providers = [key["provider"] for key in record["keys"]]
    assert providers[:2] == ["minimax", "bifrost"]
    assert "minimax-cn" in providers  # bundled providers of the embedded default catalog
    assert result.exit_code == 1


def test_invalid_overlay_stops_with_its_errors(run_cli: Any, workdir: Path) -> None:
    overlay = _overlay(workdir, "providers:\n  x:\n    models:\n      - id: m\n")
    result = run_cli("keys", "--base", write_base(workdir), "--overlay", overlay)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "invalid overlay" in result.stderr
