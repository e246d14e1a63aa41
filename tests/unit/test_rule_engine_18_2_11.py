"""The rule engine on pi-catalog 18.2.11's rules and code (the 18.2.9 and 18.3 profiles), without
bun: each of the code differences from 18.2.3 that reach ``buildModel``'s output, on one model
each. Every expected value was read from pi-catalog 18.2.11's (and 18.2.3's) own ``buildModel``;
``tests/compat/test_rule_engine_vs_omp.py`` checks every bundled model and generated specs."""

from __future__ import annotations

import gzip
import json
from importlib import resources
from typing import Any

import pytest

from catalogmgr.merge import Layer, merge_catalog
from catalogmgr.omp.profile import PROFILES_BY_ID
from catalogmgr.omp.rule_engine import (
    RuleEngine,
    RuleEngineError,
    apply_catalog_axes,
    load_rule_engine,
)
from catalogmgr.omp.settings import DEFAULT_SETTINGS

LOOPBACK = "http://127.0.0.1:8080/v1"
REMOTE = "https://box.example/v1"


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return load_rule_engine("18.2.11")


@pytest.fixture(scope="module")
def older() -> RuleEngine:
    return load_rule_engine("18.2.3")


def _tables() -> dict[str, Any]:
    data = resources.files("catalogmgr").joinpath("omp", "data", "rule-engine-18.2.11.json.gz").read_bytes()
    tables: dict[str, Any] = json.loads(gzip.decompress(data))
    return tables


def test_the_newest_profiles_run_it() -> None:
    for profile_id in ("18.2.9", "18.3"):
        assert PROFILES_BY_ID[profile_id].rules == "18.2.11"
    assert load_rule_engine("18.2.11").resolves_compat


def test_an_identity_scoped_neutral_upgrade_turns_reasoning_on(engine: RuleEngine, older: RuleEngine) -> None:
    # llama.cpp's Qwen rule: class-scoped, `thinking-upgrade-neutral` with efforts; no exact rule.
    spec = {"id": "qwen3-32b", "provider": "llama.cpp", "api": "openai-completions", "reasoning": False}
    decision = engine.decide({**spec, "baseUrl": LOOPBACK})
    assert decision.reasoning is True
    assert decision.thinking == {"mode": "effort", "efforts": ["low", "medium", "high", "max"]}
    before = older.decide({**spec, "baseUrl": LOOPBACK})
    assert (before.reasoning, before.thinking) == (False, None)


def test_the_provider_type_picks_the_backend(engine: RuleEngine, older: RuleEngine) -> None:
    spec = {"id": "qwen3-32b", "provider": "my-box", "api": "openai-completions", "reasoning": True}
    typed = engine.decide({**spec, "providerType": "llama.cpp", "baseUrl": REMOTE})
    assert typed.compat is not None
    assert typed.compat["replayReasoningContent"] is True  # a local backend, by its type
    assert typed.compat["clampOutputToModelMax"] is True
    assert typed.thinking == {"mode": "effort", "efforts": ["low", "medium", "high", "max"]}  # its rules
    untyped = engine.decide({**spec, "baseUrl": REMOTE})
    assert untyped.compat is not None
    assert untyped.compat["replayReasoningContent"] is False
    assert untyped.thinking == {"mode": "effort", "efforts": ["minimal", "low", "medium", "high"]}
    # 18.2.3 reads no providerType.
    assert older.decide({**spec, "providerType": "llama.cpp", "baseUrl": REMOTE}) == older.decide(
        {**spec, "baseUrl": REMOTE}
    )


def test_local_backends_clamp_their_output(engine: RuleEngine, older: RuleEngine) -> None:
    responses = {"id": "gpt-5", "api": "openai-responses", "reasoning": True}
    lm_studio = {**responses, "provider": "my-box", "providerType": "lm-studio", "baseUrl": REMOTE}
    proxy = {**responses, "provider": "litellm", "baseUrl": "http://127.0.0.1:4000/v1"}
    assert engine.decide(lm_studio).compat["clampOutputToModelMax"] is True  # type: ignore[index]
    # A proxy on loopback is served locally (no first-event timeout) but not clamped.
    assert engine.decide(proxy).compat["clampOutputToModelMax"] is False  # type: ignore[index]
    assert older.decide(lm_studio).compat["clampOutputToModelMax"] is False  # type: ignore[index]


