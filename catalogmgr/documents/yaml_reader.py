"""YAML read exactly as OMP reads it: Bun's ``YAML.parse`` (Bun 1.4.4), with a position for every
key and value.

Events come from libyaml through PyYAML's C parser (``yaml._yaml.CParser``), whose marks give each
node's line and column; Bun's typing rules sit on top (measured against Bun itself on the public
yaml-test-suite and the cases in ``tests/compat/``):

* plain scalars by the YAML 1.2 core schema with Bun's edges: ``0777`` is 777, ``+0x30000`` is
  196608, hex and octal beyond 64 bits stay strings, ``1_000``/``yes``/``0X1F``/``-.nan`` are
  strings, every number is a JavaScript double (integral ones become Python ints);
* quoted and block scalars are strings whatever their tag (``!!int "64000"`` is "64000");
* a custom or non-specific tag (``!ctx 200000``, ``! 12``) makes a plain scalar a string; ``!!int``
  and ``!!float`` keep a number, ``!!bool``/``!!null`` their literal, and anything else is a string;
* merge keys (``<<``, quoted or not, or ``!!merge``): a mapping or the mappings of a sequence, the
  earlier source winning and explicit keys always winning; anything else merges nothing (a scalar
  stays an ordinary ``<<`` key);
* keys become strings as JavaScript makes them (``1.0`` -> "1", ``[a, b]`` -> "a,b",
  ``{x: 1}`` -> "[object Object]"), duplicate keys keep the last value;
* a stream of several documents is a list of them; the text is trimmed first, as OMP trims it.

The reader is linear in the size of its input: positions go to an append-only log (no rescans
for duplicate keys), and aliases and merges replay only the slice of the log their anchor wrote.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from catalogmgr.errors import InputError
from catalogmgr.problems import Position, Problem, Severity

# Limits that keep hostile YAML bounded (documented in the README, "Limits and guarantees").
MAX_NODES = 1_000_000  # values after alias expansion: stops "billion laughs" before any work
MAX_DEPTH = 100  # nesting depth: real overlays need about 8
MAX_YAML_BYTES = 8 * 1024 * 1024  # libyaml reads ~2-5 MB/s with positions: seconds at most
MAX_YAML_NODES = 1_000_000  # nodes as written, before alias expansion

_CORE = "tag:yaml.org,2002:"

# JavaScript's String.prototype.trim(): WhiteSpace and LineTerminator (with U+FEFF, not U+0085).
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(
    map(chr, range(0x2000, 0x200B))
)

_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_DECIMAL = re.compile(r"[-+]?[0-9]+")
_HEX = re.compile(r"([-+]?)0x([0-9a-fA-F]+)")
_OCTAL = re.compile(r"([-+]?)0o([0-7]+)")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN = frozenset({".nan", ".NaN", ".NAN"})
# Bun reads hex and octal into an unsigned 64-bit integer; longer ones stay strings.
_U64_LIMIT = 2**64
# Up to this many digits an integer is exact as a double; longer ones round like JavaScript.
_EXACT_DIGITS = 15


def resolve_plain_scalar(value: str) -> Any:
    """Type a plain (unquoted, untagged) YAML scalar as Bun's ``YAML.parse`` does."""
    first = value[:1]
    if first in _SCALAR_STARTS:
        if value in _NULL:
            return None
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        if first not in _NUMBER_STARTS:
            return value
        if _DECIMAL.fullmatch(value):
            return _decimal_integer(value)
        match = _HEX.fullmatch(value) or _OCTAL.fullmatch(value)
        if match is not None:
            return _radix_integer(value, match)
        if _FLOAT.fullmatch(value):
            return _double(float(value))
        if _INF.fullmatch(value):
            return -math.inf if first == "-" else math.inf
        if value in _NAN:
            return math.nan
    elif not value:
        return None
    return value


_SCALAR_STARTS = frozenset("~nNtTfF0123456789+-.")
_NUMBER_STARTS = frozenset("0123456789+-.")


def _decimal_integer(text: str) -> int | float:
    if len(text) <= _EXACT_DIGITS:
        number = int(text)
        if number == 0 and text.startswith("-"):
            return -0.0
        return number
    return _double(float(text))  # float() rounds any length of digits, as JavaScript does


def _radix_integer(text: str, match: re.Match[str]) -> int | float | str:
    sign, digits = match.group(1), match.group(2).lstrip("0") or "0"
    base = 16 if "x" in text[:3] else 8
    if len(digits) > (16 if base == 16 else 22):  # certainly beyond 64 bits: no big int built
        return text
    number = int(digits, base)
    if number >= _U64_LIMIT:
        return text
    if sign == "-":
        return _double(-float(number)) if number else -0.0
    return _double(float(number))


def _double(number: float) -> int | float:
    """A JavaScript number as Python holds it: integral finite doubles as ints (``1e3`` is 1000,
    as JSON.stringify writes it), -0 and the rest as floats."""
    if abs(number) < 1e21 and number.is_integer() and not (number == 0 and math.copysign(1, number) < 0):
        return int(number)  # below 1e21 JavaScript writes an integral number without a point
    return number


def js_string(value: Any) -> str:
    """``String(value)`` in JavaScript, for a value this reader produces (how Bun turns a key
    that is not a string into one)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if abs(value) < 10**21 else js_number(float(value))
    if isinstance(value, float):
        return js_number(value)
    if isinstance(value, list):
        return ",".join("" if item is None else js_string(item) for item in value)
    return "[object Object]"


def js_number(number: float) -> str:
    """ECMAScript's Number::toString for a double."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    _, digit_tuple, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    count = len(digits)
    point = count + int(exponent)  # the decimal point sits after `point` digits
    if count <= point <= 21:
        return sign + digits + "0" * (point - count)
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * -point + digits
    mantissa = digits[0] + ("." + digits[1:] if count > 1 else "")
    return f"{sign}{mantissa}e{'+' if point - 1 >= 0 else '-'}{abs(point - 1)}"


def js_trim(text: str) -> tuple[str, int, int]:
    """``text.trim()`` as JavaScript does it, with the lines and columns the trimmed-away start
    took (to put positions back where the author sees them)."""
    start = len(text) - len(text.lstrip(_JS_SPACE))
    end = len(text.rstrip(_JS_SPACE))
    if end < start:
        end = start
    head = text[:start]
    lines = head.count("\n")
    columns = start - (head.rfind("\n") + 1)
    return text[start:end], lines, columns


def escape_segment(key: str) -> str:
    """One RFC 6901 pointer segment."""
    if "~" in key or "/" in key:
        return key.replace("~", "~0").replace("/", "~1")
    return key


