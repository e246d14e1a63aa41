"""Rendering a :class:`~catalogmgr.doctor.DoctorReport`: text for a terminal, JSON for bug reports.

Text, one block per finding::

    ok       omp       OMP 18.2.3 at /usr/lib/node_modules
                         catalog: /usr/lib/node_modules/@oh-my-pi/pi-catalog/src/models.json
    error    overlay   /home/me/.omp/agent/models.yml: OMP rejects this file (1 error) ...
                         models.yml:2:3: [error] ...
                         fix: ...

followed by a verdict line. JSON is ``DoctorReport.to_dict()`` (``{"version": 1, "ok": bool,
"summary": {status: count}, "findings": [{area, status, summary, details, fix}]}``). Both pass
through the CLI's escaping layer (file names and messages may hold control characters).
"""

from __future__ import annotations

from catalogmgr.doctor import DoctorReport, Status
from catalogmgr.render.catalog import render_json_document
from catalogmgr.render.escape import terminal

_INDENT = " " * 21


def render_doctor_text(report: DoctorReport) -> str:
    """The report as text blocks, then the verdict."""
    lines: list[str] = []
    for finding in report.findings:
        lines.append(f"{finding.status.value:<8} {finding.area:<9} {finding.summary}")
        lines.extend(f"{_INDENT}{detail}" for detail in finding.details)
        if finding.fix and finding.status is not Status.OK:
            lines.append(f"{_INDENT}fix: {finding.fix}")
    lines.append("")
    lines.append(verdict_line(report))
    # Each finding line stays one line: names from the user's files cannot forge another.
    return "".join(terminal(line) + "\n" for line in lines)


def verdict_line(report: DoctorReport) -> str:
    """``OMP will work with this setup`` or what would break it."""
    errors = sum(finding.status is Status.ERROR for finding in report.findings)
    warnings = sum(finding.status is Status.WARNING for finding in report.findings)
    if errors:
        return f"{errors} problem{'s' if errors != 1 else ''} would break OMP (exit 1); the fixes are above"
    note = f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
    return f"nothing here breaks OMP{note}"


def render_doctor_json(report: DoctorReport) -> str:
    """The JSON document for bug reports."""
    return render_json_document(report.to_dict())
