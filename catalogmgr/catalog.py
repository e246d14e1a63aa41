"""Finding the base catalog (OMP's bundled ``models.json``) and the user's default overlay.

Base catalog, first found wins:

1. ``--base PATH``;
2. ``$CATALOGMGR_BASE``;
3. the user's installed OMP's bundled catalog (:mod:`catalogmgr.omp.install` knows where OMP
   installs keep it);
4. the embedded default catalog shipped in this package (``catalogmgr/data/default-catalog.json``),
   a curated subset.

Default overlay: OMP reads exactly one file, ``<agent dir>/models.yml``, else ``models.yaml``, else
(migrated once to ``models.yml``) a legacy ``models.json``; the agent dir is
``$PI_CODING_AGENT_DIR`` or ``~/.omp/agent``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from catalogmgr import __version__
from catalogmgr.documents import load_json_fast
from catalogmgr.errors import InputError, NotFoundError
from catalogmgr.merge import Catalog
from catalogmgr.omp.install import InstalledOmp, install_for_catalog, installed_catalog_candidates

EMBEDDED_DEFAULT_RESOURCE = "default-catalog.json"


@dataclass(frozen=True)
class BaseCatalog:
    """The catalog overlays are applied to, and where it came from (said in every output)."""

    catalog: Catalog
    source: str
    is_embedded: bool
    # The OMP installation the catalog belongs to (its version chooses the OMP profile).
    install: InstalledOmp | None = None


def embedded_source() -> str:
    """How outputs name the embedded default catalog."""
    return f"embedded default catalog (catalogmgr {__version__})"


def load_embedded_default() -> Catalog:
    """The curated default catalog shipped inside the package."""
    resource = resources.files("catalogmgr").joinpath("data", EMBEDDED_DEFAULT_RESOURCE)
    if not resource.is_file():
        raise NotFoundError(
            f"the embedded default catalog is missing from this installation ({EMBEDDED_DEFAULT_RESOURCE}); "
            "pass --base PATH to a models.json"
        )
    with resources.as_file(resource) as path:
        return _checked_catalog(load_json_fast(path, name=embedded_source()), embedded_source())


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
    return BaseCatalog(catalog=load_embedded_default(), source=embedded_source(), is_embedded=True)


def load_base_catalog(path: str) -> BaseCatalog:
    """Load a ``models.json`` named by the user; the display name is the path as given."""
    return BaseCatalog(
        catalog=_checked_catalog(load_json_fast(path, name=path), path),
        source=path,
        is_embedded=False,
        install=install_for_catalog(Path(path)),
    )


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
