"""Run catalogmgr as a separate process under hard limits, and judge what it printed.

Every hostile-input test goes through :func:`run_catalogmgr`: a fresh ``python -m catalogmgr``
process (the same code path as the console script) with

* a wall-clock timeout (:data:`TIME_LIMIT_SECONDS`; the process group is killed when it expires),
* an address-space cap, ``RLIMIT_AS`` (:data:`MEMORY_LIMIT_BYTES`), so an alias bomb or a runaway
  allocation ends in a ``MemoryError`` (a bug: exit 4 with a traceback) instead of eating the machine,
* a CPU-time cap (``RLIMIT_CPU``) and an output-file cap (``RLIMIT_FSIZE``) as a second line of defence,
* no core dumps, an empty stdin, a private HOME/XDG_CACHE_HOME, and no inherited CATALOGMGR_BASE or
  PI_CODING_AGENT_DIR: the run sees only what the test gives it;
* as base catalog, a small slice of the embedded catalog (:func:`small_base_catalog`): the suite is
  about hostile inputs, and merging each of them over OMP's complete 11 MB catalog (and printing
  15 MB of it, in YAML too) would multiply its run time without testing anything more.

:func:`check_hygiene` states what every run must satisfy, whatever its input: no traceback, an exit
code from the documented set, and error lines that name the file (``file:line:col: ...`` or
``file: ...``).
"""

from __future__ import annotations

import atexit
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
HOSTILE_DIR = REPO_ROOT / "tests" / "examples" / "hostile"

# The limits each catalogmgr process runs under (stated in the README, "Limits and guarantees").
# Wall clock. The slowest case measured (a command over the 50 MB-string overlay) takes 3.9 s of
# CPU and 31 s of wall time on a 2-core machine at load average 12; 120 s keeps 3x headroom over
# that loaded figure (30x over the CPU time) while a real hang still ends within two minutes.
TIME_LIMIT_SECONDS = 120.0
CPU_LIMIT_SECONDS = 90  # RLIMIT_CPU, in case the wall-clock kill is somehow missed
MEMORY_LIMIT_BYTES = 2 * 1024**3  # RLIMIT_AS: 2 GiB of address space (a 50 MB catalog needs ~1 GiB)
OUTPUT_LIMIT_BYTES = 512 * 1024**2  # RLIMIT_FSIZE: no single file the process writes may exceed this

EXIT_CODES = {0, 1, 2, 3, 130}  # catalogmgr/errors.py; 4 (a bug) is never acceptable here


@dataclass(frozen=True)
class Run:
    """One finished (or killed) catalogmgr process."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool
    cwd: Path

    @property
    def stderr_lines(self) -> list[str]:
        return self.stderr.splitlines()

    def describe(self) -> str:
        """Everything needed to reproduce and judge a failure, for assertion messages."""
        tail = "\n".join(self.stderr_lines[-15:])
        return (
            f"catalogmgr {' '.join(self.args)}  (cwd {self.cwd})\n"
            f"exit {self.returncode} after {self.seconds:.1f}s{' (TIMED OUT)' if self.timed_out else ''}\n"
            f"stderr (last lines):\n{tail}\nstdout[:400]: {self.stdout[:400]!r}"
        )


def _limit_child(memory: int, cpu: int, output: int) -> None:
    """preexec_fn: runs in the child between fork and exec."""
    os.setsid()  # its own process group, so a timeout kills any descendant too
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (output, output))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


_SMALL_BASE: list[Path] = []


def small_base_catalog() -> Path:
    """A models.json of every provider of the embedded catalog with its first three models, and
    MiniMax's providers in full (the corpus's checks look at them); written once per session."""
    if not _SMALL_BASE:
        from catalogmgr.catalog import load_embedded_default

        catalog = load_embedded_default()
        small = {
            provider: models if provider.startswith("minimax") else dict(list(models.items())[:3])
            for provider, models in catalog.items()
        }
        directory = Path(tempfile.mkdtemp(prefix="catalogmgr-hostile-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        path = directory / "small-base.json"
        path.write_text(json.dumps(small, indent="\t"), encoding="utf-8")
        _SMALL_BASE.append(path)
    return _SMALL_BASE[0]


def child_environment(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A minimal environment: PATH, a private HOME and cache, UTF-8 I/O, nothing from the user, and
    the small base catalog."""
    env = {
        "CATALOGMGR_BASE": str(small_base_catalog()),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "LANG": "C.UTF-8",
        # What a UTF-8 locale gives (C.UTF-8 alone would make Python lenient): text that cannot be
        # encoded (a lone surrogate, an undecodable file name) fails loudly instead of slipping out.
        "PYTHONIOENCODING": "utf-8",
        "PYTHONPATH": str(REPO_ROOT),  # the working tree, also when the package is not installed
        "PYTHONDONTWRITEBYTECODE": "1",
        "NO_COLOR": "1",
    }
    if extra:
        env.update(extra)
    return env


