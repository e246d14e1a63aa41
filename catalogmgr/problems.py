"""Located problems: the values validators produce and every renderer consumes.

A problem is data, not an exception: validation collects them across all files so that one run
reports everything (like yamllint's ``LintProblem``). Failures that stop a run are exceptions from
:mod:`catalogmgr.errors` instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How bad a problem is. Errors fail a run; warnings fail it only under ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Position:
    """A 1-based line and column in a source file."""

    line: int
    column: int


@dataclass(frozen=True)
class Problem:
    """One located finding in one file.

    ``pointer`` is the RFC 6901 JSON pointer of the offending value (``""`` for the root);
    ``rule`` is a stable identifier users can grep for and suppress.
    """

    file: str
    position: Position | None
    pointer: str
    message: str
    rule: str
    severity: Severity = Severity.ERROR
    hint: str | None = field(default=None, compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        """``file:line:col`` (or just ``file`` when the position is unknown)."""
        if self.position is None:
            return self.file
        return f"{self.file}:{self.position.line}:{self.position.column}"

    def to_line(self) -> str:
        """The yamllint-style one-line form: ``file:line:col: [level] message (rule)``."""
        return f"{self.location()}: [{self.severity.value}] {self.message} ({self.rule})"


def pointer_from_path(path: Sequence[str | int]) -> str:
    """Build an RFC 6901 JSON pointer from path segments (escaping ``~`` and ``/``)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def path_from_pointer(pointer: str) -> tuple[str, ...]:
    """Split an RFC 6901 pointer into its (string) segments."""
    if not pointer:
        return ()
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/"))


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Order problems by file, then position (unknown positions last), then pointer."""
    return sorted(
        problems,
        key=lambda p: (
            p.file,
            p.position is None,
            p.position or Position(0, 0),
            p.pointer,
            p.rule,
        ),
    )
