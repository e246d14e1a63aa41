"""Each profile's published schema allows exactly what its OMP release's own schema allows.

``catalogmgr/omp/data/tables.json`` holds, per release, the tables ``scripts/omp_profiles.py``
read from the release's own schema export. The curated schema adds on purpose: ``$schema`` at the
top (editors), the runtime compat flags OMP reads at request time without listing them, and the
"efforts, levels or minLevel+maxLevel" alternatives of ``thinking`` (OMP checks those in code).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalogmgr.omp.profile import PROFILES, Profile
from catalogmgr.omp.schemas import load_schema
from catalogmgr.omp.tables import Table, diff_tables, normalize_release_schema, schema_tables

TABLES = json.loads((Path(__file__).resolve().parents[2] / "catalogmgr/omp/data/tables.json").read_text())
RELEASES = {
    version: {
        path: Table(**{part: tuple(values) for part, values in table.items()})
        for path, table in tables.items()
    }
    for version, tables in TABLES["releases"].items()
}
RUNTIME_COMPAT = set(load_schema("overlay")["$defs"]["runtimeCompatFields"]["properties"]) | set(
    load_schema("overlay")["$defs"]["otherRuntimeCompatFields"]["properties"]
)


@pytest.mark.parametrize("profile", PROFILES, ids=lambda profile: profile.id)
def test_profile_schema_allows_what_its_release_allows(profile: Profile) -> None:
    assert TABLES["profiles"][profile.id]["source"] == str(profile.source)
    ours = schema_tables(load_schema("overlay", profile))
    changes = diff_tables(RELEASES[str(profile.source)], ours)
    assert changes.pop("", None) == {"+properties": ["$schema"]}
    compat = changes.pop("providers.*.compat", {})
    assert set(compat) <= {"+properties"}
    assert set(compat.get("+properties", [])) <= RUNTIME_COMPAT
    thinking = changes.pop("providers.*.models.[].thinking", None)
    assert thinking in (None, {"+required": ["efforts", "levels", "maxLevel", "minLevel"]})
    assert changes == {}


def test_releases_of_one_profile_differ_only_in_compat_flags() -> None:
    # 18.1.16 lacks compat `stripImageInput` (an unknown, ignored key there): it stays in 18.0.
    assert diff_tables(RELEASES["18.1.16"], RELEASES["18.2.0"]) == {
        "providers.*.compat": {"+properties": ["stripImageInput"]}
    }
    assert diff_tables(RELEASES["18.1.21"], RELEASES["18.2.0"]) == {}


def test_typebox_enums_and_maps_are_normalized() -> None:
    raw = {
        "type": "object",
        "patternProperties": {
            "^(.*)$": {"anyOf": [{"const": "a", "type": "string"}, {"const": "b", "type": "string"}]}
        },
    }
    normalized = normalize_release_schema(raw)
    assert normalized == {"type": "object", "additionalProperties": {"enum": ["a", "b"], "type": "string"}}
    assert schema_tables({"properties": {"providers": normalized}})["providers.*"] == Table(enum=("a", "b"))
