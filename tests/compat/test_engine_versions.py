"""Differential: the exact engine on every installed OMP release (13.19 ... 18.2.x).

For every npm install under ``$CATALOGMGR_OMP_ROOT`` (``.ci/install-omp.sh``; the unpacked
18.2.9/18.3.4 tarballs have no bundled catalog and are left out), ONE bun process of the package's
bridge runs that release's own ``ModelRegistry`` over a quarter of the merge corpus (every fourth
file: ten releases over the whole corpus took 15 minutes on a loaded 2-core machine, beyond the CI
budget; 18.2.3 gets the whole corpus in ``test_engine_vs_omp.py``), with
:func:`catalogmgr.engine.omp_effective_catalogs`. Checked per release:

* the bridge works with that release's layout (``pi-ai`` catalog before 17, ``sdk.ts``'s
  ``discoverAuthStorage`` before 17, the settings reset's older name);
* OMP's verdict on each overlay through the engine (``getError()``) is the release's own verdict
  recorded in ``verdicts/omp-versions.json`` by its loader (``omp_versions.py``);
* with no overlay, the engine lists exactly the release's bundled models;
* an accepted overlay's new models are in the engine's catalog.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus import corpus_files, label
from omp_versions import Release, find_bun, installed_releases, load_record, omp_root

from catalogmgr.documents import parse_document
from catalogmgr.engine import OmpRuntime, omp_effective_catalogs
from catalogmgr.merge import Layer
from catalogmgr.omp.install import CATALOG_PACKAGE_FILES
from catalogmgr.omp.profile import OmpVersion

pytestmark = pytest.mark.omp

ROOT = omp_root()
RELEASES = [release for release in (installed_releases(ROOT) if ROOT else []) if not release.source_only]
NO_OVERLAY = "(no overlay)"
SAMPLE = corpus_files()[::4]


def _runtime(release: Release) -> OmpRuntime:
    assert ROOT is not None
    bun = find_bun(release, ROOT)
    if bun is None:
        pytest.skip(f"no bun for OMP {release.version} under {ROOT}")
    catalog = next(
        (
            release.node_modules / file
            for file in CATALOG_PACKAGE_FILES
            if (release.node_modules / file).is_file()
        ),
        None,
    )
    if catalog is None:
        pytest.skip(f"OMP {release.version} under {ROOT} has no bundled catalog")
    return OmpRuntime(release.node_modules, OmpVersion.parse(release.version), Path(bun), catalog)


def _layers(path: Path) -> list[Layer]:
    document = parse_document(path.read_text(encoding="utf-8"), name=str(path), fmt="yaml")
    return [Layer(name=path.name, data=document.data, document=document)]


def _new_model_ids(path: Path) -> set[tuple[str, str]]:
    """(provider, id) of the models a corpus overlay defines under ``models:``."""
    document = parse_document(path.read_text(encoding="utf-8"), name=str(path), fmt="yaml")
    providers = document.data.get("providers") if isinstance(document.data, dict) else None
    found = set()
    for provider, config in (providers or {}).items():
        for model in (config or {}).get("models") or [] if isinstance(config, dict) else []:
            if isinstance(model, dict) and isinstance(model.get("id"), str):
                found.add((str(provider), model["id"]))
    return found


@pytest.mark.parametrize("release", RELEASES, ids=lambda release: release.version)
def test_engine_runs_each_release(release: Release) -> None:
    runtime = _runtime(release)
    files = {label(path): path for path in SAMPLE}
    overlays = {key: _layers(path) for key, path in files.items()}
    overlays[NO_OVERLAY] = []
    answers = omp_effective_catalogs(runtime, overlays, timeout=300)

    assert {answer.omp_version for answer in answers.values()} == {release.version}
    bundled = json.loads(runtime.catalog.read_text(encoding="utf-8"))
    no_overlay = answers[NO_OVERLAY].catalog
    assert {(p, i) for p, models in no_overlay.items() for i in models} == {
        (p, i) for p, models in bundled.items() for i in models
    }

    recorded = load_record().get(release.version, {})
    wrong_verdicts = {}
    missing_models = {}
    for key, path in files.items():
        answer = answers[key]
        verdict = "error" if answer.error else "ok"
        if key in recorded and recorded[key] != verdict:
            wrong_verdicts[key] = (recorded[key], verdict, answer.error)
        if answer.error is None:
            listed = {(p, i) for p, models in answer.catalog.items() for i in models}
            absent = _new_model_ids(path) - listed
            # OMP collapses an `X-thinking` (`-reasoner`, `-reasoning`) twin into `X` of the same
            # provider when `X` is listed; not a loss.
            absent = {(p, i) for p, i in absent if not _collapsed_twin(p, i, listed)}
            if absent:
                missing_models[key] = sorted(absent)[:5]
    assert not wrong_verdicts, f"engine verdicts differ from OMP {release.version}'s loader: {wrong_verdicts}"
    assert not missing_models, f"models an accepted overlay defines are missing: {missing_models}"


_TWIN_TOKENS = ("-thinking", "-reasoner", "-reasoning")


def _collapsed_twin(provider: str, model_id: str, listed: set[tuple[str, str]]) -> bool:
    """Whether ``model_id`` is the thinking twin of a model OMP lists in the same provider."""
    return any(
        model_id.lower().endswith(token) and (provider, model_id[: -len(token)]) in listed
        for token in _TWIN_TOKENS
    )
