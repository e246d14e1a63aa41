"""What a models.yml schema allows, flattened into tables one can diff across OMP releases.

A table maps a data path (``providers.*.models.[].thinking``: ``*`` any key, ``[]`` any item) to
the property names an object there may have, the values an enum there allows, and the keys it
requires. :func:`schema_tables` reads the same tables out of any JSON Schema, whether an OMP
release's own export (``scripts/omp_schema_dump.ts``) or catalogmgr's curated schema with its
``$defs``, ``$ref`` and ``allOf``; so "this profile's schema allows what that release allows" is
one comparison (``tests/unit/test_omp_tables.py``), and :func:`normalize_release_schema` turns a
release's export into the schema a profile publishes (``scripts/omp_profiles.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# The object paths compared: the shapes a models.yml author writes. Deeper values (compat's
# nested routing objects, headers' values) are the same in every release and add only noise.
TABLE_PATHS: tuple[str, ...] = (
    "",
    "providers.*",
    "providers.*.api",
    "providers.*.auth",
    "providers.*.compat",
    "providers.*.discovery",
    "providers.*.discovery.type",
    "providers.*.remoteCompaction",
    "providers.*.models.[]",
    "providers.*.models.[].api",
    "providers.*.models.[].cost",
    "providers.*.models.[].thinking",
    "providers.*.models.[].thinking.minLevel",
    "providers.*.models.[].thinking.mode",
    "providers.*.models.[].input.[]",
    "providers.*.modelOverrides.*",
    "providers.*.modelOverrides.*.cost",
)


@dataclass(frozen=True)
class Table:
    """What the schema allows at one path."""

    properties: tuple[str, ...] = ()
    enum: tuple[str, ...] = ()
    required: tuple[str, ...] = ()

    def to_json(self) -> dict[str, list[str]]:
        """Only the non-empty parts, sorted (stable files, readable diffs)."""
        parts = {"properties": self.properties, "enum": self.enum, "required": self.required}
        return {name: sorted(values) for name, values in parts.items() if values}


def schema_tables(schema: Mapping[str, Any]) -> dict[str, Table]:
    """The table at every :data:`TABLE_PATHS` path the schema reaches."""
    tables: dict[str, Table] = {}
    for path in TABLE_PATHS:
        nodes = list(subschemas_at(schema, schema, path.split(".") if path else []))
        if nodes:
            tables[path] = _table(schema, nodes)
    return tables


def _resolve(root: Mapping[str, Any], node: Any) -> list[Mapping[str, Any]]:
    """``node`` and everything it pulls in through ``$ref``/``allOf`` (``anyOf`` branches too)."""
    if not isinstance(node, Mapping):
        return []
    found = [node]
    reference = node.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/"):
        target: Any = root
        for part in reference[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, Mapping) else {}
        found += _resolve(root, target)
    for keyword in ("allOf", "anyOf", "oneOf"):
        for member in node.get(keyword, []) or []:
            found += _resolve(root, member)
    return found


def subschemas_at(root: Mapping[str, Any], node: Any, parts: list[str]) -> Iterator[Mapping[str, Any]]:
    """The subschemas describing the value at ``parts`` below ``node``."""
    resolved = _resolve(root, node)
    if not parts:
        yield from resolved
        return
    head, rest = parts[0], parts[1:]
    for each in resolved:
        if head == "*":
            children = [each.get("additionalProperties")]
            children += list((each.get("patternProperties") or {}).values())
        elif head == "[]":
            children = [each.get("items")]
        else:
            children = [(each.get("properties") or {}).get(head)]
        for child in children:
            if isinstance(child, Mapping):
                yield from subschemas_at(root, child, rest)


def _table(root: Mapping[str, Any], nodes: list[Mapping[str, Any]]) -> Table:
    properties: set[str] = set()
    enum: set[str] = set()
    required: set[str] = set()
    for node in nodes:
        properties.update(node.get("properties") or {})
        enum.update(str(value) for value in node.get("enum") or [])
        if "const" in node:
            enum.add(str(node["const"]))
        # `required` counts only where it applies to the node itself, not inside an anyOf branch.
        required.update(node.get("required") or [])
    return Table(tuple(sorted(properties)), tuple(sorted(enum)), tuple(sorted(required)))


def diff_tables(old: Mapping[str, Table], new: Mapping[str, Table]) -> dict[str, dict[str, list[str]]]:
    """``{path: {"+properties": [...], "-enum": [...], ...}}``: what ``new`` adds and drops."""
    changes: dict[str, dict[str, list[str]]] = {}
    for path in sorted(set(old) | set(new)):
        before, after = old.get(path, Table()), new.get(path, Table())
        change: dict[str, list[str]] = {}
        for part in ("properties", "enum", "required"):
            was, now = set(getattr(before, part)), set(getattr(after, part))
            if now - was:
                change[f"+{part}"] = sorted(now - was)
            if was - now:
                change[f"-{part}"] = sorted(was - now)
        if change:
            changes[path] = change
    return changes


def normalize_release_schema(raw: Any) -> Any:
    """A release's exported schema in the plain Draft 2020-12 form catalogmgr's messages read best.

    TypeBox (OMP <= 14) writes a string enum as ``anyOf`` of ``const`` branches and a map as
    ``patternProperties: {"^(.*)$": ...}``; both become ``enum`` / ``additionalProperties``. Nothing
    changes what the schema accepts.
    """
    if isinstance(raw, list):
        return [normalize_release_schema(item) for item in raw]
    if not isinstance(raw, Mapping):
        return raw
    node = {key: normalize_release_schema(value) for key, value in raw.items()}
    branches = node.get("anyOf")
    if (
        isinstance(branches, list)
        and branches
        and all(isinstance(branch, Mapping) and set(branch) <= {"const", "type"} for branch in branches)
        and all("const" in branch for branch in branches)
    ):
        del node["anyOf"]
        node["enum"] = [branch["const"] for branch in branches]
        types = {branch.get("type") for branch in branches}
        if len(types) == 1 and None not in types:
            node["type"] = types.pop()
    patterns = node.get("patternProperties")
    if isinstance(patterns, Mapping) and set(patterns) == {"^(.*)$"} and "additionalProperties" not in node:
        node["additionalProperties"] = patterns["^(.*)$"]
        del node["patternProperties"]
    return node
