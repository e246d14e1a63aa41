"""The embedded catalog: OMP 18.2.3's complete bundled catalog, shipped compressed in the package.

The issue this answers: with a 126-model sample, a user without OMP was told that overrides of
real models "match nothing". With the complete catalog, a user with an empty HOME and no OMP gets
the same verdicts and values as one running OMP 18.2.3 (the last tests hold that, through the CLI).
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from catalogmgr.catalog import (
    embedded_catalog_info,
    load_embedded_default,
    locate_base_catalog,
)
from catalogmgr.omp import install as install_module

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = REPO_ROOT / "catalogmgr" / "data"
REAL_CATALOG = ("data", "omp", "pi-catalog-18.2.3.models.json")

# The case: a model OMP 18.2.3 has and the old sample did not.
CODESTRAL_OVERLAY = """\
providers:
  openrouter:
    modelOverrides:
      mistralai/codestral-2508:
        contextWindow: 200000
        name: Codestral (my override)
"""


def _refresh_script() -> ModuleType:
    path = REPO_ROOT / "scripts" / "refresh_embedded_catalog.py"
    spec = importlib.util.spec_from_file_location("refresh_embedded_catalog", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _omp_18_2_3_catalog(shared: Callable[..., Path]) -> Path:
    """OMP 18.2.3's models.json: the installed OMP's ($CATALOGMGR_OMP_DIR), else ../shared's copy."""
    omp_dir = os.environ.get("CATALOGMGR_OMP_DIR")
    if omp_dir:
        installed = Path(omp_dir) / "@oh-my-pi/pi-catalog/src/models.json"
        version = install_module.read_package_version(Path(omp_dir) / "@oh-my-pi/pi-catalog/package.json")
        if installed.is_file() and str(version) == "18.2.3":
            return installed
    return shared(*REAL_CATALOG)


