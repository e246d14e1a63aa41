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


def test_markdown_cell_keeps_names_readable_and_inert() -> None:
    assert escape.markdown_cell("MiniMax: M3 (free)") == "MiniMax: M3 (free)"
    assert escape.markdown_cell("a|b<img>[x](y)`c`") == "a\\|b\\<img\\>\\[x\\](y)\\`c\\`"
    assert escape.markdown_cell("x\n::error::y") == "x\\\\n::error::y"  # renders as x\\n::error::y


def test_json_text_escapes_what_json_leaves_raw_without_changing_the_data() -> None:
    import json

    value = {"name": "a\x9b31m\u202eb\u2028c\x7f", "é": "ü"}
    document = json.dumps(value, ensure_ascii=False)
    safe = escape.json_text(document)
    assert json.loads(safe) == value
    assert not any(ch in safe for ch in "\x9b\u202e\u2028\x7f")
    assert "é" in safe  # ordinary Unicode stays


def test_json_text_escapes_del_in_an_ascii_document() -> None:
    import json

    document = json.dumps({"name": "a\x7fb"})  # ASCII throughout, DEL left raw by json.dumps
    assert document.isascii()
    assert escape.json_text(document) == '{"name": "a\\u007fb"}'
    plain = json.dumps({"name": "ab"})
    assert escape.json_text(plain) is plain  # nothing to escape: the same text back


@given(st.text())
def test_json_text_is_always_the_same_data(text: str) -> None:
    import json

    document = json.dumps({"k": text, text: [text]}, ensure_ascii=False)
    assert json.loads(escape.json_text(document)) == json.loads(document)


def test_for_format_chooses_the_escape() -> None:
    hostile = "x\x1b]0;t\x07\n::add-mask::y\n"
    assert escape.for_format(hostile, "text") == "x\\x1b]0;t\\x07\n\\::add-mask::y\n"
    assert escape.for_format("::error::a\x1b", "github") == "::error::a\\x1b"
    assert escape.for_format('{"a": "\x9b"}', "json") == '{"a": "\\u009b"}'


def test_emitted_yaml_escapes_bidi_controls_and_keeps_the_data() -> None:
    from catalogmgr.documents import parse_document
    from catalogmgr.render.catalog import render_yaml_data

    data = {"providers": {"p\u202e": {"name": "x\u202ey\u2066z\u200f\x9b"}}}
    text = render_yaml_data(data)
    assert not any(ch in text for ch in "\u202e\u2066\u200f\x9b")
    assert parse_document(text, name="x.yml", fmt="yaml").data == data


_HIDDEN = "\u202e\u2066\u200f\x9b\ufeff\u2028"


@given(
    st.dictionaries(
        st.text(alphabet=st.sampled_from(f"ab日 :#{_HIDDEN}"), min_size=1, max_size=6),
        st.text(alphabet=st.sampled_from(f"ab日 :#'\"{_HIDDEN}"), max_size=8),
        min_size=1,
        max_size=4,
    )
)
def test_overlay_written_over_a_users_yaml_never_holds_a_hidden_character(values: dict[str, str]) -> None:
    """The comment-keeping path (ruamel's emitter) escapes what the plain emitter escapes."""
    from catalogmgr.documents import parse_document
    from catalogmgr.render.catalog import render_overlay_yaml

    first = parse_document("# mine\nproviders:\n  acme:\n    name: old\n", name="m.yml", fmt="yaml")
    composed = {"providers": {"acme": {"name": "new", **values}}}
    text = render_overlay_yaml(composed, first)
    assert text.startswith("# mine\n")
    assert not any(ch in text for ch in _HIDDEN)
    assert parse_document(text, name="m.yml", fmt="yaml").data == composed


def test_overlay_written_over_a_users_yaml_keeps_readable_text_readable() -> None:
    from catalogmgr.documents import parse_document
    from catalogmgr.render.catalog import render_overlay_yaml

    first = parse_document("providers:\n  acme:\n    name: old\n", name="m.yml", fmt="yaml")
    text = render_overlay_yaml({"providers": {"acme": {"name": "日本 model", "alias": "x\u202ey"}}}, first)
    assert "日本 model" in text
    assert '"x\\u202Ey"' in text


@given(st.text())
def test_text_output_never_runs_a_workflow_command_or_an_escape(text: str) -> None:
    safe = escape.text_output(text)
    assert not any(line.strip().startswith("::") for line in safe.split("\n"))
    assert not any((ord(ch) < 0x20 and ch not in "\n\t") or 0x7F <= ord(ch) <= 0x9F for ch in safe)


@given(st.text())
def test_github_output_keeps_one_line_per_command(text: str) -> None:
    line = f"::error title={escape.github_property(text)}::{escape.github_data(text)}"
    safe = escape.github_output(line)
    assert "\n" not in safe
    assert "\r" not in safe
    assert not any(
        0x7F <= ord(ch) <= 0x9F or (ord(ch) < 0x20 and ch != "\t") for ch in safe
    )  # a tab is inert
