"""Conformance: catalogmgr's verdict on a models.yml equals the real OMP 18.2.3's.

Compared: every example overlay (``tests/examples/{good,bad}/*.{yml,yaml}``), every overlay of the
merge corpus (``tests/compat/overlays/*.yml``), the edge cases of ``tests/compat/verdicts/*.yml``,
files added later included, and the real users' files in ``../shared/data/user-models-yml/`` when
present. catalogmgr rejects a file (``catalogmgr validate --kind overlay`` reports an error; the
literal-secret rule aside, which OMP does not have) exactly when OMP rejects it (its registry
reports a config error and drops every custom provider). Warnings do not count. The errors
catalogmgr gives on purpose where OMP accepts are in :data:`KNOWN_VERDICT_DIVERGENCES`.

OMP reads each file, byte for byte, as its ``~/.omp/agent/models.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from corpus import corpus_files, example_files, label, shared_user_files, verdict_files
from omp import OmpProbe, OmpResult

validation = pytest.importorskip("catalogmgr.validation", reason="catalogmgr.validation is not there yet")

pytestmark = pytest.mark.omp

# The keys issue's rule: OMP has no notion of it, so it never counts as a rejection here.
NOT_OMP_RULES = frozenset({"literal-secret"})


FILES = example_files() + corpus_files() + verdict_files() + shared_user_files()


@dataclass(frozen=True)
class KnownVerdictDivergence:
    """An error catalogmgr reports on purpose on files OMP 18.2.3 accepts; the reason is for the
    README. It excuses a file only when every error catalogmgr reports on it is one of these."""

    rule: str
    message: str  # a part of the problem's message
    reason: str

    def covers(self, problem: Any) -> bool:
        return bool(problem.rule == self.rule and self.message in problem.message)


KNOWN_VERDICT_DIVERGENCES: tuple[KnownVerdictDivergence, ...] = (
    KnownVerdictDivergence(
        rule="encoding",
        message="not valid UTF-8",
        reason="OMP reads models.yml with Node's utf-8 decoding, which silently replaces invalid bytes "
        "with U+FFFD, and goes on with the damaged values (a baseUrl or key with a replacement "
        "character in it). catalogmgr reports the byte and its position as an error (the foundation "
        "issue asks for it): such a file never does what its author meant.",
    ),
    KnownVerdictDivergence(
        rule="schema",
        message="top level of the file must be a mapping, not a list",
        reason="OMP's schema checker takes a YAML list (or a file of several YAML documents, which "
        "Bun parses into a list) as an object without `providers`, so it accepts the file and "
        "applies nothing from it. catalogmgr reports the non-mapping root as an error (the "
        "foundation issue asks for it): OMP ignoring the whole file silently is the failure users "
        "want caught.",
    ),
)


@pytest.fixture(scope="module")
def omp_verdicts(omp_probe: OmpProbe) -> dict[str, OmpResult]:
    """OMP's verdict on every file: one bun process for all of them (or the cache)."""
    return omp_probe.results({label(path): path.read_bytes() for path in FILES})


def test_there_are_examples_to_compare() -> None:
    assert len(FILES) >= 30, "tests/examples and tests/compat/overlays hold the files compared here"


_used_divergences: set[KnownVerdictDivergence] = set()
_compared: set[str] = set()


@pytest.mark.parametrize("path", FILES, ids=label)
def test_verdict_matches_omp(path: Path, omp_verdicts: dict[str, OmpResult]) -> None:
    omp = omp_verdicts[label(path)]
    assert omp.status in {"ok", "error"}, omp
    report = validation.check_path(path, "overlay", name=label(path))
    errors = [
        problem for problem in report.problems if problem.is_error and problem.rule not in NOT_OMP_RULES
    ]
    _compared.add(label(path))
    ours_rejects = bool(errors)
    omp_rejects = not omp.accepted
    if ours_rejects == omp_rejects:
        return
    if omp_rejects:
        pytest.fail(f"OMP rejects {label(path)} but catalogmgr finds no error. OMP says: {omp.error}")
    excuses = [next((d for d in KNOWN_VERDICT_DIVERGENCES if d.covers(problem)), None) for problem in errors]
    if all(excuse is not None for excuse in excuses):
        _used_divergences.update(excuse for excuse in excuses if excuse is not None)
        return
    shown = "\n".join(f"  {problem.location()}: {problem.message} ({problem.rule})" for problem in errors)
    pytest.fail(f"catalogmgr rejects {label(path)} but OMP 18.2.3 accepts it; catalogmgr's errors:\n{shown}")


def test_known_verdict_divergences_still_occur() -> None:
    """An allow-list entry no file needs any more must go (runs after the verdict tests)."""
    if _compared != {label(path) for path in FILES}:
        pytest.skip("only meaningful when every file was compared in this run")
    stale = [entry for entry in KNOWN_VERDICT_DIVERGENCES if entry not in _used_divergences]
    assert not stale, "known verdict divergences that no longer occur:\n" + "\n".join(map(str, stale))
