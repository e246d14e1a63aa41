"""Conformance: with no overlay, the Python engine's effective catalog is OMP 18.2.3's ``getAll()``.

OMP's ``ModelRegistry`` rewrites bundled models at load (``#applyHardcodedModelPolicies``: the
long-context cap with ``extendedContext`` off, the extended maximum with it on, gpt-5.4's window,
``ollama-cloud``'s ``omitMaxOutputTokens``). :mod:`catalogmgr.omp.policies` reproduces them; here
the whole effective catalog, every model and every compared field, is compared with OMP's own
under each setting (one bun process per setting, or none when the probe's cache is warm).

Run: ``CATALOGMGR_OMP_DIR=.ci/omp/node_modules python -m pytest tests/compat/test_policies_vs_omp.py``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from catalog_diff import COMPARED_FIELDS, MISSING, same
from omp import OmpProbe, Row

from catalogmgr.merge import merge_catalog
from catalogmgr.omp.settings import RuntimeSettings

pytestmark = pytest.mark.omp

# Every field the issue names, plus the one policy field that is not among them.
FULL_FIELDS = (*COMPARED_FIELDS, "compat", "omitMaxOutputTokens")
SETTINGS = {"extendedContext off": None, "extendedContext on": {"extendedContext": True}}


@pytest.fixture(scope="module")
def base_catalog(omp_probe: OmpProbe) -> dict[str, dict[str, Row]]:
    catalog: dict[str, dict[str, Row]] = json.loads(
        omp_probe.install.catalog_path.read_text(encoding="utf-8")
    )
    return catalog


def _differences(ours: dict[str, dict[str, Row]], omp_rows: dict[tuple[str, str], Row]) -> list[str]:
    found = []
    ours_keys = {(p, i) for p, models in ours.items() for i in models}
    for key in sorted(ours_keys ^ set(omp_rows)):
        found.append(f"{key[0]}/{key[1]}: only in {'ours' if key in ours_keys else 'OMP'}")
    for (provider, model_id), row in omp_rows.items():
        model = ours.get(provider, {}).get(model_id)
        if model is None:
            continue
        for name in FULL_FIELDS:
            mine: Any = model.get(name, MISSING)
            theirs: Any = row.get(name, MISSING)
            if not same(mine, theirs):
                found.append(f"{provider}/{model_id}: {name}: ours={mine!r} omp={theirs!r}")
    return found


@pytest.mark.parametrize("label", list(SETTINGS))
def test_no_overlay_catalog_equals_omp(
    label: str, omp_probe: OmpProbe, base_catalog: dict[str, dict[str, Row]]
) -> None:
    settings = SETTINGS[label]
    omp_rows = omp_probe.baseline(settings)
    runtime = RuntimeSettings(extended_context=bool(settings and settings.get("extendedContext")))
    ours = merge_catalog(base_catalog, [], settings=runtime).catalog
    differences = _differences(ours, omp_rows)
    assert not differences, f"{len(differences)} difference(s) from OMP 18.2.3 ({label}):\n" + "\n".join(
        differences[:50]
    )


def test_as_written_view_differs_where_policies_apply(
    omp_probe: OmpProbe, base_catalog: dict[str, dict[str, Row]]
) -> None:
    """The file-only view (no settings) is the bundled file itself: the policies are what closes
    the gap, so this would fail if the comparison above could not see them."""
    as_written = merge_catalog(base_catalog, []).catalog
    assert as_written == base_catalog
    assert _differences(as_written, omp_probe.baseline(None)), "OMP applies no policy to its catalog?"
