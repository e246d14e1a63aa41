"""The ``--engine`` step of ``merge``, ``list``, ``show`` and ``changes``: who computes the catalog.

:func:`effective_with_engine` returns what :func:`catalogmgr.cli._common.build_effective` returns
(base, layers, merge result), whichever engine answers, so every renderer works as usual. With the
``omp`` engine:

- the overlays are loaded and validated by catalogmgr as always (an invalid overlay stops the run
  with its located errors), then handed to the installed OMP as the one ``models.yml`` it reads;
- the "base" is OMP's own catalog with no ``models.yml`` under the same settings (what the
  overlays change is measured against what OMP runs without them), loaded in the same bun
  process, and only when the command needs it;
- provenance (``show --explain``, ``changes``) comes from catalogmgr's own merge and is kept only
  for the values on which both engines agree: a value OMP computed differently has no origin
  rather than a wrong one;
- OMP rejecting the overlay (``getError()``) is an invalid overlay (exit 1) with OMP's message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from catalogmgr.catalog import BaseCatalog, agent_dir, load_base_catalog
from catalogmgr.cli._common import (
    build_effective,
    choose_profile,
    load_layers,
    overlay_paths,
    remember_engine,
    requested_engine,
    requested_extended_context,
    requested_omp_version,
    runtime_settings_for_run,
)
from catalogmgr.documents import read_bytes
from catalogmgr.engine import (
    EngineChoice,
    OmpRuntime,
    PendingOmpCatalogs,
    choose_engine,
    overlay_text,
    start_omp_catalogs,
    user_settings_config,
)
from catalogmgr.errors import CatalogmgrError, InvalidOverlayError, UsageError
from catalogmgr.merge import Catalog, Layer, MergeResult, Origin, merge_catalog
from catalogmgr.omp.install import install_for_catalog
from catalogmgr.omp.profile import VERSION_VARIABLE, OmpVersion, parse_requested_version
from catalogmgr.omp.settings import config_with_extended_context
from catalogmgr.problems import Problem

_RUN = "effective"


def _raw_overlay(path: str) -> bytes | None:
    """The overlay's bytes as OMP would read them; ``None`` when unreadable (validation says why)."""
    try:
        return read_bytes(path, name=path)
    except CatalogmgrError:
        return None


def _asked_version(env: Mapping[str, str]) -> OmpVersion | None:
    requested = requested_omp_version()
    if requested:
        return parse_requested_version(requested, origin="--omp-version")
    from_env = env.get(VERSION_VARIABLE, "").strip()
    return parse_requested_version(from_env, origin=f"${VERSION_VARIABLE}") if from_env else None


def select_engine(
    base: str | None, env: Mapping[str, str], home: Path, *, python_only: str | None = None
) -> EngineChoice:
    """The engine for this command (``--engine``/``--omp-dir`` from the click context).

    ``python_only`` names an option only the Python engine serves (``--resolve-keys``...): ``auto``
    then answers with Python and an explicit ``--engine omp`` is a usage error.
    """
    requested, omp_dir = requested_engine()
    if python_only is not None:
        if (requested or "").lower() == "omp":
            raise UsageError(f"--engine omp cannot serve {python_only}; use --engine python")
        return EngineChoice("python", None, f"{python_only} is served by the Python engine")
    return choose_engine(
        requested,
        omp_dir,
        env,
        home,
        base=base or env.get("CATALOGMGR_BASE") or None,
        omp_version=_asked_version(env),
    )


def transpiler_cache_dir(env: Mapping[str, str]) -> Path:
    """Where bun keeps its transpiled OMP sources between runs (the user cache, never HOME's OMP)."""
    from catalogmgr.upstream.cache import default_cache_dir

    return default_cache_dir(env) / "bun-transpiler-cache"


