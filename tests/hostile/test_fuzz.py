"""Property-based fuzzing of the loaders and of merge, with nastier inputs than the merge laws use.

``tests/property/test_merge_laws.py`` proves the merge laws on well-formed catalogs and overlays
with a small vocabulary. Here the generators are hostile: random and mutated YAML/JSON text for the
loaders; and, for merge and the emitters, identifiers with ``/``, ``~``, ``:``, unicode (RTL
overrides, zero-width joiners, astral characters, C1 controls), YAML-significant strings (``yes``,
``~``, ``- x``, ``#``, ``: ``), empty-ish values and deep ``compat`` maps.

Bounded for CI by the ``hostile-ci`` hypothesis profile (60 examples per test, :data:`PROFILE`);
``CATALOGMGR_FUZZ_PROFILE=hostile-fuzz`` or ``HYPOTHESIS_PROFILE=thorough`` runs 3,000.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from catalogmgr.documents import MAX_DEPTH, Document, iter_pointers, parse_document
from catalogmgr.errors import InputError
from catalogmgr.merge import Catalog, Layer, compose_overlays, merge_catalog
from catalogmgr.render.catalog import (
    render_catalog_json,
    render_catalog_yaml,
    render_overlay_json,
    render_overlay_yaml,
    render_yaml_data,
)

# Named "hostile-*" so they never replace the suite-wide profiles of tests/conftest.py. CI runs
# "hostile-ci"; CATALOGMGR_FUZZ_PROFILE=hostile-fuzz (or HYPOTHESIS_PROFILE=thorough, the suite's
# own switch for more examples) runs fifty times more.
settings.register_profile(
    "hostile-ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("hostile-fuzz", parent=settings.get_profile("hostile-ci"), max_examples=3000)
_CHOSEN = os.environ.get("CATALOGMGR_FUZZ_PROFILE") or (
    "hostile-fuzz" if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else "hostile-ci"
)
PROFILE = settings.get_profile(_CHOSEN)
FUZZ = settings(PROFILE)


def ordered(value: Any) -> str:
    """Equality that also checks key order, comparing numbers as JavaScript does (``1.0 == 1``,
    ``-0.0 == 0``): the emitters write numbers the way OMP's JavaScript would."""
    return json.dumps(_as_js_numbers(value), ensure_ascii=False)


