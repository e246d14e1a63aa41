"""Fixtures for the upstream tests (helpers live in upstream_support.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from upstream_support import RawServer, RecordingSleep

from catalogmgr.upstream.http import HttpClient, RetryPolicy


@pytest.fixture
def sleeps() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def make_client(sleeps: RecordingSleep) -> Iterator[Callable[..., HttpClient]]:
    """``make_client(timeout=..., attempts=...)``: the real client with a recording sleep."""
    made: list[HttpClient] = []

    def make(*, timeout: float = 5.0, attempts: int = 4, **kwargs: Any) -> HttpClient:
        client = HttpClient(timeout=timeout, retry=RetryPolicy(attempts=attempts), sleep=sleeps, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def raw_server() -> Iterator[Callable[[list[bytes]], RawServer]]:
    servers: list[RawServer] = []

    def start(responses: list[bytes]) -> RawServer:
        server = RawServer(responses)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
