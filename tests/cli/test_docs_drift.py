"""Drift guards: every command has help and a summary, and appears in the README with its options."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from catalogmgr.cli import COMMANDS, SUMMARIES, cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_has_help_and_a_summary(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    assert command.help is not None
    assert command.help.strip()
    assert SUMMARIES.get(name)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"catalogmgr {name}" in README


@pytest.mark.parametrize("name", ["merge", "keys", "diff-upstream", "validate"])
def test_the_main_flags_are_in_the_readme(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    documented = {
        flag
        for parameter in command.params
        if isinstance(parameter, click.Option)
        for flag in parameter.opts
        if flag.startswith("--") and flag != "--help"
    }
    missing = sorted(flag for flag in documented if flag not in README)
    assert not missing, f"`catalogmgr {name}` options missing from README.md: {missing}"
