"""The pre-commit hooks, run by the real ``pre-commit`` tool, as a user's repository would.

``pre-commit try-repo`` installs the hook repository with ``pip install .`` into a fresh
virtualenv (building the wheel with hatchling from the package index), so this is the slow test of
the suite (a few seconds warm, up to a minute cold). It also proves that the installed package
carries its schemas (no repository around it). It skips, saying why, when pre-commit is not
installed or the hook cannot be installed (no access to the package index).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "tests" / "examples"
# What `pip install .` needs from the hook repository.
HOOK_REPO_CONTENT = (
    "pyproject.toml",
    "README.md",
    "LICENSE",
    "catalogmgr",
    "schemas",
    "overlays",
    ".pre-commit-hooks.yaml",
)
# What pip prints when it cannot reach a package index: only then is a failed install not the
# project's fault (anything else, a build error for one, fails the test).
NO_PACKAGE_INDEX = (
    "No matching distribution found",
    "Could not find a version that satisfies",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "ProxyError",
)


def _pre_commit() -> list[str]:
    executable = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
    if not Path(executable).exists():
        pytest.skip("pre-commit is not installed (pip install '.[test]')")
    return [executable]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=test@example.invalid", "-c", "user.name=test", "-c", "commit.gpgsign=false",
         *args],
        cwd=cwd, check=True, capture_output=True, timeout=60,
    )  # fmt: skip


def _hook_repository(tmp_path: Path) -> Path:
    """A git repository holding this working tree's package (try-repo needs a commit)."""
    hook_repo = tmp_path / "hook-repo"
    hook_repo.mkdir()
    for name in HOOK_REPO_CONTENT:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, hook_repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, hook_repo / name)
    _git(hook_repo, "init", "-q")
    _git(hook_repo, "add", "-A")
    _git(hook_repo, "commit", "-q", "-m", "hook repository under test")
    return hook_repo


def _try_repo(
    pre_commit: list[str], hook_repo: Path, user_repo: Path, home: Path, hook: str
) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PRE_COMMIT", "GITHUB_ACTIONS"))
    }
    env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run(
        [*pre_commit, "try-repo", str(hook_repo), hook, "--all-files", "--color", "never"],
        cwd=user_repo, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_pre_commit_try_repo_on_good_and_bad_files(tmp_path: Path) -> None:
    pre_commit = _pre_commit()
    hook_repo = _hook_repository(tmp_path)
    home = tmp_path / "pre-commit-home"

    user_repo = tmp_path / "dotfiles"
    (user_repo / "omp" / "agent").mkdir(parents=True)
    shutil.copy2(EXAMPLES / "good" / "minimax-m3-seed.yml", user_repo / "omp" / "agent" / "models.yml")
    shutil.copy2(EXAMPLES / "good" / "unknown-keys-typos.yml", user_repo / "models.yaml")
    # Not matched by the hook's `files` pattern: must not be checked even though it is invalid.
    shutil.copy2(EXAMPLES / "bad" / "empty-baseurl.yml", user_repo / "other.yml")
    _git(user_repo, "init", "-q")
    _git(user_repo, "add", "-A")

    clean = _try_repo(pre_commit, hook_repo, user_repo, home, "catalogmgr-validate")
    output = clean.stdout + clean.stderr
    if clean.returncode != 0 and any(words in output for words in NO_PACKAGE_INDEX):
        # pre-commit could not install the environment for want of an index, not the hook's verdict.
        pytest.skip(f"pre-commit could not install the hook (no package index?):\n{output[-2000:]}")
    assert clean.returncode == 0, output
    assert "catalogmgr validate (OMP models.yml)" in output
    assert "Passed" in output

    strict = _try_repo(pre_commit, hook_repo, user_repo, home, "catalogmgr-validate-strict")
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert "models.yaml:6:5: [warning] unknown key `apikey`" in strict.stdout

    shutil.copy2(EXAMPLES / "bad" / "models-without-baseurl.yml", user_repo / "omp" / "agent" / "models.yml")
    _git(user_repo, "add", "-A")
    failing = _try_repo(pre_commit, hook_repo, user_repo, home, "catalogmgr-validate")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "omp/agent/models.yml:4:3: [error] provider `minimax` defines models but has no" in failing.stdout
    assert "other.yml" not in failing.stdout
