"""``new URL(url).hostname`` in Python (no bun; the differential against bun is
tests/compat/test_rule_engine_vs_omp.py::test_whatwg_hostname_matches_bun). Expected values are
bun 1.4.4's."""

from __future__ import annotations

import pytest

from catalogmgr.omp.whatwg_url import hostname, parse


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.openai.com/v1", "api.openai.com"),
        # Special schemes skip any slashes and backslashes before the host.
        ("http:api.openai.com/v1", "api.openai.com"),
        ("https:\\\\api.openai.com\\v1", "api.openai.com"),
        ("https:///api.openai.com", "api.openai.com"),
        # Numeric IPv4 forms.
        ("http://127.1:8080", "127.0.0.1"),
        ("http://0x7f.0.0.1/", "127.0.0.1"),
        ("http://2130706433", "127.0.0.1"),
        ("http://012.0.0.1", "10.0.0.1"),
        ("http://256.0.0.1", None),
        ("http://1.2.3.4.5", None),
        # Percent-decoding, case, userinfo, whitespace.
        ("http://api%2Eopenai.com", "api.openai.com"),
        ("HTTP://API.OpenAI.COM", "api.openai.com"),
        ("http://a@b@api.openai.com", "api.openai.com"),
        ("  https://api.open\nai.com ", "api.openai.com"),
        # Failures: a bad port, a space, no host, no scheme.
        ("http://api.openai.com:99999", None),
        ("http://api.openai.com:8o", None),
        ("http://api openai.com", None),
        ("http://", None),
        ("api.openai.com", None),
        # IPv6 keeps its brackets, compressed.
        ("http://[0:0:0:0:0:0:0:1]:8080", "[::1]"),
        ("http://[::ffff:127.0.0.1]", "[::ffff:7f00:1]"),
        ("http://[1:0:0:2:0:0:0:3]", "[1:0:0:2::3]"),
        ("http://[fe80::1%25eth0]", None),
        # A non-special scheme's host keeps its case; file's localhost is no host.
        ("foo://API.openai.com/x", "API.openai.com"),
        ("foo:api.openai.com", ""),
        ("file://localhost/etc", ""),
        ("file://Server/share", "server"),
        # Non-ASCII hosts: mapped and Punycode-encoded.
        ("https://\uff21\uff30\uff29.openai.com", "api.openai.com"),
        ("https://b\u00fccher.local", "xn--bcher-kva.local"),
        ("https://example\u3002com", "example.com"),
        ("https://xn--a.com", None),
    ],
)
def test_hostname(url: str, expected: str | None) -> None:
    assert hostname(url) == expected


@pytest.mark.parametrize(
    ("url", "host", "pathname"),
    [
        ("http://LOCALHOST:8080/v1/", "localhost:8080", "/v1/"),
        ("http://u:p@h:80/a/../b/./", "h", "/b/"),
        ("https://h:0443/x", "h", "/x"),
        ("http://h\\a\\%2e%2E\\b", "h", "/b"),
        ("http://h/a b/\u00fc/{x}", "h", "/a%20b/%C3%BC/%7Bx%7D"),
        ("http://h?q#f", "h", "/"),
        ("foo://h/a/../b", "h", "/b"),
        ("foo://h", "h", ""),
    ],
)
def test_host_and_pathname(url: str, host: str, pathname: str) -> None:
    parsed = parse(url)
    assert parsed is not None
    assert (parsed.host, parsed.pathname) == (host, pathname)
