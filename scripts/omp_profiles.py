#!/usr/bin/env python3
"""Generate every OMP profile's tables and JSON Schema from the published OMP releases.

    python scripts/omp_profiles.py [--omp-root DIR] [--check]

For each profile in :data:`catalogmgr.omp.profile.PROFILES` (and each extra release in
:data:`EXTRA_RELEASES`, recorded to show where it belongs) this runs that release's own schema
export under bun (``scripts/omp_schema_dump.ts``), flattens it into tables
(:mod:`catalogmgr.omp.tables`) and writes:

- ``catalogmgr/omp/data/tables.json``: per profile and release, the source version and its tables;
- ``schemas/omp-models-yml.<profile>.schema.json`` for every profile but the curated one
  (``omp-models-yml.schema.json``, OMP 18.2.3): the curated schema with the difference between
  release 18.2.3's tables and the profile's release applied (properties, enum values and required
  keys added or dropped), so every profile keeps the curated descriptions and messages.

Releases are found under ``--omp-root`` (default ``$CATALOGMGR_OMP_ROOT``, else ``.ci/omp``) as
``<root>/<version>/node_modules`` (an npm install) or ``<root>/src/<version>/node_modules`` (a
published pi-coding-agent tarball unpacked beside the few packages its config modules import; see
``.ci/install-omp.sh``). ``--check`` writes nothing and exits 1 when a generated file would change.

Adding an OMP release: install it (``.ci/install-omp.sh``), add or extend a profile in
``catalogmgr/omp/profile.py`` (its ``source``), run this script; when the release changed
semantics (not only fields), add a switch on ``Profile``. A difference this script cannot place on
the curated schema stops it with the path to curate by hand.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from catalogmgr import SCHEMA_BASE_URL  # noqa: E402
from catalogmgr.omp.profile import PROFILES, Profile  # noqa: E402
from catalogmgr.omp.tables import (  # noqa: E402
    TABLE_PATHS,
    Table,
    diff_tables,
    normalize_release_schema,
    schema_tables,
)

CURATED_SOURCE = "18.2.3"
CURATED_FILE = REPO_ROOT / "schemas" / "omp-models-yml.schema.json"
TABLES_FILE = REPO_ROOT / "catalogmgr" / "omp" / "data" / "tables.json"
DUMP_SCRIPT = REPO_ROOT / "scripts" / "omp_schema_dump.ts"
# Releases examined beside the profiles' sources, to record which profile they belong to.
EXTRA_RELEASES = ("18.1.16", "18.1.21")

# Descriptions for fields the curated schema does not have (a field added by a later release).
DESCRIPTIONS = {
    "maxContextWindow": "Largest context window the model supports (a positive integer, at least "
    "`contextWindow`); OMP uses it instead of `contextWindow` when the `extendedContext` setting is on.",
    "supportsSteering": "Whether the endpoint supports steering (read by the transport at request time).",
    "equivalence": "Model equivalence groups (OMP 14.x only).",
}

# Where each table path lives in the curated schema: ($defs names holding its properties, in
# search order; the first takes additions). "" is the schema itself.
PROPERTY_HOMES: dict[str, tuple[str, ...]] = {
    "": ("",),
    "providers.*": ("provider",),
    "providers.*.compat": (
        "openaiCompatFields",
        "bedrockCompatFields",
        "runtimeCompatFields",
        "otherRuntimeCompatFields",
        "compat",
    ),
    "providers.*.discovery": ("discovery",),
    "providers.*.remoteCompaction": ("remoteCompaction",),
    "providers.*.models.[].thinking": ("thinking",),
    "providers.*.models.[].cost": ("modelDefinition.cost",),
    "providers.*.modelOverrides.*.cost": ("modelOverride.cost",),
}
MODEL_PATHS = ("providers.*.models.[]", "providers.*.modelOverrides.*")
ENUM_HOMES: dict[str, str] = {
    "providers.*.api": "api",
    "providers.*.models.[].api": "api",
    "providers.*.auth": "provider.auth",
    "providers.*.discovery.type": "discovery.type",
    "providers.*.models.[].thinking.minLevel": "effort",
    "providers.*.models.[].thinking.mode": "thinking.mode",
    "providers.*.models.[].input.[]": "input.[]",
}
REQUIRED_HOMES: dict[str, str] = {"": "", "providers.*.models.[].thinking": "thinking"}


class CannotPlace(Exception):
    """A release difference with no home in the curated schema: curate it by hand."""


def find_release(root: Path, version: str) -> Path | None:
    """The node_modules holding pi-coding-agent@version under ``root`` (installed or unpacked)."""
    # ``<root>/node_modules``: the 18.2.3 that .ci/install-omp.sh puts there for $CATALOGMGR_OMP_DIR.
    for candidate in (
        root / version / "node_modules",
        root / "src" / version / "node_modules",
        root / "node_modules",
    ):
        manifest = candidate / "@oh-my-pi" / "pi-coding-agent" / "package.json"
        if manifest.is_file() and json.loads(manifest.read_text(encoding="utf-8")).get("version") == version:
            return candidate
    return None


def find_bun(root: Path) -> str:
    """A bun binary: one installed beside any release, else ``bun`` on PATH."""
    for found in sorted(root.glob("**/node_modules/@oven/bun-*/bin/bun")):
        if os.access(found, os.X_OK):
            return str(found)
    return "bun"


def dump_release(bun: str, node_modules: Path) -> Any:
    """The release's own models.yml schema (JSON Schema), exported under bun in a scratch HOME."""
    with tempfile.TemporaryDirectory(prefix="omp-schema-") as scratch:
        out = Path(scratch) / "schema.json"
        env = {"PATH": os.environ.get("PATH", ""), "HOME": scratch, "NO_COLOR": "1"}
        subprocess.run(
            [bun, "--no-install", str(DUMP_SCRIPT), str(node_modules), str(out)],
            check=True,
            env=env,
            timeout=120,
            stdout=subprocess.DEVNULL,
        )
        return json.loads(out.read_text(encoding="utf-8"))["schema"]


