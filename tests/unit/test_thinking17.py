"""OMP 17.x's thinking derivation (:mod:`catalogmgr.omp.thinking17`) on cases whose answers were
read from OMP 17.2.15 and 17.3.5 themselves (``tests/compat/test_thinking17_vs_omp.py`` checks the
port against the releases on every bundled model and generated specs)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogmgr.documents import parse_document
from catalogmgr.merge import Layer, merge_catalog
from catalogmgr.omp.profile import OmpVersion, profile_for_version
from catalogmgr.omp.rule_engine import UNDEFINED
from catalogmgr.omp.settings import RuntimeSettings
from catalogmgr.omp.thinking17 import (
    GENERATION_17_2,
    GENERATION_17_3,
    Generation,
    derive_thinking_17,
    generation_for_release,
    has_thinking_variant_token,
    parse_known_model,
    strip_thinking_variant_token_17,
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


def _family_and_kind(model_id: str, generation: Generation) -> tuple[str, str] | None:
    parsed = parse_known_model(model_id, generation)
    return (parsed.family, parsed.kind) if parsed is not None else None


def test_known_models_parse_as_omp_17_parses_them() -> None:
    assert _family_and_kind("openai/gpt-5.4-mini", GENERATION_17_3) == ("openai", "mini")
    assert _family_and_kind("claude-4-5-opus", GENERATION_17_3) == ("anthropic", "opus")
    assert _family_and_kind("gemini-3-pro-preview", GENERATION_17_2) == ("gemini", "pro")
    assert _family_and_kind("Claude-Opus-4-7", GENERATION_17_3) is None  # the parsers are case-sensitive
    assert _family_and_kind("daybreak-red-latest", GENERATION_17_3) == ("openai", "base")
    assert _family_and_kind("daybreak-red-latest", GENERATION_17_2) is None  # 17.3's rolling aliases


def test_17x_strips_the_first_thinking_token() -> None:
    assert strip_thinking_variant_token_17("kimi-k2-thinking") == "kimi-k2"
    assert strip_thinking_variant_token_17("Foo-THINKING") == "Foo"
    assert strip_thinking_variant_token_17("mimo-v2-thinking-flash") == "mimo-v2-flash"
    assert strip_thinking_variant_token_17("x-reasoner-thinking") == "x-thinking"  # the first token
    assert strip_thinking_variant_token_17("qux-non-thinking") is None
    assert strip_thinking_variant_token_17("-thinking") is None  # nothing would remain


TWINS = """\
providers:
  tw:
    baseUrl: https://tw.example/v1
    apiKey: K
    api: openai-completions
    models:
      - id: foo
      - id: foo-thinking
      - id: kimi-k3
        reasoning: true
      - id: kimi-k3-thinking
        reasoning: true
      - id: wide
        maxTokens: 9000
      - id: wide-thinking
        reasoning: true
        contextWindow: 200000
        maxTokens: 40000
        input: [text, image]
"""


@pytest.mark.parametrize("release", ["17.3.5", "17.2.15"])
def test_17x_twins_collapse_then_build_again(release: str) -> None:
    # As OMP 17.2.15 and 17.3.5 give them (tests/compat/test_thinking17_vs_omp.py): a pair where
    # neither member reasons gets the thinking member's derived ladder; the collapsed kimi-k3 is
    # built again, which fills back the requiresEffort the pair surface dropped; wide and its twin
    # merge their input and limits, as 17.x's refresh then re-patches wide's own definition.
    document = parse_document(TWINS, name="o.yml", fmt="yaml")
    parsed = OmpVersion.parse(release)
    assert parsed is not None
    catalog = merge_catalog(
        {},
        [Layer("o.yml", document.data, document)],
        profile=profile_for_version(parsed),
        settings=RuntimeSettings(),
    ).catalog["tw"]
    assert set(catalog) == {"foo", "kimi-k3", "wide"}
    # The members' input kinds and larger window; the output limit wide's definition writes stands.
    assert catalog["wide"]["input"] == ["text", "image"]
    assert (catalog["wide"]["contextWindow"], catalog["wide"]["maxTokens"]) == (200000, 9000)
    ladder = [*DEFAULT, "xhigh"]
    assert catalog["foo"]["reasoning"] is True
    assert catalog["foo"]["thinking"] == {
        "mode": "effort",
        "efforts": ladder,
        "effortRouting": {"off": "foo", **dict.fromkeys(ladder, "foo-thinking")},
    }
    assert catalog["kimi-k3"]["thinking"] == {
        "mode": "effort",
        "efforts": ["low", "high", "max"],
        "defaultLevel": "max",
        "effortMap": {"max": "max"},
        "effortRouting": {"off": "kimi-k3", **dict.fromkeys(["low", "high", "max"], "kimi-k3-thinking")},
        "requiresEffort": True,
    }


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
_EFFORT = st.sampled_from([*FIVE_TIERS, "minimal", "constructor", "__proto__"])
_HOSTILE_SPEC = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(["glm-5.3", "kimi-k3-thinking", "deepseek-v4-pro", "claude-opus-4-7"]) | _JSON,
        "name": _JSON,
        "provider": st.sampled_from(["deepseek", "openrouter", "xai", "ollama", "baseten", "sakana"]) | _JSON,
        "api": st.sampled_from(["openai-completions", "openrouter", "openai-responses", "anthropic-messages"])
        | _JSON,
        "baseUrl": st.sampled_from(["https://api.fireworks.ai/v1", "https://api.x.ai/v1"]) | _JSON,
        "reasoning": _JSON,
        "thinking": st.fixed_dictionaries(
            {},
            optional={
                "efforts": st.lists(_EFFORT | _JSON, max_size=4) | _JSON,
                "effortMap": st.dictionaries(_EFFORT, _JSON) | _JSON,
                "mode": _JSON,
                "requiresEffort": _JSON,
                "defaultLevel": _JSON,
            },
        )
        | _JSON,
    },
)
_HOSTILE_COMPAT = _JSON | st.fixed_dictionaries(
    {},
    optional={
        "thinkingFormat": st.sampled_from(["openai", "openrouter", "zai"]) | _JSON,
        "supportsReasoningEffort": _JSON,
        "reasoningEffortMap": st.dictionaries(_EFFORT, _JSON) | _JSON,
        "trustExplicitThinkingOnly": _JSON,
    },
)


@settings(max_examples=300, deadline=None)
@given(spec=_HOSTILE_SPEC, compat=_HOSTILE_COMPAT, release=st.sampled_from(["17.2.15", "17.3.5"]))
def test_any_json_spec_gives_thinking_or_none(spec: dict[str, Any], compat: Any, release: str) -> None:
    # Whatever a file holds (the schema is not the port's guard): a thinking object or none, and
    # never an exception, nor a change to the inputs.
    before = copy.deepcopy((spec, compat))
    thinking = derive_thinking_17(spec, compat, release)
    assert thinking is None or (isinstance(thinking, dict) and thinking.get("efforts"))
    assert (spec, compat) == before
