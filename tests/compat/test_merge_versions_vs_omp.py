"""Differential: the merge switches of older profiles against those releases' own ModelRegistry.

Where a release's merge differs from 18.2.3's by a :class:`~catalogmgr.omp.profile.Profile`
switch, that switch is checked on the real release: every overlay of the merge corpus that sets a
``baseUrl`` is merged by OMP 17.3.5 and 18.2.0 (``baseurl_scope="all"``: a provider ``baseUrl``
re-points every bundled model of the provider) and by catalogmgr under the release's profile, over
the release's own bundled catalog; the ``baseUrl`` of every model of every provider the overlay
names must be equal. (The other merged fields are compared field by field for 18.2.3 in
``test_merge_vs_omp.py``.) One bun process per release, through the same probe.

OMP 17.2.15 and 17.3.5 are compared on the whole effective catalog of every corpus overlay (among
them those of the 17.2/17.3 switches: llama.cpp's ``/v1`` on Qwen-family models only before 17.3, a
cost patch dropping ``longContext`` before 17.3): every compared field equal, the resolved
``compat``, ``compatConfig`` and ``thinking`` 17.x builds in code at load included
(:mod:`catalogmgr.omp.compat17`, :mod:`catalogmgr.omp.thinking17`).

The 18.0 profile's releases 18.1.16, 18.1.20 and 18.2.0, each with its own compat rule engine, are
compared on the whole effective catalog of the overlays that rebuild models, extendedContext off and
on, every field (one bun process per release).

OMP 13.19.0 and 14.9.9 (pi-ai's catalog and registry) are compared on the whole effective catalog
of every corpus overlay, every field, ``thinking`` and ``compat`` included (one bun process per
release), and the generated table of their ``refresh()`` discovery is checked against each
release. The whole corpus plus users' files, every release::

    CATALOGMGR_OMP_ROOT=/work/omp python tests/tools/policy_corpus_diff.py --omp-version all
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from catalog_diff import COMPARED_FIELDS, MISSING, same
from corpus import CORPUS_DIR, corpus_files, label
from omp import OmpInstall, OmpProbe, _package_version
from omp_versions import Release, find_bun, installed_releases, omp_root

from catalogmgr.documents import parse_document
from catalogmgr.merge import Layer, merge_catalog
from catalogmgr.omp.profile import OmpVersion, profile_for_version, release_profile
from catalogmgr.omp.settings import RuntimeSettings

pytestmark = pytest.mark.omp

CHECKED = ("17.3.5", "18.2.0")
ROOT = omp_root()
RELEASES = {release.version: release for release in (installed_releases(ROOT) if ROOT is not None else [])}
OVERLAYS = [path for path in corpus_files() if "baseUrl" in path.read_text(encoding="utf-8")]


# The fields the whole-catalog comparisons read (every release).
WHOLE_FIELDS = (*COMPARED_FIELDS, "omitMaxOutputTokens", "compat", "compatConfig")


def _catalog_mismatches(
    label: str, ours: Mapping[str, Mapping[str, Mapping[str, Any]]], omp_rows: Iterable[Mapping[str, Any]],
    fields: Sequence[str],
) -> tuple[int, list[str]]:  # fmt: skip
    """Compare catalogmgr's whole effective catalog with OMP's rows on ``fields``: how many models
    both list, and one line per model on one side only or per field that differs."""
    theirs = {(row["provider"], row["id"]): row for row in omp_rows}
    ours_keys = {(provider, model_id) for provider, models in ours.items() for model_id in models}
    mismatches = [f"{label}: {key}: on one side only" for key in sorted(ours_keys ^ set(theirs))]
    both = sorted(ours_keys & set(theirs))
    for key in both:
        model, row = ours[key[0]][key[1]], theirs[key]
        mismatches += [
            f"{label}: {key}: {field}: ours={model.get(field)!r} omp={row.get(field)!r}"
            for field in fields
            if not same(model.get(field, MISSING), row.get(field, MISSING))
        ]
    return len(both), mismatches


def _installed(version: str) -> OmpInstall:
    """The release installed under ``$CATALOGMGR_OMP_ROOT`` (the test skips when it is not)."""
    release: Release | None = RELEASES.get(version)
    if ROOT is None or release is None or release.source_only:
        pytest.skip(f"OMP {version} is not installed under $CATALOGMGR_OMP_ROOT (.ci/install-omp.sh)")
    bun = find_bun(release, ROOT)
    parsed = OmpVersion.parse(version)
    assert parsed is not None
    # The bundled catalog is pi-catalog's from 17, pi-ai's before (the profile says which).
    catalog_file = profile_for_version(parsed).catalog_package_files[0]
    catalog_version = _package_version(release.node_modules, "/".join(catalog_file.parts[:2]))
    if bun is None or catalog_version is None:
        pytest.skip(f"OMP {version} under {ROOT} lacks bun or its bundled catalog")
    return OmpInstall(release.node_modules, Path(bun), version, catalog_version, "1.4.4", catalog_file)


@pytest.mark.parametrize("version", CHECKED)
def test_provider_base_url_scope_matches_the_release(version: str) -> None:
    install = _installed(version)
    probe = OmpProbe(install)
    results = probe.results({label(path): path.read_bytes() for path in OVERLAYS})
    base = json.loads(install.catalog_path.read_text(encoding="utf-8"))
    parsed = OmpVersion.parse(version)
    assert parsed is not None
    profile = profile_for_version(parsed)
    assert profile.baseurl_scope == "all"
    compared = 0
    mismatches = []
    for path in OVERLAYS:
        result = results[label(path)]
        if not result.accepted:
            continue
        document = parse_document(path.read_text(encoding="utf-8"), name=path.name, fmt="yaml")
        # The catalog OMP runs (runtime policies under default settings), as the probe reports it:
        # e.g. llama.cpp discovery providers get `/v1` on every model's baseUrl.
        ours = merge_catalog(
            base,
            [Layer(name=path.name, data=document.data, document=document)],
            profile=profile,
            settings=RuntimeSettings(),
        )
        named = set((document.data or {}).get("providers") or {})
        for row in probe.effective_catalog(result):
            if row["provider"] not in named:
                continue
            model = ours.catalog.get(row["provider"], {}).get(row["id"])
            if model is None:
                continue  # whether a model exists at all is test_merge_vs_omp.py's question
            compared += 1
            if model.get("baseUrl") != row.get("baseUrl"):
                where = f"{path.name}: {row['provider']}/{row['id']}"
                mismatches.append(f"{where}: ours={model.get('baseUrl')} omp={row.get('baseUrl')}")
    assert compared > 100
    assert mismatches == []


# The overlays whose merge switches differ between 17.2 and 17.3 (llama.cpp's `/v1` scope, a cost
# patch's `longContext`), among the whole corpus compared (every overlay OMP accepts; its effective
# catalog, `thinking` included: catalogmgr.omp.thinking17), one bun process per release.
SWITCH_OVERLAYS = [CORPUS_DIR / "52-policy-long-context-cap.yml", CORPUS_DIR / "55-policy-llama-cpp.yml"]


@pytest.mark.parametrize("version", ["17.2.15", "17.3.5"])
def test_17x_effective_catalog_matches(version: str) -> None:
    probe = OmpProbe(_installed(version))
    results = probe.results({label(path): path.read_bytes() for path in corpus_files()})
    base = json.loads(probe.install.catalog_path.read_text(encoding="utf-8"))
    parsed = OmpVersion.parse(version)
    assert parsed is not None
    profile = profile_for_version(parsed)
    compared = 0
    mismatches = []
    for path in corpus_files():
        result = results[label(path)]
        if not result.accepted:
            assert path not in SWITCH_OVERLAYS, f"OMP {version} rejects {path.name}"
            continue
        document = parse_document(path.read_text(encoding="utf-8"), name=path.name, fmt="yaml")
        ours = merge_catalog(
            base, [Layer(path.name, document.data, document)], profile=profile, settings=RuntimeSettings()
        ).catalog
        count, found = _catalog_mismatches(path.name, ours, probe.effective_catalog(result), WHOLE_FIELDS)
        compared += count
        mismatches += found
    assert compared > 10_000
    assert mismatches == []


# The 18.0 profile's releases, each with its own compat rule engine (rules and code switches,
# catalogmgr.omp.rule_engine.COMPAT_CODE), cline-pass references before 18.2.1 and 18.1.x's
# re-materialized bundled rows (catalogmgr.omp.load_rebuilds): the whole effective catalog of the
# overlays that rebuild models through buildModel (a provider baseUrl over every anthropic model,
# references to Kimi/MiniMax rows, authored compat, local servers, the seed), extendedContext off
# and on, every compared field, one bun process per release.
RULE_ENGINE_OVERLAYS = [
    CORPUS_DIR / name
    for name in (
        "01-seed-minimax-m3.yml",
        "02-override-baseurl-only.yml",
        "16-reference-cloud-suffix.yml",
        "26-realworld-local-servers.yml",
        "44-compat-provider-and-model.yml",
    )
]


@pytest.mark.parametrize("version", ["18.1.16", "18.1.20", "18.2.0"])
def test_18_0_profile_releases_match_with_their_own_rule_engine(version: str) -> None:
    probe = OmpProbe(_installed(version))
    base = json.loads(probe.install.catalog_path.read_text(encoding="utf-8"))
    parsed = OmpVersion.parse(version)
    assert parsed is not None
    profile = release_profile(parsed)
    assert profile.rules == {"18.1.16": "18.1.16", "18.1.20": "18.1.20", "18.2.0": "18.2.0"}[version]
    compared = 0
    mismatches = []
    results = probe.results_under(
        {
            f"{label(path)} {extended}": (path.read_bytes(), {"extendedContext": True} if extended else None)
            for path in RULE_ENGINE_OVERLAYS
            for extended in (False, True)
        }
    )
    for extended in (False, True):
        for path in RULE_ENGINE_OVERLAYS:
            result = results[f"{label(path)} {extended}"]
            assert result.accepted, f"OMP {version} rejects {path.name}"
            document = parse_document(path.read_text(encoding="utf-8"), name=path.name, fmt="yaml")
            ours = merge_catalog(
                base,
                [Layer(path.name, document.data, document)],
                profile=profile,
                settings=RuntimeSettings(extended_context=extended),
            ).catalog
            count, found = _catalog_mismatches(
                f"{path.name} (extendedContext {extended})",
                ours,
                probe.effective_catalog(result),
                WHOLE_FIELDS,
            )
            compared += count
            mismatches += found
    assert compared > 20000
    assert mismatches == []


# OMP 13.x/14.x (pi-ai's catalog and model-registry.ts): no compatConfig, thinking from the id
# (catalogmgr.omp.thinking13), same-id compat replaced, 14.x's exact-id references, refresh()
# dropping a keyed discovery provider's compat. Every overlay of the corpus, every compared field,
# one bun process per release (the same WHOLE_FIELDS).
# Beside the corpus (whose files every release's verdict record covers), overlays for the 13.x/14.x
# paths alone: each branch of the id-derived thinking, names kept as written, modelOverrides and
# same-id definitions rebuilding thinking, and which providers' compat refresh() drops.
PRE_17_OVERLAYS = {
    "pre-17/new-models.yml": """\
