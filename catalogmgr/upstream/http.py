"""The HTTP client for upstream listings: timeouts, retries with backoff, one-line errors.

A thin layer over :mod:`httpx` that adds what a command run daily from a terminal or a CI job
needs and httpx leaves to the caller:

* **retries** with exponential backoff on connection failures (refused, reset, a connect
  timeout, a response cut short), on ``429 Too Many Requests`` (honouring ``Retry-After``, up to
  a cap: a server asking for more than the cap is reported at once rather than waited for) and on
  ``5xx``. A read timeout is not retried: it has already cost the full timeout once;
* **conditional requests**: ``If-None-Match`` with a cached ETag, accepting ``304``;
* a **size limit** on the body (listings are about 1-2 MB; 64 MB is a runaway);
* **one-line errors** (:class:`~catalogmgr.errors.UpstreamError`) naming the URL and what went
  wrong: DNS, TLS, timeout, refused, HTTP status;
* an optional **progress** reporter (the CLI shows one only when stderr is a terminal).

Everything time-related is injected (``sleep``, ``clock``) so tests run the real client against
a local server without waiting, and the transport can be injected too (``httpx.MockTransport``).
"""

from __future__ import annotations

import email.utils
import re
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from catalogmgr import __version__
from catalogmgr.errors import UpstreamError
from catalogmgr.upstream.cache import usable_etag

DEFAULT_TIMEOUT = 30.0
MAX_BODY_BYTES = 64 * 1024 * 1024
USER_AGENT = f"catalogmgr/{__version__} (+https://github.com/catalogmgr/catalogmgr)"

_RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
_ASCII_DIGITS = re.compile("[0-9]+")
# Phrases resolvers put in their errors (glibc, musl, macOS, Windows).
_DNS_MARKERS = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "no address associated",
    "getaddrinfo failed",
    "name resolution",
    "[errno -2]",
    "[errno -3]",
    "[errno 8]",
    "[errno 11001]",
)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry. Delays double: 1, 2, 4... seconds, up to ``max_delay``."""

    attempts: int = 4
    initial_delay: float = 1.0
    max_delay: float = 30.0
    # The longest Retry-After honoured; a server asking for more is reported instead of waited for.
    max_retry_after: float = 120.0

    def backoff(self, attempt: int) -> float:
        """The delay before retry number ``attempt`` (1-based). Deterministic: one user's CLI
        does not cause a thundering herd, and a predictable schedule is easier to reason about."""
        return float(min(self.max_delay, self.initial_delay * (2 ** (attempt - 1))))


@dataclass(frozen=True)
class FetchResponse:
    """A successful exchange: 200 with a body, or 304 (the cached copy is still current)."""

    url: str
    status: int
    body: bytes
    etag: str | None
    content_type: str | None


class Progress(Protocol):
    """Receives progress events; the CLI's implementation draws on a terminal's stderr."""

    def started(self, url: str) -> None: ...
    def received(self, url: str, received: int, total: int | None) -> None: ...
    def retrying(self, url: str, reason: str, delay: float) -> None: ...
    def finished(self, url: str) -> None: ...


class _Retry(Exception):
    """A failed attempt worth repeating: ``reason`` is the one-line error if it stays failed."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class HttpClient:
    """GET JSON listings with retries and one-line errors. Use as a context manager."""

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] | None = None,
        progress: Progress | None = None,
        max_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock = clock or (lambda: datetime.now(UTC))
        self._progress = progress
        self._max_bytes = max_bytes
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            max_redirects=5,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            # Proxies from the environment (HTTPS_PROXY...) are honoured: corporate networks need them.
            trust_env=True,
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the connection pool."""
        self._client.close()

    def get(self, url: str, *, etag: str | None = None) -> FetchResponse:
        """GET ``url``; with ``etag``, conditionally (a 304 comes back as such).

        Raises :class:`UpstreamError` with one line once retries are exhausted or on an error
        that retrying cannot fix (DNS, TLS, 404, invalid URL, oversized body).
        """
        etag = usable_etag(etag)
        headers = {"If-None-Match": etag} if etag else {}
        if self._progress is not None:
            self._progress.started(url)
        try:
            attempt = 1
            while True:
                try:
                    return self._attempt(url, headers, conditional=etag is not None)
                except _Retry as failure:
                    if attempt >= self.retry.attempts:
                        raise UpstreamError(
                            f"cannot fetch {url}: {failure.reason} (gave up after {attempt} attempts)"
                        ) from None
                    delay = self.retry.backoff(attempt)
                    if failure.retry_after is not None:
                        delay = max(delay, failure.retry_after)
                    if self._progress is not None:
                        self._progress.retrying(url, failure.reason, delay)
                    self._sleep(delay)
                    attempt += 1
        finally:
            if self._progress is not None:
                self._progress.finished(url)

    def exchange(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        json_body: object | None = None,
        max_bytes: int | None = None,
    ) -> Exchange:
        """One request, no retry, **no redirect followed**: whatever status comes back is returned.

        For talking to a provider with a credential: a redirect is reported (its ``Location``),
        never followed, so a key or custom header is only ever sent to the host the caller named.
        Raises :class:`ExchangeFailure` (with a ``kind``) when no HTTP answer arrives.
        """
        return _exchange(
            self,
            method,
            url,
            headers=dict(headers or {}),
            json_body=json_body,
            max_bytes=self._max_bytes if max_bytes is None else max_bytes,
        )

    def _attempt(self, url: str, headers: dict[str, str], *, conditional: bool) -> FetchResponse:
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status == 304 and conditional:
                    return FetchResponse(
                        str(response.url), 304, b"", _etag(response), _content_type(response)
                    )
                if status in _RETRYABLE_STATUS:
                    reason = f"HTTP {status} {response.reason_phrase or ''}".rstrip()
                    raise _Retry(reason, self._retry_after(url, response) if status in {429, 503} else None)
                if status != 200:
                    reason = f"HTTP {status} {response.reason_phrase or ''}".rstrip()
                    raise UpstreamError(f"cannot fetch {url}: {reason}")
                _refuse_stacked_encodings(url, response)
                body = self._read_body(url, response)
                return FetchResponse(str(response.url), 200, body, _etag(response), _content_type(response))
        except _Retry:
            raise
        except UpstreamError:
            raise
        except httpx.ConnectTimeout:
            raise _Retry(f"timed out connecting to {_host(url)} after {self.timeout:g} s") from None
        except httpx.TimeoutException:
            raise UpstreamError(
                f"cannot fetch {url}: timed out waiting for {_host(url)} (no data for {self.timeout:g} s;"
                " raise --timeout if the connection is slow)"
            ) from None
        except httpx.ConnectError as error:
            raise self._connect_failure(url, error) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
            raise _Retry(
                f"the connection to {_host(url)} broke before the response was complete ({_brief(error)})"
            ) from None
        except httpx.TooManyRedirects:
            raise UpstreamError(f"cannot fetch {url}: too many redirects") from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as error:
            raise UpstreamError(f"cannot fetch {url}: invalid URL ({_brief(error)})") from None
        except httpx.HTTPError as error:
            raise UpstreamError(f"cannot fetch {url}: {_brief(error)}") from None

    def _read_body(self, url: str, response: httpx.Response) -> bytes:
        total = declared_length(response)
        if total is not None and total > self._max_bytes:
            raise UpstreamError(
                f"cannot fetch {url}: the response is {total:,} bytes,"
                f" over the {self._max_bytes:,}-byte limit"
            )
        chunks: list[bytes] = []
        received = 0
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > self._max_bytes:
                raise UpstreamError(
                    f"cannot fetch {url}: the response exceeds the {self._max_bytes:,}-byte limit"
                )
            chunks.append(chunk)
            if self._progress is not None:
                self._progress.received(url, received, total)
        return b"".join(chunks)

    def _retry_after(self, url: str, response: httpx.Response) -> float | None:
        value = response.headers.get("Retry-After")
        if value is None:
            return None
        seconds = parse_retry_after(value, self._clock())
        if seconds is None:
            return None
        if seconds > self.retry.max_retry_after:
            raise UpstreamError(
                f"cannot fetch {url}: rate limited (HTTP {response.status_code}); the server asks to retry"
                f" after {seconds:g} s, longer than the {self.retry.max_retry_after:g} s catalogmgr waits"
            )
        return seconds

    def _connect_failure(self, url: str, error: httpx.ConnectError) -> Exception:
        host = _host(url)
        kind = connect_failure_kind(error)
        if kind == "tls":
            return UpstreamError(f"cannot fetch {url}: TLS error with {host} ({_brief(error)})")
        if kind == "dns-temporary":
            return _Retry(f"cannot resolve {host} (DNS lookup failed temporarily)")
        if kind == "dns":
            return UpstreamError(f"cannot fetch {url}: cannot resolve host {host} (DNS lookup failed)")
        if kind == "refused":
            return _Retry(f"connection refused by {host}")
        return _Retry(f"cannot connect to {host} ({_brief(error)})")


def connect_failure_kind(error: httpx.ConnectError) -> str:
    """Why a connection failed: ``tls``, ``dns``, ``dns-temporary``, ``refused`` or ``other``."""
    text = _chain_text(error).lower()
    if _is_tls_error(error) or "certificate" in text or "ssl" in text:
        return "tls"
    if any(marker in text for marker in _DNS_MARKERS):
        return "dns-temporary" if "temporary failure" in text else "dns"
    if "refused" in text:
        return "refused"
    return "other"


# An exchange may take this many times the client's timeout in all (see _exchange).
EXCHANGE_DEADLINE_FACTOR = 3


class ExchangeFailure(UpstreamError):
    """A request that got no HTTP answer. ``kind`` says why, in one word the caller can branch on:
    ``dns``, ``tls``, ``timeout``, ``refused``, ``broken`` (cut short), ``too-large``, ``invalid-url``
    or ``other``. The message names the URL given by the caller (never a header value)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Exchange:
    """One HTTP answer, whatever its status: the caller decides what a 401, 404 or 302 means."""

    url: str
    status: int
    reason: str
    body: bytes
    content_type: str | None
    location: str | None  # the Location header of a redirect, which is never followed


