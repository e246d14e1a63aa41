"""Get an upstream listing from a file, the cache or the network, with the guards around it.

:func:`load_listing_file` reads a saved response; :func:`fetch_listing` decides between the cache
and the network:

* ``offline``: the cached copy, whatever its age, or an error when there is none;
* a cached copy confirmed current less than ``max_age`` seconds ago: used as is, no request;
* otherwise a request (conditional on the cached ETag; OpenRouter pages followed through
  ``links.next``). A ``304`` re-validates the cached copy.

**Shrink guard** (pitfall 9): a fresh listing with fewer than half the models of the cached one is
more likely an outage, a partial page or a changed filter than a mass removal, and acting on it
would report hundreds of models as gone. It is refused with :class:`UpstreamError` unless
``force`` is set, and it never replaces the cached copy unless forced.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalogmgr.errors import InputError, UpstreamError, WriteError
from catalogmgr.problems import Position
from catalogmgr.upstream import modelsdev, openrouter
from catalogmgr.upstream.cache import CachedListing, ListingCache
from catalogmgr.upstream.listing import UpstreamListing, UpstreamModel

if TYPE_CHECKING:  # httpx is imported only when a request is made
    from catalogmgr.upstream.http import HttpClient

Parsed = tuple[dict[str, dict[str, UpstreamModel]], list[str]]


@dataclass(frozen=True)
class SourceSpec:
    """One upstream source: where it lives, which catalog providers it describes, how to read it."""

    name: str
    default_url: str
    default_map: Mapping[str, str]
    parse: Callable[[Any, str], Parsed]
    paged: bool


SOURCES: dict[str, SourceSpec] = {
    openrouter.SOURCE: SourceSpec(
        openrouter.SOURCE,
        openrouter.DEFAULT_URL,
        openrouter.DEFAULT_PROVIDER_MAP,
        openrouter.parse_listing,
        True,
    ),
    modelsdev.SOURCE: SourceSpec(
        modelsdev.SOURCE,
        modelsdev.DEFAULT_URL,
        modelsdev.DEFAULT_PROVIDER_MAP,
        modelsdev.parse_listing,
        False,
    ),
}


@dataclass(frozen=True)
class FetchOptions:
    """How to treat the cache: ``max_age`` in seconds (0 = always ask the server)."""

    offline: bool = False
    force: bool = False
    max_age: float = 3600.0


def decode_json(body: bytes, origin: str, *, content_type: str | None = None) -> Any:
    """Parse a response body, with a one-line :class:`UpstreamError` when it is not JSON."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UpstreamError(f"{origin}: the response is not JSON (not even UTF-8 text)") from None
    if not text.strip():
        raise UpstreamError(f"{origin}: the response is empty, not JSON")
    try:
        return _loads(text)
    except json.JSONDecodeError as error:
        stripped = text.lstrip()
        if stripped[:1] not in {"{", "["}:
            kind = f" (Content-Type {content_type})" if content_type else ""
            start = " ".join(stripped[:40].split())
            raise UpstreamError(
                f"{origin}: the response is not JSON{kind}; it starts with {start!r}"
            ) from None
        truncated = error.pos >= len(text.rstrip()) - 1
        hint = " (the body looks truncated)" if truncated else ""
        raise UpstreamError(
            f"{origin}: the response is not valid JSON: {error.msg}"
            f" at line {error.lineno} column {error.colno}{hint}"
        ) from None
    except RecursionError:
        raise UpstreamError(f"{origin}: the response is nested too deeply to be a listing") from None


def _strict_stdlib_loads(text: str) -> Any:
    """The standard parser, refusing what orjson refuses (NaN, numbers beyond a double, lone
    surrogates) with orjson's words, so a listing means the same with or without orjson."""

    def refuse_constant(name: str) -> Any:
        raise json.JSONDecodeError(f"{name} is not valid JSON", text, max(text.find(name), 0))

    def finite_float(token: str) -> float:
        value = float(token)
        if not math.isfinite(value):
            raise json.JSONDecodeError("number is infinity", text, max(text.find(token), 0))
        return value

    def bounded_int(token: str) -> int:
        value = int(token)
        if abs(value) > sys.float_info.max:
            raise json.JSONDecodeError("number is infinity", text, max(text.find(token), 0))
        return value

    data = json.loads(text, parse_constant=refuse_constant, parse_float=finite_float, parse_int=bounded_int)
    from catalogmgr.documents import lone_surrogate_path

    if lone_surrogate_path(data) is not None:
        raise json.JSONDecodeError("unexpected end of hex escape: no low surrogate", text, 0)
    return data


def _loads(text: str) -> Any:
    try:
        import orjson
    except ImportError:  # pragma: no cover - exercised when the optional extra is absent
        return _strict_stdlib_loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        # The standard parser's message has the line and column. What only it accepts (NaN, a lone
        # surrogate, a number beyond a double) no real listing holds, and it would crash the
        # report later: refuse it with orjson's reason.
        try:
            json.loads(text)
        except json.JSONDecodeError:
            raise
        except ValueError:  # more digits than int() converts
            pass
        raise error from None


