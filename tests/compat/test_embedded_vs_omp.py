"""The embedded catalog against the real OMP 18.2.3: a user without OMP gets OMP's answer.

Issue 15's case: an override of openrouter `mistralai/codestral-2508` (a model OMP 18.2.3 bundles)
merged over the embedded catalog gives the values OMP itself gives, and OMP accepts the file as
catalogmgr does.
"""

from __future__ import annotations

from omp import OmpProbe

from catalogmgr.catalog import embedded_catalog_info, load_embedded_default
from catalogmgr.documents import parse_document
from catalogmgr.merge import Layer, merge_catalog
from catalogmgr.validation import check_document

OVERLAY = """\
providers:
  openrouter:
    modelOverrides:
      mistralai/codestral-2508:
        contextWindow: 200000
        maxTokens: 12345
        name: Codestral (my override)
"""
KEY = ("openrouter", "mistralai/codestral-2508")
FIELDS = ("contextWindow", "maxTokens", "name", "baseUrl", "api", "cost", "input", "reasoning")


def test_codestral_override_over_the_embedded_catalog_equals_omp(omp_probe: OmpProbe) -> None:
    assert str(embedded_catalog_info().version) == "18.2.3"
    omp = omp_probe.result(OVERLAY)
    assert omp.accepted, omp.error
    document = parse_document(OVERLAY, name="models.yml", fmt="yaml")
    report = check_document(document, "overlay", base=load_embedded_default(), base_name="embedded")
    assert not report.errors
    assert [problem.rule for problem in report.problems] == []  # OMP applies it: nothing to warn about
    ours = merge_catalog(load_embedded_default(), [Layer("models.yml", document.data, document)])
    assert [problem.rule for problem in ours.problems] == []
    row = omp.changed[KEY]
    model = ours.catalog[KEY[0]][KEY[1]]
    assert {field: model.get(field) for field in FIELDS} == {field: row.get(field) for field in FIELDS}
    assert (model["contextWindow"], model["maxTokens"]) == (200000, 12345)
