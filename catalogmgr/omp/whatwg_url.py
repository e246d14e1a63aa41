"""``new URL(text)``'s host and path as bun computes them (the WHATWG URL Standard's parser).

OMP's compat rules read the host of a model's ``baseUrl`` through JavaScript's ``URL``
(``isOfficialOpenAIEndpoint``, ``hasLocalLoopbackBaseUrl``); Python's ``urlsplit`` reads another
grammar (RFC 3986) and disagrees on text a user may well write or paste: ``http:api.openai.com``
and ``http:\\\\host`` (WHATWG skips any slashes and backslashes after a special scheme), numeric
IPv4 forms (``http://127.1``, ``http://0x7f.0.0.1``, ``http://2130706433`` are all 127.0.0.1),
percent-encoded hosts (``api%2Eopenai.com``), an out-of-range port or a space in the host (the
parse fails), a non-special scheme's host (kept in its case), an IPv6 host (``[::1]``, with
brackets). :func:`hostname` follows the standard's state machine for the parts that decide the
host: the scheme, the authority (userinfo, host, port), the host parser (IPv6, percent-decoding,
forbidden code points, "ends in a number" and the IPv4 parser) and opaque hosts.

:func:`parse` also gives the port and the path (``URL.host``, ``URL.pathname``: segments split
at ``/`` and, for special schemes, ``\\``; ``.`` and ``..`` resolved, ``%2e`` included; the path
percent-encode set), which OMP's llama.cpp base URL normalization reads. The path is exact for
special schemes; for a non-special one bun's parser has quirks of its own (a path of ``/`` after
a host with userinfo) that are not followed.

Domain to ASCII (UTS #46) is exact for ASCII hosts (lower-cased; an ``xn--`` label must decode);
a host with non-ASCII characters is mapped with NFKC and lower-casing and Punycode-encoded per
label, without UTS #46's validity checks (bidi, joiners, disallowed characters): such a host is
approximate, and the differential test covers the common forms (full-width letters, accented
letters, the ideographic full stop).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

SPECIAL_SCHEMES = frozenset({"ftp", "file", "http", "https", "ws", "wss"})
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_C0_OR_SPACE = "".join(chr(code) for code in range(0x21))
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")
_FORBIDDEN_HOST = frozenset("\x00\t\n\r #/:<>?@[\\]^|")
_FORBIDDEN_DOMAIN = _FORBIDDEN_HOST | frozenset(chr(code) for code in range(0x20)) | {"%", "\x7f"}
# UTS #46 maps these to the label separator "." before splitting.
_DOT_LIKE = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


class _Failure(Exception):
    """The URL parser returns failure (``new URL`` throws)."""


_DEFAULT_PORTS = {"ftp": 21, "http": 80, "https": 443, "ws": 80, "wss": 443}
# The path percent-encode set beyond C0 controls and non-ASCII (which are always encoded).
_PATH_ENCODED = frozenset(' "#<>?^`{}')
_SINGLE_DOT = frozenset({".", "%2e"})
_DOUBLE_DOT = frozenset({"..", ".%2e", "%2e.", "%2e%2e"})


@dataclass(frozen=True)
class Url:
    """What ``new URL(text)`` holds that catalogmgr reads: scheme, host, port and path."""

    scheme: str
    hostname: str
    port: int | None
    pathname: str

    @property
    def protocol(self) -> str:
        return f"{self.scheme}:"

    @property
    def host(self) -> str:
        """``URL.host``: the hostname and a non-default port."""
        return self.hostname if self.port is None else f"{self.hostname}:{self.port}"


@lru_cache(maxsize=4096)
def parse(url: str) -> Url | None:
    """``new URL(url)`` (no base URL); ``None`` where it throws."""
    try:
        return _parse(url)
    except _Failure:
        return None


def hostname(url: str) -> str | None:
    """``new URL(url).hostname``; ``None`` where ``new URL(url)`` throws (no base URL)."""
    parsed = parse(url)
    return parsed.hostname if parsed is not None else None


def _parse(url: str) -> Url:
    text = _TAB_OR_NEWLINE.sub("", url.strip(_C0_OR_SPACE))
    match = _SCHEME.match(text)
    if match is None:
        raise _Failure("no scheme")
    scheme = match.group()[:-1].lower()
    rest = text[match.end() :]
    if scheme == "file":
        return _file_url(rest)
    special = scheme in SPECIAL_SCHEMES
    if special:
        rest = rest.lstrip("/\\")
    elif rest.startswith("//"):
        rest = rest[2:]
    else:
        return Url(scheme, "", None, _opaque_or_rooted_path(rest))
    terminators = r"[/\\?#]" if special else r"[/?#]"
    split = re.search(terminators, rest)
    authority, remainder = (rest[: split.start()], rest[split.start() :]) if split else (rest, "")
    host_text, port = _host_and_port(authority)
    if special and not host_text:
        raise _Failure("empty host")
    if special:
        host = _host(host_text, special=True)
    elif host_text:
        host = _opaque_host(host_text)
    else:
        host = ""
    if port is not None and port == _DEFAULT_PORTS.get(scheme):
        port = None
    return Url(scheme, host, port, _pathname(remainder, special=special))


def _file_url(rest: str) -> Url:
    """The file state: ``file://host/...`` has a host (``localhost`` is none), else none.
    (Its path is read as a special URL's, without the Windows drive-letter rules.)"""
    host = ""
    if len(rest) >= 2 and rest[0] in "/\\" and rest[1] in "/\\":
        split = re.search(r"[/\\?#]", rest[2:])
        host_text = rest[2 : 2 + split.start()] if split else rest[2:]
        remainder = rest[2 + split.start() :] if split else ""
        if re.fullmatch(r"[A-Za-z][:|]", host_text):
            remainder = "/" + host_text + remainder  # a Windows drive letter, part of the path
        elif host_text:
            host = _host(host_text, special=True)
            host = "" if host == "localhost" else host
        rest = remainder
    return Url("file", host, None, _pathname(rest, special=True))


def _host_and_port(authority: str) -> tuple[str, int | None]:
    """The authority state: drop the userinfo (up to the last ``@``), split and check the port."""
    at = authority.rfind("@")
    if at != -1:
        authority = authority[at + 1 :]
        if not authority:
            raise _Failure("credentials without a host")
    inside_brackets = False
    for index, character in enumerate(authority):
        if character == "[":
            inside_brackets = True
        elif character == "]":
            inside_brackets = False
        elif character == ":" and not inside_brackets:
            host, port = authority[:index], authority[index + 1 :]
            if not host:
                raise _Failure("empty host before a port")
            if not port:
                return host, None
            if not port.isascii() or not port.isdigit() or int(port) > 65535:
                raise _Failure("invalid port")
            return host, int(port)
    return authority, None


def _encode(character: str, extra: frozenset[str]) -> str:
    if 0x20 < ord(character) < 0x7F and character not in extra:
        return character
    if ord(character) == 0x20 and " " not in extra:
        return character
    return "".join(f"%{byte:02X}" for byte in character.encode("utf-8", "surrogatepass"))


def _pathname(remainder: str, *, special: bool) -> str:
    """The path start and path states: segments, ``.``/``..`` resolved, percent-encoded."""
    path_text = re.split(r"[?#]", remainder, maxsplit=1)[0]
    separators = r"[/\\]" if special else "/"
    if path_text[:1] == "/" or (special and path_text[:1] == "\\"):
        path_text = path_text[1:]
    elif not special and not path_text:
        return ""
    path: list[str] = []
    segments = re.split(separators, path_text)
    for index, raw in enumerate(segments):
        buffer = "".join(_encode(character, _PATH_ENCODED) for character in raw)
        last = index == len(segments) - 1
        if buffer.lower() in _DOUBLE_DOT:
            if path:
                path.pop()
            if last:
                path.append("")
        elif buffer.lower() in _SINGLE_DOT:
            if last:
                path.append("")
        else:
            path.append(buffer)
    return "/" + "/".join(path) if path else ""


def _opaque_or_rooted_path(rest: str) -> str:
    """A non-special URL without an authority: ``foo:/a/b`` has a path, ``foo:a`` an opaque one."""
    if rest.startswith("/"):
        return _pathname(rest, special=False)
    opaque = re.split(r"[?#]", rest, maxsplit=1)[0]
    encoded = "".join(_encode(character, frozenset()) for character in opaque)
    if encoded.endswith(" ") and len(opaque) < len(rest):
        encoded = encoded[:-1] + "%20"  # a space before a query or fragment is kept, encoded
    return encoded


def _host(text: str, *, special: bool) -> str:
    """The host parser for a special URL's host."""
    if text.startswith("["):
        if not text.endswith("]"):
            raise _Failure("unclosed IPv6 address")
        return f"[{_ipv6(text[1:-1])}]"
    domain = _percent_decode(text).decode("utf-8", errors="replace")
    ascii_domain = _domain_to_ascii(domain)
    if not ascii_domain:
        raise _Failure("empty domain")
    if any(character in _FORBIDDEN_DOMAIN for character in ascii_domain):
        raise _Failure("forbidden domain code point")
    if _ends_in_a_number(ascii_domain):
        return _ipv4(ascii_domain)
    return ascii_domain


def _opaque_host(text: str) -> str:
    """A non-special URL's host: an IPv6 address or the text, percent-encoded, case kept."""
    if text.startswith("["):
        if not text.endswith("]"):
            raise _Failure("unclosed IPv6 address")
        return f"[{_ipv6(text[1:-1])}]"
    if any(character in _FORBIDDEN_HOST for character in text):
        raise _Failure("forbidden host code point")
    return "".join(
        character if 0x20 < ord(character) < 0x7F else "".join(f"%{byte:02X}" for byte in character.encode())
        for character in text
    )


def _percent_decode(text: str) -> bytes:
    data = text.encode("utf-8")
    out = bytearray()
    index = 0
    while index < len(data):
        byte = data[index]
        digits = data[index + 1 : index + 3]
        if byte == 0x25 and len(digits) == 2 and all(chr(d) in "0123456789abcdefABCDEF" for d in digits):
            out.append(int(digits, 16))
            index += 3
        else:
            out.append(byte)
            index += 1
    return bytes(out)


def _domain_to_ascii(domain: str) -> str:
    """UTS #46 ToASCII as the URL Standard calls it (see the module docstring for its reach)."""
    if "\ufffd" in domain:
        raise _Failure("percent-encoded bytes that are not UTF-8")  # U+FFFD is disallowed
    if domain.isascii():
        labels = domain.lower().split(".")
    else:
        mapped = unicodedata.normalize("NFKC", domain.translate(_DOT_LIKE)).lower()
        labels = mapped.split(".")
    result = []
    unicode_labels = []
    for label in labels:
        if label.startswith("xn--"):
            try:
                decoded = label[4:].encode("ascii").decode("punycode")
            except (UnicodeError, ValueError) as exc:
                raise _Failure("invalid Punycode label") from exc
            if not decoded or decoded.isascii() or not _plausible_label(decoded):
                raise _Failure("a Punycode label must decode to a valid non-ASCII label")
            result.append(label)
            unicode_labels.append(decoded)
        elif label.isascii():
            result.append(label)
            unicode_labels.append(label)
        else:
            if _starts_with_mark(label):
                raise _Failure("a label must not begin with a combining mark")
            result.append("xn--" + label.encode("punycode").decode("ascii"))
            unicode_labels.append(label)
    if _is_bidi_domain(unicode_labels) and not all(_bidi_rule(label) for label in unicode_labels if label):
        raise _Failure("a label breaks the Bidi rule (RFC 5893)")
    return ".".join(result)


_RTL = frozenset({"R", "AL", "AN"})
_RTL_ALLOWED = frozenset({"R", "AL", "AN", "EN", "ES", "CS", "ET", "ON", "BN", "NSM"})
_LTR_ALLOWED = frozenset({"L", "EN", "ES", "CS", "ET", "ON", "BN", "NSM"})


def _is_bidi_domain(labels: list[str]) -> bool:
    """UTS #46 CheckBidi applies to a domain with a right-to-left character in any label."""
    return any(unicodedata.bidirectional(character) in _RTL for label in labels for character in label)


def _bidi_rule(label: str) -> bool:
    """RFC 5893's Bidi rule for one label of a bidi domain (UTS #46 CheckBidi, which bun's URL
    parser applies): the first character's direction decides which classes may follow and end it."""
    classes = [unicodedata.bidirectional(character) for character in label]
    first = classes[0]
    trimmed = list(classes)
    while trimmed and trimmed[-1] == "NSM":
        trimmed.pop()
    last = trimmed[-1] if trimmed else None
    if first in ("R", "AL"):
        return (
            all(kind in _RTL_ALLOWED for kind in classes)
            and last in ("R", "AL", "EN", "AN")
            and not ("EN" in classes and "AN" in classes)
        )
    if first == "L":
        return all(kind in _LTR_ALLOWED for kind in classes) and last in ("L", "EN")
    return False


def _starts_with_mark(label: str) -> bool:
    """UTS #46 validity criterion: a label must not begin with a combining mark (General_Category
    Mark), e.g. ``xn--ffff`` (U+1924 LIMBU VOWEL SIGN EE first): bun's `new URL()` refuses it."""
    return bool(label) and unicodedata.category(label[0]).startswith("M")


def _plausible_label(label: str) -> bool:
    """An approximation of UTS #46's validity of a decoded label: already mapped (NFKC, lower
    case), not starting with a combining mark, and free of controls, unassigned, private-use and
    space characters."""
    if unicodedata.normalize("NFKC", label).lower() != label or _starts_with_mark(label):
        return False
    if label.startswith("xn--"):  # UTS #46 validity without CheckHyphens: no `xn--` inside Punycode
        return False
    return not any(unicodedata.category(character) in ("Cc", "Cs", "Co", "Cn", "Zs") for character in label)


def _ipv4_number(part: str) -> int | None:
    """The IPv4 number parser (decimal, ``0x`` hex, leading-zero octal); ``None``: not a number."""
    if part == "":
        return None
    radix = 10
    if len(part) >= 2 and part[:2] in ("0x", "0X"):
        part, radix = part[2:], 16
    elif len(part) >= 2 and part[0] == "0":
        part, radix = part[1:], 8
    if part == "":
        return 0
    digits = "0123456789abcdef"[:radix]
    if not all(character in digits for character in part.lower()):
        return None
    return int(part, radix)


def _ends_in_a_number(domain: str) -> bool:
    parts = domain.split(".")
    if parts[-1] == "":
        if len(parts) == 1:
            return False
        parts.pop()
    last = parts[-1]
    if last and last.isascii() and last.isdigit():
        return True
    return _ipv4_number(last) is not None


def _ipv4(domain: str) -> str:
    parts = domain.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4:
        raise _Failure("too many IPv4 parts")
    numbers = []
    for part in parts:
        number = _ipv4_number(part)
        if number is None:
            raise _Failure("invalid IPv4 part")
        numbers.append(number)
    if any(number > 255 for number in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise _Failure("IPv4 part out of range")
    address = numbers[-1]
    for index, number in enumerate(numbers[:-1]):
        address += number * 256 ** (3 - index)
    return ".".join(str((address >> shift) & 0xFF) for shift in (24, 16, 8, 0))


def _ipv6(text: str) -> str:
    """The IPv6 parser and serializer (compressed, lower-case, an embedded IPv4 as hex)."""
    pieces = [0] * 8
    index = 0
    compress: int | None = None
    position = 0
    if text.startswith(":"):
        if not text.startswith("::"):
            raise _Failure("IPv6 starts with a single colon")
        position, index, compress = 2, 1, 1
    while position < len(text):
        if index == 8:
            raise _Failure("too many IPv6 pieces")
        if text[position] == ":":
            if compress is not None:
                raise _Failure("two IPv6 compressions")
            position += 1
            index += 1
            compress = index
            continue
        value = length = 0
        while length < 4 and position < len(text) and text[position] in "0123456789abcdefABCDEF":
            value = value * 16 + int(text[position], 16)
            position += 1
            length += 1
        if position < len(text) and text[position] == ".":
            if length == 0:
                raise _Failure("empty IPv4 part in IPv6")
            position -= length
            if index > 6:
                raise _Failure("IPv4 in IPv6 too late")
            index = _embedded_ipv4(text, position, pieces, index)
            position = len(text)
            break
        if position < len(text) and text[position] == ":":
            position += 1
            if position >= len(text):
                raise _Failure("IPv6 ends with a colon")
        elif position < len(text):
            raise _Failure("invalid IPv6 code point")
        pieces[index] = value
        index += 1
    if compress is not None:
        swaps = index - compress
        index = 7
        while index != 0 and swaps > 0:
            pieces[index], pieces[compress + swaps - 1] = pieces[compress + swaps - 1], pieces[index]
            index -= 1
            swaps -= 1
    elif index != 8:
        raise _Failure("too few IPv6 pieces")
    return _serialize_ipv6(pieces)


def _embedded_ipv4(text: str, position: int, pieces: list[int], index: int) -> int:
    numbers_seen = 0
    while position < len(text):
        value: int | None = None
        if numbers_seen > 0:
            if text[position] == "." and numbers_seen < 4:
                position += 1
            else:
                raise _Failure("invalid IPv4 in IPv6")
        if position >= len(text) or not text[position].isdigit() or not text[position].isascii():
            raise _Failure("invalid IPv4 in IPv6")
        while position < len(text) and text[position].isascii() and text[position].isdigit():
            number = int(text[position])
            if value is None:
                value = number
            elif value == 0:
                raise _Failure("leading zero in IPv4 in IPv6")
            else:
                value = value * 10 + number
            if value > 255:
                raise _Failure("IPv4 part out of range in IPv6")
            position += 1
        assert value is not None
        pieces[index] = pieces[index] * 0x100 + value
        numbers_seen += 1
        if numbers_seen in (2, 4):
            index += 1
    if numbers_seen != 4:
        raise _Failure("too few IPv4 parts in IPv6")
    return index


def _serialize_ipv6(pieces: list[int]) -> str:
    """The IPv6 serializer: the first longest run of two or more zero pieces becomes ``::``."""
    compress, longest = None, 1
    index = 0
    while index < 8:
        if pieces[index] != 0:
            index += 1
            continue
        end = index
        while end < 8 and pieces[end] == 0:
            end += 1
        if end - index > longest:
            compress, longest = index, end - index
        index = end
    output = ""
    ignore_zero = False
    for index, piece in enumerate(pieces):
        if ignore_zero and piece == 0:
            continue
        ignore_zero = False
        if compress == index:
            output += "::" if index == 0 else ":"
            ignore_zero = True
            continue
        output += f"{piece:x}"
        if index != 7:
            output += ":"
    return output