def _def(schema: dict[str, Any], home: str) -> dict[str, Any]:
    """The curated node at ``home``: ``""`` the schema, ``name`` a $def, ``name.prop`` its property."""
    if home == "":
        return schema
    name, _, rest = home.partition(".")
    node: dict[str, Any] = schema["$defs"][name]
    for part in rest.split(".") if rest else []:
        node = node["items"] if part == "[]" else node["properties"][part]
    return node


def _release_property(release: Mapping[str, Any], path: str, name: str) -> dict[str, Any]:
    from catalogmgr.omp.tables import subschemas_at

    parts = path.split(".") if path else []
    for node in subschemas_at(release, release, parts):
        found = (node.get("properties") or {}).get(name)
        if isinstance(found, Mapping):
            subschema = {key: value for key, value in found.items() if key not in ("$schema", "$id")}
            return subschema
    raise CannotPlace(f"{path}: property {name} not found in the release schema")


def _describe(subschema: dict[str, Any], name: str, version: str) -> dict[str, Any]:
    return {**subschema, "description": DESCRIPTIONS.get(name, f"`{name}` (from OMP {version}'s schema).")}


def _drop_property(node: dict[str, Any], name: str) -> None:
    node.get("properties", {}).pop(name, None)
    if name == "injectV1":  # the discovery if/then is about injectV1 only
        node.pop("if", None)
        node.pop("then", None)
    if isinstance(node.get("anyOf"), list):
        # Branches requiring a field the release does not have can never apply.
        branches = [b for b in node["anyOf"] if name not in b.get("required", [])]
        if len(branches) == 1:
            node["required"] = sorted({*node.get("required", []), *branches[0].get("required", [])})
            del node["anyOf"]
        else:
            node["anyOf"] = branches


def apply_release_difference(
    curated: dict[str, Any], curated_release: Mapping[str, Table], release: Mapping[str, Any], version: str
) -> dict[str, Any]:
    """The curated schema, changed to allow what ``release`` allows where release 18.2.3 differs."""
    schema = copy.deepcopy(curated)
    changes = diff_tables(curated_release, schema_tables(release))
    handled: set[str] = set()
    # Model fields: common to models and overrides go to modelFields, others to their own def.
    model_changes = [changes.get(path, {}) for path in MODEL_PATHS]
    for sign in ("+", "-"):
        definition, override = (set(change.get(f"{sign}properties", [])) for change in model_changes)
        for name in sorted(definition | override):
            homes = (
                ["modelFields"]
                if name in definition and name in override
                else ["modelDefinition"]
                if name in definition
                else ["modelOverride"]
            )
            if sign == "+":
                path = MODEL_PATHS[0] if name in definition else MODEL_PATHS[1]
                node = _def(schema, homes[0])
                node.setdefault("properties", {})[name] = _describe(
                    _release_property(release, path, name), name, version
                )
            else:
                for home in ("modelFields", "modelDefinition", "modelOverride"):
                    _drop_property(_def(schema, home), name)
    handled.update(MODEL_PATHS)
    for path, change in changes.items():
        if path in handled:
            continue
        for key, names in change.items():
            sign, part = key[0], key[1:]
            if part == "properties":
                if path not in PROPERTY_HOMES:
                    raise CannotPlace(f"{path}: {key} {names}")
                homes = PROPERTY_HOMES[path]
                for name in names:
                    if sign == "+":
                        node = _def(schema, homes[0])
                        node.setdefault("properties", {})[name] = _describe(
                            _release_property(release, path, name), name, version
                        )
                    else:
                        for home in homes:
                            _drop_property(_def(schema, home), name)
            elif part == "enum":
                if path not in ENUM_HOMES:
                    raise CannotPlace(f"{path}: {key} {names}")
                node = _def(schema, ENUM_HOMES[path])
                values = list(node["enum"])
                if sign == "+":
                    values += [value for value in names if value not in values]
                else:
                    values = [value for value in values if value not in names]
                node["enum"] = values
            elif part == "required":
                if path not in REQUIRED_HOMES:
                    raise CannotPlace(f"{path}: {key} {names}")
                node = _def(schema, REQUIRED_HOMES[path])
                required = [name for name in node.get("required", []) if sign == "+" or name not in names]
                if sign == "+":
                    required += [name for name in names if name not in required]
                    if isinstance(node.get("anyOf"), list):
                        # A required range makes the alternatives moot (OMP <= 14's thinking).
                        node.pop("anyOf")
                if required:
                    node["required"] = required
                else:
                    node.pop("required", None)
    return schema


