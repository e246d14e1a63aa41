"""``doctor`` stays off the network; ``doctor --ping`` adds one finding from ``ping``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from provider_servers import PLANTED_KEY, openai_models, overlay, serve_json
from pytest_httpserver import HTTPServer

Run = Callable[..., Any]


@pytest.fixture
def configured(workdir: Path, tmp_home: Path, httpserver: HTTPServer) -> Path:
    """~/.omp/agent/models.yml configuring one provider at the loopback server."""
    agent = tmp_home / ".omp" / "agent"
    agent.mkdir(parents=True)
    provider = {
        "baseUrl": httpserver.url_for("/v1"),
        "apiKey": "LOCAL_KEY",
        "api": "openai-completions",
        "models": [{"id": "qwen3-8b"}],
    }
    # "homelab", not "local": from pi-catalog 18.2.11 `local` is OMP's tiny-model provider (qwen* hidden).
    (agent / "models.yml").write_text(overlay({"homelab": provider}), encoding="utf-8")
    return agent


def _providers_finding(stdout: str) -> dict[str, Any] | None:
    findings = json.loads(stdout)["findings"]
    return next((finding for finding in findings if finding["area"] == "providers"), None)


def test_doctor_never_pings_by_default(run_cli: Run, configured: Path, httpserver: HTTPServer) -> None:
    serve_json(httpserver, "/v1/models", openai_models(["qwen3-8b"]), key=PLANTED_KEY)
    result = run_cli("doctor", "--format", "json", env={"LOCAL_KEY": PLANTED_KEY})
    assert httpserver.log == []
    assert _providers_finding(result.stdout) is None


def test_doctor_ping_reports_a_broken_provider(
    run_cli: Run, configured: Path, httpserver: HTTPServer
) -> None:
    serve_json(httpserver, "/v1/models", openai_models(["qwen3-8b"]), key="another-key-0000000000")
    result = run_cli("doctor", "--ping", "--format", "json", env={"LOCAL_KEY": PLANTED_KEY})
    assert result.exit_code == 1
    finding = _providers_finding(result.stdout)
    assert finding is not None
    assert finding["status"] == "error"
    assert "unauthorized" in finding["details"][0]
    assert PLANTED_KEY not in result.stdout + result.stderr


def test_doctor_ping_all_good(run_cli: Run, configured: Path, httpserver: HTTPServer) -> None:
    serve_json(httpserver, "/v1/models", openai_models(["qwen3-8b"]), key=PLANTED_KEY)
    result = run_cli("doctor", "--ping", "--format", "json", env={"LOCAL_KEY": PLANTED_KEY})
    finding = _providers_finding(result.stdout)
    assert finding is not None
    assert finding["status"] == "ok"
    assert len(httpserver.log) == 1