class MarkPositions(dict[str, Position]):
    """Positions by JSON pointer, made from libyaml's marks only when asked for: a file has tens
    of thousands of nodes and a report needs a handful of positions."""

    def __init__(self, marks: dict[str, Any], convert: Callable[[Any], Position]) -> None:
        super().__init__()
        self._marks = marks
        self._to_position = convert

    def _convert(self, pointer: str) -> Position | None:
        mark = self._marks.get(pointer)
        if mark is None:
            return None
        found = self._to_position(mark)
        super().__setitem__(pointer, found)
        return found

    def __getitem__(self, pointer: str) -> Position:
        if super().__contains__(pointer):
            return super().__getitem__(pointer)
        found = self._convert(pointer)
        if found is None:
            raise KeyError(pointer)
        return found

    def get(self, pointer: str, default: Any = None) -> Any:
        if super().__contains__(pointer):
            return super().__getitem__(pointer)
        found = self._convert(pointer)
        return default if found is None else found

    def __contains__(self, pointer: object) -> bool:
        return super().__contains__(pointer) or pointer in self._marks

    def setdefault(self, pointer: str, default: Any = None) -> Any:
        if pointer in self:
            return self[pointer]
        super().__setitem__(pointer, default)
        return default

    def __len__(self) -> int:
        return len(self._marks.keys() | super().keys())

    def __iter__(self) -> Iterator[str]:
        return iter(self._marks.keys() | super().keys())

    def keys(self) -> Any:
        return self._marks.keys() | super().keys()

    def items(self) -> Any:
        return [(pointer, self[pointer]) for pointer in self.keys()]

    def values(self) -> Any:
        return [self[pointer] for pointer in self.keys()]


class _Frame:
    """A collection being built."""

    __slots__ = (
        "anchor",
        "event",
        "explicit",
        "index",
        "is_map",
        "key",
        "key_mark",
        "key_text",
        "log_start",
        "merge",
        "merged",
        "pointer",
        "value",
        "value_start",
    )

    def __init__(
        self, is_map: bool, pointer: str | None, event: Any, anchor: str | None, log_start: int
    ) -> None:
        self.is_map = is_map
        self.pointer = pointer  # None inside a complex key: nothing there gets a position
        self.event = event
        self.anchor = anchor
        self.log_start = log_start
        self.value: Any = {} if is_map else []
        self.index = 0
        self.key: str | None = None  # the pending key's string, once read
        self.key_mark: Any = None
        self.key_text: Any = None  # the key as written (for the non-string-key warning)
        self.merge = False  # the pending key is a merge key
        self.explicit: set[str] = set()
        self.merged: set[str] = set()
        self.value_start = 0


class _Anchor:
    __slots__ = ("base", "log", "size", "value")

    def __init__(
        self, value: Any, base: str | None, log: list[tuple[str, Position, bool]], size: int
    ) -> None:
        self.value = value
        self.base = base
        self.log = log
        self.size = size


