"""Render validation results as text, JSON or GitHub Actions annotations.

One dict, :data:`PROBLEM_RENDERERS`, maps a format name to its renderer and also feeds the
``--format`` choice of ``catalogmgr validate``; ``auto`` is resolved by :func:`resolve_format`.

The JSON shape (``--format json``) is stable; fields are only ever added::

    {
      "version": 1,
      "summary": {"files": 2, "errors": 1, "warnings": 3, "ok": false},
      "files": [{"file": "models.yml", "kind": "overlay", "errors": 1, "warnings": 3}],
      "problems": [
        {"file": "models.yml", "line": 3, "column": 5, "pointer": "/providers/minimax/baseURL",
         "rule": "unknown-key", "severity": "warning",
         "message": "unknown key `baseURL` in provider `minimax`: ...", "hint": "did you mean `baseUrl`?"}
      ]
    }

``line``/``column`` are 1-based and null when unknown; ``kind`` is null for a file that could not
be loaded; ``hint`` is null when there is none; ``ok`` is false when any error was found.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from catalogmgr.problems import Problem
from catalogmgr.render.escape import github_data, github_property, terminal
from catalogmgr.validation import FileReport

JSON_VERSION = 1


@dataclass(frozen=True)
class RenderOptions:
    """What to show: hints (text), warnings (all formats)."""

    hints: bool = True
    warnings: bool = True


def _shown(reports: Sequence[FileReport], options: RenderOptions) -> list[Problem]:
    return [
        problem for report in reports for problem in report.problems if options.warnings or problem.is_error
    ]


def render_text(reports: Sequence[FileReport], options: RenderOptions = RenderOptions()) -> str:
    """yamllint-style lines: ``file:line:col: [level] message (rule)``.

    Unless hints are off, each is followed by an indented line with the JSON pointer of the value
    and the hint: ``    at /providers/minimax/baseURL; hint: did you mean `baseUrl`?``.
    """
    lines: list[str] = []
    for problem in _shown(reports, options):
        lines.append(problem.to_line())
        if not options.hints:
            continue
        details = [f"at {problem.pointer}"] if problem.pointer else []
        if problem.hint:
            details.append(f"hint: {problem.hint}")
        if details:
            lines.append("    " + "; ".join(details))
    # Each problem is one line (and one detail line): quoted names cannot forge further lines.
    return "".join(terminal(line) + "\n" for line in lines)


def render_json(reports: Sequence[FileReport], options: RenderOptions = RenderOptions()) -> str:
    """The stable machine shape documented in this module's docstring."""
    errors = sum(report.errors for report in reports)
    document = {
        "version": JSON_VERSION,
        "summary": {
            "files": len(reports),
            "errors": errors,
            "warnings": sum(report.warnings for report in reports),
            "ok": errors == 0,
        },
        "files": [
            {"file": report.file, "kind": report.kind, "errors": report.errors, "warnings": report.warnings}
            for report in reports
        ],
        "problems": [problem_record(problem) for problem in _shown(reports, options)],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def problem_record(problem: Problem) -> dict[str, object]:
    """One problem as a JSON-ready mapping (the ``problems`` items of :func:`render_json`)."""
    return {
        "file": problem.file,
        "line": problem.position.line if problem.position else None,
        "column": problem.position.column if problem.position else None,
        "pointer": problem.pointer,
        "rule": problem.rule,
        "severity": problem.severity.value,
        "message": problem.message,
        "hint": problem.hint,
    }


def render_github(reports: Sequence[FileReport], options: RenderOptions = RenderOptions()) -> str:
    """GitHub Actions workflow commands: ``::error file=F,line=L,col=C,title=T::message``."""
    lines: list[str] = []
    for problem in _shown(reports, options):
        properties = [f"file={github_property(problem.file)}"]
        if problem.position is not None:
            properties += [f"line={problem.position.line}", f"col={problem.position.column}"]
        properties.append(f"title={github_property(f'catalogmgr ({problem.rule})')}")
        message = problem.message + (f"\nhint: {problem.hint}" if problem.hint else "")
        lines.append(f"::{problem.severity.value} {','.join(properties)}::{github_data(message)}")
    return "".join(line + "\n" for line in lines)


Renderer = Callable[[Sequence[FileReport], RenderOptions], str]

PROBLEM_RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
}

FORMAT_CHOICES: tuple[str, ...] = (*PROBLEM_RENDERERS, "auto")


def resolve_format(name: str, env: Mapping[str, str]) -> str:
    """``auto`` -> ``github`` inside GitHub Actions (``GITHUB_ACTIONS=true``), else ``text``."""
    if name != "auto":
        return name
    return "github" if env.get("GITHUB_ACTIONS") == "true" else "text"


def summary_line(reports: Sequence[FileReport]) -> str:
    """``2 errors, 1 warning in 3 files`` (for stderr after text output)."""
    errors = sum(report.errors for report in reports)
    warnings = sum(report.warnings for report in reports)

    def plural(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {plural(len(reports), 'file')}"
