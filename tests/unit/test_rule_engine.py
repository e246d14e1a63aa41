"""The Python port of OMP's compat rule engine for ``thinking`` (catalogmgr.omp.rule_engine), without
bun: revision parsing, identity, the cascade's decisions and ``resolveThinkingPolicy``'s branches,
and the merge running it on the models OMP rebuilds. Every expected value here was read from OMP
18.2.3 itself; the differential ``tests/compat/test_rule_engine_vs_omp.py`` checks many more."""

from __future__ import annotations

import gzip
import json
from importlib import resources
from typing import Any

import pytest

from catalogmgr.merge import Layer, merge_catalog
from catalogmgr.omp.policies import policy_set
from catalogmgr.omp.profile import PROFILES, select_profile
from catalogmgr.omp.rule_engine import (
    COMPAT_CODE,
    RuleEngine,
    RuleEngineError,
    glob_match,
    load_rule_engine,
    parse_revision,
    parse_revision_prefix,
)
from catalogmgr.omp.settings import DEFAULT_SETTINGS, RuntimeSettings

LOCAL = "http://127.0.0.1:8080/v1"


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return load_rule_engine("18.2.3")


def _decide(engine: RuleEngine, **spec: Any) -> Any:
    return engine.decide(spec)


def test_revisions() -> None:
    assert parse_revision("4.6") == (4, 6, 0)
    assert parse_revision("4-6-1") == (4, 6, 1)
    assert parse_revision("1.2.3.4") is None
    assert parse_revision("256") is None
    assert parse_revision("") is None
    assert parse_revision_prefix("4-6-turbo") == (4, 6, 0)
    assert parse_revision_prefix("3.3-70b") == (3, 3, 0)
    assert parse_revision_prefix("32b") is None  # a size, not a revision


def test_glob_match() -> None:
    assert glob_match("*opus*", "claude-opus-4")
    assert glob_match("gpt-*-mini", "gpt-5-mini")
    assert not glob_match("gpt-*-mini", "gpt-5-mini-x")
    assert glob_match("abc", "abc")
    assert not glob_match("abc", "abcd")


def test_identity(engine: RuleEngine) -> None:
    opus = engine.classify("anthropic", "claude-opus-4-6")
    assert (opus.cls, opus.family, opus.revision) == ("anthropic", "opus", "4.6.0")
    twin = engine.classify("x", "gpt-5.4-thinking")
    assert twin.thinking_variant
    assert twin.logical_id == "gpt-5.4"
    assert twin.revision == "5.4.0"
    glm = engine.classify("x", "zai-org/GLM-5.3-Flash")
    assert (glm.cls, glm.family, glm.revision) == ("glm", "flash", "5.3.0")
    assert engine.classify("cursor", "gpt-5.6-sol-high").effort == "high"
    assert engine.classify("x", "default").cls == "unknown"
    assert engine.classify("x", "qwen3-32b").revision == "3.0.0"


def test_pair_token_anywhere_but_negated(engine: RuleEngine) -> None:
    assert engine.strip_thinking_variant_suffix("qwen3-235b-thinking-2507") == "qwen3-235b-2507"
    assert engine.strip_thinking_variant_suffix("model-non-thinking") is None
    assert engine.strip_thinking_variant_suffix("x-thinkingful") is None


def test_new_model_without_rules_gets_the_api_ladder(engine: RuleEngine) -> None:
    spec = {"id": "default", "provider": "local", "api": "openai-completions", "baseUrl": LOCAL}
    decision = engine.decide({**spec, "reasoning": True})
    assert decision.thinking == {"mode": "effort", "efforts": ["minimal", "low", "medium", "high", "xhigh"]}
    assert decision.reasoning is True
    off = engine.decide({**spec, "reasoning": False})
    assert off.thinking is None
    assert off.reasoning is False


def test_family_rules_and_identity_defaults(engine: RuleEngine) -> None:
    claude = _decide(
        engine,
        id="claude-opus-4-7",
        provider="proxy",
        api="anthropic-messages",
        baseUrl="https://proxy.example",
        reasoning=True,
    )
    assert claude.thinking == {
        "mode": "anthropic-adaptive",
        "efforts": ["minimal", "low", "medium", "high", "xhigh"],
        "supportsDisplay": True,
    }
    # A Qwen 3.8 model on a local server: the chat template takes the effort, so it is required.
    qwen = _decide(
        engine,
        id="qwen3.8-35b-a3b",
        provider="lms",
        api="openai-completions",
        baseUrl="http://localhost:1234/v1",
        reasoning=True,
    )
    assert qwen.thinking == {
        "mode": "effort",
        "efforts": ["minimal", "low", "medium", "high"],
        "requiresEffort": True,
    }