class YamlReader:
    """Read one YAML text (see the module docstring). ``read()`` returns the data, the positions
    of values and of keys by JSON pointer, and the load-time findings."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.source, self.line_shift, self.column_shift = js_trim(text)
        # (pointer, mark, is_key) in reading order: later entries win, like later values. Marks
        # become positions only at the end (most are overwritten or never asked for).
        self.log: list[tuple[str, Any, bool]] = []
        self.problems: list[Problem] = []
        self.anchors: dict[str, _Anchor] = {}
        self.expanded = 0  # values produced, aliases and merges included
        # Fix-ups (see _fix_up) insert a few characters on a line: (line, column, how many).
        self.edits: list[tuple[int, int, int]] = []
        self.parsed = ""  # the text libyaml reads (fix-ups applied)
        # Substitutions of the same length for what libyaml cannot read but Bun does (see
        # _substituted): anchor names renamed (placeholder -> name as written), and plain scalars
        # in flow collections whose first character ':' or '?' became a letter, by (line,
        # column) in the text before any fix-up inserted characters -> the character.
        self.anchor_names: dict[str, str] = {}
        self.first_chars: dict[tuple[int, int], str] = {}
        self.sites: set[tuple[int, int]] = set()  # every substitution, by (line, column)
        self.hits: set[tuple[int, int]] = set()  # those found where a node starts (each must be)
        self.quoted_sites: set[tuple[int, int]] = set()  # renamed names holding a quote

    # -- marks and errors

    def position(self, mark: Any) -> Position:
        line, column = self._unedited(mark) if self.edits else (mark.line, mark.column)
        return Position(line + 1 + self.line_shift, column + 1 + (self.column_shift if line == 0 else 0))

    def _unedited(self, mark: Any) -> tuple[int, int]:
        """A libyaml mark's line and column (from 0) in the text before fix-ups inserted any."""
        line, column = mark.line, mark.column
        for edit_line, edit_column, inserted in reversed(self.edits):  # each in the text before it
            if edit_line == line and edit_column <= column:
                # Text a fix-up inserted before this mark on its line (a mark on the inserted text
                # itself is where the insertion is).
                column = max(edit_column, column - inserted)
        return line, column

    def _offset_position(self, offset: int) -> Position:
        line = self.source.count("\n", 0, offset)
        column = offset - (self.source.rfind("\n", 0, offset) + 1)
        return Position(line + 1 + self.line_shift, column + 1 + (self.column_shift if line == 0 else 0))

    def refuse(self, message: str, mark: Any, rule: str = "syntax") -> InputError:
        return InputError(message, file=self.name, position=self.position(mark) if mark else None, rule=rule)

    # -- reading

    def read(self) -> tuple[Any, dict[str, Position], dict[str, Position], list[Problem]]:
        if not self.source:
            return None, {"": Position(1, 1)}, {}, self.problems
        size = len(self.source.encode("utf-8", "surrogatepass"))
        if size > MAX_YAML_BYTES:
            raise InputError(
                f"YAML file is {size:,} bytes, over the {MAX_YAML_BYTES:,}-byte limit for YAML"
                " (hand-written overlays are a few KB; write large catalogs as JSON)",
                file=self.name,
                rule="limits",
            )
        documents = self._documents(self.source)
        value_marks: dict[str, Any] = {}
        key_marks: dict[str, Any] = {}
        for pointer, mark, is_key in self.log:
            (key_marks if is_key else value_marks)[pointer] = mark
        values = MarkPositions(value_marks, self.position)
        keys = MarkPositions(key_marks, self.position)
        values.setdefault("", Position(1 + self.line_shift, 1))
        if not documents:
            return None, values, keys, self.problems
        if len(documents) == 1:
            return documents[0], values, keys, self.problems
        return documents, values, keys, self.problems

    def _documents(self, source: str) -> list[Any]:
        # Bun ends the (trimmed) text's last block scalar with a line break as if the file still
        # had its final newline; libyaml keeps only the line breaks it sees.
        text = _joined_surrogate_escapes(_compatible_directives(source))
        if _DIRECTIVE_COMMENT.search(text):
            raise self.refuse(
                "YAML syntax error: a comment needs a space before '#'",
                _Mark(text, _DIRECTIVE_COMMENT.search(text).start()),  # type: ignore[union-attr]
            )
        # Substitutions first (see _substituted); those not found where a node starts (inside a
        # scalar or a comment) are dropped and the text read again, then none at all.
        only: set[tuple[int, int]] | None = None
        for _ in range(3):
            substituted = self._substituted(text, only)
            if substituted is None:
                break
            made = set(self.sites)
            try:
                documents = self._parse(substituted, source)
            except InputError:
                if only is not None or not self.quoted_sites:
                    raise
                # A renamed "name" that took a quote in (an '&' inside a quoted scalar): keep
                # the substitutions without quotes.
                only = made - self.quoted_sites
                self._forget_substitutions()
                continue
            if self.hits >= self.sites:
                return documents
            only = self.hits & made
            self._forget_substitutions()
            if not only:
                break
        self._forget_substitutions()
        documents = self._parse(text, source)
        if self.sites - self.hits:
            raise self.refuse(
                "YAML syntax error: a plain scalar cannot start with ':' here",
                self._site_mark(min(self.sites - self.hits)),
            )
        return documents

    def _forget_substitutions(self) -> None:
        self.anchor_names, self.first_chars, self.sites, self.hits = {}, {}, set(), set()
        self.quoted_sites = set()
        self.edits, self.log, self.problems, self.anchors, self.expanded = [], [], [], {}, 0

    def _substituted(self, text: str, only: set[tuple[int, int]] | None) -> str | None:
        """The text with what libyaml cannot read, but Bun does, replaced by something of the
        same length libyaml reads the same way (every mark stays right), or None when there is
        nothing to replace (``only``: just the substitutions at these places). Each substitution
        must turn out to be where a node starts (``hits``), else the reading is discarded.

        * Anchor and alias names with characters libyaml stops at (``&a:b``, ``*😁``; Bun takes
          every character up to a space or a flow indicator) get placeholder names.
        * A plain scalar starting with ``?`` or ``:`` right after ``[``, ``{`` or ``,`` (text
          for Bun; an indicator for libyaml) starts with a letter, put back when read.
        """
        self.quoted_sites = set()
        tokens: list[tuple[int, str]] = []  # (offset, placeholder or original first character)
        if "&" in text or "*" in text:
            found = [(match.start(1), match.group(2)) for match in _ANCHOR_TOKEN.finditer(text)]
            names = {name for _, name in found}
            renames: dict[str, str] = {}
            cursors: dict[int, int] = {}
            for name in sorted(names):
                if not _LIBYAML_ANCHOR.fullmatch(name):
                    placeholder = _placeholder(len(name), names, cursors)
                    if placeholder is not None:
                        names.add(placeholder)
                        renames[name] = placeholder
                        self.anchor_names[placeholder] = name
            tokens += [(at, renames[name]) for at, name in found if name in renames]
        # (Searched only when the text has a character such a place needs: most have none.
        # libyaml refuses the places these quick checks miss, and _fix_up substitutes there.)
        if any(needle in text for needle in _FLOW_INDICATOR_NEEDLES):
            tokens += [(match.start(1), "") for match in _FLOW_INDICATOR_START.finditer(text)]
        if not tokens:
            return None
        tokens.sort()
        pieces: list[str] = []
        done = counted = line = line_start = 0
        for at, placeholder in tokens:
            line += text.count("\n", counted, at)
            newline = text.rfind("\n", counted, at)
            if newline >= 0:
                line_start = newline + 1
            counted = at
            site = (line, at - line_start)
            if only is not None and site not in only:
                continue
            pieces.append(text[done:at])
            if placeholder:  # '&name' or '*name': the name replaced
                name = self.anchor_names[placeholder]
                pieces.append(text[at] + placeholder)
                done = at + 1 + len(name)
                if "'" in name or '"' in name:
                    self.quoted_sites.add(site)
            else:
                self.first_chars[site] = text[at]
                pieces.append(_PLACEHOLDER_START)
                done = at + 1
            self.sites.add(site)
        if not self.sites:
            return None
        pieces.append(text[done:])
        return "".join(pieces)

    def _site_mark(self, site: tuple[int, int]) -> _Mark:
        line, column = site
        offset = sum(len(text) + 1 for text in self.source.split("\n")[:line]) + column
        return _Mark(self.source, offset)

    def _parse(self, text: str, source: str) -> list[Any]:
        """The documents libyaml reads in ``text``, after the fix-ups that make it read what Bun
        reads (see _fix_up), or the refusal, located."""
        import yaml
        from yaml._yaml import CParser

        if (
            text[:1] in ("|", ">") or "\n|" in text or "\n>" in text or "---" in text
        ) and _ROOT_BLOCK_AT_COLUMN_0.search(text):
            # A root block scalar whose lines start at column 0: libyaml ends it before them,
            # often without refusing ("--- |" then "%x" reads as ""). Indented first.
            text = self._zero_indented_blocks_indented(text) or text
        for _ in range(_MAX_FIX_UPS):
            self.parsed = text
            try:
                return self._events(CParser(text + "\n"))
            except yaml.reader.ReaderError:
                break  # a control character: no fix-up applies; reported, located, below
            except yaml.MarkedYAMLError as error:
                fixed = self._fix_up(text, error)
                if fixed is None:
                    break
                text = fixed
                self.log, self.problems, self.anchors, self.expanded, self.hits = [], [], {}, 0, set()
            except yaml.YAMLError:
                break  # reported below, located
        self.parsed = text
        try:
            return self._events(CParser(text + "\n"))
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            problem = " ".join(str(error.problem or error.context or "invalid YAML").split())
            if mark is not None and source[mark.index : mark.index + 1] == "\t":
                problem = f"tab character used for indentation; YAML allows only spaces there ({problem})"
            elif "maximum nesting depth" in problem:
                raise self.refuse(f"nesting deeper than {MAX_DEPTH} levels", mark, "limits") from None
            elif "Unicode character escape" in problem and _LONE_SURROGATE_ESCAPE.search(source):
                raise self.refuse(
                    "a \\u escape spells half of a UTF-16 surrogate pair, which is not a character;"
                    " write the character itself",
                    mark,
                    "encoding",
                ) from None
            raise self.refuse(f"YAML syntax error: {problem}", mark) from None
        except yaml.reader.ReaderError as error:
            code = error.character if isinstance(error.character, int) else ord(error.character)
            found = source.find(chr(code))
            raise InputError(
                f"YAML does not allow the control character U+{code:04X} anywhere in a file;"
                " escape it inside a double-quoted string",
                file=self.name,
                position=self._offset_position(found) if found >= 0 else None,
                rule="syntax",
            ) from None
        except yaml.YAMLError as error:
            raise InputError(
                f"YAML error: {' '.join(str(error).split())}", file=self.name, rule="syntax"
            ) from None

    # -- what Bun refuses and libyaml accepts

    def _check_scalar_layout(self, event: Any, stack: list[_Frame]) -> None:
        """Bun refuses a '#' right after a quoted scalar or a block scalar's header, a plain '-'
        in a flow collection, and quoted text continued at or left of its block's indentation."""
        text = self.parsed
        style = event.style
        end = event.end_mark.index
        if style in ('"', "'"):
            if text[end : end + 1] == "#":
                raise self.refuse("YAML syntax error: a comment needs a space before '#'", event.end_mark)
            if event.end_mark.line > event.start_mark.line:
                self._check_continuation(event, stack)
        elif style in ("|", ">"):
            header = _BLOCK_HEADER.match(text, text.find(style, event.start_mark.index))
            if header is not None and header.group(1):
                raise self.refuse("YAML syntax error: a comment needs a space before '#'", event.start_mark)
            if header is not None and not any(digit in header.group(0) for digit in "123456789"):
                self._check_leading_blank_lines(header.end(), stack)
        if stack and stack[-1].event.flow_style:
            if style == "" and event.value == "-":
                raise self.refuse(
                    "YAML syntax error: a plain '-' is not a value in a flow collection", event.start_mark
                )
            self._check_flow_comma(end)

    def _check_leading_blank_lines(self, header_end: int, stack: list[_Frame]) -> None:
        """Bun refuses a block scalar whose first blank lines hold more spaces than the first
        line after them, when that line is still inside the scalar's parent (libyaml ends the
        scalar there; YAML calls it an error)."""
        text = self.parsed
        at = text.find("\n", header_end)
        deepest = 0
        while at >= 0:
            end = text.find("\n", at + 1)
            line = text[at + 1 : len(text) if end < 0 else end]
            if line.strip(" "):
                break
            deepest = max(deepest, len(line))
            at = end
        else:
            return
        first = len(line) - len(line.lstrip(" "))
        blocks = [frame for frame in stack if not frame.event.flow_style]
        parent = self._block_indent(blocks[-1].event) if blocks else -1
        if parent < first < deepest:
            raise self.refuse(
                "YAML syntax error: a block scalar's first blank lines are indented more than"
                " the line after them",
                _Mark(text, at + 1 + first),
            )

    def _block_indent(self, event: Any) -> int:
        """A block collection's indentation: where its first entry starts. Its event's mark is
        at its anchor or tag when it has one, which may end the line before (``key: &a`` then
        the entries below)."""
        if event.anchor is None and event.tag is None:
            return int(event.start_mark.column)
        text = self.parsed
        at: int = event.start_mark.index
        for _ in range(2):
            if text.startswith("!", at) or text.startswith("&", at):
                at = _skip_space(text, _token_end(text, at))
        while text.startswith("#", at):  # a comment after the properties: the entries follow
            newline = text.find("\n", at)
            at = _skip_space(text, len(text) if newline < 0 else newline)
        return at - (text.rfind("\n", 0, at) + 1)

    def _check_flow_end(self, frame: _Frame, event: Any, stack: list[_Frame]) -> None:
        if self.parsed[event.end_mark.index : event.end_mark.index + 1] == "#":
            raise self.refuse("YAML syntax error: a comment needs a space before '#'", event.end_mark)
        if event.end_mark.line > frame.event.start_mark.line and not any(f.event.flow_style for f in stack):
            self._check_continuation(frame.event, stack, end_mark=event.end_mark)
        if stack and stack[-1].event.flow_style:
            self._check_flow_comma(event.end_mark.index)

    def _check_flow_comma(self, end: int) -> None:
        text = self.parsed
        at = end
        while text[at : at + 1] in (" ", "\t"):
            at += 1
        if text[at : at + 2] == ",#":
            raise self.refuse(
                "YAML syntax error: a comment needs a space before '#'", _Mark(self.parsed, at + 1)
            )

    def _check_continuation(self, start_event: Any, stack: list[_Frame], end_mark: Any = None) -> None:
        """Lines continuing a flow collection or a quoted scalar must be indented past the block
        collection around it, and with spaces (Bun's rule; libyaml is laxer)."""
        blocks = [frame for frame in stack if not frame.event.flow_style]
        indent = self._block_indent(blocks[-1].event) if blocks else -1
        # A flow collection's line may start anywhere with the ',' that continues it (Bun).
        starts_allowed = "]}" if end_mark is None else "]},"
        text = self.parsed
        start = text.find("\n", start_event.start_mark.index) + 1
        end = (end_mark or start_event.end_mark).index
        if start <= 0 or start > end:
            return
        line_start = start
        for line in text[start:end].split("\n"):
            content = line.lstrip(" \t")
            spaces = len(line) - len(line.lstrip(" "))  # a tab may follow the indentation, not make it
            if content and content[0] not in starts_allowed and spaces <= indent:
                raise self.refuse(
                    "YAML syntax error: a continuation line must be indented with spaces past its block",
                    _Mark(text, line_start),
                )
            line_start += len(line) + 1

    def _fix_up(self, text: str, error: Any) -> str | None:
        """Where libyaml refuses what Bun reads, the text that makes libyaml read it as Bun does
        (same lines; a few characters inserted on one line are recorded in ``self.edits``), or
        None. Each fix-up answers one libyaml refusal the yaml-test-suite shows Bun accepting."""
        mark = error.problem_mark
        if mark is None:
            return None
        at = mark.index
        problem = str(error.problem or "")
        here = text[at : at + 1]
        line_start = text.rfind("\n", 0, at) + 1
        before = text[line_start:at].rstrip(" \t")
        if here == "\t" and ("cannot start any token" in problem or "violates indentation" in problem):
            if _tab_separates_a_scalar(text, at, line_start):
                return text[:at] + " " + text[at + 1 :]  # a tab as separation space
            return None
        if here == "\t" and "where an indentation space is expected" in problem:
            return self._block_indentation_indicated(text, at, line_start)
        if "unknown directive" in problem and text.startswith("%", line_start):
            return text[:line_start] + "#" + text[line_start + 1 :]  # reserved directives are ignored
        after = text[at + 1 : at + 2]
        if (
            here == ":"
            and problem in _EMPTY_KEY_PROBLEMS
            and (not before or before[-1] in "[{,-?")
            and (not after or after in " \t\n,]}")
        ):
            self.edits.append((mark.line, mark.column, 1))
            return text[:at] + "~" + text[at:]  # an empty key is Bun's "null"
        if (
            here in (":", "?")
            and problem == "did not find expected node content"
            and after not in _NOT_PLAIN_SAFE
        ):
            # A plain scalar starting with ':' or '?' in a flow collection ("{a: :x}", "{a: ?x}",
            # '{"a"::x}'): text for Bun. It starts with a letter for libyaml, and gets its first
            # character back when read.
            self.first_chars[self._unedited(mark)] = here
            self.sites.add(self._unedited(mark))
            return text[:at] + _PLACEHOLDER_START + text[at + 1 :]
        if here == ":" and problem == "found unexpected ':'" and after in (",", "}", "]"):
            # "omitted value:," in a flow mapping: for Bun the ':' is the value indicator.
            self.edits.append((mark.line, mark.column + 1, 1))
            return text[: at + 1] + " " + text[at + 1 :]
        if here == ":" and "expected ',' or '}'" in problem and (mark.column > 0 or _starts_with_flow(text)):
            # (In a flow sequence Bun refuses a multi-line implicit key; at column 0 inside a block
            # collection it refuses the indentation.)
            explicit = self._explicit_flow_key(text, at)
            if explicit is not None:
                return explicit
            key_end = _end_of_previous_token(text, at)
            if key_end is not None:  # a flow key whose ':' is on a later line: move the ':' up
                return text[:key_end] + ":" + text[key_end:at] + " " + text[at + 1 :]
        if "expected <document start>" in problem:
            marker = _previous_end_marker(text, line_start)
            if marker is not None:  # a bare document after "...": the marker becomes "---"
                return text[:marker] + "---" + text[marker + 3 :]
        if "expected node content" in problem and not _DOCUMENT_END_ONLY.sub("", text).strip():
            return ""  # only "..." markers and comments: no document
        return self._zero_indented_blocks_indented(text)

    def _explicit_flow_key(self, text: str, at: int) -> str | None:
        """A flow mapping's implicit key spread over lines (``{ multi\n  line: v }``): Bun joins
        its lines, libyaml allows an implicit key one line only. The key, found with libyaml's
        scanner, becomes an explicit one ("? " inserted before it), which may span lines."""
        import yaml
        from yaml._yaml import CParser
        from yaml.tokens import (
            FlowEntryToken,
            FlowMappingEndToken,
            FlowMappingStartToken,
            FlowSequenceEndToken,
            FlowSequenceStartToken,
            StreamEndToken,
        )

        scanner = CParser(text + "\n")
        # Open flow collections: [is a mapping, where its current entry starts (a mark)].
        flows: list[list[Any]] = []
        last: Any = None
        try:
            while True:
                token = scanner.get_token()
                if token is None or isinstance(token, StreamEndToken) or token.start_mark.index >= at:
                    break
                if isinstance(token, FlowEntryToken):
                    if flows:
                        flows[-1][1] = None
                elif isinstance(token, FlowMappingEndToken | FlowSequenceEndToken):
                    if flows:
                        flows.pop()
                elif flows and flows[-1][1] is None:
                    flows[-1][1] = token.start_mark
                if isinstance(token, FlowMappingStartToken | FlowSequenceStartToken):
                    flows.append([isinstance(token, FlowMappingStartToken), None])
                last = token
        except yaml.YAMLError:
            return None
        if not flows or not flows[-1][0] or flows[-1][1] is None or last is None:
            return None
        start = flows[-1][1]
        if start.line == last.end_mark.line or text[last.end_mark.index : at].strip(" \t"):
            return None
        self.edits.append((start.line, start.column, 2))
        return text[: start.index] + "? " + text[start.index :]

    def _block_indentation_indicated(self, text: str, at: int, line_start: int) -> str | None:
        """A tab right after a block scalar's indentation (``|\n \tx``) is content for Bun;
        libyaml, still detecting the indentation, refuses it. The header gets the indentation
        indicator Bun detects (the spaces before the tab), one digit inserted after '|' or '>'."""
        spaces = at - line_start
        if text[line_start:at].strip(" "):
            return None
        # The header: the nearest line above, over lines of spaces no deeper than the tab's.
        end = line_start - 1
        while end >= 0:
            start = text.rfind("\n", 0, end) + 1
            line = text[start:end]
            if line.strip(" "):
                break
            if len(line) > spaces:
                return None
            end = start - 1
        else:
            return None
        header = _BLOCK_HEADER_LINE.search(line)
        if header is None or header.group(2):
            return None  # not a header, or the indentation is already given
        parent = _block_parent_indent(line[: header.start()])
        increment = spaces - parent if parent >= 0 else spaces
        if not 1 <= increment <= 9:
            return None
        insert = start + header.start(1) + 1
        self.edits.append((text.count("\n", 0, start), insert - start, 1))
        return text[:insert] + str(increment) + text[insert:]

    def _zero_indented_blocks_indented(self, text: str) -> str | None:
        """A block scalar that is a document's root may have its lines at column 0 (Bun reads
        them, '#' and '%' lines included, up to the next '---' or '...'); libyaml needs them
        indented. Each such line gets one space (recorded in ``edits``), or None if none is."""
        lines = text.split("\n")
        changed = False
        index = 0
        root_expected = True  # at a document's start: the next node is its root
        while index < len(lines):
            line = lines[index]
            stripped = line.strip()
            if _DOCUMENT_MARKER.match(line):
                root_expected = True
                rest = line[3:].strip()
                if not rest or rest.startswith("#"):
                    index += 1
                    continue
                header_line = rest
            elif not stripped or stripped.startswith("#") or (root_expected and line.startswith("%")):
                index += 1
                continue
            else:
                header_line = line if root_expected and not line[:1].isspace() else ""
            root_expected = False
            header = _BLOCK_HEADER_LINE.search(header_line) if header_line else None
            index += 1
            if header is None or header.group(2) or _block_parent_indent(header_line[: header.start()]) != -1:
                continue
            first = index
            while first < len(lines) and not lines[first].strip():
                first += 1
            if first == len(lines) or lines[first][:1] in (" ", "\t") or _DOCUMENT_MARKER.match(lines[first]):
                continue  # indented as libyaml wants, or empty
            while index < len(lines) and not _DOCUMENT_MARKER.match(lines[index]):
                if lines[index]:
                    lines[index] = " " + lines[index]
                    self.edits.append((index, 0, 1))
                    changed = True
                index += 1
        return "\n".join(lines) if changed else None

    def _events(self, parser: Any) -> list[Any]:
        from yaml.events import (
            AliasEvent,
            DocumentEndEvent,
            DocumentStartEvent,
            MappingStartEvent,
            ScalarEvent,
            SequenceStartEvent,
            StreamEndEvent,
        )

        documents: list[Any] = []
        stack: list[_Frame] = []
        root: list[Any] = []
        log = self.log
        ended_explicitly = False
        first_document_log = 0
        events = 0
        get_event = parser.get_event
        fast = not self.first_chars  # restoring first characters needs every scalar's mark
        while True:
            event = get_event()
            kind = type(event)
            events += 1
            if events > MAX_YAML_NODES:
                raise self.refuse(
                    f"more than {MAX_YAML_NODES:,} YAML nodes; an overlay this large is not hand-written",
                    event.start_mark,
                    "limits",
                )
            if kind is ScalarEvent:
                parent = stack[-1] if stack and fast else None
                if (
                    parent is not None
                    and parent.is_map
                    and event.anchor is None
                    and event.tag is None
                    and event.style == ""
                    and (not parent.event.flow_style or event.value != "-")
                ):
                    if parent.event.flow_style:
                        self._check_flow_comma(event.end_mark.index)
                    # The commonest nodes, a plain key or a scalar value in a mapping, inline:
                    # the same steps as _child_pointer/_scalar/_place, without their calls.
                    text = event.value
                    value = resolve_plain_scalar(text)
                    key = parent.key
                    if key is None:
                        if type(value) is str and text != "<<":
                            mark = event.start_mark
                            parent.key, parent.key_mark, parent.merge = value, mark, False
                            if parent.pointer is not None:
                                segment = escape_segment(value) if "~" in value or "/" in value else value
                                log.append((parent.pointer + "/" + segment, mark, True))
                            self.expanded += 1
                            continue
                    elif not parent.merge:
                        if parent.pointer is not None:
                            parent.value_start = len(log)
                            segment = escape_segment(key) if "~" in key or "/" in key else key
                            log.append((parent.pointer + "/" + segment, event.start_mark, False))
                        parent.key = None
                        if key in parent.explicit or key in parent.merged:
                            self._overwrite(parent, key)
                        parent.explicit.add(key)
                        parent.value[key] = value
                        self.expanded += 1
                        if self.expanded > MAX_NODES:
                            raise self.refuse(
                                f"document expands to more than {MAX_NODES:,} values (an alias bomb?)",
                                event.start_mark,
                                "limits",
                            )
                        continue
                if event.style != "" or (stack and stack[-1].event.flow_style):
                    self._check_scalar_layout(event, stack)
                pointer = self._child_pointer(stack, event.start_mark, len(documents))
                value = self._scalar(event, pointer, stack)
                self._place(stack, root, value, event, event.anchor, pointer, len(self.log))
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if len(stack) > MAX_DEPTH:
                    raise self.refuse(f"nesting deeper than {MAX_DEPTH} levels", event.start_mark, "limits")
                pointer = self._child_pointer(stack, event.start_mark, len(documents))
                self._check_collection_tag(event, pointer)
                frame = _Frame(kind is MappingStartEvent, pointer, event, event.anchor, len(self.log))
                stack.append(frame)
            elif kind is AliasEvent:
                pointer = self._child_pointer(stack, event.start_mark, len(documents))
                value = self._alias(stack, event, pointer)
                self._place(stack, root, value, event, None, pointer, len(self.log))
            elif kind is DocumentEndEvent:
                documents.append(root[0] if root else None)
                root = []
                self.anchors = {}
                ended_explicitly = bool(event.explicit)
                if len(documents) == 1:
                    first_document_log = len(self.log)
            elif kind is DocumentStartEvent:
                if documents and not ended_explicitly and (event.version or event.tags):
                    raise self.refuse(
                        "YAML syntax error: a directive after a document needs a '...' line before it",
                        event.start_mark,
                    )
            elif kind is StreamEndEvent:
                break
            elif stack and kind.__name__ in ("MappingEndEvent", "SequenceEndEvent"):
                frame = stack.pop()
                if frame.event.flow_style:
                    self._check_flow_end(frame, event, stack)
                self._place(
                    stack, root, frame.value, frame.event, frame.anchor, frame.pointer, frame.log_start
                )
        if len(documents) > 1:
            # Bun reads a stream of documents as a list: the first one's positions were logged
            # at the root, before anyone knew a second would follow.
            log = self.log
            for index in range(first_document_log):
                pointer, where, is_key = log[index]
                log[index] = ("/0" + pointer, where, is_key)
        return documents

    def _child_pointer(self, stack: list[_Frame], mark: Any, document: int) -> str | None:
        """The pointer of a node starting at ``mark``, logging its position. None for a key (its
        position is logged with the key) and inside a complex key."""
        if not stack:
            pointer = f"/{document}" if document else ""
            self.log.append((pointer, mark, False))
            return pointer
        parent = stack[-1]
        if parent.pointer is None:
            return None
        if parent.is_map:
            if parent.key is None:
                return None
            pointer = parent.pointer + "/" + escape_segment(parent.key)
            parent.value_start = len(self.log)
        else:
            pointer = f"{parent.pointer}/{parent.index}"
        self.log.append((pointer, mark, False))
        return pointer

    def _place(
        self,
        stack: list[_Frame],
        root: list[Any],
        value: Any,
        event: Any,
        anchor: str | None,
        pointer: str | None,
        log_start: int,
    ) -> None:
        """Put a finished value where it belongs: the document root, a list, a mapping's pending
        key, or that key's value."""
        self.expanded += 1
        if self.expanded > MAX_NODES:
            raise self.refuse(
                f"document expands to more than {MAX_NODES:,} values (an alias bomb?)",
                event.start_mark,
                "limits",
            )
        if anchor is not None:
            if anchor in self.anchor_names:
                self._anchor_hit(event)
            self.anchors[anchor] = _Anchor(
                value, pointer, _compact_log(self.log, log_start, pointer), _count(value)
            )
        if not stack:
            root.append(value)
            return
        parent = stack[-1]
        if not parent.is_map:
            parent.value.append(value)
            parent.index += 1
            return
        if parent.key is None:
            self._take_key(parent, value, event)
            return
        key, parent.key = parent.key, None
        if parent.merge:
            parent.merge = False
            if self._merge(parent, value):
                return
        if key in parent.explicit or key in parent.merged:
            self._overwrite(parent, key)
        parent.explicit.add(key)
        parent.value[key] = value

    def _overwrite(self, parent: _Frame, key: str) -> None:
        """A key written again (a duplicate: warned, the last value wins) or written after a
        merge brought it (explicit keys win: the merged value goes, silently)."""
        if key in parent.explicit:
            self.problems.append(
                _duplicate_problem(self.name, parent.pointer, key, self.position(parent.key_mark))
            )
        else:
            parent.merged.discard(key)
            del parent.value[key]

    def _take_key(self, frame: _Frame, value: Any, event: Any) -> None:
        from yaml.events import ScalarEvent

        mark = event.start_mark
        frame.key_mark = mark
        # Bun merges under any key that reads "<<": plain, quoted, escaped or tagged alike.
        if isinstance(event, ScalarEvent) and value == "<<":
            frame.merge = True
            frame.key = "<<"
        else:
            frame.merge = False
            frame.key = js_string(value)
            if not isinstance(value, str) and frame.pointer is not None:
                self.problems.append(
                    Problem(
                        file=self.name,
                        position=self.position(mark),
                        pointer=frame.pointer + "/" + escape_segment(frame.key),
                        message=f"this key is not a string in YAML; OMP reads it as the string {frame.key!r}",
                        rule="non-string-key",
                        severity=Severity.WARNING,
                    )
                )
        if frame.pointer is not None:
            self.log.append((frame.pointer + "/" + escape_segment(frame.key), mark, True))

    def _merge(self, frame: _Frame, value: Any) -> bool:
        """Apply a merge key's value; False when it merges nothing and is an ordinary key."""
        if isinstance(value, dict):
            sources: list[tuple[dict[str, Any], str]] = [(value, "/<<")]
        elif isinstance(value, list):
            sources = [(item, f"/<</{index}") for index, item in enumerate(value) if isinstance(item, dict)]
        else:
            return False
        merged_keys: dict[str, set[str]] = {}
        for source, suffix in sources:
            taken = set()
            for key, item in source.items():
                if key in frame.explicit or key in frame.merged:
                    continue
                frame.value[key] = item
                frame.merged.add(key)
                taken.add(escape_segment(key))
            merged_keys[suffix] = taken
        if frame.pointer is not None:
            # Positions written under <key>/<< move to where the merged keys now live.
            base = frame.pointer
            moved = []
            for pointer, where, is_key in self.log[frame.value_start :]:
                rest = pointer[len(base) :]
                for suffix, taken in merged_keys.items():
                    if rest.startswith(suffix + "/"):
                        tail = rest[len(suffix) + 1 :]
                        segment = tail.split("/", 1)[0]
                        if segment in taken:
                            moved.append((base + "/" + tail, where, is_key))
                        break
            self.log.extend(moved)
        return True

    def _anchor_hit(self, event: Any) -> None:
        """Count a renamed anchor as found: its '&' is where the node starts, or after its tag."""
        text = self.parsed
        at = event.start_mark.index
        if text.startswith("!", at):
            at = _skip_space(text, _token_end(text, at))
        if text.startswith("&", at):
            self.hits.add(self._unedited(self._mark_after(event.start_mark, at)))

    def _content_mark(self, event: Any) -> Any:
        """Where a node's content starts, after its anchor and tag."""
        if event.anchor is None and event.tag is None:
            return event.start_mark
        text = self.parsed
        at = event.start_mark.index
        for _ in range(2):
            if text.startswith("!", at) or text.startswith("&", at):
                at = _skip_space(text, _token_end(text, at))
        return self._mark_after(event.start_mark, at)

    def _mark_after(self, mark: Any, at: int) -> Any:
        if "\n" in self.parsed[mark.index : at]:
            return _Mark(self.parsed, at)
        return _Mark.at(mark, at - mark.index)

    def _alias(self, stack: list[_Frame], event: Any, pointer: str | None) -> Any:
        if event.anchor in self.anchor_names:
            self.hits.add(self._unedited(event.start_mark))
        anchor = self.anchors.get(event.anchor)
        if anchor is None:
            for frame in stack:
                if frame.anchor == event.anchor:
                    raise self.refuse(
                        "an alias refers to a node that contains it (recursive alias)", frame.event.start_mark
                    )
            name = self.anchor_names.get(event.anchor, event.anchor)
            raise self.refuse(f"alias *{name} refers to no anchor defined before it", event.start_mark)
        self.expanded += anchor.size
        if self.expanded > MAX_NODES:
            raise self.refuse(
                f"document expands to {self.expanded:,} values through aliases, over the {MAX_NODES:,} limit"
                " (an alias bomb?)",
                event.start_mark,
                "limits",
            )
        if pointer is not None and anchor.base is not None:
            base = anchor.base
            cut = len(base)
            self.log.extend(
                (pointer + entry[cut:], where, is_key)
                for entry, where, is_key in anchor.log
                if entry.startswith(base) and entry != base
            )
        return _copy(anchor.value)

    # -- scalars and tags

    def _scalar(self, event: Any, pointer: str | None, stack: list[_Frame] | None = None) -> Any:
        value: str = event.value
        tag = event.tag
        style = event.style
        if self.first_chars and style in ("", None) and value[:1] == _PLACEHOLDER_START:
            site = self._unedited(self._content_mark(event))
            first = self.first_chars.get(site)
            if first is not None:
                value = first + value[1:]
                parent = stack[-1] if stack else None
                # After an anchor or a tag, a ':' where a flow mapping's key goes is, for Bun,
                # the value indicator of an empty key ("{&a :x}" is {null: "x"}), as libyaml
                # reads it: not a substitution's place.
                if not (
                    first == ":"
                    and (event.anchor is not None or tag is not None)
                    and parent is not None
                    and parent.is_map
                    and parent.event.flow_style
                    and parent.key is None
                ):
                    self.hits.add(site)
        if tag is None:
            if style == "" or style is None:
                return resolve_plain_scalar(value)
            return value
        written = self._written_tag(event)
        core = _core_kind(written, tag)
        if style not in ("", None):
            return value  # quoted and block scalars are strings, whatever the tag says
        if core is None:
            if written == "!":
                return value
            self._tag_problem(event, written, pointer)
            return value if value else None
        if core == "str":
            return value
        if not value:
            return None
        resolved = resolve_plain_scalar(value)
        if core in ("int", "float"):
            return resolved if isinstance(resolved, int | float) and not isinstance(resolved, bool) else value
        if core == "bool":
            return resolved if isinstance(resolved, bool) else value
        if core == "null":
            return resolved if resolved is None else value
        self._tag_problem(event, written, pointer)
        return value

    def _written_tag(self, event: Any) -> str:
        """The tag as the author wrote it (``!!int``, ``!ctx``, ``!<...>``), read from the text at
        the node's start (properties come first: an anchor and a tag, in either order)."""
        source = self.source
        at = event.start_mark.index
        for _ in range(2):
            if source.startswith("&", at):
                end = _token_end(source, at)
                at = _skip_space(source, end)
            elif source.startswith("!<", at):
                end = source.find(">", at)
                return source[at : end + 1] if end >= 0 else source[at:]
            elif source.startswith("!", at):
                return source[at : _token_end(source, at)]
        return str(event.tag)

    def _tag_problem(
        self,
        event: Any,
        written: str,
        pointer: str | None,
        effect: str = "makes OMP read this value as a string",
    ) -> None:
        self.problems.append(
            Problem(
                file=self.name,
                position=self.position(event.start_mark),
                pointer=pointer or "",
                message=f"YAML tag {written} {effect}",
                rule="yaml-tag",
                severity=Severity.WARNING,
            )
        )

    def _check_collection_tag(self, event: Any, pointer: str | None) -> None:
        if event.tag is None or event.tag in (_CORE + "map", _CORE + "seq"):
            return
        written = self._written_tag(event)
        self._tag_problem(event, written, pointer, "is ignored (OMP reads the plain value); remove it")


