"""Reading YAML and JSON with positions, and writing files atomically.

Every key and list item of a loaded document knows where it starts (1-based line and column), so
that a problem found anywhere later can be reported as ``file:line:col``. YAML goes through
ruamel.yaml's composer (nodes carry marks) and is turned into plain Python by this module, which
lets it follow OMP's parser (Bun's YAML, the 1.2 core schema) rather than PyYAML's habits: ``yes``
is a string, ``1_000`` is a string, timestamps stay strings, custom tags are ignored, duplicate keys
keep the last value. JSON (and JSONC, which OMP accepts for ``.json`` files too) is parsed by the
standard library; positions are computed lazily, on the first request, by a small tokenizer, so
the 11 MB bundled catalog loads at full speed when nothing is wrong with it.

Loading never raises anything but :class:`~catalogmgr.errors.InputError` for bad input; non-fatal
findings (duplicate keys, a BOM, ignored tags) become located :class:`~catalogmgr.problems.Problem`
values on the document.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import math
import os
import re
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

from catalogmgr.documents.jsonc import JsoncSyntaxError, LenientJsonc
from catalogmgr.documents.yaml_reader import MAX_DEPTH as MAX_DEPTH
from catalogmgr.documents.yaml_reader import MAX_NODES as MAX_NODES
from catalogmgr.documents.yaml_reader import MAX_YAML_BYTES as MAX_YAML_BYTES
from catalogmgr.documents.yaml_reader import MAX_YAML_NODES as MAX_YAML_NODES
from catalogmgr.documents.yaml_reader import YamlReader
from catalogmgr.documents.yaml_reader import resolve_plain_scalar as resolve_plain_scalar
from catalogmgr.errors import InputError, WriteError
from catalogmgr.problems import Position, Problem, Severity, path_from_pointer, pointer_from_path

Format = Literal["yaml", "json", "jsonc"]

# Limits that keep hostile input bounded (documented in the README, "Limits and guarantees").
MAX_FILE_BYTES = 64 * 1024 * 1024  # overlays and anything loaded with positions
MAX_CATALOG_BYTES = 1024 * 1024 * 1024  # plain loads of base catalogs (OMP's is 11 MB)
# Python refuses to convert longer digit strings to int (CPython's int_max_str_digits default).
MAX_INT_DIGITS = 4300

_BOM = "\ufeff"


@dataclass
class Document:
    """A parsed file: plain data plus a way back to where each value was written."""

    name: str
    format: Format
    text: str
    data: Any
    problems: list[Problem] = field(default_factory=list)
    _value_positions: dict[str, Position] | None = field(default=None, repr=False)
    _key_positions: dict[str, Position] | None = field(default=None, repr=False)

    def position(self, pointer: str) -> Position | None:
        """Where the value at ``pointer`` starts; the nearest existing ancestor when it is absent."""
        values, _ = self._positions()
        return _nearest(values, pointer)

    def key_position(self, pointer: str) -> Position | None:
        """Where the mapping key naming ``pointer`` starts (the value's position for list items)."""
        values, keys = self._positions()
        if pointer in keys:
            return keys[pointer]
        return _nearest(values, pointer)

    def _positions(self) -> tuple[dict[str, Position], dict[str, Position]]:
        if self._value_positions is None or self._key_positions is None:
            # Only JSON documents get here: YAML fills both maps while loading.
            index = _JsonPositionIndex(_strip_jsonc(self.text))
            self._value_positions, self._key_positions = index.values, index.keys
        return self._value_positions, self._key_positions


def _nearest(positions: dict[str, Position], pointer: str) -> Position | None:
    parts = list(path_from_pointer(pointer))
    while True:
        found = positions.get(pointer_from_path(parts))
        if found is not None or not parts:
            return found
        parts.pop()


# --------------------------------------------------------------------------------------------
# Reading bytes safely


def read_text(path: str | Path, *, name: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a regular file as UTF-8 text, refusing what is not one, with a one-line located error.

    Directories, FIFOs and devices are refused without opening them (a FIFO would block forever);
    files larger than ``max_bytes`` are refused before reading; invalid UTF-8 and NUL bytes are
    reported at their line and column.
    """
    display = name if name is not None else str(path)
    return decode_text(read_bytes(path, name=display, max_bytes=max_bytes), name=display)


def read_bytes(path: str | Path, *, name: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The raw bytes of a regular file, with :func:`read_text`'s refusals (but no decoding)."""
    display = name if name is not None else str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError("no such file", file=display, rule="read") from None
    except PermissionError:
        raise InputError("permission denied", file=display, rule="read") from None
    except OSError as error:  # ELOOP (symlink loop), ENAMETOOLONG, ...
        raise InputError(f"cannot read: {error.strerror or error}", file=display, rule="read") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError("is a directory, not a file", file=display, rule="read")
    if not stat.S_ISREG(info.st_mode):
        raise InputError("is not a regular file (a FIFO, socket or device?)", file=display, rule="read")
    if info.st_size > max_bytes:
        raise InputError(
            f"file is {info.st_size:,} bytes, over the {max_bytes:,}-byte limit", file=display, rule="read"
        )
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except PermissionError:
        raise InputError("permission denied", file=display, rule="read") from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", file=display, rule="read") from None
    if len(raw) > max_bytes:  # grew between stat and read
        raise InputError(f"file is over the {max_bytes:,}-byte limit", file=display, rule="read")
    return raw


def read_stream(stream: BinaryIO, *, name: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a byte stream (standard input) as UTF-8 text, with the size limit files have: an
    endless stream is refused once it passes ``max_bytes`` instead of filling the memory."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(1 << 20, max_bytes + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise InputError(f"input is over the {max_bytes:,}-byte limit", file=name, rule="read")
    return decode_text(b"".join(chunks), name=name)


def decode_text(raw: bytes, *, name: str) -> str:
    """Decode UTF-8 strictly; report the first bad byte or NUL with its line and column."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        prefix = raw[: error.start]
        line = prefix.count(b"\n") + 1
        column = len(prefix) - (prefix.rfind(b"\n") + 1) + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{raw[error.start]:02x}); save the file as UTF-8",
            file=name,
            position=Position(line, column),
            rule="encoding",
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(
            "contains a NUL byte: this is not a text file",
            file=name,
            position=_offset_position(text, nul),
            rule="encoding",
        )
    return text


def _offset_position(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Position(line, column)


# --------------------------------------------------------------------------------------------
# Public loaders


def detect_format(path: str | Path, text: str | None = None) -> Format:
    """Pick the parser the way OMP does: by extension; otherwise sniff for a JSON object."""
    suffix = Path(path).suffix.lower()
    if suffix == ".jsonc":
        return "jsonc"
    if suffix == ".json":
        return "json"
    if suffix in {".yml", ".yaml"}:
        return "yaml"
    if text is not None and text.lstrip(_BOM + " \t\r\n")[:1] in {"{", "["}:
        return "json"
    return "yaml"


def load_document(path: str | Path, *, name: str | None = None, fmt: Format | None = None) -> Document:
    """Read and parse one file with positions. Raises :class:`InputError` for unusable input."""
    display = name if name is not None else str(path)
    text = read_text(path, name=display)
    return parse_document(text, name=display, fmt=fmt or detect_format(path, text))


def parse_document(text: str, *, name: str, fmt: Format) -> Document:
    """Parse text already in memory (see :func:`load_document`)."""
    problems: list[Problem] = []
    if text.startswith(_BOM):
        # OMP trims the content (JavaScript's trim() removes U+FEFF), so a BOM is accepted there.
        problems.append(
            Problem(
                file=name,
                position=Position(1, 1),
                pointer="",
                message="file starts with a byte-order mark (BOM); OMP ignores it, but other tools may not",
                rule="bom",
                severity=Severity.WARNING,
            )
        )
        text = text[1:]
    if fmt == "yaml":
        data, values, keys, found = YamlReader(name, text).read()
        problems.extend(found)
        document = Document(name, fmt, text, data, problems, values, keys)
        _check_plain_data(document, text)
        return document
    data, duplicates = _parse_json(text, name=name, fmt=fmt)
    document = Document(name, fmt, text, data, problems)
    _check_plain_data(document, text, max_values=MAX_NODES)
    if duplicates:
        index = _JsonPositionIndex(_strip_jsonc(text))
        document._value_positions, document._key_positions = index.values, index.keys
        for pointer in index.duplicates:
            document.problems.append(_duplicate_problem(name, pointer, index.keys.get(pointer)))
    return document


# A text that can hold a lone UTF-16 surrogate must spell it as an escape: \uD800 (JSON, YAML) or
# \UD800.. / \U0000D800 (YAML). Only such texts pay for the walk over every string.
_SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_plain_data(document: Document, text: str, *, max_values: int | None = None) -> None:
    """Refuse data that no later stage can handle: nesting deeper than :data:`MAX_DEPTH` (JSON;
    the YAML builder stops earlier), more than ``max_values`` values, and lone surrogates, which
    no UTF-8 output can hold."""
    too_deep, values = _measure(document.data)
    if max_values is not None and values > max_values:
        raise InputError(
            f"{values:,} values, over the {max_values:,} limit for a file read with positions"
            " (OMP's own 11 MB catalog has about 400,000; overlays a few hundred)",
            file=document.name,
            position=Position(1, 1),
            rule="limits",
        )
    deep = _too_deep(document.data) if too_deep else None
    if deep is not None:
        raise InputError(
            f"nesting deeper than {MAX_DEPTH} levels",
            file=document.name,
            position=document.position(pointer_from_path(deep)),
            rule="limits",
        )
    if _SURROGATE_ESCAPE.search(text):
        where = lone_surrogate_path(document.data)
        if where is not None:
            raise InputError(
                "a \\u escape spells half of a UTF-16 surrogate pair, which is not a character;"
                " write the character itself",
                file=document.name,
                position=document.position(pointer_from_path(where)),
                rule="encoding",
            )


def _measure(data: Any) -> tuple[bool, int]:
    """Whether a value sits deeper than :data:`MAX_DEPTH` (as the YAML builder counts: the root
    is depth 0), and how many values there are.

    Level by level over containers only (20 ms on the 11 MB catalog, where a walk over every
    value takes three times as long)."""
    level = [data] if isinstance(data, dict | list) else []
    depth = 0
    values = 1
    while level:
        if depth >= MAX_DEPTH and any(level):
            return True, values  # a non-empty container here holds values at depth MAX_DEPTH + 1
        deeper: list[Any] = []
        for value in level:
            values += len(value)
            children = value.values() if type(value) is dict else value
            deeper.extend([child for child in children if type(child) is dict or type(child) is list])
        depth += 1
        level = deeper
    return False, values


# Up to this size the quick depth check's indented copy (about 1.4 times the file) is cheap; a
# larger file (up to MAX_CATALOG_BYTES) gets the walk, which holds no copy.
_QUICK_DEPTH_CHECK_BYTES = 128 * 1024 * 1024


def _nested_too_deep(data: Any) -> bool:
    """``_measure(data)[0]`` for data orjson parsed, in a third of the time (11 ms on OMP's catalog).

    orjson's 2-space indented form puts every value of a non-empty container on a line of its own,
    indented two spaces per level (a JSON string holds no raw newline): a value nested deeper than
    :data:`MAX_DEPTH` is a line indented more than ``2 * MAX_DEPTH`` spaces. orjson refuses to
    write more than 255 levels, which is too deep as well; anything else it refuses gets the walk.
    """
    import orjson

    try:
        indented = orjson.dumps(data, option=orjson.OPT_INDENT_2)
    except orjson.JSONEncodeError as error:
        if "recursion" in str(error).lower():
            return True
        return _measure(data)[0]
    return b"\n" + b"  " * (MAX_DEPTH + 1) in indented


def _too_deep(data: Any) -> list[str | int] | None:
    """The path of the first value nested deeper than :data:`MAX_DEPTH`, or None. Iterative, so
    it works on data far deeper than Python's recursion limit."""
    stack: list[tuple[Any, list[str | int]]] = [(data, [])]
    while stack:
        value, path = stack.pop()
        items: Any
        if isinstance(value, dict):
            items = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            continue
        for key, child in items:
            if len(path) >= MAX_DEPTH:
                return [*path, key]
            if isinstance(child, dict | list):
                stack.append((child, [*path, key]))
    return None


def lone_surrogate_path(data: Any) -> list[str | int] | None:
    """The path of the first key or string holding a lone surrogate, or None (iterative)."""
    stack: list[tuple[Any, list[str | int]]] = [(data, [])]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return path
        elif isinstance(value, dict):
            for key, child in value.items():
                if isinstance(key, str) and _SURROGATE.search(key):
                    return [*path, key]
                stack.append((child, [*path, key]))
        elif isinstance(value, list):
            stack.extend((child, [*path, index]) for index, child in enumerate(value))
    return None


def load_json_fast(path: str | Path, *, name: str | None = None, max_bytes: int = MAX_CATALOG_BYTES) -> Any:
    """Load a large JSON file (a bundled catalog) as plain data, as fast as the machine allows.

    Uses orjson when it is installed (several times faster on the 11 MB catalog) and the standard
    library otherwise; both give the same values. Errors are located one-line :class:`InputError`.
    """
    display = name if name is not None else str(path)
    return load_json_bytes(read_bytes(path, name=display, max_bytes=max_bytes), name=display)


def load_json_bytes(raw: bytes, *, name: str) -> Any:
    """:func:`load_json_fast` for bytes already in memory (the embedded catalog, decompressed)."""
    display = name
    try:
        import orjson
    except ImportError:  # pragma: no cover - exercised when the optional extra is absent
        pass
    else:
        # orjson parses bytes directly (and rejects invalid UTF-8): handing it a decoded str
        # would cost a re-encoding of the whole catalog, doubling the load time.
        if b"\x00" not in raw:
            try:
                data = orjson.loads(raw.removeprefix(b"\xef\xbb\xbf"))
            except orjson.JSONDecodeError:
                pass  # fall through to the standard parser for its precise location (or big numbers)
            else:
                # orjson refuses lone surrogates itself, but nests up to 1024 levels.
                small = len(raw) <= _QUICK_DEPTH_CHECK_BYTES
                if _nested_too_deep(data) if small else _measure(data)[0]:
                    text = decode_text(raw, name=display).removeprefix(_BOM)
                    _check_plain_data(Document(display, "json", text, data), text)
                return data
    text = decode_text(raw, name=display).removeprefix(_BOM)
    data, _ = _parse_json(text, name=display, fmt="json")
    _check_plain_data(Document(display, "json", text, data), text)
    return data


def load_for_edit(yaml: Any, existing_text: str | None, *, name: str) -> Any:
    """The round-trip tree of an overlay about to be edited in place (a new map for no text).

    Raises :class:`InputError` when the text is not YAML or not a mapping, so nothing is edited.
    """
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    root: Any = None
    if existing_text is not None and existing_text.strip():
        try:
            root = yaml.load(existing_text)
        except YAMLError as error:
            raise InputError(
                f"cannot edit: not valid YAML ({' '.join(str(error).split())[:160]})", file=name
            ) from None
    if root is None:
        root = CommentedMap()
    if not isinstance(root, CommentedMap):
        raise InputError("cannot edit: the file is not a mapping with `providers:`", file=name)
    return root


def make_roundtrip_yaml() -> Any:
    """A ruamel.yaml round-trip instance configured the way catalogmgr writes models.yml files.

    Two-space indentation with list dashes indented under their key (the style of OMP's own
    ``YAML.stringify`` output and of the users' files), long lines never folded.
    """
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 1_000_000
    yaml.preserve_quotes = True
    # Files it re-reads (to update them in place) were loaded by this module first, which reports
    # duplicate keys as warnings; ruamel.yaml would raise instead. The caller overwrites the
    # (first-wins) value with the loaded, last-wins one.
    yaml.allow_duplicate_keys = True
    yaml.Representer = _exact_float_representer()
    yaml.Emitter = _escaping_emitter()
    return yaml


def _escaping_emitter() -> Any:
    """ruamel.yaml's round-trip emitter, except that a string holding a bidi control, a C1 control,
    a line separator or a BOM is written double-quoted with every non-ASCII character escaped.

    ruamel writes those characters raw inside quotes (they are printable Unicode to it), so a model
    name from an upstream listing could reorder what a user sees of the file it lands in. Escaped,
    the value Bun reads back is the same; strings without such characters keep their readable text.
    """
    from ruamel.yaml.emitter import RoundTripEmitter

    from catalogmgr.render.escape import hides_text

    class EscapingRoundTripEmitter(RoundTripEmitter):
        def analyze_scalar(self, scalar: Any) -> Any:
            if not isinstance(scalar, str) or not hides_text(scalar):
                return super().analyze_scalar(scalar)
            with self._ascii_only():  # the analysis then allows only the double-quoted style
                return super().analyze_scalar(scalar)

        def write_double_quoted(self, text: Any, split: Any = True) -> None:
            if not isinstance(text, str) or not hides_text(text):
                super().write_double_quoted(text, split)
                return
            with self._ascii_only():
                super().write_double_quoted(text, split)

        @contextlib.contextmanager
        def _ascii_only(self) -> Iterator[None]:
            saved = self.allow_unicode
            self.allow_unicode = False
            try:
                yield
            finally:
                self.allow_unicode = saved

    return EscapingRoundTripEmitter


def _exact_float_representer() -> Any:
    """ruamel.yaml's round-trip representer, except that a float it would rewrite as a different
    number is written in Python's shortest exact form instead.

    ruamel.yaml re-creates a loaded float's original layout (width, exponent) from the double,
    and for about one float in five written with 16-17 significant digits and an exponent it
    gets the last digit wrong (``5.568790145529865e+16`` comes back as ``...864e+16``): an
    overlay updated in place would silently change numbers nobody touched.
    """
    from ruamel.yaml.representer import RoundTripRepresenter
    from ruamel.yaml.scalarfloat import ScalarFloat

    class ExactFloatRepresenter(RoundTripRepresenter):
        def represent_exact_float(self, data: Any) -> Any:
            node = self.represent_scalar_float(data)
            number = float(data)
            if not math.isfinite(number):
                return node
            try:
                if float(node.value) == number:
                    return node
            except ValueError:
                pass
            node.value = repr(number)
            return node

    ExactFloatRepresenter.add_representer(ScalarFloat, ExactFloatRepresenter.represent_exact_float)
    return ExactFloatRepresenter


# --------------------------------------------------------------------------------------------
# YAML


def _duplicate_problem(name: str, pointer: str, position: Position | None) -> Problem:
    key = path_from_pointer(pointer)[-1] if pointer else ""
    return Problem(
        file=name,
        position=position,
        pointer=pointer,
        message=f"duplicate key {key!r}: OMP keeps only the last one, the earlier value is lost",
        rule="duplicate-key",
        severity=Severity.WARNING,
    )


# --------------------------------------------------------------------------------------------
# JSON and JSONC

# Strings are matched as "unrolled loops" ("[^"\\]*(?:\\.[^"\\]*)*"): an alternation repeated per
# character would make the regex engine keep a backtracking entry per character, and a 50 MB
# string then needs gigabytes.
_JSONC_NOISE = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|//[^\n]*|/\*.*?\*/', re.DOTALL)
_TRAILING_COMMA = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|,(?=\s*[}\]])')


_LONE_COMMA = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|([\[{,]\s*,)')


def _strip_jsonc(text: str) -> str:
    """Blank out comments and trailing commas, keeping every other character where it was."""

    def blank_comment(match: re.Match[str]) -> str:
        token = match.group(0)
        return token if token.startswith('"') else re.sub(r"[^\n]", " ", token)

    def blank_comma(match: re.Match[str]) -> str:
        token = match.group(0)
        return token if token.startswith('"') else " "

    return _TRAILING_COMMA.sub(blank_comma, _JSONC_NOISE.sub(blank_comment, text))


class _DuplicateTracker:
    def __init__(self) -> None:
        self.found = False

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                self.found = True
            result[key] = value
        return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parse_json(text: str, *, name: str, fmt: Format) -> tuple[Any, bool]:
    # OMP parses .json and .jsonc alike with Bun's JSONC parser: comments and trailing commas pass.
    # Plain JSON (the usual case) parses as it is; only when that fails are comments and trailing
    # commas blanked out (keeping every offset) and the text parsed again: the blanking costs
    # more than the parse (0.6 s on the 11 MB catalog).
    # What even that refuses goes to a parser of Bun's own leniency (jsonc.py), which decides.
    source = text
    tracker = _DuplicateTracker()
    try:
        try:
            data = _json_loads(source, tracker)
        except json.JSONDecodeError:
            source = _strip_jsonc(text)
            tracker = _DuplicateTracker()
            try:
                if any(match.group(1) for match in _LONE_COMMA.finditer(text)):
                    # "[,]": blanking the comma would make it valid; Bun refuses it.
                    raise json.JSONDecodeError("a comma with no value before it", source, 0)
                data = _json_loads(source, tracker)
            except json.JSONDecodeError:
                lenient = LenientJsonc(text, max_depth=MAX_DEPTH)
                data = lenient.parse()
                return data, lenient.duplicates
    except JsoncSyntaxError as error:
        if error.message.startswith("nesting deeper"):
            raise InputError(
                error.message, file=name, position=_offset_position(text, error.offset), rule="limits"
            ) from None
        raise InputError(
            f"JSON syntax error: {error.message}",
            file=name,
            position=_offset_position(text, error.offset),
            rule="syntax",
        ) from None
    except ValueError as error:  # NaN / Infinity / out of range, or too many digits for int()
        token, position = _bad_number_token(source)
        if token is not None and len(token) > MAX_INT_DIGITS:
            message = f"a number with {len(token.lstrip('-')):,} digits; not a value any model has"
        else:
            message = str(error)
        raise InputError(message, file=name, position=position, rule="syntax") from None
    except RecursionError:
        raise InputError(
            f"nesting deeper than {MAX_DEPTH} levels",
            file=name,
            position=_too_deep_offset(source),
            rule="limits",
        ) from None
    return data, tracker.found


def _too_deep_offset(source: str) -> Position | None:
    """Where the first container deeper than :data:`MAX_DEPTH` opens (brackets in strings skipped)."""
    depth = 0
    for match in _JSON_TOKEN.finditer(source):
        token = match.group(0)
        if token in {"{", "["}:
            depth += 1
            if depth > MAX_DEPTH + 1:
                return _offset_position(source, match.start())
        elif token in {"}", "]"}:
            depth -= 1
    return None


# A JSON number that JavaScript reads as +-Infinity (1e400, a 400-digit integer): OMP would carry
# Infinity, and no JSON writer can write it back, so such numbers are refused where they are read.
_DOUBLE_LIMIT = 2**1024


def _finite_float(token: str) -> float:
    value = float(token)
    if math.isinf(value):
        raise ValueError(f"the number {_shorten(token)} is out of range (JavaScript reads it as Infinity)")
    return value


def _finite_int(token: str) -> int | float:
    if token == "-0":
        return -0.0  # JavaScript's negative zero
    if len(token) > MAX_INT_DIGITS:
        raise ValueError("too many digits")
    value = int(token)
    if abs(value) >= _DOUBLE_LIMIT:
        raise ValueError(f"the number {_shorten(token)} is out of range (JavaScript reads it as Infinity)")
    return value


def _shorten(token: str) -> str:
    return token if len(token) <= 24 else f"{token[:12]}...{token[-6:]} ({len(token):,} characters)"


def _json_loads(source: str, tracker: _DuplicateTracker) -> Any:
    return json.loads(
        source,
        object_pairs_hook=tracker.pairs,
        parse_constant=_reject_constant,
        parse_float=_finite_float,
        parse_int=_finite_int,
    )


def _bad_number_token(source: str) -> tuple[str | None, Position | None]:
    """The first bare token JSON cannot read as a finite number (NaN, Infinity, 1e400, 4,301+
    digits) and where it starts."""
    for match in _JSON_TOKEN.finditer(source):
        token = match.group(0)
        if token in {"NaN", "Infinity", "-Infinity"} or (
            len(token) > MAX_INT_DIGITS and token.lstrip("-").isdigit()
        ):
            return token, _offset_position(source, match.start())
        if token[:1] in "-0123456789" and token not in {"-"}:
            try:
                if math.isinf(float(token)):
                    return token, _offset_position(source, match.start())
            except ValueError:
                continue
    return None, None


_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


class _JsonPositionIndex:
    """Positions of every value and key of a JSON text, found by one tokenizing pass."""

    def __init__(self, text: str) -> None:
        self.values: dict[str, Position] = {}
        self.keys: dict[str, Position] = {}
        self.duplicates: list[str] = []
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._index(text)

    def _at(self, offset: int) -> Position:
        line = bisect.bisect_right(self._line_starts, offset)
        return Position(line, offset - self._line_starts[line - 1] + 1)

    def _index(self, text: str) -> None:
        # Each frame: [path, kind ("{" or "["), next list index, pending key, keys seen]
        stack: list[list[Any]] = []
        path: list[str | int] = []
        expecting_key = False
        for match in _JSON_TOKEN.finditer(text):
            token = match.group(0)
            if token in {":", ","}:
                if token == "," and stack and stack[-1][1] == "{":
                    expecting_key = True
                continue
            if token in {"}", "]"}:
                if stack:
                    stack.pop()
                    if path:
                        path.pop()
                expecting_key = False
                continue
            if stack and stack[-1][1] == "{" and expecting_key:
                if token.startswith('"'):
                    try:
                        key = json.loads(token)
                    except ValueError:
                        key = token.strip('"')
                    frame = stack[-1]
                    frame[3] = key
                    pointer = pointer_from_path([*path, key])
                    if key in frame[4]:
                        self.duplicates.append(pointer)
                    frame[4].add(key)
                    self.keys[pointer] = self._at(match.start())
                expecting_key = False
                continue
            # A value: a scalar or the start of a container.
            if stack:
                frame = stack[-1]
                if frame[1] == "[":
                    child: str | int = frame[2]
                    frame[2] += 1
                else:
                    child = frame[3]
                value_path = [*path, child]
            else:
                value_path = []
            self.values[pointer_from_path(value_path)] = self._at(match.start())
            if token in {"{", "["}:
                if stack:
                    path.append(value_path[-1])
                stack.append([list(value_path), token, 0, None, set()])
                expecting_key = token == "{"


# --------------------------------------------------------------------------------------------
# Writing


def atomic_write(path: str | Path, data: str | bytes, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` so that readers see the old file or the new one, never half.

    Writes a temporary file in the same directory, fsyncs it, gives it the target's permissions
    (or ``mode``; or 0o666 minus the umask for a new file), renames it over the target and fsyncs
    the directory. A symlink target is written through (the link stays a link). On any failure the
    temporary file is removed, the original is untouched, and :class:`WriteError` is raised.
    """
    target = Path(path)
    try:
        if target.is_symlink():
            target = target.resolve(strict=False)
        is_directory, exists, is_file = target.is_dir(), target.exists(), target.is_file()
    except RuntimeError:  # Python 3.11-3.12 report a symlink loop this way
        raise WriteError(f"{path}: cannot write: a symbolic link loop") from None
    except OSError as error:  # ELOOP on 3.13+, ENAMETOOLONG, EACCES on a parent directory
        raise WriteError(f"{path}: cannot write: {error.strerror or error}") from None
    payload = data.encode("utf-8") if isinstance(data, str) else data
    directory = target.parent if str(target.parent) else Path(".")
    if is_directory:
        raise WriteError(f"{path}: is a directory; give a file name")
    if exists and not is_file:
        # /dev/null, /dev/stdout, a FIFO: there is nothing to replace atomically, and renaming a
        # temporary file over a device node would be a disaster. Write straight through instead.
        try:
            with open(target, "wb") as stream:
                stream.write(payload)
        except OSError as error:
            raise WriteError(f"{path}: cannot write: {error.strerror or error}") from None
        return
    if mode is None:
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        except OSError as error:
            raise WriteError(f"{path}: cannot write: {error.strerror or error}") from None
    with _termination_raises():
        _replace_through_temporary(path, target, directory, payload, mode)
    _fsync_directory(directory)


def _replace_through_temporary(
    path: str | Path, target: Path, directory: Path, payload: bytes, mode: int
) -> None:
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as error:
        raise WriteError(f"{path}: cannot write: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as error:
        with _suppress_os_error():
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise WriteError(f"{path}: cannot write: {error.strerror or error}") from None
        raise


_TERMINATING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextlib.contextmanager
def _termination_raises() -> Iterator[None]:
    """While a temporary file exists, SIGTERM and SIGHUP raise SystemExit (exit 128 + signal)
    instead of killing the process outright, so the temporary file is removed on the way out.
    Only the main thread may set handlers; elsewhere the signals keep their own behaviour."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(number: int, _frame: object) -> None:
        raise SystemExit(128 + number)

    previous = {number: signal.signal(number, terminate) for number in _TERMINATING_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)


def _fsync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk; not every OS allows it.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _suppress_os_error:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> bool:
        return kind is not None and issubclass(kind, OSError)


def iter_pointers(data: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Every (pointer, value) of plain data, parents before children."""
    yield pointer_from_path(path), data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from iter_pointers(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from iter_pointers(value, (*path, index))
