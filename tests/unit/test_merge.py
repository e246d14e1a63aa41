"""merge_catalog reproduces OMP 18.2.3's layering, field by field, on small catalogs built here."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from catalogmgr.documents import parse_document
from catalogmgr.merge import (
    Catalog,
    Layer,
    catalog_changes,
    clean_model_name,
    compose_overlays,
    merge_catalog,
    merge_compat,
    normalize_thinking,
)
from catalogmgr.problems import Position, Severity


def model(provider: str, model_id: str, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": model_id,
        "name": fields.pop("name", model_id.upper()),
        "api": fields.pop("api", "anthropic-messages"),
        "provider": provider,
        "baseUrl": fields.pop("baseUrl", f"https://{provider}.example/v1"),
        "reasoning": fields.pop("reasoning", True),
        "input": fields.pop("input", ["text"]),
        "cost": fields.pop("cost", {"input": 1, "output": 2, "cacheRead": 0.1, "cacheWrite": 0}),
        "contextWindow": fields.pop("contextWindow", 200_000),
        "maxTokens": fields.pop("maxTokens", 32_000),
    }
    row.update(fields)
    return row


def base_catalog() -> Catalog:
    return {
        "minimax": {
            "M2": model(
                "minimax",
                "M2",
                compat={"disableStrictTools": False, "supportsEagerToolInputStreaming": False},
            ),
            "M2-code": model("minimax", "M2-code", api="openai-completions", headers={"X-Old": "1"}),
            "M3": model(
                "minimax",
                "M3",
                thinking={"mode": "effort", "efforts": ["low", "high"]},
                cost={
                    "input": 0.3,
                    "output": 1.2,
                    "cacheRead": 0.06,
                    "cacheWrite": 0,
                    "longContext": {
                        "inputThreshold": 200000,
                        "input": 0.6,
                        "output": 2.4,
                        "cacheRead": 0,
                        "cacheWrite": 0,
                    },
                    "timeBased": {"offPeakMultiplier": 0.5},
                },
                compat={"disableStrictTools": False},
                compatConfig={"supportsStore": False},
                unknownFutureKey={"kept": True},
            ),
        },
        "openai": {
            "gpt-5.1": model(
                "openai",
                "gpt-5.1",
                name="GPT-5.1",
                api="openai-responses",
                input=["text", "image"],
                contextWindow=400_000,
                maxTokens=128_000,
                thinking={"mode": "effort", "efforts": ["minimal", "high"]},
                compatConfig={"supportsStore": True},
                compat={"supportsStore": True},
            ),
        },
        "proxyco": {
            "gpt-5.1": model(
                "proxyco", "gpt-5.1", api="openai-completions", contextWindow=128_000, maxTokens=8_000
            ),
        },
    }


def overlay(text: str, name: str = "models.yml") -> Layer:
    document = parse_document(text, name=name, fmt="yaml")
    return Layer(name=name, data=document.data, document=document)


def merged(text: str, base: Catalog | None = None) -> Any:
    return merge_catalog(base if base is not None else base_catalog(), [overlay(text)], base_name="base.json")


# ------------------------------------------------------------------------------------------------
# a. provider overrides


def test_provider_baseurl_without_models_or_api_moves_every_model() -> None:
    result = merged("providers:\n  minimax:\n    baseUrl: https://cn.example/v1\n")
    assert {m["baseUrl"] for m in result.catalog["minimax"].values()} == {"https://cn.example/v1"}
    assert result.catalog["openai"] == base_catalog()["openai"]


def test_provider_api_without_models_scopes_the_baseurl_to_that_api() -> None:
    result = merged(
        "providers:\n  minimax:\n    baseUrl: https://cn.example/v1\n    api: openai-completions\n"
    )
    models = result.catalog["minimax"]
    assert models["M2-code"]["baseUrl"] == "https://cn.example/v1"
    assert models["M2"]["baseUrl"] == "https://minimax.example/v1"
    # The provider api never changes the api of bundled models.
    assert models["M2"]["api"] == "anthropic-messages"


def test_custom_models_scope_the_baseurl_to_their_effective_apis() -> None:
    text = """