def _core_kind(written: str, tag: str) -> str | None:
    """The core-schema type a tag names for Bun (``!!int`` -> "int"), or None for a custom tag."""
    if written.startswith("!!"):
        return written[2:]
    if written.startswith("!<") or written == "!" or "!" in written[1:]:
        return None
    if tag.startswith(_CORE):  # `!int` under `%TAG ! tag:yaml.org,2002:`
        return tag[len(_CORE) :]
    return None


def _token_end(source: str, at: int) -> int:
    end = at
    length = len(source)
    while end < length and source[end] not in " \t\r\n,[]{}":
        end += 1
    return end


def _skip_space(source: str, at: int) -> int:
    length = len(source)
    while at < length and source[at] in " \t\r\n":
        at += 1
    return at


_MAX_FIX_UPS = 64
# A line ending in a block scalar's header: '|' or '>' (group 1), an indentation digit (group 2)
# and a chomping indicator in either order, then an optional comment.
_BLOCK_HEADER_LINE = re.compile(r"(?:^|(?<=[ \t]))([|>])(?:[+-]?([1-9])?|([1-9])?[+-]?)[ \t]*(?:#.*)?$")
_ROOT_BLOCK_AT_COLUMN_0 = re.compile(
    r"^(?:---[ \t]+)?(?:[!&][^\s]*[ \t]+)*[|>][0-9+-]*[ \t]*(?:#[^\n]*)?\n[^\s]", re.MULTILINE
)
_DOCUMENT_MARKER = re.compile(r"(?:---|\.\.\.)(?:[ \t]|$)")
_BLOCK_ENTRY_PREFIX = re.compile(r"[ ]*(?:[-?:](?:[ ]+|$))*")


