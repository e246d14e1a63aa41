"""Find and load the published JSON Schemas.

The schemas are published at the repository root (``schemas/``) so that editors and other tools
(``check-jsonschema``) can use them, and the wheel carries a copy inside the package
(``catalogmgr/schemas/``, see ``[tool.hatch.build.targets.wheel.force-include]``) because the
pre-commit hook runs from a ``pip install .`` that has no repository around it. The package copy
wins when present; a source checkout falls back to the repository's files.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Literal

SchemaKind = Literal["overlay", "catalog"]

SCHEMA_FILES: dict[SchemaKind, str] = {
    "overlay": "omp-models-yml.schema.json",
    "catalog": "omp-models-json.schema.json",
}

_PACKAGE_DIR = Path(__file__).resolve().parent


def schema_dir() -> Path:
    """The directory holding the schema files: the installed package's copy, else the repository's."""
    installed = _PACKAGE_DIR / "schemas"
    if (installed / SCHEMA_FILES["overlay"]).is_file():
        return installed
    return _PACKAGE_DIR.parent / "schemas"


def schema_path(kind: SchemaKind) -> Path:
    """Path of the schema file for ``kind``."""
    return schema_dir() / SCHEMA_FILES[kind]


@cache
def schema_text(kind: SchemaKind) -> str:
    """The schema exactly as published (what ``catalogmgr schema`` prints)."""
    try:
        return schema_path(kind).read_text(encoding="utf-8")
    except OSError as error:  # pragma: no cover - a broken installation
        raise RuntimeError(
            f"catalogmgr's {kind} schema is missing ({schema_path(kind)}): the installation is broken"
        ) from error


@cache
def load_schema(kind: SchemaKind) -> dict[str, Any]:
    """The parsed schema for ``kind`` (cached: callers must not mutate it)."""
    loaded: dict[str, Any] = json.loads(schema_text(kind))
    return loaded
