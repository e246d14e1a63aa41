"""A merge limited to some providers (``show``/``list`` of one provider) is the whole merge, filtered;
one without the provenance of untouched models keeps every change's origins.

Over OMP 18.2.3's real catalog (embedded) with its runtime policies, for every overlay of the merge
corpus: the models of the providers asked for, their provenance, and every warning are what the
whole merge gives (key order included); the generated-data law is in ``tests/property``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalogmgr.catalog import load_embedded_default
from catalogmgr.documents import load_document
from catalogmgr.errors import CatalogmgrError
from catalogmgr.merge import Layer, merge_catalog
from catalogmgr.omp.profile import DEFAULT_PROFILE
from catalogmgr.omp.settings import DEFAULT_SETTINGS, RuntimeSettings

CORPUS = sorted((Path(__file__).resolve().parents[1] / "compat" / "overlays").glob("*.yml"))
# Providers with long-context tiers, Codex clamps, thinking twins... and one no overlay names.
ALWAYS = ("openai", "openrouter", "anthropic", "google")


def _layer(path: Path) -> Layer:
    document = load_document(path, name=path.name)
    return Layer(
        name=path.name, data=document.data if isinstance(document.data, dict) else {}, document=document
    )


def _check_scopes(path: Path, runtime: RuntimeSettings) -> None:
    try:
        layers = [_layer(path)]
    except CatalogmgrError:
        pytest.skip("not readable as an overlay (the validation suite covers it)")
    base = load_embedded_default()
    named = layers[0].data.get("providers")
    providers = list(dict.fromkeys([*(named if isinstance(named, dict) else {}), *ALWAYS]))
    whole = merge_catalog(base, layers, profile=DEFAULT_PROFILE, settings=runtime)
    # One provider the overlay names (or none), and every provider it names plus a few bundled ones.
    for scope in (providers[:1], providers):
        scoped = merge_catalog(base, layers, profile=DEFAULT_PROFILE, settings=runtime, providers=scope)
        expected = {name: models for name, models in whole.catalog.items() if name in scope}
        assert json.dumps(scoped.catalog) == json.dumps(expected), scope
        assert scoped.provenance == {key: value for key, value in whole.provenance.items() if key[0] in scope}
        assert scoped.problems == whole.problems
    # Without the provenance of untouched models: the same catalog, every change's origins kept.
    lean = merge_catalog(base, layers, profile=DEFAULT_PROFILE, settings=runtime, provenance=False)
    assert json.dumps(lean.catalog) == json.dumps(whole.catalog)
    changed = {
        (provider, model_id)
        for provider, models in whole.catalog.items()
        for model_id, model in models.items()
        if base.get(provider, {}).get(model_id) is not model
    }
    assert {key: lean.provenance[key] for key in changed} == {key: whole.provenance[key] for key in changed}


# Every eighth corpus file in the everyday suite (four merges of 5,000 models each); all of them,
# also under extendedContext, in the slow tier.
@pytest.mark.parametrize("path", CORPUS[::8], ids=lambda path: path.name)
def test_scoped_merge_of_a_corpus_overlay_is_the_whole_merge_filtered(path: Path) -> None:
    _check_scopes(path, DEFAULT_SETTINGS)


@pytest.mark.slow
@pytest.mark.parametrize("extended_context", [False, True])
@pytest.mark.parametrize("path", CORPUS, ids=lambda path: path.name)
def test_scoped_merge_of_every_corpus_overlay(path: Path, extended_context: bool) -> None:
    _check_scopes(path, RuntimeSettings(extended_context=extended_context))