def _block_parent_indent(prefix: str) -> int:
    """The indentation libyaml gives a block scalar's parent, from the text before its header
    on the header's line: the column of a mapping key, or of the last '-', '?' or ':'
    indicator; -1 at the document's root."""
    prefix = prefix.removeprefix("---")
    body = prefix.rstrip(" \t")
    for _ in range(2):  # properties (an anchor, a tag) before the header
        cut = max(body.rfind(" "), body.rfind("\t"))
        token = body[cut + 1 :]
        if token[:1] in ("&", "!"):
            body = body[: cut + 1].rstrip(" \t")
    if not body.strip():
        return -1
    indicators = _BLOCK_ENTRY_PREFIX.match(body)
    end = indicators.end() if indicators else 0
    if end >= len(body):  # only indicators: the last one is the parent's column
        stripped = body.rstrip()
        return len(stripped) - 1 if stripped[-1:] in "-?:" else -1
    if body.endswith(":"):  # a key: the mapping starts where the key does
        return end
    return -1


# An anchor or alias token as Bun reads it: '&' or '*' where a node may start, then every
# character up to white space or a flow indicator. libyaml takes only these characters:
_ANCHOR_TOKEN = re.compile(r"(?<![^\s,\[\]{}])([&*])([^\s,\[\]{}]+)")
_LIBYAML_ANCHOR = re.compile(r"[0-9A-Za-z_-]+")
# '?' or ':' starting a plain scalar in a flow collection (Bun: text; libyaml: an indicator):
# after '[', '{', ',', an explicit key's '?' or a value's ':', properties allowed between.
_PROPERTY = r"[!&][^\s,\[\]{}]*[ \t]+"
_FLOW_INDICATOR_START = re.compile(
    rf"(?:(?:[\[{{,]|\?[ \t])\s*|:[ \t]*)(?:{_PROPERTY})*([?:])(?=[^\s,\[\]{{}}])"
)
_FLOW_INDICATOR_NEEDLES = ("?", "&", "!", " :", "[:", "{:", ",:", "::")
_PLACEHOLDER_START = "x"
_NOT_PLAIN_SAFE = frozenset(("", " ", "\t", "\r", "\n", ",", "[", "]", "{", "}"))
# Every character libyaml takes in an anchor name (64: as many one-character names as it allows).
_PLACEHOLDER_CHARACTERS = "ZQXJKVWYzqxjkvwy0123456789ABCDEFGHILMNOPRSTUabcdefghilmnoprstu_-"


