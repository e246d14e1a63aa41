"""OMP 13.x/14.x: thinking from the model id and the older Model shape (no bun; the differential
against the real releases is tests/compat/test_merge_versions_vs_omp.py)."""

from __future__ import annotations

from typing import Any

import pytest

from catalogmgr.merge import Catalog, Layer, merge_catalog
from catalogmgr.omp.policies import DiscoveryRefresh, discovery_drops_provider_compat, load_discovery_refresh
from catalogmgr.omp.profile import PROFILES_BY_ID
from catalogmgr.omp.reference import reference_candidate_ids_14
from catalogmgr.omp.settings import RuntimeSettings
from catalogmgr.omp.thinking13 import ID_THINKING, ParsedModel, enrich_model_thinking, parse_known_model

V13, V14 = ID_THINKING["13"], ID_THINKING["14"]
OFF = RuntimeSettings(extended_context=False)


@pytest.mark.parametrize(
    ("model_id", "parsed"),
    [
        ("gemini-3-pro-preview", ParsedModel("gemini", "pro", (3, 0, 0))),
        ("google/gemini-2.5-flash", ParsedModel("gemini", "flash", (2, 5, 0))),
        ("claude-opus-4-5-20251101", ParsedModel("anthropic", "opus", (4, 5, 0))),
        ("anthropic/claude-sonnet-4.6", ParsedModel("anthropic", "sonnet", (4, 6, 0))),
        ("gpt-5.1-codex-mini", ParsedModel("openai", "codex-mini", (5, 1, 0))),
        ("gpt-5.4:cloud", ParsedModel("openai", "base", (5, 4, 0))),
        # Versions beyond the precomputed table, upper case and unknown families parse as unknown.
        ("gpt-5.1.2", ParsedModel("unknown")),
        ("GPT-5.1", ParsedModel("unknown")),
        ("claude-haiku-4-5", ParsedModel("unknown")),
    ],
)
def test_parse_known_model(model_id: str, parsed: ParsedModel) -> None:
    assert parse_known_model(model_id) == parsed


def _model(model_id: str, api: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": model_id,
        "name": model_id,
        "api": api,
        "provider": "p",
        "baseUrl": "",
        "reasoning": True,
        **fields,
    }


@pytest.mark.parametrize(
    ("model", "variant", "thinking"),
    [
        (_model("gpt-5.1", "openai-responses"), V13, ("effort", "minimal", "high")),
        (_model("gpt-5.4", "openai-completions"), V13, ("effort", "low", "xhigh")),
        (_model("claude-opus-4-6", "anthropic-messages"), V13, ("anthropic-adaptive", "minimal", "xhigh")),
        (
            _model("claude-sonnet-4-6", "bedrock-converse-stream"),
            V13,
            ("anthropic-budget-effort", "minimal", "high"),
        ),
        (_model("claude-sonnet-4-5", "openai-completions"), V13, ("effort", "minimal", "xhigh")),
        (_model("mystery", "anthropic-messages"), V13, ("budget", "minimal", "xhigh")),
        (_model("gemini-2.5-pro", "google-generative-ai"), V13, ("budget", "minimal", "high")),
        # openai-completions: xhigh only where the resolved compat speaks OpenAI's reasoning_effort.
        (_model("glm-5", "openai-completions", provider="zai"), V13, ("effort", "minimal", "high")),
        (
            _model("x", "openai-completions", baseUrl="https://openrouter.ai/api/v1"),
            V13,
            ("effort", "minimal", "high"),
        ),
        (
            _model("x", "openai-completions", compat={"thinkingFormat": "openai"}, provider="zai"),
            V13,
            ("effort", "minimal", "high"),
        ),
        (
            _model("qwen3", "openai-completions", compat={"thinkingFormat": "openai"}),
            V13,
            ("effort", "minimal", "xhigh"),
        ),
        # 14.x: a deepseek-v4 name gets the xhigh ladder whatever the api.
        (_model("deepseek-v4-pro", "google-generative-ai"), V13, ("budget", "minimal", "high")),
        (_model("deepseek-v4-pro", "google-generative-ai"), V14, ("budget", "minimal", "xhigh")),
    ],
)
def test_inferred_thinking(model: dict[str, Any], variant: Any, thinking: tuple[str, str, str]) -> None:
    mode, low, high = thinking
    assert enrich_model_thinking(model, variant) == {"mode": mode, "minLevel": low, "maxLevel": high}


