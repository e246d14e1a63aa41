"""Run a ping plan: one model-list request per endpoint, with an injected HTTP client and clock.

The request never follows a redirect (:meth:`HttpClient.exchange`), so a key or a custom header
reaches only the host the catalog names. Nothing a server says is trusted to be short or well
formed: bodies are size-limited by the client, ids are capped (:data:`routes.MAX_LISTED_IDS`),
and no reason phrase or body text is reported (a hostile server could echo the key back).
"""

from __future__ import annotations

import http
import json
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Protocol
from urllib.parse import urljoin

from catalogmgr.keys import KeyStatus
from catalogmgr.merge import Layer
from catalogmgr.omp.rules import did_you_mean
from catalogmgr.providers.plan import Endpoint, ProviderPlan, plan_pings
from catalogmgr.providers.report import EndpointResult, MissingModel, PingStatus, ProviderResult
from catalogmgr.providers.routes import (
    MAX_LISTED_IDS,
    Route,
    Unroutable,
    listed_ids,
    model_list_route,
    next_page_cursor,
    page_url,
    redact_url,
    sendable_header,
)
from catalogmgr.upstream.http import Exchange, ExchangeFailure

# Unlisted ids that get a did-you-mean (each is a fuzzy pass over up to 20,000 listed ids).
MAX_SUGGESTIONS = 25

# A model list of a big gateway is 1-2 MB; 16 MB is a runaway (or a hostile server).
MAX_LIST_BYTES = 16 * 1024 * 1024

REACH_WORDS = {  # ExchangeFailure.kind -> what the user reads
    "dns": "cannot resolve the host (DNS)",
    "tls": "TLS handshake failed",
    "timeout": "timed out",
    "refused": "connection refused (is the server running?)",
    "broken": "the connection broke mid-answer",
    "too-large": "the answer is too large",
    "invalid-url": "the URL is invalid",
    "other": "cannot connect",
}


class Exchanger(Protocol):
    """What ping needs from an HTTP client (:class:`catalogmgr.upstream.http.HttpClient` fits)."""

    def exchange(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        json_body: object | None = None,
        max_bytes: int | None = None,
    ) -> Exchange: ...


def status_words(code: int) -> str:
    """``404 Not Found``: the standard phrase, never the server's own (it could carry anything)."""
    try:
        return f"{code} {http.HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


def _location_words(exchange: Exchange) -> str:
    if not exchange.location:
        return "no Location"
    return redact_url(urljoin(exchange.url, exchange.location))


