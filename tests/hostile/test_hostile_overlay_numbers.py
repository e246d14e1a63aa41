"""Extreme numbers in every numeric field of an overlay, through every command and format.

The companion of ``test_hostile_listings.py`` for the other untrusted input, a models.yml: each
numeric field of a custom model and of a modelOverride gets one extreme value (YAML spells
``.inf``, ``.nan``, 400-digit integers, 1e308, -0, tiny floats); every command must answer with
findings or a located error (exit 0/1/3), never a traceback, and JSON outputs must stay JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from catalogmgr.cli import cli

FIXTURES = Path(__file__).resolve().parent.parent / "upstream" / "fixtures"
CATALOG = str(FIXTURES / "catalog-small.json")
LISTING = str(FIXTURES / "openrouter-small.json")

EXTREMES = [
    ".inf",
    "-.inf",
    ".nan",
    "9" * 400,
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "5e-324",
    "-0",
    "0x7fffffffffffffff",
    "1e-400",
]
NUMERIC_FIELDS = ["contextWindow", "maxTokens"]
COST_FIELDS = ["input", "output", "cacheRead", "cacheWrite"]


def _overlay(value: str) -> str:
    numbers = "".join(f"        {field}: {value}\n" for field in NUMERIC_FIELDS)
    cost = "".join(f"          {field}: {value}\n" for field in COST_FIELDS)
    return (
        "providers:\n"
        "  local:\n"
        "    baseUrl: http://127.0.0.1:1/v1\n"
        "    api: openai-completions\n"
        "    apiKey: LOCAL_KEY\n"
        "    models:\n"
        "      - id: m\n"
        f"{numbers}"
        "        cost:\n"
        f"{cost}"
        "  openrouter:\n"
        "    modelOverrides:\n"
        "      anthropic/claude-x:\n"
        f"{numbers}"
        "        cost:\n"
        f"{cost}"
    )


COMMANDS: list[tuple[str, ...]] = [
    ("validate", "{overlay}", "--format", "text"),
    ("validate", "{overlay}", "--format", "json"),
    ("validate", "{overlay}", "--format", "github"),
    ("validate", "{overlay}", "--base", CATALOG),
    ("list", "--format", "text"),
    ("list", "--format", "json"),
    ("show", "openrouter/anthropic/claude-x", "--explain"),
    ("show", "local/m", "--format", "json"),
    ("changes", "--format", "text"),
    ("changes", "--format", "json"),
    ("keys",),
    ("merge",),
    ("merge", "--format", "yaml"),
    ("merge", "--emit", "overlay"),
    ("diff-upstream", "--upstream-file", LISTING, "--format", "json"),
    ("diff-upstream", "--upstream-file", LISTING, "--format", "markdown"),
]


@pytest.mark.parametrize("value", EXTREMES)
def test_every_command_survives_extreme_numbers(value: str, tmp_path: Path, tmp_home: Path) -> None:
    overlay = tmp_path / "models.yml"
    overlay.write_text(_overlay(value), encoding="utf-8")
    for args in COMMANDS:
        argv = [arg.format(overlay=overlay) for arg in args]
        if args[0] != "validate":
            argv += ["--base", CATALOG, "--overlay", str(overlay)]
        result: Result = CliRunner().invoke(cli, argv, catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"{value}: {' '.join(args)} crashed") from result.exception
        assert result.exit_code in {0, 1, 3}, (value, args, result.exit_code, result.output[-1500:])
        if result.exit_code == 3:
            assert "catalogmgr: error: " in result.stderr, (value, args)
        if "json" in args and result.exit_code == 0 and args[0] != "validate":
            json.loads(result.stdout)
        if args[0] == "validate" and "json" in args:
            json.loads(result.stdout)  # findings or not, always one JSON document
        if args == ("merge",) and result.exit_code == 0:
            json.loads(result.stdout)  # the catalog stays JSON (no NaN, no Infinity)
