"""Rendering catalogs and composed overlays (catalogmgr.render.catalog)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalogmgr.documents import parse_document
from catalogmgr.merge import Layer, compose_overlays
from catalogmgr.render.catalog import (
    render_catalog_json,
    render_catalog_yaml,
    render_overlay_yaml,
    render_yaml_data,
)

CATALOG = {
    "p": {
        "m": {
            "id": "m",
            "name": "Ünïcode",
            "input": ["text"],
            "cost": {"input": 0.39999999999999997},
            "x": {},
        }
    }
}


def test_json_layouts_are_omps() -> None:
    assert render_catalog_json(CATALOG, layout="compact") == json.dumps(
        CATALOG, ensure_ascii=False, separators=(",", ":")
    )
    assert render_catalog_json(CATALOG) == json.dumps(CATALOG, ensure_ascii=False, indent="\t")
    assert not render_catalog_json(CATALOG).endswith("\n")


@pytest.mark.parametrize(
    "strings",
    [
        ["a  b", "   ", "x"],  # double spaces inside values: indentation alone turns into tabs
        ["  leading", "trailing  "],
        ["no double space", "a b c"],
    ],
)
def test_tab_layout_turns_only_indentation_into_tabs(strings: list[str]) -> None:
    catalog = {"p  q": {"m": {"name": strings[0], "tags": strings, "nested": {"deep": [{"v": strings[-1]}]}}}}
    assert render_catalog_json(catalog) == json.dumps(catalog, ensure_ascii=False, indent="\t")


_JSON_LEAVES = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(alphabet=' a\t\n"\\{}[]:,')


@given(
    st.recursive(
        _JSON_LEAVES,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(st.text(" ab"), children, max_size=4)
        ),
        max_leaves=30,
    )
)
def test_tab_layout_is_json_dumps_with_tabs(data: Any) -> None:
    pytest.importorskip("orjson")
    catalog = {"p": data}
    assert render_catalog_json(catalog) == json.dumps(catalog, ensure_ascii=False, indent="\t")


@pytest.mark.parametrize(
    ("name", "layout"), [("pi-catalog-18.2.3.models.json", "compact"), ("pi-ai-15.7.3.models.json", "tab")]
)
def test_omps_own_catalogs_render_back_to_the_same_bytes(shared: Any, name: str, layout: str) -> None:
    pytest.importorskip("orjson")
    from catalogmgr.documents import load_json_fast

    path = shared("data", "omp", name)
    assert render_catalog_json(load_json_fast(path), layout=layout) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "value",
    [
        "yes",
        "no",
        "null",
        "~",
        "1.5",
        "0x1F",
        "1_000",
        "2024-01-01",
        "!cmd run",
        "a: b",
        "x #y",
        "#c",
        "",
        " x",
        "x ",
        "-",
        "- x",
        "[a]",
        "{a}",
        "'q'",
        '"q"',
        "ünï",
        "line\nbreak",
        "tab\there",
        "\u2028",
        "MINIMAX_API_KEY",
        "https://api.minimaxi.com/anthropic",
        "@scope",
        "%x",
        "*alias",
        "&anchor",
        "|",
        ">",
        "?",
        "`",
    ],
)
def test_yaml_strings_read_back_as_the_same_strings(value: str) -> None:
    data = {value or "k": {"v": value, "list": [value]}}
    assert parse_document(render_yaml_data(data), name="t.yml", fmt="yaml").data == data


def test_yaml_catalog_reads_back_with_numbers_booleans_nulls_and_empties() -> None:
    catalog = {
        "p": {
            "m": {"a": 1, "b": 0.5, "c": True, "d": None, "e": [], "f": {}, "g": [{"x": 1}, [2]], "h": 1e21}
        }
    }
    text = render_catalog_yaml(catalog)
    assert parse_document(text, name="t.yml", fmt="yaml").data == catalog


SOURCE = """\
# My models (kept)
providers:
  minimax:  # CN endpoint
    baseUrl: https://api.minimaxi.com/anthropic
    apiKey: "!op read op://vault/minimax"   # kept quoted
    models:
      - id: MiniMax-M3
        input: [text, image]
"""


def test_overlay_emit_keeps_the_first_overlays_comments_and_quoting() -> None:
    first = parse_document(SOURCE, name="a.yml", fmt="yaml")
    second = parse_document(
        "providers:\n"
        "  minimax:\n"
        "    models:\n"
        "      - id: MiniMax-M3\n"
        "        maxTokens: 8\n"
        "  openai:\n"
        "    apiKey: OPENAI_API_KEY\n",
        name="b.yml",
        fmt="yaml",
    )
    composed = compose_overlays([Layer("a.yml", first.data, first), Layer("b.yml", second.data, second)])
    text = render_overlay_yaml(composed, first, sources=["a.yml", "b.yml"])
    assert text.startswith("# Composed by catalogmgr from: a.yml, b.yml (later files win)\n")
    assert "# My models (kept)" in text
    assert "# CN endpoint" in text
    assert '"!op read op://vault/minimax"   # kept quoted' in text
    assert "input: [text, image]" in text
    assert parse_document(text, name="out.yml", fmt="yaml").data == composed


def test_overlay_emit_from_a_json_first_overlay_is_block_yaml() -> None:
    first = parse_document(
        '{"providers": {"p": {"apiKey": "!cmd", "models": [{"id": "x"}]}}}', name="a.json", fmt="json"
    )
    text = render_overlay_yaml(dict(first.data), first)
    assert "{" not in text.splitlines()[0]
    assert parse_document(text, name="out.yml", fmt="yaml").data == first.data


def test_numbers_json_cannot_hold_are_written_as_javascript_holds_them() -> None:
    from catalogmgr.render.catalog import json_numbers, render_catalog_json, render_json_document

    data = {
        "p": {
            "m": {
                "extraBody": {
                    "nan": float("nan"),
                    "inf": float("-inf"),
                    "big": 10**400,
                    "wide": 2**70,
                    "ok": 0.39999999999999997,
                    "flag": True,
                }
            }
        }
    }
    expected = {
        "nan": None,
        "inf": None,
        "big": None,
        "wide": float(2**70),
        "ok": 0.39999999999999997,
        "flag": True,
    }
    assert json_numbers(data) == {"p": {"m": {"extraBody": expected}}}
    assert json.loads(render_catalog_json(data))["p"]["m"]["extraBody"]["big"] is None
    assert "NaN" not in render_json_document(data)
