"""Locating an installed OMP: its ``node_modules`` root, version, bundled catalog and bun.

OMP installs as the npm package ``@oh-my-pi/pi-coding-agent``; its bundled catalog lives in a
sibling package (:data:`CATALOG_PACKAGE_FILES`: ``pi-catalog`` from OMP 17, ``pi-ai`` before), and
npm may install that package nested under ``pi-coding-agent`` rather than hoisted. Roots searched,
first found wins:

1. the bun global install (``$BUN_INSTALL/install/global/node_modules``, default ``~/.bun/...``);
2. the npm global roots (:func:`npm_global_roots`: derived from the environment, npm itself is
   never run), where the catalog package may also sit nested inside ``pi-coding-agent``.

Everything here only looks at files (``is_file``, one small ``package.json`` read); nothing is run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from catalogmgr.omp.profile import OmpVersion

# Package files that hold a bundled models.json, newest layout first.
CATALOG_PACKAGE_FILES = (
    Path("@oh-my-pi/pi-catalog/src/models.json"),
    Path("@oh-my-pi/pi-ai/src/models.json"),
)
AGENT_PACKAGE = Path("@oh-my-pi/pi-coding-agent")
# The usual `npm root -g` of system-wide installs (Debian/Ubuntu packages, nodejs.org, Homebrew).
SYSTEM_NPM_ROOTS: tuple[Path, ...] = (
    Path("/usr/local/lib/node_modules"),
    Path("/opt/homebrew/lib/node_modules"),
    Path("/usr/lib/node_modules"),
)
# npm installs a global package's dependencies nested under it rather than hoisted.
NESTED_UNDER = AGENT_PACKAGE / "node_modules"
# Where the bun binary of an `npm install @oven/bun-linux-x64` (or another platform) sits.
_BUN_PACKAGES = (
    "@oven/bun-linux-x64",
    "@oven/bun-linux-x64-baseline",
    "@oven/bun-linux-aarch64",
    "@oven/bun-darwin-aarch64",
    "@oven/bun-darwin-x64",
)


@dataclass(frozen=True)
class InstalledOmp:
    """An OMP installation found on disk.

    ``version`` is ``None`` when no readable ``package.json`` says it (a catalog copied around
    without its packages); ``bun`` is the bun binary installed beside it, if any.
    """

    root: Path
    version: OmpVersion | None
    catalog: Path
    bun: Path | None

    def describe(self) -> str:
        """``OMP 18.2.3 at /usr/lib/node_modules`` (or ``OMP of unknown version at ...``)."""
        version = f"OMP {self.version}" if self.version else "OMP of unknown version"
        return f"{version} at {self.root}"


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
            # Windows keeps global packages in <prefix>\node_modules, without lib\.
            roots.append(Path(prefix) / "node_modules")
    # npm's default global prefix on Windows is %APPDATA%\npm.
    appdata = env.get("APPDATA")
    if appdata:
        roots.append(Path(appdata) / "npm" / "node_modules")
    roots.append(home / ".npm-global" / "lib" / "node_modules")
    roots.extend(SYSTEM_NPM_ROOTS)
    return list(dict.fromkeys(roots))


def installed_catalog_candidates(env: Mapping[str, str], home: Path) -> list[Path]:
    """Every path where an installed OMP's bundled catalog may be, in search order."""
    candidates: list[Path] = []
    for root in bun_global_roots(env, home):
        candidates.extend(root / file for file in CATALOG_PACKAGE_FILES)
    for root in npm_global_roots(env, home):
        candidates.extend(_catalogs_under(root))
    return candidates


def _catalogs_under(root: Path) -> list[Path]:
    """The catalog files of an OMP installed under ``root``, hoisted or nested, newest layout first."""
    paths: list[Path] = []
    for file in CATALOG_PACKAGE_FILES:
        paths.append(root / file)
        paths.append(root / NESTED_UNDER / file)
    return paths


def find_installed_omp(env: Mapping[str, str], home: Path) -> InstalledOmp | None:
    """The first installed OMP (see the module docstring for the order), or ``None``."""
    for candidate in installed_catalog_candidates(env, home):
        if candidate.is_file():
            return install_for_catalog(candidate)
    return None


def install_for_catalog(catalog: Path) -> InstalledOmp | None:
    """The installation a bundled ``models.json`` belongs to, or ``None`` when it is not in one.

    ``catalog`` must end in one of :data:`CATALOG_PACKAGE_FILES`; the version is read from
    ``pi-coding-agent``'s ``package.json`` (hoisted beside the catalog package, or the package the
    catalog is nested in), else from the catalog package's own ``package.json`` (the packages are
    released together with one version number).
    """
    for file in CATALOG_PACKAGE_FILES:
        if catalog.parts[-len(file.parts) :] != file.parts:
            continue
        modules = Path(*catalog.parts[: -len(file.parts)]) if len(catalog.parts) > len(file.parts) else Path()
        root = modules
        if modules.parts[-len(NESTED_UNDER.parts) :] == NESTED_UNDER.parts:
            root = Path(*modules.parts[: -len(NESTED_UNDER.parts)])
        version = read_package_version(root / AGENT_PACKAGE / "package.json") or read_package_version(
            modules / file.parts[0] / file.parts[1] / "package.json"
        )
        return InstalledOmp(root=root, version=version, catalog=catalog, bun=_bun_under(root))
    return None


def read_package_version(package_json: Path) -> OmpVersion | None:
    """The ``version`` of a ``package.json``; ``None`` when unreadable, not JSON or not a version."""
    try:
        data = json.loads(package_json.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    version = data.get("version") if isinstance(data, dict) else None
    return OmpVersion.parse(version) if isinstance(version, str) else None


def _bun_under(root: Path) -> Path | None:
    for package in _BUN_PACKAGES:
        candidate = root / package / "bin" / "bun"
        if candidate.is_file():
            return candidate
    return None
