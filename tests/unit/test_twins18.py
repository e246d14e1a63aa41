"""OMP 18.x's ``X`` / ``X-thinking`` twin collapse (pi-catalog ``compat/collapse.ts``) through the
merge, without bun: the expected values are what OMP 18.2.3 and 18.2.0 give the same files (the
corpus overlays ``56-`` to ``59-twins-*.yml``, compared with the real releases by
``tests/compat/test_merge_vs_omp.py`` and ``tests/tools/policy_corpus_diff.py``)."""

from __future__ import annotations

from typing import Any

import pytest

from catalogmgr.documents import parse_document
from catalogmgr.merge import Layer, merge_catalog
from catalogmgr.omp.profile import OmpVersion, profile_for_version
from catalogmgr.omp.settings import RuntimeSettings

TWINS = """\
providers:
  tw:
    baseUrl: https://tw.example/v1
    apiKey: K
    api: openai-completions
    models:
      - id: foo
      - id: foo-thinking
      - id: glm-5.3
      - id: glm-5.3-thinking
        reasoning: true
      - id: x
      - id: x-reasoner
        reasoning: true
      - id: x-thinking
        reasoning: true
      - id: x-reasoner-thinking
        reasoning: true
      - id: qux-non-thinking
      - id: qux-non
        reasoning: true
      - id: wide
        contextWindow: 100000
        maxTokens: 9000
      - id: wide-thinking
        reasoning: true
        contextWindow: 200000
        maxTokens: 4000
        input: [text, image]
"""

LADDER = ["minimal", "low", "medium", "high", "xhigh"]


def collapsed(release: str) -> dict[str, Any]:
    parsed = OmpVersion.parse(release)
    assert parsed is not None
    document = parse_document(TWINS, name="o.yml", fmt="yaml")
    layers = [Layer("o.yml", document.data, document)]
    merged = merge_catalog({}, layers, profile=profile_for_version(parsed), settings=RuntimeSettings())
    return dict(merged.catalog["tw"])


def routed(base: str, member: str, efforts: list[str]) -> dict[str, str]:
    return {"off": base, **dict.fromkeys(efforts, member)}


@pytest.mark.parametrize("release", ["18.2.3", "18.2.0"])
def test_18x_twins_pair_as_omp_does(release: str) -> None:
    catalog = collapsed(release)
    # qux-non-thinking pairs through the `-thinking` suffix rule (the pair token's "non" guard
    # does not apply there); x-reasoner-thinking goes to x-reasoner, which stays its own model.
    assert set(catalog) == {"foo", "glm-5.3", "x", "x-reasoner", "qux-non", "wide"}
    assert catalog["x"]["thinking"]["effortRouting"] == routed("x", "x-thinking", LADDER)
    assert catalog["x-reasoner"]["thinking"]["effortRouting"] == routed(
        "x-reasoner", "x-reasoner-thinking", LADDER
    )
    assert catalog["qux-non"]["thinking"]["effortRouting"] == routed("qux-non", "qux-non-thinking", LADDER)


@pytest.mark.parametrize("release", ["18.2.3", "18.2.0"])
def test_18x_collapsed_model_is_derived_and_built_again(release: str) -> None:
    catalog = collapsed(release)
    # Neither member reasons: OMP derives the ladder for the thinking member with reasoning on.
    assert catalog["foo"]["reasoning"] is True
    assert catalog["foo"]["thinking"] == {
        "mode": "effort",
        "efforts": LADDER,
        "effortRouting": routed("foo", "foo-thinking", LADDER),
    }
    # Built again after the collapse: the rules fill back the level and the required effort.
    assert catalog["glm-5.3"]["thinking"]["defaultLevel"] == "max"
    assert catalog["glm-5.3"]["thinking"]["requiresEffort"] is True
    # Both members' input kinds and the larger window and output limit, even over the base's own
    # (18.x does not re-patch a definition after the collapse, unlike 17.x).
    wide = catalog["wide"]
    assert (wide["input"], wide["contextWindow"], wide["maxTokens"]) == (["text", "image"], 200000, 9000)
