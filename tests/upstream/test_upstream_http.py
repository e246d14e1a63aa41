"""The real HTTP client against servers on 127.0.0.1 (and a mock transport for DNS/TLS failures)."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from pytest_httpserver import HTTPServer
from upstream_support import RawServer, RecordingSleep
from werkzeug import Request, Response

from catalogmgr.errors import EXIT_CANNOT_RUN, UpstreamError
from catalogmgr.upstream.http import HttpClient, RetryPolicy, parse_retry_after

Make = Callable[..., HttpClient]


def test_plain_200_returns_body_etag_and_content_type(httpserver: HTTPServer, make_client: Make) -> None:
    httpserver.expect_request("/models").respond_with_data(
        '{"data": []}', content_type="application/json; charset=utf-8", headers={"ETag": '"v1"'}
    )
    response = make_client().get(httpserver.url_for("/models"))
    assert response.status == 200
    assert response.body == b'{"data": []}'
    assert response.etag == '"v1"'
    assert response.content_type == "application/json"


def test_sends_a_user_agent_and_accepts_json(httpserver: HTTPServer, make_client: Make) -> None:
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        return Response("[]", content_type="application/json")

    httpserver.expect_request("/models").respond_with_handler(handler)
    make_client().get(httpserver.url_for("/models"))
    assert seen[0].headers["User-Agent"].startswith("catalogmgr/")
    assert seen[0].headers["Accept"] == "application/json"
    assert "If-None-Match" not in seen[0].headers


def test_conditional_request_accepts_304(httpserver: HTTPServer, make_client: Make) -> None:
    httpserver.expect_request("/models", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    response = make_client().get(httpserver.url_for("/models"), etag='"v1"')
    assert response.status == 304
    assert response.body == b""


def test_500_then_200_is_retried_with_backoff(
    httpserver: HTTPServer, make_client: Make, sleeps: RecordingSleep
) -> None:
    httpserver.expect_oneshot_request("/models").respond_with_data("boom", status=500)
    httpserver.expect_oneshot_request("/models").respond_with_data("boom", status=502)
    httpserver.expect_request("/models").respond_with_json({"data": []})
    response = make_client().get(httpserver.url_for("/models"))
    assert response.status == 200
    assert sleeps.delays == [1.0, 2.0]  # exponential: 1 s, then 2 s


def test_persistent_503_gives_up_after_the_attempts(
    httpserver: HTTPServer, make_client: Make, sleeps: RecordingSleep
) -> None:
    httpserver.expect_request("/models").respond_with_data("down", status=503)
    with pytest.raises(UpstreamError) as caught:
        make_client(attempts=3).get(httpserver.url_for("/models"))
    message = str(caught.value)
    assert "HTTP 503" in message
    assert "gave up after 3 attempts" in message
    assert "\n" not in message
    assert caught.value.exit_code == EXIT_CANNOT_RUN
    assert len(sleeps.delays) == 2


def test_429_honours_retry_after(httpserver: HTTPServer, make_client: Make, sleeps: RecordingSleep) -> None:
    httpserver.expect_oneshot_request("/models").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_request("/models").respond_with_json([])
    assert make_client().get(httpserver.url_for("/models")).status == 200
    assert sleeps.delays == [7.0]  # the server's wish, longer than the 1 s backoff


def test_429_asking_for_longer_than_the_cap_fails_at_once(
    httpserver: HTTPServer, make_client: Make, sleeps: RecordingSleep
) -> None:
    httpserver.expect_request("/models").respond_with_data(
        "later", status=429, headers={"Retry-After": "3600"}
    )
    with pytest.raises(UpstreamError, match=r"rate limited \(HTTP 429\).*3600 s.*120 s"):
        make_client().get(httpserver.url_for("/models"))
    assert sleeps.delays == []


def test_404_is_not_retried(httpserver: HTTPServer, make_client: Make, sleeps: RecordingSleep) -> None:
    httpserver.expect_request("/models").respond_with_data("nope", status=404)
    with pytest.raises(UpstreamError, match=r"cannot fetch http://.*/models: HTTP 404 NOT FOUND$"):
        make_client().get(httpserver.url_for("/models"))
    assert sleeps.delays == []
    assert len(httpserver.log) == 1


def test_slow_server_times_out_with_one_line(httpserver: HTTPServer, make_client: Make) -> None:
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(5)
        return Response("[]", content_type="application/json")

    httpserver.expect_request("/models").respond_with_handler(slow)
    try:
        with pytest.raises(
            UpstreamError, match=r"timed out waiting for localhost:\d+ \(no data for 0\.2 s; raise --timeout"
        ):
            make_client(timeout=0.2).get(httpserver.url_for("/models"))
    finally:
        release.set()


def test_truncated_body_is_retried_then_reported(
    raw_server: Callable[[list[bytes]], RawServer], make_client: Make, sleeps: RecordingSleep
) -> None:
    truncated = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n"
        b'Connection: close\r\n\r\n{"data": [{"id": "a"'
    )
    server = raw_server([truncated])
    with pytest.raises(UpstreamError, match="broke before the response was complete") as caught:
        make_client(attempts=2).get(server.url())
    assert "gave up after 2 attempts" in str(caught.value)
    assert server.requests == 2
    assert sleeps.delays == [1.0]


def test_truncated_then_complete_succeeds(
    raw_server: Callable[[list[bytes]], RawServer], make_client: Make
) -> None:
    body = b'{"data": []}'
    server = raw_server(
        [
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{",
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
            b"Connection: close\r\n\r\n%s" % (len(body), body),
        ]
    )
    assert make_client().get(server.url()).body == body


def test_connection_refused_is_retried_then_reported(make_client: Make, sleeps: RecordingSleep) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(
        UpstreamError, match=r"connection refused by 127\.0\.0\.1:\d+ \(gave up after 2 attempts\)"
    ):
        make_client(attempts=2).get(f"http://127.0.0.1:{port}/models")
    assert sleeps.delays == [1.0]


def _failing_transport(error: Exception) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    return httpx.MockTransport(handler)


def test_dns_failure_is_one_line_and_not_retried(make_client: Make, sleeps: RecordingSleep) -> None:
    failure = httpx.ConnectError("[Errno -2] Name or service not known")
    client = make_client(transport=_failing_transport(failure))
    with pytest.raises(UpstreamError) as caught:
        client.get("https://openrouter.example/api/v1/models")
    assert str(caught.value) == (
        "cannot fetch https://openrouter.example/api/v1/models: cannot resolve host openrouter.example"
        " (DNS lookup failed)"
    )
    assert sleeps.delays == []


def test_temporary_dns_failure_is_retried(make_client: Make, sleeps: RecordingSleep) -> None:
    failure = httpx.ConnectError("[Errno -3] Temporary failure in name resolution")
    with pytest.raises(UpstreamError, match="DNS lookup failed temporarily"):
        make_client(transport=_failing_transport(failure), attempts=2).get("https://x.example/m")
    assert sleeps.delays == [1.0]


def test_tls_failure_is_one_line_and_not_retried(make_client: Make, sleeps: RecordingSleep) -> None:
    failure = httpx.ConnectError("handshake failed")
    failure.__cause__ = ssl.SSLCertVerificationError(1, "certificate verify failed: self-signed certificate")
    with pytest.raises(UpstreamError, match=r"TLS error with x\.example \(handshake failed\)"):
        make_client(transport=_failing_transport(failure)).get("https://x.example/m")
    assert sleeps.delays == []


def test_invalid_url_is_reported(make_client: Make) -> None:
    with pytest.raises(UpstreamError, match="invalid URL"):
        make_client().get("ftp://example.invalid/models")


def test_oversized_body_is_refused(httpserver: HTTPServer, make_client: Make) -> None:
    httpserver.expect_request("/models").respond_with_data("x" * 5000)
    with pytest.raises(UpstreamError, match="over the 1,000-byte limit"):
        make_client(max_bytes=1000).get(httpserver.url_for("/models"))


def test_progress_events(httpserver: HTTPServer, make_client: Make) -> None:
    events: list[str] = []

    class Recorder:
        def started(self, url: str) -> None:
            events.append("started")

        def received(self, url: str, received: int, total: int | None) -> None:
            events.append(f"received {received}/{total}")

        def retrying(self, url: str, reason: str, delay: float) -> None:
            events.append(f"retrying {reason} {delay:g}")

        def finished(self, url: str) -> None:
            events.append("finished")

    httpserver.expect_oneshot_request("/models").respond_with_data("x", status=500)
    httpserver.expect_request("/models").respond_with_data("[]")
    make_client(progress=Recorder()).get(httpserver.url_for("/models"))
    assert events == ["started", "retrying HTTP 500 INTERNAL SERVER ERROR 1", "received 2/2", "finished"]


def test_retry_after_parsing() -> None:
    now = datetime(2026, 8, 18, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("30", now) == 30.0
    assert parse_retry_after("Tue, 18 Aug 2026 12:01:00 GMT", now) == 60.0
    assert parse_retry_after("Tue, 18 Aug 2026 11:00:00 GMT", now) == 0.0  # in the past: retry now
    assert parse_retry_after("soon", now) is None


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(attempts=8, initial_delay=1.0, max_delay=5.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]
