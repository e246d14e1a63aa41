"""The reader's substitutions for what libyaml cannot read but Bun does (issue 10): anchor names
with any characters, plain scalars starting with ':' or '?' in flow collections, omitted values
beside ',' in flow mappings. Values as Bun 1.4.4 reads them (checked with bun: the differential
is tests/compat/test_reader_vs_bun.py), and every key and value at its place in the file."""

from __future__ import annotations

import pytest

from catalogmgr.documents import parse_document
from catalogmgr.errors import InputError
from catalogmgr.problems import Position


def _read(text: str) -> object:
    return parse_document(text, name="m.yml", fmt="yaml").data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &x:y 1\nb: *x:y\n", {"a": 1, "b": 1}),
        ("[&a:b c, *a:b]\n", ["c", "c"]),
        ("a: &é 1\nb: *é\n", {"a": 1, "b": 1}),
        ("- &😁 unicode anchor\n- *😁\n", ["unicode anchor", "unicode anchor"]),
        ("key: &an:chor value\n", {"key": "value"}),
        ("a: &b:c\n", {"a": None}),
        # Text that only looks like an anchor stays text, whatever else the file holds.
        ("a: x &b:c\n", {"a": "x &b:c"}),
        ("a: &b:c 1\nd: 'x &b:c'\ne: x *b:c\n", {"a": 1, "d": "x &b:c", "e": "x *b:c"}),
        ("# &b:c\na: &b:c 1\nb: *b:c\n", {"a": 1, "b": 1}),
    ],
)
def test_anchor_names_are_read_as_bun_reads_them(text: str, expected: object) -> None:
    assert _read(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{x: :x}\n", {"x": ":x"}),
        ("[:x y, -x, ?x y]\n", [":x y", "-x", "?x y"]),
        ("{ ?foo: bar, bar: 42 }\n", {"?foo": "bar", "bar": 42}),
        ('- { "key"::value }\n', [{"key": ":value"}]),
        ("[ !t ?x, &a ?y, *a ]\n", ["?x", "?y", "?y"]),
        ("[\n  ?x,\n  :y\n]\n", ["?x", ":y"]),
        ("a: b, ?c\nd: 'e, :f'\ng: [?1]\n", {"a": "b, ?c", "d": "e, :f", "g": ["?1"]}),
        ("{a: 1, omitted:, b: 2}\n", {"a": 1, "omitted": None, "b": 2}),
        ("{\n  ? foo :,\n  : bar,\n}\n", {"foo": None, "null": "bar"}),
        ("[a:]\n", [{"a": None}]),
        (
            "models: [{id: a, name: ?x}, {id: b, name: :y}]\n",
            {"models": [{"id": "a", "name": "?x"}, {"id": "b", "name": ":y"}]},
        ),
        ("x: [ a\n, b ]\ny:\n  z: {a: 1\n , b: 2}\n", {"x": ["a", "b"], "y": {"z": {"a": 1, "b": 2}}}),
    ],
)
def test_flow_scalars_starting_with_indicators_read_as_bun_reads_them(text: str, expected: object) -> None:
    assert _read(text) == expected


def test_positions_stay_right_after_substitutions() -> None:
    text = "top: &anchor:1 {k: :v, ?q: 2}\nnext: *anchor:1\nlast: {omitted:, z: 3}\n"
    document = parse_document(text, name="m.yml", fmt="yaml")
    assert document.data == {
        "top": {"k": ":v", "?q": 2},
        "next": {"k": ":v", "?q": 2},
        "last": {"omitted": None, "z": 3},
    }
    assert document.position("/top/k") == Position(1, 20)
    assert document.key_position("/top/?q") == Position(1, 24)
    assert document.position("/top/?q") == Position(1, 28)
    assert document.key_position("/next") == Position(2, 1)
    assert document.position("/last/z") == Position(3, 21)


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("a: *no:such\n", Position(1, 4), "alias *no:such refers to no anchor"),
        ("a: &b:c [*b:c]\n", Position(1, 4), "recursive alias"),
        ("a: {x: :y\n", Position(2, 1), "YAML syntax error"),
        # '*' where a node starts is an alias for Bun too, whatever follows it.
        ("a: **bold**\n", Position(1, 4), "alias **bold** refers to no anchor"),
    ],
)
def test_refusals_on_the_substituted_paths_are_located(text: str, position: Position, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_document(text, name="bad.yml", fmt="yaml")
    assert caught.value.position == position
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A tab right after a block scalar's indentation is content.
        ("foo: |-\n \tbar\n", {"foo": "\tbar"}),
        ("a:\n  foo: |\n   \tbar\n  b: 1\n", {"a": {"foo": "\tbar\n", "b": 1}}),
        ("- key: >\n    \tx\n", [{"key": "\tx\n"}]),
        ("- >\n \t\n detected\n", ["\t\ndetected\n"]),
        # A document's root block scalar may sit at column 0, '#' and '%' lines included.
        ("--- >\nline1\n# no comment\nline3\n", "line1 # no comment line3\n"),
        ("--- |\nfoo\n--- &a >\nbar\n baz\n", ["foo\n", "bar\n baz\n"]),
        ("%YAML 1.2\n--- |\n%!PS-Adobe-2.0\n...\n", "%!PS-Adobe-2.0\n"),
    ],
)
def test_block_scalars_read_as_bun_reads_them(text: str, expected: object) -> None:
    assert _read(text) == expected