def _placeholder(length: int, taken: set[str], cursors: dict[int, int]) -> str | None:
    """An anchor name libyaml reads, ``length`` characters long, not in ``taken``; ``cursors``
    keeps, per length, where the search goes on (linear in the names however many there are)."""
    base = len(_PLACEHOLDER_CHARACTERS)
    number = cursors.get(length, 0)
    while number < base**length:
        value, digits = number, []
        for _ in range(length):
            value, digit = divmod(value, base)
            digits.append(_PLACEHOLDER_CHARACTERS[digit])
        number += 1
        name = "".join(digits)
        if name not in taken:
            cursors[length] = number
            return name
    cursors[length] = number
    return None  # every name of this length is taken: the name stays as written


_BLOCK_HEADER = re.compile(r"[|>][0-9+-]*(#)?")


class _Mark:
    """A libyaml-like mark for an offset of the text (line and column from 0)."""

    def __init__(self, text: str, index: int) -> None:
        self.index = index
        self.line = text.count("\n", 0, index)
        self.column = index - (text.rfind("\n", 0, index) + 1)

    @staticmethod
    def at(mark: Any, further: int) -> _Mark:
        """The mark ``further`` characters after ``mark`` on its line."""
        moved = _Mark("", 0)
        moved.index, moved.line, moved.column = mark.index + further, mark.line, mark.column + further
        return moved