def _exchange(
    client: HttpClient,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    json_body: object | None,
    max_bytes: int,
) -> Exchange:
    """See :meth:`HttpClient.exchange`."""
    host = _host(url)
    try:
        with client._client.stream(
            method,
            url,
            headers=headers,
            json=json_body,
            follow_redirects=False,
        ) as response:
            _refuse_stacked_encodings(url, response)
            declared = declared_length(response)
            if declared is not None and declared > max_bytes:
                raise ExchangeFailure(
                    "too-large", f"{url}: the response is {declared:,} bytes, over {max_bytes:,}"
                )
            chunks: list[bytes] = []
            received = 0
            # httpx's timeout is per read: a server dripping a byte at a time never trips it. The
            # whole answer gets a deadline too.
            deadline = time.monotonic() + client.timeout * EXCHANGE_DEADLINE_FACTOR
            for chunk in response.iter_bytes():
                received += len(chunk)
                if received > max_bytes:
                    raise ExchangeFailure("too-large", f"{url}: the response exceeds {max_bytes:,} bytes")
                if time.monotonic() > deadline:
                    raise ExchangeFailure(
                        "timeout",
                        f"{url}: the answer is still arriving after"
                        f" {client.timeout * EXCHANGE_DEADLINE_FACTOR:g} s",
                    )
                chunks.append(chunk)
            return Exchange(
                url=url,
                status=response.status_code,
                reason=response.reason_phrase or "",
                body=b"".join(chunks),
                content_type=_content_type(response),
                location=response.headers.get("Location"),
            )
    except ExchangeFailure:
        raise
    except UpstreamError as error:  # a stacked Content-Encoding
        raise ExchangeFailure("too-large", str(error)) from None
    except httpx.TimeoutException:
        raise ExchangeFailure("timeout", f"{url}: timed out after {client.timeout:g} s") from None
    except httpx.ConnectError as error:
        kind = connect_failure_kind(error).removesuffix("-temporary")  # no retry here: one kind
        words = {
            "tls": f"TLS error with {host} ({_brief(error)})",
            "dns": f"cannot resolve host {host}",
            "refused": f"connection refused by {host}",
        }
        raise ExchangeFailure(
            kind, f"{url}: {words.get(kind, f'cannot connect to {host} ({_brief(error)})')}"
        ) from None
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
        raise ExchangeFailure(
            "broken", f"{url}: the connection to {host} broke mid-answer ({_brief(error)})"
        ) from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as error:
        raise ExchangeFailure("invalid-url", f"{url}: invalid URL ({_brief(error)})") from None
    except httpx.HTTPError as error:
        raise ExchangeFailure("other", f"{url}: {_brief(error)}") from None


