"""Differential: :func:`catalogmgr.omp.thinking17.derive_thinking_17` against OMP 17.x's own
``resolveModelThinking`` (pi-catalog ``src/model-thinking.ts``), for each installed 17.x release.

The 17.x thinking section of the rule-engine differential (``test_rule_engine_vs_omp.py``): it uses
that harness (``rule_engine_specs.ts``: OMP's own ``buildModel`` on a batch of specs, one bun process
per release per test), whose answers carry the compat 17.x's ``buildCompat`` resolved and the
``thinking`` ``buildModel`` set (``resolveModelThinking(spec, compat)``). The port is given OMP's
compat (17.x's compat is :mod:`catalogmgr.omp.compat17`'s, checked in that file) and must give OMP's
thinking:

1. every bundled model of the release, with its baked thinking (``fillThinkingWireDefaults``, as
   OMP builds bundled rows), without it (``deriveThinking``), and moved to another provider and
   base URL without it;
2. hypothesis-generated specs: ids from the families model-thinking.ts tells apart (GLM 5.2/5.3,
   Kimi K3, DeepSeek V4, MiniMax M2/M3, gpt-oss, Grok, MiMo, Gemini, Claude, GPT, o-series...)
   with namespaces and thinking suffixes, and random ids; the providers and hosts it asks about;
   authored compat (``thinkingFormat``, ``supportsReasoningEffort``, ``reasoningEffortMap``...)
   and explicit thinking.

3. X / X-thinking twins through the merge against the release's own ModelRegistry (17.x's pairing,
   pair thinking and the collapsed model built again).

A release that is not installed under ``$CATALOGMGR_OMP_ROOT`` skips.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from catalog_diff import COMPARED_FIELDS, MISSING, same
from hypothesis import strategies as st
from omp import OmpInstall, OmpProbe
from test_merge_versions_vs_omp import _installed
from test_rule_engine_vs_omp import APIS, BASE_URLS, CUSTOM_PROVIDERS, _ask_omp, _release, drawn_specs

from catalogmgr.documents import parse_document
from catalogmgr.merge import Layer, merge_catalog
from catalogmgr.omp.profile import OmpVersion, profile_for_version
from catalogmgr.omp.settings import RuntimeSettings
from catalogmgr.omp.thinking17 import derive_thinking_17

pytestmark = pytest.mark.omp

RELEASES = ("17.2.15", "17.3.5")
EFFORTS = ("minimal", "low", "medium", "high", "xhigh", "max")


def _differences(
    version: str, specs: Sequence[Mapping[str, Any]], answers: Sequence[Mapping[str, Any]]
) -> list[str]:
    differences = []
    for spec, theirs in zip(specs, answers, strict=True):
        if "error" in theirs:
            differences.append(f"{json.dumps(spec)}: OMP threw {theirs['error']}")
            continue
        # rule_engine_specs.ts gives a spec without a name its id (as finalizeCustomModel does).
        ours = derive_thinking_17({"name": spec["id"], **spec}, theirs["compat"], version)
        if ours != theirs["thinking"]:
            differences.append(f"{json.dumps(spec)}:\n    python={ours}\n    omp=   {theirs['thinking']}")
    return differences


def _bundled_specs(release: OmpInstall) -> list[dict[str, Any]]:
    catalog = json.loads(release.catalog_path.read_text(encoding="utf-8"))
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
def test_every_bundled_model(version: str, omp_install: OmpInstall) -> None:
    """Each 17.x release over its own bundled catalog: as bundled, re-derived and moved."""
    release = _release(version, omp_install)
    specs = _bundled_specs(release)
    differences = _differences(version, specs, _ask_omp(release, specs))
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


@pytest.mark.parametrize("version", RELEASES)
def test_generated_specs(version: str, omp_install: OmpInstall) -> None:
    """Hypothesis-generated specs, all drawn first and sent in one batch (one bun process)."""
    release = _release(version, omp_install)
    # Lists of 80-100: larger ones overrun hypothesis's data budget and take minutes to draw.
    specs = drawn_specs(st.lists(_spec, min_size=80, max_size=100), 15)
    assert len(specs) >= 1000, len(specs)  # never a batch shrunk silently
    differences = _differences(version, specs, _ask_omp(release, specs))
    assert not differences, f"{len(differences)} of {len(specs)} differ:\n" + "\n".join(differences[:15])


# -- 17.x's twin collapse (variant-collapse.ts), through the merge ------------------------------------

# X / X-thinking pairs 17.x collapses and builds again (collapseBuiltModelVariants): pairs that
# reason, pairs that do not (the thinking member's derived ladder), families whose derived thinking
# is mandatory (requiresEffort refilled on the collapsed model), 17.x's token rule (the first
# `-thinking`/`-reasoner`/`-reasoning`, ASCII case-insensitive, not after `non`/`no`), the members'
# input kinds and larger limits unless the base's definition writes its own.
TWINS_17 = """\
providers:
  tw:
    baseUrl: https://tw.example/v1
    apiKey: K
    api: openai-completions
    models:
      - id: foo
      - id: foo-thinking
      - id: bar
        reasoning: true
      - id: bar-reasoning
      - id: kimi-k3
        reasoning: true
      - id: kimi-k3-thinking
        reasoning: true
      - id: glm-5.3
      - id: glm-5.3-thinking
        reasoning: true
      - id: MiniMax-M2.5
        reasoning: true
      - id: MiniMax-M2.5-thinking
        reasoning: true
      - id: Foo
      - id: Foo-THINKING
        reasoning: true
      - id: mimo-v2-flash
        reasoning: true
      - id: mimo-v2-thinking-flash
        reasoning: true
      - id: qux-non-thinking
      - id: qux-non
        reasoning: true
      - id: priced
        cost: {input: 1, output: 2, cacheRead: 0, cacheWrite: 0}
      - id: priced-thinking
        reasoning: true
        cost: {input: 3, output: 6, cacheRead: 0, cacheWrite: 0}
      - id: wide
        contextWindow: 100000
        maxTokens: 9000
      - id: wide-thinking
        reasoning: true
        contextWindow: 200000
        maxTokens: 4000
        input: [text, image]
      - id: half
        maxTokens: 9000
      - id: half-thinking
        reasoning: true
        contextWindow: 200000
        maxTokens: 40000
      - id: open
      - id: open-thinking
        reasoning: true
        contextWindow: 200000
        maxTokens: 40000
        input: [text, image]
  tg:
    baseUrl: https://tg.example/v1beta
    apiKey: K
    api: google-generative-ai
    models:
      - id: gemini-3-pro
        reasoning: true
      - id: gemini-3-pro-thinking
        reasoning: true
  ta:
    baseUrl: https://ta.example
    apiKey: K
    api: anthropic-messages
    models:
      - id: claude-opus-4-7
        reasoning: true
      - id: claude-opus-4-7-thinking
        reasoning: true
