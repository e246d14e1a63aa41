"""Differential: :func:`catalogmgr.omp.thinking17.derive_thinking_17` against OMP 17.x's own
``resolveModelThinking`` (pi-catalog ``src/model-thinking.ts``), for each installed 17.x release.

The 17.x section of the rule-engine differential (``test_rule_engine_vs_omp.py`` covers 18.x): it
shares that harness's apis, providers and base URLs; specs go in batches, one bun process per
release per batch (``thinking17_specs.ts``), which answers, per spec, the compat 17.x's
``buildCompat`` resolves, ``resolveModelThinking(spec, compat)`` and ``buildModel(spec).thinking``.
The port is given OMP's compat (17.x's compat is :mod:`catalogmgr.omp.compat17`'s business, not
this port's) and must give OMP's thinking:

1. every bundled model of the release, with its baked thinking (``fillThinkingWireDefaults``, as
   OMP builds bundled rows), without it (``deriveThinking``), and moved to another provider and
   base URL without it;
2. hypothesis-generated specs: ids from the families model-thinking.ts tells apart (GLM 5.2/5.3,
   Kimi K3, DeepSeek V4, MiniMax M2/M3, gpt-oss, Grok, MiMo, Gemini, Claude, GPT, o-series...)
   with namespaces and thinking suffixes, and random ids; the providers and hosts it asks about;
   authored compat (``thinkingFormat``, ``supportsReasoningEffort``, ``reasoningEffortMap``...)
   and explicit thinking.

A release that is not installed under ``$CATALOGMGR_OMP_ROOT`` skips.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omp_versions import Release, find_bun, installed_releases, omp_root
from test_rule_engine_vs_omp import APIS, BASE_URLS, CUSTOM_PROVIDERS

from catalogmgr.omp.thinking17 import derive_thinking_17

pytestmark = pytest.mark.omp

SCRIPT = Path(__file__).with_name("thinking17_specs.ts")
RELEASES = ("17.2.15", "17.3.5")
EFFORTS = ("minimal", "low", "medium", "high", "xhigh", "max")


def _installed(version: str) -> tuple[Release, str]:
    """The release and its bun, or a skip."""
    root = omp_root()
    release = next(
        (found for found in (installed_releases(root) if root else []) if found.version == version), None
    )
    bun = find_bun(release, root) if release is not None and root is not None else None
    if release is None or release.source_only or bun is None:
        pytest.skip(f"OMP {version} is not installed under $CATALOGMGR_OMP_ROOT (.ci/install-omp.sh)")
    return release, bun


def _ask_omp(version: str, specs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    release, bun = _installed(version)
    completed = subprocess.run(
        [bun, "--no-install", str(SCRIPT), str(release.node_modules)],
        input=json.dumps({"specs": list(specs)}),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "NO_COLOR": "1"},
        cwd=SCRIPT.parent,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    answers: list[dict[str, Any]] = json.loads(completed.stdout.strip().splitlines()[-1])
    assert len(answers) == len(specs)
    return answers


def _differences(
    version: str, specs: Sequence[Mapping[str, Any]], answers: Sequence[Mapping[str, Any]]
) -> list[str]:
    differences = []
    for spec, theirs in zip(specs, answers, strict=True):
        if "error" in theirs:
            differences.append(f"{json.dumps(spec)}: OMP threw {theirs['error']}")
            continue
        # The harness's own check: buildModel bakes exactly what resolveModelThinking gives.
        assert theirs["built"] == theirs["thinking"], spec
        ours = derive_thinking_17({"name": spec["id"], **spec}, theirs["compat"], version)
        if ours != theirs["thinking"]:
            differences.append(f"{json.dumps(spec)}:\n    python={ours}\n    omp=   {theirs['thinking']}")
    return differences


def _bundled_specs(release: Release) -> list[dict[str, Any]]:
    catalog_path = release.node_modules / "@oh-my-pi" / "pi-catalog" / "src" / "models.json"
    catalog = json.loads(catalog_path.read_text(encoding="utf-8"))
    specs: list[dict[str, Any]] = []
    index = 0
    for models in catalog.values():
        for model in models.values():
            index += 1
            specs.append(model)  # as OMP builds its bundled rows: baked thinking filled
            derived = {key: value for key, value in model.items() if key != "thinking"}
            specs.append(derived)
            moved = {
                **derived,
                "provider": CUSTOM_PROVIDERS[index % len(CUSTOM_PROVIDERS)],
                "api": model["api"] if index % 3 else APIS[index % len(APIS)],
            }
            base_url = BASE_URLS[index % len(BASE_URLS)]
            if base_url is None:
                moved.pop("baseUrl", None)
            else:
                moved["baseUrl"] = base_url
            specs.append(moved)
    return specs


@pytest.mark.parametrize("version", RELEASES)
def test_every_bundled_model(version: str) -> None:
    """Each 17.x release over its own bundled catalog: as bundled, re-derived and moved."""
    release, _ = _installed(version)
    specs = _bundled_specs(release)
    differences = _differences(version, specs, _ask_omp(version, specs))
    assert not differences, f"{len(differences)} of {len(specs)} differ:\n" + "\n".join(differences[:15])


# -- hypothesis: the families model-thinking.ts tells apart, and random ids --------------------------

_FAMILY_IDS = (
    "gemini-2.5-pro",
    "gemini-2.5-flash",
    "gemini-3-pro-preview",
    "gemini-3.1-flash",
    "claude-opus-4-6",
    "claude-opus-4.7",
    "claude-opus-4-5",
    "claude-sonnet-4-6",
    "claude-sonnet-5",
    "claude-4-5-opus",
    "claude-fable-5",
    "claude-haiku-4-5",
    "claude-opus-4-20250514",
    "gpt-5.1-codex-mini",
    "gpt-5.2",
    "gpt-5.4-mini",
    "gpt-5.6",
    "gpt-4.1",
    "daybreak-blue-latest",
    "gpt-daybreak-red-latest",
    "o3-mini",
    "o1",
    "glm-5.2",
    "glm-5.3",
    "GLM-5.3-Air",
    "glm-5.2-flash",
    "glm-4.5v",
    "glm-4.6",
    "glm-6",
    "kimi-k3",
    "kimi-k3.1-turbo",
    "kimi-k2.6",
    "fugu",
    "fugu-mini",
    "minimax-m2.5",
    "MiniMax-M2",
    "minimax-m21",
    "MiniMax-M3",
    "minimax/m3",
    "gpt-oss-120b",
    "gpt-oss:20b",
    "deepseek-v4-flash",
    "deepseek-v4-pro",
    "deepseek-v4-pro-0813",
    "DeepSeek-V4-Flash",
    "deepseek-r1",
    "deepseek-reasoner",
    "big-pickle",
    "grok-4.6",
    "grok-4.20-multi-agent",
    "grok-4.20-0309-reasoning",
    "grok-3-mini",
    "grok-build",
    "mimo-v2-flash",
    "MiMo-7B",
    "qwen/qwen3-32b",
    "qwen3-coder",
    "llama-3.3-70b",
)
_PROVIDERS = (
    *CUSTOM_PROVIDERS,
    "groq",
    "firepass",
    "ollama-cloud",
    "sakana",
    "baseten",
    "opencode-zen",
    "xai",
    "deepseek",
    "devin",
    "anthropic",
    "openai",
    "google",
)
_APIS = (*APIS, "ollama-chat")
_BASE_URLS = (
    *BASE_URLS,
    "https://api.deepseek.com/v1",
    "https://chat.DEEPSEEK.com/api",
    "https://API.FIREWORKS.AI/inference/v1",
    "https://inference.baseten.co/v1",
    "https://ollama.com/api",
)
_model_id = st.one_of(
    st.builds(
        lambda namespace, word, suffix: f"{namespace}{word}{suffix}",
        st.sampled_from(
            ["", "", "", "openai/", "anthropic/", "deepseek-ai/", "accounts/fireworks/models/", "x/"]
        ),
        st.sampled_from(_FAMILY_IDS),
        st.sampled_from(
            ["", "", "", "-thinking", "-reasoner", "-non-thinking", "-no-reasoning", ":free", "-0813"]
        ),
    ),
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,24}", fullmatch=True),
)
_effort_map = st.dictionaries(
    st.sampled_from(EFFORTS), st.sampled_from(["none", "max", "low", "default"]), max_size=3
)
_compat = st.fixed_dictionaries(
    {},
    optional={
        "supportsReasoningEffort": st.booleans(),
        "reasoningEffortMap": _effort_map,
        "thinkingFormat": st.sampled_from(["openai", "qwen", "zai", "openrouter", "qwen-chat-template"]),
        "trustExplicitThinkingOnly": st.booleans(),
        "supportsDeveloperRole": st.booleans(),
    },
)
_thinking = st.fixed_dictionaries(
    {"efforts": st.lists(st.sampled_from(EFFORTS), min_size=0, max_size=5, unique=True)},
    optional={
        "mode": st.sampled_from(["effort", "budget", "anthropic-adaptive", "google-level"]),
        "requiresEffort": st.booleans(),
        "supportsDisplay": st.booleans(),
        "defaultLevel": st.sampled_from(EFFORTS),
        "effortMap": _effort_map,
    },
)
_spec = st.builds(
    lambda model_id, name, provider, api, reasoning, base_url, compat, thinking: {
        "id": model_id,
        **({"name": name} if name is not None else {}),
        "provider": provider,
        "api": api,
        "reasoning": reasoning,
        **({"baseUrl": base_url} if base_url is not None else {}),
        **({"compat": compat} if compat else {}),
        **({"thinking": thinking} if thinking is not None else {}),
    },
    _model_id,
    st.none() | st.sampled_from(["Big Pickle", "deepseek-v4 (proxy)", "MiMo Pro", "Claude"]),
    st.sampled_from(_PROVIDERS),
    st.sampled_from(_APIS),
    st.booleans(),
    st.sampled_from(_BASE_URLS),
    _compat,
    st.none() | _thinking,
)


# One bun process per example: batches of 80-100 specs (larger lists overrun hypothesis's data
# budget and take minutes to generate).
@pytest.mark.parametrize("version", RELEASES)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(specs=st.lists(_spec, min_size=80, max_size=100))
def test_generated_specs(version: str, specs: list[dict[str, Any]]) -> None:
    differences = _differences(version, specs, _ask_omp(version, specs))
    assert not differences, f"{len(differences)} of {len(specs)} differ:\n" + "\n".join(differences[:15])
