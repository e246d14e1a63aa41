"""The published JSON Schemas: valid, self-describing, found when installed, and faithful to OMP."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import catalogmgr.omp.schemas as schemas
from catalogmgr import SCHEMA_BASE_URL
from catalogmgr.omp.schemas import SCHEMA_KINDS, load_schema, schema_dir, schema_file, schema_text

REPO_ROOT = Path(__file__).resolve().parents[2]
OMP_BUNDLE = Path("@oh-my-pi/pi-coding-agent/src/config/models-config-schema-bundle.ts")


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every subschema (dict) of a schema."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def all_property_names(schema: dict[str, Any]) -> set[str]:
    return {name for node in walk(schema) for name in node.get("properties", {})}


def all_enum_values(schema: dict[str, Any]) -> set[str]:
    values = set()
    for node in walk(schema):
        values.update(str(v) for v in node.get("enum", []))
        if "const" in node:
            values.add(str(node["const"]))
    return values


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_schema_is_valid_draft_2020_12_and_self_describing(kind: str) -> None:
    schema = load_schema(kind)  # type: ignore[arg-type]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_BASE_URL + schema_file(kind)  # type: ignore[arg-type]
    assert schema["title"]
    assert schema["description"]


def test_every_overlay_property_is_described() -> None:
    schema = load_schema("overlay")
    defs = schema["$defs"]
    undescribed = []
    for node in walk(schema):
        for name, sub in node.get("properties", {}).items():
            target = defs[sub["$ref"].rsplit("/", 1)[1]] if "$ref" in sub else {}
            if not (sub.get("description") or target.get("description")):
                undescribed.append(name)
    assert undescribed == []


def test_the_overlay_schema_pins_omp_18_2_3_enums() -> None:
    schema = load_schema("overlay")
    defs = schema["$defs"]
    assert defs["api"]["enum"] == [
        "openai-completions", "openai-responses", "openai-codex-responses", "azure-openai-responses",
        "anthropic-messages", "bedrock-converse-stream", "google-generative-ai", "google-gemini-cli",
        "google-vertex",
    ]  # fmt: skip
    assert defs["discovery"]["properties"]["type"]["enum"] == [
        "ollama", "llama.cpp", "lm-studio", "openai-models-list", "proxy", "litellm",
    ]  # fmt: skip
    assert defs["effort"]["enum"] == ["minimal", "low", "medium", "high", "xhigh", "max"]
    # Listed by some documentation, absent from OMP 18.2.3's schema (an unknown key there).
    assert "maxContextWindow" not in defs["modelFields"]["properties"]
    values = all_enum_values(schema)
    assert not values & {"openrouter-decisions", "typesafe", "apple-foundation-models", "supportsSteering"}


def test_unknown_keys_pass_the_schema_as_in_omp() -> None:
    validator = Draft202012Validator(load_schema("overlay"))
    data = {
        "sops": {"mac": "x"},
        "providers": {"p": {"baseURL": "u", "baseUrl": "u", "models": [{"id": "m", "whatever": 1}]}},
    }
    assert list(validator.iter_errors(data)) == []


def test_catalog_schema_accepts_null_windows_and_unknown_keys() -> None:
    validator = Draft202012Validator(load_schema("catalog"))
    model = {
        "id": "m", "name": "M", "api": "cursor-agent", "provider": "p", "baseUrl": "", "reasoning": False,
        "input": ["text"], "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0, "extra": {}},
        "contextWindow": None, "maxTokens": None, "requiresGlyphTokenization": False,
    }  # fmt: skip
    assert list(validator.iter_errors({"p": {"m": model}})) == []
    del model["maxTokens"]
    messages = [error.message for error in validator.iter_errors({"p": {"m": model}})]
    assert messages == ["'maxTokens' is a required property"]


def test_real_catalogs_match_the_catalog_schema(shared: Any) -> None:
    validator = Draft202012Validator(load_schema("catalog"))
    for name in ("pi-catalog-18.2.3.models.json", "pi-ai-15.7.3.models.json"):
        data = json.loads(shared("data", "omp", name).read_text(encoding="utf-8"))
        assert next(iter(validator.iter_errors(data)), None) is None, name


def test_schemas_are_found_in_the_repository_without_a_package_copy() -> None:
    assert schema_dir() in (REPO_ROOT / "schemas", Path(schemas.__file__).resolve().parent.parent / "schemas")
    assert json.loads(schema_text("overlay")) == load_schema("overlay")
    assert load_schema("overlay") is load_schema("overlay")  # cached


def test_the_installed_package_copy_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "site-packages" / "catalogmgr"
    (package / "schemas").mkdir(parents=True)
    (package / "schemas" / schema_file("overlay")).write_text("{}", encoding="utf-8")
    monkeypatch.setattr(schemas, "_PACKAGE_DIR", package)
    assert schema_dir() == package / "schemas"
    (package / "schemas" / schema_file("overlay")).unlink()
    assert schema_dir() == tmp_path / "site-packages" / "schemas"


# --------------------------------------------------------------------------------------------
# Faithful to OMP's own schema source (needs OMP 18.2.3: CATALOGMGR_OMP_DIR or .ci/omp)


def omp_bundle_source() -> str:
    candidates = [os.environ.get("CATALOGMGR_OMP_DIR"), str(REPO_ROOT / ".ci" / "omp" / "node_modules")]
    for candidate in candidates:
        if candidate and (Path(candidate) / OMP_BUNDLE).is_file():
            return (Path(candidate) / OMP_BUNDLE).read_text(encoding="utf-8")
    pytest.skip("OMP 18.2.3 is not installed (set CATALOGMGR_OMP_DIR or run .ci/install-omp.sh .ci/omp)")


def test_every_field_of_omp_schema_is_in_ours() -> None:
    source = omp_bundle_source()
    # Keys are written `"name?": ...` (optional) or `name: ...` (required) inside type({...}).
    fields = set(re.findall(r'^\s*"(\w+)\?"\s*:', source, re.MULTILINE))
    fields |= set(re.findall(r"^\s*(\w+)\s*:\s*(?:\"|'|\w+Schema|\{)", source, re.MULTILINE))
    ours = all_property_names(load_schema("overlay"))
    assert len(fields) > 90
    assert fields - ours == set()


def test_every_enum_value_of_omp_schema_is_in_ours_and_no_more() -> None:
    source = omp_bundle_source()
    theirs = set()
    for union in re.findall(r"'\(?((?:\"[^\"]+\"\s*\|?\s*)+)(?:\)\[\])?'", source):
        theirs.update(re.findall(r'"([^"]+)"', union))
    ours = all_enum_values(load_schema("overlay"))
    assert len(theirs) > 40
    assert theirs == ours


def test_every_published_schema_has_its_raw_url_as_id() -> None:
    """Editors and SchemaStore fetch a schema by its $id: the repository's raw file of that name."""
    files = sorted(schema_dir().glob("*.schema.json"))
    assert files
    for path in files:
        assert json.loads(path.read_text(encoding="utf-8"))["$id"] == SCHEMA_BASE_URL + path.name
