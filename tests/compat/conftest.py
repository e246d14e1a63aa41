"""Fixtures for the differential tests against the real OMP 18.2.3 (see omp.py for the driver).

Every test here skips, with the reason, when OMP or its bun is not installed: run
``bash .ci/install-omp.sh`` and export ``CATALOGMGR_OMP_DIR=.ci/omp/node_modules`` (``.ci/run`` does).
"""

from __future__ import annotations

import pytest
from omp import OmpInstall, OmpProbe, OmpUnavailable, locate_omp


@pytest.fixture(scope="session")
def omp_install() -> OmpInstall:
    try:
        return locate_omp()
    except OmpUnavailable as exc:
        pytest.skip(f"the real OMP is not available: {exc}")


@pytest.fixture(scope="session")
def omp_probe(omp_install: OmpInstall) -> OmpProbe:
    """OMP's verdicts and catalogs, cached on disk across runs (see omp.default_cache_dir)."""
    return OmpProbe(omp_install)
