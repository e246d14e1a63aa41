"""Accepted differences: the ``--ignore-file`` of ``catalogmgr diff-upstream``.

Sources disagree with each other and with what a provider really serves (pitfall 7: MiniMax M3's
context window is 1,048,576 on OpenRouter, 524,288 for its top provider, 1,000,000 at MiniMax).
Once a user has looked at a difference and decided the catalog is right, the same drift must not
be reported forever. An ignore file records that decision, with the reason, in YAML (or JSON)::

    # catalogmgr diff-upstream ignore file
    version: 1
    ignore:
      - provider: openrouter            # local provider (default: any)
        model: minimax/minimax-m3*      # local or upstream id, a glob: * ? [...] (default: any)
        kind: changed                   # new | changed | removal | gone (default: any)
        field: contextWindow            # for `changed`: one field or `cost` (default: every field)
        upstream: 1048576               # accept only while upstream says exactly this (optional)
        source: openrouter              # openrouter | models.dev (default: any)
        until: 2026-12-31               # the rule stops applying after this day (optional)
        reason: MiniMax's own endpoint serves 1,000,000; OpenRouter lists its longest route

Every rule needs a non-empty ``reason`` and at least one of ``provider``, ``model``, ``kind``,
``field``, ``source``. ``upstream`` needs a single ``field`` and pins the accepted value: when
upstream changes again, the drift is reported again. Prices in ``upstream`` are USD per million,
as in the catalog. A rule applies to a drift record when all its keys match; for ``changed``
records a rule with ``field`` accepts only that field and the rest stays reported.

Mistakes in the file are reported as located problems (``file:line:col``), all at once.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from catalogmgr.drift.diff import (
    COMPARED_FIELDS,
    FIELD_GROUPS,
    KINDS,
    Drift,
    DriftReport,
    FieldDrift,
    IgnoredDrift,
)
from catalogmgr.errors import InputError
from catalogmgr.problems import Problem, Severity, pointer_from_path
from catalogmgr.upstream.normalize import DEFAULT_TOLERANCE, numbers_match, to_decimal

IGNORE_FORMAT_VERSION = 1
_RULE_KEYS = ("provider", "model", "kind", "field", "upstream", "source", "until", "reason")
_SELECTORS = ("provider", "model", "kind", "field", "source")
_SOURCES = ("openrouter", "models.dev")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class IgnoreRule:
    """One accepted difference. ``location`` is ``file:line`` for messages."""

    reason: str
    location: str
    provider: str | None = None
    model: str | None = None
    kind: str | None = None
    fields: tuple[str, ...] | None = None
    upstream: Any = None
    has_upstream: bool = False
    source: str | None = None
    until: date | None = None


class IgnoreFileError(InputError):
    """The ignore file has mistakes; ``problems`` holds every one of them, located."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"invalid ignore file ({len(problems)} error(s))", file=file, rule="ignore-file")


def load_ignore_file(path: str | Path, *, name: str | None = None) -> list[IgnoreRule]:
    """Read and validate an ignore file. Raises :class:`IgnoreFileError` (or InputError when it
    cannot be read or parsed at all)."""
    from catalogmgr.documents import load_document

    document = load_document(path, name=name)
    rules, problems = parse_ignore_rules(document)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise IgnoreFileError(document.name, errors)
    return rules


