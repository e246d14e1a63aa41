"""``catalogmgr ping`` against loopback servers speaking the real protocols (see provider_servers)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from provider_servers import (
    PLANTED_HEADER,
    PLANTED_KEY,
    anthropic_models,
    ollama_tags,
    openai_models,
    overlay,
    serve_json,
)
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from catalogmgr.providers.routes import listed_ids, model_list_route, redact_url

Run = Callable[..., Any]


def _write(workdir: Path, providers: dict[str, Any]) -> str:
    path = workdir / "models.yml"
    path.write_text(overlay(providers), encoding="utf-8")
    return str(path)


def _openai_provider(base_url: str, ids: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "baseUrl": base_url,
        "apiKey": "LOCAL_KEY",
        "api": "openai-completions",
        "models": [{"id": model_id} for model_id in ids],
        **extra,
    }


def _ping(
    run_cli: Run, path: str, *args: str, key: str | None = PLANTED_KEY
) -> tuple[int, dict[str, Any], str]:
    env = {"LOCAL_KEY": key} if key is not None else {}
    result = run_cli("ping", "--overlay", path, "--format", "json", "--timeout", "5", *args, env=env)
    assert PLANTED_KEY not in result.stdout + result.stderr
    assert PLANTED_HEADER not in result.stdout + result.stderr
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else {}, result.stderr


# The servers are "homelab", not "local": from pi-catalog 18.2.11 (the newest profiles) `local` is
# OMP's own provider of tiny local models, whose rules hide `qwen*` from getAll().
def _endpoint(record: dict[str, Any], provider: str = "homelab") -> dict[str, Any]:
    [entry] = [item for item in record["providers"] if item["provider"] == provider]
    [endpoint] = entry["endpoints"]
    return endpoint


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ---------------------------------------------------------------------------------------------
# The five cases of the issue, OpenAI-compatible server


def test_all_good_openai(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    serve_json(httpserver, "/v1/models", openai_models(["qwen3-8b", "llama-3.1-8b"]), key=PLANTED_KEY)
    path = _write(
        workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["qwen3-8b", "llama-3.1-8b"])}
    )
    code, record, _ = _ping(run_cli, path)
    endpoint = _endpoint(record)
    assert code == 0
    assert endpoint["status"] == "ok"
    assert endpoint["httpStatus"] == 200
    assert endpoint["present"] == ["qwen3-8b", "llama-3.1-8b"]
    assert endpoint["latencyMs"] is not None
    assert endpoint["url"] == httpserver.url_for("/v1/models")


def test_wrong_key_is_unauthorized(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    serve_json(httpserver, "/v1/models", openai_models(["qwen3-8b"]), key="sk-the-right-key-000000000000")
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["qwen3-8b"])})
    code, record, _ = _ping(run_cli, path)
    assert code == 1
    assert _endpoint(record)["status"] == "unauthorized"
    assert _endpoint(record)["httpStatus"] == 401
    assert "LOCAL_KEY" in _endpoint(record)["detail"]


def test_unset_variable_is_sent_literally_and_said(
    run_cli: Run, workdir: Path, httpserver: HTTPServer
) -> None:
    serve_json(httpserver, "/v1/models", openai_models(["qwen3-8b"]), key=PLANTED_KEY)
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["qwen3-8b"])})
    code, record, _ = _ping(run_cli, path, key=None)
    assert code == 1
    [(request, _)] = httpserver.log
    assert request.headers["Authorization"] == "Bearer LOCAL_KEY"  # what OMP sends
    assert "not set" in _endpoint(record)["detail"]


def test_wrong_base_path_is_not_found(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    httpserver.no_handler_status_code = 404  # what real servers answer for an unknown path
    serve_json(httpserver, "/v1/models", openai_models(["qwen3-8b"]), key=PLANTED_KEY)
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/"), ["qwen3-8b"])})
    code, record, _ = _ping(run_cli, path)
    assert code == 1
    assert _endpoint(record)["status"] == "not-found"
    assert "/v1" in _endpoint(record)["detail"]


def test_unlisted_id_with_did_you_mean(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    serve_json(httpserver, "/v1/models", openai_models(["Qwen3-8B-Instruct", "qwen3:8b"]), key=PLANTED_KEY)
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["qwen3-8b", "gpt-oss"])})
    code, record, _ = _ping(run_cli, path)
    endpoint = _endpoint(record)
    assert code == 1
    assert endpoint["status"] == "missing-models"
    assert endpoint["missing"] == [
        {"id": "qwen3-8b", "didYouMean": "qwen3:8b"},
        {"id": "gpt-oss", "didYouMean": None},
    ]


def test_refused_connection(run_cli: Run, workdir: Path) -> None:
    path = _write(workdir, {"homelab": _openai_provider(f"http://127.0.0.1:{_free_port()}/v1", ["qwen3-8b"])})
    code, record, _ = _ping(run_cli, path)
    assert code == 1
    assert _endpoint(record)["status"] == "unreachable"
    assert _endpoint(record)["reach"] == "refused"


def test_text_output_names_each_verdict(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    serve_json(httpserver, "/v1/models", openai_models(["qwen3:8b"]), key=PLANTED_KEY)
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["qwen3-8b"])})
    result = run_cli("ping", "--overlay", path, env={"LOCAL_KEY": PLANTED_KEY})
    assert result.exit_code == 1
    assert "homelab  missing-models" in result.stdout
    assert "not listed: qwen3-8b (did you mean qwen3:8b?)" in result.stdout
    assert "1 broken" in result.stderr
    assert PLANTED_KEY not in result.stdout + result.stderr


# ---------------------------------------------------------------------------------------------
# Ollama-shaped server


def _ollama_provider(base_url: str, ids: list[str]) -> dict[str, Any]:
    return {
        "baseUrl": base_url,
        "api": "openai-completions",
        "auth": "none",
        "discovery": {"type": "ollama"},
        "models": [{"id": model_id} for model_id in ids],
    }


def test_ollama_all_good_and_missing(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    serve_json(httpserver, "/api/tags", ollama_tags(["llama3.2:latest", "qwen3:8b"]))
    good = _write(workdir, {"ollama-local": _ollama_provider(httpserver.url_for("/v1"), ["qwen3:8b"])})
    code, record, _ = _ping(run_cli, good)
    assert code == 0
    assert _endpoint(record, "ollama-local")["status"] == "ok"
    assert _endpoint(record, "ollama-local")["route"] == "Ollama GET /api/tags"
    untagged = _write(workdir, {"ollama-local": _ollama_provider(httpserver.url_for("/v1"), ["llama3.2"])})
    code, record, _ = _ping(run_cli, untagged)  # Ollama serves `llama3.2` as `llama3.2:latest`
    assert (code, _endpoint(record, "ollama-local")["status"]) == (0, "ok")
    missing = _write(
        workdir,
        {"ollama-local": _ollama_provider(httpserver.url_for("/v1"), ["qwen3-8b", "phi4", "llama3.3"])},
    )
    code, record, _ = _ping(run_cli, missing)
    assert code == 1
    assert _endpoint(record, "ollama-local")["missing"] == [
        {"id": "qwen3-8b", "didYouMean": "qwen3:8b"},
        {"id": "phi4", "didYouMean": None},
        {"id": "llama3.3", "didYouMean": "llama3.2"},  # the untagged name Ollama serves
    ]


def test_ollama_wrong_key_behind_a_proxy(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    # OMP's Ollama discovery sends the configured headers (not the apiKey): a proxy token goes there.
    serve_json(httpserver, "/api/tags", ollama_tags(["qwen3:8b"]), key="the-proxy-key-123456789")
    provider = _ollama_provider(httpserver.url_for("/v1"), ["qwen3:8b"])
    provider["headers"] = {"Authorization": "PROXY_AUTH"}
    result = run_cli(
        "ping",
        "--overlay",
        _write(workdir, {"ollama-local": provider}),
        "--format",
        "json",
        env={"PROXY_AUTH": f"Bearer {PLANTED_KEY}"},
    )
    assert PLANTED_KEY not in result.stdout + result.stderr
    assert result.exit_code == 1
    assert _endpoint(json.loads(result.stdout), "ollama-local")["status"] == "unauthorized"


def test_ollama_refused_and_wrong_path(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    refused = _ollama_provider(f"http://127.0.0.1:{_free_port()}", ["qwen3:8b"])
    code, record, _ = _ping(run_cli, _write(workdir, {"ollama-local": refused}))
    assert (code, _endpoint(record, "ollama-local")["reach"]) == (1, "refused")
    # An OpenAI-only server (no /api/tags) configured as Ollama: 404.
    httpserver.no_handler_status_code = 404
    serve_json(httpserver, "/v1/models", openai_models(["qwen3:8b"]))
    code, record, _ = _ping(
        run_cli, _write(workdir, {"ollama-local": _ollama_provider(httpserver.url_for("/"), ["x"])})
    )
    assert (code, _endpoint(record, "ollama-local")["status"]) == (1, "not-found")


# ---------------------------------------------------------------------------------------------
# Hostile and broken servers


def test_redirect_to_another_host_is_not_followed(
    run_cli: Run, workdir: Path, httpserver: HTTPServer, other_host: HTTPServer
) -> None:
    serve_json(other_host, "/v1/models", openai_models(["qwen3-8b"]))
    httpserver.expect_request("/v1/models").respond_with_response(
        Response(status=302, headers={"Location": other_host.url_for("/v1/models?token=abc")})
    )
    provider = _openai_provider(httpserver.url_for("/v1"), ["qwen3-8b"], headers={"X-Team": PLANTED_HEADER})
    code, record, _ = _ping(run_cli, _write(workdir, {"homelab": provider}))
    assert code == 1
    assert _endpoint(record)["status"] == "redirected"
    assert other_host.url_for("/v1/models") in _endpoint(record)["detail"]
    assert "token" not in _endpoint(record)["detail"]
    assert other_host.log == []  # neither the key nor the header went anywhere else
    [(request, _)] = httpserver.log
    assert request.headers["X-Team"] == PLANTED_HEADER
    assert request.headers["Authorization"] == f"Bearer {PLANTED_KEY}"


def test_slow_server_times_out(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    def slow(_request: Request) -> Response:
        time.sleep(1.5)
        return Response(json.dumps(openai_models(["qwen3-8b"])), content_type="application/json")

    httpserver.expect_request("/v1/models").respond_with_handler(slow)
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["qwen3-8b"])})
    result = run_cli(
        "ping", "--overlay", path, "--format", "json", "--timeout", "0.3", env={"LOCAL_KEY": "k"}
    )
    assert result.exit_code == 1
    assert _endpoint(json.loads(result.stdout))["reach"] == "timeout"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"<html>not json</html>", "bad-response"),
        (b'{"data": "nope"}', "bad-response"),
        (b"[1, 2, 3]", "bad-response"),
        (b"[" * 100_000, "bad-response"),
    ],
)
def test_broken_bodies(run_cli: Run, workdir: Path, httpserver: HTTPServer, body: bytes, status: str) -> None:
    httpserver.expect_request("/v1/models").respond_with_data(body, content_type="application/json")
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["qwen3-8b"])})
    code, record, _ = _ping(run_cli, path)
    assert (code, _endpoint(record)["status"]) == (1, status)


def test_server_error_is_http_error_without_its_reason(
    run_cli: Run, workdir: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/v1/models").respond_with_response(
        Response(f"key was {PLANTED_KEY}", status=503)
    )
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["qwen3-8b"])})
    code, record, _ = _ping(run_cli, path)  # the planted-secret check is inside _ping
    assert (code, _endpoint(record)["detail"]) == (1, "HTTP 503 Service Unavailable")


def test_huge_and_hostile_model_list(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    ids = [f"model-{n}" for n in range(50_000)] + ["\x1b]52;c;ZWNobyBwd25lZA==\x07evil", PLANTED_KEY]
    serve_json(httpserver, "/v1/models", openai_models(ids), key=PLANTED_KEY)
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["\x1bevil"])})
    result = run_cli("ping", "--overlay", path, env={"LOCAL_KEY": PLANTED_KEY})
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout + result.stderr
    assert PLANTED_KEY not in result.stdout + result.stderr
    assert "\\x1bevil" in result.stdout


def test_oversized_body_is_refused(
    run_cli: Run, workdir: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("catalogmgr.providers.ping.MAX_LIST_BYTES", 1000)
    serve_json(httpserver, "/v1/models", openai_models([f"m-{n}" for n in range(200)]))
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["m-1"])})
    code, record, _ = _ping(run_cli, path)
    assert (code, _endpoint(record)["reach"]) == (1, "too-large")


# ---------------------------------------------------------------------------------------------
# What runs and what does not


def test_command_key_is_not_run_without_allow_commands(
    run_cli: Run, workdir: Path, httpserver: HTTPServer
) -> None:
    marker = workdir / "ran"
    provider = _openai_provider(httpserver.url_for("/v1"), ["qwen3-8b"])
    provider["apiKey"] = f"!touch {marker} && echo {PLANTED_KEY}"
    provider["baseUrl"] = "https://llm.example.invalid/v1"  # not loopback: unchecked, no request
    code, record, _ = _ping(run_cli, _write(workdir, {"homelab": provider}))
    assert not marker.exists()
    assert (code, _endpoint(record)["status"]) == (0, "unchecked")


def test_command_key_runs_with_allow_commands(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    serve_json(httpserver, "/v1/models", openai_models(["qwen3-8b"]), key=PLANTED_KEY)
    provider = _openai_provider(httpserver.url_for("/v1"), ["qwen3-8b"])
    provider["apiKey"] = f"!echo {PLANTED_KEY}"
    code, record, _ = _ping(run_cli, _write(workdir, {"homelab": provider}), "--allow-commands")
    assert (code, _endpoint(record)["status"]) == (0, "ok")


def test_nothing_to_ping_is_exit_3(run_cli: Run, workdir: Path) -> None:
    path = workdir / "empty.yml"
    path.write_text("providers: {}\n", encoding="utf-8")
    result = run_cli("ping", "--overlay", str(path))
    assert result.exit_code == 3
    assert "nothing to ping" in result.stderr


def test_skipped_api_says_why(run_cli: Run, workdir: Path) -> None:
    provider = {
        "baseUrl": "https://bedrock-runtime.us-east-1.amazonaws.com",
        "apiKey": "LOCAL_KEY",
        "api": "bedrock-converse-stream",
        "models": [{"id": "anthropic.claude-x"}],
    }
    code, record, _ = _ping(run_cli, _write(workdir, {"aws": provider}))
    assert code == 0
    assert _endpoint(record, "aws")["status"] == "skipped"
    assert "SigV4" in _endpoint(record, "aws")["detail"]


# ---------------------------------------------------------------------------------------------
# Routes and headers, as OMP 18.2.3 sends them (pi-ai anthropic.ts / google.ts, model-discovery.ts)


def test_anthropic_route_and_headers(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    serve_json(httpserver, "/v1/models", anthropic_models(["MiniMax-M3"]), key=PLANTED_KEY)
    provider = {
        "baseUrl": httpserver.url_for("/anthropic").replace("/anthropic", ""),
        "apiKey": "LOCAL_KEY",
        "api": "anthropic-messages",
        "models": [{"id": "MiniMax-M3"}],
    }
    code, record, _ = _ping(run_cli, _write(workdir, {"mm": provider}))
    assert (code, _endpoint(record, "mm")["status"]) == (0, "ok")
    [(request, _)] = httpserver.log
    assert request.headers["anthropic-version"] == "2023-06-01"


def test_official_anthropic_uses_x_api_key() -> None:
    route = model_list_route(
        api="anthropic-messages",
        base_url="https://api.anthropic.com",
        key="k",
        configured_headers={},
        auth_header=False,
    )
    assert route.url == "https://api.anthropic.com/v1/models"
    assert route.headers == {"anthropic-version": "2023-06-01", "X-Api-Key": "k"}


def test_google_route() -> None:
    route = model_list_route(
        api="google-generative-ai",
        base_url="https://generativelanguage.googleapis.com/v1beta",
        key="k",
        configured_headers={"X-Extra": "v"},
        auth_header=False,
    )
    assert route.url == "https://generativelanguage.googleapis.com/v1beta/models"
    assert route.headers == {"x-goog-api-key": "k", "X-Extra": "v"}
    assert listed_ids("google", {"models": [{"name": "models/gemini-2.5-pro"}], "nextPageToken": "x"}) == (
        ["gemini-2.5-pro"],
        True,
    )


def test_configured_authorization_header_wins() -> None:
    route = model_list_route(
        api="openai-completions",
        base_url="http://127.0.0.1:1/v1",
        key="k",
        configured_headers={"authorization": "Token abc"},
        auth_header=False,
    )
    assert route.headers == {"authorization": "Token abc"}


@pytest.mark.parametrize(
    ("discovery", "base", "url"),
    [
        ({"type": "ollama"}, "http://127.0.0.1:11434/v1", "http://127.0.0.1:11434/api/tags"),
        ({"type": "llama.cpp"}, "http://127.0.0.1:8080", "http://127.0.0.1:8080/models"),
        ({"type": "lm-studio"}, "http://127.0.0.1:1234", "http://127.0.0.1:1234/v1/models"),
        (
            {"type": "openai-models-list", "injectV1": False},
            "https://x.test/v3/compat",
            "https://x.test/v3/compat/models",
        ),
    ],
)
def test_discovery_routes(discovery: dict[str, Any], base: str, url: str) -> None:
    route = model_list_route(
        api="openai-completions",
        base_url=base,
        key=None,
        configured_headers={},
        auth_header=False,
        discovery=discovery,
    )
    assert route.url == url


def test_redact_url_drops_user_info_and_query() -> None:
    assert redact_url("https://user:pw@h.test:8443/v1?key=SECRET#x") == "https://h.test:8443/v1"


# ---------------------------------------------------------------------------------------------
# --probe: the one request that may cost money


def _chat_server(httpserver: HTTPServer, status: int = 200) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []

    def chat(request: Request) -> Response:
        bodies.append(json.loads(request.data))
        answer = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": PLANTED_KEY},
                    "finish_reason": "length",
                }
            ],
        }
        return Response(json.dumps(answer), status=status, content_type="application/json")

    httpserver.expect_request("/v1/chat/completions", method="POST").respond_with_handler(chat)
    return bodies


def test_probe_with_yes_sends_one_token_chat(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    serve_json(httpserver, "/v1/models", openai_models(["qwen3-8b"]), key=PLANTED_KEY)
    bodies = _chat_server(httpserver)
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["qwen3-8b"])})
    code, record, _ = _ping(run_cli, path, "--probe", "--yes")
    assert code == 0
    assert _endpoint(record)["probe"]["ok"] is True
    [body] = bodies
    assert body["max_tokens"] == 1
    assert body["model"] == "qwen3-8b"
    [_, (chat, _)] = httpserver.log
    assert chat.headers["Authorization"] == f"Bearer {PLANTED_KEY}"


def test_probe_asks_first_and_a_no_sends_nothing(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    serve_json(httpserver, "/v1/models", openai_models(["qwen3-8b"]), key=PLANTED_KEY)
    bodies = _chat_server(httpserver)
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["qwen3-8b"])})
    result = run_cli("ping", "--overlay", path, "--probe", input="n\n", env={"LOCAL_KEY": PLANTED_KEY})
    assert result.exit_code == 0
    assert "homelab/qwen3-8b at" in result.stderr
    assert "probes not sent" in result.stderr
    assert bodies == []
    result = run_cli("ping", "--overlay", path, "--probe", input="y\n", env={"LOCAL_KEY": PLANTED_KEY})
    assert result.exit_code == 0
    assert len(bodies) == 1
    assert "probe qwen3-8b: ok" in result.stdout
    assert PLANTED_KEY not in result.stdout + result.stderr  # the answer's text is never shown


def test_failed_probe_is_broken(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    serve_json(httpserver, "/v1/models", openai_models(["qwen3-8b"]), key=PLANTED_KEY)
    _chat_server(httpserver, status=402)
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["qwen3-8b"])})
    code, record, _ = _ping(run_cli, path, "--probe", "--yes")
    assert code == 1
    assert record["providers"][0]["status"] == "probe-failed"
    assert "no credit" in _endpoint(record)["probe"]["detail"]


def test_no_probe_no_post(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    serve_json(httpserver, "/v1/models", openai_models(["qwen3-8b"]), key=PLANTED_KEY)
    bodies = _chat_server(httpserver)
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["qwen3-8b"])})
    code, _, _ = _ping(run_cli, path)
    assert code == 0
    assert bodies == []
    assert [request.method for request, _ in httpserver.log] == ["GET"]


def test_key_from_dotenv_is_used_and_never_shown(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    (workdir / ".env").write_text(f"LOCAL_KEY={PLANTED_KEY}\n", encoding="utf-8")
    serve_json(httpserver, "/v1/models", openai_models(["qwen3-8b"]), key=PLANTED_KEY)
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["qwen3-8b"])})
    code, record, _ = _ping(run_cli, path, key=None)
    assert (code, _endpoint(record)["status"]) == (0, "ok")
    result = run_cli("ping", "--overlay", path, "--no-dotenv")
    assert result.exit_code == 1  # without .env the variable is unset: its name is sent, refused
    assert PLANTED_KEY not in result.stdout + result.stderr


def test_hostile_provider_names_and_ids_are_escaped(run_cli: Run, workdir: Path) -> None:
    hostile = "evil\x1b]52;c;cm0gLXJmIH4=\x07\u202e\n::error::forged"
    provider = _openai_provider(f"http://127.0.0.1:{_free_port()}/v1", [hostile])
    result = run_cli("ping", "--overlay", _write(workdir, {hostile: provider}))
    assert result.exit_code == 1
    assert "unreachable" in result.stdout  # it got as far as pinging
    output = result.stdout + result.stderr
    assert "\x1b" not in output
    assert "\u202e" not in output
    assert not any(line.startswith("::") for line in output.splitlines())


@pytest.mark.parametrize(
    "value", [f"{PLANTED_KEY}\nX-Injected: 1", f"{PLANTED_KEY}\u2028", "ключ-" + PLANTED_KEY]
)
def test_a_key_http_cannot_carry_is_said_not_sent(
    run_cli: Run, workdir: Path, httpserver: HTTPServer, value: str
) -> None:
    serve_json(httpserver, "/v1/models", openai_models(["qwen3-8b"]))
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["qwen3-8b"])})
    code, record, _ = _ping(run_cli, path, key=value)
    assert (code, _endpoint(record)["status"]) == (1, "invalid-header")
    assert "Authorization" in _endpoint(record)["detail"]
    assert httpserver.log == []


def test_a_server_dripping_its_answer_times_out(run_cli: Run, workdir: Path) -> None:
    # A raw server that sends headers, then one byte every 50 ms, forever: no single read waits long
    # enough for httpx's per-read timeout; the exchange's overall deadline stops it.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    stop = threading.Event()

    def drip() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[")
            while not stop.is_set():
                try:
                    connection.sendall(b" ")
                except OSError:
                    return
                time.sleep(0.05)

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    try:
        path = _write(workdir, {"homelab": _openai_provider(f"http://127.0.0.1:{port}/v1", ["m"])})
        result = run_cli(
            "ping", "--overlay", path, "--format", "json", "--timeout", "0.2", env={"LOCAL_KEY": "k"}
        )
    finally:
        stop.set()
        listener.close()
    assert result.exit_code == 1
    assert _endpoint(json.loads(result.stdout))["reach"] == "timeout"


def test_unknown_provider_suggests_the_close_one(run_cli: Run, workdir: Path) -> None:
    path = _write(workdir, {"local-llm": _openai_provider("http://127.0.0.1:9/v1", ["m"])})
    result = run_cli("ping", "--overlay", path, "--provider", "local_llm")
    assert result.exit_code == 3
    assert "did you mean 'local-llm'?" in result.stderr


def test_discovery_placeholder_keys_are_not_sent() -> None:
    # OMP's isDiscoveryBearerApiKey: these local placeholders never become a bearer.
    route = model_list_route(
        api="openai-completions",
        base_url="http://127.0.0.1:8080",
        key="llama-cpp-local",
        configured_headers={},
        auth_header=False,
        discovery={"type": "llama.cpp"},
    )
    assert route.headers == {}


def test_oauth_provider_is_unchecked_not_broken(run_cli: Run, workdir: Path) -> None:
    provider = {
        "baseUrl": "https://proxy.example.test",
        "auth": "oauth",
        "api": "anthropic-messages",
        "models": [{"id": "c"}],
    }
    code, record, _ = _ping(run_cli, _write(workdir, {"cc": provider}))
    assert (code, _endpoint(record, "cc")["status"]) == (0, "unchecked")


def test_stacked_compression_is_refused(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    import gzip

    body = gzip.compress(gzip.compress(json.dumps(openai_models(["m"])).encode()))
    httpserver.expect_request("/v1/models").respond_with_response(
        Response(body, headers={"Content-Encoding": "gzip, gzip", "Content-Type": "application/json"})
    )
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["m"])})
    code, record, _ = _ping(run_cli, path)
    assert (code, _endpoint(record)["reach"]) == (1, "too-large")


def test_listed_ids_are_capped(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    serve_json(httpserver, "/v1/models", openai_models([f"m{n}" for n in range(25_000)]))
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["m1"])})
    code, record, _ = _ping(run_cli, path)
    assert (code, _endpoint(record)["listed"]) == (0, 20_000)


def test_json_shape_is_the_documented_one(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    serve_json(httpserver, "/v1/models", openai_models(["qwen3-8b"]), key=PLANTED_KEY)
    path = _write(workdir, {"homelab": _openai_provider(httpserver.url_for("/v1"), ["qwen3-8b"])})
    _, record, _ = _ping(run_cli, path)
    assert {"base", "overlays", "broken", "providers"} <= set(record)
    [provider] = record["providers"]
    assert set(provider) == {"provider", "configured", "status", "key", "notes", "endpoints"}
    assert set(provider["key"]) == {"status", "detail"}
    assert set(_endpoint(record)) == {
        "api", "url", "route", "status", "detail", "reach", "httpStatus", "latencyMs", "listed",
        "morePages", "configured", "present", "missing", "probe",
    }  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Paged lists (Anthropic `has_more`/`last_id` + `after_id`, Google `nextPageToken` + `pageToken`)


def _serve_anthropic_pages(server: HTTPServer, pages: list[list[str]], *, loop: bool = False) -> None:
    """Anthropic's paging: each page names its last id; `after_id` asks for the next page."""

    def handler(request: Request) -> Response:
        after = request.args.get("after_id")
        index = 0 if after is None else next(i + 1 for i, page in enumerate(pages) if page[-1] == after)
        if loop:
            index = min(index, 1)  # a broken server: page 2 again and again, with the same cursor
        page = pages[index]
        payload = anthropic_models(page)
        payload["has_more"] = loop or index < len(pages) - 1
        return Response(json.dumps(payload), status=200, content_type="application/json")

    server.expect_request("/v1/models").respond_with_handler(handler)


