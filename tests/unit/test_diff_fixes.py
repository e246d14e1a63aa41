"""--write-overlay: the patch built from a drift report, written with ruamel round trip.

The round trip is the point: the written overlay validates, and merged over the same catalog it
removes the new/changed drift it was built from, touching nothing else.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from catalogmgr.documents import parse_document
from catalogmgr.drift.diff import DriftReport, diff_catalog, resolve_mapping
from catalogmgr.drift.fixes import (
    OverlayPatch,
    apply_patch,
    build_patch,
    default_api_key_env,
    new_model_definition,
    patch_data,
    provider_setup,
)
from catalogmgr.errors import InputError
from catalogmgr.merge import Catalog, Layer, merge_catalog
from catalogmgr.omp.schemas import load_schema
from catalogmgr.upstream import openrouter
from catalogmgr.upstream.fetch import SOURCES, load_listing_file
from catalogmgr.upstream.listing import UpstreamListing, UpstreamModel
from catalogmgr.upstream.normalize import VARIABLE
from catalogmgr.validation import validate_document

FIXTURES = Path(__file__).resolve().parent.parent / "upstream" / "fixtures"
MAPPING = resolve_mapping(openrouter.DEFAULT_PROVIDER_MAP)
APIS: list[str] = load_schema("overlay")["$defs"]["api"]["enum"]


def small_catalog() -> Catalog:
    data: Catalog = json.loads((FIXTURES / "catalog-small.json").read_text())
    return data


def small_listing() -> UpstreamListing:
    return load_listing_file(SOURCES["openrouter"], FIXTURES / "openrouter-small.json")


@pytest.fixture
def report() -> DriftReport:
    return diff_catalog(small_catalog(), small_listing(), MAPPING)


@pytest.fixture
def patch(report: DriftReport) -> OverlayPatch:
    return build_patch(report, small_catalog(), accepted_apis=APIS)


def validate(text: str, name: str = "models.yml") -> list[str]:
    document = parse_document(text, name=name, fmt="yaml")
    return [p.to_line() for p in validate_document(document, "overlay") if p.is_error]


def merged(text: str, base: Catalog | None = None) -> Catalog:
    document = parse_document(text, name="models.yml", fmt="yaml")
    return merge_catalog(base or small_catalog(), [Layer("models.yml", document.data, document)]).catalog


def test_patch_contents(patch: OverlayPatch) -> None:
    assert patch_data(patch) == {
        "providers": {
            "openrouter": {
                "baseUrl": "https://openrouter.ai/api/v1",
                "apiKey": "OPENROUTER_API_KEY",
                "models": [
                    {
                        "id": "minimax/minimax-m3:free",
                        "name": "MiniMax M3 (free)",
                        "api": "openai-completions",
                        "reasoning": False,
                        "input": ["text"],
                        "contextWindow": 262144,
                        "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0},
                    },
                    {
                        "id": "moonshotai/kimi-k3",
                        "name": "Kimi K3",
                        "api": "openai-completions",
                        "reasoning": True,
                        "input": ["text", "image"],
                        "contextWindow": 262144,
                        "maxTokens": 65536,
                        "cost": {"input": 0.6, "output": 2.5, "cacheRead": 0.15, "cacheWrite": 0},
                        "compat": {"supportsToolChoice": False},
                    },
                ],
                "modelOverrides": {
                    "minimax/minimax-m3-20260531": {
                        "contextWindow": 1048576,
                        "maxTokens": 512000,
                        "cost": {"cacheRead": 0.06},
                    }
                },
            }
        }
    }
    assert patch.skipped == (
        "not applied: 1 gone and 1 scheduled removal (reported only: catalogmgr never removes models)",
    )
    assert set(patch.fixed) == {
        ("openrouter", "minimax/minimax-m3:free"),
        ("openrouter", "moonshotai/kimi-k3"),
        ("openrouter", "minimax/minimax-m3-20260531"),
    }


def test_new_file_validates_and_merged_removes_the_drift(patch: OverlayPatch) -> None:
    applied = apply_patch(None, patch, name="models.yml")
    text, notes = applied.text, applied.notes
    assert applied.unwritten == frozenset()
    assert validate(text) == []
    effective = merged(text)
    after = diff_catalog(effective, small_listing(), MAPPING)
    assert [(d.kind, d.model_id) for d in after.drift] == [
        ("removal", "z-ai/glm-4.5"),
        ("gone", "old/retired-model"),
    ]
    # Nothing else moved: every model the patch does not fix is exactly as before.
    before = small_catalog()
    for model_id, model in before["openrouter"].items():
        if model_id != "minimax/minimax-m3-20260531":
            assert effective["openrouter"][model_id] == model
    assert effective["minimax"] == before["minimax"]
    assert notes[0].startswith("openrouter: added baseUrl https://openrouter.ai/api/v1")
    assert "export OPENROUTER_API_KEY" in notes[1]


def test_new_file_text(patch: OverlayPatch) -> None:
    text = apply_patch(None, patch, name="models.yml").text
    assert text.startswith("# OMP models.yml overlay; models and overrides from openrouter were added by")
    assert "      - id: moonshotai/kimi-k3  # new upstream (openrouter)\n" in text
    assert "        input: [text, image]\n" in text
    assert (
        "        cost: {input: 0.6, output: 2.5, cacheRead: 0.15, cacheWrite: 0}"
        "  # cacheWrite: not listed upstream, 0 here\n"
    ) in text
    assert (
        "      minimax/minimax-m3-20260531:  # openrouter: contextWindow 1000000 -> 1048576;"
        " maxTokens 16384 -> 512000; cost.cacheRead 0.05 -> 0.06\n"
    ) in text


EXISTING = textwrap.dedent(
    """\
    # My overlay: kept in git.
    providers:
      openrouter:
        apiKey: MY_OPENROUTER_KEY   # my own variable
        headers:
          X-Title: my-agent
        modelOverrides:
          minimax/minimax-m3-20260531:
            contextWindow: 900000    # tried this once
            cost: {input: 0.3}
      # MiniMax: the China endpoint
      minimax:
        baseUrl: "https://api.minimaxi.com/anthropic"
        apiKey: MINIMAX_API_KEY
        disableStrictTools: true
    """
)


def test_existing_file_keeps_comments_order_and_the_users_values(patch: OverlayPatch) -> None:
    applied = apply_patch(EXISTING, patch, name="models.yml")
    text, notes = applied.text, applied.notes
    assert validate(text) == []
    lines = text.splitlines()
    assert lines[0] == "# My overlay: kept in git."
    assert "    apiKey: MY_OPENROUTER_KEY   # my own variable" in lines  # kept, not replaced
    assert '    baseUrl: "https://api.minimaxi.com/anthropic"' in lines  # quotes kept
    # baseUrl is added (OMP requires it once the provider defines models) next to the key.
    assert lines.index("    baseUrl: https://openrouter.ai/api/v1") < lines.index(
        "    apiKey: MY_OPENROUTER_KEY   # my own variable"
    )
    assert [n.split(":")[0] for n in notes] == ["openrouter"]  # only baseUrl had to be added
    # The user's own override value is kept (and reported); the cost is merged per sub-field.
    assert "        contextWindow: 900000    # tried this once" in lines
    assert "        cost: {input: 0.3, cacheRead: 0.06}" in lines
    assert [k.describe() for k in applied.kept] == [
        "openrouter/minimax/minimax-m3-20260531 contextWindow: kept your 900000"
        " (upstream: 1048576; --overwrite replaces it)"
    ]
    # --overwrite replaces it, and its comment stays on its line.
    overwritten = apply_patch(EXISTING, patch, name="models.yml", overwrite=True)
    assert "        contextWindow: 1048576   # tried this once" in overwritten.text.splitlines()
    assert overwritten.kept == ()
    # The comment that heads the minimax block still sits right above it.
    assert lines[lines.index("  minimax:") - 1] == "  # MiniMax: the China endpoint"
    # Provider order unchanged; the new models come after the existing keys of openrouter.
    assert lines.index("  openrouter:") < lines.index("    models:") < lines.index("  minimax:")


def test_updating_twice_is_idempotent(patch: OverlayPatch) -> None:
    once = apply_patch(EXISTING, patch, name="models.yml").text
    twice = apply_patch(once, patch, name="models.yml").text
    assert twice == once


def test_a_model_the_file_defines_is_fixed_in_its_definition() -> None:
    text = textwrap.dedent(
        """\
        providers:
          openrouter:
            baseUrl: https://openrouter.ai/api/v1
            apiKey: OPENROUTER_API_KEY
            models:
              - id: moonshotai/kimi-k3
                api: openai-completions
                contextWindow: 100000   # guessed
                cost: {input: 1, output: 1, cacheRead: 0, cacheWrite: 0}
        """
    )
    base = small_catalog()
    effective = merged(text, base)
    report = diff_catalog(effective, small_listing(), MAPPING)
    kimi = next(d for d in report.drift if d.model_id == "moonshotai/kimi-k3")
    assert kimi.kind == "changed"
    patch = build_patch(report, effective, accepted_apis=APIS)
    kept = apply_patch(text, patch, name="models.yml")
    assert "        contextWindow: 100000   # guessed\n" in kept.text  # the user's value, kept
    assert {k.field for k in kept.kept} == {"contextWindow", "cost.input", "cost.output", "cost.cacheRead"}
    updated = apply_patch(text, patch, name="models.yml", overwrite=True).text
    assert "modelOverrides:\n      moonshotai/kimi-k3" not in updated
    assert "        contextWindow: 262144   # guessed\n" in updated
    assert "        cost: {input: 0.6, output: 2.5, cacheRead: 0.15, cacheWrite: 0}\n" in updated
    after = diff_catalog(merged(updated, base), small_listing(), MAPPING)
    assert "moonshotai/kimi-k3" not in {d.model_id for d in after.drift if d.kind == "changed"}


def test_auth_none_needs_no_api_key(patch: OverlayPatch) -> None:
    applied = apply_patch("providers:\n  openrouter:\n    auth: none\n", patch, name="models.yml")
    text, notes = applied.text, applied.notes
    assert "apiKey" not in text
    assert validate(text) == []
    assert not any("apiKey" in note for note in notes)


def test_unsupported_api_is_skipped_with_a_reason() -> None:
    catalog = {"cursor": {"a": {"api": "cursor-agent", "baseUrl": "https://cursor.example"}}}
    assert provider_setup("cursor", catalog, APIS) == (
        "cursor: its models use api 'cursor-agent', which models.yml does not accept,"
        " so new models are not written"
    )
    assert provider_setup("nothing", {}, APIS) == (
        "nothing: no model has an api and a baseUrl to copy, so new models are not written"
    )


def test_provider_setup_takes_the_most_common_endpoint() -> None:
    catalog = {
        "p": {
            "a": {"api": "openai-completions", "baseUrl": "https://one"},
            "b": {"api": "anthropic-messages", "baseUrl": "https://two"},
            "c": {"api": "anthropic-messages", "baseUrl": "https://two"},
        }
    }
    setup = provider_setup("p", catalog, APIS)
    assert not isinstance(setup, str)
    assert (setup.api, setup.base_url, setup.api_key_env) == (
        "anthropic-messages",
        "https://two",
        None,  # an unknown provider: no key variable is invented
    )


def test_api_key_names_follow_omps_table() -> None:
    assert default_api_key_env("openrouter") == "OPENROUTER_API_KEY"
    assert default_api_key_env("moonshot") == "MOONSHOT_API_KEY"
    assert default_api_key_env("amazon-bedrock") is None  # AWS credentials, computed by OMP
    assert default_api_key_env("google-vertex") is None  # Google ADC
    assert default_api_key_env("my-gateway") is None  # unknown: no name is invented


def test_no_api_key_is_invented_for_providers_without_a_key_variable() -> None:
    catalog = {"amazon-bedrock": {"a": {"api": "bedrock-converse-stream", "baseUrl": "https://bedrock"}}}
    listing = UpstreamListing(
        "models.dev", "x", {"amazon-bedrock": {"a": UpstreamModel("a"), "b": UpstreamModel("b", name="B")}}
    )
    report = diff_catalog(catalog, listing, {"amazon-bedrock": ("amazon-bedrock",)})
    patch = build_patch(report, catalog, accepted_apis=APIS)
    applied = apply_patch(None, patch, name="models.yml")
    assert applied.unwritten == {("amazon-bedrock", "b")}
    assert "apiKey" not in applied.text
    assert applied.notes[0].startswith(
        "amazon-bedrock: new models not written: OMP requires apiKey (or auth)"
    )
    # With the user's own auth settings in the file, the model is written.
    own = apply_patch(
        "providers:\n  amazon-bedrock:\n    apiKey: '!aws-vault exec x -- printenv K'\n",
        patch,
        name="models.yml",
    )
    assert own.unwritten == frozenset()
    assert "- id: b" in own.text


def test_variable_and_unlisted_prices_are_written_as_zero_with_a_reason() -> None:
    model = UpstreamModel("openrouter/auto", name="Auto Router", cost={"input": VARIABLE, "output": VARIABLE})
    definition, comment = new_model_definition(model, "openai-completions")
    assert definition["cost"] == {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0}
    assert (
        comment
        == "cacheRead, cacheWrite: not listed upstream, 0 here; input, output: variable upstream, 0 here"
    )


def test_thinking_is_suggested_from_upstream_efforts() -> None:
    listing = small_listing()
    m3 = listing.providers["openrouter"]["minimax/minimax-m3"]
    definition, _ = new_model_definition(m3, "openai-completions")
    assert definition["thinking"] == {
        "mode": "effort",
        "efforts": ["low", "medium", "high"],
        "defaultLevel": "medium",
    }
    assert (
        validate(
            json.dumps({"providers": {"x": {"baseUrl": "https://x", "apiKey": "K", "models": [definition]}}})
        )
        == []
    )


@pytest.mark.parametrize("existing", ["- a list\n", "providers: [1, 2]\n", "providers:\n  openrouter: 5\n"])
def test_files_that_cannot_be_edited_are_refused(patch: OverlayPatch, existing: str) -> None:
    with pytest.raises(InputError, match=r"^models\.yml: cannot edit"):
        apply_patch(existing, patch, name="models.yml")


def test_nothing_to_fix_is_an_empty_patch(patch: OverlayPatch) -> None:
    report = diff_catalog(small_catalog(), small_listing(), MAPPING)
    only_gone = DriftReport(
        report.source, report.origin, None, False, (), tuple(d for d in report.drift if d.kind == "gone")
    )
    assert build_patch(only_gone, small_catalog(), accepted_apis=APIS).is_empty


@pytest.mark.shared
def test_real_user_file_is_updated_in_place(shared: Any) -> None:
    source = shared("data", "user-models-yml", "AzurIce__.dotfiles.models.yml").read_text()
    patch = build_patch(
        diff_catalog(small_catalog(), small_listing(), MAPPING), small_catalog(), accepted_apis=APIS
    )
    text = apply_patch(source, patch, name="models.yml").text
    original_lines = [line for line in source.splitlines() if line.strip()]
    # Every original line is still there, in the same order.
    remaining = iter(text.splitlines())
    assert all(any(line == candidate for candidate in remaining) for line in original_lines)
