"""The fixes --write-overlay writes, loaded by the real OMP: what catalogmgr claims OMP does with them.

One bun process for the whole file (one batch): the seed scenario's overlay (MiniMax-M3 on
MiniMax's own endpoint, written from OMP 15.7.3's catalog and a models.dev listing), the
`X-thinking` twin catalogmgr refuses to write (OMP folds it into `X`), a name holding U+0085 (it
must read back exactly, or the drift never clears), and an overlay edited through a shared anchor.
"""

from __future__ import annotations

import json
import os
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from omp import OmpProbe, OmpResult

from catalogmgr.drift.diff import diff_catalog, resolve_mapping
from catalogmgr.drift.fixes import apply_patch, build_patch
from catalogmgr.omp.schemas import load_schema
from catalogmgr.upstream import modelsdev, openrouter
from catalogmgr.upstream.fetch import SOURCES, load_listing_file
from catalogmgr.upstream.listing import UpstreamListing, UpstreamModel

FIXTURE = Path(__file__).resolve().parents[1] / "drift" / "fixtures" / "modelsdev-minimax-m3.json"
APIS: list[str] = load_schema("overlay")["$defs"]["api"]["enum"]

TWINS = textwrap.dedent(
    """\
    providers:
      minimax:
        baseUrl: https://api.minimax.io/anthropic
        apiKey: MINIMAX_API_KEY
        models:
          - {id: MiniMax-M9, name: MiniMax-M9, api: anthropic-messages, reasoning: true, input: [text],
             contextWindow: 1048576, maxTokens: 131072,
             cost: {input: 0.3, output: 1.2, cacheRead: 0.06, cacheWrite: 0.375}}
          - {id: MiniMax-M9-thinking, name: MiniMax-M9 Thinking, api: anthropic-messages, reasoning: true,
             input: [text], contextWindow: 1048576, maxTokens: 131072,
             cost: {input: 0.3, output: 1.2, cacheRead: 0.06, cacheWrite: 0.375}}
    """
)

ANCHORED = textwrap.dedent(
    """\
    common: &common
      baseUrl: https://openrouter.ai/api/v1
    providers:
      openrouter:
        <<: *common
        apiKey: OPENROUTER_API_KEY
    """
)


def _seed_overlay() -> str:
    # ../shared, as tests/conftest.py finds it (its `shared` fixture is per test; this runs once).
    repo = Path(__file__).resolve().parents[2]
    shared = Path(os.environ.get("CATALOGMGR_SHARED_DIR", repo.parent / "shared"))
    path = shared / "data" / "omp" / "pi-ai-15.7.3.models.json"
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    catalog = json.loads(path.read_text())
    listing = load_listing_file(SOURCES["models.dev"], FIXTURE)
    mapping = {"minimax": resolve_mapping(modelsdev.DEFAULT_PROVIDER_MAP)["minimax"]}
    report = diff_catalog(catalog, listing, mapping)
    new_only = replace(report, drift=tuple(d for d in report.drift if d.kind == "new"))
    patch = build_patch(new_only, catalog, accepted_apis=APIS)
    return apply_patch(None, patch, name="models.yml").text


def _odd_name_overlay(base: dict[str, Any]) -> tuple[str, str]:
    name = "Odd\x85Name"
    model_id = next(iter(base["openrouter"]))
    listing = UpstreamListing("openrouter", "x", {"openrouter": {"z/odd": UpstreamModel("z/odd", name=name)}})
    catalog = {"openrouter": {model_id: base["openrouter"][model_id]}}
    report = diff_catalog(catalog, listing, resolve_mapping(openrouter.DEFAULT_PROVIDER_MAP))
    report = replace(report, drift=tuple(d for d in report.drift if d.kind == "new"))
    text = apply_patch(ANCHORED, build_patch(report, catalog, accepted_apis=APIS), name="models.yml").text
    return text, name


@pytest.fixture(scope="module")
def results(omp_probe: OmpProbe) -> dict[str, Any]:
    base = json.loads(omp_probe.install.catalog_path.read_text(encoding="utf-8"))
    odd, name = _odd_name_overlay(base)
    texts = {"seed": _seed_overlay(), "twins": TWINS, "odd": odd}
    return {"texts": texts, "name": name, "omp": omp_probe.results(texts)}


def test_seed_fix_puts_minimax_m3_on_minimaxs_own_endpoint(results: dict[str, Any]) -> None:
    assert "MiniMax-M3-thinking" not in results["texts"]["seed"]
    result: OmpResult = results["omp"]["seed"]
    assert result.accepted, result.error
    m3 = result.changed[("minimax", "MiniMax-M3")]
    assert (m3["baseUrl"], m3["api"]) == ("https://api.minimax.io/anthropic", "anthropic-messages")
    assert m3["contextWindow"] == 1048576


def test_omp_folds_a_thinking_twin_into_its_base(results: dict[str, Any]) -> None:
    result: OmpResult = results["omp"]["twins"]
    assert result.accepted, result.error
    assert ("minimax", "MiniMax-M9") in result.changed
    assert ("minimax", "MiniMax-M9-thinking") not in result.changed


def test_a_name_with_nel_reads_back_exactly_in_omp(results: dict[str, Any]) -> None:
    result: OmpResult = results["omp"]["odd"]
    assert result.accepted, result.error
    assert result.changed[("openrouter", "z/odd")]["name"] == results["name"]
    assert results["texts"]["odd"].startswith("common: &common\n  baseUrl: https://openrouter.ai/api/v1\n")
