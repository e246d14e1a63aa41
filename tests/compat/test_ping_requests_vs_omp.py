"""Differential: the credential headers and server root `catalogmgr ping` uses are OMP 18.2.3's own.

For each api ping covers, a models.yml is loaded by the real OMP (``omp_provider_requests.ts``: its
``ModelRegistry``, ``getApiKey`` and pi-ai's ``stream()``, with a fetch that records the first chat
request and never reaches a network) and by catalogmgr (merge, :func:`plan_pings`, the model-list
route). The two requests must carry the same credential headers (``Authorization``, ``X-Api-Key``,
``x-goog-api-key``, ``anthropic-version`` and every configured header) with the same values, and
ping's model-list URL must sit on the same root as OMP's chat URL. For discovery-only providers
ping's request must be one OMP's own discovery sends, with the same credential headers. One bun
process runs every case of the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from omp import OmpInstall
from omp_requests import run_omp_requests

from catalogmgr.catalog import load_base_catalog
from catalogmgr.documents import parse_document
from catalogmgr.merge import Layer, merge_catalog
from catalogmgr.providers.ping import route_for
from catalogmgr.providers.plan import plan_pings

SCRIPT = Path(__file__).with_name("omp_provider_requests.ts")
KEY = "sk-test-0123456789abcdef0123456789"
TEAM = "team-value-42"
ENV = {"CM_TEST_KEY": KEY, "CM_TEAM": TEAM}
CREDENTIAL_HEADERS = {"authorization", "x-api-key", "x-goog-api-key", "anthropic-version"}

# OMP's chat path per api (what follows the root in the URL it sends) and ping's list path.
CHAT_SUFFIX = {
    "openai-completions": "/chat/completions",
    "openai-responses": "/responses",
    "anthropic-messages": "/v1/messages",
    "google-generative-ai": "/models/",
}
LIST_SUFFIX = {
    "openai-completions": "/models",
    "openai-responses": "/models",
    "anthropic-messages": "/v1/models",
    "google-generative-ai": "/models",
}


def _custom(api: str, base_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "baseUrl": base_url,
        "apiKey": "CM_TEST_KEY",
        "api": api,
        "models": [{"id": "probe-model"}],
        **extra,
    }


CASES: dict[str, tuple[dict[str, Any], str, str]] = {
    "openai-completions": (
        {"local": _custom("openai-completions", "http://127.0.0.1:9/v1", headers={"X-Team": "CM_TEAM"})},
        "local",
        "probe-model",
    ),
    "openai-completions-authHeader": (
        {"local": _custom("openai-completions", "https://llm.example.test/v1", authHeader=True)},
        "local",
        "probe-model",
    ),
    "openai-responses": (
        {"resp": _custom("openai-responses", "https://llm.example.test/v1")},
        "resp",
        "probe-model",
    ),
    "anthropic-messages-third-party": (
        {"mm": _custom("anthropic-messages", "https://api.minimaxi.com/anthropic")},
        "mm",
        "probe-model",
    ),
    # A custom model of this api is OAuth-shaped by OMP (Authorization), even on the official host...
    "anthropic-messages-custom-official": (
        {"ac": _custom("anthropic-messages", "https://api.anthropic.com")},
        "ac",
        "probe-model",
    ),
    # ... unless its provider sets `auth: apiKey`: then X-Api-Key.
    "anthropic-messages-custom-official-auth": (
        {"ak": _custom("anthropic-messages", "https://api.anthropic.com", auth="apiKey")},
        "ak",
        "probe-model",
    ),
    "google-generative-ai": (
        {"gem": _custom("google-generative-ai", "https://generativelanguage.googleapis.com/v1beta")},
        "gem",
        "probe-model",
    ),
}


def _discovery(kind: str, base_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "baseUrl": base_url,
        "apiKey": "CM_TEST_KEY",
        "api": "openai-completions",
        "headers": {"X-Team": "CM_TEAM"},
        "discovery": {"type": kind, **extra},
    }


# Discovery-only providers: OMP lists their models itself (model-discovery.ts); ping's list request
# must be one of the requests OMP's discovery sends, with the same credential headers.
DISCOVERY_CASES: dict[str, tuple[dict[str, Any], str, str]] = {
    "discovery-ollama": ({"ol": _discovery("ollama", "http://127.0.0.1:18101/v1")}, "ol", ""),
    "discovery-llama.cpp": ({"lc": _discovery("llama.cpp", "http://127.0.0.1:18102")}, "lc", ""),
    "discovery-llama.cpp-placeholder-key": (
        {"lp": {**_discovery("llama.cpp", "http://127.0.0.1:18103"), "apiKey": "llama-cpp-local"}},
        "lp",
        "",
    ),
    "discovery-lm-studio": ({"lm": _discovery("lm-studio", "http://127.0.0.1:18104")}, "lm", ""),
    "discovery-openai-models-list": (
        {"om": _discovery("openai-models-list", "https://gw.example.test/v3/compat", injectV1=False)},
        "om",
        "",
    ),
    "discovery-litellm": ({"ll": _discovery("litellm", "http://127.0.0.1:18106/v1")}, "ll", ""),
}


def _omp_requests(
    install: OmpInstall, cases: dict[str, tuple[dict[str, Any], str, str]], tmp: Path
) -> dict[str, Any]:
    jobs = {
        name: {
            "providers": providers,
            "provider": provider,
            "model": model,
            "env": ENV,
            "mode": "discovery" if name.startswith("discovery-") else "chat",
        }
        for name, (providers, provider, model) in cases.items()
    }
    return run_omp_requests(install, jobs, tmp)


def _ours(base: Any, providers: dict[str, Any], provider: str, model: str) -> tuple[str, str, dict[str, str]]:
    text = json.dumps({"providers": providers})
    document = parse_document(text, name="models.yml", fmt="yaml")
    layers = [Layer("models.yml", document.data, document)]
    catalog = merge_catalog(base.catalog, layers, base_name=base.source).catalog
    [plan] = plan_pings(catalog, layers, ENV, providers=[provider])
    [endpoint] = [endpoint for endpoint in plan.endpoints if not model or model in endpoint.model_ids]
    route = route_for(plan, endpoint)
    return endpoint.api, route.url, {name.lower(): value for name, value in route.headers.items()}


@pytest.fixture(scope="module")
def omp_answers(omp_install: OmpInstall, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """OMP's requests for every case of this file, from one bun process."""
    return _omp_requests(omp_install, {**CASES, **DISCOVERY_CASES}, tmp_path_factory.mktemp("omp-requests"))


