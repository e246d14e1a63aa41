"""The exact engine's bridge: an installed OMP's own ``ModelRegistry`` run under its bun.

``bridge.ts`` (shipped beside this module) builds OMP's registry exactly as ``omp models`` does
(``Settings.init``, ``discoverAuthStorage``, ``new ModelRegistry(auth, <agent>/models.yml)``,
``refresh("offline")``, ``getAll()``, ``getError()``) for a batch of runs in one bun process and
writes one JSON document per line. This module prepares those runs and reads them back:

- every run gets a private temporary directory (mode 0700) holding its own agent dir (the
  overlay as ``models.yml``, the OMP settings as ``config.yml``) and an empty project dir;
- bun runs with ``HOME`` and ``PI_CODING_AGENT_DIR`` pointing into it and an environment that holds
  only ``PATH`` and locale: no credentials, no ``OMP_*``/``PI_*`` settings, no proxy;
- the network is refused: ``refresh("offline")``, a fetch that refuses and records every attempt
  (any attempt fails the run), and, where Linux lets an unprivileged process have a network
  namespace of its own (``unshare --net --map-root-user``), no network interface at all;
- ``!command`` values never run (the bridge leaves headers of such providers unresolved);
- a timeout stops a hung process.

:func:`run_bridge` is the one way to start the bridge: the ``--engine omp`` path
(:mod:`catalogmgr.engine`) and the differential tests (``tests/compat/omp.py``) both call it.
Every failure is an :class:`~catalogmgr.errors.OmpEngineError`.
"""

from __future__ import annotations

import functools
import json
import math
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalogmgr.documents import load_json_bytes
from catalogmgr.errors import InputError, OmpEngineError

BRIDGE_SCRIPT = Path(__file__).with_name("bridge.ts")
# One OMP load takes about two seconds; a batch of ~100 overlays well under a minute. The timeout
# only guards against a hung process.
DEFAULT_TIMEOUT_SECONDS = 120.0
_FALLBACK_PATH = "/usr/local/bin:/usr/bin:/bin"

Row = dict[str, Any]


@dataclass(frozen=True)
class BridgeBaseline:
    """OMP with no ``models.yml`` under the settings ``config`` (``config.yml`` text, "" none)."""

    key: str
    config: str
    # Print the rows (callers that have them cached skip this).
    emit: bool = True
    # Every data field of OMP's models (the jobs diffed against it must ask the same).
    all_fields: bool = False


@dataclass(frozen=True)
class BridgeJob:
    """One registry run: ``overlay`` as ``models.yml`` (``None``: no file) under ``config``.

    ``baseline`` names the :class:`BridgeBaseline` of the same settings to diff against; ``None``
    asks for every ``getAll()`` row instead. ``all_fields`` reports every data field of OMP's models
    (the exact engine) rather than the compared set (the differential tests).
    """

    key: str
    overlay: bytes | None
    config: str = ""
    baseline: str | None = None
    all_fields: bool = False
    # Report the full getAll() order even when the baseline's rows kept theirs (places new models).
    full_order: bool = False


@dataclass(frozen=True)
class BridgeOutput:
    """What one bun process said: its ``meta`` line, baselines and results by key, stderr's tail."""

    meta: Mapping[str, Any]
    baselines: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    results: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    stderr_tail: str = ""


