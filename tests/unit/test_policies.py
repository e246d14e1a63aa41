"""OMP 18.2.3's runtime model policies, one by one, on small catalogs (catalogmgr.omp.policies).

The differential suite (tests/compat/test_policies_vs_omp.py) checks them on OMP's whole bundled
catalog against OMP itself; these pin each rule and its edges.
"""

from __future__ import annotations

from typing import Any

import pytest

from catalogmgr.merge import Catalog, Layer, merge_catalog
from catalogmgr.omp.policies import (
    clamp_context_override,
    hardcoded_policy_changes,
    is_policy_origin,
    load_policy_tables,
    resolve_max_context_window,
)
from catalogmgr.omp.profile import PROFILES_BY_ID
from catalogmgr.omp.settings import RuntimeSettings

OFF = RuntimeSettings(extended_context=False)
ON = RuntimeSettings(extended_context=True)
TABLES = load_policy_tables("18.2.3")


def row(provider: str, model_id: str, **fields: Any) -> dict[str, Any]:
    model: dict[str, Any] = {
        "id": model_id,
        "name": model_id,
        "api": fields.pop("api", "openai-responses"),
        "provider": provider,
        "baseUrl": f"https://{provider}.example/v1",
        "reasoning": True,
        "input": ["text"],
        "cost": fields.pop("cost", {"input": 1, "output": 2, "cacheRead": 0.1, "cacheWrite": 0}),
        "contextWindow": fields.pop("contextWindow", 1_050_000),
        "maxTokens": 128_000,
    }
    model.update(fields)
    return model


LONG_CONTEXT_COST = {
    "input": 5,
    "output": 30,
    "cacheRead": 0.5,
    "cacheWrite": 0,
    "longContext": {"inputThreshold": 272_000, "input": 10, "output": 45},
}


def catalog(*models: dict[str, Any]) -> Catalog:
    result: Catalog = {}
    for model in models:
        result.setdefault(model["provider"], {})[model["id"]] = model
    return result


def windows(changes: list[Any]) -> list[Any]:
    return [change.value for change in changes if change.field == "contextWindow"]


# -- the long-context cap ----------------------------------------------------------------------------


def test_long_context_tier_caps_the_window_when_extended_context_is_off() -> None:
    changes = hardcoded_policy_changes(row("openai", "gpt-5.6", cost=LONG_CONTEXT_COST), OFF, TABLES, None)
    assert windows(changes) == [272_000]
    assert changes[0].how == ("policy: capped at the long-context threshold 272,000: extendedContext is off")


def test_long_context_tier_is_left_alone_when_extended_context_is_on() -> None:
    assert hardcoded_policy_changes(row("openai", "gpt-5.6", cost=LONG_CONTEXT_COST), ON, TABLES, None) == []


def test_window_already_below_the_threshold_is_not_raised() -> None:
    model = row("openai", "gpt-5.6", cost=LONG_CONTEXT_COST, contextWindow=200_000)
    assert hardcoded_policy_changes(model, OFF, TABLES, None) == []


def test_xai_oauth_is_exempt_from_the_cap() -> None:
    model = row("xai-oauth", "grok-4.6", cost=LONG_CONTEXT_COST)
    assert hardcoded_policy_changes(model, OFF, TABLES, None) == []


# -- the extended-context maximum ----------------------------------------------------------------------


def test_extended_context_raises_to_the_models_own_maximum() -> None:
    model = row("openai-codex", "gpt-next", api="openai-codex-responses", contextWindow=272_000)
    model["maxContextWindow"] = 872_000
    assert windows(hardcoded_policy_changes(model, ON, TABLES, None)) == [872_000]
    assert hardcoded_policy_changes(model, OFF, TABLES, None) == []


def test_curated_maximum_from_the_generated_table_beats_a_stale_one() -> None:
    astra = row("openai-codex", "gpt-6-astra", api="openai-codex-responses", contextWindow=272_000)
    astra["maxContextWindow"] = 872_000
    assert resolve_max_context_window(astra, TABLES) == 922_000
    assert windows(hardcoded_policy_changes(astra, ON, TABLES, None)) == [922_000]


