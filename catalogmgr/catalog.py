"""Finding the base catalog (OMP's bundled ``models.json``) and the user's default overlay.

Base catalog, first found wins:

1. ``--base PATH``;
2. ``$CATALOGMGR_BASE``;
3. the user's installed OMP's bundled catalog (:mod:`catalogmgr.omp.install` knows where OMP
   installs keep it);
4. the embedded catalog shipped in this package: the complete bundled catalog of the newest OMP
   release catalogmgr supports, byte for byte, gzip-compressed (``catalogmgr/data/omp-catalog.json.gz``;
   which release, its checksum and licence are in ``omp-catalog.meta.json`` and
   ``omp-catalog.LICENSE``; ``scripts/refresh_embedded_catalog.py`` regenerates the three). So a
   user without OMP gets the verdicts and values a user of that release gets.

Default overlay: OMP reads exactly one file, ``<agent dir>/models.yml``, else ``models.yaml``, else
(migrated once to ``models.yml``) a legacy ``models.json``; the agent dir is
``$PI_CODING_AGENT_DIR`` or ``~/.omp/agent``.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from catalogmgr import __version__
from catalogmgr.documents import MAX_CATALOG_BYTES, load_json_fast
from catalogmgr.errors import InputError, NotFoundError
from catalogmgr.merge import Catalog
from catalogmgr.omp.install import InstalledOmp, install_for_catalog, installed_catalog_candidates
from catalogmgr.omp.profile import OmpVersion

# The rule id of "modelOverrides names a model the base lacks" (validate and merge alike).
UNKNOWN_OVERRIDE_RULE = "unknown-override"
EMBEDDED_CATALOG_RESOURCE = "omp-catalog.json.gz"
EMBEDDED_META_RESOURCE = "omp-catalog.meta.json"


@dataclass(frozen=True)
class BaseCatalog:
    """The catalog overlays are applied to, and where it came from (said in every output)."""

    catalog: Catalog
    source: str
    is_embedded: bool
    # The OMP installation the catalog belongs to (its version chooses the OMP profile).
    install: InstalledOmp | None = None
    # The OMP release whose catalog this is, when known (the embedded one always knows).
    omp_version: OmpVersion | None = None


@dataclass(frozen=True)
class EmbeddedCatalogInfo:
    """What the embedded catalog is: ``omp-catalog.meta.json``, written by the refresh script."""

    package: str
    version: OmpVersion
    sha256: str
    size: int
    providers: int
    models: int


@cache
def embedded_catalog_info() -> EmbeddedCatalogInfo:
    """The embedded catalog's package, OMP version, checksum and counts."""
    text = _data_resource(EMBEDDED_META_RESOURCE).read_text(encoding="utf-8")
    meta = json.loads(text)
    version = OmpVersion.parse(str(meta["version"]))
    if version is None:  # pragma: no cover - the refresh script writes a package.json version
        raise NotFoundError(f"the embedded catalog's {EMBEDDED_META_RESOURCE} has no OMP version")
    return EmbeddedCatalogInfo(
        package=str(meta["package"]),
        version=version,
        sha256=str(meta["sha256"]),
        size=int(meta["bytes"]),
        providers=int(meta["providers"]),
        models=int(meta["models"]),
    )


def embedded_source() -> str:
    """How outputs name the embedded catalog: ``embedded catalog of OMP 18.2.3 (catalogmgr 0.1.0)``."""
    return f"embedded catalog of OMP {embedded_catalog_info().version} (catalogmgr {__version__})"


@cache
def load_embedded_default() -> Catalog:
    """The embedded catalog (OMP's own ``models.json``, decompressed and parsed once per process).

    The same object is returned on every call: callers must not mutate it (the merge never
    mutates its inputs; ``tests/property/test_merge_laws.py`` holds that).
    """
    resource = _data_resource(EMBEDDED_CATALOG_RESOURCE)
    with resource.open("rb") as packed, gzip.GzipFile(fileobj=packed) as unpacked:
        # Bounded like any base catalog, though the file ships with the package.
        raw = unpacked.read(MAX_CATALOG_BYTES + 1)
    if len(raw) > MAX_CATALOG_BYTES:  # pragma: no cover - a corrupted installation
        raise InputError("the embedded catalog is larger than any catalog allowed", file=embedded_source())
    # catalogmgr's own file (tests/unit/test_embedded_catalog.py holds its checksum), not user
    # input: parsed directly, without the hostile-input depth walk of load_json_fast (a third of
    # the load time, paid by every command run without an installed OMP).
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency; the stdlib reads the same
        data = json.loads(raw)
    else:
        data = orjson.loads(raw)
    return _checked_catalog(data, embedded_source())


