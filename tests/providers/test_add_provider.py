"""``catalogmgr add-provider --discover`` against loopback servers shaped like the real ones."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from provider_servers import (
    PLANTED_KEY,
    llamacpp_models,
    llamacpp_props,
    ollama_show,
    ollama_tags,
    openai_models,
    serve_json,
)
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

Run = Callable[..., Any]


def _ollama(httpserver: HTTPServer) -> None:
    httpserver.no_handler_status_code = 404
    serve_json(httpserver, "/api/tags", ollama_tags(["llama3.2:latest", "qwen3:8b", "llava:7b"]))
    shows = {
        "llama3.2:latest": ollama_show(131072, ["completion", "tools"]),
        "qwen3:8b": ollama_show(40960, ["completion", "tools", "thinking"]),
        "llava:7b": ollama_show(32768, ["completion", "vision"]),
    }

    def show(request: Request) -> Response:
        model = json.loads(request.data)["model"]
        return Response(json.dumps(shows[model]), content_type="application/json")

    httpserver.expect_request("/api/show", method="POST").respond_with_handler(show)


def _openai(httpserver: HTTPServer, key: str | None = None) -> None:
    httpserver.no_handler_status_code = 404
    payload = openai_models(["qwen3-8b", "Meta-Llama-3.1-8B-Instruct"])
    payload["data"][0]["max_model_len"] = 32768  # vLLM's field
    serve_json(httpserver, "/v1/models", payload, key=key)


def _list(run_cli: Run, path: Path, provider: str) -> dict[str, dict[str, Any]]:
    result = run_cli("merge", "--overlay", str(path), "--compact")
    assert result.exit_code == 0, result.stderr
    catalog = json.loads(result.stdout)
    return dict(catalog.get(provider, {}))


def test_ollama_written_entry_validates_merges_and_lists_the_server(
    run_cli: Run, workdir: Path, httpserver: HTTPServer
) -> None:
    _ollama(httpserver)
    target = workdir / "models.yml"
    target.write_text(
        "# my providers\nproviders:\n  other:\n    baseUrl: https://x.test/v1  # keep me\n"
        "    apiKey: X_KEY\n    api: openai-completions\n    models:\n      - id: m\n",
        encoding="utf-8",
    )
    # Not "local": from pi-catalog 18.2.11 (the 18.2.9/18.3 profiles) that id is OMP's own provider
    # of tiny local models, whose rules make `qwen*` a "tiny" model that getAll() does not list.
    result = run_cli("add-provider", "homelab", "--discover", httpserver.url_for("/"), "--write", str(target))
    assert result.exit_code == 0, result.stderr
    assert "kind ollama, serving 3 model(s)" in result.stderr
    assert "discovery: {type: ollama}" in result.stderr  # the offer, with why
    text = target.read_text(encoding="utf-8")
    assert "# my providers" in text
    assert "# keep me" in text
    assert run_cli("validate", str(target)).exit_code == 0
    models = _list(run_cli, target, "homelab")
    assert list(models) == ["llama3.2:latest", "qwen3:8b", "llava:7b"]
    assert models["qwen3:8b"]["contextWindow"] == 40960
    assert models["qwen3:8b"]["reasoning"] is True
    assert models["llava:7b"]["input"] == ["text", "image"]
    assert models["llama3.2:latest"]["contextWindow"] == 131072
    assert models["llama3.2:latest"]["maxTokens"] <= 131072
    assert all(
        model["cost"] == {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0}
        for model in models.values()
    )
    assert all(model["baseUrl"] == httpserver.url_for("/v1") for model in models.values())


def test_openai_server_with_key(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    _openai(httpserver, key=PLANTED_KEY)
    target = workdir / "models.yml"
    result = run_cli(
        "add-provider",
        "vllm",
        "--discover",
        httpserver.url_for("/v1"),
        "--key-env",
        "VLLM_KEY",
        "--write",
        str(target),
        env={"VLLM_KEY": PLANTED_KEY},
    )
    assert result.exit_code == 0, result.stderr
    assert PLANTED_KEY not in result.stdout + result.stderr + target.read_text(encoding="utf-8")
    assert "apiKey: VLLM_KEY" in target.read_text(encoding="utf-8")
    models = _list(run_cli, target, "vllm")
    assert list(models) == ["qwen3-8b", "Meta-Llama-3.1-8B-Instruct"]
    assert models["qwen3-8b"]["contextWindow"] == 32768


def test_wrong_key_is_exit_3(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    _openai(httpserver, key="the-right-one-000000000")
    result = run_cli(
        "add-provider",
        "vllm",
        "--discover",
        httpserver.url_for("/v1"),
        "--key-env",
        "VLLM_KEY",
        env={"VLLM_KEY": PLANTED_KEY},
    )
    assert result.exit_code == 3
    assert "401 Unauthorized" in result.stderr
    assert "refuses the key" in result.stderr
    assert PLANTED_KEY not in result.stdout + result.stderr
    result = run_cli("add-provider", "vllm", "--discover", httpserver.url_for("/v1"))
    assert result.exit_code == 3
    assert "--key-env" in result.stderr


def test_llamacpp_props_context(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    httpserver.no_handler_status_code = 404
    serve_json(httpserver, "/props", llamacpp_props(8192))
    serve_json(httpserver, "/v1/models", llamacpp_models(["gemma-3-4b-it-Q4_K_M.gguf"]))
    result = run_cli("add-provider", "lcpp", "--discover", httpserver.url_for("/"))
    assert result.exit_code == 0, result.stderr
    assert "kind llama.cpp" in result.stderr
    assert "contextWindow: 8192" in result.stdout
    assert "maxTokens: 8192" in result.stdout  # capped at the runtime window


def test_use_discovery_writes_the_block(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    _ollama(httpserver)
    target = workdir / "models.yml"
    result = run_cli(
        "add-provider", "ol", "--discover", httpserver.url_for("/"), "--use-discovery", "--write", str(target)
    )
    assert result.exit_code == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    assert "discovery:" in text
    assert "type: ollama" in text
    assert "models:" not in text
    assert run_cli("validate", str(target)).exit_code == 0


def test_existing_provider_is_not_overwritten(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    _openai(httpserver)
    target = workdir / "models.yml"
    original = (
        "providers:\n  vllm:\n    baseUrl: http://old.test/v1\n    apiKey: K\n"
        "    api: openai-completions\n    models:\n      - id: a\n"
    )
    target.write_text(original, encoding="utf-8")
    result = run_cli("add-provider", "vllm", "--discover", httpserver.url_for("/v1"), "--write", str(target))
    assert result.exit_code == 3
    assert "--replace" in result.stderr
    assert target.read_text(encoding="utf-8") == original
    result = run_cli(
        "add-provider", "vllm", "--discover", httpserver.url_for("/v1"), "--write", str(target), "--replace"
    )
    assert result.exit_code == 0, result.stderr
    assert list(_list(run_cli, target, "vllm")) == ["qwen3-8b", "Meta-Llama-3.1-8B-Instruct"]


def test_nothing_listens_is_exit_3(run_cli: Run, workdir: Path) -> None:
    result = run_cli("add-provider", "x", "--discover", "http://127.0.0.1:9/")
    assert result.exit_code == 3
    assert "refused" in result.stderr


def test_hostile_ids_are_escaped_and_too_long_ones_dropped(
    run_cli: Run, workdir: Path, httpserver: HTTPServer
) -> None:
    httpserver.no_handler_status_code = 404
    serve_json(
        httpserver, "/v1/models", openai_models(["ok-model", "x" * 5000, "\x1b]0;pwned\x07", "a\nb: c"])
    )
    target = workdir / "models.yml"
    result = run_cli("add-provider", "h", "--discover", httpserver.url_for("/"), "--write", str(target))
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout + result.stderr
    models = _list(run_cli, target, "h")
    assert "ok-model" in models
    assert "x" * 5000 not in models
    assert "a\nb: c" in models  # quoted correctly: the id survives exactly, no key injected


def test_a_key_http_cannot_carry_is_a_usage_error(
    run_cli: Run, workdir: Path, httpserver: HTTPServer
) -> None:
    _openai(httpserver)
    result = run_cli(
        "add-provider",
        "v",
        "--discover",
        httpserver.url_for("/v1"),
        "--key-env",
        "V_KEY",
        env={"V_KEY": f"{PLANTED_KEY}\n"},
    )
    assert result.exit_code == 2
    assert PLANTED_KEY not in result.stdout + result.stderr
    assert httpserver.log == []


@pytest.mark.parametrize("name", ["openai", "", "bad\x1bname"])
def test_bundled_or_unprintable_names_are_refused(run_cli: Run, workdir: Path, name: str) -> None:
    result = run_cli("add-provider", name, "--discover", "http://127.0.0.1:9/")
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr


@pytest.mark.parametrize(
    "original",
    [
        "providers:\n  a: [unclosed\n",  # not YAML
        "a: &a [1, *a]\n",  # a recursive alias ruamel.yaml would silently rewrite
        "- just\n- a list\n",  # not a mapping
        "providers: 3\n",  # providers is not a mapping
    ],
)
def test_a_file_that_cannot_be_edited_is_left_alone(
    run_cli: Run, workdir: Path, httpserver: HTTPServer, original: str
) -> None:
    _openai(httpserver)
    target = workdir / "models.yml"
    target.write_text(original, encoding="utf-8")
    result = run_cli(
        "add-provider",
        "v",
        "--discover",
        httpserver.url_for("/v1"),
        "--write",
        str(target),
        "--no-default-overlay",
    )
    assert result.exit_code == 3, result.stderr
    assert target.read_text(encoding="utf-8") == original


def test_nothing_is_written_when_the_result_would_not_validate(
    run_cli: Run, workdir: Path, httpserver: HTTPServer
) -> None:
    _openai(httpserver)
    target = workdir / "models.yml"
    # Already broken for OMP: custom models without a baseUrl (OMP would drop the whole file).
    original = (
        "providers:\n  other:\n    apiKey: K\n    api: openai-completions\n    models:\n      - id: m\n"
    )
    target.write_text(original, encoding="utf-8")
    result = run_cli(
        "add-provider",
        "v",
        "--discover",
        httpserver.url_for("/v1"),
        "--write",
        str(target),
        "--no-default-overlay",
    )
    assert result.exit_code == 3
    assert "would not validate" in result.stderr
    assert "baseUrl" in result.stderr  # the located reason
    assert target.read_text(encoding="utf-8") == original
