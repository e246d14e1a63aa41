"""OpenRouter and models.dev payloads -> normalised listings (shapes, field mapping, errors)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from upstream_support import fixture_json, fixture_path

from catalogmgr.errors import InputError, UpstreamError
from catalogmgr.upstream import modelsdev, openrouter
from catalogmgr.upstream.fetch import SOURCES, load_listing_file
from catalogmgr.upstream.listing import SuggestedThinking
from catalogmgr.upstream.normalize import VARIABLE


@pytest.fixture
def payload() -> dict[str, Any]:
    data: dict[str, Any] = fixture_json("openrouter-small.json")
    return data


@pytest.mark.parametrize("shape", ["full", "data-only", "bare"])
def test_the_three_openrouter_shapes_read_alike(payload: dict[str, Any], shape: str, tmp_path: Path) -> None:
    if shape == "data-only":
        payload = {"data": payload["data"]}
    elif shape == "bare":
        payload = payload["data"]  # type: ignore[assignment]
    path = tmp_path / "listing.json"
    path.write_text(json.dumps(payload))
    listing = load_listing_file(SOURCES["openrouter"], path)
    assert listing.source == "openrouter"
    assert listing.origin == str(path)
    assert list(listing.providers) == ["openrouter"]
    assert len(listing.providers["openrouter"]) == 9
    assert listing.retrieved is None


def test_openrouter_field_mapping(payload: dict[str, Any]) -> None:
    providers, notes = openrouter.parse_listing(payload, "x")
    assert notes == []
    models = providers["openrouter"]
    m3 = models["minimax/minimax-m3"]
    assert m3.name == "MiniMax: MiniMax M3"
    assert m3.canonical_slug == "minimax/minimax-m3-20260531"
    assert m3.context_window == 1048576  # context_length, not top_provider.context_length
    assert m3.max_tokens == 512000
    assert dict(m3.cost) == {"input": Decimal("0.3"), "output": Decimal("1.2"), "cacheRead": Decimal("0.06")}
    assert m3.input == ("text", "image")  # video has no place in OMP
    assert m3.reasoning is True
    assert m3.supports_tools is True
    assert m3.thinking == SuggestedThinking(efforts=("low", "medium", "high"), default_level="medium")
    auto = models["openrouter/auto"]
    assert auto.cost == {"input": VARIABLE, "output": VARIABLE}
    assert models["deepseek/deepseek-v4-pro"].time_of_day_pricing is True
    assert models["anthropic/claude-x"].time_of_day_pricing is False
    assert models["google/image-maker"].context_window is None  # 0 = not applicable
    assert models["google/image-maker"].supports_tools is False
    assert models["z-ai/glm-4.5"].expiration_date == "2026-08-24"
    coder = models["qwen/qwen3-coder"]
    assert coder.max_tokens is None
    assert "cacheRead" not in coder.cost  # missing is not zero
    assert coder.supports_tool_choice is False
    assert coder.reasoning is False


def test_openrouter_malformed_entries_are_skipped_with_a_note() -> None:
    providers, notes = openrouter.parse_listing({"data": [{"id": "a/b"}, {"name": "no id"}, 7]}, "x")
    assert list(providers["openrouter"]) == ["a/b"]
    assert notes == ["2 upstream entries without an `id` skipped"]


def test_openrouter_total_count_mismatch_is_noted(payload: dict[str, Any]) -> None:
    payload["total_count"] = 500
    _, notes = openrouter.parse_listing(payload, "x")
    assert notes == ["the listing announces total_count 500 but holds 9 entries (a partial response?)"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"models": []}, 'expected {"data": [...]} or a list of models, got an object with models'),
        ("text", 'expected {"data": [...]} or a list of models, got str'),
        ({"data": [{"name": "x"}]}, "no entry has an `id`"),
    ],
)
def test_openrouter_unexpected_shapes(bad: Any, message: str) -> None:
    with pytest.raises(UpstreamError, match="unexpected response shape") as caught:
        openrouter.parse_listing(bad, "https://o/models")
    assert message in str(caught.value)
    assert str(caught.value).startswith("https://o/models: ")


def test_next_page_url_is_resolved_against_the_current_url() -> None:
    current = "https://openrouter.ai/api/v1/models?output_modalities=all"
    assert openrouter.next_page_url({"links": {"next": "/api/v1/models?offset=100"}}, current) == (
        "https://openrouter.ai/api/v1/models?offset=100"
    )
    assert openrouter.next_page_url({"links": {"next": None}}, current) is None
    assert openrouter.next_page_url([], current) is None


def test_modelsdev_field_mapping() -> None:
    providers, notes = modelsdev.parse_listing(fixture_json("modelsdev-small.json"), "x")
    assert notes == []
    assert set(providers) == {"minimax", "moonshotai", "unmapped-provider"}
    m3 = providers["minimax"]["MiniMax-M3"]
    assert m3.context_window == 1000000
    assert m3.max_tokens == 131072
    assert m3.cost == {"input": Decimal("0.3"), "output": Decimal("1.2"), "cacheRead": Decimal("0.06")}
    assert m3.input == ("text", "image")
    assert m3.supports_tools is True
    assert providers["minimax"]["MiniMax-Speech"].cost == {}
    assert providers["moonshotai"]["kimi-k2.5"].deprecated is True


def test_modelsdev_unexpected_shape() -> None:
    with pytest.raises(UpstreamError, match="expected an object of providers, got list"):
        modelsdev.parse_listing([], "x")
    with pytest.raises(UpstreamError, match="no provider has a `models` map"):
        modelsdev.parse_listing({"data": []}, "x")


def test_modelsdev_default_map_is_explicit() -> None:
    assert modelsdev.DEFAULT_PROVIDER_MAP["moonshotai"] == "moonshot"
    assert modelsdev.DEFAULT_PROVIDER_MAP["togetherai"] == "together"
    assert "openrouter" not in modelsdev.DEFAULT_PROVIDER_MAP  # OpenRouter describes itself


def test_saved_file_that_is_not_json_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "listing.json"
    path.write_text('{"data": [\n  {"id": "a"},\n  oops\n]}')
    with pytest.raises(InputError) as caught:
        load_listing_file(SOURCES["openrouter"], path)
    assert str(caught.value).startswith(f"{path}:3:3: not valid JSON")


def test_saved_file_missing_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_listing_file(SOURCES["openrouter"], tmp_path / "absent.json")


def test_fixture_files_exist() -> None:
    assert fixture_path("openrouter-small.json").is_file()


@pytest.mark.shared
def test_real_responses_parse(shared: Any) -> None:
    current = load_listing_file(
        SOURCES["openrouter"], shared("data", "openrouter", "models-2026-08-18-all.json")
    )
    older = load_listing_file(SOURCES["openrouter"], shared("data", "openrouter", "models-2026-05-15.json"))
    dev = load_listing_file(SOURCES["models.dev"], shared("data", "modelsdev", "api-2026-03-01.json"))
    assert (current.model_count, older.model_count, dev.model_count) == (549, 364, 2965)
    assert current.notes == older.notes == dev.notes == ()
    m3 = current.providers["openrouter"]["minimax/minimax-m3"]
    assert (m3.context_window, m3.cost["input"], m3.cost["output"]) == (
        1048576,
        Decimal("0.3"),
        Decimal("1.2"),
    )
