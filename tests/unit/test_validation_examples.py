"""The example overlays, the curated overlays and real users' files, each with its expected verdict.

A bad example declares what it must produce on its first line::

    # expect: models-need-baseurl@4, models-need-apikey@4

(rule id @ line, for every error: no more, no less). A good example must produce no error; it may
declare warnings it must produce with ``# warn: rule@line, ...`` on its first line.
Whether OMP 18.2.3 itself agrees with each verdict is checked in ``tests/compat``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from catalogmgr.omp.profile import NEWEST_PROFILE, PROFILES_BY_ID
from catalogmgr.validation import check_path

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = REPO_ROOT / "tests" / "examples"

GOOD = sorted((EXAMPLES_DIR / "good").glob("*.y*ml"))
BAD = sorted((EXAMPLES_DIR / "bad").glob("*.y*ml"))
OVERLAYS = sorted((REPO_ROOT / "overlays").glob("*.yml"))
SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/omp-models-yml.schema.json"

_DECLARATION = re.compile(r"#\s*(expect|warn):\s*(.+)")


def declared(path: Path, what: str) -> set[tuple[str, int]]:
    """The ``rule@line`` pairs the file's first line declares for ``what`` (expect/warn)."""
    first = path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
    match = _DECLARATION.fullmatch(first.strip())
    if match is None or match.group(1) != what:
        return set()
    pairs = set()
    for item in match.group(2).split(","):
        rule, _, line = item.strip().partition("@")
        pairs.add((rule, int(line)))
    return pairs


def found(path: Path, *, errors: bool) -> set[tuple[str, int]]:
    report = check_path(path, name=path.name)
    return {
        (problem.rule, problem.position.line if problem.position else 0)
        for problem in report.problems
        if problem.is_error is errors
    }


def test_there_are_enough_examples() -> None:
    assert len(GOOD) + len(BAD) >= 40
    assert len(GOOD) >= 20
    assert len(BAD) >= 22


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_example_fails_with_the_declared_rules(path: Path) -> None:
    expected = declared(path, "expect")
    assert expected, f"{path.name}: first line must declare `# expect: rule@line`"
    assert found(path, errors=True) == expected


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_example_has_no_errors(path: Path) -> None:
    assert found(path, errors=True) == set()
    assert declared(path, "warn") <= found(path, errors=False)


def test_real_users_files_validate_without_errors(shared: Callable[..., Path]) -> None:
    # Without an installed OMP and without --omp-version, catalogmgr checks for the newest OMP.
    directory = shared("data", "user-models-yml")
    files = sorted(directory.glob("*.yml"))
    assert files
    for path in files:
        report = check_path(path, name=path.name, profile=NEWEST_PROFILE)
        assert [p.to_line() for p in report.problems if p.is_error] == []


def test_a_real_users_file_needs_omp_18_2_8_or_later(shared: Callable[..., Path]) -> None:
    # OMP 18.2.3 rejects the one file using `api: typesafe` (valid from 18.2.8); the others pass.
    directory = shared("data", "user-models-yml")
    rejected = {
        path.name: sorted({problem.rule for problem in report.problems if problem.is_error})
        for path in sorted(directory.glob("*.yml"))
        if (report := check_path(path, name=path.name, profile=PROFILES_BY_ID["18.2.3"])).errors
    }
    assert rejected == {"odiumuniverse__dotfiles.models.yml": ["schema"]}


@pytest.mark.parametrize("path", OVERLAYS, ids=lambda p: p.name)
def test_curated_overlay_is_clean(path: Path) -> None:
    assert path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_LINE
    assert (path.parent / SCHEMA_LINE.split("=", 1)[1]).resolve().is_file()
    report = check_path(path, name=path.name)
    assert [p.to_line() for p in report.problems] == []  # not even a warning


def test_curated_overlays_cover_the_promised_set() -> None:
    names = {path.stem for path in OVERLAYS}
    assert {"minimax-m3", "minimax-cn", "moonshot-cn", "zai-cn", "ollama-local"} <= names


def _check_jsonschema() -> list[str]:
    executable = shutil.which("check-jsonschema") or str(Path(sys.executable).with_name("check-jsonschema"))
    if not Path(executable).exists():
        pytest.skip("check-jsonschema is not installed (pip install '.[test]')")
    return [executable]


def test_check_jsonschema_accepts_the_curated_overlays() -> None:
    command = [
        *_check_jsonschema(),
        "--schemafile",
        str(REPO_ROOT / "schemas" / "omp-models-yml.schema.json"),
        *map(str, OVERLAYS),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_jsonschema_rejects_a_schema_error_example() -> None:
    # The published schema is usable on its own: other tools reject what OMP's schema rejects.
    command = [
        *_check_jsonschema(),
        "--schemafile",
        str(REPO_ROOT / "schemas" / "omp-models-yml.schema.json"),
        str(EXAMPLES_DIR / "bad" / "discovery-injectv1-ollama.yml"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "$.providers.ollama.discovery.type" in result.stdout