def test_template_effort_comes_from_the_rules(engine: RuleEngine, older: RuleEngine) -> None:
    spec = {"id": "qwen3.8-32b", "api": "openai-completions", "reasoning": True, "baseUrl": LOOPBACK}
    # A backend the rules name (llama.cpp's Qwen 3.8+ contract) keeps template effort ...
    llama = {**spec, "provider": "llama.cpp"}
    assert engine.decide(llama).compat["qwenTemplateReasoningEffort"] is True  # type: ignore[index]
    # ... a custom provider on loopback no longer gets it from the code's baseline (18.2.3 did).
    custom = {**spec, "provider": "my-box"}
    assert engine.decide(custom).compat["qwenTemplateReasoningEffort"] is False  # type: ignore[index]
    assert older.decide(custom).compat["qwenTemplateReasoningEffort"] is True  # type: ignore[index]


def test_kind_and_web_search_from_the_rules(engine: RuleEngine) -> None:
    anthropic = engine.decide({"id": "claude-sonnet-5", "provider": "anthropic", "api": "anthropic-messages"})
    embedding = engine.decide(
        {"id": "text-embedding-3-small", "provider": "openai", "api": "openai-responses"}
    )
    built: dict[str, Any] = {"id": "claude-sonnet-5", "kind": "chat"}
    apply_catalog_axes(built, anthropic.catalog, 0)
    assert (built["webSearch"], built["kind"]) == ("anthropic", "chat")
    built = {"id": "text-embedding-3-small"}
    apply_catalog_axes(built, embedding.catalog, 0)
    assert built["kind"] == "embedding"
    assert "webSearch" not in built
    # A value outside OMP's vocabulary is not assigned.
    built = {"kind": "chat"}
    apply_catalog_axes(built, {"kind": "hologram", "webSearch": "bing"}, 0)
    assert built == {"kind": "chat"}


def test_glob_identity_overrides(engine: RuleEngine) -> None:
    # A reviewed glob override (`*bonsai-27b*`): Qwen 3.6 whatever the prefix or quantization suffix.
    identity = engine.classify("llama.cpp", "PrismML/Bonsai-27B-Q4_K_M")
    assert (identity.cls, identity.revision) == ("qwen", "3.6.0")
    # The most specific glob wins: `*bonsai-2-27b*` is Qwen 3.8.
    assert engine.classify("llama.cpp", "bonsai-2-27b").revision == "3.8.0"


def test_glob_overrides_rank_and_tie() -> None:
    tables = _tables()
    qwen = next(cls for cls in tables["taxonomy"]["classes"] if cls["id"] == "qwen")
    scoped = {"id": "scoped", "glob": "*zz-9*", "provider": "Box", "class": "qwen", "revision": "9.0.0"}
    agnostic = {"id": "agnostic", "glob": "zz-9*", "class": "qwen", "revision": "8.0.0"}
    qwen["overrides"] = [*qwen["overrides"], agnostic, scoped]
    ranked = RuleEngine(tables)
    # The provider's own glob wins over an agnostic one, however specific that is.
    assert ranked.classify("box", "zz-9-mini").revision == "9.0.0"
    assert ranked.classify("other", "zz-9-mini").revision == "8.0.0"
    # Two agnostic globs with as many literal characters tie: OMP throws.
    qwen["overrides"] = [*qwen["overrides"], {**agnostic, "id": "twin", "glob": "*zz-9"}]
    with pytest.raises(RuleEngineError, match="ambiguous override"):
        RuleEngine(tables).classify("other", "zz-9")


def test_upgrade_neutral_ties_raise() -> None:
    tables = _tables()
    neutral = {"source": "t", "providers": ["p"], "class": "qwen", "thinking": {"upgradeNeutral": True}}
    tables["cascade"] = [neutral, {**neutral, "source": "u"}]
    with pytest.raises(RuleEngineError, match="ambiguous overlap"):
        RuleEngine(tables).decide({"id": "qwen3-32b", "provider": "p", "api": "openai-completions"})


def test_the_newest_profile_merges_with_it() -> None:
    overlay = {
        "providers": {
            "llama.cpp": {
                "baseUrl": LOOPBACK,
                "api": "openai-completions",
                "apiKey": "none",
                "models": [{"id": "qwen3-32b"}],
            }
        }
    }
    layers = [Layer(name="models.yml", data=overlay)]
    newest = merge_catalog({}, layers, settings=DEFAULT_SETTINGS, profile=PROFILES_BY_ID["18.3"])
    model = newest.catalog["llama.cpp"]["qwen3-32b"]
    assert model["reasoning"] is True
    assert model["thinking"]["efforts"] == ["low", "medium", "high", "max"]
    assert "18.2.11" in newest.provenance[("llama.cpp", "qwen3-32b")]["thinking"].how
