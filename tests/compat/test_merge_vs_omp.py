"""Conformance: ``catalogmgr.merge.merge_catalog`` against the real OMP 18.2.3 ``ModelRegistry``.

For every overlay of the corpus (``tests/compat/overlays/*.yml``), over OMP's real bundled catalog,
catalogmgr's effective catalog is compared with OMP's by :func:`catalog_diff.compare`: what the
overlay changes, model by model (see that module for the rule). Known, reasoned divergences are
listed in :data:`KNOWN_DIVERGENCES` (and in the README); any other difference fails, with every
difference of the overlay printed as ``overlay: provider/id: field: ours=... omp=... (why)``.

Run: ``CATALOGMGR_OMP_DIR=.ci/omp/node_modules python -m pytest tests/compat``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest
from catalog_diff import Difference, compare
from corpus import corpus_files, label, shared_user_files
from omp import OmpProbe, OmpResult, Row

from catalogmgr.documents import parse_document
from catalogmgr.omp.settings import RuntimeSettings

merge = pytest.importorskip("catalogmgr.merge", reason="catalogmgr.merge is not there yet")

pytestmark = pytest.mark.omp

CORPUS = corpus_files()
# Real users' files from ../shared join the comparison when present (read there, never copied).
COMPARED = CORPUS + shared_user_files()
# Every overlay is compared under both values of OMP's one model-changing setting; catalogmgr runs
# OMP's runtime policies (catalogmgr.omp.policies) under the same setting.
SETTINGS: dict[str, dict[str, Any] | None] = {
    "extendedContext-off": None,
    "extendedContext-on": {"extendedContext": True},
}


def _always(_difference: Difference) -> bool:
    return True


@dataclass(frozen=True)
class KnownDivergence:
    """A difference from OMP that is understood and accepted; ``reason`` goes to the README.

    ``overlay``, ``model`` (``provider/id``) and ``field`` (``name``, ``compat.x``, ``headers.X``)
    are shell-style patterns matched against each :class:`Difference`; ``applies`` narrows the
    entry to the exact shape of the difference (``condition`` says which, in words).
    """

    overlay: str
    model: str
    field: str
    reason: str
    condition: str = ""
    applies: Callable[[Difference], bool] = field(default=_always, compare=False)

    def matches(self, difference: Difference) -> bool:
        return (
            fnmatchcase(difference.overlay, self.overlay)
            and fnmatchcase(f"{difference.provider}/{difference.model_id}", self.model)
            and fnmatchcase(difference.field, self.field)
            and self.applies(difference)
        )


# Every entry is a deliberate, explained difference; test_known_divergences_still_occur fails when
# one no longer happens, so the list cannot rot. Empty since the Python engine runs OMP's compat
# rule engine for `thinking` (catalogmgr.omp.rule_engine): the derived `thinking` of new models and
# `thinking.requiresEffort` on rebuilt ones were the last entries.
KNOWN_DIVERGENCES: tuple[KnownDivergence, ...] = ()


def known_divergence(difference: Difference) -> KnownDivergence | None:
    return next((entry for entry in KNOWN_DIVERGENCES if entry.matches(difference)), None)


# ------------------------------------------------------------------------------------------------
# Fixtures and tests


@pytest.fixture(scope="module")
def omp_results(omp_probe: OmpProbe) -> dict[tuple[str, str], OmpResult]:
    """OMP's result for every corpus overlay under every setting: one bun process for all of them
    (or the cache), keyed by (settings label, overlay label)."""
    runs = {
        f"{name}\0{label(path)}": (path.read_bytes(), settings)
        for name, settings in SETTINGS.items()
        for path in COMPARED
    }
    found = omp_probe.results_under(runs)
    return {tuple(key.split("\0", 1)): result for key, result in found.items()}  # type: ignore[misc]


@pytest.fixture(scope="module")
def base_catalog(omp_probe: OmpProbe) -> dict[str, dict[str, Row]]:
    """The real catalog OMP reads: its own bundled models.json."""
    catalog: dict[str, dict[str, Row]] = json.loads(
        omp_probe.install.catalog_path.read_text(encoding="utf-8")
    )
    return catalog


@pytest.fixture(scope="module")
def used_divergences() -> set[KnownDivergence]:
    return set()


_compared_overlays: set[str] = set()
_policy_bases: dict[RuntimeSettings, dict[str, dict[str, Row]]] = {}


def _policy_base(base: dict[str, dict[str, Row]], settings: RuntimeSettings) -> dict[str, dict[str, Row]]:
    """The bundled catalog as OMP runs it with no overlay under ``settings`` (computed once)."""
    if settings not in _policy_bases:
        _policy_bases[settings] = merge.merge_catalog(base, [], settings=settings).catalog
    return _policy_bases[settings]


def test_corpus_has_at_least_30_overlays() -> None:
    assert len(CORPUS) >= 30, [path.name for path in CORPUS]


def test_base_is_omps_bundled_catalog(omp_probe: OmpProbe, shared: Any) -> None:
    """The catalog both sides start from is the one in ../shared (pi-catalog 18.2.3), byte for byte."""
    shared_copy = shared("data", "omp", "pi-catalog-18.2.3.models.json")
    assert omp_probe.install.catalog_path.read_bytes() == shared_copy.read_bytes()


def test_baseline_has_every_bundled_model(
    omp_probe: OmpProbe, base_catalog: dict[str, dict[str, Row]]
) -> None:
    """OMP with no overlay lists exactly the bundled models (the diff below relies on it)."""
    bundled = {(p, i) for p, models in base_catalog.items() for i in models}
    assert set(omp_probe.baseline()) == bundled


@pytest.mark.parametrize("setting", list(SETTINGS))
@pytest.mark.parametrize("path", COMPARED, ids=label)
def test_merge_matches_omp(
    path: Path,
    setting: str,
    omp_probe: OmpProbe,
    omp_results: dict[tuple[str, str], OmpResult],
    base_catalog: dict[str, dict[str, Row]],
    used_divergences: set[KnownDivergence],
) -> None:
    result = omp_results[(setting, label(path))]
    settings = SETTINGS[setting]
    runtime = RuntimeSettings(extended_context=bool(settings and settings.get("extendedContext")))
    if not result.accepted and path not in CORPUS:
        pytest.skip(f"OMP 18.2.3 rejects this user's file, so it runs none of it: {result.error}")
    assert result.accepted, f"OMP rejects this corpus overlay (fix the overlay): {result.error}"
    text = path.read_text(encoding="utf-8")
    document = parse_document(text, name=str(path), fmt="yaml")
    merged = merge.merge_catalog(
        base_catalog,
        [merge.Layer(name=path.name, data=document.data, document=document)],
        settings=runtime,
    )
    # What the overlay changes is measured from each side's own no-overlay catalog: OMP's baseline
    # under the same settings, and ours with the same runtime policies.
    policy_base = _policy_base(base_catalog, runtime)
    differences = compare(
        path.name, document.data, policy_base, merged.catalog, omp_probe.baseline(settings), result
    )
    unexpected = []
    for difference in differences:
        entry = known_divergence(difference)
        if entry is None:
            unexpected.append(difference)
        else:
            used_divergences.add(entry)
    _compared_overlays.add(path.name)
    assert not unexpected, f"{len(unexpected)} difference(s) from OMP 18.2.3:\n" + "\n".join(
        str(difference) for difference in unexpected
    )


def test_known_divergences_still_occur(used_divergences: set[KnownDivergence]) -> None:
    """An allow-list entry that matches nothing any more must go (runs after the corpus tests)."""
    if not {path.name for path in CORPUS} <= _compared_overlays:
        pytest.skip("only meaningful when every corpus overlay was compared in this run")
    stale = [entry for entry in KNOWN_DIVERGENCES if entry not in used_divergences]
    assert not stale, "known divergences that no longer occur:\n" + "\n".join(map(str, stale))


def test_base_catalog_not_mutated(omp_probe: OmpProbe, base_catalog: dict[str, dict[str, Row]]) -> None:
    """merge_catalog shares the base's untouched model dicts: after the whole corpus, the base is
    still byte-for-byte what OMP bundles."""
    pristine = json.loads(omp_probe.install.catalog_path.read_text(encoding="utf-8"))
    assert base_catalog == pristine
