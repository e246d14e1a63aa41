"""``HttpClient.exchange`` tells failures apart (the transport is httpx's MockTransport: no network)."""

from __future__ import annotations

import ssl

import httpx
import pytest

from catalogmgr.upstream.http import ExchangeFailure, HttpClient


def _client(error: Exception) -> HttpClient:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    return HttpClient(transport=httpx.MockTransport(handler), timeout=1.0)


def _tls_error() -> Exception:
    error = httpx.ConnectError("handshake failed")
    error.__cause__ = ssl.SSLCertVerificationError("certificate verify failed: self-signed certificate")
    return error


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (httpx.ConnectError("[Errno -2] Name or service not known"), "dns"),
        (httpx.ConnectError("[Errno 8] nodename nor servname provided, or not known"), "dns"),
        (_tls_error(), "tls"),
        (httpx.ConnectError("[Errno 111] Connection refused"), "refused"),
        (httpx.ConnectTimeout("timed out"), "timeout"),
        (httpx.ReadTimeout("timed out"), "timeout"),
        (httpx.RemoteProtocolError("peer closed connection without sending complete message body"), "broken"),
        (httpx.ConnectError("[Errno 113] No route to host"), "other"),
    ],
)
def test_failures_are_told_apart(error: Exception, kind: str) -> None:
    with _client(error) as client, pytest.raises(ExchangeFailure) as caught:
        client.exchange("GET", "https://llm.example.test/v1/models", headers={"Authorization": "Bearer sk-x"})
    assert caught.value.kind == kind
    assert "sk-x" not in str(caught.value)


def test_any_status_comes_back_and_redirects_are_not_followed() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(301, headers={"Location": "https://elsewhere.test/v1/models"})

    with HttpClient(transport=httpx.MockTransport(handler), timeout=1.0) as client:
        answer = client.exchange("GET", "https://llm.example.test/v1/models", headers={"X-Api-Key": "k"})
    assert (answer.status, answer.location) == (301, "https://elsewhere.test/v1/models")
    assert seen == ["https://llm.example.test/v1/models"]
