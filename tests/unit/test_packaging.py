"""Ready to publish: one version source, the URLs in step, LICENSE/py.typed, and a wheel that
carries the schemas, the example overlays and the embedded catalog."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import catalogmgr
from catalogmgr import REPOSITORY_URL, SCHEMA_BASE_URL

REPO_ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_version_is_written_once() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project
    assert project["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "catalogmgr/__init__.py"
    assert re.fullmatch(r"\d+\.\d+\.\d+", catalogmgr.__version__)


def test_urls_license_and_typing_marker() -> None:
    project = PYPROJECT["project"]
    assert all(url.startswith(REPOSITORY_URL) for url in project["urls"].values())
    assert SCHEMA_BASE_URL.startswith(
        "https://raw.githubusercontent.com/" + REPOSITORY_URL.split("github.com/")[1]
    )
    assert project["license"] == "MIT"
    assert "MIT License" in (REPO_ROOT / "LICENSE").read_text(encoding="utf-8")
    assert (REPO_ROOT / "catalogmgr" / "py.typed").is_file()
    assert "Typing :: Typed" in project["classifiers"]
    assert any(dependency.startswith("orjson") for dependency in project["dependencies"])


def test_schemastore_entry_points_at_the_published_overlay_schema() -> None:
    entry = json.loads((REPO_ROOT / "schemastore" / "catalog-entry.json").read_text(encoding="utf-8"))
    schema = json.loads((REPO_ROOT / "schemas" / "omp-models-yml.schema.json").read_text(encoding="utf-8"))
    assert entry["url"] == schema["$id"] == SCHEMA_BASE_URL + "omp-models-yml.schema.json"
    assert entry["fileMatch"] == ["**/.omp/agent/models.yml", "**/.omp/agent/models.yaml"]
    assert set(entry) == {"name", "description", "fileMatch", "url"}


def test_release_workflow_builds_checks_and_publishes_on_a_tag() -> None:
    text = (REPO_ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    for needed in (
        "tags:",
        "python -m build",
        "twine check",
        "id-token: write",
        "pypa/gh-action-pypi-publish",
    ):
        assert needed in text, needed
    ci = (REPO_ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    for runner in ("ubuntu-latest", "macos-latest", "windows-latest"):
        assert runner in ci, runner


@pytest.mark.slow
def test_the_wheel_carries_schemas_overlays_and_the_embedded_catalog(tmp_path: Path) -> None:
    if importlib.util.find_spec("hatchling") is None:
        pytest.skip("hatchling is not installed (pip install -e '.[dev]')")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            ".",
        ],
        cwd=REPO_ROOT,
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("catalogmgr-*.whl")
    assert wheel.name.startswith(f"catalogmgr-{catalogmgr.__version__}-")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "catalogmgr/py.typed",
        "catalogmgr/data/omp-catalog.json.gz",
        "catalogmgr/data/omp-catalog.meta.json",
        "catalogmgr/data/omp-catalog.LICENSE",
        *(f"catalogmgr/schemas/{p.name}" for p in (REPO_ROOT / "schemas").glob("*.json")),
        *(f"catalogmgr/overlays/{p.name}" for p in (REPO_ROOT / "overlays").glob("*.yml")),
    }
    assert expected <= names
    assert not any(name.startswith("tests/") for name in names)
