"""The MiniMax examples are safe for the users they name (merged over OMP 18.2.3's catalog)."""

from __future__ import annotations

from catalogmgr.catalog import load_embedded_default
from catalogmgr.documents import load_document
from catalogmgr.examples import overlays_dir
from catalogmgr.merge import Layer, merge_catalog

INTERNATIONAL = "https://api.minimax.io/anthropic"
CHINA = "https://api.minimaxi.com/anthropic"


def merged(name: str) -> dict[str, dict[str, object]]:
    document = load_document(overlays_dir() / f"{name}.yml")
    result = merge_catalog(load_embedded_default(), [Layer(document.name, document.data, document)])
    assert [problem.rule for problem in result.problems] == []
    return result.catalog["minimax"]


def test_the_international_example_keeps_every_bundled_model_on_the_default_host() -> None:
    bundled = load_embedded_default()["minimax"]
    models = merged("minimax-m3")
    assert {model_id: model["baseUrl"] for model_id, model in models.items()} == dict.fromkeys(
        bundled, INTERNATIONAL
    )
    assert models["MiniMax-M3"]["maxTokens"] == 16384  # the example's pinned values apply


def test_the_china_example_moves_every_bundled_model_to_the_china_host() -> None:
    models = merged("minimax-m3-cn")
    assert {model["baseUrl"] for model in models.values()} == {CHINA}
    header = (overlays_dir() / "minimax-m3-cn.yml").read_text(encoding="utf-8")
    assert "international key" in header  # the warning for the users it is not for