providers:
  minimax:
    baseUrl: https://cn.example/v1
    apiKey: KEY
    api: openai-completions
    models:
      - id: new-a
      - id: new-b
        api: anthropic-messages
        baseUrl: https://own.example
"""
    models = merged(text).catalog["minimax"]
    # new-b has its own baseUrl, so only openai-completions (new-a's effective api) is in scope.
    assert models["M2-code"]["baseUrl"] == "https://cn.example/v1"
    assert models["M2"]["baseUrl"] == "https://minimax.example/v1"
    assert models["new-b"]["baseUrl"] == "https://own.example"
    assert models["new-a"]["baseUrl"] == "https://cn.example/v1"


def test_transport_pi_native_takes_every_model_to_the_gateway() -> None:
    text = (
        "providers:\n"
        "  minimax:\n"
        "    baseUrl: https://gw.example\n"
        "    api: openai-completions\n"
        "    transport: pi-native\n"
    )
    models = merged(text).catalog["minimax"]
    assert all(
        m["baseUrl"] == "https://gw.example" and m["transport"] == "pi-native" for m in models.values()
    )


def test_provider_headers_merge_and_compat_deep_merges_with_disable_strict_tools_folded_in() -> None:
    text = """
providers:
  minimax:
    headers: {X-New: "2", X-Old: "override"}
    disableStrictTools: true
    compat: {extraBody: {a: 1}}
"""
    base = base_catalog()
    base["minimax"]["M2"]["compat"]["extraBody"] = {"b": 2}
    models = merged(text, base).catalog["minimax"]
    assert models["M2-code"]["headers"] == {"X-Old": "override", "X-New": "2"}
    assert models["M2"]["headers"] == {"X-New": "2", "X-Old": "override"}
    assert models["M2"]["compat"]["disableStrictTools"] is True
    assert models["M2"]["compat"]["extraBody"] == {"b": 2, "a": 1}
    assert models["M2"]["compat"]["supportsEagerToolInputStreaming"] is False
    assert models["M2"]["compatConfig"] == {"extraBody": {"a": 1}, "disableStrictTools": True}
    assert models["M3"]["compatConfig"] == {
        "supportsStore": False,
        "extraBody": {"a": 1},
        "disableStrictTools": True,
    }


def test_api_key_alone_changes_no_catalog_row() -> None:
    base = base_catalog()
    result = merge_catalog(base, [overlay("providers:\n  minimax:\n    apiKey: MINIMAX_API_KEY\n")])
    assert all(result.catalog["minimax"][i] is base["minimax"][i] for i in base["minimax"])


def test_provider_remote_compaction_keeps_the_models_own_keys() -> None:
    base = base_catalog()
    base["minimax"]["M2"]["remoteCompaction"] = {"model": "own"}
    text = "providers:\n  minimax:\n    remoteCompaction: {model: provider, endpoint: /compact}\n"
    models = merged(text, base).catalog["minimax"]
    assert models["M2"]["remoteCompaction"] == {"model": "own", "endpoint": "/compact"}
    assert models["M3"]["remoteCompaction"] == {"model": "provider", "endpoint": "/compact"}


def test_litellm_discovery_normalises_the_provider_baseurl() -> None:
    text = (
        "providers:\n"
        "  minimax:\n"
        "    baseUrl: http://proxy.local:4000/\n"
        "    api: anthropic-messages\n"
        "    discovery: {type: litellm}\n"
    )
    assert merged(text).catalog["minimax"]["M2"]["baseUrl"] == "http://proxy.local:4000/v1"


# ------------------------------------------------------------------------------------------------
# b. custom models


SEED = """
providers:
  minimax:
    baseUrl: https://api.minimaxi.com/anthropic
    apiKey: MINIMAX_API_KEY
    api: anthropic-messages
    authHeader: true
    disableStrictTools: true
    models:
      - id: M3
        name: MiniMax M3
        reasoning: true
        input: [text, image]
        contextWindow: 1000000
        maxTokens: 16384
        cost: {input: 0, output: 0, cacheRead: 0, cacheWrite: 0}