def effective_with_engine(
    base: str | None,
    overlays: Sequence[str],
    env: Mapping[str, str],
    home: Path,
    *,
    no_default_overlay: bool,
    need_baseline: bool = True,
    provenance: bool = False,
    python_only: str | None = None,
    providers: Collection[str] | None = None,
) -> tuple[BaseCatalog, list[Layer], MergeResult]:
    """Choose the engine and build the effective catalog with it (see the module docstring).

    ``providers``: the command reads only these providers, so the Python engine may leave the
    others out (OMP answers with its whole catalog either way). ``provenance``: the command shows
    origins of models nothing changed (``show --explain``); without, the Python engine skips them.
    """
    choice = select_engine(base, env, home, python_only=python_only)
    remember_engine(choice)
    if choice.name == "python" or choice.runtime is None:
        return build_effective(
            base,
            overlays,
            env,
            home,
            no_default_overlay=no_default_overlay,
            providers=providers,
            provenance=provenance,
        )
    return _omp_effective(
        choice.runtime,
        overlays,
        env,
        home,
        no_default_overlay=no_default_overlay,
        need_baseline=need_baseline,
        provenance=provenance,
    )


def _omp_effective(
    runtime: OmpRuntime,
    overlays: Sequence[str],
    env: Mapping[str, str],
    home: Path,
    *,
    no_default_overlay: bool,
    need_baseline: bool,
    provenance: bool,
) -> tuple[BaseCatalog, list[Layer], MergeResult]:
    install = install_for_catalog(runtime.catalog)
    source = f"OMP {runtime.version or '(unknown version)'}'s own catalog with no models.yml"
    placeholder = BaseCatalog(catalog={}, source=source, is_embedded=False, install=install)
    profile = choose_profile(env, home, placeholder).profile
    paths = overlay_paths(overlays, no_default_overlay, env, home)
    # The user's settings, with --extended-context/--no-extended-context forced in: OMP answers
    # under the same settings the Python engine's runtime policies would use.
    settings = runtime_settings_for_run(env, home)
    settings_config = config_with_extended_context(
        user_settings_config(agent_dir(env, home)), requested_extended_context()
    )

    def start(overlay: bytes | None) -> PendingOmpCatalogs:
        return start_omp_catalogs(
            runtime,
            {_RUN: overlay},
            settings_config=settings_config,
            with_baseline=need_baseline,
            path_variable=env.get("PATH"),
            transpiler_cache=transpiler_cache_dir(env),
        )

    # With no overlay or one, OMP gets the file's own bytes: start it at once and validate the
    # overlay while it loads (two cores do both); an invalid overlay stops it unread.
    early: PendingOmpCatalogs | None = None
    if not paths:
        early = start(None)
    elif len(paths) == 1 and (raw := _raw_overlay(paths[0])) is not None:
        early = start(raw)
    try:
        layers, notes = load_layers(paths, profile)
    except BaseException:
        if early is not None:
            early.cancel()
        raise
    pending = early if early is not None else start(overlay_text(layers))
    answer = pending.result()[_RUN]
    if answer.error is not None:
        names = ", ".join(layer.name for layer in layers) or "models.yml"
        rejected = Problem(
            file=names,
            position=None,
            pointer="",
            message=f"OMP {answer.omp_version} rejects the overlay (it would run with none of "
            f"its providers): {answer.error}",
            rule="omp-rejected",
        )
        raise InvalidOverlayError(names, [rejected])
    origins: dict[tuple[str, str], dict[str, Origin]] = {}
    if provenance and layers:
        python_base = load_base_catalog(str(runtime.catalog))
        python = merge_catalog(
            python_base.catalog, layers, base_name=source, profile=profile, settings=settings
        )
        origins = agreeing_provenance(python, answer.catalog)
    base_catalog = dataclasses.replace(placeholder, catalog=answer.baseline or {})
    result = MergeResult(catalog=answer.catalog, provenance=origins, problems=list(notes), profile=profile)
    return base_catalog, layers, result


_MISSING = object()


def _at(model: Mapping[str, Any], path: str) -> Any:
    value: Any = model
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def agreeing_provenance(python: MergeResult, omp: Catalog) -> dict[tuple[str, str], dict[str, Origin]]:
    """catalogmgr's provenance, kept only where its value equals OMP's (a field OMP computed
    differently gets no origin rather than a wrong one)."""
    kept: dict[tuple[str, str], dict[str, Origin]] = {}
    for (provider, model_id), origins in python.provenance.items():
        ours = python.catalog.get(provider, {}).get(model_id)
        theirs = omp.get(provider, {}).get(model_id)
        if ours is None or theirs is None:
            continue
        agreeing = {
            path: origin
            for path, origin in origins.items()
            if (value := _at(ours, path)) is not _MISSING and value == _at(theirs, path)
        }
        if agreeing:
            kept[(provider, model_id)] = agreeing
    return kept
