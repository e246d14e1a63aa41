"""Conformance: catalogmgr's verdict on a models.yml equals the real OMP 18.2.3's.

Compared: every example overlay (``tests/examples/{good,bad}/*.{yml,yaml}``), every overlay of the
merge corpus (``tests/compat/overlays/*.yml``), files added later included, and the real users'
files in ``../shared/data/user-models-yml/`` when present. catalogmgr rejects a file (``catalogmgr
validate --kind overlay`` reports an error; the literal-secret rule aside, which OMP does not
have) exactly when OMP rejects it (its registry reports a config error and drops every custom
provider). Warnings do not count.

OMP reads each file, byte for byte, as its ``~/.omp/agent/models.yml``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import corpus_files, example_files, label, shared_user_files
from omp import OmpProbe, OmpResult

validation = pytest.importorskip("catalogmgr.validation", reason="catalogmgr.validation is not there yet")

pytestmark = pytest.mark.omp

# The keys issue's rule: OMP has no notion of it, so it never counts as a rejection here.
NOT_OMP_RULES = frozenset({"literal-secret"})


FILES = example_files() + corpus_files() + shared_user_files()


@pytest.fixture(scope="module")
def omp_verdicts(omp_probe: OmpProbe) -> dict[str, OmpResult]:
    """OMP's verdict on every file: one bun process for all of them (or the cache)."""
    return omp_probe.results({label(path): path.read_bytes() for path in FILES})


def test_there_are_examples_to_compare() -> None:
    assert len(FILES) >= 30, "tests/examples and tests/compat/overlays hold the files compared here"


@pytest.mark.parametrize("path", FILES, ids=label)
def test_verdict_matches_omp(path: Path, omp_verdicts: dict[str, OmpResult]) -> None:
    omp = omp_verdicts[label(path)]
    assert omp.status in {"ok", "error"}, omp
    report = validation.check_path(path, "overlay", name=label(path))
    errors = [
        problem for problem in report.problems if problem.is_error and problem.rule not in NOT_OMP_RULES
    ]
    ours_rejects = bool(errors)
    omp_rejects = not omp.accepted
    if ours_rejects == omp_rejects:
        return
    if omp_rejects:
        pytest.fail(f"OMP rejects {label(path)} but catalogmgr finds no error. OMP says: {omp.error}")
    shown = "\n".join(f"  {problem.location()}: {problem.message} ({problem.rule})" for problem in errors)
    pytest.fail(f"catalogmgr rejects {label(path)} but OMP 18.2.3 accepts it; catalogmgr's errors:\n{shown}")