"""


def test_same_id_definition_patches_in_place() -> None:
    result = merged(SEED)
    models = result.catalog["minimax"]
    assert list(models) == ["M2", "M2-code", "M3"]  # position kept
    m3 = models["M3"]
    assert m3["name"] == "MiniMax M3"
    assert m3["baseUrl"] == "https://api.minimaxi.com/anthropic"
    assert m3["input"] == ["text", "image"]
    assert (m3["contextWindow"], m3["maxTokens"]) == (1_000_000, 16_384)
    # cost per sub-field: the long-context tier survives, the time-based schedule does not.
    assert m3["cost"] == {
        "input": 0,
        "output": 0,
        "cacheRead": 0,
        "cacheWrite": 0,
        "longContext": {
            "inputThreshold": 200000,
            "input": 0.6,
            "output": 2.4,
            "cacheRead": 0,
            "cacheWrite": 0,
        },
    }
    # compat replaced by provider+model compat (the bundled authored compat is gone).
    assert m3["compatConfig"] == {"disableStrictTools": True}
    assert m3["compat"]["disableStrictTools"] is True
    assert m3["thinking"] == {"mode": "effort", "efforts": ["low", "high"]}
    assert m3["unknownFutureKey"] == {"kept": True}
    assert "isOAuth" not in m3  # a same-id patch does not re-derive request shaping


def test_same_id_definition_replaces_headers_and_takes_api_from_provider() -> None:
    text = """
providers:
  minimax:
    baseUrl: https://x.example
    apiKey: K
    api: anthropic-messages
    headers: {X-P: p}
    models:
      - id: M2-code
        headers: {X-M: m}
"""
    m = merged(text).catalog["minimax"]["M2-code"]
    assert m["api"] == "anthropic-messages"
    assert m["headers"] == {"X-P": "p", "X-M": "m"}  # bundled X-Old is replaced, not merged
    assert m["baseUrl"] == "https://x.example"


def test_new_model_gets_omps_defaults() -> None:
    text = (
        "providers:\n"
        "  local:\n"
        "    baseUrl: http://127.0.0.1:8080/v1\n"
        "    api: openai-completions\n"
        "    auth: none\n"
        "    models:\n"
        "      - id: house-model-7b\n"
    )
    result = merged(text)
    assert list(result.catalog) == ["minimax", "openai", "proxyco", "local"]
    assert result.catalog["local"]["house-model-7b"] == {
        "id": "house-model-7b",
        "name": "house-model-7b",
        "api": "openai-completions",
        "provider": "local",
        "baseUrl": "http://127.0.0.1:8080/v1",
        "reasoning": False,
        "input": ["text"],
        "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0},
        "contextWindow": 128_000,
        "maxTokens": 16_384,
    }


def test_new_model_inherits_from_the_best_reference_but_not_its_name_or_foreign_thinking() -> None:
    text = (
        "providers:\n"
        "  myproxy:\n"
        "    baseUrl: https://p.example\n"
        "    apiKey: K\n"
        "    api: openai-completions\n"
        "    models:\n"
        "      - id: gpt-5.1\n"
    )
    m = merged(text).catalog["myproxy"]["gpt-5.1"]
    # openai/gpt-5.1 wins over proxyco/gpt-5.1: larger contextWindow.
    assert (m["contextWindow"], m["maxTokens"], m["input"]) == (400_000, 128_000, ["text", "image"])
    assert m["cost"] == base_catalog()["openai"]["gpt-5.1"]["cost"]
    assert m["name"] == "gpt-5.1"
    assert "thinking" not in m  # the reference is another provider's
    assert m["compatConfig"] == {"supportsStore": True}  # the reference's authored compat


def test_new_model_inherits_thinking_from_a_same_provider_reference() -> None:
    text = (
        "providers:\n"
        "  openai:\n"
        "    baseUrl: https://api.openai.com/v1\n"
        "    apiKey: K\n"
        "    api: openai-responses\n"
        "    models:\n"
        "      - id: GPT-5.1:cloud\n"
    )
    m = merged(text).catalog["openai"]["GPT-5.1:cloud"]
    assert m["thinking"] == {"mode": "effort", "efforts": ["minimal", "high"]}
    assert m["reasoning"] is True


def test_new_anthropic_messages_model_is_marked_oauth_shaped_unless_auth_is_set() -> None:
    text = """
