"""The one escaping layer for untrusted text on its way out.

Provider names, model ids, keys, messages quoting a user's file, upstream listings and server answers
are all attacker-controllable: a dotfiles repository run through the pre-commit hook, a listing
fetched over the network, a cache file. Before any such text reaches a terminal, a markdown report or
a CI log it passes through one function here, chosen by the destination:

- :func:`terminal` for one-line fields (a name or id inside a line of text output): every control
  character (C0, DEL, C1), every bidi control and every line or paragraph separator becomes a visible
  escape (``\\x1b``, ``\\u202e``), so no escape sequence (OSC 52 clipboard writes, titles, screen
  clears) runs and no line can be forged.
- :func:`terminal_block` for multi-line text (a message with a hint): newlines and tabs stay, the rest
  is escaped as above, and lines that would start a GitHub workflow command are neutralised.
- :func:`markdown` and :func:`markdown_code` for markdown reports (PR bodies).
- :func:`github_data` and :func:`github_property` for ``::error file=...::message`` workflow
  commands, per the runner's escaping rules (``%``, CR, LF; plus ``:`` and ``,`` in properties).
- :func:`guard_workflow_commands` for a whole rendered text document that a CI runner may read: a
  line starting with ``::`` would be executed as a workflow command (``::add-mask::``, ``::error::``).

Escaping is idempotent on safe text: plain ASCII and ordinary Unicode letters pass through unchanged.
"""

from __future__ import annotations

import re

# C0 controls but TAB/LF (handled per destination), DEL, C1 controls (U+0080-U+009F, U+0085 NEL among
# them), bidi embedding/override/isolate controls, LRM/RLM/ALM, line and paragraph separators, and the
# BOM/zero-width no-break space that can hide text.
_ALWAYS_ESCAPED = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff"
_ONE_LINE = re.compile(f"[\t\n{_ALWAYS_ESCAPED}]")
_BLOCK = re.compile(f"[{_ALWAYS_ESCAPED}]")
# The GitHub runner trims each line before looking for `::`, so leading whitespace does not disarm it.
_WORKFLOW_COMMAND_LINE = re.compile(r"^(\s*):(?=:)", re.MULTILINE)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def _visible(match: re.Match[str]) -> str:
    character = match.group(0)
    if character == "\t":
        return "\\t"
    if character == "\n":
        return "\\n"
    if character == "\r":
        return "\\r"
    code = ord(character)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """One-line untrusted text for a terminal or a text log: controls and separators made visible."""
    return _ONE_LINE.sub(_visible, text)


def terminal_block(text: str) -> str:
    """Multi-line untrusted text: newlines and tabs kept, other controls visible, no workflow command."""
    return guard_workflow_commands(_BLOCK.sub(_visible, text.replace("\r\n", "\n")))


def guard_workflow_commands(document: str) -> str:
    """Disarm lines a GitHub Actions runner would execute (``::add-mask::x``) by escaping the colon."""
    return _WORKFLOW_COMMAND_LINE.sub(r"\1\\:", document)


def markdown(text: str) -> str:
    """Untrusted text inside markdown prose or a table cell: no markup, no HTML, no line breaks."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", terminal(text))


_MARKDOWN_CELL_SPECIAL = re.compile(r"([\\`\[\]<>|])")


def markdown_cell(text: str) -> str:
    """Untrusted text in a markdown table cell, lighter than :func:`markdown` so names stay readable.

    One line, no raw HTML (``<``/``>``), no link or image (``[``/``]``), no code span, no column
    break (``|``); parentheses, ``*`` and ``_`` stay: without brackets they cannot form a link,
    and emphasis changes no meaning a reviewer relies on.
    """
    return _MARKDOWN_CELL_SPECIAL.sub(r"\\\1", terminal(text))


def markdown_code(text: str) -> str:
    """Untrusted text as an inline code span: a fence longer than any backtick run inside it."""
    safe = terminal(text)
    longest = max((len(run) for run in re.findall(r"`+", safe)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if safe.startswith("`") or safe.endswith("`") or not safe else ""
    return f"{fence}{padding}{safe}{padding}{fence}"


def github_data(text: str) -> str:
    """The message part of a workflow command (``::error ...::DATA``), per the runner's rules.

    ``%``, CR and LF are escaped as the runner unescapes them; any other control character is made
    visible, since the log viewer would otherwise interpret escape sequences.
    """
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return _BLOCK.sub(_visible, escaped)


def github_property(text: str) -> str:
    """A property value of a workflow command (``file=VALUE``): data rules plus ``:`` and ``,``."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


# Characters json.dumps(ensure_ascii=False) leaves raw: DEL, C1, bidi controls, separators, BOM.
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")


def hides_text(text: str) -> bool:
    """Whether ``text`` holds a character that a written file must spell as an escape.

    These are the characters :func:`json_text` escapes: DEL, C1 controls, bidi controls, line and
    paragraph separators and the BOM. Raw in a YAML or JSON file they reorder or hide what an editor,
    ``cat`` or a code review shows, though the data read back is the same either way.
    """
    return _JSON_RAW.search(text) is not None


def json_text(document: str) -> str:
    """A JSON document safe for a terminal: the controls JSON leaves raw written as ``\\uXXXX``.

    ``json.dumps`` escapes C0 controls but not DEL, C1 controls (U+009B is a CSI on some
    terminals) or bidi overrides. Outside strings a JSON document is ASCII, so every such character
    is inside a string, where ``\\uXXXX`` is the same value: the data is unchanged.
    """
    if document.isascii() and "\x7f" not in document:
        # The usual catalog: nothing to escape; these checks take a millisecond where the
        # regular expression's scan of OMP's 15 MB catalog takes 40 ms.
        return document
    return _JSON_RAW.sub(lambda match: f"\\u{ord(match.group(0)):04x}", document)


def text_output(document: str) -> str:
    """A whole text output (a table, a report, stderr lines) on its way to a terminal or a CI log.

    The last line of defence behind the per-field escapes: controls made visible, workflow-command
    lines disarmed. Newlines and tabs are the document's own and stay.
    """
    return terminal_block(document)


def github_output(document: str) -> str:
    """A ``--format github`` document: its workflow commands stay, any raw control is made visible.

    Its renderer escapes every data and property value with :func:`github_data` and
    :func:`github_property`; this only guarantees no escape sequence reaches the log viewer.
    """
    return _BLOCK.sub(_visible, document)


def for_format(document: str, output_format: str) -> str:
    """The escape for a rendered document by its format name (json, github, anything else: text)."""
    if output_format == "json":
        return json_text(document)
    if output_format == "github":
        return github_output(document)
    return text_output(document)
