"""Differential: each installed OMP release's own verdicts equal the record and catalogmgr's.

For every release under ``$CATALOGMGR_OMP_ROOT`` (``.ci/install-omp.sh``: npm installs of 13.19.0,
14.9.9, 17.3.5, 18.2.0, 18.2.3, ... and the unpacked 18.2.9 / 18.3.4 tarballs), one bun process
loads that release's own models.yml loader and prints its verdict on every corpus file
(``omp_verdicts.ts``). The verdicts must equal ``verdicts/omp-versions.json`` (the record the
everyday suite checks catalogmgr against) and ``catalogmgr validate --omp-version <release>``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from omp_versions import (
    Release,
    corpus,
    disagreements,
    find_bun,
    installed_releases,
    label,
    load_record,
    omp_root,
    release_verdicts,
)

pytestmark = pytest.mark.omp

ROOT = omp_root()
RELEASES = installed_releases(ROOT) if ROOT is not None else []
FILES: dict[str, Path] = {label(path): path for path in corpus()}


@pytest.fixture(scope="module")
def file_bytes() -> dict[str, bytes]:
    return {key: path.read_bytes() for key, path in FILES.items()}


def test_releases_are_installed() -> None:
    if ROOT is None:
        pytest.skip("$CATALOGMGR_OMP_ROOT is not set (run .ci/install-omp.sh; .ci/run sets it)")
    assert RELEASES, f"no OMP release under {ROOT}"


@pytest.mark.parametrize("release", RELEASES, ids=lambda release: release.version)
def test_release_verdicts_equal_the_record_and_catalogmgr(
    release: Release, file_bytes: dict[str, bytes]
) -> None:
    assert ROOT is not None
    bun = find_bun(release, ROOT)
    if bun is None:
        pytest.skip(f"no bun for OMP {release.version} under {ROOT}")
    fresh = {key: str(result["status"]) for key, result in release_verdicts(release, bun, file_bytes).items()}
    assert set(fresh.values()) <= {"ok", "error"}, fresh
    record = load_record()
    if release.version in record:
        # Files added since the record was made are compared with catalogmgr below, not here.
        recorded = {key: status for key, status in record[release.version].items() if key in fresh}
        changed = {key: (status, fresh[key]) for key, status in recorded.items() if status != fresh[key]}
        assert changed == {}, "the record is stale: run tests/compat/omp_versions.py"
    assert disagreements(release.version, fresh, FILES) == []


def test_generated_profile_files_are_up_to_date() -> None:
    """scripts/omp_profiles.py --check: the schemas and tables equal what the releases give today."""
    if ROOT is None:
        pytest.skip("$CATALOGMGR_OMP_ROOT is not set (run .ci/install-omp.sh; .ci/run sets it)")
    from catalogmgr.omp.profile import PROFILES

    installed = {release.version for release in RELEASES}
    missing = sorted({str(profile.source) for profile in PROFILES} - installed)
    if missing:
        pytest.skip(f"releases not installed under {ROOT}: {', '.join(missing)}")
    script = Path(__file__).resolve().parents[2] / "scripts" / "omp_profiles.py"
    completed = subprocess.run(
        [sys.executable, str(script), "--omp-root", str(ROOT), "--check"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