"""


WHOLE_FIELDS = (*COMPARED_FIELDS, "omitMaxOutputTokens", "compat", "compatConfig")


@pytest.mark.parametrize("version", RELEASES)
def test_twins_collapse_as_17x_builds_them(version: str) -> None:
    probe = OmpProbe(_installed(version))
    result = probe.results({"twins-17.yml": TWINS_17.encode()})["twins-17.yml"]
    assert result.accepted
    base = json.loads(probe.install.catalog_path.read_text(encoding="utf-8"))
    parsed = OmpVersion.parse(version)
    assert parsed is not None
    document = parse_document(TWINS_17, name="twins-17.yml", fmt="yaml")
    ours = merge_catalog(
        base, [Layer("twins-17.yml", document.data, document)], profile=profile_for_version(parsed),
        settings=RuntimeSettings(),
    ).catalog  # fmt: skip
    theirs = {
        (row["provider"], row["id"]): row
        for row in probe.effective_catalog(result)
        if row["provider"] in ours
    }
    ours_keys = {(provider, model_id) for provider in ("tw", "tg", "ta") for model_id in ours[provider]}
    assert ours_keys == {key for key in theirs if key[0] in ("tw", "tg", "ta")}
    assert ("tw", "foo-thinking") not in ours_keys  # folded into foo
    assert ("tw", "priced-thinking") in ours_keys  # other prices: a SKU of its own
    mismatches = [
        f"{key}: {field}: ours={ours[key[0]][key[1]].get(field)!r} omp={theirs[key].get(field)!r}"
        for key in sorted(ours_keys)
        for field in WHOLE_FIELDS
        if not same(ours[key[0]][key[1]].get(field, MISSING), theirs[key].get(field, MISSING))
    ]
    assert mismatches == []
