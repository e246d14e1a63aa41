"""No command prints, logs or raises a resolved secret.

Unique secrets are planted where OMP would find keys: in the process environment (an overlay's
apiKey and a header name the variable), as the output of a ``!command``, in the agent
directory's ``.env`` file, and in a bundled provider's well-known variable. Then every command
that exists runs with every output format, with and without ``--allow-commands``, and neither
the secrets nor any 10-character piece of them may appear in stdout, stderr or an exception.

``merge --resolve-keys`` writes resolved keys by design, so only its ``-o FILE`` form is run
here (the file holds the keys; stdout and stderr must not).
"""

from __future__ import annotations

import importlib
import json
import secrets
import traceback
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from catalogmgr.cli import COMMANDS, cli


def _planted(prefix: str) -> str:
    return prefix + secrets.token_hex(24)


ENV_SECRET = _planted("sk-or-v1-")
COMMAND_SECRET = _planted("sk-ant-api03-")
DOTENV_SECRET = _planted("sk-proj-")
BUNDLED_SECRET = _planted("sk-")
ALL_SECRETS = (ENV_SECRET, COMMAND_SECRET, DOTENV_SECRET, BUNDLED_SECRET)

BASE = {
    "minimax": {
        "MiniMax-M3": {
            "id": "MiniMax-M3",
            "name": "MiniMax-M3",
            "api": "anthropic-messages",
            "provider": "minimax",
            "baseUrl": "https://api.minimax.io/anthropic",
            "reasoning": True,
            "input": ["text", "image"],
            "cost": {"input": 0.3, "output": 1.2, "cacheRead": 0.06, "cacheWrite": 0},
            "contextWindow": 1000000,
            "maxTokens": 128000,
        }
    },
    "openai": {
        "gpt-5": {
            "id": "gpt-5",
            "name": "GPT-5",
            "api": "openai-responses",
            "provider": "openai",
            "baseUrl": "https://api.openai.com/v1",
            "reasoning": True,
            "input": ["text", "image"],
            "cost": {"input": 1.25, "output": 10, "cacheRead": 0.125, "cacheWrite": 0},
            "contextWindow": 400000,
            "maxTokens": 128000,
        }
    },
}


# A saved OpenRouter response for diff-upstream (one model, priced per token as OpenRouter does).
OPENROUTER_LISTING = [
    {
        "id": "minimax/minimax-m3",
        "canonical_slug": "minimax/minimax-m3-20260531",
        "name": "MiniMax: MiniMax M3",
        "context_length": 1000000,
        "architecture": {"input_modalities": ["text", "image"], "output_modalities": ["text"]},
        "pricing": {"prompt": "0.0000003", "completion": "0.0000012", "input_cache_read": "0.00000006"},
        "top_provider": {"context_length": 1000000, "max_completion_tokens": 128000},
        "supported_parameters": ["tools", "reasoning"],
    }
]


def _overlay(secret_file: Path) -> str:
    command = f"!cat {secret_file}"
    return f"""\
providers:
  minimax:
    baseUrl: https://api.minimaxi.com/anthropic
    apiKey: LEAK_ENV_KEY
    authHeader: true
    modelOverrides:
      MiniMax-M3:
        headers:
          X-Api-Key: LEAK_ENV_KEY
  vault:
    baseUrl: https://vault.example/v1
    api: openai-completions
    apiKey: "{command}"
    headers:
      X-Upstream-Key: "{command}"
    models:
      - id: vault-model
        headers:
          X-Tenant-Token: "{command}"
  dotenv-gateway:
    baseUrl: https://gw.example/v1
    api: openai-completions
    apiKey: LEAK_DOTENV_KEY
    models:
      - id: gw-model
"""