providers:
  gw:
    baseUrl: https://gw.example/v1
    apiKey: GW_KEY
    api: openai-completions
    models:
      - {id: noisy-name, name: "OpenAI: Noisy  (latest)"}
      - {id: deepseek-v4-lite, api: google-generative-ai, reasoning: true}
      - {id: gemini-3-pro-preview, api: google-vertex, reasoning: true}
      - {id: gemini-3.5-flash, api: google-generative-ai, reasoning: true}
      - {id: gemini-2.5-pro-exp, api: google-vertex, reasoning: true}
      - {id: vendor/claude-sonnet-4-6, api: anthropic-messages, reasoning: true}
      - {id: claude-opus-4-5-20251101, api: anthropic-messages, reasoning: true}
      - {id: claude-sonnet-3-7, api: anthropic-messages, reasoning: true}
      - {id: gpt-5.1-codex-mini, api: openai-responses, reasoning: true}
      - {id: gpt-5.3-max, api: openai-codex-responses, reasoning: true}
      - {id: Upper-GPT-5.2, api: openai-responses, reasoning: true}
      - {id: glm-9, baseUrl: "https://api.z.ai/api/paas/v4", reasoning: true}
      - {id: router-model, baseUrl: "https://openrouter.ai/api/v1", reasoning: true}
      - {id: qwen-max-x, reasoning: true}
      - {id: dashscope-model, baseUrl: "https://dashscope.aliyuncs.com/v1", reasoning: true}
      - {id: grok-x, baseUrl: "https://api.x.ai/v1", reasoning: true, compat: {supportsReasoningEffort: true}}
      - {id: plain-openai-format, reasoning: true, compat: {thinkingFormat: openai}}
      - {id: azure-model, api: azure-openai-responses, reasoning: true}
      - {id: backwards, reasoning: true, thinking: {mode: budget, minLevel: high, maxLevel: low}}
      - {id: written, reasoning: true, thinking: {mode: budget, minLevel: low, maxLevel: medium}}
      - {id: not-reasoning, reasoning: false, thinking: {mode: budget, minLevel: low, maxLevel: medium}}
      - {id: "kimi-k2.6:cloud", reasoning: true}
