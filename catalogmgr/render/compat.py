"""``catalogmgr validate --omp-version all``: which OMP releases accept each file.

Text: one line per file with a column per profile, then, for each profile that rejects the file,
its first error. JSON: ``{"profiles": [...], "files": [{"file", "accepted_by", "profiles": {...}}]}``.
Untrusted text (file names, messages quoting the file) is escaped by the caller's ``echo``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from catalogmgr.omp.profile import PROFILES, Profile
from catalogmgr.validation import FileReport, releases_phrase

Row = tuple[str, Sequence[tuple[Profile, FileReport]]]

ACCEPTS = "ok"
REJECTS = "REJECTS"


def _first_error(report: FileReport) -> str:
    for problem in report.problems:
        if problem.is_error:
            where = f"line {problem.position.line}: " if problem.position is not None else ""
            return f"{where}{problem.message} ({problem.rule})"
    return ""


def render_matrix_text(rows: Sequence[Row]) -> str:
    """The compatibility matrix as aligned text."""
    ids = [profile.id for profile in PROFILES]
    name_width = max([len("file"), *(len(name) for name, _ in rows)])
    widths = [max(len(identifier), len(REJECTS)) for identifier in ids]
    lines = [
        "  ".join(
            ["file".ljust(name_width), *(i.ljust(w) for i, w in zip(ids, widths, strict=True))]
        ).rstrip()
    ]
    details: list[str] = []
    for name, reports in rows:
        cells = [ACCEPTS if not report.errors else REJECTS for _, report in reports]
        lines.append(
            "  ".join(
                [name.ljust(name_width), *(c.ljust(w) for c, w in zip(cells, widths, strict=True))]
            ).rstrip()
        )
        accepting = [profile for profile, report in reports if not report.errors]
        verdict = (
            f"accepted by {releases_phrase(accepting)}" if accepting else "rejected by every OMP release"
        )
        details.append(f"{name}: {verdict}")
        for profile, report in reports:
            if report.errors:
                details.append(f"  {profile.id} ({profile.covers()}): {_first_error(report)}")
    return "\n".join([*lines, "", *details]) + "\n"


def render_matrix_json(rows: Sequence[Row]) -> str:
    """The compatibility matrix as one JSON document."""
    document = {
        "profiles": [
            {"id": profile.id, "first": str(profile.first), "source": str(profile.source)}
            for profile in PROFILES
        ],
        "files": [
            {
                "file": name,
                "accepted_by": [profile.id for profile, report in reports if not report.errors],
                "profiles": {
                    profile.id: {
                        "errors": report.errors,
                        "warnings": report.warnings,
                        "first_error": _first_error(report),
                    }
                    for profile, report in reports
                },
            }
            for name, reports in rows
        ],
    }
    return json.dumps(document, indent=2) + "\n"
