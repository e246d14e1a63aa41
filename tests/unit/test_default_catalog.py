"""The embedded default catalog: loads, has the catalog schema's shape, and every fact is OMP's."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest

from catalogmgr.omp.schemas import load_schema

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_FILE = REPO_ROOT / "catalogmgr" / "data" / "default-catalog.json"
REAL_CATALOG = ("data", "omp", "pi-catalog-18.2.3.models.json")


def _curation_script() -> ModuleType:
    path = REPO_ROOT / "tests" / "tools" / "curate_default_catalog.py"
    spec = importlib.util.spec_from_file_location("curate_default_catalog", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CURATE = _curation_script()


@pytest.fixture(scope="module")
def catalog() -> dict[str, dict[str, dict[str, Any]]]:
    data: dict[str, dict[str, dict[str, Any]]] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


_REAL_CACHE: dict[Path, dict[str, dict[str, dict[str, Any]]]] = {}


@pytest.fixture
def real(shared: Callable[..., Path]) -> dict[str, dict[str, dict[str, Any]]]:
    """OMP 18.2.3's catalog (11 MB: parsed once per session); skips when ../shared is absent."""
    path = shared(*REAL_CATALOG)
    if path not in _REAL_CACHE:
        _REAL_CACHE[path] = json.loads(path.read_text(encoding="utf-8"))
    return _REAL_CACHE[path]


def test_ships_inside_the_package() -> None:
    resource = resources.files("catalogmgr").joinpath("data", "default-catalog.json")
    assert resource.is_file()


def test_loads_through_the_catalog_module(catalog: dict[str, Any]) -> None:
    from catalogmgr.catalog import load_embedded_default

    assert load_embedded_default() == catalog


def test_matches_the_catalog_schema(catalog: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(load_schema("catalog"))
    errors = sorted(validator.iter_errors(catalog), key=lambda error: list(error.absolute_path))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []


def test_every_model_has_the_required_fields_and_consistent_keys(catalog: dict[str, Any]) -> None:
    required = (
        "id",
        "name",
        "api",
        "provider",
        "baseUrl",
        "reasoning",
        "input",
        "cost",
        "contextWindow",
        "maxTokens",
    )
    for provider, models in catalog.items():
        assert models, provider
        for model_id, model in models.items():
            assert all(field in model for field in required), (provider, model_id)
            assert model["id"] == model_id
            assert model["provider"] == provider
            assert set(model) <= set(CURATE.FIELDS), (provider, model_id)
            assert set(model["cost"]) >= {"input", "output", "cacheRead", "cacheWrite"}


def test_covers_what_users_reach_for(catalog: dict[str, Any]) -> None:
    for provider in (
        "anthropic",
        "openai",
        "google",
        "deepseek",
        "minimax",
        "minimax-cn",
        "minimax-code",
        "minimax-code-cn",
        "moonshot",
        "zai",
        "alibaba-coding-plan",
        "openrouter",
    ):
        assert provider in catalog, provider
    assert "MiniMax-M3" in catalog["minimax"]
    assert 20 <= len(catalog["openrouter"]) <= 30
    total = sum(len(models) for models in catalog.values())
    assert 80 <= total <= 150


def test_is_exactly_what_the_curation_list_names(catalog: dict[str, Any]) -> None:
    assert {p: set(models) for p, models in catalog.items()} == {
        p: set(ids) for p, ids in CURATE.CURATED.items()
    }


def test_is_written_the_way_omp_writes_catalogs(catalog: dict[str, Any]) -> None:
    text = DATA_FILE.read_text(encoding="utf-8")
    assert text == CURATE.render(catalog)  # tab-indented, final newline, nothing else
    assert text.startswith('{\n\t"')


def test_every_fact_equals_omp_18_2_3(catalog: dict[str, Any], real: dict[str, Any]) -> None:
    for provider, models in catalog.items():
        for model_id, model in models.items():
            source = real[provider][model_id]
            expected = {field: source[field] for field in CURATE.FIELDS if field in source}
            assert model == expected, f"{provider}/{model_id} differs from OMP 18.2.3"


def test_order_follows_omp(catalog: dict[str, Any], real: dict[str, Any]) -> None:
    assert list(catalog) == [provider for provider in real if provider in catalog]
    for provider, models in catalog.items():
        assert list(models) == [model_id for model_id in real[provider] if model_id in models]


def test_curation_script_is_up_to_date(real: dict[str, Any]) -> None:
    assert CURATE.render(CURATE.curate(real)) == DATA_FILE.read_text(encoding="utf-8")