def test_host_effort_map_and_wire_off(engine: RuleEngine) -> None:
    fireworks = _decide(
        engine,
        id="some-model",
        provider="fw",
        api="openai-completions",
        baseUrl="https://API.FIREWORKS.AI/inference/v1",
        reasoning=True,
    )
    assert fireworks.thinking is not None
    assert fireworks.thinking["effortMap"] == {"minimal": "none"}
    no_effort = _decide(
        engine,
        id="gpt-5.5",
        provider="corp",
        api="openai-responses",
        baseUrl="https://gw.example/v1",
        reasoning=True,
        compat={"supportsReasoningEffort": False},
    )
    assert no_effort.thinking is None
    assert no_effort.reasoning is True
    devin = _decide(engine, id="x", provider="devin", api="devin-agent", reasoning=True)
    assert devin.thinking is None  # trustExplicitThinkingOnly


def test_explicit_thinking_is_kept_and_filled(engine: RuleEngine) -> None:
    spec = {
        "id": "my-thinking",
        "provider": "gw",
        "api": "openai-completions",
        "baseUrl": "https://gw.example/v1",
        "reasoning": True,
        "compat": {"reasoningEffortMap": {"high": "max", "xhigh": "ultra"}},
    }
    decision = engine.decide({**spec, "thinking": {"efforts": ["low", "high"]}})
    assert decision.thinking == {
        "efforts": ["low", "high"],
        "effortMap": {"high": "max"},
        "requiresEffort": True,
    }
    # A field written (even as null) is not filled; explicit thinking without reasoning is dropped.
    kept = engine.decide({**spec, "thinking": {"efforts": ["low"], "requiresEffort": None}})
    assert kept.thinking is not None
    assert kept.thinking["requiresEffort"] is None
    assert engine.decide({**spec, "reasoning": False, "thinking": {"efforts": ["low"]}}).thinking is None


def test_ties_raise() -> None:
    data = json.loads(
        gzip.decompress(
            resources.files("catalogmgr").joinpath("omp", "data", "rule-engine-18.2.3.json.gz").read_bytes()
        )
    )
    tie = {"source": "t", "providers": ["p"], "thinking": {"efforts": ["low"]}}
    data["cascade"] = [tie, {**tie, "source": "u"}]
    with pytest.raises(RuleEngineError, match="ambiguous overlap"):
        RuleEngine(data).decide({"id": "m", "provider": "p", "api": "openai-completions", "reasoning": True})


def test_merge_runs_the_rule_engine_on_new_models() -> None:
    bundled: dict[str, dict[str, dict[str, Any]]] = {}
    overlay = {
        "providers": {
            "local": {
                "baseUrl": LOCAL,
                "api": "openai-completions",
                "apiKey": "none",
                "models": [
                    {"id": "default", "reasoning": True},
                    {"id": "plain"},
                    {"id": "pinned", "reasoning": True, "thinking": {"efforts": ["high"]}},
                ],
            }
        }
    }
    result = merge_catalog(bundled, [Layer(name="models.yml", data=overlay)], settings=DEFAULT_SETTINGS)
    models = result.catalog["local"]
    assert models["default"]["thinking"]["efforts"] == ["minimal", "low", "medium", "high", "xhigh"]
    how = result.provenance[("local", "default")]["thinking"].how
    assert "compat rule engine" in how
    assert "thinking" not in models["plain"]
    assert models["pinned"]["thinking"]["efforts"] == ["high"]
    # Without OMP's runtime settings (the files as written) the rule engine does not run.
    as_written = merge_catalog(bundled, [Layer(name="models.yml", data=overlay)])
    assert "thinking" not in as_written.catalog["local"]["default"]


