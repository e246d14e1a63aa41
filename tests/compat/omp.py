"""Driver for the differential tests: the real OMP 18.2.3's verdict and catalog for models.yml overlays.

OMP is found through ``$CATALOGMGR_OMP_DIR`` (a ``node_modules`` directory holding
``@oh-my-pi/pi-coding-agent`` and an ``@oven/bun-*`` package), else ``.ci/omp/node_modules`` in
this repository (where ``.ci/install-omp.sh`` puts it). Each batch of overlays costs one bun
process (the package's ``bridge.ts``: about two seconds plus a fraction of a second per overlay); results are
cached on disk, keyed by everything that can change them (OMP, catalog and bun versions, the
bundled ``models.json``'s content, the probe script and this driver, the overlay's bytes and the
OMP settings it ran under), so a warm run starts no process at all.

Settings: every call takes OMP settings (``config.yml`` keys, nested as in the file, e.g.
``{"extendedContext": True}``); OMP reads them from the run's own agent dir exactly as it reads
the user's ``~/.omp/agent/config.yml``. No settings (``None`` or ``{}``) is OMP with no config.yml.
Each set of settings has its own baseline (OMP's catalog with no models.yml).

The probe runs in a temporary HOME and agent dir, with an environment holding only PATH and
locale (no credentials, no ``OMP_*``/``PI_*`` settings), ``refresh("offline")`` and a fetch that
refuses: a run that tried the network raises :class:`OmpProbeError`. Where Linux lets an
unprivileged process have a network namespace of its own (``unshare --net --map-root-user``), bun
runs in one, with no interface but a down loopback, so nothing can leave the machine whatever
OMP does.

Command line, for a look by hand::

    CATALOGMGR_OMP_DIR=/path/to/node_modules python tests/compat/omp.py FILE.yml...
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import catalogmgr.omp.bridge as bridge_module
from catalogmgr.errors import OmpEngineError
from catalogmgr.omp.bridge import (
    BRIDGE_SCRIPT,
    BridgeBaseline,
    BridgeJob,
    BridgeOutput,
    run_bridge,
)

OMP_VERSION = "18.2.3"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_NODE_MODULES = REPO_ROOT / ".ci" / "omp" / "node_modules"
# A batch of ~100 overlays takes well under a minute; this only guards against a hung process.
PROBE_TIMEOUT_SECONDS = 900

ModelKey = tuple[str, str]
Row = dict[str, Any]
# OMP settings as config.yml holds them (nested mappings); None is no config.yml at all.
OmpSettings = Mapping[str, Any] | None


class OmpUnavailable(Exception):
    """OMP or bun is not installed where we look; the message says where and what to do."""


class OmpProbeError(RuntimeError):
    """The probe ran but failed, or broke a rule of the harness (network access, wrong version)."""


@dataclass(frozen=True)
class OmpInstall:
    """A usable OMP installation: its node_modules, the bun that runs it, and their versions."""

    node_modules: Path
    bun: Path
    version: str
    catalog_version: str
    bun_version: str
    # The bundled catalog inside node_modules: pi-catalog's (17+), pi-ai's before.
    catalog_file: Path = Path("@oh-my-pi/pi-catalog/src/models.json")

    @property
    def catalog_path(self) -> Path:
        """The bundled catalog this OMP reads."""
        return self.node_modules / self.catalog_file


def _package_version(node_modules: Path, name: str) -> str | None:
    try:
        manifest = json.loads((node_modules / name / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = manifest.get("version")
    return version if isinstance(version, str) else None


def locate_omp(env: Mapping[str, str] | None = None) -> OmpInstall:
    """Find OMP 18.2.3 and its bun, or raise :class:`OmpUnavailable` with the reason."""
    env = os.environ if env is None else env
    configured = env.get("CATALOGMGR_OMP_DIR")
    node_modules = Path(configured) if configured else DEFAULT_NODE_MODULES
    where = f"$CATALOGMGR_OMP_DIR={configured}" if configured else str(node_modules)
    hint = "run `bash .ci/install-omp.sh` and export CATALOGMGR_OMP_DIR=.ci/omp/node_modules"
    version = _package_version(node_modules, "@oh-my-pi/pi-coding-agent")
    if version is None:
        raise OmpUnavailable(f"OMP is not installed in {where} ({hint})")
    if version != OMP_VERSION:
        raise OmpUnavailable(
            f"{where} holds OMP {version}; the differential tests need {OMP_VERSION} ({hint})"
        )
    catalog_version = _package_version(node_modules, "@oh-my-pi/pi-catalog")
    if catalog_version is None:
        raise OmpUnavailable(f"{where} has no @oh-my-pi/pi-catalog ({hint})")
    for candidate in sorted((node_modules / "@oven").glob("bun-*/bin/bun")):
        if os.access(candidate, os.X_OK):
            bun_package = f"@oven/{candidate.parent.parent.name}"
            bun_version = _package_version(node_modules, bun_package) or "unknown"
            return OmpInstall(
                node_modules.resolve(), candidate.resolve(), version, catalog_version, bun_version
            )
    raise OmpUnavailable(f"no bun in {where}/@oven/bun-*/bin ({hint})")


def default_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$CATALOGMGR_OMP_CACHE``, else ``$XDG_CACHE_HOME/catalogmgr-tests/omp``, else ``~/.cache/...``."""
    env = os.environ if env is None else env
    if env.get("CATALOGMGR_OMP_CACHE"):
        return Path(env["CATALOGMGR_OMP_CACHE"])
    xdg = env.get("XDG_CACHE_HOME")
    root = Path(xdg) if xdg else Path.home() / ".cache"
    return root / "catalogmgr-tests" / "omp"


