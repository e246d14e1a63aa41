"""catalogmgr.keys' copy of OMP's API-key environment lookup equals the installed OMP 18.2.3's.

Runs tests/tools/omp_env_keys.ts under OMP's bun; skips when OMP is not installed (see
tests/compat/omp.py for where it is looked for).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from catalogmgr.keys import BUNDLED_ENV_KEYS, COMPUTED_ENV_KEYS, LOGIN_PROVIDERS

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOL = REPO_ROOT / "tests" / "tools" / "omp_env_keys.ts"

pytestmark = pytest.mark.omp


def _omp_driver() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_omp_driver", REPO_ROOT / "tests" / "compat" / "omp.py")
    if spec is None or spec.loader is None:  # pragma: no cover
        pytest.skip("tests/compat/omp.py is missing")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("_omp_driver", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def omp_table() -> dict[str, object]:
    driver = _omp_driver()
    try:
        install = driver.locate_omp()
    except driver.OmpUnavailable as error:
        pytest.skip(str(error))
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
