"""``catalogmgr doctor``: what a user runs first, or pastes into a bug report.

One :class:`Finding` per fact about the setup, each with a status and, when something is off, the
fix: the installed OMP (where, which version, which profile answers for it), the base catalog, the
overlay OMP reads and its verdict, the configured keys that cannot work (masked: only what
:mod:`catalogmgr.keys` reports, which never holds a resolved value), the OMP settings that change
the model list, and the age of the cached upstream listings.

A finding is an ``error`` only when OMP itself would misbehave: a file OMP rejects (it then drops
every provider in it), a configured key that cannot resolve, a base catalog that cannot be read.
Nothing here touches the network or runs a ``!command``; the environment is passed in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from catalogmgr.catalog import (
    BaseCatalog,
    agent_dir,
    base_cannot_answer,
    default_overlay_paths,
    locate_base_catalog,
)
from catalogmgr.documents import load_document
from catalogmgr.errors import CatalogmgrError, InputError
from catalogmgr.keys import KeyReport, report_keys
from catalogmgr.merge import Layer
from catalogmgr.omp.install import InstalledOmp, bun_global_roots, find_installed_omp, npm_global_roots
from catalogmgr.omp.profile import NEWEST_PROFILE, ProfileChoice, select_profile
from catalogmgr.problems import Problem
from catalogmgr.validation import FileReport, check_document, load_failure

# Findings of a validation shown in full; the rest are counted (`catalogmgr validate` shows all).
MAX_PROBLEM_LINES = 5
# Rules validate reports as errors although OMP loads the file: hygiene, not breakage.
_NOT_BREAKING_RULES = frozenset({"literal-secret"})
# OMP settings (config.yml) that change which models exist or their windows, with what they do.
MODEL_SETTINGS: Mapping[str, str] = {
    "extendedContext": "larger context windows and premium long-context tiers where supported",
    "disabledProviders": "these providers' models are hidden",
    "enabledProviders": "only these providers' models are offered",
    "enabledModels": "only these models are offered in the model cycle",
}
# A cached listing older than this is reported as stale (diff-upstream's default max age is hours).
STALE_LISTING_DAYS = 30


class Status(StrEnum):
    """How a finding reads: ``error`` would break OMP (doctor exits 1); the rest do not."""

    OK = "ok"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Finding:
    """One fact about the setup: its area, status, a one-line summary, details and the fix."""

    area: str  # omp, base, overlay, keys, settings, cache
    status: Status
    summary: str
    details: tuple[str, ...] = ()
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``--format json`` record."""
        return {
            "area": self.area,
            "status": self.status.value,
            "summary": self.summary,
            "details": list(self.details),
            "fix": self.fix,
        }