""",
    "pre-17/patches.yml": """\
providers:
  openai:
    modelOverrides:
      gpt-5.1: {reasoning: false}
      gpt-5.2: {thinking: {mode: effort, minLevel: low, maxLevel: high}, name: "OpenAI: GPT-5.2 (latest)"}
      gpt-4o: {reasoning: true}
  anthropic:
    baseUrl: https://api.anthropic.com
    apiKey: ANTHROPIC_API_KEY
    models:
      - {id: claude-sonnet-4-5, api: anthropic-messages, reasoning: true, name: "Claude (latest)"}
      - id: claude-opus-4-6
        api: anthropic-messages
        reasoning: true
        thinking: {mode: budget, minLevel: low, maxLevel: high}
""",
    "pre-17/discovery.yml": """\
providers:
  openrouter:
    compat: {supportsStrictMode: false}
  deepseek:
    apiKey: DEEPSEEK_API_KEY
    compat: {supportsStrictMode: false}
  xai:
    apiKey: N/A
    compat: {supportsStrictMode: false}
  mistral:
    baseUrl: https://api.mistral.ai/v1
    headers: {X-Team: a}
    apiKey: MISTRAL_API_KEY
    compat: {supportsStrictMode: false}
    modelOverrides:
      mistral-large-latest: {compat: {supportsStore: false}}
