"""Shared fixtures: the location of ../shared, a CLI runner, and a guard against the network."""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, settings

from catalogmgr.cli import cli

# Property tests assert behaviour, never speed: no per-example deadline, and no "input generation
# is slow" failure when a loaded CI machine draws examples slowly. The everyday run draws
# hypothesis's usual 100 examples per test (the whole property suite takes seconds);
# HYPOTHESIS_PROFILE=ci (set by .ci/run) draws five times more, and =thorough ten times more.
settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile("ci", parent=settings.get_profile("default"), max_examples=500)
settings.register_profile("thorough", parent=settings.get_profile("default"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("CATALOGMGR_SHARED_DIR", REPO_ROOT.parent / "shared"))
EXAMPLES_DIR = REPO_ROOT / "tests" / "examples"


def shared_path(*parts: str) -> Path:
    """A path under ../shared; the calling test skips (with the reason) when it is absent."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path} (tests that read ../shared skip on a plain clone)")
    return path


# The hostile suite runs each command under POSIX rlimits (``resource``) and the differential suite
# under a Linux/macOS bun: neither can run on Windows, where the everyday suite still does
# (README, "Platforms").
collect_ignore_glob = ["hostile/*", "compat/*"] if sys.platform == "win32" else []

# Folders whose every test belongs to a slow tier (see [tool.pytest.ini_options] in pyproject.toml).
_FOLDER_MARKERS = {"hostile": "hostile", "compat": "omp"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/hostile/ and tests/compat/ with its tier."""
    tests_dir = REPO_ROOT / "tests"
    for item in items:
        try:
            folder = Path(str(item.path)).relative_to(tests_dir).parts[0]
        except ValueError:
            continue
        marker = _FOLDER_MARKERS.get(folder)
        if marker is not None:
            item.add_marker(marker)


@pytest.fixture
def shared() -> Callable[..., Path]:
    """``shared("data", "omp", "x.json")`` -> path, or skip when ../shared is absent."""
    return shared_path


@pytest.fixture(autouse=True)
def _python_engine_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--engine auto` (the default) would pick up an OMP from the machine ($CATALOGMGR_OMP_DIR is
    exported for the differential tests): everyday tests use the Python engine unless they ask
    for another with --engine (or set $CATALOGMGR_ENGINE themselves)."""
    monkeypatch.setenv("CATALOGMGR_ENGINE", "python")


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse connections to anything but loopback: no test may reach the internet."""
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in {"localhost", "::1"} or host.startswith("/")
        ):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli() -> RunCli:
    """Run a catalogmgr command line through click's runner with stdout and stderr kept apart."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, list(args), input=input, env=env, catch_exceptions=False)

    return run


@pytest.fixture
def tmp_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary HOME so no test reads the developer's real ~/.omp or caches."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.delenv("PI_CODING_AGENT_DIR", raising=False)
    monkeypatch.delenv("CATALOGMGR_BASE", raising=False)
    return home


def load_omp_driver() -> ModuleType:
    """tests/compat/omp.py, the one place that knows where OMP 18.2.3 and its bun are installed."""
    spec = importlib.util.spec_from_file_location("_omp_driver", REPO_ROOT / "tests" / "compat" / "omp.py")
    if spec is None or spec.loader is None:  # pragma: no cover - the driver ships with the tests
        pytest.skip("tests/compat/omp.py is missing")
    module = sys.modules.get("_omp_driver")
    if module is None:
        module = importlib.util.module_from_spec(spec)
        sys.modules["_omp_driver"] = module
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def omp_install() -> Any:
    """The installed OMP (node_modules, bun, catalog path), or skip with where it was looked for."""
    driver = load_omp_driver()
    try:
        return driver.locate_omp()
    except driver.OmpUnavailable as error:
        pytest.skip(str(error))