def test_a_window_above_the_maximum_is_kept() -> None:
    model = row("openai-codex", "gpt-5.6-sol", api="openai-codex-responses", contextWindow=1_000_000)
    model["maxContextWindow"] = 872_000
    assert hardcoded_policy_changes(model, ON, TABLES, None) == []


# -- ollama-cloud, gpt-5.4 -------------------------------------------------------------------------------


def test_ollama_cloud_models_omit_max_output_tokens() -> None:
    changes = hardcoded_policy_changes(row("ollama-cloud", "glm-5"), OFF, TABLES, None)
    assert [(change.field, change.value) for change in changes] == [("omitMaxOutputTokens", True)]
    already = row("ollama-cloud", "glm-5", omitMaxOutputTokens=True)
    assert hardcoded_policy_changes(already, OFF, TABLES, None) == []


@pytest.mark.parametrize("provider", ["openai", "azure", "commandcode"])
def test_gpt54_gets_a_million_token_window(provider: str) -> None:
    model = row(provider, "gpt-5.4", contextWindow=400_000)
    assert windows(hardcoded_policy_changes(model, OFF, TABLES, None)) == [1_000_000]


def test_gpt54_on_github_copilot_keeps_its_window() -> None:
    assert hardcoded_policy_changes(row("github-copilot", "gpt-5.4"), OFF, TABLES, None) == []


def test_gpt54_window_yields_to_a_model_override() -> None:
    model = row("openai", "gpt-5.4")
    assert hardcoded_policy_changes(model, OFF, TABLES, {"contextWindow": 500_000}) == []
    merged = merge_catalog(
        catalog(model),
        [
            Layer(
                "o.yml",
                {"providers": {"openai": {"modelOverrides": {"gpt-5.4": {"contextWindow": 500_000}}}}},
            )
        ],
        settings=OFF,
    )
    assert merged.catalog["openai"]["gpt-5.4"]["contextWindow"] == 500_000
    plain = merge_catalog(
        catalog(model),
        [Layer("o.yml", {"providers": {"openai": {"modelOverrides": {"gpt-5.4": {}}}}})],
        settings=OFF,
    )
    assert plain.catalog["openai"]["gpt-5.4"]["contextWindow"] == 1_000_000


# -- the Codex clamp ------------------------------------------------------------------------------------


def codex(window: int) -> dict[str, Any]:
    model = row("openai-codex", "gpt-5.6-sol", api="openai-codex-responses", contextWindow=window)
    model["maxContextWindow"] = 872_000
    return model


def test_codex_override_clamps_to_the_maximum_but_not_below_the_current_window() -> None:
    assert (
        clamp_context_override(codex(272_000), {**codex(272_000), "contextWindow": 950_000}, TABLES)
        == 872_000
    )
    assert (
        clamp_context_override(codex(1_000_000), {**codex(1_000_000), "contextWindow": 950_000}, TABLES)
        == 950_000
    )
    assert (
        clamp_context_override(codex(272_000), {**codex(272_000), "contextWindow": 500_000}, TABLES)
        == 500_000
    )


def test_other_providers_never_clamp() -> None:
    model = row("openai", "gpt-5.6-sol", contextWindow=272_000, maxContextWindow=872_000)
    assert clamp_context_override(model, {**model, "contextWindow": 2_000_000}, TABLES) == 2_000_000