def test_14_writes_levels_for_a_gap_that_13_cannot_express() -> None:
    model = _model("gemini-3-pro-preview", "google-vertex")
    assert enrich_model_thinking(model, V13) == {
        "mode": "google-level",
        "minLevel": "low",
        "maxLevel": "high",
    }
    assert enrich_model_thinking(model, V14) == {
        "mode": "google-level",
        "minLevel": "low",
        "maxLevel": "high",
        "levels": ["low", "high"],
    }


def test_a_written_range_is_kept_as_written_and_a_non_reasoning_model_has_none() -> None:
    written = {"mode": "budget", "minLevel": "low", "maxLevel": "high", "extra": 1}
    assert enrich_model_thinking(_model("gpt-5.1", "openai-responses", thinking=written), V13) is written
    empty = {"mode": "effort", "minLevel": "high", "maxLevel": "low"}
    inferred = enrich_model_thinking(_model("gpt-5.1", "openai-responses", thinking=empty), V13)
    assert inferred == {"mode": "effort", "minLevel": "minimal", "maxLevel": "high"}
    assert (
        enrich_model_thinking(_model("gpt-5.1", "openai-responses", reasoning=False, thinking=written), V13)
        is None
    )


BASE: Catalog = {
    "acme": {
        "m1": {
            "id": "m1",
            "name": "M1",
            "api": "openai-completions",
            "provider": "acme",
            "baseUrl": "https://acme.example/v1",
            "reasoning": False,
            "input": ["text"],
            "cost": {"input": 1, "output": 2, "cacheRead": 0, "cacheWrite": 0},
            "contextWindow": 1000,
            "maxTokens": 100,
            "compat": {"supportsStore": False},
        }
    }
}


def _merge(version: str, overlay: dict[str, Any], settings: RuntimeSettings | None = OFF) -> Catalog:
    profile = PROFILES_BY_ID[version]
    return merge_catalog(BASE, [Layer("o.yml", overlay)], profile=profile, settings=settings).catalog


def test_13_and_14_rows_carry_no_compat_config_and_13_ignores_disable_strict_tools() -> None:
    overlay = {
        "providers": {"acme": {"compat": {"supportsDeveloperRole": False}, "disableStrictTools": True}}
    }
    for version in ("13.19", "14.9"):
        assert "compatConfig" not in _merge(version, overlay)["acme"]["m1"]
    assert _merge("13.19", overlay)["acme"]["m1"]["compat"] == {
        "supportsStore": False,
        "supportsDeveloperRole": False,
    }
    assert _merge("14.9", overlay)["acme"]["m1"]["compat"]["disableStrictTools"] is True
    assert _merge("18.2.3", overlay)["acme"]["m1"]["compatConfig"] == {
        "supportsDeveloperRole": False,
        "disableStrictTools": True,
    }


def test_13_same_id_definition_replaces_compat_and_keeps_thinking_as_written() -> None:
    thinking = {"mode": "effort", "minLevel": "low", "maxLevel": "high"}
    definition = {
        "id": "m1",
        "reasoning": True,
        "thinking": thinking,
        "compat": {"supportsUsageInStreaming": False},
        "omitMaxOutputTokens": True,
    }
    overlay = {
        "providers": {
            "acme": {
                "baseUrl": "https://x.example",
                "apiKey": "K",
                "api": "openai-completions",
                "models": [definition],
            }
        }
    }
    model = _merge("13.19", overlay)["acme"]["m1"]
    assert model["compat"] == {"supportsUsageInStreaming": False}
    assert model["thinking"] == thinking
    assert "omitMaxOutputTokens" not in model
    newer = _merge("18.2.3", overlay, settings=None)["acme"]["m1"]
    assert newer["compat"] == {"supportsStore": False, "supportsUsageInStreaming": False}
    assert newer["omitMaxOutputTokens"] is True


