"""Server kinds and fact sources of ``add-provider --discover`` (LiteLLM, LM Studio, the upstream
cache), and what discovery does with hostile or redirecting servers."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from provider_servers import PLANTED_KEY, ollama_show, ollama_tags, openai_models, serve_json
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from catalogmgr.documents import parse_document
from catalogmgr.upstream.cache import ListingCache, default_cache_dir
from catalogmgr.upstream.openrouter import DEFAULT_URL as OPENROUTER_URL

Run = Callable[..., Any]
OPENROUTER_FIXTURE = (
    Path(__file__).resolve().parent.parent / "upstream" / "fixtures" / "openrouter-small.json"
)


def _entry(stdout: str, name: str) -> dict[str, Any]:
    document = parse_document(stdout, name="<stdout>", fmt="yaml").data
    return dict(document["providers"][name])


def _models(stdout: str, name: str) -> dict[str, dict[str, Any]]:
    return {model["id"]: model for model in _entry(stdout, name)["models"]}


# LiteLLM proxy docs, "Model Management" (GET /model/info): one row per deployment.
LITELLM_INFO = {
    "data": [
        {
            "model_name": "gpt-4o",
            "litellm_params": {"model": "openai/gpt-4o"},
            "model_info": {
                "id": "7c3f1c2e",
                "mode": "chat",
                "max_tokens": 16384,
                "max_input_tokens": 128000,
                "max_output_tokens": 16384,
                "input_cost_per_token": 2.5e-06,
                "output_cost_per_token": 1e-05,
                "cache_read_input_token_cost": 1.25e-06,
                "supports_vision": True,
                "supports_reasoning": False,
            },
        },
        {
            "model_name": "moonshotai/kimi-k3",
            "litellm_params": {"model": "openrouter/moonshotai/kimi-k3"},
            "model_info": {"id": "a81b", "mode": "chat"},
        },
        {
            "model_name": "text-embedding-3-small",
            "litellm_params": {"model": "openai/text-embedding-3-small"},
            "model_info": {"id": "e1", "mode": "embedding", "max_input_tokens": 8191},
        },
    ]
}

# LM Studio REST API (beta), GET /api/v0/models.
LMSTUDIO_MODELS = {
    "object": "list",
    "data": [
        {
            "id": "qwen2-vl-7b-instruct",
            "object": "model",
            "type": "vlm",
            "publisher": "mlx-community",
            "arch": "qwen2_vl",
            "compatibility_type": "mlx",
            "quantization": "4bit",
            "state": "not-loaded",
            "max_context_length": 32768,
        },
        {
            "id": "meta-llama-3.1-8b-instruct",
            "object": "model",
            "type": "llm",
            "publisher": "lmstudio-community",
            "arch": "llama",
            "compatibility_type": "gguf",
            "quantization": "Q4_K_M",
            "state": "loaded",
            "max_context_length": 131072,
            "loaded_context_length": 8192,
        },
        {
            "id": "text-embedding-nomic-embed-text-v1.5",
            "object": "model",
            "type": "embeddings",
            "max_context_length": 2048,
        },
    ],
}


def test_litellm_prices_limits_and_the_upstream_cache(
    run_cli: Run, workdir: Path, httpserver: HTTPServer, tmp_home: Path
) -> None:
    cache = ListingCache(default_cache_dir({"XDG_CACHE_HOME": str(tmp_home / ".cache")}))
    cache.store(
        OPENROUTER_URL, OPENROUTER_FIXTURE.read_bytes(), etag=None, model_count=9, now=datetime.now(UTC)
    )
    httpserver.no_handler_status_code = 404
    serve_json(httpserver, "/model/info", LITELLM_INFO, key=PLANTED_KEY)
    result = run_cli(
        "add-provider",
        "gw",
        "--discover",
        httpserver.url_for("/"),
        "--key-env",
        "GW_KEY",
        env={"GW_KEY": PLANTED_KEY},
    )
    assert result.exit_code == 0, result.stderr
    assert PLANTED_KEY not in result.stdout + result.stderr
    assert "kind litellm" in result.stderr
    models = _models(result.stdout, "gw")
    assert list(models) == ["gpt-4o", "moonshotai/kimi-k3"]  # the embedding model is left out
    assert models["gpt-4o"]["contextWindow"] == 128000
    assert models["gpt-4o"]["maxTokens"] == 16384
    assert models["gpt-4o"]["input"] == ["text", "image"]
    assert models["gpt-4o"]["cost"] == {"input": 2.5, "output": 10, "cacheRead": 1.25, "cacheWrite": 0}
    # LiteLLM says nothing about kimi-k3: OpenRouter's cached listing does.
    kimi = models["moonshotai/kimi-k3"]
    assert kimi["contextWindow"] == 262144
    assert kimi["maxTokens"] == 65536
    assert kimi["input"] == ["text", "image"]
    assert kimi["cost"] == {"input": 0.6, "output": 2.5, "cacheRead": 0.15, "cacheWrite": 0}
    assert "# facts: contextWindow, maxTokens, input, reasoning, cost: openrouter" in result.stdout
    assert _entry(result.stdout, "gw")["apiKey"] == "GW_KEY"


def test_lmstudio_loaded_context_and_vlm(run_cli: Run, workdir: Path, httpserver: HTTPServer) -> None:
    httpserver.no_handler_status_code = 404
    serve_json(httpserver, "/api/v0/models", LMSTUDIO_MODELS)
    result = run_cli("add-provider", "lms", "--discover", httpserver.url_for("/v1"))
    assert result.exit_code == 0, result.stderr
    assert "kind lm-studio" in result.stderr
    assert "discovery: {type: lm-studio}" in result.stderr
    models = _models(result.stdout, "lms")
    assert list(models) == ["qwen2-vl-7b-instruct", "meta-llama-3.1-8b-instruct"]
    assert models["qwen2-vl-7b-instruct"]["input"] == ["text", "image"]
    assert models["meta-llama-3.1-8b-instruct"]["contextWindow"] == 8192  # what the loaded instance accepts
    assert all(model["cost"]["input"] == 0 for model in models.values())


def test_redirect_during_discovery_is_not_followed(
    run_cli: Run, workdir: Path, httpserver: HTTPServer, other_host: HTTPServer
) -> None:
    serve_json(other_host, "/v1/models", openai_models(["stolen"]))
    other_host.no_handler_status_code = 404
    httpserver.no_handler_status_code = 404
    httpserver.expect_request("/v1/models").respond_with_response(
        Response(status=307, headers={"Location": other_host.url_for("/v1/models")})
    )
    result = run_cli(
        "add-provider",
        "x",
        "--discover",
        httpserver.url_for("/"),
        "--key-env",
        "X_KEY",
        env={"X_KEY": PLANTED_KEY},
    )
    assert result.exit_code == 3
    assert "lists no models" in result.stderr
    assert other_host.log == []
    assert PLANTED_KEY not in result.stdout + result.stderr


def test_many_ollama_models_ask_show_for_the_first_ones_only(
    run_cli: Run, workdir: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("catalogmgr.providers.discover.MAX_SHOW_REQUESTS", 3)
    names = [f"model-{n}:latest" for n in range(10)]
    serve_json(httpserver, "/api/tags", ollama_tags(names))
    shows: list[str] = []

    def show(request: Request) -> Response:
        shows.append(json.loads(request.data)["model"])
        return Response(json.dumps(ollama_show(4096, ["completion"])), content_type="application/json")

    httpserver.expect_request("/api/show", method="POST").respond_with_handler(show)
    result = run_cli("add-provider", "ol", "--discover", httpserver.url_for("/"))
    assert result.exit_code == 0, result.stderr
    assert shows == names[:3]
    assert "first 3 models only" in result.stderr
    models = _models(result.stdout, "ol")
    assert len(models) == 10
    assert models["model-0:latest"]["contextWindow"] == 4096
    assert models["model-9:latest"]["contextWindow"] == 128000  # not asked: OMP's discovery default


def test_all_skips_unconfigured_providers_without_keys(
    run_cli: Run, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MINIMAX_API_KEY", raising=False)
    empty = workdir / "models.yml"
    empty.write_text("providers: {}\n", encoding="utf-8")
    result = run_cli(
        "ping", "--overlay", str(empty), "--all", "--format", "json", "--provider", "minimax", env={}
    )
    record = json.loads(result.stdout)
    assert result.exit_code == 0, result.stderr
    assert {endpoint["status"] for endpoint in record["providers"][0]["endpoints"]} == {"unchecked"}
