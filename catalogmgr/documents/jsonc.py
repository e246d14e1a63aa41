"""JSONC read as Bun's ``JSONC.parse`` reads it (OMP 18.2.3 reads ``models.json`` overlays with it).

Bun's JSONC parser is its JavaScript lexer in a JSON mode, and more lenient than JSON: comments,
trailing commas, single-quoted strings, ``\\x41`` escapes, JavaScript number literals (``0x1F``,
``0b1``, ``0o7``, ``1_000``, ``.5``, ``1.``, ``01``), every JavaScript white space (NBSP, U+2028,
vertical tab, form feed) between tokens, and anything after the first complete value is ignored
(once the comments after it are closed). Measured against Bun 1.4.4 in
``tests/compat/test_reader_vs_bun.py``.

Standard JSON, the usual case, never comes here: the standard library reads it first (it gives the
same values, much faster); this parser reads only what that refuses.
"""

from __future__ import annotations

import math
import re
from typing import Any

from catalogmgr.problems import Position

_SPACE = frozenset("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | frozenset(
    map(chr, range(0x2000, 0x200B))
)
_NUMBER = re.compile(
    r"-?(?:0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|0[bB][01](?:_?[01])*|0[oO][0-7](?:_?[0-7])*"
    r"|(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][-+]?[0-9](?:_?[0-9])*)?)"
)
_WORD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*|[^\s,:\[\]{}]+")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class JsoncSyntaxError(ValueError):
    """Bun would refuse the text: ``message`` at ``offset``."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class LenientJsonc:
    """One text, one value (see the module docstring). ``max_depth`` bounds nesting."""

    def __init__(self, text: str, *, max_depth: int) -> None:
        self.text = text
        self.at = 0
        self.max_depth = max_depth
        self.duplicates = False  # a key written twice in one object (the last value wins)

    def parse(self) -> Any:
        self._skip()
        if self.at >= len(self.text):
            raise JsoncSyntaxError("unexpected end of input: no value", self.at)
        value = self._value(0)
        self._skip()  # an unclosed comment after the value is still an error; the rest is not read
        return value

    def position(self, offset: int) -> Position:
        line = self.text.count("\n", 0, offset) + 1
        return Position(line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1)

    # -- tokens

    def _skip(self) -> None:
        text, at, length = self.text, self.at, len(self.text)
        while at < length:
            character = text[at]
            if character in _SPACE:
                at += 1
            elif text.startswith("//", at):
                end = text.find("\n", at)
                at = length if end < 0 else end
            elif text.startswith("/*", at):
                end = text.find("*/", at + 2)
                if end < 0:
                    raise JsoncSyntaxError('expected "*/" to close the comment', at)
                at = end + 2
            else:
                break
        self.at = at

    def _expect(self, character: str) -> None:
        self._skip()
        if not self.text.startswith(character, self.at):
            found = self.text[self.at : self.at + 1] or "the end"
            raise JsoncSyntaxError(f"expected {character!r} but found {found!r}", self.at)
        self.at += 1

    # -- values

    def _value(self, depth: int) -> Any:
        self._skip()
        text = self.text
        if self.at >= len(text):
            raise JsoncSyntaxError("unexpected end of input", self.at)
        character = text[self.at]
        if character == "{":
            return self._object(depth + 1)
        if character == "[":
            return self._array(depth + 1)
        if character in "\"'":
            return self._string()
        if character == "-" or character == "." or character.isdigit():
            return self._number()
        word = _WORD.match(text, self.at)
        token = word.group(0) if word else character
        literals = {"true": True, "false": False, "null": None}
        if token in literals:
            self.at += len(token)
            return literals[token]
        raise JsoncSyntaxError(f"unexpected {token!r}", self.at)

    def _enter(self, depth: int) -> None:
        if depth > self.max_depth + 1:
            raise JsoncSyntaxError(f"nesting deeper than {self.max_depth} levels", self.at)

    def _object(self, depth: int) -> dict[str, Any]:
        self._enter(depth)
        self.at += 1
        result: dict[str, Any] = {}
        while True:
            self._skip()
            if self.text.startswith("}", self.at):
                self.at += 1
                return result
            if self.text[self.at : self.at + 1] not in ("'", '"'):
                found = self.text[self.at : self.at + 1] or "the end"
                raise JsoncSyntaxError(f"expected a string key but found {found!r}", self.at)
            key = self._string()
            if key in result:
                self.duplicates = True
            self._expect(":")
            result[key] = self._value(depth)
            self._skip()
            if self.text.startswith(",", self.at):
                self.at += 1
                continue
            self._expect("}")
            return result

    def _array(self, depth: int) -> list[Any]:
        self._enter(depth)
        self.at += 1
        result: list[Any] = []
        while True:
            self._skip()
            if self.text.startswith("]", self.at):
                self.at += 1
                return result
            result.append(self._value(depth))
            self._skip()
            if self.text.startswith(",", self.at):
                self.at += 1
                continue
            self._expect("]")
            return result

    def _string(self) -> str:
        text = self.text
        quote = text[self.at]
        start = self.at
        at = self.at + 1
        parts: list[str] = []
        while True:
            end = at
            while end < len(text) and text[end] not in (quote, "\\") and text[end] >= " ":
                end += 1
            parts.append(text[at:end])
            if end >= len(text):
                raise JsoncSyntaxError("unterminated string", start)
            character = text[end]
            if character == quote:
                self.at = end + 1
                return "".join(parts)
            if character != "\\":
                raise JsoncSyntaxError(f"control character U+{ord(character):04X} in a string", end)
            escape = text[end + 1 : end + 2]
            if escape in _ESCAPES:
                parts.append(_ESCAPES[escape])
                at = end + 2
            elif escape in ("u", "x"):
                digits = 4 if escape == "u" else 2
                hex_digits = text[end + 2 : end + 2 + digits]
                if len(hex_digits) != digits or not all(c in "0123456789abcdefABCDEF" for c in hex_digits):
                    raise JsoncSyntaxError(f"invalid \\{escape} escape", end)
                parts.append(chr(int(hex_digits, 16)))
                at = end + 2 + digits
            else:
                raise JsoncSyntaxError(f"invalid escape \\{escape}", end)

    def _number(self) -> int | float:
        match = _NUMBER.match(self.text, self.at)
        if match is None:
            raise JsoncSyntaxError("expected a number", self.at)
        token = match.group(0)
        following = self.text[match.end() : match.end() + 1]
        if following and (following.isalnum() or following in "._$"):
            word = _WORD.match(self.text, self.at)
            raise JsoncSyntaxError(f"unexpected {word.group(0) if word else token!r}", self.at)
        self.at = match.end()
        digits = token.replace("_", "")
        negative = digits.startswith("-")
        body = digits.lstrip("-")
        prefix = body[:2].lower()
        if prefix in ("0x", "0b", "0o"):
            number: float = float(int(body[2:], {"0x": 16, "0b": 2, "0o": 8}[prefix]))
        else:
            number = float(body)
        number = -number if negative else number
        if number.is_integer() and abs(number) < 1e21 and not (number == 0 and negative):
            return int(number)
        if math.isinf(number):
            raise JsoncSyntaxError(
                f"the number {token[:24]} is out of range (JavaScript reads it as Infinity)", match.start()
            )
        return number