class _Problems:
    """Collects located problems for one document."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.found: list[Problem] = []

    def __call__(self, path: Sequence[str | int], message: str, *, key: bool = False) -> None:
        pointer = pointer_from_path(path)
        position = self.document.key_position(pointer) if key else self.document.position(pointer)
        self.found.append(
            Problem(self.document.name, position, pointer, message, "ignore-file", Severity.ERROR)
        )


def parse_ignore_rules(document: Any) -> tuple[list[IgnoreRule], list[Problem]]:
    """Rules and located problems from a loaded :class:`~catalogmgr.documents.Document`."""
    problem = _Problems(document)
    data = document.data
    if data is None:
        return [], []  # an empty file accepts nothing, which is fine
    if not isinstance(data, dict):
        problem([], "an ignore file is a mapping with an `ignore:` list")
        return [], problem.found
    for key in data:
        if key not in ("version", "ignore"):
            problem([key], f"unknown key {key!r}; an ignore file has `version` and `ignore`", key=True)
    if "version" in data and data["version"] != IGNORE_FORMAT_VERSION:
        problem(["version"], f"unsupported version {data['version']!r}; this catalogmgr reads version 1")
    entries = data.get("ignore", [])
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        problem(["ignore"], "`ignore` must be a list of rules")
        return [], problem.found
    rules: list[IgnoreRule] = []
    for index, entry in enumerate(entries):
        rule = _parse_rule(entry, index, problem)
        if rule is not None:
            rules.append(rule)
    return rules, problem.found


def _parse_rule(entry: Any, index: int, problem: _Problems) -> IgnoreRule | None:
    path: list[str | int] = ["ignore", index]
    if not isinstance(entry, dict):
        problem(
            path,
            "each rule is a mapping with at least `reason` and one of "
            + ", ".join(f"`{s}`" for s in _SELECTORS),
        )
        return None
    before = len(problem.found)
    for key in entry:
        if key not in _RULE_KEYS:
            close = difflib.get_close_matches(str(key), _RULE_KEYS, n=1, cutoff=0.7)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            problem([*path, key], f"unknown key {key!r} in an ignore rule{hint}", key=True)
    strings: dict[str, str | None] = {}
    for key in ("provider", "model", "kind", "field", "source", "reason"):
        value = entry.get(key)
        if value is None:
            strings[key] = None
            if key in entry:
                problem([*path, key], f"`{key}` is empty")
            continue
        if not isinstance(value, str) or not value.strip():
            problem([*path, key], f"`{key}` must be a non-empty string")
            strings[key] = None
            continue
        strings[key] = value.strip()
    if "reason" not in entry:
        problem(path, "a rule needs a `reason`: why this difference is accepted")
    if not any(key in entry for key in _SELECTORS):
        problem(
            path,
            "a rule needs at least one of "
            + ", ".join(f"`{s}`" for s in _SELECTORS)
            + " (it would accept every difference)",
        )
    kind = strings["kind"]
    if kind is not None and kind not in KINDS:
        problem([*path, "kind"], f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    source = strings["source"]
    if source is not None and source not in _SOURCES:
        problem([*path, "source"], f"unknown source {source!r}; one of {', '.join(_SOURCES)}")
    fields: tuple[str, ...] | None = None
    field_name = strings["field"]
    if field_name is not None:
        if field_name in FIELD_GROUPS:
            fields = FIELD_GROUPS[field_name]
        elif field_name in COMPARED_FIELDS:
            fields = (field_name,)
        else:
            problem(
                [*path, "field"],
                f"unknown field {field_name!r}; one of " + ", ".join([*COMPARED_FIELDS, *FIELD_GROUPS]),
            )
        if kind is not None and kind != "changed":
            problem([*path, "field"], f"`field` applies only to kind `changed`, not {kind!r}")
    if "upstream" in entry and (fields is None or len(fields) != 1):
        problem([*path, "upstream"], "`upstream` pins one field's value: give a single `field` too")
    until: date | None = None
    if "until" in entry:
        raw_until = entry["until"]
        if isinstance(raw_until, str) and _DATE.match(raw_until.strip()):
            try:
                until = date.fromisoformat(raw_until.strip())
            except ValueError:
                problem([*path, "until"], f"{raw_until!r} is not a real date")
        else:
            problem([*path, "until"], "`until` must be a date written YYYY-MM-DD")
    if len(problem.found) > before:
        return None
    position = problem.document.position(pointer_from_path(path))
    location = f"{problem.document.name}:{position.line}" if position is not None else problem.document.name
    return IgnoreRule(
        reason=strings["reason"] or "",
        location=location,
        provider=strings["provider"],
        model=strings["model"],
        kind=kind,
        fields=fields,
        upstream=entry.get("upstream"),
        has_upstream="upstream" in entry,
        source=source,
        until=until,
    )


# ------------------------------------------------------------------------------------------------
# Applying the rules


def apply_ignores(
    report: DriftReport,
    rules: Sequence[IgnoreRule],
    *,
    today: date,
    compared_providers: Sequence[str] | None = None,
) -> DriftReport:
    """Move accepted drift from ``report.drift`` to ``report.ignored``; note expired and unused rules."""
    live = [rule for rule in rules if rule.until is None or rule.until >= today]
    notes = [
        f"ignore rule at {rule.location} expired on {rule.until.isoformat()}: no longer applied"
        for rule in rules
        if rule.until is not None and rule.until < today
    ]
    used: set[int] = set()
    kept: list[Drift] = []
    ignored: list[IgnoredDrift] = list(report.ignored)
    for drift in report.drift:
        remaining: Drift | None = drift
        for index, rule in enumerate(live):
            if remaining is None:
                break
            if not _rule_selects(rule, remaining, report.source):
                continue
            if remaining.kind == "changed" and rule.fields is not None:
                accepted = tuple(f for f in remaining.fields if _accepts_field(rule, f))
                if not accepted:
                    continue
                left = tuple(f for f in remaining.fields if f not in accepted)
                ignored.append(IgnoredDrift(replace(remaining, fields=accepted), rule.reason, rule.location))
                remaining = replace(remaining, fields=left) if left else None
            else:
                ignored.append(IgnoredDrift(remaining, rule.reason, rule.location))
                remaining = None
            used.add(index)
        if remaining is not None:
            kept.append(remaining)
    compared = set(compared_providers) if compared_providers is not None else None
    for index, rule in enumerate(live):
        if index in used:
            continue
        if rule.source is not None and rule.source != report.source:
            continue
        if rule.provider is not None and compared is not None and rule.provider not in compared:
            continue
        notes.append(f"ignore rule at {rule.location} matched nothing (is the drift gone? remove the rule)")
    return replace(report, drift=tuple(kept), ignored=tuple(ignored), notes=(*report.notes, *notes))


def _rule_selects(rule: IgnoreRule, drift: Drift, source: str) -> bool:
    if rule.source is not None and rule.source != source:
        return False
    if rule.provider is not None and rule.provider != drift.provider:
        return False
    if rule.kind is not None and rule.kind != drift.kind:
        return False
    if rule.fields is not None and drift.kind != "changed":
        return False
    if rule.model is not None:
        return fnmatch.fnmatchcase(drift.model_id, rule.model) or fnmatch.fnmatchcase(
            drift.upstream_id, rule.model
        )
    return True


def _accepts_field(rule: IgnoreRule, change: FieldDrift) -> bool:
    if rule.fields is None or change.field not in rule.fields:
        return False
    if not rule.has_upstream:
        return True
    return values_equal(change.upstream, rule.upstream)


def values_equal(upstream: Any, pinned: Any) -> bool:
    """Whether a pinned ``upstream:`` value (as written in YAML) equals a normalised upstream value."""
    if isinstance(upstream, bool) or isinstance(pinned, bool):
        return upstream is pinned
    if isinstance(upstream, (int, Decimal)):
        pinned_number = to_decimal(pinned)
        return pinned_number is not None and numbers_match(
            Decimal(upstream), pinned_number, DEFAULT_TOLERANCE
        )
    if isinstance(upstream, tuple):
        return isinstance(pinned, list) and set(pinned) == set(upstream)
    return bool(upstream == pinned)