def test_codex_clamp_in_the_merge_names_the_policy() -> None:
    overlay = {"providers": {"openai-codex": {"modelOverrides": {"gpt-5.6-sol": {"contextWindow": 950_000}}}}}
    merged = merge_catalog(catalog(codex(272_000)), [Layer("o.yml", overlay)], settings=OFF)
    assert merged.catalog["openai-codex"]["gpt-5.6-sol"]["contextWindow"] == 872_000
    origin = merged.provenance[("openai-codex", "gpt-5.6-sol")]["contextWindow"]
    assert is_policy_origin(origin)
    assert "clamped" in origin.how
    as_written = merge_catalog(catalog(codex(272_000)), [Layer("o.yml", overlay)])
    assert as_written.catalog["openai-codex"]["gpt-5.6-sol"]["contextWindow"] == 950_000


# -- where the policies sit in the composition -----------------------------------------------------------


def test_same_id_definition_window_wins_over_the_cap() -> None:
    """The cap runs on bundled models before custom models patch them (as in OMP)."""
    base = catalog(row("openai", "gpt-5.6", cost=LONG_CONTEXT_COST))
    overlay = {
        "providers": {
            "openai": {"models": [{"id": "gpt-5.6", "api": "openai-responses", "contextWindow": 900_000}]}
        }
    }
    merged = merge_catalog(base, [Layer("o.yml", overlay)], settings=OFF)
    assert merged.catalog["openai"]["gpt-5.6"]["contextWindow"] == 900_000
    untouched = merge_catalog(base, [Layer("o.yml", {"providers": {"openai": {"models": []}}})], settings=OFF)
    assert untouched.catalog["openai"]["gpt-5.6"]["contextWindow"] == 272_000


def test_policies_never_mutate_the_base_and_as_written_is_the_file() -> None:
    base = catalog(row("openai", "gpt-5.6", cost=LONG_CONTEXT_COST), row("openai", "other"))
    snapshot = {p: {i: dict(m) for i, m in models.items()} for p, models in base.items()}
    merged = merge_catalog(base, [], settings=OFF)
    assert base == snapshot
    assert merged.catalog["openai"]["other"] is base["openai"]["other"]
    assert merge_catalog(base, []).catalog == base
    assert merged.settings == OFF
    assert merge_catalog(base, []).settings is None


# -- the X / X-thinking twin collapse --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "base_id"),
    [
        ("acme-thinking", "acme"),
        ("acme-Reasoner", "acme"),
        ("qwen3-thinking-2507", "qwen3-2507"),
        ("acme-non-thinking", None),
        ("acme-thinkingx", None),
        ("acme", None),
    ],
)
def test_strip_thinking_variant(model_id: str, base_id: str | None) -> None:
    from catalogmgr.omp.policies import strip_thinking_variant

    assert strip_thinking_variant(model_id, TABLES) == base_id


def twin_overlay(**thinking_fields: Any) -> dict[str, Any]:
    cost = {"input": 1, "output": 2, "cacheRead": 0, "cacheWrite": 0}
    return {
        "providers": {
            "gw": {
                "baseUrl": "https://gw.example/v1",
                "apiKey": "GW_KEY",
                "api": "openai-completions",
                "models": [
                    {"id": "acme", "cost": cost},
                    {
                        "id": "acme-thinking",
                        "reasoning": True,
                        "cost": {**cost, **thinking_fields.pop("cost", {})},
                        **thinking_fields,
                    },
                ],
            }
        }
    }


def test_twins_collapse_into_the_base_with_effort_routing() -> None:
    overlay = twin_overlay(thinking={"mode": "effort", "efforts": ["low", "high"]})
    merged = merge_catalog({}, [Layer("o.yml", overlay)], settings=OFF)
    assert list(merged.catalog["gw"]) == ["acme"]
    acme = merged.catalog["gw"]["acme"]
    assert acme["reasoning"] is True
    assert acme["thinking"] == {
        "mode": "effort",
        "efforts": ["low", "high"],
        "effortRouting": {"off": "acme", "low": "acme-thinking", "high": "acme-thinking"},
    }
    assert "reasoning twin 'acme-thinking'" in merged.provenance[("gw", "acme")]["thinking"].how
    assert set(merge_catalog({}, [Layer("o.yml", overlay)]).catalog["gw"]) == {"acme", "acme-thinking"}