@pytest.fixture(scope="module")
def base_catalog(omp_install: OmpInstall) -> Any:
    return load_base_catalog(str(omp_install.catalog_path))


def test_ping_sends_what_omp_sends(omp_answers: dict[str, Any], base_catalog: Any) -> None:
    cases = dict(CASES)
    omp = omp_answers
    base = base_catalog
    failures: list[str] = []
    for name, (providers, provider, model) in cases.items():
        result = omp[name]
        if result["error"] or not result["requests"]:
            failures.append(f"{name}: OMP sent nothing ({result['error']})")
            continue
        sent = result["requests"][0]
        api, url, headers = _ours(base, providers, provider, model)
        configured = {
            header.lower() for config in providers.values() for header in (config.get("headers") or {})
        }
        for header in sorted(CREDENTIAL_HEADERS | configured):
            if headers.get(header) != sent["headers"].get(header):
                failures.append(
                    f"{name}: header {header}: ping={'set' if header in headers else 'absent'}"
                    f" omp={'set' if header in sent['headers'] else 'absent'}"
                    f"{' (values differ)' if header in headers and header in sent['headers'] else ''}"
                )
        root = sent["url"].split("?")[0]
        root = root[: root.index(CHAT_SUFFIX[api])] if CHAT_SUFFIX[api] in root else root
        if url != root + LIST_SUFFIX[api]:
            failures.append(f"{name}: ping lists at {url}, OMP chats at {sent['url']}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", sorted(CASES))
def test_cases_are_valid_for_catalogmgr(name: str) -> None:
    providers, provider, _ = CASES[name]
    document = parse_document(json.dumps({"providers": providers}), name="m.yml", fmt="yaml")
    assert provider in document.data["providers"]


def test_ping_lists_where_omp_discovers(omp_answers: dict[str, Any], base_catalog: Any) -> None:
    omp = omp_answers
    base = base_catalog
    failures: list[str] = []
    for name, (providers, provider, model) in DISCOVERY_CASES.items():
        result = omp[name]
        _, url, headers = _ours(base, providers, provider, model)
        matching = [request for request in result["requests"] if request["url"] == url]
        if not matching:
            seen = sorted({request["url"] for request in result["requests"]})
            failures.append(f"{name}: OMP's discovery never requests {url} (it requests {seen})")
            continue
        sent = matching[0]["headers"]
        for header in sorted(CREDENTIAL_HEADERS | {"x-team"}):
            if headers.get(header) != sent.get(header):
                failures.append(
                    f"{name}: header {header}: ping={'set' if header in headers else 'absent'}"
                    f" omp={'set' if header in sent else 'absent'}"
                )
    assert not failures, "\n".join(failures)