@pytest.fixture
def planted(tmp_path: Path, tmp_home: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(COMMAND_SECRET + "\n", encoding="utf-8")
    agent = tmp_home / ".omp" / "agent"
    agent.mkdir(parents=True)
    (agent / ".env").write_text(f"LEAK_DOTENV_KEY={DOTENV_SECRET}\n", encoding="utf-8")
    overlay = work / "models.yml"
    overlay.write_text(_overlay(secret_file), encoding="utf-8")
    base = work / "base.json"
    base.write_text(json.dumps(BASE, indent="\t"), encoding="utf-8")
    monkeypatch.setenv("LEAK_ENV_KEY", ENV_SECRET)
    monkeypatch.setenv("OPENAI_API_KEY", BUNDLED_SECRET)
    listing = work / "openrouter.json"
    listing.write_text(json.dumps({"data": OPENROUTER_LISTING}), encoding="utf-8")
    return {"overlay": str(overlay), "base": str(base), "out": str(work / "out.yml"), "listing": str(listing)}


def _available(command: str) -> bool:
    target = COMMANDS.get(command)
    if target is None:
        return False
    try:
        importlib.import_module(target.split(":")[0])
    except ImportError:
        return False
    return True


def _has_option(command: str, option: str) -> bool:
    result = CliRunner().invoke(cli, [command, "--help"])
    return option in result.output


SOURCES = ("--base", "{base}", "--overlay", "{overlay}")

CASES: list[tuple[str, ...]] = [
    *(
        ("keys", *SOURCES, "--format", fmt, *extra)
        for fmt in ("table", "json")
        for extra in ((), ("--allow-commands",))
    ),
    ("keys", *SOURCES, "--check"),
    ("keys", *SOURCES, "--check", "--allow-commands"),
    ("keys", *SOURCES, "--provider", "vault", "--allow-commands"),
    ("keys", *SOURCES, "--configured-only", "--format", "json", "--allow-commands", "--no-dotenv"),
    *(("validate", "{overlay}", "--format", fmt) for fmt in ("text", "json", "github")),
    ("validate", "{overlay}", "--strict"),
    *(
        ("merge", *SOURCES, "--emit", emit, "--format", fmt)
        for emit in ("catalog", "overlay")
        for fmt in ("json", "yaml")
    ),
    ("merge", *SOURCES, "--changes"),
    *(("list", *SOURCES, "--format", fmt) for fmt in ("table", "json")),
    *(("show", *SOURCES, "minimax/MiniMax-M3", "--explain", "--format", fmt) for fmt in ("text", "json")),
    *(("show", *SOURCES, "vault/vault-model", "--format", fmt) for fmt in ("text", "json")),
    *(("changes", *SOURCES, "--format", fmt) for fmt in ("text", "json")),
    *(
        (
            "diff-upstream",
            *SOURCES,
            "--upstream-file",
            "{listing}",
            "--map",
            "minimax=minimax",
            "--format",
            fmt,
        )
        for fmt in ("text", "json", "markdown", "github")
    ),
]


def _pieces(secret: str, width: int = 10) -> set[str]:
    return {secret[start : start + width] for start in range(len(secret) - width + 1)}


def _assert_no_leak(text: str, where: str) -> None:
    for secret in ALL_SECRETS:
        assert secret not in text, f"a planted secret leaked in {where}"
        leaked = [piece for piece in _pieces(secret) if piece in text]
        assert not leaked, f"part of a planted secret leaked in {where}: {leaked[0]!r}"


def _run(args: tuple[str, ...], planted: dict[str, str]) -> Any:
    argv = [arg.format(**planted) for arg in args]
    result = CliRunner().invoke(cli, argv, catch_exceptions=True)
    exception_text = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        exception_text = "".join(traceback.format_exception(result.exception))
    return result, exception_text


@pytest.mark.parametrize("args", CASES, ids=lambda args: " ".join(a for a in args if "{" not in a))
def test_no_command_output_contains_a_secret(args: tuple[str, ...], planted: dict[str, str]) -> None:
    if not _available(args[0]):
        pytest.skip(f"`catalogmgr {args[0]}` is not available yet")
    result, exception_text = _run(args, planted)
    _assert_no_leak(result.stdout, "stdout")
    _assert_no_leak(result.stderr, "stderr")
    _assert_no_leak(exception_text, "the exception")
    assert exception_text == "", exception_text  # a crash is a bug, and would have hidden output
    assert result.exit_code in (0, 1), (result.exit_code, result.stderr)


def test_the_secrets_were_really_resolved(planted: dict[str, str]) -> None:
    """The leak test is only meaningful if the keys command did find every planted secret."""
    result, _ = _run(("keys", *SOURCES, "--format", "json", "--allow-commands"), planted)
    statuses = {(key["provider"], key["field"]): key["status"] for key in json.loads(result.stdout)["keys"]}
    assert statuses[("minimax", "apiKey")] == "env"
    assert statuses[("minimax", "headers.X-Api-Key")] == "env"
    assert statuses[("vault", "apiKey")] == "command-ok"
    assert statuses[("vault", "headers.X-Tenant-Token")] == "command-ok"
    assert statuses[("dotenv-gateway", "apiKey")] == "env"
    assert statuses[("openai", "apiKey")] == "env"
    masked = {key["masked"] for key in json.loads(result.stdout)["keys"]}
    assert f"sk-or-…{ENV_SECRET[-4:]}" in masked
    assert f"sk-ant-…{COMMAND_SECRET[-4:]}" in masked


def test_merge_resolve_keys_writes_only_to_the_file(planted: dict[str, str]) -> None:
    if not _available("merge") or not _has_option("merge", "--resolve-keys"):
        pytest.skip("`catalogmgr merge --resolve-keys` is not available yet")
    extra = ("--allow-commands",) if _has_option("merge", "--allow-commands") else ()
    result, exception_text = _run(
        ("merge", *SOURCES, "--emit", "overlay", "--resolve-keys", *extra, "-o", "{out}"), planted
    )
    _assert_no_leak(result.stdout, "stdout")
    _assert_no_leak(result.stderr, "stderr")
    _assert_no_leak(exception_text, "the exception")
    written = Path(planted["out"]).read_text(encoding="utf-8")
    assert ENV_SECRET in written  # asked for: the file holds the resolved keys


# ------------------------------------------------------------------------------------------------
# merge --resolve-keys: every combination of options (issue 13, break 1 and "also noticed")

RESOLVE_COMBINATIONS = [
    (emit, fmt, changes, destination, commands)
    for emit in ("catalog", "overlay")
    for fmt in ("json", "yaml")
    for changes in (False, True)
    for destination in ("file", "stdout", "dash")
    for commands in (False, True)
]


def _before_catalog(stdout: str) -> str:
    """The change-list part of ``merge --changes -o -`` output: lines until the catalog starts."""
    lines = []
    for line in stdout.splitlines():
        if not (line.startswith("+ ") or line.startswith("  ")):
            break
        lines.append(line)
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("emit", "fmt", "changes", "destination", "commands"),
    RESOLVE_COMBINATIONS,
    ids=lambda value: str(value),
)
def test_merge_resolve_keys_prints_resolved_values_only_in_the_requested_output(
    planted: dict[str, str], emit: str, fmt: str, changes: bool, destination: str, commands: bool
) -> None:
    args = ["merge", *SOURCES, "--emit", emit, "--format", fmt, "--resolve-keys"]
    args += ["--changes"] if changes else []
    args += ["--allow-commands"] if commands else []
    args += {"file": ["-o", "{out}"], "stdout": [], "dash": ["-o", "-"]}[destination]
    result, exception_text = _run(tuple(args), planted)
    assert exception_text == "", exception_text
    _assert_no_leak(result.stderr, "stderr")
    if changes and destination == "stdout":
        # Nothing would receive the resolved catalog: refused as a usage error, nothing printed.
        assert result.exit_code == 2, result.stderr
        _assert_no_leak(result.stdout, "stdout")
        return
    assert result.exit_code == 0, result.stderr
    if destination == "file":
        _assert_no_leak(result.stdout, "stdout (the change list)")
        written = Path(planted["out"]).read_text(encoding="utf-8")
        assert ENV_SECRET in written
        assert (COMMAND_SECRET in written) == commands
        assert oct(Path(planted["out"]).stat().st_mode & 0o777) == oct(0o600)
    else:
        _assert_no_leak(_before_catalog(result.stdout) if changes else "", "the change list")
        assert ENV_SECRET in result.stdout  # the catalog itself is the requested output


