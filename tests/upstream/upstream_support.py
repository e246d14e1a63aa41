"""Helpers for the upstream tests: hand-made fixture files, a recording sleep, a raw TCP server.

(A module of its own, not conftest.py: test files import these names, and pytest's default import
mode puts each test directory on sys.path, where several conftest.py files would collide.)
"""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_path(name: str) -> Path:
    """A hand-made file shipped with the tests."""
    return FIXTURES / name


def fixture_json(name: str) -> Any:
    """A hand-made JSON fixture, parsed."""
    return json.loads(fixture_path(name).read_text(encoding="utf-8"))


class RecordingSleep:
    """Stands in for time.sleep: records the delays, waits for nothing."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class RawServer:
    """A one-response-per-connection TCP server on 127.0.0.1 that sends exactly the given bytes.

    For what an HTTP framework will not produce: a body shorter than its Content-Length, a
    connection closed mid-response.
    """

    def __init__(self, responses: list[bytes]) -> None:
        self.responses = list(responses)
        self.requests = 0
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(8)
        self.port = self._socket.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, path: str = "/models") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(5)
                try:
                    connection.recv(65536)
                except OSError:
                    continue
                index = min(self.requests, len(self.responses) - 1)
                self.requests += 1
                try:
                    connection.sendall(self.responses[index])
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self._socket.close()