@functools.cache
def network_namespace_prefix() -> tuple[str, ...]:
    """``unshare`` arguments that run a command without any network, or () where that is refused."""
    unshare = shutil.which("unshare")
    if unshare is None or not sys.platform.startswith("linux"):
        return ()
    prefix = (unshare, "--net", "--map-root-user")
    try:
        completed = subprocess.run([*prefix, "true"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return ()
    return prefix if completed.returncode == 0 else ()


def bridge_environment(
    home: Path, path_variable: str | None, transpiler_cache: Path | None
) -> dict[str, str]:
    """Only what bun needs: no credentials, no OMP/PI settings, no XDG redirection, no proxy."""
    environment = {
        "PATH": path_variable or _FALLBACK_PATH,
        "HOME": str(home),
        "PI_CODING_AGENT_DIR": str(home / ".omp" / "agent"),
        "TMPDIR": str(home),
        "LANG": "C.UTF-8",
        "NO_COLOR": "1",
        "DO_NOT_TRACK": "1",
    }
    if transpiler_cache is not None:
        # Bun's transpiler cache depends only on OMP's sources: kept outside the temporary HOME,
        # it makes every later run start faster.
        environment["BUN_RUNTIME_TRANSPILER_CACHE_PATH"] = str(transpiler_cache)
    return environment


def _run_dir(path: Path, config: str, overlay: bytes | None) -> None:
    (path / "project").mkdir(parents=True)
    (path / "agent").mkdir()
    if config:
        (path / "agent" / "config.yml").write_text(config + "\n", encoding="utf-8")
    if overlay is not None:
        (path / "agent" / "models.yml").write_bytes(overlay)


def run_bridge(
    node_modules: Path,
    bun: Path,
    jobs: Sequence[BridgeJob],
    baselines: Sequence[BridgeBaseline] = (),
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    path_variable: str | None = None,
    transpiler_cache: Path | None = None,
    script: Path = BRIDGE_SCRIPT,
) -> BridgeOutput:
    """Run ``jobs`` (and ``baselines``) in one bun process of the OMP in ``node_modules``.

    ``path_variable`` is the ``PATH`` bun gets (the caller's, read at the edge). Raises
    :class:`OmpEngineError` when bun cannot start, times out, fails, tries the network or leaves a
    job without a result.
    """
    running = BridgeRun(
        node_modules,
        bun,
        jobs,
        baselines,
        timeout=timeout,
        path_variable=path_variable,
        transpiler_cache=transpiler_cache,
        script=script,
    )
    return running.wait()


class BridgeRun:
    """A started bridge process: :meth:`wait` for its output, or :meth:`cancel` it.

    Starting returns at once, so the caller can do its own work (validating the overlay) while
    OMP loads; :func:`run_bridge` is start-and-wait. The private directory is removed by either.
    """

    def __init__(
        self,
        node_modules: Path,
        bun: Path,
        jobs: Sequence[BridgeJob],
        baselines: Sequence[BridgeBaseline] = (),
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        path_variable: str | None = None,
        transpiler_cache: Path | None = None,
        script: Path = BRIDGE_SCRIPT,
    ) -> None:
        # Checked here: under `unshare` a missing bun would only show as unshare's own failure.
        if not bun.is_file() or not os.access(bun, os.X_OK):
            raise OmpEngineError(f"cannot start OMP's bun {bun}: not an executable file")
        self._bun = bun
        self._timeout = timeout
        self._job_keys = [job.key for job in jobs]
        self._tmp = tempfile.TemporaryDirectory(prefix="catalogmgr-omp-")
        try:
            work = Path(self._tmp.name)
            home = work / "home"
            (home / ".omp" / "agent").mkdir(parents=True)
            jobs_file = work / "jobs.json"
            jobs_file.write_text(json.dumps(_jobs_document(work, jobs, baselines)), encoding="utf-8")
            self._out_file = work / "out.jsonl"
            self._err_file = work / "stderr.txt"
            command = [
                *network_namespace_prefix(),
                str(bun),
                "--no-install",
                str(script),
                str(node_modules),
                str(jobs_file),
                str(self._out_file),
            ]
            self._started = time.monotonic()
            with self._err_file.open("wb") as stderr:
                self._process = subprocess.Popen(
                    command,
                    cwd=work,
                    env=bridge_environment(home, path_variable, transpiler_cache),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                )
        except OSError as exc:
            self._tmp.cleanup()
            raise OmpEngineError(f"cannot start OMP's bun {bun}: {exc.strerror or exc}") from exc
        except BaseException:
            self._tmp.cleanup()
            raise

    def cancel(self) -> None:
        """Stop the process (if still running) and remove the private directory."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._tmp.cleanup()

    def wait(self) -> BridgeOutput:
        """The output, once the process ends within the timeout (counted from the start)."""
        try:
            remaining = max(0.0, self._timeout - (time.monotonic() - self._started))
            try:
                returncode = _wait_exactly(self._process, remaining)
            except subprocess.TimeoutExpired as exc:
                raise OmpEngineError(
                    f"OMP did not answer within {self._timeout:g}s (bun {self._bun})"
                ) from exc
            stderr_tail = self._err_file.read_bytes()[-4000:].decode("utf-8", "replace")
            if returncode != 0:
                raise OmpEngineError(
                    f"OMP's bridge exited with {returncode}: {_last_line(stderr_tail)}",
                    details=stderr_tail,
                )
            output = self._out_file.read_bytes() if self._out_file.exists() else b""
        finally:
            self.cancel()
        return parse_bridge_output(output, self._job_keys, stderr_tail)


def _wait_exactly(process: subprocess.Popen[bytes], timeout: float) -> int:
    """``process.wait(timeout)``, returning the moment the process ends.

    With a timeout, subprocess's own wait polls, sleeping up to 50 ms between looks: half of that
    lost per run on average. Where Linux gives a process descriptor (``pidfd_open``), poll waits
    on it instead and wakes exactly when bun exits.
    """
    pidfd_open = getattr(os, "pidfd_open", None)
    descriptor: int | None = None
    if pidfd_open is not None:
        try:
            descriptor = pidfd_open(process.pid)
        except OSError:  # an old kernel, or a sandbox that refuses it: the polling wait below
            descriptor = None
    if descriptor is not None:
        try:
            watcher = select.poll()
            watcher.register(descriptor, select.POLLIN)
            if not watcher.poll(max(0, math.ceil(timeout * 1000))):
                raise subprocess.TimeoutExpired(process.args, timeout)
        finally:
            os.close(descriptor)
    return process.wait(timeout=timeout)


def _jobs_document(
    work: Path, jobs: Sequence[BridgeJob], baselines: Sequence[BridgeBaseline]
) -> dict[str, Any]:
    """Write every run's directory under ``work`` and return the bridge's ``jobs.json``."""
    baseline_list = []
    for index, baseline in enumerate(baselines):
        directory = work / f"baseline{index}"
        _run_dir(directory, baseline.config, None)
        baseline_list.append(
            {
                "key": baseline.key,
                "dir": str(directory),
                "emit": baseline.emit,
                "allFields": baseline.all_fields,
            }
        )
    job_list = []
    for index, job in enumerate(jobs):
        directory = work / f"job{index}"
        _run_dir(directory, job.config, job.overlay)
        job_list.append(
            {
                "key": job.key,
                "dir": str(directory),
                "baseline": job.baseline,
                "allFields": job.all_fields,
                "fullOrder": job.full_order,
            }
        )
    return {"baselines": baseline_list, "jobs": job_list}


def _last_line(text: str) -> str:
    """The line that says what went wrong: the last error line of a stack trace, else the last line.

    bun prints an uncaught exception as ``[Uncaught Exception] Error: why`` followed by ``at ...``
    frames; the last frame says where, not what.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    messages = [line for line in lines if not line.startswith("at ")]
    if not messages:
        return lines[-1] if lines else "(no message)"
    return messages[-1].removeprefix("[Uncaught Exception] ")


def _load_line(line: bytes, number: int) -> Any:
    """One line of the bridge's output (a full catalog line is over 10 MB).

    It is OMP's own ``JSON.stringify`` output, so orjson parses it as it is, without the
    hostile-input depth walk every user file gets (40 ms on a full catalog, a third of the parse):
    its values come from OMP's installed catalog and from an overlay catalogmgr has already read
    and validated within its limits, and orjson itself refuses nesting beyond 1024 levels. Anything
    orjson refuses goes through :func:`load_json_bytes` for its precise, located error.
    """
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency
        return load_json_bytes(line, name=f"OMP's bridge output, line {number}")
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return load_json_bytes(line, name=f"OMP's bridge output, line {number}")


def _restore_shared_values(doc: dict[str, Any], number: int) -> None:
    """Put the values the bridge wrote once (``shared``, see bridge.ts) back into their rows.

    Rows that held equal values then hold the same object: catalog data is never mutated in place
    (the merge copies what it changes), as with the rows a catalog shares with its baseline.
    """
    shared = doc.pop("shared")
    rows = doc.get("rows")
    if not isinstance(rows, list):
        raise OmpEngineError(f"OMP's bridge wrote line {number} with shared values but no rows")
    try:
        values = shared["values"]
        for field, indices in shared["fields"].items():
            if len(indices) != len(rows):
                raise ValueError(f"{len(indices)} {field} indices for {len(rows)} rows")
            for row, index in zip(rows, indices, strict=True):
                if index is not None:
                    row[field] = values[index]
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
        raise OmpEngineError(f"OMP's bridge wrote line {number} with broken shared values ({exc})") from exc


def parse_bridge_output(output: bytes, job_keys: Sequence[str], stderr_tail: str = "") -> BridgeOutput:
    """Read the bridge's JSON lines; refuse network attempts, garbage and missing results."""
    meta: Mapping[str, Any] | None = None
    baselines: dict[str, Mapping[str, Any]] = {}
    results: dict[str, Mapping[str, Any]] = {}
    for number, line in enumerate(output.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            doc = _load_line(line, number)
        except InputError as exc:
            raise OmpEngineError(f"OMP's bridge wrote line {number} that is not JSON ({exc})") from exc
        if not isinstance(doc, dict):
            raise OmpEngineError(f"OMP's bridge wrote line {number} that is not a JSON object")
        network = doc.get("network") or []
        if network:
            raise OmpEngineError(
                f"OMP tried to reach the network during an offline load ({len(network)} attempt(s)); "
                "the run was refused"
            )
        if doc.get("shared") is not None:
            _restore_shared_values(doc, number)
        kind = doc.get("kind")
        if kind == "meta":
            meta = doc
        elif kind == "baseline":
            baselines[str(doc.get("key"))] = doc
        elif kind == "result":
            results[str(doc.get("key"))] = doc
    if meta is None:
        raise OmpEngineError(f"OMP's bridge reported nothing: {_last_line(stderr_tail)}", details=stderr_tail)
    missing = [key for key in job_keys if key not in results]
    if missing:
        raise OmpEngineError(
            f"OMP's bridge returned {len(job_keys) - len(missing)} of {len(job_keys)} results: "
            f"{_last_line(stderr_tail)}",
            details=stderr_tail,
        )
    return BridgeOutput(meta=meta, baselines=baselines, results=results, stderr_tail=stderr_tail)
