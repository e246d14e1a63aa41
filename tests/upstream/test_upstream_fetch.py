"""File / cache / network: the on-disk cache, ETags, paging, offline mode and the shrink guard.

Every request goes to a pytest-httpserver on 127.0.0.1; the clock is injected.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from upstream_support import fixture_json
from werkzeug import Request, Response

from catalogmgr.errors import UpstreamError
from catalogmgr.upstream.cache import ListingCache, default_cache_dir
from catalogmgr.upstream.fetch import SOURCES, FetchOptions, decode_json, fetch_listing
from catalogmgr.upstream.http import HttpClient
from catalogmgr.upstream.listing import UpstreamListing

OPENROUTER = SOURCES["openrouter"]
MODELSDEV = SOURCES["models.dev"]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 8, 18, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(tmp_path: Path) -> ListingCache:
    return ListingCache(tmp_path / "cache")


@pytest.fixture
def fetch(
    make_client: Callable[..., HttpClient], cache: ListingCache, clock: Clock
) -> Callable[..., UpstreamListing]:
    def run(url: str, *, spec: Any = OPENROUTER, **options: Any) -> UpstreamListing:
        return fetch_listing(
            spec, url, client=make_client, cache=cache, options=FetchOptions(**options), now=clock
        )

    return run


def small() -> dict[str, Any]:
    data: dict[str, Any] = fixture_json("openrouter-small.json")
    return data


def test_first_fetch_is_cached_and_reused_while_fresh(
    httpserver: HTTPServer, fetch: Callable[..., UpstreamListing], clock: Clock
) -> None:
    httpserver.expect_request("/models").respond_with_json(small(), headers={"ETag": '"a"'})
    url = httpserver.url_for("/models")
    first = fetch(url)
    assert (first.model_count, first.from_cache, first.retrieved) == (9, False, "2026-08-18T12:00:00+00:00")
    clock.advance(600)
    second = fetch(url, max_age=3600)
    assert second.from_cache is True
    assert second.model_count == 9
    assert len(httpserver.log) == 1  # no second request


def test_stale_cache_is_revalidated_with_the_etag(
    httpserver: HTTPServer, fetch: Callable[..., UpstreamListing], cache: ListingCache, clock: Clock
) -> None:
    httpserver.expect_oneshot_request("/models").respond_with_json(small(), headers={"ETag": '"a"'})
    httpserver.expect_request("/models", headers={"If-None-Match": '"a"'}).respond_with_data("", status=304)
    url = httpserver.url_for("/models")
    fetch(url)
    clock.advance(7200)
    listing = fetch(url, max_age=3600)
    assert listing.from_cache is True
    assert listing.model_count == 9
    assert len(httpserver.log) == 2
    cached = cache.load(url)
    assert cached is not None
    assert cached.validated_at == clock.now  # the 304 refreshed it...
    assert cached.fetched_at == clock.now - timedelta(seconds=7200)  # ...but not its age


def test_max_age_zero_always_asks(httpserver: HTTPServer, fetch: Callable[..., UpstreamListing]) -> None:
    httpserver.expect_request("/models").respond_with_json(small())
    url = httpserver.url_for("/models")
    fetch(url)
    fetch(url, max_age=0)
    assert len(httpserver.log) == 2


def test_offline_uses_the_cache_whatever_its_age(
    httpserver: HTTPServer, fetch: Callable[..., UpstreamListing], clock: Clock
) -> None:
    httpserver.expect_request("/models").respond_with_json(small())
    url = httpserver.url_for("/models")
    fetch(url)
    clock.advance(3 * 86400)
    listing = fetch(url, offline=True)
    assert listing.from_cache is True
    assert listing.notes == ("offline: using the listing cached on 2026-08-18 12:00 UTC (3 days old)",)
    assert len(httpserver.log) == 1


def test_offline_without_a_cache_is_an_error(fetch: Callable[..., UpstreamListing]) -> None:
    with pytest.raises(
        UpstreamError, match="no cached listing for http://nowhere/models: run once without --offline"
    ):
        fetch("http://nowhere/models", offline=True)


def test_paging_follows_links_next(
    httpserver: HTTPServer, fetch: Callable[..., UpstreamListing], cache: ListingCache
) -> None:
    models = small()["data"]
    httpserver.expect_request("/models", query_string="").respond_with_json(
        {"data": models[:4], "total_count": 9, "links": {"next": "/models?offset=4"}}
    )
    httpserver.expect_request("/models", query_string="offset=4").respond_with_json(
        {"data": models[4:8], "links": {"next": httpserver.url_for("/models") + "?offset=8"}}
    )
    httpserver.expect_request("/models", query_string="offset=8").respond_with_json(
        {"data": models[8:], "links": {"next": None}}
    )
    url = httpserver.url_for("/models")
    listing = fetch(url)
    assert listing.model_count == 9
    assert listing.notes == ()
    cached = cache.load(url)
    assert cached is not None
    assert cached.model_count == 9
    assert len(json.loads(cached.body)["data"]) == 9  # the pages combined


def test_paging_loop_is_refused(httpserver: HTTPServer, fetch: Callable[..., UpstreamListing]) -> None:
    httpserver.expect_request("/models", query_string="").respond_with_json(
        {"data": [], "links": {"next": "?p=2"}}
    )
    httpserver.expect_request("/models", query_string="p=2").respond_with_json(
        {"data": [], "links": {"next": "?p=2"}}
    )
    with pytest.raises(UpstreamError, match="paging loop"):
        fetch(httpserver.url_for("/models"))


def test_shrunken_listing_is_refused_and_not_cached(
    httpserver: HTTPServer, fetch: Callable[..., UpstreamListing], cache: ListingCache
) -> None:
    shrunk = small()
    shrunk["data"] = shrunk["data"][:4]
    httpserver.expect_oneshot_request("/models").respond_with_json(small())
    httpserver.expect_request("/models").respond_with_json(shrunk)
    url = httpserver.url_for("/models")
    fetch(url)
    with pytest.raises(UpstreamError) as caught:
        fetch(url, max_age=0)
    assert str(caught.value) == (
        f"{url} now lists 4 models, fewer than half of the 9 cached on 2026-08-18 12:00 UTC: more likely an"
        " outage or a filter change than mass removal; run with --force to accept it"
    )
    cached = cache.load(url)
    assert cached is not None
    assert cached.model_count == 9  # the cached copy is kept


def test_shrunken_listing_is_accepted_with_force(
    httpserver: HTTPServer, fetch: Callable[..., UpstreamListing], cache: ListingCache
) -> None:
    shrunk = small()
    shrunk["data"] = shrunk["data"][:4]
    httpserver.expect_oneshot_request("/models").respond_with_json(small())
    httpserver.expect_request("/models").respond_with_json(shrunk)
    url = httpserver.url_for("/models")
    fetch(url)
    listing = fetch(url, max_age=0, force=True)
    assert listing.model_count == 4
    assert "accepted (--force) a listing that shrank from 9 to 4 models" in listing.notes
    cached = cache.load(url)
    assert cached is not None
    assert cached.model_count == 4


def test_shrinking_to_half_is_not_refused(
    httpserver: HTTPServer, fetch: Callable[..., UpstreamListing]
) -> None:
    # 9 -> 5 keeps more than half: normal churn, not an outage.
    shrunk = small()
    shrunk["data"] = shrunk["data"][:5]
    httpserver.expect_oneshot_request("/models").respond_with_json(small())
    httpserver.expect_request("/models").respond_with_json(shrunk)
    url = httpserver.url_for("/models")
    fetch(url)
    assert fetch(url, max_age=0).model_count == 5


def test_non_json_response(httpserver: HTTPServer, fetch: Callable[..., UpstreamListing]) -> None:
    httpserver.expect_request("/models").respond_with_data(
        "<!DOCTYPE html><html><body>Cloudflare</body></html>", content_type="text/html"
    )
    url = httpserver.url_for("/models")
    with pytest.raises(UpstreamError) as caught:
        fetch(url)
    assert str(caught.value) == (
        f"{url}: the response is not JSON (Content-Type text/html); it starts with"
        " '<!DOCTYPE html><html><body>Cloudflare</b'"
    )


def test_truncated_json_body(httpserver: HTTPServer, fetch: Callable[..., UpstreamListing]) -> None:
    text = json.dumps(small())
    httpserver.expect_request("/models").respond_with_data(
        text[: len(text) // 2], content_type="application/json"
    )
    with pytest.raises(UpstreamError, match=r"not valid JSON: .* \(the body looks truncated\)$"):
        fetch(httpserver.url_for("/models"))


def test_unexpected_shape_from_the_network(
    httpserver: HTTPServer, fetch: Callable[..., UpstreamListing]
) -> None:
    httpserver.expect_request("/models").respond_with_json({"error": {"message": "maintenance"}})
    with pytest.raises(UpstreamError, match="unexpected response shape"):
        fetch(httpserver.url_for("/models"))


def test_corrupted_cache_is_ignored(
    httpserver: HTTPServer, fetch: Callable[..., UpstreamListing], cache: ListingCache
) -> None:
    httpserver.expect_request("/models").respond_with_json(small())
    url = httpserver.url_for("/models")
    fetch(url)
    for body in cache.directory.glob("*.body"):
        body.write_bytes(b'{"data": []}')  # no longer matches the recorded hash
    assert cache.load(url) is None
    assert fetch(url, max_age=3600).from_cache is False
    assert len(httpserver.log) == 2


def test_unwritable_cache_does_not_fail_the_fetch(
    httpserver: HTTPServer, make_client: Callable[..., HttpClient], tmp_path: Path, clock: Clock
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    httpserver.expect_request("/models").respond_with_json(small())
    listing = fetch_listing(
        OPENROUTER, httpserver.url_for("/models"), client=make_client, cache=ListingCache(blocker), now=clock
    )
    assert listing.model_count == 9
    assert any(note.startswith("the cache was not updated:") for note in listing.notes)


def test_models_dev_is_fetched_and_cached(
    httpserver: HTTPServer, fetch: Callable[..., UpstreamListing]
) -> None:
    httpserver.expect_request("/api.json").respond_with_json(fixture_json("modelsdev-small.json"))
    listing = fetch(httpserver.url_for("/api.json"), spec=MODELSDEV)
    assert listing.source == "models.dev"
    assert listing.model_count == 5


def test_cached_offline_run_never_builds_a_client(cache: ListingCache, clock: Clock) -> None:
    cache.store("http://x/models", json.dumps(small()).encode(), etag=None, model_count=9, now=clock())

    def no_client() -> HttpClient:
        raise AssertionError("an offline run must not create an HTTP client")

    listing = fetch_listing(
        OPENROUTER,
        "http://x/models",
        client=no_client,
        cache=cache,
        options=FetchOptions(offline=True),
        now=clock,
    )
    assert listing.model_count == 9


def test_default_cache_dir_honours_xdg(tmp_path: Path) -> None:
    assert default_cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "catalogmgr"
    # A relative XDG_CACHE_HOME is invalid per the spec and ignored.
    assert default_cache_dir({"XDG_CACHE_HOME": "relative/dir"}).name in {"catalogmgr", "Cache"}


def test_decode_json_handles_a_bom_and_empty_bodies() -> None:
    assert decode_json("\ufeff[1]".encode(), "x") == [1]
    with pytest.raises(UpstreamError, match="x: the response is empty, not JSON"):
        decode_json(b"  ", "x")
    with pytest.raises(UpstreamError, match="not even UTF-8"):
        decode_json(b"\xff\xfe", "x")


@pytest.mark.shared
@pytest.mark.parametrize(
    ("source", "parts", "count"),
    [
        ("openrouter", ("data", "openrouter", "models-2026-08-18-all.json"), 549),
        ("openrouter", ("data", "openrouter", "models-2026-05-15.json"), 364),
        ("models.dev", ("data", "modelsdev", "api-2026-03-01.json"), 2965),
    ],
)
def test_real_responses_served_locally(
    httpserver: HTTPServer,
    fetch: Callable[..., UpstreamListing],
    shared: Any,
    source: str,
    parts: tuple[str, ...],
    count: int,
) -> None:
    body = shared(*parts).read_bytes()

    def handler(request: Request) -> Response:
        return Response(body, content_type="application/json", headers={"ETag": '"real"'})

    httpserver.expect_request("/listing").respond_with_handler(handler)
    listing = fetch(httpserver.url_for("/listing"), spec=SOURCES[source])
    assert listing.model_count == count