_DIRECTIVE_COMMENT = re.compile(r"^%[^\n#]*[^ \t\n#]#", re.MULTILINE)
_EMPTY_KEY_PROBLEMS = frozenset(
    {"did not find expected key", "did not find expected node content", "found unexpected ':'"}
)
_DOCUMENT_END_ONLY = re.compile(r"^(?:\.\.\.|#.*)?[ \t]*$", re.MULTILINE)


def _end_of_previous_token(text: str, at: int) -> int | None:
    """Where the token before ``at`` ends, skipping white space, line breaks and comments."""
    position = at
    while position > 0:
        line_start = text.rfind("\n", 0, position) + 1
        line = text[line_start:position]
        comment = line.find(" #") if not line.startswith("#") else 0
        content = (line[:comment] if comment >= 0 else line).rstrip(" \t")
        if content:
            return line_start + len(content)
        if line_start == 0:
            return None
        position = line_start - 1
    return None


def _previous_end_marker(text: str, line_start: int) -> int | None:
    """Where the "..." line is when it is the nearest line before ``line_start`` that is not
    blank or a comment, else None."""
    end = line_start - 1
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        stripped = text[start:end].strip()
        if stripped == "..." and text.startswith("...", start):
            return start
        if stripped and not stripped.startswith("#"):
            return None
        end = start - 1
    return None


