"""Which engine computes the effective catalog: ``omp``, ``python`` or ``auto``.

``python``  catalogmgr's own merge (:mod:`catalogmgr.merge`) over a base ``models.json``: works
            everywhere, says where every value came from, follows the OMP profile chosen.
``omp``     the installed OMP's own ``ModelRegistry`` through the bridge
            (:mod:`catalogmgr.omp.bridge`): exact for that OMP by construction, needs OMP + bun.
``auto``    ``omp`` when an installation with a bun is found and nothing asks for something only
            the Python engine does (``--base``, ``$CATALOGMGR_BASE``, an ``--omp-version`` other
            than the installed one), else ``python``; the reason is said either way.

The default is ``$CATALOGMGR_ENGINE``, else ``auto``. Where OMP is looked for, first found wins:
``--omp-dir`` (a ``node_modules``), ``$CATALOGMGR_OMP_DIR``, then base discovery's roots
(:func:`catalogmgr.omp.install.find_installed_omp`). Its bun: the one installed beside it
(``@oven/bun-*``), else ``$BUN_INSTALL/bin/bun`` (``~/.bun/bin/bun``), else ``bun`` on ``PATH``.

The registry :data:`ENGINES` names every engine; the CLI's ``--engine`` choices come from it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalogmgr.errors import OmpEngineError, UsageError
from catalogmgr.merge import Catalog, Layer, compose_overlays
from catalogmgr.omp.install import (
    CATALOG_PACKAGE_FILES,
    InstalledOmp,
    find_installed_omp,
    install_for_catalog,
)
from catalogmgr.omp.profile import OmpVersion

if TYPE_CHECKING:  # the bridge (subprocess, tempfile) is imported only when OMP is run
    from catalogmgr.omp.bridge import BridgeRun

ENGINE_VARIABLE = "CATALOGMGR_ENGINE"
OMP_DIR_VARIABLE = "CATALOGMGR_OMP_DIR"
# Engine name -> what it is, for --help and messages (the one registry of engines).
ENGINES: Mapping[str, str] = {
    "auto": "the installed OMP when found (with its bun), else the Python engine",
    "omp": "the installed OMP's own ModelRegistry, run under its bun (exact)",
    "python": "catalogmgr's own merge over a base models.json",
}
_BASELINE_KEY = "baseline"
_JOB_KEY = "effective"
# Timeout allowance per overlay of a batch, on top of the run's own timeout.
_SECONDS_PER_OVERLAY = 10.0


@dataclass(frozen=True)
class OmpRuntime:
    """An OMP installation the bridge can run: its ``node_modules``, version and bun."""

    node_modules: Path
    version: OmpVersion | None
    bun: Path
    catalog: Path

    def describe(self) -> str:
        """``OMP 18.2.3 at /x/node_modules (bun /x/.../bun)``."""
        version = f"OMP {self.version}" if self.version else "OMP of unknown version"
        return f"{version} at {self.node_modules} (bun {self.bun})"


@dataclass(frozen=True)
class EngineChoice:
    """The engine that answers this run, the OMP it runs (for ``omp``) and why."""

    name: str  # "omp" or "python"
    runtime: OmpRuntime | None
    reason: str

    def describe(self) -> str:
        """The stderr line every catalog output carries."""
        if self.name == "omp" and self.runtime is not None:
            return f"catalogmgr: engine: omp ({self.runtime.describe()}): {self.reason}"
        return f"catalogmgr: engine: python: {self.reason}"

    def record(self) -> dict[str, Any]:
        """The same facts for JSON outputs."""
        return {
            "name": self.name,
            "omp": str(self.runtime.version) if self.runtime and self.runtime.version else None,
            "ompDir": str(self.runtime.node_modules) if self.runtime else None,
            "reason": self.reason,
        }


def _bun_for(install: InstalledOmp, env: Mapping[str, str], home: Path) -> Path | None:
    if install.bun is not None:
        return install.bun
    bun_install = Path(env.get("BUN_INSTALL") or home / ".bun") / "bin" / "bun"
    if bun_install.is_file() and os.access(bun_install, os.X_OK):
        return bun_install
    found = shutil.which("bun", path=env.get("PATH") or None)
    return Path(found) if found else None


def _install_in(node_modules: Path) -> InstalledOmp | None:
    """The OMP installed in ``node_modules`` (hoisted or nested catalog package), if any."""
    for file in CATALOG_PACKAGE_FILES:
        for candidate in (
            node_modules / file,
            node_modules / "@oh-my-pi/pi-coding-agent/node_modules" / file,
        ):
            if candidate.is_file():
                return install_for_catalog(candidate)
    return None


def find_omp_runtime(
    omp_dir: str | None, env: Mapping[str, str], home: Path
) -> tuple[OmpRuntime | None, str]:
    """The OMP the ``omp`` engine would run, or ``None`` and why not."""
    if omp_dir:
        where, install = f"--omp-dir {omp_dir}", _install_in(Path(omp_dir))
    elif env.get(OMP_DIR_VARIABLE):
        where = f"${OMP_DIR_VARIABLE}={env[OMP_DIR_VARIABLE]}"
        install = _install_in(Path(env[OMP_DIR_VARIABLE]))
    else:
        where, install = "the usual install places (bun and npm global roots)", find_installed_omp(env, home)
    if install is None:
        return None, f"no OMP installation in {where}"
    agent_package = install.root / "@oh-my-pi" / "pi-coding-agent" / "src" / "config" / "model-registry.ts"
    if not agent_package.is_file():
        return None, f"{install.describe()} has no @oh-my-pi/pi-coding-agent sources (a catalog alone)"
    bun = _bun_for(install, env, home)
    if bun is None:
        return None, f"no bun found for {install.describe()} (install @oven/bun-* beside it or bun on PATH)"
    return OmpRuntime(install.root.resolve(), install.version, bun, install.catalog), where


def choose_engine(
    requested: str | None,
    omp_dir: str | None,
    env: Mapping[str, str],
    home: Path,
    *,
    base: str | None = None,
    omp_version: OmpVersion | None = None,
) -> EngineChoice:
    """Resolve ``--engine`` (else ``$CATALOGMGR_ENGINE``, else ``auto``) to ``omp`` or ``python``.

    ``base`` is ``--base``/``$CATALOGMGR_BASE`` when given (OMP reads only its own bundled catalog)
    and ``omp_version`` the version asked for with ``--omp-version``/``$CATALOGMGR_OMP_VERSION``.
    Raises :class:`UsageError` for an unknown engine or a contradiction with ``omp``, and
    :class:`OmpEngineError` when ``omp`` is asked for and no usable OMP is found.
    """
    origin = "--engine"
    if not requested:
        requested = env.get(ENGINE_VARIABLE, "").strip() or "auto"
        origin = f"${ENGINE_VARIABLE}" if env.get(ENGINE_VARIABLE, "").strip() else "default"
    requested = requested.lower()
    if requested not in ENGINES:
        raise UsageError(f"{origin}: unknown engine {requested!r}; choose one of {', '.join(ENGINES)}")
    if requested == "python":
        return EngineChoice("python", None, f"{origin} python")
    if requested == "omp" and base:
        raise UsageError(
            f"--engine omp runs OMP over its own bundled catalog; it cannot use the base {base} "
            "(drop --base/$CATALOGMGR_BASE or use --engine python)"
        )
    runtime, where = find_omp_runtime(omp_dir, env, home)
    if requested == "omp":
        if runtime is None:
            raise OmpEngineError(
                f"--engine omp: {where}; point --omp-dir or ${OMP_DIR_VARIABLE} at the node_modules "
                "holding @oh-my-pi/pi-coding-agent, or use --engine python"
            )
        if omp_version is not None and runtime.version is not None and omp_version != runtime.version:
            raise UsageError(
                f"--engine omp runs the installed {runtime.describe()}, not the requested OMP "
                f"{omp_version}; drop --omp-version or use --engine python"
            )
        return EngineChoice("omp", runtime, f"{origin} omp; found through {where}")
    # auto
    if base:
        return EngineChoice("python", None, f"{origin} auto: a base catalog was given ({base})")
    if runtime is None:
        return EngineChoice("python", None, f"{origin} auto: {where}")
    if omp_version is not None and omp_version != runtime.version:
        return EngineChoice(
            "python", None, f"{origin} auto: OMP {omp_version} asked for, {runtime.describe()} installed"
        )
    return EngineChoice("omp", runtime, f"{origin} auto; found through {where}")


@dataclass(frozen=True)
class OmpCatalog:
    """OMP's effective catalog for the composed overlay, and its no-overlay baseline when asked.

    ``catalog`` is ``getAll()`` grouped as ``{provider: {id: model}}`` in OMP's order; a model the
    overlay leaves as it is in the baseline is the very same object in both (so
    :func:`catalogmgr.merge.catalog_changes` sees it as untouched). ``error`` is OMP's
    ``getError()`` (OMP then runs with none of the overlay's providers); ``settings_seen`` the
    model-related settings as OMP read them.
    """

    catalog: Catalog
    baseline: Catalog | None
    error: str | None
    settings_seen: Mapping[str, Any]
    omp_version: str
    bun_version: str


def overlay_text(layers: Sequence[Layer]) -> bytes | None:
    """The one ``models.yml`` OMP reads: a single overlay's own bytes (parsed by OMP itself), or
    several composed by catalogmgr into one (JSON, which is YAML); ``None`` for no overlay."""
    if not layers:
        return None
    if len(layers) == 1 and layers[0].document is not None:
        return layers[0].document.text.encode("utf-8")
    return json.dumps(compose_overlays(layers), ensure_ascii=False, indent=1).encode("utf-8")


def _group(rows: Sequence[Mapping[str, Any]]) -> Catalog:
    catalog: dict[str, dict[str, Any]] = {}
    for row in rows:
        catalog.setdefault(str(row.get("provider")), {})[str(row.get("id"))] = row
    return catalog


def omp_effective_catalog(
    runtime: OmpRuntime,
    layers: Sequence[Layer],
    *,
    settings_config: str = "",
    with_baseline: bool = False,
    timeout: float | None = None,
    path_variable: str | None = None,
    transpiler_cache: Path | None = None,
) -> OmpCatalog:
    """Run the installed OMP over ``layers`` (composed into one ``models.yml``) under the OMP
    settings ``settings_config`` (``config.yml`` text) and read its catalog back.

    One bun process; ``with_baseline`` adds OMP's catalog with no ``models.yml`` (same settings)
    in the same process, for status and change listings.
    """
    pending = start_omp_catalogs(
        runtime,
        {_JOB_KEY: overlay_text(layers)},
        settings_config=settings_config,
        with_baseline=with_baseline,
        timeout=timeout,
        path_variable=path_variable,
        transpiler_cache=transpiler_cache,
    )
    return pending.result()[_JOB_KEY]


def omp_effective_catalogs(
    runtime: OmpRuntime,
    overlays: Mapping[str, Sequence[Layer]],
    *,
    settings_config: str = "",
    timeout: float | None = None,
    path_variable: str | None = None,
    transpiler_cache: Path | None = None,
) -> dict[str, OmpCatalog]:
    """OMP's catalog for each set of layers (name -> layers), all in one bun process, each with
    the no-overlay baseline it was diffed against (see :func:`start_omp_catalogs`)."""
    pending = start_omp_catalogs(
        runtime,
        {name: overlay_text(layers) for name, layers in overlays.items()},
        settings_config=settings_config,
        with_baseline=True,
        timeout=timeout,
        path_variable=path_variable,
        transpiler_cache=transpiler_cache,
    )
    return pending.result()


def start_omp_catalogs(
    runtime: OmpRuntime,
    overlays: Mapping[str, bytes | None],
    *,
    settings_config: str = "",
    with_baseline: bool = False,
    timeout: float | None = None,
    path_variable: str | None = None,
    transpiler_cache: Path | None = None,
) -> PendingOmpCatalogs:
    """Start one bun process computing OMP's catalog for each ``models.yml`` text (name -> bytes,
    ``None``: no file); returns at once, so the caller can work while OMP loads.

    Without a baseline every ``getAll()`` row is reported. With one, OMP's catalog without a
    ``models.yml`` is loaded first and each overlay reports only the rows that differ plus the full
    ``getAll()`` order; each catalog is rebuilt from the baseline's very row objects, so a model the
    overlay leaves alone is shared (and :func:`catalogmgr.merge.catalog_changes` skips it).
    ``timeout`` (seconds, for one overlay) defaults to the bridge's own.
    """
    # Imported here: every Python-engine command chooses its engine through this module, and only
    # the omp engine needs the bridge's process machinery.
    from catalogmgr.omp.bridge import DEFAULT_TIMEOUT_SECONDS, BridgeBaseline, BridgeJob, BridgeRun

    baseline_key = _BASELINE_KEY if with_baseline else None
    jobs = [
        BridgeJob(
            name,
            overlay,
            settings_config,
            baseline=baseline_key,
            all_fields=True,
            full_order=with_baseline,
        )
        for name, overlay in overlays.items()
    ]
    baselines = (
        [BridgeBaseline(_BASELINE_KEY, settings_config, emit=True, all_fields=True)] if with_baseline else []
    )
    run = BridgeRun(
        runtime.node_modules,
        runtime.bun,
        jobs,
        baselines,
        # Each overlay is one more registry load in the same process (about a second each).
        timeout=(DEFAULT_TIMEOUT_SECONDS if timeout is None else timeout)
        + _SECONDS_PER_OVERLAY * max(0, len(jobs) - 1),
        path_variable=path_variable,
        transpiler_cache=transpiler_cache,
    )
    return PendingOmpCatalogs(run, list(overlays), with_baseline)


class PendingOmpCatalogs:
    """OMP's catalogs being computed: :meth:`result` waits for them, :meth:`cancel` drops them."""

    def __init__(self, run: BridgeRun, names: list[str], with_baseline: bool) -> None:
        self._run = run
        self._names = names
        self._with_baseline = with_baseline

    def cancel(self) -> None:
        """Stop OMP and forget the run (e.g. when the overlay turns out invalid)."""
        self._run.cancel()

    def result(self) -> dict[str, OmpCatalog]:
        """Each overlay's catalog, by name; raises :class:`OmpEngineError` on any failure."""
        output = self._run.wait()
        if not self._with_baseline:
            return {
                name: _answer(_group(_rows(output.results[name])), None, output.results[name], output.meta)
                for name in self._names
            }
        baseline_doc = output.baselines.get(_BASELINE_KEY)
        baseline_rows = baseline_doc.get("rows") if baseline_doc is not None else None
        if not isinstance(baseline_rows, list):
            raise OmpEngineError("OMP's bridge returned no baseline rows")
        baseline_by_key = {_row_key(row): row for row in baseline_rows}
        baseline = _group(baseline_rows)
        answers: dict[str, OmpCatalog] = {}
        for name in self._names:
            result = output.results[name]
            changed = {_row_key(row): row for row in _rows(result)}
            order = result.get("order")
            if not isinstance(order, list):
                raise OmpEngineError("OMP's bridge returned no model order")
            rows = []
            for pair in order:
                key = (str(pair[0]), str(pair[1]))
                row = changed.get(key) or baseline_by_key.get(key)
                if row is None:
                    raise OmpEngineError(f"OMP's bridge lists {key[0]}/{key[1]} without its row")
                rows.append(row)
            answers[name] = _answer(_group(rows), baseline, result, output.meta)
        return answers


def _row_key(row: Mapping[str, Any]) -> tuple[str, str]:
    return (str(row.get("provider")), str(row.get("id")))


def _rows(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    rows = result.get("rows")
    if not isinstance(rows, list):
        raise OmpEngineError("OMP's bridge returned no model rows")
    return rows


def _answer(
    catalog: Catalog, baseline: Catalog | None, result: Mapping[str, Any], meta: Mapping[str, Any]
) -> OmpCatalog:
    error = result.get("error")
    return OmpCatalog(
        catalog=catalog,
        baseline=baseline,
        error=str(error) if error else None,
        settings_seen=result.get("settings") or {},
        omp_version=str(meta.get("omp")),
        bun_version=str(meta.get("bun")),
    )


def user_settings_config(agent_dir: Path) -> str:
    """The user's OMP settings (``<agent dir>/config.yml``) as text, "" when there is none.

    OMP reads model settings (``extendedContext``, ``disabledProviders``...) from it; the bridge
    copies it into its private agent dir so OMP answers under the user's own settings.
    """
    try:
        return (agent_dir / "config.yml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