def decode_json_body(body: bytes) -> Any:
    """The JSON document in ``body``, or ``None`` when it is not one."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def route_for(plan: ProviderPlan, endpoint: Endpoint) -> Route:
    """The model-list request for ``endpoint`` (raises :class:`Unroutable`)."""
    key = plan.credential.value if plan.credential.status is not KeyStatus.NOT_NEEDED else None
    return model_list_route(
        api=endpoint.api,
        base_url=endpoint.base_url,
        key=key,
        configured_headers=endpoint.headers,
        auth_header=plan.auth_header,
        discovery=plan.discovery,
        is_oauth=endpoint.is_oauth,
    )


def ping_endpoint(
    plan: ProviderPlan,
    endpoint: Endpoint,
    client: Exchanger,
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> EndpointResult:
    """One model-list request for ``endpoint`` and its verdict."""
    shown_url = redact_url(endpoint.base_url)
    try:
        route = route_for(plan, endpoint)
    except Unroutable as why:
        return EndpointResult(endpoint.api, shown_url, "-", PingStatus.SKIPPED, str(why))
    shown_url = redact_url(route.url)
    base = EndpointResult(
        endpoint.api, shown_url, route.label, PingStatus.OK, "", configured=endpoint.model_ids
    )
    if not plan.credential.known and not plan.loopback:
        return replace(
            base,
            status=PingStatus.UNCHECKED,
            detail=f"not checked: {plan.credential.detail}",
        )
    if plan.credential.status is KeyStatus.MISSING and not plan.configured and not plan.loopback:
        # --all: a bundled provider the user never set up is not broken for lacking a key.
        return replace(base, status=PingStatus.UNCHECKED, detail=f"not checked: {plan.credential.detail}")
    if endpoint.unresolved_headers:
        names = ", ".join(endpoint.unresolved_headers)
        return replace(
            base,
            status=PingStatus.UNCHECKED,
            detail=f"not checked: header(s) {names} come from a !command (pass --allow-commands)",
        )
    unsendable = [name for name, value in route.headers.items() if not sendable_header(name, value)]
    if unsendable:
        return replace(
            base,
            status=PingStatus.INVALID_HEADER,
            detail=f"the value of {', '.join(unsendable)} cannot be sent over HTTP (a line break or a"
            " non-Latin-1 character in the key or header?); OMP's request would fail too",
        )
    started = clock()
    try:
        exchange = client.exchange("GET", page_url(route), headers=route.headers, max_bytes=MAX_LIST_BYTES)
    except ExchangeFailure as failure:
        return replace(
            base,
            status=PingStatus.UNREACHABLE,
            reach=failure.kind,
            latency_ms=(clock() - started) * 1000,
            detail=REACH_WORDS.get(failure.kind, "cannot connect"),
        )
    latency = (clock() - started) * 1000
    base = replace(base, http_status=exchange.status, latency_ms=latency)
    if exchange.status in {401, 403}:
        return replace(base, status=PingStatus.UNAUTHORIZED, detail=_auth_words(plan, exchange.status))
    if exchange.status == 404:
        return replace(
            base,
            status=PingStatus.NOT_FOUND,
            detail=f"{status_words(404)}: no model list at this path; check the baseUrl "
            "(a missing or doubled /v1 is the usual cause)",
        )
    if 300 <= exchange.status < 400:
        return replace(
            base,
            status=PingStatus.REDIRECTED,
            detail=f"{status_words(exchange.status)} to {_location_words(exchange)} (not followed, so"
            " your key went nowhere else; OMP's client would follow it: set baseUrl to the final URL)",
        )
    if exchange.status != 200:
        return replace(base, status=PingStatus.HTTP_ERROR, detail=f"HTTP {status_words(exchange.status)}")
    payload = decode_json_body(exchange.body)
    listing = listed_ids(route.shape, payload)
    if listing is None:
        return replace(
            base,
            status=PingStatus.BAD_RESPONSE,
            detail=f"200 OK, but the body is not a {route.label} model list",
        )
    ids, more = listing
    if more:
        ids, more = _later_pages(route, client, payload, ids, endpoint.model_ids)
    listed = set(ids)
    if route.shape == "ollama":
        # Ollama answers for `llama3.2` with `llama3.2:latest`: the untagged name is served too.
        listed |= {model_id.removesuffix(":latest") for model_id in ids}
    present = tuple(model_id for model_id in endpoint.model_ids if model_id in listed)
    pool = frozenset(listed)
    unlisted = [model_id for model_id in endpoint.model_ids if model_id not in listed]
    # A suggestion costs a fuzzy pass over the whole list: only the first ones get one.
    missing = tuple(
        MissingModel(model_id, did_you_mean(model_id, pool) if index < MAX_SUGGESTIONS else None)
        for index, model_id in enumerate(unlisted)
    )
    if missing and not more:
        return replace(
            base,
            status=PingStatus.MISSING_MODELS,
            listed=len(ids),
            present=present,
            missing=missing,
            detail=f"the server lists {len(ids)} model(s) but not {len(missing)} configured id(s)",
        )
    counted = f"{len(present)}/{len(endpoint.model_ids)}"
    detail = f"{len(ids)} model(s) listed; {counted} configured id(s) among them"
    if missing:
        detail += " (the list has more pages than were read: ids not on those pages are not checked)"
    return replace(
        base,
        status=PingStatus.OK,
        listed=len(ids),
        more_pages=more,
        present=present,
        missing=missing if not more else (),
        detail=detail,
    )


# Pages of one model list read after the first (at 1,000 ids a page, more than any provider lists).
MAX_EXTRA_PAGES = 19


def _later_pages(
    route: Route, client: Exchanger, payload: Any, ids: list[str], wanted: Sequence[str]
) -> tuple[list[str], bool]:
    """Follow the list's cursor until every configured id is seen or the list ends.

    Returns every id read and whether pages remain unread. A page that fails (network, status,
    shape) ends the walk with pages left, so the verdict says "not checked" rather than "missing";
    a cursor the server repeats ends it too (a server that loops would otherwise be asked forever).
    """
    seen_cursors: set[str] = set()
    pending = set(wanted) - set(ids)
    more = True
    for _ in range(MAX_EXTRA_PAGES):
        cursor = next_page_cursor(route.shape, payload)
        if not pending or cursor is None or cursor in seen_cursors or len(ids) >= MAX_LISTED_IDS:
            break
        seen_cursors.add(cursor)
        try:
            exchange = client.exchange(
                "GET", page_url(route, cursor), headers=route.headers, max_bytes=MAX_LIST_BYTES
            )
        except ExchangeFailure:
            break
        if exchange.status != 200:
            break
        payload = decode_json_body(exchange.body)
        listing = listed_ids(route.shape, payload)
        if listing is None:
            break
        page, more = listing
        ids = list(dict.fromkeys([*ids, *page]))[:MAX_LISTED_IDS]
        pending -= set(page)
        if not more:
            break
    return ids, more


def _auth_words(plan: ProviderPlan, code: int) -> str:
    credential = plan.credential
    words = f"{status_words(code)}: the server refuses the credential"
    if credential.status is KeyStatus.ENV_UNSET:
        return f"{words}; {credential.detail}"
    if credential.status in {KeyStatus.MISSING, KeyStatus.NOT_NEEDED}:
        return f"{status_words(code)}: the server wants a key and none is sent ({credential.detail})"
    if credential.status is KeyStatus.UNSUPPORTED:
        return f"{words}; {credential.detail}"
    source = f" (from {credential.env_name})" if credential.env_name else ""
    return f"{words}{source}: wrong or expired key?"


# Endpoints pinged at once: enough that `--all` over ~70 providers takes seconds, few enough that no
# server sees a burst from one user.
MAX_PARALLEL = 8


def run_pings(
    plans: Sequence[ProviderPlan],
    client: Exchanger,
    *,
    clock: Callable[[], float] = time.perf_counter,
    parallel: int = MAX_PARALLEL,
) -> list[ProviderResult]:
    """Ping every endpoint of every plan (up to ``parallel`` at once); results in plan order."""
    jobs = [(plan, endpoint) for plan in plans for endpoint in plan.endpoints]
    if parallel > 1 and len(jobs) > 1:
        with ThreadPoolExecutor(max_workers=min(parallel, len(jobs))) as pool:
            outcomes = list(pool.map(lambda job: ping_endpoint(job[0], job[1], client, clock=clock), jobs))
    else:
        outcomes = [ping_endpoint(plan, endpoint, client, clock=clock) for plan, endpoint in jobs]
    pending = iter(outcomes)
    results: list[ProviderResult] = []
    for plan in plans:
        notes: list[str] = []
        if not plan.endpoints:
            notes.append("no model of this provider has an api and a baseUrl: nothing to ping")
        if plan.credential.status is KeyStatus.MISSING and plan.loopback:
            notes.append("no key configured: fine for a local server that does not check keys")
        endpoints = tuple(next(pending) for _ in plan.endpoints)
        results.append(
            ProviderResult(
                provider=plan.provider,
                configured=plan.configured,
                key_status=plan.credential.status.value,
                key_detail=plan.credential.detail,
                endpoints=endpoints,
                notes=tuple(notes),
            )
        )
    return results


def ping_catalog(
    catalog: Mapping[str, Mapping[str, Mapping[str, Any]]],
    layers: Sequence[Layer],
    env: Mapping[str, str],
    client: Exchanger,
    *,
    providers: Sequence[str] = (),
    include_all: bool = False,
    allow_commands: bool = False,
) -> list[ProviderResult]:
    """Plan and run the pings of an effective catalog in one call (for ``doctor`` and library use).

    Talks to the network: callers honouring a "no network" setting must not call it.
    """
    plans = plan_pings(
        catalog, layers, env, providers=providers, include_all=include_all, allow_commands=allow_commands
    )
    return run_pings(plans, client)