providers:
  a:
    baseUrl: https://a.example
    apiKey: K
    api: anthropic-messages
    models: [{id: x}]
  b:
    baseUrl: https://b.example
    apiKey: K
    auth: apiKey
    api: anthropic-messages
    models: [{id: y}]
"""
    catalog = merged(text).catalog
    assert catalog["a"]["x"]["isOAuth"] is True
    assert "isOAuth" not in catalog["b"]["y"]


def test_standalone_gpt_5_4_gets_the_1m_window_unless_it_sets_one() -> None:
    text = """
providers:
  p:
    baseUrl: https://p.example
    apiKey: K
    api: openai-responses
    models: [{id: gpt-5.4}]
  github-copilot:
    baseUrl: https://c.example
    apiKey: K
    api: openai-responses
    models: [{id: gpt-5.4}]
"""
    catalog = merged(text).catalog
    assert catalog["p"]["gpt-5.4"]["contextWindow"] == 1_000_000
    assert catalog["github-copilot"]["gpt-5.4"]["contextWindow"] == 128_000


def test_custom_model_without_any_api_is_skipped_with_a_located_warning() -> None:
    result = merged(
        "providers:\n  p:\n    baseUrl: https://p.example\n    apiKey: K\n    models:\n      - id: lost\n"
    )
    assert "p" not in result.catalog
    [problem] = result.problems
    assert (problem.rule, problem.severity, problem.position) == (
        "custom-model-without-api",
        Severity.WARNING,
        Position(6, 9),
    )


def test_duplicate_definitions_patch_the_first_as_omp_does() -> None:
    text = """
providers:
  p:
    baseUrl: https://p.example
    apiKey: K
    api: openai-completions
    models:
      - {id: twin, contextWindow: 1000, compat: {supportsStore: false}}
      - {id: twin, maxTokens: 50}
"""
    m = merged(text).catalog["p"]["twin"]
    assert (m["contextWindow"], m["maxTokens"]) == (1000, 50)
    assert "compatConfig" not in m  # the second definition replaced compat with nothing


def test_thinking_legacy_range_is_normalised_and_dropped_when_reasoning_is_false() -> None:
    assert normalize_thinking({"mode": "budget", "minLevel": "low", "maxLevel": "xhigh", "extra": 1}) == {
        "mode": "budget",
        "efforts": ["low", "medium", "high", "xhigh"],
    }
    assert normalize_thinking({"mode": "effort", "levels": ["high"], "efforts": ["low"]})["efforts"] == [
        "low"
    ]
    text = "providers:\n  minimax:\n    modelOverrides:\n      M3: {reasoning: false}\n"
    assert "thinking" not in merged(text).catalog["minimax"]["M3"]


def test_names_are_cleaned_as_omp_cleans_them() -> None:
    assert clean_model_name("OpenAI: GPT-5 (latest)") == "GPT-5"
    assert clean_model_name("Model (20% off)  X") == "Model X"
    assert clean_model_name("(latest)") == "(latest)"
    assert clean_model_name("Claude (Thinking)") == "Claude (Thinking)"


# ------------------------------------------------------------------------------------------------
# c. modelOverrides and d. Bedrock fields


def test_model_overrides_replace_fields_cost_per_subfield_headers_merge_compat_deep_merges() -> None:
    text = """