def load_listing_file(spec: SourceSpec, path: str | Path, *, name: str | None = None) -> UpstreamListing:
    """A saved response (any of the source's accepted shapes) as a listing."""
    from catalogmgr.documents import read_text

    display = name if name is not None else str(path)
    text = read_text(path, name=display)
    try:
        payload = _loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as error:
        raise InputError(
            f"not valid JSON: {error.msg}",
            file=display,
            position=Position(error.lineno, error.colno),
            rule="syntax",
        ) from None
    except RecursionError:
        raise InputError("nested too deeply to be a listing", file=display, rule="limits") from None
    providers, notes = spec.parse(payload, display)
    return UpstreamListing(spec.name, display, providers, None, False, tuple(notes))


def fetch_listing(
    spec: SourceSpec,
    url: str,
    *,
    client: Callable[[], HttpClient],
    cache: ListingCache | None,
    options: FetchOptions = FetchOptions(),
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> UpstreamListing:
    """The listing at ``url`` from the cache or the network (see the module docstring).

    ``client`` makes the HTTP client (called only when a request is needed, so cached and
    offline runs never construct one). Raises :class:`UpstreamError`.
    """
    cached = cache.load(url) if cache is not None else None
    if options.offline:
        if cached is None:
            raise UpstreamError(f"no cached listing for {url}: run once without --offline to fetch it")
        return _from_cache(spec, cached, now(), "offline")
    # A confirmation dated in the future (a clock jump, an edited cache) does not count as fresh.
    if cached is not None and 0 <= _age(cached.validated_at, now()) < options.max_age:
        return _from_cache(spec, cached, now(), "fresh")

    with client() as http:
        first = http.get(url, etag=cached.etag if cached is not None else None)
        if first.status == 304 and cached is not None:
            notes = _try_cache_write(lambda: cache.mark_validated(cached, now()) if cache else None)
            listing = _from_cache(spec, cached, now(), "revalidated")
            return _with_notes(listing, notes)
        payload = decode_json(first.body, url, content_type=first.content_type)
        body = first.body
        if spec.paged:
            pages = [payload, *_following_pages(http, payload, first.url)]
            if len(pages) > 1:
                payload = openrouter.combine_pages(pages, url)
                body = json.dumps(payload, ensure_ascii=False).encode("utf-8")

    providers, notes = spec.parse(payload, url)
    count = sum(len(models) for models in providers.values())
    if cached is not None and count * 2 < cached.model_count:
        if not options.force:
            raise UpstreamError(
                f"{url} now lists {count} models, fewer than half of the {cached.model_count} cached on"
                f" {_day(cached.fetched_at)}: more likely an outage or a filter change than mass removal;"
                " run with --force to accept it"
            )
        notes.append(f"accepted (--force) a listing that shrank from {cached.model_count} to {count} models")
    if cache is not None:
        etag = first.etag
        notes.extend(
            _try_cache_write(lambda: cache.store(url, body, etag=etag, model_count=count, now=now()))
        )
    return UpstreamListing(
        spec.name, url, providers, now().isoformat(timespec="seconds"), False, tuple(notes)
    )


def _following_pages(http: HttpClient, payload: Any, url: str) -> list[Any]:
    pages: list[Any] = []
    seen = {url}
    following = openrouter.next_page_url(payload, url)
    while following is not None:
        if following in seen:
            raise UpstreamError(f"{url}: the listing's links.next points back to {following} (a paging loop)")
        if len(seen) >= openrouter.MAX_PAGES:
            raise UpstreamError(f"{url}: more than {openrouter.MAX_PAGES} pages; refusing to follow further")
        seen.add(following)
        response = http.get(following)
        page = decode_json(response.body, following, content_type=response.content_type)
        openrouter.page_models(page, following)  # shape check now, with the page's own URL
        pages.append(page)
        following = openrouter.next_page_url(page, response.url)
    return pages


def _from_cache(spec: SourceSpec, cached: CachedListing, now: datetime, why: str) -> UpstreamListing:
    payload = decode_json(cached.body, f"cached {cached.url}")
    providers, notes = spec.parse(payload, cached.url)
    if why == "offline":
        notes.append(
            f"offline: using the listing cached on {_day(cached.fetched_at)}"
            f" ({_describe_age(cached.fetched_at, now)} old)"
        )
    return UpstreamListing(
        spec.name, cached.url, providers, cached.fetched_at.isoformat(timespec="seconds"), True, tuple(notes)
    )


def _with_notes(listing: UpstreamListing, notes: list[str]) -> UpstreamListing:
    if not notes:
        return listing
    return UpstreamListing(
        listing.source,
        listing.origin,
        listing.providers,
        listing.retrieved,
        listing.from_cache,
        (*listing.notes, *notes),
    )


def _try_cache_write(write: Callable[[], None]) -> list[str]:
    # A cache that cannot be written (read-only home, full disk) must not fail the diff itself.
    try:
        write()
    except WriteError as error:
        return [f"the cache was not updated: {error}"]
    return []


def _age(then: datetime, now: datetime) -> float:
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return (now - then).total_seconds()


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _describe_age(then: datetime, now: datetime) -> str:
    seconds = max(0.0, _age(then, now))
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"
