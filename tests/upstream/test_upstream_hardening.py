"""Hostile HTTP headers and cache files (issue 13, breaks 3, 8 and 10): never a crash.

Every header the client reads (ETag, Retry-After, Content-Length) and every field of a cache
metadata file is untrusted input: a value that does not check out is ignored (or reported in one
line), and a cached value that can never be sent back is not kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from upstream_support import RawServer, RecordingSleep, fixture_json

from catalogmgr.errors import UpstreamError
from catalogmgr.upstream.cache import ListingCache, usable_etag
from catalogmgr.upstream.fetch import SOURCES, FetchOptions, fetch_listing
from catalogmgr.upstream.http import HttpClient, parse_retry_after

NOW = datetime(2026, 8, 18, 12, 0, tzinfo=UTC)


def _raw_200(body: bytes, *headers: bytes) -> bytes:
    extra = b"".join(header + b"\r\n" for header in headers)
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s"
        b"Connection: close\r\n\r\n%s" % (len(body), extra, body)
    )


@pytest.mark.parametrize(
    "etag",
    [
        '"caf\xc3\xa9"'.encode("latin-1"),  # UTF-8 bytes: Latin-1 mojibake to httpx
        b'"\xff\xfe"',
        b'W/"\x1b]52;c;aGk=\x07"',  # a terminal escape in an ETag
        b'"' + b"a" * 5000 + b'"',
    ],
    ids=["utf8", "latin1", "escape", "huge"],
)
def test_an_etag_that_cannot_be_sent_back_is_not_kept(
    raw_server: Callable[[list[bytes]], RawServer], make_client: Callable[..., HttpClient], etag: bytes
) -> None:
    body = json.dumps(fixture_json("openrouter-small.json")).encode()
    server = raw_server([_raw_200(body, b"ETag: " + etag)])
    response = make_client().get(server.url())
    assert response.status == 200
    assert response.etag is None


def test_a_non_ascii_etag_in_the_cache_does_not_break_revalidation(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient], tmp_path: Path
) -> None:
    """The cache written by an older catalogmgr (or edited) holds a non-ASCII ETag: still works."""
    listing = fixture_json("openrouter-small.json")
    body = json.dumps(listing).encode()
    url = httpserver.url_for("/models")
    cache = ListingCache(tmp_path / "cache")
    cache.store(url, body, etag='"v1"', model_count=len(listing["data"]), now=NOW - timedelta(days=1))
    _, meta_path = cache._paths(url)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["etag"] = '"café"'
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    httpserver.expect_request("/models").respond_with_json(listing)
    result = fetch_listing(
        SOURCES["openrouter"], url, client=make_client, cache=cache, options=FetchOptions(), now=lambda: NOW
    )
    assert result.model_count == len(listing["data"])
    assert "If-None-Match" not in httpserver.log[-1][0].headers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("²", None),  # str.isdigit() says yes, int() says no
        ("١٢", None),  # Arabic-Indic digits
        ("9" * 400, float("inf")),
        ("9" * 5000, float("inf")),
        ("12", 12.0),
        ("-5", None),
        ("1e3", None),
        ("\x00", None),
        ("Tue, 18 Aug 2026 12:01:00 GMT" + " " * 10_000, 60.0),
        ("x" * 100_000, None),
        ("Tue, 18 Aug 99999 12:01:00 GMT", None),
    ],
    ids=lambda value: repr(value)[:20],
)
def test_retry_after_parsing_is_defensive(value: str, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize(
    ("header", "reported"),
    [("²", False), ("9" * 400, True), ("9" * 5000, True)],
    ids=["superscript", "400-digits", "5000-digits"],
)
def test_a_hostile_retry_after_is_a_backoff_or_one_line(
    httpserver: HTTPServer,
    make_client: Callable[..., HttpClient],
    sleeps: RecordingSleep,
    header: str,
    reported: bool,
) -> None:
    httpserver.expect_oneshot_request("/models").respond_with_data(
        "slow down", status=429, headers={"Retry-After": header}
    )
    httpserver.expect_request("/models").respond_with_json({"data": []})
    if reported:
        with pytest.raises(UpstreamError, match="rate limited") as caught:
            make_client().get(httpserver.url_for("/models"))
        assert len(str(caught.value)) < 300
        assert "\n" not in str(caught.value)
    else:
        assert make_client().get(httpserver.url_for("/models")).status == 200
        assert sleeps.delays == [1.0]  # the plain backoff: the value was ignored


def _planted_cache(tmp_path: Path, **changes: Any) -> tuple[ListingCache, str]:
    cache = ListingCache(tmp_path / "cache")
    url = "http://127.0.0.1:9/models"
    body = b'{"data": []}'
    cache.store(url, body, etag='"v1"', model_count=0, now=NOW)
    _, meta_path = cache._paths(url)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(changes)
    meta["sha256"] = hashlib.sha256(body).hexdigest()
    # allow_nan: Python's json writes (and reads) Infinity and NaN, as a hostile file could hold.
    meta_path.write_text(json.dumps(meta, allow_nan=True), encoding="utf-8")
    return cache, url


@pytest.mark.parametrize(
    "changes",
    [
        {"model_count": float("inf")},
        {"model_count": float("-inf")},
        {"model_count": float("nan")},
        {"model_count": 1e300},
        {"model_count": -1},
        {"model_count": True},
        {"model_count": "12"},
        {"model_count": 10**400},
        {"fetched_at": "yesterday"},
        {"fetched_at": 12},
        {"validated_at": None},
        {"validated_at": "9" * 100_000},
        {"url": ["not", "a", "url"]},
        {"version": float("nan")},
    ],
    ids=lambda changes: repr(changes)[:40],
)
def test_a_hostile_cache_file_is_an_absent_entry(tmp_path: Path, changes: dict[str, Any]) -> None:
    cache, url = _planted_cache(tmp_path, **changes)
    assert cache.load(url) is None


def test_a_hostile_etag_in_the_cache_is_dropped(tmp_path: Path) -> None:
    cache, url = _planted_cache(tmp_path, etag={"not": "a string"})
    cached = cache.load(url)
    assert cached is not None
    assert cached.etag is None


@pytest.mark.parametrize("garbage", [b"", b"\x00\xff" * 100, b"Infinity", b"[1, 2", b'{"version": 1'])
def test_a_garbage_cache_file_is_an_absent_entry(tmp_path: Path, garbage: bytes) -> None:
    cache, url = _planted_cache(tmp_path)
    _, meta_path = cache._paths(url)
    meta_path.write_bytes(garbage)
    assert cache.load(url) is None


def test_a_confirmation_dated_in_the_future_is_not_fresh(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient], tmp_path: Path
) -> None:
    listing = fixture_json("openrouter-small.json")
    url = httpserver.url_for("/models")
    cache = ListingCache(tmp_path / "cache")
    cache.store(url, json.dumps(listing).encode(), etag=None, model_count=9, now=NOW + timedelta(days=3650))
    httpserver.expect_request("/models").respond_with_json(listing)
    result = fetch_listing(
        SOURCES["openrouter"], url, client=make_client, cache=cache, options=FetchOptions(), now=lambda: NOW
    )
    assert result.from_cache is False


@pytest.mark.parametrize("etag", ['"v1"', 'W/"abc-123"', "plain"])
def test_ordinary_etags_are_kept(etag: str) -> None:
    assert usable_etag(etag) == etag


@pytest.mark.parametrize(
    ("value", "expected"),
    [("123", 123), ("²", None), ("١٢", None), ("9" * 1000, None), ("-1", None), ("", None), (" 42 ", 42)],
    ids=repr,
)
def test_content_length_is_read_defensively(value: str, expected: int | None) -> None:
    import httpx

    from catalogmgr.upstream.http import declared_length

    # A server sends bytes; httpx decodes them as Latin-1 (so UTF-8 "١٢" arrives as mojibake).
    raw = value.encode("utf-8")
    assert declared_length(httpx.Response(200, headers=[(b"Content-Length", raw)])) == expected
