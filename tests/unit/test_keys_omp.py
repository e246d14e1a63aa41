"""catalogmgr.keys' copy of OMP's API-key environment lookup equals the installed OMP 18.2.3's.

Runs tests/tools/omp_env_keys.ts under OMP's bun; skips when OMP is not installed (see
tests/compat/omp.py for where it is looked for).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from catalogmgr.omp.env_keys import BUNDLED_ENV_KEYS, COMPUTED_ENV_KEYS, LOGIN_PROVIDERS

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOL = REPO_ROOT / "tests" / "tools" / "omp_env_keys.ts"

pytestmark = pytest.mark.omp


@pytest.fixture(scope="module")
def omp_table(omp_install: Any) -> dict[str, object]:
    install = omp_install
    completed = subprocess.run(
        [str(install.bun), "--no-install", str(TOOL), str(install.node_modules)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"},
    )
    assert completed.returncode == 0, completed.stderr
    table: dict[str, object] = json.loads(completed.stdout)
    return table


def test_env_variable_names_match_omp(omp_table: dict[str, object]) -> None:
    expected = {name: tuple(names) for name, names in omp_table["vars"].items()}  # type: ignore[attr-defined]
    assert expected == BUNDLED_ENV_KEYS


def test_computed_lookups_match_omp(omp_table: dict[str, object]) -> None:
    assert omp_table["hooks"] == COMPUTED_ENV_KEYS


def test_login_providers_match_omp(omp_table: dict[str, object]) -> None:
    assert set(omp_table["login"]) == LOGIN_PROVIDERS  # type: ignore[call-overload]