def _refuse_stacked_encodings(url: str, response: httpx.Response) -> None:
    """Refuse a body compressed more than once (``Content-Encoding: gzip, gzip``).

    The size limit counts decoded bytes, but httpx decodes each received chunk in one call: one
    gzip layer inflates a 64 KB chunk to at most ~64 MB (bounded), two layers to gigabytes before
    the limit is checked (a "zip bomb"). No listing server stacks encodings unasked.
    """
    codings = [
        coding.strip().lower()
        for coding in response.headers.get("Content-Encoding", "").split(",")
        if coding.strip() and coding.strip().lower() != "identity"
    ]
    if len(codings) > 1:
        raise UpstreamError(
            f"cannot fetch {url}: the response is compressed {len(codings)} times"
            f" (Content-Encoding: {', '.join(codings)}); refusing a likely decompression bomb"
        )


def parse_retry_after(value: str, now: datetime) -> float | None:
    """``Retry-After`` in seconds: either delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    text = value.strip()
    if _ASCII_DIGITS.fullmatch(text):
        # ASCII digits only (str.isdigit() accepts "²", which int() refuses), and no more of them
        # than a delay can use: 400 or 5,000 digits would overflow float() or int()'s digit limit.
        return float(int(text)) if len(text) <= 12 else float("inf")
    if len(text) > 64 or not text.isascii():
        return None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def declared_length(response: httpx.Response) -> int | None:
    """``Content-Length`` as a number when it is plain ASCII digits, else None (not trusted).

    ``str.isdigit()`` accepts ``²`` and other digits ``int()`` refuses; a thousand digits would
    be a pointless big number. Only a sanity check: the body is counted as it arrives anyway.
    """
    value = (response.headers.get("Content-Length") or "").strip()
    return int(value) if _ASCII_DIGITS.fullmatch(value) and len(value) <= 18 else None


def _etag(response: httpx.Response) -> str | None:
    """The response's ETag when it can be sent back in ``If-None-Match``, else None.

    httpx decodes header values as Latin-1; a non-ASCII or control character (or an absurdly long
    value) cannot go into a request header, so such an ETag is not kept: caching it would make
    every later revalidation fail (issue 13, break 3).
    """
    value = response.headers.get("ETag")
    return usable_etag(value.strip()) if value else None


def _content_type(response: httpx.Response) -> str | None:
    value = response.headers.get("Content-Type")
    return value.split(";")[0].strip().lower() if value else None


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def _is_tls_error(error: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _chain_text(error: BaseException) -> str:
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        parts.append(str(current))
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return " | ".join(parts)


def _brief(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:200] if text else type(error).__name__