def _starts_with_flow(text: str) -> bool:
    """Whether the document is a flow collection (no block collection around it)."""
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.startswith("%") or stripped == "---":
            continue
        return stripped.removeprefix("---").lstrip()[:1] in ("{", "[")
    return False


def _tab_separates_a_scalar(text: str, at: int, line_start: int) -> bool:
    """Whether the tab at ``at`` is white space Bun accepts: a blank line, or separation before a
    scalar. Before a block collection (``-``, ``?``, ``:`` indicators, or a key) or as the first
    indentation of a line, Bun refuses tabs as YAML does."""
    line_end = text.find("\n", at)
    rest = text[at : len(text) if line_end < 0 else line_end].lstrip(" \t")
    if not rest or rest.startswith("#"):
        return True
    if at == line_start:
        return False
    if rest[:1] in "-?:" and rest[1:2] in ("", " ", "\t"):
        return False
    return not _KEY_ON_LINE.search(rest)


_KEY_ON_LINE = re.compile(r"^[^\"'#]*?:(?:[ \t]|$)")


_LONE_SURROGATE_ESCAPE = re.compile(r"(?:\\u|\\U0000)[dD][89a-fA-F]")
_YAML_DIRECTIVE = re.compile(r"^%YAML[ \t]+([0-9]+)\.([0-9]+)", re.MULTILINE)


def _compatible_directives(source: str) -> str:
    """libyaml refuses a ``%YAML`` directive other than 1.1/1.2, Bun reads any 1.x: the version
    is rewritten in place (same length, so every mark stays right)."""
    if "%YAML" not in source:
        return source

    def rewrite(match: re.Match[str]) -> str:
        major, minor = match.group(1), match.group(2)
        if major != "1":
            return match.group(0)
        return match.group(0)[: match.start(2) - match.start(0)] + "2".rjust(len(minor), "0")

    return _YAML_DIRECTIVE.sub(rewrite, source)


# A character beyond the BMP written as a JavaScript-style pair of \u escapes ("\ud83d\ude00"):
# Bun reads one character, libyaml refuses the halves. The pair becomes one \U escape (two
# characters shorter: only columns later on the same line move). Lone halves stay refused.
_SURROGATE_PAIR_ESCAPE = re.compile(
    r"(?<!\\)((?:\\\\)*)\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})"
)


def _joined_surrogate_escapes(source: str) -> str:
    if "\\u" not in source:
        return source

    def join(match: re.Match[str]) -> str:
        high, low = int(match.group(2), 16), int(match.group(3), 16)
        code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        return f"{match.group(1)}\\U{code:08X}"

    return _SURROGATE_PAIR_ESCAPE.sub(join, source)


def _compact_log(
    log: list[tuple[str, Any, bool]], start: int, base: str | None
) -> list[tuple[str, Any, bool]]:
    """The positions an anchored node wrote, one per pointer (the last), without those its merges
    wrote under ``<<`` before moving them: what an alias replays stays as large as the node's
    value, however many aliases and merges built it (a merge-key bomb would otherwise make the log
    grow exponentially while the value stays small)."""
    if base is None:
        return []
    cut = len(base)
    latest: dict[tuple[str, bool], Any] = {}
    for pointer, mark, is_key in log[start:]:
        if "/<</" not in pointer[cut:]:
            latest[(pointer, is_key)] = mark
    return [(pointer, mark, is_key) for (pointer, is_key), mark in latest.items()]


def _count(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_count(item) for item in value.values())
    if isinstance(value, list):
        return 1 + sum(_count(item) for item in value)
    return 1


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _duplicate_problem(name: str, parent: str | None, key: str, position: Position | None) -> Problem:
    return Problem(
        file=name,
        position=position,
        pointer=(parent or "") + "/" + escape_segment(key),
        message=f"duplicate key {key!r}: OMP keeps only the last one, the earlier value is lost",
        rule="duplicate-key",
        severity=Severity.WARNING,
    )