def model_key(row: Mapping[str, Any]) -> ModelKey:
    return (str(row["provider"]), str(row["id"]))


def settings_text(settings: OmpSettings) -> str:
    """The canonical config.yml text for ``settings`` (JSON is YAML); "" for no settings."""
    if not settings:
        return ""
    return json.dumps(settings, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def settings_key(settings: OmpSettings) -> str:
    """A short name for a set of settings, for cache files and the probe's baselines."""
    return _config_key(settings_text(settings))


def _config_key(config: str) -> str:
    return hashlib.sha256(config.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class OmpResult:
    """OMP's verdict on one overlay and its effective catalog, as a difference to the baseline.

    ``changed`` holds every getAll() row that differs from OMP's no-overlay baseline (fields
    changed) or is not in it (new model), in getAll() order; ``removed`` the baseline models the
    overlay made disappear; ``order`` the full getAll() order when OMP reordered bundled rows.
    ``settings`` are the settings it ran under (its baseline is the one of the same settings);
    ``settings_seen`` the model-related settings as OMP itself read them (``extendedContext``...).
    """

    status: str  # "ok" (loaded), "error" (rejected: OMP runs with none of the user's providers)
    error: str | None
    changed: dict[ModelKey, Row]
    removed: frozenset[ModelKey]
    order: tuple[ModelKey, ...] | None
    settings: str = ""  # settings_text() of the settings the run had
    settings_seen: Mapping[str, Any] | None = field(default=None, compare=False)

    @property
    def accepted(self) -> bool:
        return self.status == "ok"

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "error": self.error,
            "rows": list(self.changed.values()),
            "removed": sorted(list(key) for key in self.removed),
            "order": None if self.order is None else [list(key) for key in self.order],
            "settings": self.settings,
            "settingsSeen": self.settings_seen,
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> OmpResult:
        order = doc.get("order")
        return cls(
            status=str(doc["status"]),
            error=doc.get("error"),
            changed={model_key(row): row for row in doc["rows"]},
            removed=frozenset((str(p), str(i)) for p, i in doc["removed"]),
            order=None if order is None else tuple((str(p), str(i)) for p, i in order),
            settings=str(doc.get("settings") or ""),
            settings_seen=doc.get("settingsSeen"),
        )


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _as_bytes(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text


class OmpProbe:
    """OMP's results for overlays: batched bun runs behind an on-disk cache."""

    def __init__(self, install: OmpInstall, cache_dir: Path | None = None) -> None:
        self.install = install
        self.cache_root = cache_dir if cache_dir is not None else default_cache_dir()
        # Bun's transpiler cache depends only on OMP's sources: one shared place keeps it warm
        # even for probes with a private results cache (the harness tests use those).
        self.transpiler_cache = default_cache_dir() / "bun-transpiler-cache"
        self.fingerprint = self._fingerprint()
        self.cache_dir = self.cache_root / self.fingerprint[:20]
        self._baselines: dict[str, dict[ModelKey, Row]] = {}  # by settings_key
        self.bun_runs = 0  # how many bun processes this probe started (tests and timing notes)

    def _fingerprint(self) -> str:
        digest = hashlib.sha256()
        for part in (self.install.version, self.install.catalog_version, self.install.bun_version):
            digest.update(part.encode() + b"\0")
        digest.update(hashlib.sha256(self.install.catalog_path.read_bytes()).digest())
        # The probe and this driver (the environment OMP runs in, the parsing) shape every result.
        digest.update(hashlib.sha256(BRIDGE_SCRIPT.read_bytes()).digest())
        digest.update(hashlib.sha256(Path(bridge_module.__file__).read_bytes()).digest())
        digest.update(hashlib.sha256(Path(__file__).read_bytes()).digest())
        return digest.hexdigest()

    # -- cache -----------------------------------------------------------------------------------
    @staticmethod
    def overlay_hash(text: str | bytes, settings: OmpSettings = None) -> str:
        """The cache key of one run: the overlay's bytes under these settings."""
        digest = hashlib.sha256(settings_text(settings).encode("utf-8") + b"\0")
        digest.update(_as_bytes(text))
        return digest.hexdigest()

    def _overlay_cache_path(self, digest: str) -> Path:
        return self.cache_dir / f"overlay-{digest}.json"

    def _baseline_cache_path(self, settings: str) -> Path:
        return self.cache_dir / f"baseline-{settings}.json.gz"

    def _read_cached(self, digest: str) -> OmpResult | None:
        try:
            return OmpResult.from_json(
                json.loads(self._overlay_cache_path(digest).read_text(encoding="utf-8"))
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _cached_baseline(self, settings: str) -> dict[ModelKey, Row] | None:
        if settings in self._baselines:
            return self._baselines[settings]
        try:
            rows = json.loads(gzip.decompress(self._baseline_cache_path(settings).read_bytes()))
        except (OSError, ValueError, EOFError):
            return None
        self._baselines[settings] = {model_key(row): row for row in rows}
        return self._baselines[settings]

    # -- public ----------------------------------------------------------------------------------
    def baseline(self, settings: OmpSettings = None) -> dict[ModelKey, Row]:
        """OMP's getAll() with no models.yml under ``settings``, keyed by (provider, id), in order."""
        key = settings_key(settings)
        if self._cached_baseline(key) is None:
            self._run({}, {settings_text(settings)})
        return self._baselines[key]

    def results(
        self, overlays: Mapping[str, str | bytes], settings: OmpSettings = None
    ) -> dict[str, OmpResult]:
        """OMP's result for each overlay (name -> models.yml text) under ``settings``, from the
        cache or one bun run."""
        return self.results_under({name: (text, settings) for name, text in overlays.items()})

    def results_under(self, runs: Mapping[str, tuple[str | bytes, OmpSettings]]) -> dict[str, OmpResult]:
        """OMP's result for each run (name -> (models.yml text, settings)): the cache, else one bun
        process for all that are missing, whatever mix of settings they have."""
        digests = {name: self.overlay_hash(text, settings) for name, (text, settings) in runs.items()}
        found: dict[str, OmpResult] = {}
        missing: dict[str, tuple[bytes, str]] = {}
        for name, digest in digests.items():
            cached = self._read_cached(digest)
            if cached is not None:
                found[digest] = cached
            else:
                text, settings = runs[name]
                missing[digest] = (_as_bytes(text), settings_text(settings))
        if missing:
            found.update(self._run(missing, set()))
        return {name: found[digest] for name, digest in digests.items()}

    def result(self, text: str | bytes, settings: OmpSettings = None) -> OmpResult:
        return self.results({"overlay": text}, settings)["overlay"]

    def effective_catalog(self, result: OmpResult) -> list[Row]:
        """The full getAll() rows for an overlay: the baseline of its settings with the result's
        difference applied."""
        baseline = self._baseline_for_text(result.settings)
        if result.order is not None:
            return [result.changed.get(key) or baseline[key] for key in result.order]
        rows = [result.changed.get(key, row) for key, row in baseline.items() if key not in result.removed]
        rows.extend(row for key, row in result.changed.items() if key not in baseline)
        return rows

    def _baseline_for_text(self, text: str) -> dict[ModelKey, Row]:
        return self.baseline(json.loads(text) if text else None)

    # -- the bun run -----------------------------------------------------------------------------
    def _run(self, jobs: Mapping[str, tuple[bytes, str]], more_settings: set[str]) -> dict[str, OmpResult]:
        """One bun process of the package's bridge: every job (digest -> (overlay, settings_text)),
        plus a baseline for every set of settings among them and ``more_settings``."""
        configs = {config for _, config in jobs.values()} | more_settings
        keys = {config: _config_key(config) for config in configs}
        baselines = [
            BridgeBaseline(key, config, emit=self._cached_baseline(key) is None)
            for config, key in sorted(keys.items())
        ]
        bridge_jobs = [
            BridgeJob(digest, text, config, baseline=keys[config]) for digest, (text, config) in jobs.items()
        ]
        self.bun_runs += 1
        try:
            output = run_bridge(
                self.install.node_modules,
                self.install.bun,
                bridge_jobs,
                baselines,
                timeout=PROBE_TIMEOUT_SECONDS,
                path_variable=os.environ.get("PATH"),
                transpiler_cache=self.transpiler_cache,
            )
        except OmpEngineError as exc:
            raise OmpProbeError(f"{exc}\n{exc.details}") from exc
        return self._parse(output, jobs)

    def _parse(self, output: BridgeOutput, jobs: Mapping[str, tuple[bytes, str]]) -> dict[str, OmpResult]:
        meta = output.meta
        if meta.get("omp") != self.install.version or meta.get("catalog") != self.install.catalog_version:
            raise OmpProbeError(f"the probe ran a different OMP than expected: {dict(meta)}")
        for key, doc in output.baselines.items():
            rows = doc["rows"]
            if rows is not None:
                _atomic_write_bytes(self._baseline_cache_path(key), gzip.compress(json.dumps(rows).encode()))
                self._baselines[key] = {model_key(row): row for row in rows}
        results: dict[str, OmpResult] = {}
        for key, doc in output.results.items():
            config = jobs[key][1]
            result = OmpResult.from_json({**doc, "settings": config, "settingsSeen": doc.get("settings")})
            _atomic_write_bytes(self._overlay_cache_path(key), json.dumps(result.to_json()).encode())
            results[key] = result
        return results

    def clear_cache(self) -> None:
        shutil.rmtree(self.cache_dir, ignore_errors=True)


def _main(paths: Iterable[str]) -> int:
    try:
        probe = OmpProbe(locate_omp())
    except OmpUnavailable as exc:
        print(f"omp.py: {exc}", file=sys.stderr)
        return 3
    files = {path: Path(path).read_bytes() for path in paths}
    for path, result in probe.results(files).items():
        verdict = "accepted" if result.accepted else "REJECTED"
        print(f"{path}: {verdict}" + (f": {result.error}" if result.error else ""))
        for (provider, model_id), row in result.changed.items():
            fields = {k: row.get(k) for k in ("name", "api", "baseUrl", "contextWindow", "maxTokens", "cost")}
            print(f"  {provider}/{model_id}: {json.dumps(fields)}")
        for provider, model_id in sorted(result.removed):
            print(f"  {provider}/{model_id}: removed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(_main(sys.argv[1:]))
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        sys.exit(0)