def test_resolved_compat_of_a_local_qwen(engine: RuleEngine) -> None:
    compat = _decide(
        engine,
        id="qwen3.8-35b-a3b",
        provider="lms",
        api="openai-completions",
        baseUrl="http://localhost:1234/v1",
        reasoning=True,
        compat={"supportsStore": True, "disableStrictTools": True},
    ).compat
    assert compat["thinkingFormat"] == "qwen"
    assert compat["qwenTemplateReasoningEffort"] is True
    assert compat["reasoningDisableMode"] == "qwen-enable-thinking-false"
    assert compat["streamIdleTimeoutMs"] == 300_000
    assert compat["toolSchemaFlavor"] == "grammar"
    assert compat["supportsStore"] is True  # an authored key the record has
    assert "disableStrictTools" not in compat  # the completions record has none: OMP drops it
    assert "kimiApiFormat" not in compat  # undefined in OMP: absent from its JSON


def test_resolved_compat_of_anthropic_hosts(engine: RuleEngine) -> None:
    spec = {"id": "claude-opus-4-8", "provider": "p", "api": "anthropic-messages", "reasoning": True}
    official = _decide(engine, **spec).compat
    assert official["officialEndpoint"] is True
    assert official["supportsMidConversationSystem"] is True
    azure = _decide(engine, **spec, baseUrl="https://res.services.ai.azure.com/anthropic").compat
    assert azure["officialEndpoint"] is False
    assert azure["signingEndpoint"] is True
    assert azure["disableStrictTools"] is True
    lookalike = _decide(engine, **spec, baseUrl="https://api.anthropic.com.evil.example").compat
    assert lookalike["officialEndpoint"] is False


def test_when_thinking_variant_and_unknown_api(engine: RuleEngine) -> None:
    compat = _decide(
        engine,
        id="m",
        provider="gw",
        api="openai-completions",
        baseUrl="https://gw.example/v1",
        reasoning=True,
        compat={"whenThinking": {"supportsReasoningEffort": False}},
    ).compat
    assert compat["whenThinking"]["supportsReasoningEffort"] is False
    assert compat["whenThinking"]["omitReasoningEffort"] is True
    assert "whenThinking" not in compat["whenThinking"]
    assert _decide(engine, id="m", provider="gw", api="mistral-conversations", reasoning=True).compat is None


def _codex_overlay(**definition: Any) -> dict[str, Any]:
    return {
        "providers": {
            "gw": {
                "baseUrl": "https://gw.example.com/v1",
                "api": "openai-responses",
                "apiKey": "none",
                "models": [{"id": "gpt-5.3-codex", "reasoning": True, **definition}],
            }
        }
    }


def test_catalog_corrections_of_a_new_model() -> None:
    # OMP's reviewed limits for gpt-5.3-codex (a `limits-patch` rule) outrank the definition's window;
    # the definition's own prices outrank the rules' (finalizeCustomModel restores them).
    prices = {"input": 1, "output": 2, "cacheRead": 0, "cacheWrite": 0}
    overlay = _codex_overlay(contextWindow=400000, cost=prices)
    result = merge_catalog({}, [Layer(name="models.yml", data=overlay)], settings=DEFAULT_SETTINGS)
    model = result.catalog["gw"]["gpt-5.3-codex"]
    assert model["contextWindow"] == 272000
    assert "catalog correction" in result.provenance[("gw", "gpt-5.3-codex")]["contextWindow"].how
    assert model["cost"] == prices
    as_written = merge_catalog({}, [Layer(name="models.yml", data=overlay)])
    assert as_written.catalog["gw"]["gpt-5.3-codex"]["contextWindow"] == 400000


def test_a_patch_keeps_its_window() -> None:
    base = {"gw": {"gpt-5.3-codex": {"id": "gpt-5.3-codex", "provider": "gw", "api": "openai-responses"}}}
    overlay = {"providers": {"gw": {"modelOverrides": {"gpt-5.3-codex": {"contextWindow": 400000}}}}}
    result = merge_catalog(base, [Layer(name="models.yml", data=overlay)], settings=DEFAULT_SETTINGS)
    assert result.catalog["gw"]["gpt-5.3-codex"]["contextWindow"] == 400000


