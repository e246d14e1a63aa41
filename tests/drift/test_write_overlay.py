"""--write-overlay writes a correct fix: no empty stub, no model OMP would drop, the user's values and
comments kept, anchors left alone, names that read back as written, directories created."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from catalogmgr.documents import parse_document
from catalogmgr.drift.diff import DriftReport, diff_catalog, resolve_mapping
from catalogmgr.drift.fixes import apply_patch, build_patch, thinking_twin_base
from catalogmgr.merge import Catalog, Layer, merge_catalog
from catalogmgr.omp.schemas import load_schema
from catalogmgr.upstream import openrouter
from catalogmgr.upstream.listing import UpstreamListing, UpstreamModel
from catalogmgr.validation import validate_document

APIS: list[str] = load_schema("overlay")["$defs"]["api"]["enum"]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "modelsdev-minimax-m3.json"
MAPPING = resolve_mapping(openrouter.DEFAULT_PROVIDER_MAP)
ENDPOINT = {"api": "openai-completions", "baseUrl": "https://openrouter.ai/api/v1"}


def errors(text: str) -> list[str]:
    document = parse_document(text, name="models.yml", fmt="yaml")
    return [p.to_line() for p in validate_document(document, "overlay") if p.is_error]


def merged(text: str, base: Catalog) -> Catalog:
    document = parse_document(text, name="models.yml", fmt="yaml")
    return merge_catalog(base, [Layer("models.yml", document.data, document)]).catalog


def openrouter_report(catalog: Catalog, *models: UpstreamModel) -> DriftReport:
    listing = UpstreamListing("openrouter", "x.json", {"openrouter": {m.id: m for m in models}})
    return diff_catalog(catalog, listing, MAPPING)


def test_thinking_twin_base_follows_omps_rule() -> None:
    assert thinking_twin_base("MiniMax-M3-thinking") == "MiniMax-M3"
    assert thinking_twin_base("x/claude-sonnet-4-thinking-fast") == "x/claude-sonnet-4-fast"  # infix
    assert thinking_twin_base("deepseek-reasoner") == "deepseek"
    assert thinking_twin_base("model-non-thinking") is None
    assert thinking_twin_base("model-thinkingx") is None
    assert thinking_twin_base("plain") is None


def test_a_thinking_twin_omp_would_fold_is_not_written() -> None:
    catalog = {"openrouter": {"a/old": {**ENDPOINT, "cost": {"input": 1, "output": 2}}}}
    base = UpstreamModel("a/m3", name="M3", cost={"input": 1, "output": 2}, context_window=10)
    twin = UpstreamModel(
        "a/m3-thinking", name="M3 Thinking", cost={"input": 1, "output": 2}, context_window=10
    )
    priced = UpstreamModel("a/m4-thinking", name="M4 T", cost={"input": 5, "output": 9})
    bare = UpstreamModel("a/m4", name="M4", cost={"input": 1, "output": 2})
    patch = build_patch(openrouter_report(catalog, base, twin, priced, bare), catalog, accepted_apis=APIS)
    written = {new.definition["id"] for new in patch.new_models}
    assert written == {"a/m3", "a/m4", "a/m4-thinking"}  # different prices: distinct SKUs, OMP keeps both
    assert any("a/m3-thinking: not written: OMP folds it into openrouter/a/m3" in s for s in patch.skipped)


def test_no_empty_provider_stub_when_a_provider_cannot_take_models() -> None:
    # amazon-bedrock authenticates without a key variable: nothing can be written there, and
    # nothing is: not even an empty `amazon-bedrock:` entry, which OMP would reject.
    catalog = {"amazon-bedrock": {"a": {"api": "bedrock-converse-stream", "baseUrl": "https://bedrock"}}}
    listing = UpstreamListing("models.dev", "x", {"amazon-bedrock": {"b": UpstreamModel("b", name="B")}})
    report = diff_catalog(catalog, listing, {"amazon-bedrock": ("amazon-bedrock",)})
    applied = apply_patch(None, build_patch(report, catalog, accepted_apis=APIS), name="models.yml")
    assert "amazon-bedrock" not in applied.text
    assert applied.unwritten == {("amazon-bedrock", "b")}


ANCHORED = textwrap.dedent(
    """\
    common: &common
      baseUrl: https://openrouter.ai/api/v1
      modelOverrides:
        a/keep: {name: Mine}
    providers:
      openrouter:
        <<: *common
        apiKey: OPENROUTER_API_KEY
      other:
        <<: *common
        apiKey: OTHER_KEY
    """
)


def test_an_anchor_shared_with_another_provider_is_not_rewritten() -> None:
    catalog = {
        "openrouter": {"a/x": {**ENDPOINT, "contextWindow": 100}, "a/keep": {**ENDPOINT, "name": "Mine"}},
        "other": {"a/x": {**ENDPOINT, "contextWindow": 100}},
    }
    report = openrouter_report(catalog, UpstreamModel("a/x", context_window=200), UpstreamModel("a/keep"))
    patch = build_patch(report, catalog, accepted_apis=APIS)
    text = apply_patch(ANCHORED, patch, name="models.yml").text
    assert errors(text) == []
    result = merged(text, catalog)
    assert result["openrouter"]["a/x"]["contextWindow"] == 200
    assert result["other"]["a/x"]["contextWindow"] == 100  # the other provider gained nothing
    assert result["openrouter"]["a/keep"]["name"] == "Mine"  # the anchor's own overrides still apply
    assert text.startswith("common: &common\n  baseUrl: https://openrouter.ai/api/v1\n  modelOverrides:\n")


def test_an_aliased_provider_entry_is_copied_before_it_is_edited() -> None:
    source = "providers:\n  openrouter: &x\n    baseUrl: https://openrouter.ai/api/v1\n"
    source += "    apiKey: K\n  other: *x\n"
    catalog = {"openrouter": {"a/x": {**ENDPOINT, "contextWindow": 1}}, "other": {"a/x": {**ENDPOINT}}}
    patch = build_patch(
        openrouter_report(catalog, UpstreamModel("a/x", context_window=2)), catalog, accepted_apis=APIS
    )
    text = apply_patch(source, patch, name="models.yml").text
    data = parse_document(text, name="models.yml", fmt="yaml").data
    assert "modelOverrides" in data["providers"]["openrouter"]
    assert "modelOverrides" not in data["providers"]["other"]


@pytest.mark.parametrize("odd", ["\x85", "\u2028", "\u2029", "\x1b", "\ufeff"])
def test_names_with_line_breaks_and_controls_read_back_exactly(odd: str) -> None:
    catalog = {"openrouter": {"a/old": {**ENDPOINT}}}
    name = f"Model{odd}Name"
    patch = build_patch(
        openrouter_report(catalog, UpstreamModel("a/new", name=name)), catalog, accepted_apis=APIS
    )
    text = apply_patch(None, patch, name="models.yml").text
    data: Any = parse_document(text, name="models.yml", fmt="yaml").data
    assert data["providers"]["openrouter"]["models"][0]["name"] == name
    # So the drift clears: compared again, the name matches.
    after = openrouter_report(merged(text, catalog), UpstreamModel("a/new", name=name))
    assert [d.kind for d in after.drift if d.model_id == "a/new"] == []


# ------------------------------------------------------------------------------------------------
# Through the command


def _write(run_cli: Any, base: str, listing: str, target: Path, *extra: str) -> Any:
    return run_cli(
        "diff-upstream",
        "--no-default-overlay",
        "--base",
        base,
        "--source",
        "models.dev",
        "--upstream-file",
        listing,
        "--only",
        "new",
        "--write-overlay",
        str(target),
        *extra,
    )


@pytest.mark.shared
@pytest.mark.parametrize("providers", ["minimax", "minimax,minimax-cn"])
def test_minimax_m3_is_added_on_minimaxs_own_endpoint(
    run_cli: Any, shared: Any, tmp_home: Path, tmp_path: Path, providers: str
) -> None:
    base = str(shared("data", "omp", "pi-ai-15.7.3.models.json"))
    target = tmp_path / "not" / "yet" / "models.yml"  # parent directories are created
    result = _write(run_cli, base, str(FIXTURE), target, "--provider", providers)
    assert result.exit_code == 1, result.stderr  # drift found, and fixed
    text = target.read_text()
    assert errors(text) == []
    assert "minimax-cn" not in text  # nothing new there: no stub
    assert "MiniMax-M3-thinking" not in text  # OMP folds it into MiniMax-M3
    assert "MiniMax-M1" not in text  # deprecated upstream: not offered as new
    assert "minimax/MiniMax-M3-thinking: not written: OMP folds it" in result.stderr
    catalog = json.loads(Path(base).read_text())
    m3 = merged(text, catalog)["minimax"]["MiniMax-M3"]
    assert (m3["baseUrl"], m3["api"]) == ("https://api.minimax.io/anthropic", "anthropic-messages")
    assert "apiKey: MINIMAX_API_KEY" in text
    # Run again (the file not among the overlays compared): it already says all this.
    again = _write(run_cli, base, str(FIXTURE), target, "--provider", providers)
    assert "already says all this: left as it is" in again.stderr
    assert target.read_text() == text


def test_the_users_values_are_kept_and_reported(run_cli: Any, tmp_home: Path, tmp_path: Path) -> None:
    catalog = {"openrouter": {"a/x": {**ENDPOINT, "id": "a/x", "contextWindow": 100, "maxTokens": 10}}}
    base = tmp_path / "models.json"
    base.write_text(json.dumps(catalog))
    listing = tmp_path / "listing.json"
    entry = {"id": "a/x", "context_length": 163840, "top_provider": {"max_completion_tokens": 20}}
    listing.write_text(json.dumps({"data": [entry]}))
    overlay = tmp_path / "models.yml"
    overlay.write_text(
        "providers:\n  openrouter:\n    modelOverrides:\n      a/x:\n"
        "        contextWindow: 131072  # keep at 128k\n"
    )
    args = ["diff-upstream", "--base", str(base), "--overlay", str(overlay), "--upstream-file", str(listing)]
    result = run_cli(*args, "--write-overlay", str(overlay))
    text = overlay.read_text()
    assert "        contextWindow: 131072  # keep at 128k\n" in text
    assert "        maxTokens: 20\n" in text
    assert "openrouter/a/x contextWindow: kept your 131072 (upstream: 163840; --overwrite replaces it)" in (
        result.stderr
    )
    assert "still differs" not in result.stderr
    replaced = run_cli(*args, "--write-overlay", str(overlay), "--overwrite")
    assert replaced.exit_code == 1
    assert "        contextWindow: 163840  # keep at 128k\n" in overlay.read_text()