def embedded_base() -> BaseCatalog:
    """The embedded catalog as a base, with the OMP release it belongs to."""
    catalog = load_embedded_default()
    return BaseCatalog(
        catalog=catalog,
        source=embedded_source(),
        is_embedded=True,
        omp_version=embedded_catalog_info().version,
    )


def base_cannot_answer(base: BaseCatalog, version: OmpVersion | None) -> str | None:
    """Why ``base`` cannot say which models OMP ``version`` has, or ``None`` when it can.

    Only the embedded catalog stands in for a release the user may not run: when the OMP version
    in use (``--omp-version``, ``$CATALOGMGR_OMP_VERSION`` or an installed OMP) is another release,
    the models that release added or removed are unknown here. Callers then skip the questions
    that depend on them (unknown modelOverrides ids) rather than guess, and say so once.
    """
    if not base.is_embedded or version is None or base.omp_version is None or version == base.omp_version:
        return None
    return (
        f"the embedded catalog is OMP {base.omp_version}'s, not OMP {version}'s: models added or removed "
        f"since are unknown, so modelOverrides ids are not checked; pass --base PATH to OMP {version}'s "
        "models.json (@oh-my-pi/pi-catalog/src/models.json) for the full answer"
    )


def _data_resource(name: str) -> Any:
    resource = resources.files("catalogmgr").joinpath("data", name)
    if not resource.is_file():
        raise NotFoundError(
            f"the embedded catalog is missing from this installation ({name}); "
            "pass --base PATH to a models.json"
        )
    return resource


def locate_base_catalog(explicit: str | None, env: Mapping[str, str], home: Path) -> BaseCatalog:
    """Find and load the base catalog (see the module docstring for the order)."""
    if explicit:
        return load_base_catalog(explicit)
    from_env = env.get("CATALOGMGR_BASE")
    if from_env:
        return load_base_catalog(from_env)
    for candidate in installed_catalog_candidates(env, home):
        if candidate.is_file():
            return load_base_catalog(str(candidate))
    return embedded_base()


def load_base_catalog(path: str) -> BaseCatalog:
    """Load a ``models.json`` named by the user; the display name is the path as given."""
    install = install_for_catalog(Path(path))
    if _is_empty_file(Path(path)):
        # JSON has no empty document; "not a catalog" says more than a syntax error at 1:1.
        raise _not_a_catalog(path, "the file is empty")
    return BaseCatalog(
        catalog=_checked_catalog(load_json_fast(path, name=path), path),
        source=path,
        is_embedded=False,
        install=install,
        omp_version=install.version if install is not None else None,
    )


def _is_empty_file(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size == 0
    except OSError:
        return False  # unreadable: the loader reports it with its own message


def _checked_catalog(data: Any, name: str) -> Catalog:
    """Refuse data that is not ``{provider: {model id: model}}`` with a one-line error."""
    if not isinstance(data, dict):
        raise _not_a_catalog(name, "expected an object of providers ({provider: {model id: model}})")
    for provider, models in data.items():
        if not isinstance(models, dict):
            raise _not_a_catalog(name, f"provider {provider!r} is not an object of models")
        for model_id, model in models.items():
            if not isinstance(model, dict):
                raise _not_a_catalog(name, f"model {provider}/{model_id} is not an object")
            if "id" not in model:
                hint = " (a models.yml overlay? pass it with --overlay)" if "providers" in data else ""
                raise _not_a_catalog(name, f"model {provider}/{model_id} has no id{hint}")
    return data


def _not_a_catalog(name: str, why: str) -> InputError:
    return InputError(f"not a models.json catalog: {why}", file=name, rule="catalog-shape")


def agent_dir(env: Mapping[str, str], home: Path) -> Path:
    """OMP's agent directory: ``$PI_CODING_AGENT_DIR`` (made absolute), else ``~/.omp/agent``."""
    override = env.get("PI_CODING_AGENT_DIR")
    if override:
        return Path(override).resolve()
    return home / ".omp" / "agent"


def default_overlay_paths(env: Mapping[str, str], home: Path) -> list[Path]:
    """The overlay OMP itself would read, as a list of zero or one path.

    OMP reads a single file: ``models.yml``, else ``models.yaml``, else a legacy ``models.json``
    (which it migrates to ``models.yml`` on first start). A ``models.yaml`` beside a ``models.yml``
    is ignored by OMP, so it is not returned here either.
    """
    directory = agent_dir(env, home)
    for name in ("models.yml", "models.yaml", "models.json"):
        candidate = directory / name
        if candidate.is_file():
            return [candidate]
    return []
