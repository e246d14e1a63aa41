"""The reference lookup for new custom models (OMP's identity/reference.ts), on small indexes."""

from __future__ import annotations

from typing import Any

import pytest

from catalogmgr.omp.reference import (
    bracket_stripped_candidates,
    build_reference_index,
    inherit_reference_thinking,
    model_like_segments,
    reference_candidate_ids,
    resolve_reference,
)


def row(
    provider: str, model_id: str, window: int | None = 100, max_tokens: int | None = 10, cache: float = 0
) -> dict[str, Any]:
    return {
        "id": model_id,
        "provider": provider,
        "contextWindow": window,
        "maxTokens": max_tokens,
        "cost": {"input": 1, "output": 1, "cacheRead": cache, "cacheWrite": 0},
    }


def test_candidates_strip_affixes_least_first() -> None:
    assert reference_candidate_ids("vendor/claude-sonnet-4-6-thinking") == [
        "vendor/claude-sonnet-4-6-thinking",
        "claude-sonnet-4-6-thinking",
        "vendor/claude-sonnet-4-6",
        "claude-sonnet-4-6",
    ]
    assert reference_candidate_ids("gpt-5.4:cloud")[:3] == ["gpt-5.4:cloud", "gpt-5.4", "gpt-5.4-cloud"]
    assert bracket_stripped_candidates("[Kiro] claude-opus-4-8 [x]") == [
        "claude-opus-4-8",
        "claude-opus-4-8 [x]",
        "[Kiro] claude-opus-4-8",
    ]
    assert model_like_segments("My GPT-5.1 and gpt-5.1-mini") == ["gpt-5.1-mini", "gpt-5.1"]


def test_exact_match_is_case_insensitive_and_ties_prefer_larger_limits_then_cache_then_openai() -> None:
    index = build_reference_index(
        {
            "small": {"gpt-x": row("small", "gpt-x", window=100)},
            "big": {"GPT-X": row("big", "GPT-X", window=200)},
            "nocache": {"m": row("nocache", "m")},
            "cache": {"m": row("cache", "m", cache=0.1)},
            "zzz": {"o": row("zzz", "o")},
            "openai": {"o": row("openai", "o")},
            "tokens": {"t": row("tokens", "t", max_tokens=20)},
            "fewer": {"t": row("fewer", "t", max_tokens=10)},
        }
    )
    assert resolve_reference("gpt-x", index)["provider"] == "big"  # type: ignore[index]
    assert resolve_reference("M", index)["provider"] == "cache"  # type: ignore[index]
    assert resolve_reference("o", index)["provider"] == "openai"  # type: ignore[index]
    assert resolve_reference("t", index)["provider"] == "tokens"  # type: ignore[index]


def test_null_context_window_counts_as_zero_in_ties() -> None:
    index = build_reference_index(
        {"a": {"m": row("a", "m", window=None)}, "b": {"m": row("b", "m", window=5)}}
    )
    assert resolve_reference("m", index)["provider"] == "b"  # type: ignore[index]


def test_isolated_providers_and_free_xai_oauth_rows_are_never_references() -> None:
    free = row("xai-oauth", "grok-9", window=10**7)
    free["cost"] = {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0}
    index = build_reference_index(
        {"cline-pass": {"only-here": row("cline-pass", "only-here")}, "xai-oauth": {"grok-9": free}}
    )
    assert resolve_reference("only-here", index) is None
    assert resolve_reference("grok-9", index) is None


def test_suffix_alias_maps_a_namespaced_tail_and_gateway_ids_never_match() -> None:
    index = build_reference_index(
        {"openrouter": {"minimax/minimax-m3": row("openrouter", "minimax/minimax-m3")}}
    )
    assert resolve_reference("MiniMax-M3", index)["id"] == "minimax/minimax-m3"  # type: ignore[index]
    assert resolve_reference("@modal/minimax-m3", index) is None
    assert resolve_reference("house-model-7b", index) is None


@pytest.mark.parametrize(
    ("own", "reference", "provider", "expected"),
    [
        ({"mode": "x"}, {"provider": "p", "thinking": {"mode": "r"}}, "p", {"mode": "x"}),
        (None, {"provider": "p", "thinking": {"mode": "r"}}, "p", {"mode": "r"}),
        (None, {"provider": "other", "thinking": {"mode": "r"}}, "p", None),
        (None, None, "p", None),
    ],
)
def test_thinking_is_inherited_only_from_the_same_provider(
    own: Any, reference: Any, provider: str, expected: Any
) -> None:
    assert inherit_reference_thinking(own, reference, provider) == expected
