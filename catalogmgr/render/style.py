"""Colour for text outputs: when to use it, and the few things it marks.

Colour is decided once per stream (:func:`use_color`): ``--color always`` / ``never`` win; with
``auto`` (the default), a non-empty ``NO_COLOR`` turns it off (https://no-color.org), a
non-empty ``FORCE_COLOR`` (other than ``0``) turns it on, else it is on for a terminal only.
Highlighters run on text that has already been escaped (:mod:`catalogmgr.render.escape`), so the
only escape sequences in the output are the ones added here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

COLOR_CHOICES = ("auto", "always", "never")

RED = "31"
GREEN = "32"
YELLOW = "33"
BOLD_RED = "1;31"


def use_color(choice: str, env: Mapping[str, str], is_terminal: bool) -> bool:
    """Whether to colour a stream: ``choice`` (auto/always/never), the environment, the stream."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if env.get("NO_COLOR", ""):
        return False
    force = env.get("FORCE_COLOR", "")
    if force and force != "0":
        return True
    return is_terminal


def paint(text: str, code: str) -> str:
    """``text`` in an SGR colour, reset after."""
    return f"\x1b[{code}m{text}\x1b[0m"


_PROBLEM_LEVEL = re.compile(r"\[(error|warning)\]")
_STATUS_AT_END = re.compile(r"(?m)(?<=  )(added|changed)$")
_NEW_MODEL_LINE = re.compile(r"(?m)^\+ .*$")


def highlight_problems(text: str) -> str:
    """``[error]`` in bold red, ``[warning]`` in yellow (validate's and the merge family's lines)."""
    return _PROBLEM_LEVEL.sub(
        lambda match: paint(match.group(0), BOLD_RED if match.group(1) == "error" else YELLOW), text
    )


def highlight_status(text: str) -> str:
    """``list``'s STATUS column: added in green, changed in yellow."""
    return _STATUS_AT_END.sub(
        lambda match: paint(match.group(0), GREEN if match.group(1) == "added" else YELLOW), text
    )


def highlight_changes(text: str) -> str:
    """``changes``: new-model lines in green."""
    return _NEW_MODEL_LINE.sub(lambda match: paint(match.group(0), GREEN), text)


Highlighter = Callable[[str], str]
