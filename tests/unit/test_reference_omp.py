"""catalogmgr.omp.reference resolves custom ids to the same bundled references as the installed OMP 18.2.3.

Runs a short script under OMP's bun (OMP located as tests/compat/omp.py locates it; skips when it
is absent) over OMP's bundled catalog, for a few hundred ids: every id of a sample of bundled models,
the same ids upper-cased, with ``:free`` and ``-thinking`` variants and a proxy prefix, and the
shapes OMP's own docs mention. Also checks that the vocabularies copied into
catalogmgr.omp.reference still equal OMP's compiled rules.
"""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

from catalogmgr.documents import load_json_fast
from catalogmgr.omp import reference

REPO_ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.omp

SCRIPT = """
import * as path from "node:path";
const [, , nodeModules, idsPath, outPath] = process.argv;
const catalog = path.join(nodeModules, "@oh-my-pi", "pi-catalog", "src");
const identity = await import(path.join(catalog, "identity", "index.ts"));
const taxonomy = await import(path.join(catalog, "compat", "taxonomy.ts"));
const behavior = await import(path.join(catalog, "compat", "behavior.ts"));
const ids: string[] = JSON.parse(await Bun.file(idsPath).text());
const index = identity.getBundledModelReferenceIndex();
const refs: Record<string, { candidates: string[]; ref: string | null }> = {};
for (const id of ids) {
  const found = identity.resolveModelReference(id, index);
  const ref = found ? `${found.provider}/${found.id}` : null;
  refs[id] = { candidates: identity.getReferenceCandidateIds(id), ref };
}
const discovery = taxonomy.discoveryVocabulary();
const collapse = taxonomy.collapseVocabulary();
await Bun.write(outPath, JSON.stringify({
  refs,
  trailingMarkers: discovery.trailingMarkers,
  referenceOnlyTrailingMarkers: discovery.referenceOnlyTrailingMarkers,
  billingVariantSuffixes: discovery.billingVariantSuffixes,
  collapseSuffixes: collapse.suffixes.map((rule: { suffix: string }) => rule.suffix),
  routingVariants: collapse.routingVariants.map((rule: { suffix: string }) => rule.suffix),
  isolated: ["cline-pass", "openai", "minimax"].filter(p => !behavior.isBareIdReferenceProvider(p)),
}));
"""

FIXED_IDS = [
    "[Kiro] claude-opus-4-8",
    "gpt-5.4:cloud",
    "vendor/claude-sonnet-4-6-thinking",
    "[gcli转] gemini-3.1-pro-preview [假流]",
    "@modal/GLM-5-2-FP8",
    "GPT-5.1",
    "house-model-7b",
    "MiniMax-M3",
    "minimax/minimax-m3:free",
    "deepseek-v4-flash-free",
    "kimi-k2.7-code-contributor",
    "gpt-5-wm",
    "claude-opus-4-8-high",
    "glm-5.3:fp8",
    "【a】deepseek-r1【b】",
    "gpt-oss:120b-cloud",
    "anthropic/claude-sonnet-4.5:exacto",
    "x/y/gpt-5.1-mini-search",
    # JavaScript's trim/\s/toLowerCase, not Python's (catalogmgr.omp.jsstring): U+FEFF is
    # whitespace there, U+001C and U+0085 are not; letters newer than Python's Unicode.
    "\ufeffgpt-5.1",
    "gpt-5.1\ufeff",
    "gpt-5.1\x1c",
    "\x85claude-opus-4-5",
    "[Kiro]\ufeffclaude-opus-4-8",
    "[Kiro]\x1cclaude-opus-4-8 [x]\x1c",
    "claude\u2028opus 4-5 gpt-5.1",
    "GPT-5.1\u00a0",
    "\ua7cbGPT-5.4",
    "GPT-5.1-\u212a",
]


@pytest.fixture(scope="module")
def omp_answers(
    tmp_path_factory: pytest.TempPathFactory, omp_install: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    install = omp_install
    catalog = load_json_fast(install.catalog_path)
    every_id = sorted({model_id for models in catalog.values() for model_id in models})
    sample = random.Random(18_2_3).sample(every_id, 300)
    ids = [
        *FIXED_IDS,
        *sample,
        *(model_id.upper() for model_id in sample[:60]),
        *(f"{model_id}:free" for model_id in sample[60:120]),
        *(f"proxy/{model_id.rsplit('/', 1)[-1]}-thinking" for model_id in sample[120:180]),
    ]
    work = tmp_path_factory.mktemp("reference-omp")
    (work / "probe.ts").write_text(SCRIPT, encoding="utf-8")
    (work / "ids.json").write_text(json.dumps(ids), encoding="utf-8")
    completed = subprocess.run(
        [
            str(install.bun),
            "--no-install",
            str(work / "probe.ts"),
            str(install.node_modules),
            str(work / "ids.json"),
            str(work / "out.json"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=work,
        env={"PATH": "/usr/bin:/bin", "HOME": str(work)},
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads((work / "out.json").read_text(encoding="utf-8")), catalog


def test_candidates_and_references_match_omp(omp_answers: tuple[dict[str, Any], dict[str, Any]]) -> None:
    answers, catalog = omp_answers
    index = reference.build_reference_index(catalog)
    mismatches = []
    for model_id, expected in answers["refs"].items():
        found = reference.resolve_reference(model_id, index)
        ours = f"{found['provider']}/{found['id']}" if found is not None else None
        candidates = reference.reference_candidate_ids(model_id)
        if ours != expected["ref"] or candidates != expected["candidates"]:
            mismatches.append((model_id, ours, expected["ref"]))
    assert mismatches == []
    assert len(answers["refs"]) > 400


def test_vocabularies_match_omps_compiled_rules(omp_answers: tuple[dict[str, Any], dict[str, Any]]) -> None:
    answers, _ = omp_answers
    assert tuple(answers["trailingMarkers"]) == reference._TRAILING_MARKERS
    assert tuple(answers["referenceOnlyTrailingMarkers"]) == reference._REFERENCE_ONLY_TRAILING_MARKERS
    assert tuple(answers["billingVariantSuffixes"]) == reference._BILLING_VARIANT_SUFFIXES
    assert tuple(answers["collapseSuffixes"]) == reference._COLLAPSE_SUFFIXES
    assert tuple(answers["routingVariants"]) == reference._ROUTING_VARIANT_SUFFIXES
    assert set(answers["isolated"]) == set(reference.REFERENCE_ISOLATED_PROVIDERS)