def test_positions_stay_right_in_fixed_up_block_scalars() -> None:
    document = parse_document("a: 1\nfoo: |-\n \tbar\nb: 2\n", name="m.yml", fmt="yaml")
    assert document.position("/foo") == Position(2, 6)
    assert document.key_position("/b") == Position(4, 1)
    assert document.position("/b") == Position(4, 4)
    document = parse_document("--- |\nfoo\n--- {a: 1}\n", name="m.yml", fmt="yaml")
    assert document.data == ["foo\n", {"a": 1}]
    assert document.position("/1/a") == Position(3, 9)


@pytest.mark.parametrize(
    ("text", "position"),
    [
        # Blank first lines deeper than the next line still inside the parent: Bun refuses.
        ("empty block scalar: >\n \n  \n   \n # comment\n", Position(5, 2)),
        ("a:\n  b: >\n     \n   # c\n", Position(4, 4)),
        ("a: |\n    \n  x\n", Position(3, 3)),
    ],
)
def test_block_scalars_bun_refuses_are_refused_located(text: str, position: Position) -> None:
    with pytest.raises(InputError) as caught:
        parse_document(text, name="bad.yml", fmt="yaml")
    assert caught.value.position == position
    assert "block scalar's first blank lines" in str(caught.value)


def test_a_block_scalar_ending_at_its_parent_is_not_refused() -> None:
    assert _read("a:\n  b: >\n     \n  c: 1\n") == {"a": {"b": "", "c": 1}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- { multi\n  line: value}\n", [{"multi line": "value"}]),
        ("{ \"multi\n  line\": 1, 'c\n d': 2 }\n", {"multi line": 1, "c d": 2}),
        ("{ &a multi\n  line: value, b: *a}\n", {"multi line": "value", "b": "multi line"}),
        ("{ [a,\n b]: c }\n", {"a,b": "c"}),
        ("---\n{ matches\n% : 20 }\n...\n", {"matches %": 20}),
    ],
)
def test_multi_line_flow_keys_read_as_bun_reads_them(text: str, expected: object) -> None:
    assert _read(text) == expected


def test_multi_line_flow_keys_keep_positions_and_sequences_refuse_them() -> None:
    document = parse_document("a: 1\nm: { x: 1, multi\n  line: value }\n", name="m.yml", fmt="yaml")
    assert document.key_position("/m/multi line") == Position(2, 12)
    assert document.position("/m/multi line") == Position(3, 9)
    assert document.position("/m/x") == Position(2, 9)
    with pytest.raises(InputError) as caught:
        parse_document("- [ multi\n  line: value]\n", name="bad.yml", fmt="yaml")
    assert caught.value.position == Position(2, 7)


def test_several_fix_ups_on_one_line_keep_every_position() -> None:
    document = parse_document("m: {a:, b:, c: 1}\nn: {x: 1, ?y z\n  w:, v: :u}\n", name="m.yml", fmt="yaml")
    assert document.data == {"m": {"a": None, "b": None, "c": 1}, "n": {"x": 1, "?y z w": None, "v": ":u"}}
    assert document.key_position("/m/b") == Position(1, 9)
    assert document.key_position("/m/c") == Position(1, 13)
    assert document.position("/m/c") == Position(1, 16)
    assert document.key_position("/n/?y z w") == Position(2, 11)
    assert document.position("/n/v") == Position(3, 10)


def test_an_anchored_block_collection_is_indented_where_its_entries_start() -> None:
    text = "id: &x\n  - [a,\n    b]\nk: &y # c\n  a: [1,\n   2]\n"
    assert _read(text) == {"id": [["a", "b"]], "k": {"a": [1, 2]}}
    with pytest.raises(InputError) as caught:
        parse_document("id: &x\n  - [a,\n  b]\n", name="bad.yml", fmt="yaml")
    assert caught.value.position == Position(3, 1)