def test_twins_with_different_prices_stay_apart() -> None:
    overlay = twin_overlay(cost={"input": 5})
    assert set(merge_catalog({}, [Layer("o.yml", overlay)], settings=OFF).catalog["gw"]) == {
        "acme",
        "acme-thinking",
    }


# -- llama.cpp --------------------------------------------------------------------------------------------


def test_llama_cpp_models_get_v1_and_qwen_runs_over_chat_completions() -> None:
    overlay = {
        "providers": {
            "box": {
                "baseUrl": "http://127.0.0.1:8080/",
                "api": "openai-responses",
                "auth": "none",
                "discovery": {"type": "llama.cpp"},
                "models": [
                    {"id": "Qwen3-Coder"},
                    {"id": "gemma", "baseUrl": "http://10.0.0.2:8081/"},
                    {"id": "phi", "baseUrl": "http://10.0.0.3/v1"},
                ],
            }
        }
    }
    models = merge_catalog({}, [Layer("o.yml", overlay)], settings=OFF).catalog["box"]
    assert models["Qwen3-Coder"]["baseUrl"] == "http://127.0.0.1:8080/v1"
    assert models["Qwen3-Coder"]["api"] == "openai-completions"
    assert models["Qwen3-Coder"]["reasoning"] is True
    assert models["Qwen3-Coder"]["compatConfig"]["thinkingFormat"] == "qwen-chat-template"
    assert models["gemma"]["baseUrl"] == "http://10.0.0.2:8081/v1"
    assert models["gemma"]["api"] == "openai-responses"
    assert models["phi"]["baseUrl"] == "http://10.0.0.3/v1"
    plain = merge_catalog({}, [Layer("o.yml", overlay)]).catalog["box"]
    assert plain["gemma"]["baseUrl"] == "http://10.0.0.2:8081/"
    # OMP 17.2 (`applyLlamaCppQwenThinking` alone) re-points the Qwen-family models only.
    older = merge_catalog(
        {}, [Layer("o.yml", overlay)], settings=OFF, profile=PROFILES_BY_ID["17.2"]
    ).catalog["box"]
    assert older["Qwen3-Coder"]["baseUrl"] == "http://127.0.0.1:8080/v1"
    assert older["gemma"]["baseUrl"] == "http://10.0.0.2:8081/"
    assert older["phi"]["baseUrl"] == "http://10.0.0.3/v1"
    newer = merge_catalog({}, [Layer("o.yml", overlay)], settings=OFF, profile=PROFILES_BY_ID["17.3"])
    assert newer.catalog["box"]["gemma"]["baseUrl"] == "http://10.0.0.2:8081/v1"


# -- thinking.effortMap ------------------------------------------------------------------------------------


def test_effort_map_is_copied_from_compat_for_the_supported_efforts() -> None:
    base = catalog(
        row(
            "deepseek",
            "v4",
            api="openai-completions",
            thinking={"mode": "effort", "efforts": ["low", "high"]},
        )
    )
    overlay = {
        "providers": {
            "deepseek": {
                "modelOverrides": {"v4": {"compat": {"reasoningEffortMap": {"high": "max", "xhigh": "max"}}}}
            }
        }
    }
    merged = merge_catalog(base, [Layer("o.yml", overlay)], settings=OFF)
    assert merged.catalog["deepseek"]["v4"]["thinking"]["effortMap"] == {"high": "max"}
    assert (
        "effortMap"
        not in merge_catalog(base, [Layer("o.yml", overlay)]).catalog["deepseek"]["v4"]["thinking"]
    )


def test_an_authored_thinking_is_kept_as_written() -> None:
    base = catalog(row("deepseek", "v4", api="openai-completions"))
    thinking = {"mode": "effort", "efforts": ["low", "high"]}
    overlay = {
        "providers": {
            "deepseek": {
                "modelOverrides": {
                    "v4": {"thinking": thinking, "compat": {"reasoningEffortMap": {"high": "max"}}}
                }
            }
        }
    }
    merged = merge_catalog(base, [Layer("o.yml", overlay)], settings=OFF)
    assert merged.catalog["deepseek"]["v4"]["thinking"] == thinking


