"""OMP 17.x's code-built compat (catalogmgr.omp.compat17) and its wiring into the merge.

The expected values were read from OMP 17.2.15's and 17.3.5's own ``buildModel`` (the differential
``tests/compat/test_rule_engine_vs_omp.py`` compares every bundled model and generated specs whole).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogmgr.merge import Layer, catalog_changes, merge_catalog
from catalogmgr.omp import identity17
from catalogmgr.omp.compat17 import build_compat_17
from catalogmgr.omp.profile import OmpVersion, profile_for_version
from catalogmgr.omp.settings import RuntimeSettings

RELEASES = ("17.2.15", "17.3.5")


@pytest.mark.parametrize("release", RELEASES)
def test_direct_deepseek_turns_thinking_on_only_when_thinking(release: str) -> None:
    compat = build_compat_17(
        {
            "id": "deepseek-v4-pro",
            "name": "DeepSeek V4 Pro",
            "provider": "deepseek",
            "api": "openai-completions",
            "reasoning": True,
            "baseUrl": "https://api.deepseek.com/v1",
            "compat": {"extraBody": {"thinking": {"type": "enabled"}, "x": 1}},
        },
        release,
    )
    assert compat is not None
    assert compat["extraBody"] == {"x": 1}
    assert compat["reasoningDisableMode"] == "zai-thinking-disabled"
    assert compat["supportsToolChoice"] is False
    assert compat["whenThinking"]["extraBody"] == {"x": 1, "thinking": {"type": "enabled"}}


def test_xai_responses_rules_follow_the_host_from_17_3() -> None:
    spec = {
        "id": "grok-4.5",
        "name": "Grok 4.5",
        "provider": "xai",
        "api": "openai-responses",
        "reasoning": True,
        "baseUrl": "https://api.x.ai/v1",
        "compat": {"reasoningEffortMap": {"xhigh": "max", "low": "low"}},
    }
    old, new = build_compat_17(spec, "17.2.15"), build_compat_17(spec, "17.3.5")
    assert old is not None
    assert new is not None
    # 17.2: only the xai-oauth provider id gets xAI's rules; an authored map is kept as written.
    assert old["reasoningEffortMap"] == {"xhigh": "max", "low": "low"}
    assert "supportsReasoningSummary" not in old
    assert "promptCacheSessionHeader" not in old
    # 17.3: api.x.ai for any provider; the canonical clamp wins over the authored map.
    assert new["reasoningEffortMap"] == {"xhigh": "high", "low": "low", "minimal": "low", "max": "high"}
    assert new["supportsReasoningSummary"] is False
    assert new["promptCacheSessionHeader"] == "x-grok-conv-id"


def test_grok_4_6_takes_reasoning_effort_from_17_3() -> None:
    spec = {"id": "grok-4.6", "provider": "xai-oauth", "api": "openai-responses", "reasoning": True}
    old, new = build_compat_17(spec, "17.2.15"), build_compat_17(spec, "17.3.5")
    assert old is not None
    assert new is not None
    assert (
        old["supportsReasoningEffort"],
        old["includeEncryptedReasoning"],
        old["filterReasoningHistory"],
    ) == (
        False,
        False,
        True,
    )
    assert (
        new["supportsReasoningEffort"],
        new["includeEncryptedReasoning"],
        new["filterReasoningHistory"],
    ) == (
        True,
        True,
        False,
    )
    assert new["reasoningEffortMap"] == {"minimal": "low"}


@pytest.mark.parametrize("release", RELEASES)
def test_overrides_reach_declared_keys_only(release: str) -> None:
    bedrock = build_compat_17(
        {
            "id": "anthropic.claude-opus-4-6",
            "provider": "amazon-bedrock",
            "api": "bedrock-converse-stream",
            "reasoning": True,
            "compat": {"promptCacheMinimumTokens": 2048, "unknownKey": 1},
        },
        release,
    )
    assert bedrock == {
        "promptCacheMode": "explicit",
        "supportsLongPromptCacheRetention": False,
        "promptCacheMinimumTokens": 2048,
        "promptCacheMaximumCheckpoints": 4,
        "streamIdleTimeoutMs": 600000,
    }
    # `kimiApiFormat` is declared undefined: an authored value lands; undefined ones are dropped.
    kimi = build_compat_17(
        {
            "id": "kimi-k3",
            "provider": "opencode-go",
            "api": "openai-completions",
            "reasoning": True,
            "compat": {"kimiApiFormat": "openai"},
        },
        release,
    )
    assert kimi is not None
    assert kimi["kimiApiFormat"] == "openai"
    assert kimi["reasoningEffortMap"] == {"minimal": "low", "medium": "high", "xhigh": "max", "max": "max"}
    assert kimi["requiresReasoningContentForToolCalls"] is False
    assert kimi["whenThinking"]["requiresReasoningContentForToolCalls"] is True
    assert "cacheControlFormat" not in kimi
    assert ("enableGeminiThinkingLoopGuard" in kimi) is (release == "17.2.15")


@pytest.mark.parametrize("release", RELEASES)
def test_anthropic_lookalike_host_is_not_official(release: str) -> None:
    compat = build_compat_17(
        {
            "id": "claude-opus-4-8",
            "provider": "my-gateway",
            "api": "anthropic-messages",
            "reasoning": True,
            "baseUrl": "https://api.anthropic.com.evil.example/v1",
        },
        release,
    )
    assert compat is not None
    assert (compat["officialEndpoint"], compat["signingEndpoint"], compat["replayUnsignedThinking"]) == (
        False,
        False,
        True,
    )
    assert compat["supportsSamplingParams"] is False


@pytest.mark.parametrize("release", RELEASES)
def test_devin_ignores_authored_compat_and_other_apis_have_none(release: str) -> None:
    devin = {
        "id": "c",
        "provider": "devin",
        "api": "devin-agent",
        "compat": {"trustExplicitThinkingOnly": False},
    }
    assert build_compat_17(devin, release) == {"trustExplicitThinkingOnly": True}
    google = {"id": "gemini-2.5-pro", "provider": "google", "api": "google-generative-ai", "compat": {"x": 1}}
    assert build_compat_17(google, release) is None


def test_identity_parsers_follow_each_release() -> None:
    assert identity17.parse_openai_model("daybreak-blue-latest", aliases=False) is None
    parsed = identity17.parse_openai_model("daybreak-blue-latest", aliases=True)
    assert parsed is not None
    assert parsed.version == (5, 6, 0)
    assert identity17.parse_anthropic_model("claude-opus-4-20250514") == identity17.ParsedModel(
        "anthropic", "opus", (4, 0, 0)
    )
    assert identity17.is_grok_reasoning_effort_capable("xai/grok-4.6-fast", grok_46=True)
    assert not identity17.is_grok_reasoning_effort_capable("xai/grok-4.6-fast", grok_46=False)
    # JavaScript's `$` never matches before a final newline.
    assert identity17.is_kimi_k26_model_id("kimi-k2.6")
    assert not identity17.is_kimi_k26_model_id("kimi-k2.6\n")


BASE: dict[str, Any] = {
    "deepseek": {
        "deepseek-v4-pro": {
            "id": "deepseek-v4-pro",
            "name": "DeepSeek V4 Pro",
            "api": "openai-completions",
            "provider": "deepseek",
            "baseUrl": "https://api.deepseek.com/v1",
            "reasoning": True,
            "input": ["text"],
            "cost": {"input": 0.4, "output": 0.9, "cacheRead": 0, "cacheWrite": 0},
            "contextWindow": 1_000_000,
            "maxTokens": 65_536,
            "compat": {"supportsToolChoice": False},
        },
        "deepseek-chat": {
            "id": "deepseek-chat",
            "name": "DeepSeek Chat",
            "api": "openai-completions",
            "provider": "deepseek",
            "reasoning": False,
            "input": ["text"],
            "cost": {"input": 0.2, "output": 0.4, "cacheRead": 0, "cacheWrite": 0},
            "contextWindow": 128_000,
            "maxTokens": 8_192,
        },
    }
}


def _profile_17_3() -> Any:
    version = OmpVersion.parse("17.3.5")
    assert version is not None
    return profile_for_version(version)


def test_17x_merge_builds_every_bundled_model_at_load() -> None:
    base = copy.deepcopy(BASE)
    profile = _profile_17_3()
    result = merge_catalog(base, [], profile=profile, settings=RuntimeSettings())
    built = result.catalog["deepseek"]["deepseek-v4-pro"]
    assert built["compat"] == build_compat_17(BASE["deepseek"]["deepseek-v4-pro"], "17.3.5")
    assert built["compatConfig"] == {"supportsToolChoice": False}
    plain = result.catalog["deepseek"]["deepseek-chat"]
    assert plain["compat"]["maxTokensField"] == "max_tokens"
    assert "compatConfig" not in plain
    assert base == BASE  # the input is not touched
    # The files as written: no runtime build.
    as_written = merge_catalog(base, [], profile=profile).catalog["deepseek"]["deepseek-v4-pro"]
    assert as_written["compat"] == {"supportsToolChoice": False}
    assert "compatConfig" not in as_written


def test_17x_provider_override_rebuilds_from_the_authored_compat() -> None:
    base = copy.deepcopy(BASE)
    profile = _profile_17_3()
    overlay = {"providers": {"deepseek": {"compat": {"supportsStore": False, "supportsToolChoice": True}}}}
    result = merge_catalog(base, [Layer("o", overlay)], profile=profile, settings=RuntimeSettings())
    model = result.catalog["deepseek"]["deepseek-v4-pro"]
    assert model["compatConfig"] == {"supportsToolChoice": True, "supportsStore": False}
    assert (model["compat"]["supportsStore"], model["compat"]["supportsToolChoice"]) == (False, True)
    # Compared with the runtime base (the same built rows), only what the overlay changed shows.
    runtime_base = merge_catalog(base, [], profile=profile, settings=RuntimeSettings()).catalog
    changed = {(change.model_id, change.field) for change in catalog_changes(runtime_base, result)}
    assert ("deepseek-chat", "compat.supportsStore") in changed
    assert ("deepseek-v4-pro", "compat.supportsToolChoice") in changed
    assert all(field.startswith(("compat", "compatConfig")) for _, field in changed)


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
_field = _json | st.sampled_from(["", "openai", "xai-oauth", "https://api.x.ai/v1", "http://[::1", "kimi-k3"])


@settings(max_examples=150, deadline=None)
@given(
    spec=st.fixed_dictionaries(
        {
            "api": st.sampled_from(
                ["openai-completions", "openrouter", "openai-responses", "anthropic-messages"]
            )
        },
        optional={
            "id": _field,
            "name": _field,
            "provider": _field,
            "baseUrl": _field,
            "reasoning": _json,
            "compat": _json
            | st.fixed_dictionaries(
                {}, optional={"whenThinking": _json, "extraBody": _json, "reasoningEffortMap": _json}
            ),
        },
    ),
    release=st.sampled_from(RELEASES),
)
def test_any_spec_builds_to_json_or_none(spec: dict[str, Any], release: str) -> None:
    """Whatever a models.yml holds, the builder answers with plain JSON data, never an exception."""
    compat = build_compat_17(spec, release)
    assert compat is not None
    assert json.loads(json.dumps(compat)) == compat


def test_17x_provenance_names_the_load_time_build() -> None:
    result = merge_catalog(copy.deepcopy(BASE), [], profile=_profile_17_3(), settings=RuntimeSettings())
    origins = result.provenance[("deepseek", "deepseek-v4-pro")]
    # The row's own authored compat stays bundled; what buildModel resolved is OMP 17.3.5's.
    assert origins["compat.supportsToolChoice"].how == "bundled"
    assert origins["compatConfig.supportsToolChoice"].how == "bundled"
    assert origins["compat.maxTokensField"].layer == "OMP 17.3.5 runtime"
    assert origins["compat.maxTokensField"].how.startswith("policy: OMP 17.3.5's buildModel")


def test_17x_new_model_keeps_its_own_compat_and_written_thinking() -> None:
    """17.x's refresh patches a new custom model again in "replace" mode: no reference compat, and
    the thinking it writes is kept as written (resolveModelThinking would fill `requiresEffort`)."""
    overlay = {
        "providers": {
            "gw": {
                "baseUrl": "https://gw.example/v1",
                "apiKey": "K",
                "api": "openai-completions",
                "models": [
                    {"id": "deepseek-v4-pro:cloud"},
                    {
                        "id": "coder-thinking",
                        "reasoning": True,
                        "thinking": {"mode": "effort", "efforts": ["low", "high"]},
                    },
                ],
            }
        }
    }
    result = merge_catalog(
        copy.deepcopy(BASE), [Layer("o", overlay)], profile=_profile_17_3(), settings=RuntimeSettings()
    )
    new = result.catalog["gw"]["deepseek-v4-pro:cloud"]
    assert new["contextWindow"] == 1_000_000  # the reference's window
    assert "compatConfig" not in new
    assert new["compat"]["supportsToolChoice"] is True  # not the reference's authored False
    assert result.catalog["gw"]["coder-thinking"]["thinking"] == {
        "mode": "effort",
        "efforts": ["low", "high"],
    }