@pytest.fixture(autouse=True)
def _no_system_roots(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's own /usr/lib/node_modules must not count as an installed OMP here."""
    monkeypatch.setattr(install_module, "SYSTEM_NPM_ROOTS", ())


def test_ships_inside_the_package_with_its_meta_and_licence() -> None:
    data = resources.files("catalogmgr").joinpath("data")
    for name in ("omp-catalog.json.gz", "omp-catalog.meta.json", "omp-catalog.LICENSE"):
        assert data.joinpath(name).is_file(), name
    assert "MIT License" in data.joinpath("omp-catalog.LICENSE").read_text(encoding="utf-8")
    assert not data.joinpath("default-catalog.json").is_file()  # the old sample is gone


def test_meta_describes_the_compressed_bytes_exactly() -> None:
    raw = gzip.decompress((DATA / "omp-catalog.json.gz").read_bytes())
    info = embedded_catalog_info()
    meta = json.loads((DATA / "omp-catalog.meta.json").read_text(encoding="utf-8"))
    assert (info.package, str(info.version)) == ("@oh-my-pi/pi-catalog", "18.2.3")
    assert hashlib.sha256(raw).hexdigest() == info.sha256
    assert len(raw) == info.size
    assert meta["compressedBytes"] == (DATA / "omp-catalog.json.gz").stat().st_size
    catalog = load_embedded_default()
    assert len(catalog) == info.providers
    assert sum(len(models) for models in catalog.values()) == info.models
    assert catalog == json.loads(raw)


def test_is_omp_18_2_3s_catalog_byte_for_byte(shared: Callable[..., Path]) -> None:
    real = _omp_18_2_3_catalog(shared).read_bytes()
    assert hashlib.sha256(real).hexdigest() == embedded_catalog_info().sha256


def test_refresh_script_reproduces_the_files() -> None:
    omp_dir = os.environ.get("CATALOGMGR_OMP_DIR")
    if not omp_dir or not (Path(omp_dir) / "@oh-my-pi/pi-catalog/package.json").is_file():
        pytest.skip("OMP is not installed (set CATALOGMGR_OMP_DIR to its node_modules)")
    script = _refresh_script()
    version = install_module.read_package_version(Path(omp_dir) / "@oh-my-pi/pi-catalog/package.json")
    if str(version) != str(embedded_catalog_info().version):
        pytest.skip(f"the installed OMP is {version}, the embedded catalog {embedded_catalog_info().version}")
    files = script.build(Path(omp_dir))
    for path, content in files.items():
        assert path.read_bytes() == content, f"{path.name} is out of date: run the refresh script"


def test_is_the_base_when_nothing_is_installed(tmp_path: Path) -> None:
    found = locate_base_catalog(None, {}, tmp_path)
    assert found.is_embedded
    assert found.catalog is load_embedded_default()  # parsed once per process
    assert "mistralai/codestral-2508" in found.catalog["openrouter"]


def _fresh_machine(tmp_home: Path, overlay_text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine with no OMP: an empty HOME, and none of the variables that name an OMP (CI sets
    $CATALOGMGR_OMP_DIR for the differential tests, which would hand `merge` to OMP itself)."""
    from catalogmgr.omp.install import installed_catalog_candidates

    for variable in ("CATALOGMGR_OMP_DIR", "CATALOGMGR_ENGINE", "CATALOGMGR_OMP_VERSION", "CATALOGMGR_BASE"):
        monkeypatch.delenv(variable, raising=False)
    if any(path.is_file() for path in installed_catalog_candidates({}, tmp_home)):
        pytest.skip("this machine has a system-wide OMP install")
    overlay = tmp_home / "overlay.yml"
    overlay.write_text(overlay_text, encoding="utf-8")
    return overlay


def test_no_omp_gives_omp_18_2_3s_verdict_and_values(
    run_cli: Any, tmp_home: Path, shared: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Done-when of issue 15: empty HOME, no OMP, the codestral override: same as OMP 18.2.3's base."""
    overlay = str(_fresh_machine(tmp_home, CODESTRAL_OVERLAY, monkeypatch))
    real = str(_omp_18_2_3_catalog(shared))

    verdict = run_cli("validate", "--format", "json", overlay)
    assert verdict.exit_code == 0, verdict.stdout
    assert json.loads(verdict.stdout)["problems"] == []
    with_real = run_cli("validate", "--format", "json", "--base", real, overlay)
    assert with_real.exit_code == 0
    assert json.loads(with_real.stdout)["problems"] == json.loads(verdict.stdout)["problems"]

    merged = run_cli("merge", "--overlay", overlay)
    assert merged.exit_code == 0, merged.stderr
    assert "base: embedded catalog of OMP 18.2.3" in merged.stderr
    assert "unknown-override" not in merged.stderr
    model = json.loads(merged.stdout)["openrouter"]["mistralai/codestral-2508"]
    assert (model["contextWindow"], model["name"]) == (200000, "Codestral (my override)")
    merged_real = run_cli("merge", "--base", real, "--overlay", overlay)
    assert merged_real.exit_code == 0
    assert merged_real.stdout == merged.stdout


def test_a_typo_is_still_reported_against_the_embedded_catalog(
    run_cli: Any, tmp_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overlay = str(
        _fresh_machine(tmp_home, CODESTRAL_OVERLAY.replace("codestral-2508", "codestral-2509"), monkeypatch)
    )
    verdict = run_cli("validate", overlay)
    assert verdict.exit_code == 0
    assert "(unknown-override)" in verdict.stdout
    assert "did you mean `mistralai/codestral-2508`?" in verdict.stdout
    merged = run_cli("merge", "--overlay", overlay)
    assert "(unknown-override)" in merged.stderr


def test_another_omp_release_is_said_once_and_not_guessed(
    run_cli: Any, tmp_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overlay = str(
        _fresh_machine(tmp_home, CODESTRAL_OVERLAY.replace("codestral-2508", "codestral-2509"), monkeypatch)
    )
    for args in (["validate", overlay], ["merge", "--overlay", overlay], ["list", "--overlay", overlay]):
        result = run_cli(*args, env={"CATALOGMGR_OMP_VERSION": "18.3.4"})
        assert result.exit_code == 0, result.stderr
        output = result.stdout + result.stderr
        assert "unknown-override" not in output, args
        assert output.count("the embedded catalog is OMP 18.2.3's, not OMP 18.3.4's") == 1, args


def test_a_damaged_default_base_skips_the_override_check_only(
    run_cli: Any, tmp_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken installed OMP catalog must not stop validate (a pre-commit hook): said once, skipped."""
    overlay = _fresh_machine(
        tmp_home, CODESTRAL_OVERLAY.replace("codestral-2508", "codestral-2509"), monkeypatch
    )
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    result = run_cli("validate", str(overlay), env={"CATALOGMGR_BASE": str(broken)})
    assert result.exit_code == 0, result.output
    assert "unknown-override" not in result.stdout
    assert result.stderr.count("the default base catalog cannot be loaded") == 1
    named = run_cli("validate", "--base", str(broken), str(overlay))
    assert named.exit_code == 3