def profile_schema(
    profile: Profile, curated: dict[str, Any], curated_release: Mapping[str, Table], release: Any
) -> dict[str, Any]:
    """The published schema of ``profile``: curated + the release difference + identity."""
    schema = apply_release_difference(curated, curated_release, release, str(profile.source))
    head = {
        "$schema": schema["$schema"],
        # Editors and SchemaStore fetch a schema by its $id: the repository's raw file.
        "$id": SCHEMA_BASE_URL + profile.schema_file,
        "title": f"oh-my-pi models.yml (OMP {profile.source})",
        "description": f"The user overlay ~/.omp/agent/models.yml for {profile.covers()} (profile "
        f"{profile.id}), field for field as OMP {profile.source}'s own schema checks it; generated by "
        "scripts/omp_profiles.py from its export and catalogmgr's curated 18.2.3 schema. Unknown keys "
        "are allowed, as OMP keeps them; `catalogmgr validate --omp-version "
        f"{profile.source}` warns about them and also applies that release's cross-field rules.",
    }
    return {**head, **{key: value for key, value in schema.items() if key not in head}}


def _tables_json(tables: Mapping[str, Table]) -> dict[str, Any]:
    return {path: tables[path].to_json() for path in TABLE_PATHS if path in tables}


def generate(root: Path) -> dict[Path, str]:
    """Every generated file's path and text."""
    bun = find_bun(root)
    versions = sorted(
        {str(profile.source) for profile in PROFILES} | {CURATED_SOURCE} | set(EXTRA_RELEASES),
        key=lambda text: tuple(int(part) for part in text.split(".")),
    )
    releases: dict[str, Any] = {}
    previous = json.loads(TABLES_FILE.read_text(encoding="utf-8")) if TABLES_FILE.is_file() else {}
    kept: dict[str, Any] = {}
    for version in versions:
        node_modules = find_release(root, version)
        if node_modules is None and version in EXTRA_RELEASES and version in previous.get("releases", {}):
            kept[version] = previous["releases"][version]  # examined once; CI does not install it
            continue
        if node_modules is None:
            raise SystemExit(
                f"OMP {version} is not under {root} (as {version}/node_modules or src/{version}/"
                "node_modules): run .ci/install-omp.sh first"
            )
        releases[version] = normalize_release_schema(dump_release(bun, node_modules))
    curated = json.loads(CURATED_FILE.read_text(encoding="utf-8"))
    curated_release = schema_tables(releases[CURATED_SOURCE])
    outputs: dict[Path, str] = {}
    record: dict[str, Any] = {
        "generator": "scripts/omp_profiles.py",
        "profiles": {},
        "releases": {},
    }
    for profile in PROFILES:
        release = releases[str(profile.source)]
        record["profiles"][profile.id] = {"first": str(profile.first), "source": str(profile.source)}
        if CURATED_FILE.name != profile.schema_file:
            schema = profile_schema(profile, curated, curated_release, release)
            outputs[REPO_ROOT / "schemas" / profile.schema_file] = json.dumps(schema, indent=2) + "\n"
    for version in versions:
        if version in releases:
            record["releases"][version] = _tables_json(schema_tables(releases[version]))
        else:
            record["releases"][version] = kept[version]
    outputs[TABLES_FILE] = json.dumps(record, indent=1, sort_keys=False) + "\n"
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_root = os.environ.get("CATALOGMGR_OMP_ROOT", str(REPO_ROOT / ".ci" / "omp"))
    parser.add_argument("--omp-root", type=Path, default=Path(default_root))
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file would change")
    args = parser.parse_args(argv)
    try:
        outputs = generate(args.omp_root)
    except CannotPlace as error:
        print(
            f"omp_profiles: cannot place a release difference on the curated schema: {error}", file=sys.stderr
        )
        return 1
    stale = []
    for path, text in outputs.items():
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'}: {path.relative_to(REPO_ROOT)}")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    raise SystemExit(main())
