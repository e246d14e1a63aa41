"""OMP 17.x's thinking derivation (:mod:`catalogmgr.omp.thinking17`) on cases whose answers were
read from OMP 17.2.15 and 17.3.5 themselves (``tests/compat/test_thinking17_vs_omp.py`` checks the
port against the releases on every bundled model and generated specs)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from catalogmgr.omp.rule_engine import UNDEFINED
from catalogmgr.omp.thinking17 import (
    GENERATION_17_2,
    GENERATION_17_3,
    derive_thinking_17,
    generation_for_release,
    has_thinking_variant_token,
    parse_known_model,
    parse_semver,
)

OPENAI = {"thinkingFormat": "openai", "supportsReasoningEffort": True, "reasoningEffortMap": {}}
OPENROUTER = {"thinkingFormat": "openrouter", "supportsReasoningEffort": True, "reasoningEffortMap": {}}
ZAI = {"thinkingFormat": "zai", "supportsReasoningEffort": True, "reasoningEffortMap": {}}
QWEN = {"thinkingFormat": "qwen", "supportsReasoningEffort": True, "reasoningEffortMap": {}}
DEFAULT = ["minimal", "low", "medium", "high"]
FIVE_TIERS = ["low", "medium", "high", "xhigh", "max"]


def _spec(model_id: str, provider: str, api: str, **extra: Any) -> dict[str, Any]:
    return {"id": model_id, "name": model_id, "provider": provider, "api": api, "reasoning": True, **extra}


# (spec, resolved compat, OMP 17.2.15's thinking, OMP 17.3.5's thinking)
CASES: list[tuple[dict[str, Any], Any, Any, Any]] = [
    (
        _spec("deepseek-v4-pro", "deepseek", "openai-completions"),
        OPENAI,
        {"mode": "effort", "efforts": ["high", "max"]},
        {"mode": "effort", "efforts": ["low", "high", "max"]},
    ),
    (
        _spec("deepseek/deepseek-v4-pro", "openrouter", "openrouter"),
        OPENROUTER,
        {"mode": "effort", "efforts": ["high"]},
        {"mode": "effort", "efforts": ["high"]},
    ),
    (
        _spec("glm-5.3", "zai", "openai-completions"),
        ZAI,
        {"mode": "effort", "efforts": ["high", "max"]},
        {"mode": "effort", "efforts": ["low", "high", "max"], "defaultLevel": "max", "requiresEffort": True},
    ),
    (
        _spec("glm-5.2", "zai", "anthropic-messages"),
        None,
        {"mode": "anthropic-budget-effort", "efforts": ["high", "max"]},
        {"mode": "anthropic-budget-effort", "efforts": ["high", "max"]},
    ),
    (
        _spec("grok-4.6", "xai", "openai-responses"),
        {**OPENAI, "reasoningEffortMap": {"minimal": "low"}},
        {"mode": "effort", "efforts": [*DEFAULT, "xhigh"], "effortMap": {"minimal": "low"}},
        {"mode": "effort", "efforts": [*DEFAULT, "xhigh"], "effortMap": {"minimal": "low"}},
    ),
    (
        _spec("claude-opus-4-7", "anthropic", "anthropic-messages"),
        None,
        {"mode": "anthropic-adaptive", "efforts": FIVE_TIERS, "supportsDisplay": True},
        {"mode": "anthropic-adaptive", "efforts": FIVE_TIERS, "supportsDisplay": True},
    ),
    (
        _spec("claude-opus-4-6", "amazon-bedrock", "bedrock-converse-stream"),
        None,
        {"mode": "anthropic-adaptive", "efforts": ["low", "medium", "high", "max"]},
        {"mode": "anthropic-adaptive", "efforts": ["low", "medium", "high", "max"]},
    ),
    (
        _spec("claude-opus-4-5", "anthropic", "anthropic-messages"),
        None,
        {"mode": "anthropic-budget-effort", "efforts": [*DEFAULT, "xhigh"]},
        {"mode": "anthropic-budget-effort", "efforts": [*DEFAULT, "xhigh"]},
    ),
    (
        _spec("gemini-3-pro-preview", "google", "google-generative-ai"),
        None,
        {"mode": "google-level", "efforts": ["low", "high"], "requiresEffort": True},
        {"mode": "google-level", "efforts": ["low", "high"], "requiresEffort": True},
    ),
    (
        _spec("gemini-2.5-flash", "google", "google-generative-ai"),
        None,
        {"mode": "budget", "efforts": DEFAULT},
        {"mode": "budget", "efforts": DEFAULT},
    ),
    (
        _spec("gpt-5.1-codex-mini", "openai", "openai-responses"),
        OPENAI,
        {"mode": "effort", "efforts": ["medium", "high"]},
        {"mode": "effort", "efforts": ["medium", "high"]},
    ),
    (
        _spec("daybreak-blue-latest", "openai", "openai-responses"),
        OPENAI,
        {"mode": "effort", "efforts": [*DEFAULT, "xhigh"]},
        {"mode": "effort", "efforts": FIVE_TIERS},
    ),
    (
        _spec("MiniMax-M2.5", "minimax", "anthropic-messages"),
        None,
        {
            "mode": "anthropic-adaptive",
            "efforts": ["low", "medium", "high"],
            "effortMap": {"low": "adaptive", "medium": "adaptive", "high": "adaptive"},
            "requiresEffort": True,
        },
        {
            "mode": "anthropic-adaptive",
            "efforts": ["low", "medium", "high"],
            "effortMap": {"low": "adaptive", "medium": "adaptive", "high": "adaptive"},
            "requiresEffort": True,
        },
    ),
    (
        _spec(
            "accounts/fireworks/models/qwen3-235b",
            "fireworks",
            "openai-completions",
            baseUrl="https://API.FIREWORKS.AI/inference/v1",
        ),
        OPENAI,
        {"mode": "effort", "efforts": [*DEFAULT, "xhigh"], "effortMap": {"minimal": "none"}},
        {"mode": "effort", "efforts": [*DEFAULT, "xhigh"], "effortMap": {"minimal": "none"}},
    ),
    (
        _spec("qwen/qwen3-32b", "groq", "openai-completions"),
        QWEN,
        {"mode": "effort", "efforts": DEFAULT, "effortMap": dict.fromkeys(DEFAULT, "default")},
        {"mode": "effort", "efforts": DEFAULT, "effortMap": dict.fromkeys(DEFAULT, "default")},
    ),
    (
        _spec("kimi-k2-thinking", "moonshot", "openai-completions"),
        ZAI,
        {"mode": "effort", "efforts": DEFAULT, "requiresEffort": True},
        {"mode": "effort", "efforts": DEFAULT, "requiresEffort": True},
    ),
    (
        _spec("kimi-k2-non-thinking", "moonshot", "openai-completions"),
        ZAI,
        {"mode": "effort", "efforts": DEFAULT},
        {"mode": "effort", "efforts": DEFAULT},
    ),
    (_spec("my-model", "my-gateway", "openai-completions", reasoning=False), OPENAI, None, None),
    (
        # 17.3's compat turns effort off for this Grok: it thinks, with no control surface.
        _spec("grok-4.20-0309-reasoning", "xai", "openai-responses"),
        {**OPENAI, "supportsReasoningEffort": False},
        None,
        None,
    ),
    (
        # Explicit thinking whose ladder the id overrides: ladder and map re-derived.
        _spec(
            "claude-opus-4-7",
            "anthropic",
            "anthropic-messages",
            thinking={"mode": "anthropic-adaptive", "efforts": FIVE_TIERS[:4], "effortMap": {"low": "low"}},
        ),
        None,
        {"mode": "anthropic-adaptive", "efforts": FIVE_TIERS, "supportsDisplay": True},
        {"mode": "anthropic-adaptive", "efforts": FIVE_TIERS, "supportsDisplay": True},
    ),
    (
        # Explicit thinking kept; the compat's effort map filled in, filtered to its ladder.
        _spec("my-model", "my-gateway", "openai-completions", thinking={"efforts": ["minimal", "high"]}),
        {**OPENAI, "reasoningEffortMap": {"minimal": "low", "xhigh": "high"}},
        {"efforts": ["minimal", "high"], "effortMap": {"minimal": "low"}},
        {"efforts": ["minimal", "high"], "effortMap": {"minimal": "low"}},
    ),
    (_spec("devin-model", "devin", "devin-agent"), {"trustExplicitThinkingOnly": True}, None, None),
]


@pytest.mark.parametrize(("spec", "compat", "omp_17_2", "omp_17_3"), CASES, ids=lambda value: None)
def test_thinking_as_omp_17_builds_it(
    spec: dict[str, Any], compat: Any, omp_17_2: Any, omp_17_3: Any
) -> None:
    before = copy.deepcopy((spec, compat))
    assert derive_thinking_17(spec, compat, "17.2.15") == omp_17_2
    assert derive_thinking_17(spec, compat, "17.3.5") == omp_17_3
    assert (spec, compat) == before  # neither input is touched


def test_undefined_compat_members_read_as_absent() -> None:
    spec = _spec("my-model", "my-gateway", "openai-completions")
    compat = {"thinkingFormat": "openai", "supportsReasoningEffort": True, "reasoningEffortMap": UNDEFINED}
    assert derive_thinking_17(spec, compat, "17.3.5") == {"mode": "effort", "efforts": [*DEFAULT, "xhigh"]}


def test_releases_map_to_their_code_generation() -> None:
    assert generation_for_release("17.2.15") is GENERATION_17_2
    assert generation_for_release("17.0.1") is GENERATION_17_2
    assert generation_for_release("17.3.5") is GENERATION_17_3
    assert generation_for_release("17.3") is GENERATION_17_3
    for release in ("18.2.3", "16.0.0", "latest"):
        with pytest.raises(ValueError, match=release):
            generation_for_release(release)


def test_thinking_variant_tokens_as_omp_bounds_them() -> None:
    assert has_thinking_variant_token("kimi-k2-thinking")
    assert has_thinking_variant_token("mimo-v2-flash-Thinking-original")
    assert has_thinking_variant_token("deepseek-reasoner")
    assert not has_thinking_variant_token("kimi-k2-non-thinking")
    assert not has_thinking_variant_token("model-no-reasoning")
    assert not has_thinking_variant_token("model-thinkingx")
    assert has_thinking_variant_token("a-non-thinking-b-thinking")  # the second token counts


def test_ids_parse_with_javascript_regex_semantics() -> None:
    # `$` is the end of the string (not before a trailing newline); `\d` is ASCII only.
    assert parse_semver("4.6") == (4, 6, 0)
    assert parse_semver("4.6\n") is None
    assert parse_semver("٤") is None
    assert parse_known_model("openai/gpt-5.4-mini", GENERATION_17_3)[:2] == ("openai", "mini")
    assert parse_known_model("claude-4-5-opus", GENERATION_17_3)[:2] == ("anthropic", "opus")
    assert parse_known_model("Claude-Opus-4-7", GENERATION_17_3).family == "unknown"  # case-sensitive
    assert parse_known_model("daybreak-red-latest", GENERATION_17_2).family == "unknown"