# -- OMP 18.3: maxContextWindow in models.yml ---------------------------------------------------------------


def test_configured_max_context_window_needs_extended_context_and_the_18_3_profile() -> None:
    from catalogmgr.omp.profile import PROFILES

    newest = PROFILES[-1]
    if not newest.max_context_window:
        pytest.skip("no profile with models.yml maxContextWindow")
    base = catalog(row("openai", "gpt-x", contextWindow=272_000))
    overlay = {
        "providers": {
            "gw": {
                "baseUrl": "https://gw.example/v1",
                "apiKey": "GW_KEY",
                "api": "openai-completions",
                "models": [{"id": "big", "contextWindow": 200_000, "maxContextWindow": 800_000}],
            },
            "openai": {"modelOverrides": {"gpt-x": {"maxContextWindow": 900_000}}},
        }
    }
    on = merge_catalog(base, [Layer("o.yml", overlay)], settings=ON, profile=newest).catalog
    assert on["gw"]["big"]["contextWindow"] == 800_000
    assert on["openai"]["gpt-x"]["contextWindow"] == 900_000
    off = merge_catalog(base, [Layer("o.yml", overlay)], settings=OFF, profile=newest).catalog
    assert off["gw"]["big"]["contextWindow"] == 200_000
    assert off["openai"]["gpt-x"]["contextWindow"] == 272_000
    old = merge_catalog(base, [Layer("o.yml", overlay)], settings=ON).catalog  # 18.2.3: no such key
    assert old["gw"]["big"]["contextWindow"] == 200_000


def test_a_context_only_override_keeps_the_configured_window_fixed() -> None:
    from catalogmgr.omp.profile import PROFILES

    newest = PROFILES[-1]
    if not newest.max_context_window:
        pytest.skip("no profile with models.yml maxContextWindow")
    overlay = {
        "providers": {
            "gw": {
                "baseUrl": "https://gw.example/v1",
                "apiKey": "GW_KEY",
                "api": "openai-completions",
                "models": [{"id": "big", "contextWindow": 200_000, "maxContextWindow": 800_000}],
                "modelOverrides": {"big": {"contextWindow": 300_000}},
            }
        }
    }
    on = merge_catalog({}, [Layer("o.yml", overlay)], settings=ON, profile=newest).catalog
    assert on["gw"]["big"]["contextWindow"] == 300_000


# -- policy sets per OMP epoch ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "capped", "omits"),
    [("13.19.0", False, None), ("17.3.5", False, True), ("18.2.3", True, True)],
)
def test_each_profile_applies_its_epochs_policies(version: str, capped: bool, omits: bool | None) -> None:
    from catalogmgr.omp.profile import OmpVersion, profile_for_version

    parsed = OmpVersion.parse(version)
    assert parsed is not None
    profile = profile_for_version(parsed)
    base = catalog(
        row("openai", "gpt-5.6", cost=LONG_CONTEXT_COST),
        row("ollama-cloud", "glm-5"),
        row("openai", "gpt-5.4"),
    )
    merged = merge_catalog(base, [], settings=OFF, profile=profile).catalog
    assert (merged["openai"]["gpt-5.6"]["contextWindow"] == 272_000) is capped
    assert merged["ollama-cloud"]["glm-5"].get("omitMaxOutputTokens") is omits
    assert merged["openai"]["gpt-5.4"]["contextWindow"] == 1_000_000  # every epoch has this one


def test_every_profile_names_a_known_policy_set() -> None:
    from catalogmgr.omp.policies import POLICY_SETS
    from catalogmgr.omp.profile import PROFILES

    assert {profile.runtime_policies for profile in PROFILES} <= set(POLICY_SETS)