def _anthropic_provider(server: HTTPServer, ids: list[str]) -> dict[str, Any]:
    return {
        "baseUrl": server.url_for("/"),
        "apiKey": "LOCAL_KEY",
        "api": "anthropic-messages",
        "models": [{"id": model_id} for model_id in ids],
    }


def test_paged_anthropic_list_is_read_until_every_configured_id_is_found(
    run_cli: Run, workdir: Path, httpserver: HTTPServer
) -> None:
    _serve_anthropic_pages(httpserver, [["a1", "a2"], ["b1", "b2"], ["c1", "c2"]])
    path = _write(workdir, {"mm": _anthropic_provider(httpserver, ["a1", "b2"])})
    code, record, _ = _ping(run_cli, path)
    endpoint = _endpoint(record, "mm")
    assert (code, endpoint["status"], endpoint["present"]) == (0, "ok", ["a1", "b2"])
    assert endpoint["morePages"] is True  # the third page was not needed, so it was not asked for
    queries = [request.args.to_dict() for request, _ in httpserver.log]
    assert queries == [{"limit": "1000"}, {"limit": "1000", "after_id": "a2"}]


def test_an_id_absent_from_every_page_is_missing(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    _serve_anthropic_pages(httpserver, [["a1"], ["b1"], ["c1"]])
    path = _write(workdir, {"mm": _anthropic_provider(httpserver, ["a1", "c2"])})
    code, record, _ = _ping(run_cli, path)
    endpoint = _endpoint(record, "mm")
    assert (code, endpoint["status"], endpoint["listed"], endpoint["morePages"]) == (
        1,
        "missing-models",
        3,
        False,
    )
    assert [item["id"] for item in endpoint["missing"]] == ["c2"]


def test_a_looping_cursor_ends_the_walk_unchecked(
    run_cli: Run, workdir: Path, httpserver: HTTPServer
) -> None:
    _serve_anthropic_pages(httpserver, [["a1"], ["b1"]], loop=True)
    path = _write(workdir, {"mm": _anthropic_provider(httpserver, ["zz"])})
    code, record, _ = _ping(run_cli, path)
    endpoint = _endpoint(record, "mm")
    assert (code, endpoint["status"], endpoint["morePages"], endpoint["missing"]) == (0, "ok", True, [])
    assert len(httpserver.log) == 3  # first page, page 2, page 2 again: its cursor was seen, stop


def test_a_failing_later_page_leaves_the_rest_unchecked(
    run_cli: Run, workdir: Path, httpserver: HTTPServer
) -> None:
    first = {"models": [{"name": "models/g1"}], "nextPageToken": "t/2 &x=1"}
    httpserver.expect_request("/v1beta/models", query_string={"pageSize": "1000"}).respond_with_json(first)
    httpserver.expect_request("/v1beta/models").respond_with_data("oops", status=500)
    provider = {
        "baseUrl": httpserver.url_for("/v1beta"),
        "apiKey": "LOCAL_KEY",
        "api": "google-generative-ai",
        "models": [{"id": "g1"}, {"id": "g9"}],
    }
    code, record, _ = _ping(run_cli, _write(workdir, {"gg": provider}))
    endpoint = _endpoint(record, "gg")
    assert (code, endpoint["status"], endpoint["present"], endpoint["morePages"]) == (0, "ok", ["g1"], True)
    assert "more pages than were read" in endpoint["detail"]
    [_, (second, _)] = httpserver.log
    assert second.args.to_dict() == {"pageSize": "1000", "pageToken": "t/2 &x=1"}  # encoded, not spliced


def test_google_pages_are_followed(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    def handler(request: Request) -> Response:
        token = request.args.get("pageToken")
        payload: dict[str, Any] = {"models": [{"name": f"models/{token or 'g0'}"}]}
        if token is None:
            payload["nextPageToken"] = "g1"
        return Response(json.dumps(payload), status=200, content_type="application/json")

    httpserver.expect_request("/v1beta/models").respond_with_handler(handler)
    provider = {
        "baseUrl": httpserver.url_for("/v1beta"),
        "apiKey": "LOCAL_KEY",
        "api": "google-generative-ai",
        "models": [{"id": "g1"}],
    }
    code, record, _ = _ping(run_cli, _write(workdir, {"gg": provider}))
    endpoint = _endpoint(record, "gg")
    assert (code, endpoint["status"], endpoint["present"], endpoint["morePages"]) == (0, "ok", ["g1"], False)
