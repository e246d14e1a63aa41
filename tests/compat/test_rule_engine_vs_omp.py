"""Differential: the Python port of OMP's compat rule engine (:mod:`catalogmgr.omp.rule_engine`)
against OMP's own ``buildModel``, on ``thinking``, ``reasoning``, the resolved ``compat`` and the
rules' catalog corrections: OMP 18.2.3 and every release whose rules are stored
(``rule-engine-<version>.json.gz``: 18.1.16, 18.1.17, 18.1.20 -- also 18.1.21's --, 18.2.0), each
with the port on that release's tables and code switches (``CompatCode``). A release not installed
under ``$CATALOGMGR_OMP_ROOT`` is skipped.

Specs are sent in batches, one bun process per batch (``rule_engine_specs.ts``):

1. every bundled model, rebuilt as OMP rebuilds it for a new or moved model: its own provider or a
   custom one, its api, one of a set of base URLs (each known host, loopback, a plain gateway),
   its ``reasoning``, no ``thinking`` (so the rules decide) -- and again with its bundled
   ``thinking`` (``fillExplicitThinking``) and authored compat;
2. hypothesis-generated specs: ids built from the taxonomy's own tokens and families with
   revisions and suffixes (``-thinking``, efforts, namespaces) and random ones, every api, special
   providers (``cline-pass``, ``xai-oauth``, local servers, proxies), reasoning on/off, baseUrls
   from the host markers, authored compat keys and explicit thinking.

A spec OMP throws on (an equal-rank rule tie) must raise :class:`RuleEngineError` in the port.
"""

from __future__ import annotations

import copy
import gzip
import json
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omp import OmpInstall
from omp_versions import find_bun, installed_releases, omp_root

from catalogmgr.omp.rule_engine import (
    EFFORTS,
    RuleEngine,
    RuleEngineError,
    load_rule_engine,
)

pytestmark = pytest.mark.omp

SCRIPT = Path(__file__).with_name("rule_engine_specs.ts")
ENGINE = load_rule_engine("18.2.3")
_DATA = resources.files("catalogmgr").joinpath("omp", "data")
# Every release whose compiled rules are stored (`rule-engine-<version>.json.gz`).
STORED = sorted(
    entry.name.removeprefix("rule-engine-").removesuffix(".json.gz")
    for entry in _DATA.iterdir()
    if entry.name.startswith("rule-engine-")
)

APIS = (
    "openai-completions",
    "openrouter",
    "openai-responses",
    "openai-codex-responses",
    "azure-openai-responses",
    "anthropic-messages",
    "bedrock-converse-stream",
    "google-generative-ai",
    "google-vertex",
    "google-gemini-cli",
    "devin-agent",
)
CUSTOM_PROVIDERS = (
    "my-gateway",
    "cline-pass",
    "xai-oauth",
    "ollama",
    "llama.cpp",
    "lm-studio",
    "litellm",
    "zai",
    "openrouter",
    "fireworks",
    "nvidia",
    "venice",
    "moonshot",
    "umans",
    "xiaomi-token-plan-sgp",
)
BASE_URLS = (
    None,
    "https://gateway.example.com/v1",
    "http://127.0.0.1:8080/v1",
    "http://192.168.1.20:11434/v1",
    "http://studio.local:1234/v1",
    "https://openrouter.ai/api/v1",
    "https://api.fireworks.ai/inference/v1",
    "https://API.Z.AI/api/coding/paas/v4",
    "https://open.bigmodel.cn/api/paas/v4",
    "https://api.x.ai/v1",
    "https://integrate.api.nvidia.com/v1",
    "https://api.venice.ai/api/v1",
    "https://dashscope.aliyuncs.com/compatible-mode/v1",
    "https://api.moonshot.ai/v1",
    "https://api.xiaomimimo.com/v1",
    "https://api.openai.com/v1",
    "https://proxy.example/openrouter.ai/v1",
)