providers:
  minimax:
    modelOverrides:
      M2-code:
        name: "Vendor: Renamed"
        contextWindow: 1000000
        cost: {input: 0.5}
        headers: {X-New: n}
        compat: {supportsStore: false}
"""
    m = merged(text).catalog["minimax"]["M2-code"]
    assert m["name"] == "Renamed"
    assert m["contextWindow"] == 1_000_000
    assert m["cost"] == {"input": 0.5, "output": 2, "cacheRead": 0.1, "cacheWrite": 0}
    assert m["headers"] == {"X-Old": "1", "X-New": "n"}
    assert m["compatConfig"] == {"supportsStore": False}


def test_model_overrides_apply_after_custom_models() -> None:
    text = """
providers:
  p:
    baseUrl: https://p.example
    apiKey: K
    api: openai-completions
    models: [{id: mine, contextWindow: 1000}]
    modelOverrides:
      mine: {contextWindow: 2000}
"""
    assert merged(text).catalog["p"]["mine"]["contextWindow"] == 2000


def test_unknown_override_id_is_a_located_warning_with_a_hint() -> None:
    text = "providers:\n  minimax:\n    modelOverrides:\n      m3: {contextWindow: 5}\n"
    result = merged(text)
    [problem] = result.problems
    assert problem.rule == "unknown-override"
    assert problem.severity is Severity.WARNING
    assert (problem.file, problem.position, problem.pointer) == (
        "models.yml",
        Position(4, 7),
        "/providers/minimax/modelOverrides/m3",
    )
    assert problem.hint is not None
    assert "'M3'" in problem.hint
    assert result.catalog["minimax"]["M3"]["contextWindow"] == 200_000


def test_bedrock_fields_reach_every_model_of_an_overridden_provider() -> None:
    text = "providers:\n  minimax:\n    guardrailIdentifier: gr-1\n    guardrailTrace: enabled\n"
    models = merged(text).catalog["minimax"]
    assert all(
        m["guardrailIdentifier"] == "gr-1" and m["guardrailTrace"] == "enabled" for m in models.values()
    )
    # guardrailVersion alone does not create a provider override in OMP: nothing happens.
    base = base_catalog()
    result = merge_catalog(base, [overlay("providers:\n  minimax:\n    guardrailVersion: '1'\n")])
    assert result.catalog == base


# ------------------------------------------------------------------------------------------------
# Inputs, sharing, numbers, provenance, changes


def test_inputs_are_never_mutated_and_untouched_models_are_shared() -> None:
    base = base_catalog()
    before = copy.deepcopy(base)
    layer = overlay(SEED)
    data_before = copy.deepcopy(dict(layer.data))
    result = merge_catalog(base, [layer])
    assert base == before
    assert dict(layer.data) == data_before
    assert result.catalog["openai"]["gpt-5.1"] is base["openai"]["gpt-5.1"]
    assert result.catalog["minimax"]["M2"] is not base["minimax"]["M2"]
    assert result.catalog is not base
    assert result.catalog["openai"] is not base["openai"]


def test_integral_floats_from_yaml_become_integers_like_javascript_numbers() -> None:
    m = merged("providers:\n  minimax:\n    modelOverrides:\n      M2: {contextWindow: 1.0e6}\n").catalog[
        "minimax"
    ]["M2"]
    assert m["contextWindow"] == 1_000_000
    assert type(m["contextWindow"]) is int


def test_provenance_locates_each_field() -> None:
    result = merged(SEED)
    m3 = result.provenance[("minimax", "M3")]
    assert m3["name"].located() == "models.yml:11:9"
    assert m3["name"].how == "custom model"
    assert m3["baseUrl"].located() == "models.yml:4:5"
    assert m3["cost.input"].located() == "models.yml:16:16"
    assert m3["compat.disableStrictTools"].located() == "models.yml:8:5"
    assert m3["cost.longContext"].how == "bundled"
    assert m3["thinking"].layer == "base.json"
    m2 = result.provenance[("minimax", "M2")]
    assert (m2["baseUrl"].how, m2["baseUrl"].position) == ("provider override", Position(4, 5))
    assert m2["maxTokens"].how == "bundled"
    assert set(result.provenance) == {(p, i) for p, models in result.catalog.items() for i in models}


def test_provenance_of_a_new_model_names_its_reference_and_defaults() -> None:
    text = (
        "providers:\n"
        "  myproxy:\n"
        "    baseUrl: https://p.example\n"
        "    apiKey: K\n"
        "    api: openai-completions\n"
        "    models:\n"
        "      - id: gpt-5.1\n"
        "        maxTokens: 5\n"
    )
    origins = merged(text).provenance[("myproxy", "gpt-5.1")]
    assert origins["contextWindow"].how == "reference openai/gpt-5.1"
    assert origins["maxTokens"].located() == "models.yml:8:9"
    assert origins["name"].how == "default"
    assert origins["api"].located() == "models.yml:5:5"


def test_catalog_changes_lists_field_changes_and_new_models() -> None:
    base = base_catalog()
    text = (
        SEED + "  local:\n"
        "    baseUrl: http://x\n"
        "    api: openai-completions\n"
        "    auth: none\n"
        "    models: [{id: tiny}]\n"
    )
    result = merge_catalog(base, [overlay(text)])
    changes = catalog_changes(base, result)
    by_field = {(c.model_id, c.field): c for c in changes}
    assert by_field[("M2", "baseUrl")].after == "https://api.minimaxi.com/anthropic"
    assert by_field[("M2", "compat.disableStrictTools")].before is False
    assert by_field[("M3", "cost.timeBased")].kind == "removed"
    assert by_field[("M3", "cost.input")].origin is not None
    assert by_field[("tiny", "")].kind == "added-model"
    assert not any(c.provider == "openai" for c in changes)


def test_merge_compat_merges_nested_maps_and_replaces_the_rest() -> None:
    assert merge_compat({"a": {"x": 1, "y": 1}, "b": [1]}, {"a": {"y": 2}, "b": [2]}) == {
        "a": {"x": 1, "y": 2},
        "b": [2],
    }
    assert merge_compat(None, {"a": 1}) == {"a": 1}
    assert merge_compat({"a": 1}, {}) == {"a": 1}
    assert merge_compat({}, None) == {}  # {} is truthy in JavaScript


# ------------------------------------------------------------------------------------------------
# Composition


def test_compose_merges_providers_models_by_id_and_overrides_by_id() -> None:
    first = overlay(
        "providers:\n"
        "  p:\n"
        "    baseUrl: https://a\n"
        "    headers: {A: '1'}\n"
        "    models:\n"
        "      - {id: x, cost: {input: 1, output: 1, cacheRead: 0, cacheWrite: 0}, input: [text, image]}\n"
        "    modelOverrides:\n      m1: {contextWindow: 10}\n",
        "a.yml",
    )
    second = overlay(
        "providers:\n"
        "  p:\n"
        "    headers: {B: '2'}\n"
        "    models:\n"
        "      - {id: y}\n"
        "      - {id: x, cost: {input: 5}, input: [text]}\n"
        "    modelOverrides:\n      m1: {maxTokens: 3}\n  q: {baseUrl: https://q}\n",
        "b.yml",
    )
    composed = compose_overlays([first, second])
    provider = composed["providers"]["p"]
    assert provider["baseUrl"] == "https://a"
    assert provider["headers"] == {"A": "1", "B": "2"}
    assert provider["models"] == [
        {"id": "x", "cost": {"input": 5, "output": 1, "cacheRead": 0, "cacheWrite": 0}, "input": ["text"]},
        {"id": "y"},
    ]
    assert provider["modelOverrides"] == {"m1": {"contextWindow": 10, "maxTokens": 3}}
    assert list(composed["providers"]) == ["p", "q"]


def test_provenance_across_layers_points_at_the_layer_that_wrote_the_value() -> None:
    first = overlay(
        "providers:\n  minimax:\n    baseUrl: https://first\n    modelOverrides:\n      M2: {maxTokens: 1}\n",
        "a.yml",
    )
    second = overlay("providers:\n  minimax:\n    modelOverrides:\n      M2: {contextWindow: 2}\n", "b.yml")
    result = merge_catalog(base_catalog(), [first, second])
    origins = result.provenance[("minimax", "M2")]
    assert origins["baseUrl"].located() == "a.yml:3:5"
    assert origins["maxTokens"].located() == "a.yml:5:12"
    assert origins["contextWindow"].located() == "b.yml:4:12"


@pytest.mark.parametrize("empty", ["{}", "providers: {}", "providers:\n  nobody: {}\n"])
def test_an_empty_overlay_changes_nothing(empty: str) -> None:
    base = base_catalog()
    result = merge_catalog(base, [overlay(empty)])
    assert result.catalog == base
    assert list(result.catalog) == list(base)
    assert result.problems == []


# ------------------------------------------------------------------------------------------------
# The real catalog (skips without ../shared)


def test_seed_overlay_over_omp_18_2_3(shared: Any) -> None:
    from catalogmgr.documents import load_json_fast

    path = shared("data", "omp", "pi-catalog-18.2.3.models.json")
    base = load_json_fast(path)
    seed = SEED.replace("- id: M3", "- id: MiniMax-M3")
    result = merge_catalog(base, [overlay(seed)], base_name=str(path))
    models = result.catalog["minimax"]
    assert len(models) == len(base["minimax"]) == 8
    for model_id, row in models.items():
        assert row["baseUrl"] == "https://api.minimaxi.com/anthropic", model_id
        assert row["compat"]["disableStrictTools"] is True, model_id
    m3 = models["MiniMax-M3"]
    assert (m3["name"], m3["reasoning"], m3["input"]) == ("MiniMax M3", True, ["text", "image"])
    assert (m3["contextWindow"], m3["maxTokens"]) == (1_000_000, 16_384)
    assert {key: m3["cost"][key] for key in ("input", "output", "cacheRead", "cacheWrite")} == dict.fromkeys(
        ("input", "output", "cacheRead", "cacheWrite"), 0
    )
    # Nothing outside minimax changed; every other model is the base's own object.
    assert all(result.catalog[p] == base[p] for p in base if p != "minimax")
    assert result.problems == []


def test_non_chat_rows_are_hidden_from_omp_18_2_8() -> None:
    from catalogmgr.omp.profile import PROFILES_BY_ID

    base = {
        "openai": {
            "gpt-5": {"id": "gpt-5", "provider": "openai", "api": "openai-responses", "kind": "chat"},
            "text-embedding-3": {
                "id": "text-embedding-3",
                "provider": "openai",
                "api": "openai-responses",
                "kind": "embedding",
            },
            "gpt-4o": {"id": "gpt-4o", "provider": "openai", "api": "openai-responses"},
        },
        "voices": {"tts-1": {"id": "tts-1", "provider": "voices", "api": "openai-responses", "kind": "tts"}},
    }
    before = copy.deepcopy(base)
    hidden = merge_catalog(base, [], profile=PROFILES_BY_ID["18.2.9"]).catalog
    assert {provider: sorted(models) for provider, models in hidden.items()} == {
        "openai": ["gpt-4o", "gpt-5"]
    }
    assert merge_catalog(base, [], profile=PROFILES_BY_ID["18.2.3"]).catalog == base
    assert base == before