@dataclass(frozen=True)
class DoctorReport:
    """Every finding, in the order a reader checks them."""

    findings: tuple[Finding, ...]

    @property
    def broken(self) -> bool:
        """Something would break OMP (``doctor`` exits 1)."""
        return any(finding.status is Status.ERROR for finding in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The ``--format json`` document (version 1): nothing secret, keys masked."""
        counts = {status.value: 0 for status in Status}
        for finding in self.findings:
            counts[finding.status.value] += 1
        return {
            "version": 1,
            "ok": not self.broken,
            "summary": counts,
            "findings": [finding.to_dict() for finding in self.findings],
        }


@dataclass(frozen=True)
class DoctorInputs:
    """What the doctor looks at, gathered at the edge (the core never reads ``os.environ``).

    ``key_env`` is the environment OMP resolves keys from (the process's plus its dotenv files)
    and ``key_env_sources`` the file each dotenv variable came from.
    """

    env: Mapping[str, str]
    home: Path
    now: datetime
    cache_dir: Path
    key_env: Mapping[str, str] = field(default_factory=dict, repr=False)
    key_env_sources: Mapping[str, str] = field(default_factory=dict)
    base: str | None = None
    requested_version: str | None = None


def diagnose(inputs: DoctorInputs) -> DoctorReport:
    """Look at the whole setup; see the module docstring."""
    installed = find_installed_omp(inputs.env, inputs.home)
    choice = select_profile(inputs.requested_version, inputs.env, installed)
    findings: list[Finding] = [_omp_finding(installed, choice, inputs)]
    base, base_finding = _base_finding(inputs, choice)
    findings.append(base_finding)
    overlay_findings, layers = _overlay_findings(inputs, choice, base)
    findings.extend(overlay_findings)
    findings.append(_keys_finding(layers, inputs))
    findings.append(_settings_finding(inputs))
    findings.append(_cache_finding(inputs))
    return DoctorReport(tuple(findings))


# -- OMP and the base catalog -------------------------------------------------------------------


def _omp_finding(installed: InstalledOmp | None, choice: ProfileChoice, inputs: DoctorInputs) -> Finding:
    profile = f"profile {choice.profile.id} ({choice.profile.covers()}): {choice.reason}"
    if installed is None:
        looked = [*bun_global_roots(inputs.env, inputs.home), *npm_global_roots(inputs.env, inputs.home)]
        return Finding(
            "omp",
            Status.INFO,
            "no installed OMP found",
            (*(f"looked in {root}" for root in looked), profile),
            "nothing to fix if OMP runs elsewhere: catalogmgr answers with its embedded catalog; "
            "`npm install -g @oh-my-pi/pi-coding-agent` (or bun) lets it use your OMP's own",
        )
    details = [f"catalog: {installed.catalog}", profile]
    if installed.bun is not None:
        details.append(f"bun: {installed.bun}")
    if installed.version is None:
        return Finding(
            "omp",
            Status.WARNING,
            f"OMP of unknown version at {installed.root}",
            tuple(details),
            "its package.json is unreadable: reinstall OMP, or pass --omp-version X.Y.Z",
        )
    if choice.version is not None and choice.version > NEWEST_PROFILE.source:
        return Finding(
            "omp",
            Status.WARNING,
            f"{installed.describe()}, newer than the newest release catalogmgr knows "
            f"({NEWEST_PROFILE.source})",
            tuple(details),
            "upgrade catalogmgr (`pip install -U catalogmgr`); answers follow the newest known release",
        )
    return Finding("omp", Status.OK, installed.describe(), tuple(details))


def _base_finding(inputs: DoctorInputs, choice: ProfileChoice) -> tuple[BaseCatalog | None, Finding]:
    try:
        base = locate_base_catalog(inputs.base, inputs.env, inputs.home)
    except CatalogmgrError as error:
        return None, Finding(
            "base",
            Status.ERROR,
            f"the base catalog cannot be loaded: {error}",
            fix="reinstall OMP (its bundled models.json is damaged), or pass --base PATH to a good one",
        )
    models = sum(len(rows) for rows in base.catalog.values())
    summary = f"base catalog: {base.source} ({len(base.catalog):,} providers, {models:,} models)"
    limit = base_cannot_answer(base, choice.version)
    if limit is not None:
        return base, Finding("base", Status.WARNING, summary, (limit,), "pass --base PATH (see above)")
    return base, Finding("base", Status.OK, summary)


# -- the overlay --------------------------------------------------------------------------------


def _overlay_findings(
    inputs: DoctorInputs, choice: ProfileChoice, base: BaseCatalog | None
) -> tuple[list[Finding], list[Layer]]:
    directory = agent_dir(inputs.env, inputs.home)
    found = default_overlay_paths(inputs.env, inputs.home)
    findings: list[Finding] = []
    shadowed = directory / "models.yaml"
    if found and found[0].name == "models.yml" and shadowed.is_file():
        findings.append(
            Finding(
                "overlay",
                Status.WARNING,
                f"{shadowed} is ignored: OMP reads only {found[0]}",
                fix=f"merge it into models.yml (`catalogmgr merge --overlay {found[0]} --overlay {shadowed} "
                f"--emit overlay`), then remove it",
            )
        )
    if not found:
        findings.append(
            Finding(
                "overlay",
                Status.INFO,
                f"no models.yml in {directory}: OMP uses its bundled catalog alone",
                fix="to add models or endpoints: `catalogmgr init --list`, then `catalogmgr init --from X`",
            )
        )
        return findings, []
    path = found[0]
    try:
        document = load_document(path, name=str(path))
    except InputError as error:
        report = load_failure(str(path), error)
        findings.append(_verdict(report, path))
        return findings, []
    base_ok = base is not None and base_cannot_answer(base, choice.version) is None
    report = check_document(
        document,
        "overlay",
        base=base.catalog if base is not None and base_ok else None,
        base_name=base.source if base is not None else "the base catalog",
        profile=choice.profile,
    )
    findings.append(_verdict(report, path))
    data = document.data if isinstance(document.data, Mapping) else {}
    return findings, [Layer(name=str(path), data=data, document=document)]


def _verdict(report: FileReport, path: Path) -> Finding:
    breaking = [p for p in report.problems if p.is_error and p.rule not in _NOT_BREAKING_RULES]
    others = [p for p in report.problems if p not in breaking]
    details = tuple(_problem_lines([*breaking, *others]))
    if breaking:
        return Finding(
            "overlay",
            Status.ERROR,
            f"{path}: OMP rejects this file ({_count(len(breaking), 'error')}) and silently drops every "
            "provider in it",
            details,
            f"fix the lines above; `catalogmgr validate {path}` shows every problem with a hint",
        )
    if others:
        return Finding(
            "overlay",
            Status.WARNING,
            f"{path}: OMP loads it, but {_count(len(others), 'problem')} may not do what you meant",
            details,
            f"`catalogmgr validate {path}` shows each with a hint",
        )
    return Finding("overlay", Status.OK, f"{path}: valid for OMP")


def _problem_lines(problems: Sequence[Problem]) -> list[str]:
    lines = [problem.to_line() for problem in problems[:MAX_PROBLEM_LINES]]
    if len(problems) > MAX_PROBLEM_LINES:
        lines.append(f"... and {len(problems) - MAX_PROBLEM_LINES} more")
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


# -- keys ---------------------------------------------------------------------------------------


def _keys_finding(layers: Sequence[Layer], inputs: DoctorInputs) -> Finding:
    # Commands are never run here (allow_commands=False): a `!command` key is reported as such.
    reports = report_keys(layers, inputs.key_env, env_sources=inputs.key_env_sources)
    configured = [report for report in reports if report.configured]
    broken = [report for report in configured if report.is_problem]
    if not configured:
        return Finding("keys", Status.OK, "no keys configured in models.yml (OMP's own lookup applies)")
    if not broken:
        return Finding("keys", Status.OK, f"{_count(len(configured), 'configured key')}: none known to fail")
    return Finding(
        "keys",
        Status.ERROR,
        f"{_count(len(broken), 'configured key')} will not work",
        tuple(_key_line(report) for report in broken),
        "set the variable (in the environment or ~/.omp/agent/.env), or write its name as "
        "`apiKey: NAME`; `catalogmgr keys` shows every key",
    )


def _key_line(report: KeyReport) -> str:
    # Only the safe forms KeyReport carries: the written form (a variable name, a masked literal)
    # and the message; never a resolved value.
    where = report.location() or report.provider
    written = f" `{report.written}`" if report.written else ""
    return f"{where}: {report.provider} {report.field}{written}: {report.status.value}: {report.message}"


# -- settings and cache -------------------------------------------------------------------------


def _settings_finding(inputs: DoctorInputs) -> Finding:
    path = agent_dir(inputs.env, inputs.home) / "config.yml"
    if not path.is_file():
        return Finding("settings", Status.OK, f"no {path}: OMP's default model settings")
    try:
        data = load_document(path, name=str(path)).data
    except InputError as error:
        return Finding(
            "settings",
            Status.WARNING,
            f"{path} cannot be read: {error}",
            fix="fix its syntax: OMP falls back to default settings when it cannot read it",
        )
    settings = data if isinstance(data, Mapping) else {}
    present = [
        f"{key}: {json.dumps(settings[key], ensure_ascii=False, default=str)[:200]} ({effect})"
        for key, effect in MODEL_SETTINGS.items()
        if key in settings and settings[key] not in (None, False, [], {})
    ]
    if not present:
        return Finding("settings", Status.OK, f"{path}: no setting that changes the models")
    return Finding(
        "settings",
        Status.INFO,
        f"{path}: {_count(len(present), 'setting')} change the model list",
        tuple(present),
        "catalogmgr shows what the files say; `--engine omp` answers under these settings",
    )


def _cache_finding(inputs: DoctorInputs) -> Finding:
    directory = inputs.cache_dir / "upstream"
    entries: list[str] = []
    stale = 0
    try:
        metas = sorted(directory.glob("*.meta.json"))
    except OSError:
        metas = []
    for meta_path in metas:
        entry = _cached_entry(meta_path)
        if entry is None:
            entries.append(f"{meta_path.name}: unreadable (diff-upstream fetches it again)")
            continue
        url, fetched = entry
        days = max(0.0, (inputs.now - fetched).total_seconds() / 86400)
        stale += days > STALE_LISTING_DAYS
        entries.append(f"{url}: fetched {_age(days)} ago")
    if not entries:
        return Finding("cache", Status.OK, f"no cached upstream listings in {directory}")
    summary = f"{_count(len(entries), 'cached upstream listing')} in {directory}"
    if stale:
        return Finding(
            "cache",
            Status.INFO,
            summary,
            tuple(entries),
            f"{stale} older than {STALE_LISTING_DAYS} days: `catalogmgr diff-upstream` refreshes them",
        )
    return Finding("cache", Status.OK, summary, tuple(entries))


def _cached_entry(meta_path: Path) -> tuple[str, datetime] | None:
    """The URL and fetch time of one cached listing (written by :mod:`catalogmgr.upstream.cache`)."""
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(meta, dict) or not isinstance(meta.get("url"), str):
        return None
    stamp = meta.get("fetched_at")
    try:
        fetched = datetime.fromisoformat(stamp) if isinstance(stamp, str) and len(stamp) <= 64 else None
    except ValueError:
        return None
    if fetched is None:
        return None
    return meta["url"][:300], fetched if fetched.tzinfo is not None else fetched.replace(tzinfo=UTC)


def _age(days: float) -> str:
    if days < 1:
        return f"{days * 24:.0f} h"
    return f"{days:.0f} days" if days >= 2 else "1 day"
