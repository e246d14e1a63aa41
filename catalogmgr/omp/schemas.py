"""Find and load the published JSON Schemas, one overlay schema per OMP profile.

The schemas are published at the repository root (``schemas/``) so that editors and other tools
(``check-jsonschema``) can use them, and the wheel carries a copy inside the package
(``catalogmgr/schemas/``, see ``[tool.hatch.build.targets.wheel.force-include]``) because the
pre-commit hook runs from a ``pip install .`` that has no repository around it. The package copy
wins when present; a source checkout falls back to the repository's files.

The overlay schema depends on the OMP version (:attr:`Profile.schema_file`); the catalog schema
(``models.json``) is one for every version.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Literal

from catalogmgr.omp.profile import DEFAULT_PROFILE, Profile

SchemaKind = Literal["overlay", "catalog"]
SCHEMA_KINDS: tuple[SchemaKind, ...] = ("overlay", "catalog")

CATALOG_SCHEMA_FILE = "omp-models-json.schema.json"

# catalogmgr/ (this file is catalogmgr/omp/schemas.py)
_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def schema_file(kind: SchemaKind, profile: Profile = DEFAULT_PROFILE) -> str:
    """The file name of the schema for ``kind`` under ``profile``."""
    return profile.schema_file if kind == "overlay" else CATALOG_SCHEMA_FILE


def schema_dir() -> Path:
    """The directory holding the schema files: the installed package's copy, else the repository's."""
    installed = _PACKAGE_DIR / "schemas"
    if (installed / DEFAULT_PROFILE.schema_file).is_file():
        return installed
    return _PACKAGE_DIR.parent / "schemas"


def schema_path(kind: SchemaKind, profile: Profile = DEFAULT_PROFILE) -> Path:
    """Path of the schema file for ``kind`` under ``profile``."""
    return schema_dir() / schema_file(kind, profile)


@cache
def schema_text(kind: SchemaKind, profile: Profile = DEFAULT_PROFILE) -> str:
    """The schema exactly as published (what ``catalogmgr schema`` prints)."""
    path = schema_path(kind, profile)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:  # pragma: no cover - a broken installation
        raise RuntimeError(
            f"catalogmgr's {kind} schema is missing ({path}): the installation is broken"
        ) from error


@cache
def load_schema(kind: SchemaKind, profile: Profile = DEFAULT_PROFILE) -> dict[str, Any]:
    """The parsed schema for ``kind`` under ``profile`` (cached: callers must not mutate it)."""
    loaded: dict[str, Any] = json.loads(schema_text(kind, profile))
    return loaded