def merge_shaped(value: Any) -> bool:
    """Whether a ``<<`` key holds a mapping (or a list with one) somewhere: Bun merges every such
    key however it is quoted, tagged or escaped, so no YAML text gives OMP that key."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "<<" and (
                isinstance(item, dict) or (isinstance(item, list) and any(isinstance(i, dict) for i in item))
            ):
                return True
            if merge_shaped(item):
                return True
    elif isinstance(value, list | tuple):
        return any(merge_shaped(item) for item in value)
    return False


def _as_js_numbers(value: Any) -> Any:
    if type(value) is int and abs(value) > 2**53:
        value = float(value)  # the double JavaScript (and OMP's reader) holds for it
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)  # JavaScript writes integral numbers below 1e21 without a point
    if isinstance(value, dict):
        return {key: _as_js_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_js_numbers(item) for item in value]
    return value


# ------------------------------------------------------------------------------------------------
# 1. The loaders on arbitrary text: a Document or a located InputError, nothing else

YAML_PIECES = [
    "providers:",
    "\n",
    "  ",
    "    ",
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "<<: ",
    "!!python/object/apply:os.system ",
    "!custom ",
    "!!int ",
    "!!str ",
    "!!binary ",
    "? ",
    "|",
    ">",
    "|-",
    "'",
    '"',
    "\\",
    "#",
    "%YAML 1.2\n",
    "%TAG ! tag:x,2000:\n",
    "---\n",
    "...\n",
    "\t",
    "\ufeff",
    "\u2028",
    "\x85",
    "é",
    "\U0001f600",
    "\u202e",
    "null",
    "~",
    "yes",
    "0x1F",
    "0o17",
    "1e400",
    ".nan",
    "-.inf",
    "9" * 40,
    "minimax",
    "baseUrl",
    "apiKey",
    "!cmd",
    "models",
    "id",
    "\\ud800",
    "\\U0001F600",
    "\r\n",
    "\r",
]
JSON_PIECES = [
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    '"',
    '"k"',
    '"providers"',
    "1",
    "-0",
    "1e400",
    "1e-400",
    "NaN",
    "Infinity",
    "true",
    "null",
    " ",
    "\n",
    "//c\n",
    "/*c*/",
    '"\\ud800"',
    '"\\u0000"',
    '"\\\\"',
    "\ufeff",
    "é",
    "9" * 30,
]


def _joined(pieces: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces) | st.text(max_size=4), max_size=40).map("".join)


def _text_bounds(text: str) -> tuple[int, int]:
    """The largest line and column a position in ``text`` may have. YAML also breaks lines at a
    lone CR (and ruamel.yaml at U+0085/U+2028/U+2029), so the most generous split counts lines;
    columns are bounded by the longest "\n" line."""
    lines = re.split("\r\n|[\r\n\x85\u2028\u2029]", text)
    return len(lines) + 1, max(len(line) for line in text.split("\n")) + 2


def _assert_document_positions_in_text(document: Document, text: str) -> None:
    max_line, max_column = _text_bounds(text)
    for pointer, _ in iter_pointers(document.data):
        for position in (document.position(pointer), document.key_position(pointer)):
            if position is not None:
                assert 1 <= position.line <= max_line, (pointer, position)
                assert 1 <= position.column <= max_column, (pointer, position)


def _load(text: str, fmt: str) -> Document | None:
    try:
        document = parse_document(text, name="fuzz", fmt=fmt)  # type: ignore[arg-type]
    except InputError as error:
        _assert_located_in_text(error, text)
        return None
    _assert_document_positions_in_text(document, text)
    return document


def _assert_located_in_text(error: InputError, text: str) -> None:
    """One line, naming the file, at a position inside the text when it has one."""
    assert error.file == "fuzz"
    assert "\n" not in error.located(), error.located()
    if error.position is not None:
        max_line, max_column = _text_bounds(text)
        assert 1 <= error.position.line <= max_line, error.located()
        assert 1 <= error.position.column <= max_column, error.located()


@FUZZ
@given(_joined(YAML_PIECES))
@example("a: &a [*a]")
@example("a: &a {b: *a}")
@example("- &x [&y [*x]]")
@example("? [a]\n: b")
@example("a: !!int lots")
@example("a: " + "[" * 200 + "]" * 200)
@example("\ufeffa: 1\n\ufeffb: 2")
@example('a: "\\ud83d\\ude00"')
@example('a: "\\udc00"')
@example("x" * 5000)
@example("1" * 5000)
@example("a: 1\n\x1b")
def test_yaml_loader_never_crashes(text: str) -> None:
    _load(text, "yaml")


@FUZZ
@given(_joined(JSON_PIECES))
@example('{"a": ' * 200 + "1" + "}" * 200)
@example('{"a": "\\ud800"}')
@example('{"\\udfff": 1}')
@example("[" + "9" * 5000 + "]")
@example('{"a": 1e400}')
@example("[-1e400]")
@example("[" + "1" * 400 + "]")
@example('{"a": 1,}')
@example("// only a comment")
def test_json_loader_never_crashes(text: str) -> None:
    for fmt in ("json", "jsonc"):
        _load(text, fmt)


# ------------------------------------------------------------------------------------------------
# 2. Emit -> load round trips on nasty plain data

NASTY_STRINGS = [
    "",
    " ",
    "  lead",
    "trail ",
    "yes",
    "no",
    "on",
    "off",
    "null",
    "Null",
    "~",
    "true",
    "True",
    "1",
    "1.5",
    "-0",
    "0x1F",
    "0o17",
    "1e400",
    ".nan",
    ".inf",
    "-",
    "- x",
    "? x",
    ": x",
    "a: b",
    "#x",
    "x #y",
    "!cmd",
    "!!int",
    "&a",
    "*a",
    "<<",
    "|",
    ">",
    "'",
    '"',
    "\\",
    "%",
    "@",
    "`",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\t",
    "\n",
    "a\nb",
    "\r",
    "\r\n",
    "\u2028",
    "\u2029",
    "\x85",
    "\x7f",
    "\x1b[31m",
    "\u202eevil",
    "a\u200db",
    "\ufeff",
    "\U0001f600",
    "é",
    "ß",
    "gate/way~1",
    "~0~1",
    "x:cloud",
    "/",
    "a/b/c",
    "__proto__",
    "constructor",
    "\x00",
    "\x08",
    "\x86",
    "\x9f",
    "\ufffe",
    "\uffff",
    "\ue000",
]
# Everything but lone surrogates, which the loaders refuse on purpose.
any_char = st.characters(exclude_categories=("Cs",))
nasty_text = st.sampled_from(NASTY_STRINGS) | st.text(any_char, max_size=12)
finite_numbers = (
    st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0, -0.0, 5e-324, 1.7976931348623157e308, 0.1, 1e21, 1e-7, 2**53 + 1])
)
scalars = st.none() | st.booleans() | finite_numbers | nasty_text
plain_data = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(nasty_text, children, max_size=4),
    max_leaves=30,
)


@FUZZ
@given(plain_data)
def test_json_emit_load_round_trip(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent="\t")
    document = _load(text, "json")
    assert document is not None, text
    assert ordered(document.data) == ordered(data)


@FUZZ
@given(plain_data)
def test_yaml_emit_load_round_trip(data: Any) -> None:
    """``render_yaml_data`` (catalogs as YAML) reads back as exactly the same data."""
    assume(not merge_shaped(data))
    text = render_yaml_data(data)
    try:
        document = parse_document(text, name="emitted.yml", fmt="yaml")
    except InputError as error:
        raise AssertionError(f"emitted YAML does not load: {error}\n{text}") from None
    assert ordered(document.data) == ordered(data), text


# ------------------------------------------------------------------------------------------------
# 3. Merge with nasty catalogs and overlays

identifiers = st.sampled_from(
    [
        "m",
        "gpt-5.1",
        "vendor/model:free",
        "a/b/c",
        "~0~1",
        "tilde~",
        "x:cloud",
        "__proto__",
        "constructor",
        "é",
        "\u202eevil",
        "a\u200db",
        "\U0001f600",
        "-",
        "0",
        "1.5",
        "yes",
        "null",
        "a b",
        " ",
    ]
) | st.text(any_char, min_size=1, max_size=6)
providers = st.sampled_from(["minimax", "p/q", "~", "__proto__", "é", "1", "true", "gate:way"]) | st.text(
    any_char, min_size=1, max_size=5
)
APIS = ["openai-completions", "anthropic-messages", "openai-responses"]


def deep_maps(depth: int) -> st.SearchStrategy[Any]:
    leaf = st.booleans() | finite_numbers | nasty_text | st.none()
    return st.recursive(leaf, lambda inner: st.dictionaries(nasty_text, inner, max_size=3), max_leaves=depth)


compat = st.dictionaries(
    st.sampled_from(["supportsStore", "extraBody", "maxTokensField", "thinkingFormat", "nested"])
    | nasty_text,
    deep_maps(12),
    max_size=3,
)
costs = st.fixed_dictionaries(
    {
        key: st.floats(min_value=0, max_value=1e6, allow_nan=False) | st.integers(0, 10**6)
        for key in ("input", "output", "cacheRead", "cacheWrite")
    }
)


@st.composite
def nasty_catalogs(draw: Any) -> Catalog:
    catalog: Catalog = {}
    for provider in draw(st.lists(providers, unique=True, max_size=3)):
        models: dict[str, dict[str, Any]] = {}
        for model_id in draw(st.lists(identifiers, unique=True, max_size=3)):
            model: dict[str, Any] = {
                "id": model_id,
                "name": draw(nasty_text),
                "api": draw(st.sampled_from(APIS)),
                "provider": provider,
                "baseUrl": draw(st.sampled_from(["https://x.example/v1", "http://127.0.0.1:1", ""])),
                "reasoning": draw(st.booleans()),
                "input": draw(st.sampled_from([["text"], ["text", "image"], []])),
                "cost": draw(costs),
                "contextWindow": draw(st.integers(1, 2**31)),
                "maxTokens": draw(st.integers(1, 2**31)),
            }
            if draw(st.booleans()):
                model["compat"] = draw(compat)
            if draw(st.booleans()):
                model["headers"] = draw(st.dictionaries(nasty_text, nasty_text, max_size=2))
            if draw(st.booleans()):
                unknown = draw(nasty_text.filter(lambda key, taken=set(model): key not in taken))
                model[unknown] = draw(deep_maps(6))  # unknown keys survive
            models[model_id] = model
        catalog[provider] = models
    return catalog


@st.composite
def nasty_overlays(draw: Any) -> dict[str, Any]:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from([{}, {"providers": {}}]))
    config_for: dict[str, Any] = {}
    for provider in draw(st.lists(providers, unique=True, max_size=3)):
        config: dict[str, Any] = {}
        if draw(st.booleans()):
            config["baseUrl"] = draw(st.sampled_from(["https://cn.example/v1", "http://[::1]:8080/v1"]))
        if draw(st.booleans()):
            config["apiKey"] = draw(st.sampled_from(["MINIMAX_API_KEY", "!pass show x", "lit-" + "x" * 8]))
        if draw(st.booleans()):
            config["api"] = draw(st.sampled_from(APIS))
        if draw(st.booleans()):
            config["headers"] = draw(st.dictionaries(nasty_text, nasty_text, max_size=2))
        if draw(st.booleans()):
            config["compat"] = draw(compat)
        if draw(st.booleans()):
            config["models"] = [
                {
                    "id": model_id,
                    **draw(
                        st.fixed_dictionaries(
                            {},
                            optional={
                                "name": nasty_text,
                                "contextWindow": st.integers(1, 2**31),
                                "cost": costs,
                                "compat": compat,
                                "headers": st.dictionaries(nasty_text, nasty_text, max_size=2),
                            },
                        )
                    ),
                }
                for model_id in draw(st.lists(identifiers, max_size=3))
            ]
        if draw(st.booleans()):
            config["modelOverrides"] = draw(
                st.dictionaries(
                    identifiers,
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "name": nasty_text,
                            "contextWindow": st.integers(1, 2**31),
                            "compat": compat,
                        },
                    ),
                    max_size=2,
                )
            )
        config_for[provider] = config
    return {"providers": config_for}


def layer(data: dict[str, Any], name: str = "overlay.yml") -> Layer:
    return Layer(name=name, data=data)


@FUZZ
@given(nasty_catalogs(), nasty_overlays(), nasty_overlays())
def test_merge_laws_hold_on_nasty_inputs(base: Catalog, a: dict[str, Any], b: dict[str, Any]) -> None:
    snapshot = copy.deepcopy((base, a, b))
    once = merge_catalog(base, [layer(a), layer(b)])
    # Identity, listing twice, grouping.
    assert ordered(merge_catalog(base, []).catalog) == ordered(base)
    assert ordered(merge_catalog(base, [layer({})]).catalog) == ordered(base)
    twice = merge_catalog(base, [layer(a), layer(a), layer(b), layer(b)])
    assert ordered(twice.catalog) == ordered(once.catalog)
    grouped = merge_catalog(base, [layer(compose_overlays([layer(a), layer(b)]))])
    assert ordered(grouped.catalog) == ordered(once.catalog)
    # Nothing it was given changed.
    assert ordered((base, a, b)) == ordered(snapshot)
    # Every model of the result is a mapping keyed by its id, under a provider it names.
    for _provider, models in once.catalog.items():
        for model_id, model in models.items():
            assert isinstance(model, dict)
            assert model.get("id", model_id) == model_id


@FUZZ
@given(nasty_catalogs(), nasty_overlays())
def test_emitted_catalog_loads_back_exactly(base: Catalog, a: dict[str, Any]) -> None:
    catalog = merge_catalog(base, [layer(a)]).catalog
    for json_layout in ("tab", "compact"):
        text = render_catalog_json(catalog, layout=json_layout)
        document = _load(text, "json")
        assert document is not None
        assert ordered(document.data) == ordered(catalog)
    yaml_text = render_catalog_yaml(catalog)
    try:
        reloaded = parse_document(yaml_text, name="c.yml", fmt="yaml").data
    except InputError as error:
        raise AssertionError(f"emitted catalog YAML does not load: {error}") from None
    assert ordered(reloaded if catalog else {}) == ordered(catalog)


@FUZZ
@given(nasty_overlays(), nasty_overlays())
def test_emitted_overlay_loads_back_as_the_composition(a: dict[str, Any], b: dict[str, Any]) -> None:
    """``merge --emit overlay``: YAML (updating the first overlay's round-trip tree) and JSON."""
    assume("\x85" not in ordered((a, b)))  # see test_overlay_yaml_keeps_a_next_line_character
    assume(not merge_shaped((a, b)))
    first_text = render_yaml_data(a)
    first = parse_document(first_text, name="a.yml", fmt="yaml")
    composed = compose_overlays([Layer("a.yml", first.data or {}, first), layer(b, "b.yml")])
    text = render_overlay_yaml(composed, first, sources=["a.yml", "b.yml"])
    try:
        reloaded = parse_document(text, name="out.yml", fmt="yaml").data or {}
    except InputError as error:
        raise AssertionError(f"emitted overlay YAML does not load: {error}\n{text}") from None
    assert ordered(reloaded) == ordered(composed)
    as_json = _load(render_overlay_json(composed), "json")
    assert as_json is not None
    assert ordered(as_json.data) == ordered(composed)


@FUZZ
@given(st.integers(min_value=MAX_DEPTH - 3, max_value=MAX_DEPTH + 3), st.sampled_from(["yaml", "json"]))
def test_depth_limit_is_exact(depth: int, fmt: str) -> None:
    """Nesting up to the limit loads; one level more is a located error, in both formats."""
    data: Any = 1
    for _ in range(depth):
        data = {"k": data}
    text = json.dumps(data) if fmt == "json" else render_yaml_data(data)
    assume(math.isfinite(depth))
    if depth <= MAX_DEPTH:
        document = parse_document(text, name="deep", fmt=fmt)  # type: ignore[arg-type]
        assert document.data == data
    else:
        with pytest.raises(InputError, match="nesting deeper than") as refused:
            parse_document(text, name="deep", fmt=fmt)  # type: ignore[arg-type]
        assert refused.value.position is not None


@pytest.mark.xfail(
    strict=True,
    reason="ruamel.yaml writes U+0085 (NEL) raw inside a quoted scalar and reads it back as a line"
    " break (folded to a space): render_overlay_yaml changes such a value",
)
def test_overlay_yaml_keeps_a_next_line_character() -> None:
    composed = {"providers": {"p": {"headers": {"X-Odd": "a\x85b"}}}}
    text = render_overlay_yaml(composed, None)
    assert parse_document(text, name="o.yml", fmt="yaml").data == composed