def test_merge_resolve_keys_refuses_a_terminal_named_with_o(planted: dict[str, str]) -> None:
    """``-o /dev/tty`` (or any terminal device) is a terminal too: refused without --force."""
    import os

    leader, follower = os.openpty()
    try:
        terminal = os.ttyname(follower)
        result, exception_text = _run(("merge", *SOURCES, "--resolve-keys", "-o", terminal), planted)
        assert exception_text == ""
        assert result.exit_code == 2
        assert "terminal" in result.stderr
        os.set_blocking(leader, False)
        try:
            echoed = os.read(leader, 65536).decode("utf-8", "replace")
        except BlockingIOError:
            echoed = ""
        _assert_no_leak(echoed, "the terminal")
    finally:
        os.close(leader)
        os.close(follower)


def test_merge_refuses_to_write_over_its_own_overlay(planted: dict[str, str]) -> None:
    overlay = Path(planted["overlay"])
    before = overlay.read_bytes()
    result, exception_text = _run(("merge", *SOURCES, "-o", "{overlay}"), planted)
    assert exception_text == ""
    assert result.exit_code == 3
    assert "refusing to overwrite an input" in result.stderr
    assert overlay.read_bytes() == before
    result, _ = _run(("merge", *SOURCES, "-o", "{base}"), planted)
    assert result.exit_code == 3


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_doctor_prints_no_secret(planted: dict[str, str], tmp_home: Path, fmt: str) -> None:
    """doctor reads the agent directory's models.yml and .env: keys are reported masked only."""
    if not _available("doctor"):
        pytest.skip("`catalogmgr doctor` is not available yet")
    agent = tmp_home / ".omp" / "agent"
    (agent / "models.yml").write_text(Path(planted["overlay"]).read_text(encoding="utf-8"), encoding="utf-8")
    result, exception_text = _run(("doctor", "--base", "{base}", "--format", fmt), planted)
    assert exception_text == "", exception_text
    assert result.exit_code in (0, 1), result.output
    _assert_no_leak(result.stdout, "stdout")
    _assert_no_leak(result.stderr, "stderr")


@pytest.mark.parametrize("engine", ["omp", "auto", "python"])
def test_merge_resolve_keys_with_every_engine(planted: dict[str, str], engine: str) -> None:
    """--resolve-keys is computed by the Python engine only; with --engine omp it is refused."""
    result, exception_text = _run(
        ("merge", *SOURCES, "--engine", engine, "--resolve-keys", "--changes", "-o", "{out}"), planted
    )
    assert exception_text == "", exception_text
    _assert_no_leak(result.stdout, "stdout")
    _assert_no_leak(result.stderr, "stderr")
    assert result.exit_code in (0, 2, 3), result.output