def test_a_new_reasoning_model_gets_thinking_from_its_id_only_with_runtime_policies() -> None:
    overlay = {
        "providers": {
            "gw": {
                "baseUrl": "https://gw.example/v1",
                "apiKey": "K",
                "api": "anthropic-messages",
                "models": [{"id": "claude-opus-4-6", "reasoning": True}],
            }
        }
    }
    expected = {"mode": "anthropic-adaptive", "minLevel": "minimal", "maxLevel": "xhigh"}
    assert _merge("13.19", overlay)["gw"]["claude-opus-4-6"]["thinking"] == expected
    assert "thinking" not in _merge("13.19", overlay, settings=None)["gw"]["claude-opus-4-6"]


def test_14_reference_is_an_exact_id_after_cloud_and_colon_forms() -> None:
    assert reference_candidate_ids_14(" kimi-k2.6:Cloud ") == [
        "kimi-k2.6:Cloud",
        "kimi-k2.6",
        "kimi-k2.6-Cloud",
    ]
    overlay = {
        "providers": {
            "gw": {
                "baseUrl": "https://gw.example/v1",
                "apiKey": "K",
                "api": "openai-completions",
                "models": [{"id": "m1:cloud"}, {"id": "M1"}],
            }
        }
    }
    catalog = _merge("14.9", overlay)
    assert catalog["gw"]["m1:cloud"]["contextWindow"] == 1000
    # The reference's resolved compat is copied; an id in another case finds no reference.
    assert catalog["gw"]["m1:cloud"]["compat"] == {"supportsStore": False}
    assert catalog["gw"]["M1"]["contextWindow"] == 128_000
    assert _merge("13.19", overlay)["gw"]["m1:cloud"]["contextWindow"] == 128_000


def test_13_refresh_drops_a_keyed_discovery_providers_compat() -> None:
    table = DiscoveryRefresh(always=frozenset({"free"}), with_api_key=frozenset({"groq"}))
    assert discovery_drops_provider_compat("groq", {"apiKey": "GROQ_API_KEY"}, table)
    assert not discovery_drops_provider_compat("groq", {"apiKey": "N/A"}, table)
    assert not discovery_drops_provider_compat("groq", {"baseUrl": "https://x"}, table)
    assert discovery_drops_provider_compat("free", {}, table)
    assert "groq" in load_discovery_refresh("13.19.0").with_api_key
    assert load_discovery_refresh("18.2.3") == DiscoveryRefresh(frozenset(), frozenset())
    base: Catalog = {"groq": {"g": {**BASE["acme"]["m1"], "id": "g", "provider": "groq"}}}
    overlay = {"providers": {"groq": {"apiKey": "K", "compat": {"supportsStrictMode": False}}}}
    profile = PROFILES_BY_ID["13.19"]
    runs = merge_catalog(base, [Layer("o.yml", overlay)], profile=profile, settings=OFF).catalog
    written = merge_catalog(base, [Layer("o.yml", overlay)], profile=profile).catalog
    assert runs["groq"]["g"]["compat"] == {"supportsStore": False}
    assert written["groq"]["g"]["compat"] == {"supportsStore": False, "supportsStrictMode": False}


def test_13_and_14_keep_a_written_name_as_is() -> None:
    overlay = {"providers": {"acme": {"modelOverrides": {"m1": {"name": "OpenAI: M1 (latest)"}}}}}
    assert _merge("14.9", overlay)["acme"]["m1"]["name"] == "OpenAI: M1 (latest)"
    assert _merge("18.2.3", overlay)["acme"]["m1"]["name"] == "M1"