def test_every_profile_names_stored_rules() -> None:
    running = [profile for profile in PROFILES if policy_set(profile.runtime_policies).rule_engine]
    assert {profile.id for profile in running} >= {"18.0", "18.2.3", "18.2.9", "18.3"}
    for profile in running:
        assert load_rule_engine(profile.rules).version == profile.rules
        for _, rules in profile.rules_by_release:
            assert load_rule_engine(rules).version == rules
    # Every stored release's code was read: its compat is claimed, not only its thinking.
    stored = [
        entry.name.removeprefix("rule-engine-").removesuffix(".json.gz")
        for entry in resources.files("catalogmgr").joinpath("omp", "data").iterdir()
        if entry.name.startswith("rule-engine-")
    ]
    assert sorted(stored) == sorted(COMPAT_CODE)
    assert all(load_rule_engine(version).resolves_compat for version in stored)


def _compat(version: str, **spec: Any) -> dict[str, Any]:
    compat = load_rule_engine(version).decide(spec).compat
    assert compat is not None
    return compat


# Each release switch (CompatCode), with what that release's own buildModel answers (read with
# tests/compat/rule_engine_specs.ts on 18.1.16, 18.1.20, 18.2.0 and 18.2.3).


def test_release_switch_disable_reasoning_with_tools() -> None:
    spec = {"id": "my-model", "provider": "gw", "api": "openai-completions", "reasoning": True}
    assert _compat("18.2.3", **spec)["disableReasoningWithTools"] is False
    assert "disableReasoningWithTools" not in _compat("18.2.0", **spec)
    # Absent, so an authored value does not land either (applyCompatOverrides).
    authored = _compat("18.2.0", **spec, compat={"disableReasoningWithTools": True})
    assert "disableReasoningWithTools" not in authored


def test_release_switch_dsml_gateways() -> None:
    spec = {
        "id": "deepseek-v4-pro",
        "provider": "litellm",
        "api": "openai-completions",
        "reasoning": True,
        "baseUrl": "http://gw.example:4000/v1",
    }
    assert _compat("18.2.3", **spec)["streamMarkupHealingPattern"] == "dsml"
    assert _compat("18.2.0", **spec)["streamMarkupHealingPattern"] == "thinking"


def test_release_switch_compat_reasoning_upgrade() -> None:
    # deepseek-v4-flash has an exact, upgrade-neutral effort ladder: both releases give it thinking
    # and reasoning; only 18.2.3's compat reads the upgraded reasoning.
    spec = {
        "id": "deepseek-v4-flash",
        "provider": "deepseek",
        "api": "openai-completions",
        "reasoning": False,
    }
    for version in ("18.2.0", "18.2.3"):
        decision = load_rule_engine(version).decide(spec)
        assert decision.reasoning is True
        assert decision.thinking is not None
        assert decision.thinking["efforts"] == ["low", "high", "max"]
    assert _compat("18.2.3", **spec)["disableReasoningOnToolChoice"] is True
    assert _compat("18.2.0", **spec)["disableReasoningOnToolChoice"] is False


def test_release_switch_thinking_upgrade() -> None:
    # 18.1.16's code never gives a spec without reasoning thinking (18.2.0's rules under its code).
    tables = json.loads(
        gzip.decompress(
            resources.files("catalogmgr").joinpath("omp", "data", "rule-engine-18.2.0.json.gz").read_bytes()
        )
    )
    old_code = RuleEngine({**tables, "ompVersion": "18.1.16"})
    spec = {
        "id": "deepseek-v4-flash",
        "provider": "deepseek",
        "api": "openai-completions",
        "reasoning": False,
    }
    decision = old_code.decide(spec)
    assert (decision.thinking, decision.reasoning) == (None, False)
    assert load_rule_engine("18.1.16").decide(spec).thinking is None


def test_release_switch_anthropic_first_party_keys() -> None:
    spec = {
        "id": "claude-sonnet-4-6",
        "provider": "my-proxy",
        "api": "anthropic-messages",
        "reasoning": True,
        "baseUrl": "https://gw.example.com",
    }
    for version in ("18.1.20", "18.2.0", "18.2.3"):
        compat = _compat(version, **spec)
        assert (compat["firstPartyProvider"], compat["supportsServerCompaction"]) == (False, True)
    old = _compat("18.1.16", **spec)
    assert "firstPartyProvider" not in old
    assert "supportsServerCompaction" not in old


