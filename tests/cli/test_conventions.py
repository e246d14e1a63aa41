"""Conventional CLI (issue 15): the same --format names, -q/--quiet and --color on every command,
colour honouring NO_COLOR/FORCE_COLOR, tables fitted to the terminal width without wrapping."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from catalogmgr.cli import COMMANDS, cli
from catalogmgr.render.style import use_color
from catalogmgr.render.table import Table, render_table

# Commands that print a report for people (and so take --format text|json, -q and --color).
REPORTING = ["list", "show", "changes", "keys", "diff-upstream", "ping", "validate", "doctor"]

FIXTURES = Path(__file__).resolve().parent.parent / "upstream" / "fixtures"
CATALOG = str(FIXTURES / "catalog-small.json")


def _options(name: str) -> dict[str, click.Option]:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    return {flag: param for param in command.params if isinstance(param, click.Option) for flag in param.opts}


@pytest.mark.parametrize("name", [name for name in REPORTING if name in COMMANDS])
def test_every_reporting_command_has_the_conventional_options(name: str) -> None:
    options = _options(name)
    assert "--color" in options
    assert "-q" in options
    assert "--quiet" in options
    choices = options["--format"].type
    assert isinstance(choices, click.Choice)
    assert {"text", "json"} <= set(choices.choices)


def test_no_command_uses_another_name_for_text() -> None:
    for name in COMMANDS:
        option = _options(name).get("--format")
        if option is None or not isinstance(option.type, click.Choice):
            continue
        names = set(option.type.choices)
        assert not names & {"human", "plain", "pretty"}, (name, names)
        if "table" in names:
            assert "text" in names, f"{name}: `table` is only an alias of `text`"


@pytest.fixture
def runner(tmp_home: Path) -> CliRunner:
    return CliRunner()


def test_table_is_an_alias_of_text(runner: CliRunner) -> None:
    args = ["list", "--base", CATALOG, "--no-default-overlay"]
    text = runner.invoke(cli, [*args, "--format", "text"])
    table = runner.invoke(cli, [*args, "--format", "table"])
    assert text.exit_code == table.exit_code == 0
    assert text.stdout == table.stdout
    assert text.stdout.startswith("MODEL")


@pytest.mark.parametrize("name", ["list", "changes", "keys"])
def test_quiet_leaves_out_the_notes(runner: CliRunner, name: str) -> None:
    loud = runner.invoke(cli, [name, "--base", CATALOG, "--no-default-overlay"])
    quiet = runner.invoke(cli, [name, "--base", CATALOG, "--no-default-overlay", "-q"])
    assert "catalogmgr: base:" in loud.stderr
    assert "catalogmgr: base:" not in quiet.stderr
    assert quiet.stdout == loud.stdout


_SGR = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize(
    ("env", "choice", "colored"),
    [
        ({}, "auto", False),  # not a terminal
        ({"FORCE_COLOR": "1"}, "auto", True),
        ({"FORCE_COLOR": "0"}, "auto", False),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, "auto", False),
        ({"NO_COLOR": "1"}, "always", True),
        ({"FORCE_COLOR": "1"}, "never", False),
    ],
)
def test_colour_follows_the_option_and_the_environment(
    tmp_path: Path, tmp_home: Path, env: dict[str, str], choice: str, colored: bool
) -> None:
    overlay = tmp_path / "models.yml"
    overlay.write_text(
        "providers:\n  new:\n    baseUrl: http://127.0.0.1:1/v1\n    api: openai-completions\n"
        "    apiKey: NEW_KEY\n    models:\n      - id: m\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli,
        ["list", "--base", CATALOG, "--overlay", str(overlay), "--color", choice],
        env={"NO_COLOR": "", "FORCE_COLOR": "", **env},
    )
    assert result.exit_code == 0, result.output
    assert bool(_SGR.search(result.stdout)) is colored
    # Colour adds SGR sequences only: no other escape sequence, ever.
    assert "\x1b" not in _SGR.sub("", result.stdout)


def test_colour_never_lets_a_hostile_name_through(tmp_path: Path, tmp_home: Path) -> None:
    overlay = tmp_path / "models.yml"
    name = json.dumps("evil\x1b]52;c;eA==\x07\x1b[31m")
    overlay.write_text(
        "providers:\n  new:\n    baseUrl: http://127.0.0.1:1/v1\n    api: openai-completions\n"
        f"    apiKey: NEW_KEY\n    models:\n      - id: m\n        name: {name}\n",
        encoding="utf-8",
    )
    for command in (["list"], ["changes"], ["show", "new/m"], ["validate", str(overlay), "--strict"]):
        args = [*command, "--color", "always"]
        if command[0] != "validate":
            args += ["--base", CATALOG, "--overlay", str(overlay)]
        result = CliRunner().invoke(cli, args)
        assert "\x1b" not in _SGR.sub("", result.stdout + result.stderr), command


def test_use_color() -> None:
    assert use_color("auto", {}, True) is True
    assert use_color("auto", {}, False) is False
    assert use_color("auto", {"NO_COLOR": "x"}, True) is False
    assert use_color("auto", {"FORCE_COLOR": "3"}, False) is True
    assert use_color("always", {"NO_COLOR": "1"}, False) is True
    assert use_color("never", {"FORCE_COLOR": "1"}, True) is False


def test_tables_fit_the_width_and_never_wrap() -> None:
    rows = [("openrouter/" + "x" * 80, "A long model name " * 5, "openai-completions", "1M", "added")]
    table = Table(("MODEL", "NAME", "API", "CONTEXT", "STATUS"), rows, right={3}, shrinkable=(1, 0, 2))
    for width in (40, 60, 80, 120):
        text = render_table(table, width=width)
        lines = text.split("\n")
        assert len(lines) == 2  # a header and one row: nothing wrapped
        assert all(len(line) <= width for line in lines), (width, lines)
        assert "…" in lines[1]
    wide = render_table(table, width=1000)
    assert "…" not in wide  # room enough: nothing cut
    assert render_table(table).split("\n")[1].startswith("openrouter/" + "x" * 80)  # a pipe: never cut


def test_cells_are_escaped_before_they_are_measured() -> None:
    table = Table(("A", "B"), [("x\x1b[2Jy", "z")])
    text = render_table(table, width=40)
    assert "\x1b" not in text
    assert "x\\x1b[2Jy" in text


# parse prints data for tools and nothing on stderr: no notes to quieten, nothing to colour.
_WITHOUT_OUTPUT_OPTIONS = {"parse"}


@pytest.mark.parametrize("name", [name for name in COMMANDS if name not in _WITHOUT_OUTPUT_OPTIONS])
def test_every_command_takes_quiet_and_color(name: str) -> None:
    options = _options(name)
    assert "--color" in options, name
    assert "-q" in options, name


@pytest.mark.parametrize("name", ["list", "keys"])
def test_tables_on_a_terminal_fit_its_width(
    name: str, tmp_path: Path, tmp_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal (faked: click's runner is not one), rows are cut to $COLUMNS, never wrapped."""
    from catalogmgr.cli import _common

    monkeypatch.setattr(_common, "_is_terminal", lambda stream: True)
    overlay = tmp_path / "models.yml"
    overlay.write_text(
        "providers:\n  a-provider-with-a-rather-long-name:\n    baseUrl: http://127.0.0.1:1/v1\n"
        "    api: openai-completions\n    apiKey: SOME_RATHER_LONG_VARIABLE_NAME_FOR_THE_KEY\n    models:\n"
        f"      - id: {'model-' * 12}x\n        name: {'A very long model name ' * 4}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli,
        [name, "--base", CATALOG, "--overlay", str(overlay), "--color", "never"],
        env={"COLUMNS": "70", "LINES": "24"},
    )
    assert result.exit_code in {0, 1}, result.output
    lines = result.stdout.splitlines()
    assert len(lines) >= 2
    assert all(len(line) <= 70 for line in lines), [len(line) for line in lines]
    assert any("…" in line for line in lines)
