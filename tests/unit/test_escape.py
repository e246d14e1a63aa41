"""The output escaping layer: controls made visible, workflow commands disarmed, markdown inert."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalogmgr.render import escape

HOSTILE = [
    "\x1b]52;c;ZXZpbA==\x07",  # OSC 52: write the clipboard
    "\x1b]0;owned\x07",  # window title
    "\x1b[2J\x1b[H",  # clear screen
    "evil\u202egnp.exe",  # right-to-left override
    "a\u2028b\u2029c\x85d",  # separators a terminal or a YAML reader may break on
    "\x9b31m",  # C1 CSI
]


@pytest.mark.parametrize("text", HOSTILE)
def test_terminal_leaves_no_control_character(text: str) -> None:
    escaped = escape.terminal(text)
    assert all(ch.isprintable() for ch in escaped), repr(escaped)


def test_terminal_makes_controls_visible() -> None:
    assert escape.terminal("a\x1b[31mb") == "a\\x1b[31mb"
    assert escape.terminal("x\u202ey") == "x\\u202ey"
    assert escape.terminal("one\ntwo") == "one\\ntwo"


def test_plain_text_passes_unchanged() -> None:
    for text in ["openrouter/mistralai/codestral-2508", "MiniMax M3 — 中文 ünïcode", ""]:
        assert escape.terminal(text) == text
        assert escape.terminal_block(text) == text


def test_terminal_block_keeps_lines_but_disarms_workflow_commands() -> None:
    text = "first line\n::add-mask::secret\n  ::error::forged\nlast\x1b[2J"
    escaped = escape.terminal_block(text)
    assert escaped.splitlines()[0] == "first line"
    assert not any(line.strip().startswith("::") for line in escaped.splitlines())
    assert "\x1b" not in escaped


def test_github_escaping_follows_the_runner_rules() -> None:
    assert escape.github_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert escape.github_property("a:b,c") == "a%3Ab%2Cc"
    assert "\x1b" not in escape.github_data("x\x1b]0;t\x07")


def test_markdown_is_inert() -> None:
    assert escape.markdown("<img src=x onerror=alert(1)>") == "\\<img src=x onerror=alert\\(1\\)\\>"
    assert escape.markdown("[click](http://x)") == "\\[click\\]\\(http://x\\)"
    assert escape.markdown_code("a`b") == "``a`b``"
    assert escape.markdown_code("`") == "`` ` ``"


@given(st.text())
def test_terminal_output_is_always_one_printable_line(text: str) -> None:
    escaped = escape.terminal(text)
    assert "\n" not in escaped
    assert "\x1b" not in escaped
    assert not any(0x80 <= ord(ch) <= 0x9F for ch in escaped)


@given(st.text())
def test_no_escaped_document_starts_a_workflow_command(text: str) -> None:
    for line in escape.terminal_block(text).splitlines():
        assert not line.strip().startswith("::")