def run_catalogmgr(
    args: Sequence[str],
    *,
    cwd: Path,
    home: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = TIME_LIMIT_SECONDS,
    memory: int = MEMORY_LIMIT_BYTES,
    max_stdout_chars: int = 64 * 1024**2,
    program: Sequence[str] | None = None,
) -> Run:
    """Run ``python -m catalogmgr ARGS`` under the limits above and collect what it printed.

    stdout and stderr go to files (not pipes), so a command that prints a 50 MB catalog cannot
    dead-lock the test or bloat its memory; at most ``max_stdout_chars`` of stdout are read back.
    ``program`` replaces ``python -m catalogmgr`` (e.g. the installed console script).
    """
    cwd.mkdir(parents=True, exist_ok=True)
    out_path = cwd / f".stdout.{os.getpid()}.{time.monotonic_ns()}"
    err_path = out_path.with_name(out_path.name.replace(".stdout.", ".stderr."))
    command = [*(program or (sys.executable, "-m", "catalogmgr")), *args]
    started = time.monotonic()
    timed_out = False
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=child_environment(home, env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            preexec_fn=lambda: _limit_child(memory, CPU_LIMIT_SECONDS, OUTPUT_LIMIT_BYTES),
        )
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(process.pid, signal.SIGKILL)
            returncode = process.wait()
    seconds = time.monotonic() - started
    try:
        with open(out_path, encoding="utf-8", errors="replace") as handle:
            stdout = handle.read(max_stdout_chars)
        stderr = err_path.read_text(encoding="utf-8", errors="replace")
    finally:
        out_path.unlink(missing_ok=True)
        err_path.unlink(missing_ok=True)
    return Run(tuple(args), returncode, stdout, stderr, seconds, timed_out, cwd)


# ------------------------------------------------------------------------------------------------
# What every run must satisfy

ERROR_PREFIX = "catalogmgr: error: "
# A problem line as validate's text format and the merge family print it.
PROBLEM_LINE = re.compile(r"^(?P<file>.+?)(?::(?P<line>\d+):(?P<col>\d+))?: \[(?P<level>error|warning)\] .+")


def displayed(name: str) -> str:
    """A file name as the child prints it on stderr (undecodable bytes backslash-escaped)."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


def located_file(message: str, files: Iterable[str]) -> str | None:
    """The input file a one-line message starts with (``file:line:col: ...`` / ``file: ...``)."""
    for name in sorted({displayed(file) for file in files} | set(files), key=len, reverse=True):
        if not message.startswith(name):
            continue
        rest = message[len(name) :]
        if re.match(r"^(?::\d+:\d+)?: \S", rest):
            return name
    return None


def check_hygiene(
    run: Run,
    files: Iterable[str],
    *,
    allowed_codes: set[int] | None = None,
    unlocated_ok: re.Pattern[str] | None = None,
) -> None:
    """Assert what no input may break: bounded, no traceback, a documented exit code, located errors.

    ``files`` are the names the command was given (as given): every ``catalogmgr: error:`` line and
    every problem line must start with one of them, except error messages matching
    ``unlocated_ok`` (about a command-line argument, not a file).
    """
    names = list(files)
    assert not run.timed_out, f"no result within {TIME_LIMIT_SECONDS}s\n{run.describe()}"
    assert run.returncode >= 0, f"killed by signal {-run.returncode}\n{run.describe()}"
    assert "Traceback" not in run.stderr, run.describe()
    assert "internal error" not in run.stderr, run.describe()
    codes = EXIT_CODES if allowed_codes is None else allowed_codes
    assert run.returncode in codes, f"exit code {run.returncode} not in {sorted(codes)}\n{run.describe()}"
    errors = [line[len(ERROR_PREFIX) :] for line in run.stderr_lines if line.startswith(ERROR_PREFIX)]
    if run.returncode == 3:
        assert errors, f"exit 3 without an error line\n{run.describe()}"
    for message in errors:
        if message.endswith("error(s))") and "invalid overlay" in message:
            continue  # the summary after the located problem lines of an invalid overlay
        if unlocated_ok is not None and unlocated_ok.search(message):
            continue
        assert located_file(message, names), (
            f"error line does not start with a file: {message!r}\n{run.describe()}"
        )
        assert "\n" not in message
    for line in [*run.stderr_lines, *run.stdout.splitlines()]:
        match = PROBLEM_LINE.match(line)
        if match and match.group("file") not in {"catalogmgr"}:
            assert located_file(line, names), f"problem line names no input file: {line!r}\n{run.describe()}"


def strict_json(text: str) -> Any:
    """Parse JSON as a strict consumer would: NaN/Infinity are not JSON and fail the test."""

    def refuse(token: str) -> Any:
        raise AssertionError(f"output contains {token}, which is not JSON")

    return json.loads(text, parse_constant=refuse)