""",
}


@pytest.mark.parametrize("version", ["13.19.0", "14.9.9"])
def test_13x_14x_effective_catalog_matches_the_release(version: str) -> None:
    probe = OmpProbe(_installed(version))
    texts = {label(path): path.read_text(encoding="utf-8") for path in corpus_files()} | PRE_17_OVERLAYS
    results = probe.results({name: text.encode() for name, text in texts.items()})
    base = json.loads(probe.install.catalog_path.read_text(encoding="utf-8"))
    parsed = OmpVersion.parse(version)
    assert parsed is not None
    profile = profile_for_version(parsed)
    compared = 0
    mismatches = []
    for name, text in texts.items():
        result = results[name]
        if not result.accepted:
            assert name not in PRE_17_OVERLAYS, f"OMP {version} rejects {name}: {result}"
            continue
        document = parse_document(text, name=name, fmt="yaml")
        ours = merge_catalog(
            base, [Layer(name, document.data, document)], profile=profile, settings=RuntimeSettings()
        ).catalog
        count, found = _catalog_mismatches(name, ours, probe.effective_catalog(result), WHOLE_FIELDS)
        compared += count
        mismatches += found
    assert compared > 10_000
    assert mismatches == []


@pytest.mark.parametrize("version", ["13.19.0", "14.9.9"])
def test_discovery_refresh_table_is_current(version: str) -> None:
    """``scripts/generate_discovery_tables.py --check``: the stored table is what the release does."""
    install = _installed(version)
    script = Path(__file__).resolve().parents[2] / "scripts" / "generate_discovery_tables.py"
    completed = subprocess.run(
        [sys.executable, str(script), str(install.node_modules), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
