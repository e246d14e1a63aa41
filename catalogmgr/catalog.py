"""Finding the base catalog (OMP's bundled ``models.json``) and the user's default overlay.

Base catalog, first found wins:

1. ``--base PATH``;
2. ``$CATALOGMGR_BASE``;
3. the user's installed OMP: ``@oh-my-pi/pi-catalog/src/models.json`` (OMP 16+), else
   ``@oh-my-pi/pi-ai/src/models.json`` (OMP 15 and earlier), under the bun global install
   (``$BUN_INSTALL/install/global/node_modules``, default ``~/.bun/...``), then under the npm
   global roots (:func:`npm_global_roots`: derived from the environment, npm itself is never run),
   where the catalog package may also sit nested inside ``@oh-my-pi/pi-coding-agent``;
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

EMBEDDED_DEFAULT_RESOURCE = "default-catalog.json"
# Package directories that hold a bundled models.json, newest layout first.
CATALOG_PACKAGE_FILES = (
    Path("@oh-my-pi/pi-catalog/src/models.json"),
    Path("@oh-my-pi/pi-ai/src/models.json"),
)
# The usual `npm root -g` of system-wide installs (Debian/Ubuntu packages, nodejs.org, Homebrew).
SYSTEM_NPM_ROOTS: tuple[Path, ...] = (
    Path("/usr/local/lib/node_modules"),
    Path("/opt/homebrew/lib/node_modules"),
    Path("/usr/lib/node_modules"),
)
# npm installs a global package's dependencies nested under it rather than hoisted.
NESTED_UNDER = Path("@oh-my-pi/pi-coding-agent/node_modules")


@dataclass(frozen=True)
class BaseCatalog:
    """The catalog overlays are applied to, and where it came from (said in every output)."""

    catalog: Catalog
    source: str
    is_embedded: bool


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


def bun_global_roots(env: Mapping[str, str], home: Path) -> list[Path]:
    """Where ``bun install -g`` puts packages: ``$BUN_INSTALL/install/global/node_modules``."""
    bun_install = env.get("BUN_INSTALL") or str(home / ".bun")
    return [Path(bun_install) / "install" / "global" / "node_modules"]


def npm_global_roots(env: Mapping[str, str], home: Path) -> list[Path]:
    """``npm root -g`` candidates without running npm: the configured prefix, then the usual ones."""
    roots: list[Path] = []
    for variable in ("NPM_CONFIG_PREFIX", "npm_config_prefix"):
        prefix = env.get(variable)
        if prefix:
            roots.append(Path(prefix) / "lib" / "node_modules")
    roots.append(home / ".npm-global" / "lib" / "node_modules")
    roots.extend(SYSTEM_NPM_ROOTS)
    return list(dict.fromkeys(roots))


def installed_catalog_candidates(env: Mapping[str, str], home: Path) -> list[Path]:
    """Every path where an installed OMP's bundled catalog may be, in search order."""
    candidates: list[Path] = []
    for root in bun_global_roots(env, home):
        candidates.extend(root / file for file in CATALOG_PACKAGE_FILES)
    for root in npm_global_roots(env, home):
        for file in CATALOG_PACKAGE_FILES:
            candidates.append(root / file)
            candidates.append(root / NESTED_UNDER / file)
    return candidates


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
        catalog=_checked_catalog(load_json_fast(path, name=path), path), source=path, is_embedded=False
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
