"""Writing catalogs (``models.json`` shape, as JSON or YAML) and composed overlays (``models.yml``).

JSON is written the way OMP's generator writes it: keys in insertion order, non-ASCII kept,
``"key": value`` separators, numbers as JavaScript prints them; tab-indented (OMP 15's
``pi-ai`` catalog, and the readable default) or compact (OMP 16+'s ``pi-catalog``). With orjson
installed, loading OMP's own file and rendering it again gives back the same bytes, for both
layouts (``tests/unit/test_catalog_render.py``). The text has no trailing newline, like OMP's files;
the CLI adds one when it prints to a terminal or pipe.

YAML for catalogs comes from a small block-style emitter (ruamel.yaml's pure-Python emitter would
take minutes on the 11 MB catalog); loading it back gives the same data. Overlays go through
ruamel.yaml's round-trip mode so the first overlay's comments, quoting and key order survive.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from catalogmgr.documents import Document, make_roundtrip_yaml, resolve_plain_scalar

JSON_LAYOUTS = ("tab", "compact")


def render_catalog_json(catalog: Mapping[str, Any], *, layout: str = "tab") -> str:
    """The catalog as OMP writes ``models.json``: ``layout`` ``"tab"`` (indented) or ``"compact"``."""
    if layout not in JSON_LAYOUTS:
        raise ValueError(f"unknown JSON layout {layout!r}")
    try:
        import orjson
    except ImportError:  # pragma: no cover - exercised only without the optional extra
        return _render_json_stdlib(catalog, layout)
    options = 0 if layout == "compact" else orjson.OPT_INDENT_2
    try:
        raw = orjson.dumps(catalog, option=options)
    except TypeError:  # orjson.JSONEncodeError: an integer beyond 64 bits somewhere
        catalog = json_numbers(catalog)
        raw = orjson.dumps(catalog, option=options)
    if layout == "tab":
        raw = _indent_with_tabs(raw, catalog)
    return raw.decode("utf-8")


def json_numbers(data: Any) -> Any:
    """``data`` with numbers as JavaScript's ``JSON.stringify`` would write them (OMP is JavaScript).

    NaN and the infinities become ``null``; integers beyond a double's range (``10**400`` in a
    YAML file, which Bun reads as Infinity) become ``null`` too; other integers beyond 64 bits
    become the nearest double. Everything else is returned as it is (containers copied).
    """
    if isinstance(data, bool) or data is None or isinstance(data, str):
        return data
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, int):
        if -(2**63) <= data < 2**64:
            return data
        try:
            return float(data)
        except OverflowError:
            return None
    if isinstance(data, Mapping):
        return {key: json_numbers(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [json_numbers(value) for value in data]
    return data


def _indent_with_tabs(indented: bytes, data: Any) -> bytes:
    """Turn orjson's 2-space JSON indentation of ``data`` into tabs.

    Outside strings, orjson writes two spaces in a row only as indentation (its separators are
    ``": "`` and ``","``), and JSON strings cannot hold a raw tab. So when no string of ``data``
    holds two spaces in a row (its compact form has none: a few milliseconds to check), one
    C-speed ``replace`` of every pair is exact: 15 ms on OMP's catalog, where the level-by-level
    passes below take 130 ms (and a per-line regex callback 450 ms).
    """
    import orjson

    if b"  " not in orjson.dumps(data):
        return indented.replace(b"  ", b"\t")
    # A string holds a double space: replace indentation only. JSON strings cannot hold a raw
    # newline, so the spaces after each newline are indentation; level by level from the deepest.
    depth = 1
    while b"\n" + b"  " * (depth + 1) in indented:
        depth += 1
    for level in range(depth, 0, -1):
        indented = indented.replace(b"\n" + b"  " * level, b"\n" + b"\t" * level)
    return indented


def _render_json_stdlib(catalog: Mapping[str, Any], layout: str) -> str:
    # The standard library prints floats with Python's repr: identical to JavaScript for every
    # number in OMP's catalogs, but 1e-07 vs 1e-7 (and 1e+16 vs 10000000000000000) differ.
    data = json_numbers(catalog)
    if layout == "compact":
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return json.dumps(data, ensure_ascii=False, indent="\t", allow_nan=False)


def render_json_document(data: Any) -> str:
    """Plain JSON for the machine-readable side outputs (list, show, changes): 2-space indented."""
    return json.dumps(json_numbers(data), ensure_ascii=False, indent=2, default=str, allow_nan=False)


# ------------------------------------------------------------------------------------------------
# YAML for plain data


_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9_./][A-Za-z0-9_ ./+()@,$~=-]*$")
_NUMBER_LIKE = re.compile(r"[-+]?[0-9._]*([eE][-+]?[0-9_]*)?")
# Characters a double-quoted scalar must escape beyond what JSON escapes: the Unicode line
# separators (YAML folds them) and everything YAML forbids in a stream (DEL, C1 controls,
# U+FFFE/U+FFFF), which the loader would refuse.
# Bidi controls are escaped too: valid YAML raw, but a file that shows text in another order than it
# holds ("Trojan Source") must not come out of catalogmgr; so is a BOM inside a value, which hides.
_LINE_BREAKS = re.compile(
    "[\u007f-\u009f\u2028\u2029\ufffe\uffff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def _yaml_string(value: str) -> str:
    if (
        _PLAIN_SAFE.fullmatch(value)  # (match() would let "A\n" through: $ matches before a newline)
        and not value.endswith(" ")
        # ruamel.yaml (which re-reads emitted overlays to keep comments) resolves some of these
        # as floats where Bun does not ("._" crashes its float constructor): quote them all.
        and not _NUMBER_LIKE.fullmatch(value)
        and resolve_plain_scalar(value) == value
        and isinstance(resolve_plain_scalar(value), str)
    ):
        return value
    # A JSON string is a valid YAML double-quoted scalar; YAML also folds the Unicode line
    # separators inside one, so those are escaped too.
    quoted = json.dumps(value, ensure_ascii=False)
    return _LINE_BREAKS.sub(lambda match: f"\\u{ord(match.group(0)):04x}", quoted)


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    return _yaml_string(str(value))


_MAX_IMPLICIT_KEY = 1024


def _emit_yaml(value: Any, indent: int, out: list[str]) -> None:
    """Append the block-style lines for a non-empty container at ``indent`` spaces."""
    pad = " " * indent
    if isinstance(value, Mapping):
        for key, item in value.items():
            key_text = _yaml_string(str(key))
            if len(key_text) > _MAX_IMPLICIT_KEY:
                # YAML limits an implicit key to 1024 characters: write it as an explicit `? key`.
                out.append(f"{pad}? {key_text}")
                if _is_nonempty_container(item):
                    out.append(f"{pad}:")
                    _emit_yaml(item, indent + 2, out)
                else:
                    out.append(f"{pad}: {_yaml_leaf(item)}")
                continue
            if _is_nonempty_container(item):
                out.append(f"{pad}{key_text}:")
                _emit_yaml(item, indent + 2, out)
            else:
                out.append(f"{pad}{key_text}: {_yaml_leaf(item)}")
        return
    for item in value:
        if _is_nonempty_container(item):
            nested: list[str] = []
            _emit_yaml(item, indent + 2, nested)
            # "- " takes the place of the first nested line's indentation.
            out.append(f"{pad}- {nested[0][indent + 2 :]}")
            out.extend(nested[1:])
        else:
            out.append(f"{pad}- {_yaml_leaf(item)}")


def _is_nonempty_container(value: Any) -> bool:
    return isinstance(value, Mapping | list) and len(value) > 0


def _yaml_leaf(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _yaml_scalar(value)


def render_yaml_data(data: Any) -> str:
    """Plain data as block-style YAML 1.2 that reads back (with catalogmgr's loader) as the same data."""
    if not _is_nonempty_container(data):
        return _yaml_leaf(data) + "\n"
    lines: list[str] = []
    _emit_yaml(data, 0, lines)
    return "\n".join(lines) + "\n"


def render_catalog_yaml(catalog: Mapping[str, Any]) -> str:
    """The catalog in the ``models.json`` shape, written as YAML.

    Numbers follow the JSON output (:func:`json_numbers`), so both formats carry the same catalog.
    """
    return render_yaml_data(json_numbers(catalog))


# ------------------------------------------------------------------------------------------------
# Overlays


def render_overlay_yaml(
    composed: Mapping[str, Any], first: Document | None, *, sources: Sequence[str] = ()
) -> str:
    """The composed overlay as one ``models.yml``.

    When ``first`` (the first overlay) is YAML, its round-trip tree is updated in place to the
    composed data, so its comments, quoting and key order survive wherever the value they sit on
    is unchanged; keys from later overlays are appended. ``sources`` (more than one) are named in a
    header comment. Values are written as they were given: env var names and ``!commands`` stay.
    """
    header = ""
    if len(sources) > 1:
        # Prepended as text: ruamel's start comment would replace the first overlay's own.
        header = "# Composed by catalogmgr from: " + ", ".join(sources) + " (later files win)\n"
    if first is None or first.format != "yaml" or not first.text.strip():
        # Nothing to keep (no comments, quoting or layout of a YAML file): the plain emitter, which
        # writes a long string at C speed where ruamel's emitter inspects it character by
        # character in Python (a 50 MB value in a JSON overlay took over 20 s of CPU).
        return header + render_yaml_data(json_numbers(composed))
    from ruamel.yaml.comments import CommentedMap

    yaml = make_roundtrip_yaml()
    root: Any = yaml.load(first.text)
    if not isinstance(root, CommentedMap):
        root = CommentedMap()
    _update_map(root, composed, ())
    stream = io.StringIO()
    yaml.dump(root, stream)
    return header + stream.getvalue()


def render_overlay_json(composed: Mapping[str, Any]) -> str:
    """The composed overlay as JSON (OMP reads ``models.json``-named overlays as JSON)."""
    return json.dumps(json_numbers(composed), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _key_text(key: Any) -> str:
    # catalogmgr's loader reads non-string keys as JavaScript would print them.
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, float) and key.is_integer():
        return str(int(key))
    return str(key)


def _update_map(node: Any, data: Mapping[str, Any], path: tuple[Any, ...]) -> None:
    existing = {_key_text(key): key for key in node}
    for text, key in existing.items():
        if text not in data:
            del node[key]
    for key, value in data.items():
        if key not in existing:
            node[key] = _to_roundtrip(value)
            continue
        original_key = existing[key]
        current = node[original_key]
        child = (*path, key)
        if isinstance(value, Mapping) and _is_map_node(current):
            _update_map(current, value, child)
        elif (
            isinstance(value, list)
            and _is_seq_node(current)
            and len(child) == 3
            and child[0] == "providers"
            and child[2] == "models"
        ):
            _update_models(current, value, child)
        elif not _same_plain(current, value):
            node[original_key] = _to_roundtrip(value)


def _update_models(node: Any, models: list[Any], path: tuple[Any, ...]) -> None:
    """Update a models list item by item (the composition keeps earlier items in place)."""
    for index, value in enumerate(models):
        if index < len(node):
            current = node[index]
            if isinstance(value, Mapping) and _is_map_node(current):
                _update_map(current, value, (*path, index))
            elif not _same_plain(current, value):
                node[index] = _to_roundtrip(value)
        else:
            node.append(_to_roundtrip(value))
    while len(node) > len(models):
        node.pop()


def _is_map_node(value: Any) -> bool:
    from ruamel.yaml.comments import CommentedMap

    return isinstance(value, CommentedMap)


def _is_seq_node(value: Any) -> bool:
    from ruamel.yaml.comments import CommentedSeq

    return isinstance(value, CommentedSeq)


def _same_plain(node: Any, value: Any) -> bool:
    """Whether a round-trip node already holds exactly ``value`` (then its style is kept)."""
    if isinstance(value, Mapping):
        return (
            _is_map_node(node)
            and [_key_text(key) for key in node] == list(value)
            and all(_same_plain(node[key], value[_key_text(key)]) for key in node)
        )
    if isinstance(value, list):
        return (
            isinstance(node, list)
            and len(node) == len(value)
            and all(_same_plain(a, b) for a, b in zip(node, value, strict=True))
        )
    if isinstance(value, bool) or isinstance(node, bool):
        return isinstance(node, bool) and isinstance(value, bool) and node == value
    if isinstance(value, str) or isinstance(node, str):
        return isinstance(node, str) and isinstance(value, str) and str(node) == value
    if node is None or value is None:
        return node is None and value is None
    numbers = (int, float)
    return isinstance(node, numbers) and isinstance(value, numbers) and bool(node == value)


def _to_roundtrip(value: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, Mapping):
        result = CommentedMap()
        for key, item in value.items():
            result[key] = _to_roundtrip(item)
        return result
    if isinstance(value, list):
        sequence = CommentedSeq(_to_roundtrip(item) for item in value)
        if value and all(not isinstance(item, Mapping | list) for item in value) and len(value) <= 8:
            sequence.fa.set_flow_style()  # `input: [text, image]`, as people write it
        return sequence
    if isinstance(value, str) and _yaml_string(value) != value:
        # Where the plain emitter would quote a string, ruamel must not write it plain: it would
        # leave e.g. a trailing no-break space unquoted, which OMP's trim of the text removes.
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString

        return DoubleQuotedScalarString(value)
    return value


CATALOG_RENDERERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "json": render_catalog_json,
    "yaml": render_catalog_yaml,
}