def _ask_omp(omp_install: OmpInstall, specs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    completed = subprocess.run(
        [str(omp_install.bun), "--no-install", str(SCRIPT), str(omp_install.node_modules)],
        input=json.dumps({"specs": list(specs), "catalogFields": CATALOG_FIELDS}),
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


def _release(version: str, omp_install: OmpInstall) -> OmpInstall:
    """That OMP release: the differential suite's own, or one under ``$CATALOGMGR_OMP_ROOT``."""
    if version == omp_install.version:
        return omp_install
    root = omp_root()
    release = next(
        (found for found in (installed_releases(root) if root else []) if found.version == version), None
    )
    bun = find_bun(release, root) if release is not None and root is not None else None
    if release is None or release.source_only or bun is None:
        pytest.skip(f"OMP {version} is not installed under $CATALOGMGR_OMP_ROOT (.ci/install-omp.sh)")
    return OmpInstall(release.node_modules, Path(bun), version, version, "")


# What rule_engine_specs.ts gives a spec that leaves them out.
SPEC_DEFAULTS: Mapping[str, Any] = {
    "input": ["text"],
    "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0},
    "contextWindow": 128000,
    "maxTokens": 16384,
}
CATALOG_FIELDS = (
    "cost",
    "contextWindow",
    "maxTokens",
    "input",
    "serviceTierCost",
    "priority",
    "applyPatchToolType",
    "editPromptVariant",
    "requiresCursorToolSchemaProjection",
    "requiresToolResultImageHoisting",
    "supportsAssistantPrefill",
    "contextPromotionTarget",
)


def _ours(engine: RuleEngine, spec: Mapping[str, Any]) -> dict[str, Any]:
    try:
        decision = engine.decide(spec)
        model = copy.deepcopy({**SPEC_DEFAULTS, **spec})
        engine.apply_catalog_axes(model, decision.catalog, time.time() * 1000)
    except RuleEngineError as exc:
        return {"error": str(exc)}
    return {
        "thinking": decision.thinking,
        "reasoning": decision.reasoning,
        "compat": decision.compat,
        "catalog": {key: model[key] for key in CATALOG_FIELDS if key in model},
    }


def _differences(
    specs: Sequence[Mapping[str, Any]], answers: Sequence[Mapping[str, Any]], engine: RuleEngine = ENGINE
) -> list[str]:
    differences = []
    for spec, theirs in zip(specs, answers, strict=True):
        ours = _ours(engine, spec)
        if "error" in theirs or "error" in ours:
            if ("error" in theirs) != ("error" in ours):
                differences.append(f"{json.dumps(spec)}: python={ours} omp={theirs}")
            continue
        for name in ("thinking", "reasoning", "compat", "catalog"):
            if name in ("compat", "catalog") and not engine.resolves_compat:
                continue  # the compat port follows one release's code (RuleEngine.resolves_compat)
            if ours[name] != theirs[name]:
                differences.append(_difference(spec, name, ours[name], theirs[name]))
    return differences


def _difference(spec: Mapping[str, Any], name: str, ours: Any, theirs: Any) -> str:
    if isinstance(ours, dict) and isinstance(theirs, dict):
        keys = sorted(
            key for key in {*ours, *theirs} if ours.get(key, "<absent>") != theirs.get(key, "<absent>")
        )
        ours = {key: ours.get(key, "<absent>") for key in keys}
        theirs = {key: theirs.get(key, "<absent>") for key in keys}
    return f"{json.dumps(spec)}: {name}:\n    python={ours}\n    omp=   {theirs}"


def _bundled_specs(omp_install: OmpInstall) -> list[dict[str, Any]]:
    catalog = json.loads(omp_install.catalog_path.read_text(encoding="utf-8"))
    specs: list[dict[str, Any]] = []
    index = 0
    for provider, models in catalog.items():
        for model in models.values():
            index += 1
            base_url = BASE_URLS[index % len(BASE_URLS)]
            spec: dict[str, Any] = {
                "id": model["id"],
                "provider": provider if index % 2 else CUSTOM_PROVIDERS[index % len(CUSTOM_PROVIDERS)],
                "api": model["api"],
                "reasoning": model.get("reasoning", False),
            }
            if index % 4 == 1:
                spec["cost"] = {"input": 1, "output": 2, "cacheRead": 0.5, "cacheWrite": 0}
            if index % 5 == 2:
                spec["input"] = ["text", "image"]
            if base_url is not None:
                spec["baseUrl"] = base_url
            specs.append(spec)
            if index % 3 == 0:
                # Rebuilt with its own metadata: explicit thinking (filled) and authored compat.
                rebuilt = {**spec, "provider": provider, "baseUrl": model.get("baseUrl")}
                if model.get("thinking") is not None:
                    rebuilt["thinking"] = model["thinking"]
                if model.get("compatConfig") is not None:
                    rebuilt["compat"] = model["compatConfig"]
                specs.append({key: value for key, value in rebuilt.items() if value is not None})
    return specs


@pytest.mark.parametrize("version", STORED)
def test_every_bundled_model_rebuilt(version: str, omp_install: OmpInstall) -> None:
    """Each release with stored rules, over its own bundled catalog, with the port on its rules."""
    release = _release(version, omp_install)
    specs = _bundled_specs(release)
    differences = _differences(specs, _ask_omp(release, specs), load_rule_engine(version))
    assert not differences, f"{len(differences)} of {len(specs)} differ:\n" + "\n".join(differences[:15])


# -- hypothesis: ids from the taxonomy and random ones ----------------------------------------------


def _taxonomy_words() -> list[str]:
    tables = json.loads(gzip.decompress(_DATA.joinpath("rule-engine-18.2.3.json.gz").read_bytes()))
    words: set[str] = set()
    for cls in tables["taxonomy"]["classes"]:
        words.update(matcher["token"] for matcher in cls["matchers"])
        words.update(family["glob"].replace("*", "") for family in cls["families"])
        words.update(rule["prefix"] for rule in cls["revisionPrefixes"])
        words.update(override["model"] for override in cls["overrides"])
    for rule in tables["cascade"]:
        words.update(selector["value"].replace("*", "") for selector in rule.get("models", ()))
    return sorted(word for word in words if word)


WORDS = _taxonomy_words()
_revision = st.sampled_from(["", "3", "4.6", "5.2", "3.8", "2.5", "4-5", "5.3", "1.0", "k2.6", "-32b", "3.1"])
_suffix = st.sampled_from(
    [
        "",
        "",
        "-thinking",
        "-reasoner",
        "-non-thinking",
        *(f"-{effort}" for effort in EFFORTS),
        "-fast",
        ":cloud",
    ]
)
_namespace = st.sampled_from(
    ["", "", "zai-org/", "openai/", "anthropic.", "qwen/", "Meta-", "accounts/fw/models/"]
)
_model_id = st.one_of(
    st.builds(
        lambda ns, word, rev, suffix: f"{ns}{word}{rev}{suffix}",
        _namespace,
        st.sampled_from(WORDS),
        _revision,
        _suffix,
    ),
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,24}", fullmatch=True),
)
_efforts = st.lists(st.sampled_from(EFFORTS), min_size=0, max_size=4, unique=True)
_compat = st.fixed_dictionaries(
    {},
    optional={
        "supportsReasoningEffort": st.booleans(),
        "reasoningEffortMap": st.dictionaries(
            st.sampled_from(EFFORTS), st.sampled_from(["none", "max", "low"]), max_size=3
        ),
        "thinkingFormat": st.sampled_from(["openai", "qwen", "zai", "openrouter", "qwen-chat-template"]),
        "qwenTemplateReasoningEffort": st.booleans(),
        "trustExplicitThinkingOnly": st.booleans(),
        "reasoningDisableMode": st.sampled_from(["omit", "lowest-effort", "zai-thinking-disabled"]),
        "omitReasoningEffort": st.booleans(),
        "whenThinking": st.fixed_dictionaries(
            {}, optional={"supportsReasoningEffort": st.booleans(), "thinkingFormat": st.just("zai")}
        ),
        "extraBody": st.fixed_dictionaries(
            {}, optional={"thinking": st.just({"type": "enabled"}), "x": st.just(1)}
        ),
        "streamIdleTimeoutMs": st.integers(0, 10**6),
        "streamFirstEventTimeoutMs": st.integers(0, 10**6),
        "disableStrictTools": st.booleans(),
        "supportsStore": st.booleans() | st.none(),
        "maxTokensField": st.sampled_from(["max_tokens", "max_completion_tokens"]),
        "notACompatKey": st.just(True),
    },
)
_thinking = st.fixed_dictionaries(
    {"efforts": _efforts},
    optional={
        "mode": st.sampled_from(["effort", "budget", "anthropic-adaptive"]),
        "requiresEffort": st.booleans(),
        "supportsDisplay": st.booleans(),
        "effortMap": st.dictionaries(st.sampled_from(EFFORTS), st.just("max"), max_size=2),
    },
)
# Rule-owned catalog flags a spec may carry: each release's build.ts sets or deletes those it knows.
_catalog_flags = st.fixed_dictionaries(
    {},
    optional={
        "supportsAssistantPrefill": st.booleans(),
        "requiresToolResultImageHoisting": st.booleans(),
        "requiresCursorToolSchemaProjection": st.booleans(),
    },
)
_spec = st.builds(
    lambda model_id, provider, api, reasoning, base_url, compat, thinking, flags: {
        "id": model_id,
        "provider": provider,
        "api": api,
        "reasoning": reasoning,
        **({"baseUrl": base_url} if base_url is not None else {}),
        **({"compat": compat} if compat else {}),
        **({"thinking": thinking} if thinking is not None else {}),
        **flags,
    },
    _model_id,
    st.sampled_from(CUSTOM_PROVIDERS),
    st.sampled_from(APIS),
    st.booleans(),
    st.sampled_from(BASE_URLS),
    _compat,
    st.none() | _thinking,
    _catalog_flags,
)


@pytest.mark.parametrize("version", STORED)
def test_generated_specs(version: str, omp_install: OmpInstall) -> None:
    """Generated specs through each stored release's own buildModel, the port on that release's
    rules and code: 25 batches for the suite's own OMP, 8 for each other release (CI time).

    A batch is 20-40 specs: larger lists overrun hypothesis's example buffer (a spec with its
    compat and thinking is big), so that nearly every draw was discarded and one batch took
    minutes to generate."""
    release = _release(version, omp_install)
    engine = load_rule_engine(version)

    # One bun process per example: a few large batches, not many small ones.
    @settings(
        max_examples=25 if version == omp_install.version else 8,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
    @given(specs=st.lists(_spec, min_size=20, max_size=40))
    def check(specs: list[dict[str, Any]]) -> None:
        differences = _differences(specs, _ask_omp(release, specs), engine)
        assert not differences, f"{len(differences)} of {len(specs)} differ:\n" + "\n".join(differences[:15])

    check()


@pytest.mark.parametrize("version", STORED)
def test_generated_tables_are_current(version: str, omp_install: OmpInstall) -> None:
    """``scripts/generate_rule_engine_tables.py --check``: the stored rules are what OMP gives today."""
    omp_install = _release(version, omp_install)
    script = Path(__file__).resolve().parents[2] / "scripts" / "generate_rule_engine_tables.py"
    completed = subprocess.run(
        [sys.executable, str(script), str(omp_install.node_modules), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
