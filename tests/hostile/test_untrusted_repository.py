"""The pre-commit hook on an untrusted repository never executes anything from what it reads.

The hook (``.pre-commit-hooks.yaml``) runs ``catalogmgr validate [--strict] FILE...`` inside the
repository being committed to, on every file named ``models.yml``/``models.yaml``. A repository
from someone else can hold overlays whose values are shell commands (``apiKey: "!touch ..."``,
the same in headers), PyYAML's object tags, ``%TAG`` tricks, and Python files named like the
modules catalogmgr imports. Each attempt would create a marker file; none may appear.
"""

from __future__ import annotations

import re
import shlex
import shutil
import sys
from pathlib import Path

import pytest
from hostile_support import HOSTILE_DIR, REPO_ROOT, check_hygiene, run_catalogmgr

from catalogmgr.documents import load_document

HOOKS_FILE = REPO_ROOT / ".pre-commit-hooks.yaml"

# Modules a Python program may import from the current directory if it (wrongly) has the current
# directory on sys.path; each, if imported, leaves a marker.
SHADOW_MODULES = [
    "catalogmgr",
    "click",
    "ruamel",
    "jsonschema",
    "json",
    "yaml",
    "sitecustomize",
    "usercustomize",
]


def hooks() -> list[dict[str, str]]:
    data = load_document(HOOKS_FILE).data
    assert isinstance(data, list), ".pre-commit-hooks.yaml is not a list of hooks"
    assert data, "no hooks in .pre-commit-hooks.yaml"
    return data


def console_script() -> Path:
    """The installed ``catalogmgr`` script: what pre-commit runs (not ``python -m``, which would
    put the current directory on sys.path)."""
    script = Path(sys.executable).parent / "catalogmgr"
    if not script.exists():
        found = shutil.which("catalogmgr")
        if found is None:
            pytest.skip("the catalogmgr console script is not installed")
        script = Path(found)
    return script


def build_untrusted_repository(root: Path, markers: Path) -> list[str]:
    """A repository with hostile overlays at the paths the hook matches; returns their names."""
    absolute = markers / "pwned-absolute"
    overlays = {
        "models.yml": (HOSTILE_DIR / "commands-everywhere.yml").read_text(),
        "python-tags/models.yml": (HOSTILE_DIR / "tags-python.yml").read_text(),
        "custom-tags/models.yaml": (HOSTILE_DIR / "tags-custom.yml").read_text(),
        "tag-directive/models.yml": (HOSTILE_DIR / "tags-directive.yml").read_text(),
        "bomb/models.yml": (HOSTILE_DIR / "alias-billion-laughs.yml").read_text(),
        "absolute/models.yml": (
            "providers:\n"
            "  minimax:\n"
            f'    apiKey: "!touch {absolute}"\n'
            "    headers:\n"
            f"      X-Run: \"!sh -c 'touch {absolute}-header'\"\n"
            f'      X-Sub: "$(touch {absolute}-subshell)"\n'
            f'      X-Backtick: "`touch {absolute}-backtick`"\n'
            "  evil:\n"
            "    baseUrl: https://evil.example/v1\n"
            "    api: openai-completions\n"
            f'    apiKey: "!touch {absolute}-custom"\n'
            "    models:\n"
            "      - id: m\n"
            "        discovery: {type: ollama}\n"
        ),
    }
    for name, text in overlays.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for module in SHADOW_MODULES:
        code = f"open({str(markers / ('pwned-import-' + module))!r}, 'w').close()\n"
        (root / f"{module}.py").write_text(code)
        package = root / "shadow" / module
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(code)
    (root / "catalogmgr").mkdir()
    (root / "catalogmgr" / "__init__.py").write_text(
        f"open({str(markers / 'pwned-import-package')!r}, 'w').close()\n"
    )
    # A .env such as `keys` reads (the hook does not): a PATH pointing into the repository.
    (root / ".env").write_text(f"PATH={root}\nPYTHONPATH={root}\n")
    (root / "touch").write_text(f"#!/bin/sh\n: > {markers / 'pwned-path-touch'}\n")
    (root / "touch").chmod(0o755)
    return sorted(overlays)


@pytest.mark.parametrize("hook", hooks(), ids=lambda hook: hook["id"])
def test_hook_on_an_untrusted_repository_runs_nothing(tmp_path: Path, hook: dict[str, str]) -> None:
    repository, markers = tmp_path / "repo", tmp_path / "markers"
    repository.mkdir()
    markers.mkdir()
    names = build_untrusted_repository(repository, markers)
    selected = [name for name in names if re.search(hook["files"], name)]
    assert selected == names, "the hook's `files` pattern must match every overlay in the test repository"
    entry = shlex.split(hook["entry"])
    assert entry[0] == "catalogmgr"
    run = run_catalogmgr(
        [*entry[1:], *selected],
        cwd=repository,
        home=tmp_path / "home",
        program=[str(console_script())],
        env={"PATH": f"{repository}:/usr/bin:/bin"},  # even with the repository first on PATH
    )
    check_hygiene(run, selected)
    assert run.returncode == 1, run.describe()  # errors found: the hook fails the commit
    assert sorted(path.name for path in markers.iterdir()) == []
    assert list(repository.rglob("pwned*")) == []
    # Every file was reported on (a validator reports every file, even after a bad one).
    for name in selected:
        assert name in run.stdout or name in run.stderr, run.describe()


def test_keys_and_merge_in_an_untrusted_repository_run_nothing(tmp_path: Path) -> None:
    """Beyond the hook: the other commands read the same files without running their commands
    (``keys`` only runs them with --allow-commands), and ignore the repository's modules."""
    repository, markers = tmp_path / "repo", tmp_path / "markers"
    repository.mkdir()
    markers.mkdir()
    build_untrusted_repository(repository, markers)
    for args in (
        ["keys", "--overlay", "absolute/models.yml", "--format", "json"],
        ["keys", "--overlay", "models.yml", "--check"],
        ["merge", "--overlay", "absolute/models.yml", "--emit", "overlay"],
        ["show", "evil/m", "--overlay", "absolute/models.yml", "--explain"],
        [
            "diff-upstream",
            "--overlay",
            "models.yml",
            "--upstream-file",
            str(HOSTILE_DIR / "upstream-openrouter-small.json"),
        ],
    ):
        run = run_catalogmgr(
            args,
            cwd=repository,
            home=tmp_path / "home",
            program=[str(console_script())],
            env={"PATH": f"{repository}:/usr/bin:/bin"},
        )
        overlay = args[args.index("--overlay") + 1]
        check_hygiene(run, [overlay, str(HOSTILE_DIR / "upstream-openrouter-small.json")])
        assert sorted(path.name for path in markers.iterdir()) == [], run.describe()
        assert list(repository.rglob("pwned*")) == [], run.describe()