def test_release_switch_catalog_flags() -> None:
    flags = ("supportsAssistantPrefill", "requiresToolResultImageHoisting")
    kept = {}
    for version in ("18.1.16", "18.1.20", "18.2.0"):
        engine = load_rule_engine(version)
        model = {
            "id": "my-model",
            "provider": "gw",
            "api": "openai-completions",
            **dict.fromkeys(flags, True),
        }
        engine.apply_catalog_axes(model, engine.decide(model).catalog, 0)
        kept[version] = tuple(flag for flag in flags if flag in model)
    assert kept == {"18.1.16": flags, "18.1.20": ("supportsAssistantPrefill",), "18.2.0": ()}


def test_a_release_re_materializes_stale_bundled_rows_at_load() -> None:
    # OMP 18.1.16 rebuilds its openai rows at load (offline built-in discovery): the Responses
    # record it builds has `clampOutputToModelMax`, which its models.json lacks; with
    # extendedContext on it rebuilds other codex rows (read from 18.1.16's own load).
    row = {"id": "gpt-4o", "provider": "openai", "api": "openai-responses", "compat": {"x": 1}}
    codex = {"id": "gpt-6-astra", "provider": "openai-codex", "api": "openai-codex-responses", "compat": {}}
    base = {"openai": {"gpt-4o": row}, "openai-codex": {"gpt-6-astra": codex}}
    profile = select_profile("18.1.16", {}, None).profile
    loaded = merge_catalog(base, [], profile=profile, settings=DEFAULT_SETTINGS)
    assert loaded.catalog["openai"]["gpt-4o"]["compat"] == {"x": 1, "clampOutputToModelMax": False}
    assert "re-materializes" in (
        loaded.provenance[("openai", "gpt-4o")]["compat.clampOutputToModelMax"].how or ""
    )
    assert loaded.catalog["openai-codex"]["gpt-6-astra"]["compat"] == {}
    extended = merge_catalog(base, [], profile=profile, settings=RuntimeSettings(extended_context=True))
    assert extended.catalog["openai-codex"]["gpt-6-astra"]["compat"] == {"clampOutputToModelMax": False}
    # The file view, and a release whose bundled rows agree with its load, change nothing.
    assert merge_catalog(base, [], profile=profile, settings=None).catalog["openai"]["gpt-4o"] == row
    # A provider the file gives an apiKey runs its discovery at load: its rows are rebuilt too.
    grok = {"id": "grok-4.6", "provider": "opencode-go", "api": "openai-responses", "compat": {}}
    keyed_base = {"opencode-go": {"grok-4.6": grok}}
    unkeyed = merge_catalog(keyed_base, [], profile=profile, settings=DEFAULT_SETTINGS)
    assert unkeyed.catalog["opencode-go"]["grok-4.6"]["compat"] == {}
    key = Layer(name="models.yml", data={"providers": {"opencode-go": {"apiKey": "OPENCODE_KEY"}}})
    keyed = merge_catalog(keyed_base, [key], profile=profile, settings=DEFAULT_SETTINGS)
    assert keyed.catalog["opencode-go"]["grok-4.6"]["compat"] == {"clampOutputToModelMax": False}
    newer = select_profile("18.2.0", {}, None).profile
    assert (
        merge_catalog(base, [], profile=newer, settings=DEFAULT_SETTINGS).catalog["openai"]["gpt-4o"] == row
    )


def test_cline_pass_seeds_references_before_18_2_1() -> None:
    base = {
        "cline-pass": {
            "kimi-k9": {
                "id": "kimi-k9",
                "provider": "cline-pass",
                "api": "openai-completions",
                "maxTokens": 7,
            }
        }
    }
    overlay = {"providers": {"gw": {"baseUrl": "https://gw.example/v1", "api": "openai-completions",
                                    "apiKey": "GW_KEY", "models": [{"id": "kimi-k9"}]}}}  # fmt: skip
    layers = [Layer(name="models.yml", data=overlay)]
    old = merge_catalog(base, layers, profile=select_profile("18.2.0", {}, None).profile)
    new = merge_catalog(base, layers, profile=select_profile("18.2.3", {}, None).profile)
    assert old.catalog["gw"]["kimi-k9"]["maxTokens"] == 7
    assert new.catalog["gw"]["kimi-k9"]["maxTokens"] != 7
