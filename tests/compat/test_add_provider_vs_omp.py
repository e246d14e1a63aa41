"""Differential: the entry ``add-provider --discover`` writes is accepted by OMP 18.2.3 as written.

Entries are built from server answers shaped like Ollama's, llama.cpp's, LiteLLM's and a vLLM's
(the same shapes as ``tests/providers/provider_servers.py``, reduced to what discovery keeps),
written into an existing models.yml, and loaded by the real OMP (one bun batch): OMP must accept
the file and list exactly the discovered models, each with the context window, output limit,
input, reasoning and prices the entry says (so the facts the server reported reach OMP unchanged).
The ``discovery:`` variant must be accepted too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from omp import OmpProbe

from catalogmgr.catalog import load_base_catalog
from catalogmgr.omp.reference import build_reference_index
from catalogmgr.providers.discover import Discovered, ServerModel
from catalogmgr.providers.entry import UpstreamFacts, build_provider_entry, write_entry

EXISTING = """# my models
providers:
  other:
    baseUrl: https://llm.example.test/v1  # a comment to keep
    apiKey: OTHER_KEY
    api: openai-completions
    models:
      - id: house-model
"""

SERVERS = {
    "ollama-box": Discovered(
        "ollama",
        "http://127.0.0.1:11434/v1",
        (
            ServerModel(
                "llama3.2:latest",
                name="llama3.2:latest",
                context_window=131072,
                input=("text",),
                reasoning=False,
            ),
            ServerModel("qwen3:8b", name="qwen3:8b", context_window=40960, input=("text",), reasoning=True),
            ServerModel(
                "llava:7b", name="llava:7b", context_window=32768, input=("text", "image"), reasoning=False
            ),
        ),
    ),
    "lcpp": Discovered(
        "llama.cpp",
        "http://127.0.0.1:8080/v1",
        (ServerModel("gemma-3-4b-it-Q4_K_M.gguf", context_window=8192),),
    ),
    "gateway": Discovered(
        "litellm",
        "http://10.0.0.5:4000/v1",
        (
            ServerModel(
                "gpt-4o",
                context_window=128000,
                max_tokens=16384,
                input=("text", "image"),
                reasoning=False,
                cost={"input": 2.5, "output": 10.0, "cacheRead": 1.25},
            ),
        ),
    ),
    "vllm": Discovered(
        "openai", "http://127.0.0.1:8000/v1", (ServerModel("Qwen/Qwen3-8B", context_window=32768),)
    ),
}

COMPARED = ("contextWindow", "maxTokens", "input", "reasoning", "cost")


def _entries(probe: OmpProbe) -> dict[str, tuple[str, Any]]:
    base = load_base_catalog(str(probe.install.catalog_path))
    references = build_reference_index(base.catalog)
    texts: dict[str, tuple[str, Any]] = {}
    for name, discovered in SERVERS.items():
        for use_discovery in (False, True):
            entry = build_provider_entry(
                name,
                discovered,
                api="openai-completions",
                key_env="GATEWAY_KEY" if name == "gateway" else None,
                local=name != "gateway",
                upstream=UpstreamFacts(),
                references=references,
                use_discovery=use_discovery,
            )
            texts[f"{name}{'-discovery' if use_discovery else ''}"] = (
                write_entry(EXISTING, entry, replace=False, name="m.yml"),
                entry,
            )
    return texts


def test_written_entries_load_in_omp_with_their_facts(omp_probe: OmpProbe) -> None:
    entries = _entries(omp_probe)
    results = omp_probe.results({key: text for key, (text, _) in entries.items()})
    failures: list[str] = []
    for key, (_text, entry) in entries.items():
        result = results[key]
        if not result.accepted:
            failures.append(f"{key}: OMP rejects the file: {result.error}")
            continue
        if not entry.models:
            continue  # the discovery variant: accepted is the claim (OMP lists nothing offline)
        rows = {
            model_id: row for (provider, model_id), row in result.changed.items() if provider == entry.name
        }
        wanted = [model.definition["id"] for model in entry.models]
        if list(rows) != wanted:
            failures.append(f"{key}: OMP lists {list(rows)}, the entry {wanted}")
            continue
        for model in entry.models:
            row = rows[model.definition["id"]]
            for field in COMPARED:
                if row.get(field) != model.definition[field]:
                    failures.append(
                        f"{key}: {model.definition['id']}: {field}:"
                        f" entry={model.definition[field]!r} omp={row.get(field)!r}"
                    )
        if "other" not in {provider for provider, _ in result.changed}:
            failures.append(f"{key}: the existing provider was lost")
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------------------------
# The facts themselves: what add-provider reads from a server equals what OMP's own discovery
# reads from the same answers (served to both from memory: no socket at all).

OLLAMA = "http://127.0.0.1:18201"
LLAMACPP = "http://127.0.0.1:18202"
LMSTUDIO = "http://127.0.0.1:18203"
VLLM = "http://127.0.0.1:18204"


def _show(context: int, capabilities: list[str]) -> dict[str, Any]:
    return {
        "parameters": 'stop "<|eot_id|>"',
        "model_info": {"general.architecture": "llama", "llama.context_length": context},
        "capabilities": capabilities,
    }


def _tag(name: str) -> dict[str, Any]:
    return {"name": name, "model": name, "size": 1, "details": {"format": "gguf", "family": "llama"}}


def _list(ids: list[str], **extra: Any) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": i, "object": "model", "owned_by": "me", **extra} for i in ids]}


LLAMACPP_MODELS = {
    "object": "list",
    "data": [{"id": "gemma-3-4b-it-Q4_K_M.gguf", "object": "model", "meta": {"n_ctx_train": 131072}}],
}

FACT_CASES: dict[str, dict[str, Any]] = {
    "ollama": {
        "config": {
            "baseUrl": OLLAMA,
            "api": "openai-completions",
            "auth": "none",
            "discovery": {"type": "ollama"},
        },
        "url": OLLAMA,
        "answers": {
            f"{OLLAMA}/api/tags": {"models": [_tag("llama3.2:latest"), _tag("qwen3:8b"), _tag("llava:7b")]},
            f"{OLLAMA}/api/show#llama3.2:latest": _show(131072, ["completion", "tools"]),
            f"{OLLAMA}/api/show#qwen3:8b": _show(40960, ["completion", "tools", "thinking"]),
            f"{OLLAMA}/api/show#llava:7b": _show(32768, ["completion", "vision"]),
        },
    },
    "llama.cpp": {
        "config": {
            "baseUrl": LLAMACPP,
            "api": "openai-completions",
            "auth": "none",
            "discovery": {"type": "llama.cpp"},
        },
        "url": LLAMACPP,
        "answers": {
            f"{LLAMACPP}/props": {
                "default_generation_settings": {"n_ctx": 8192, "params": {"n_predict": -1}},
                "modalities": {"vision": False},
            },
            f"{LLAMACPP}/models": LLAMACPP_MODELS,  # what OMP asks (the native route)
            f"{LLAMACPP}/v1/models": LLAMACPP_MODELS,  # what add-provider asks (the same list)
        },
    },
    "lm-studio": {
        "config": {
            "baseUrl": f"{LMSTUDIO}/v1",
            "api": "openai-completions",
            "auth": "none",
            "discovery": {"type": "lm-studio"},
        },
        "url": LMSTUDIO,
        "answers": {
            f"{LMSTUDIO}/v1/models": _list(["qwen2-vl-7b-instruct", "meta-llama-3.1-8b-instruct"]),
            f"{LMSTUDIO}/api/v0/models": {
                "data": [
                    {
                        "id": "qwen2-vl-7b-instruct",
                        "type": "vlm",
                        "state": "not-loaded",
                        "max_context_length": 32768,
                    },
                    {
                        "id": "meta-llama-3.1-8b-instruct",
                        "type": "llm",
                        "state": "loaded",
                        "max_context_length": 131072,
                        "loaded_context_length": 8192,
                    },
                ]
            },
        },
    },
    "openai-models-list": {
        "config": {
            "baseUrl": f"{VLLM}/v1",
            "api": "openai-completions",
            "auth": "none",
            "discovery": {"type": "openai-models-list"},
        },
        "url": VLLM,
        "answers": {f"{VLLM}/v1/models": _list(["Qwen/Qwen3-8B", "house-model-7b"], max_model_len=32768)},
    },
}

FACT_FIELDS = ("baseUrl", "contextWindow", "maxTokens", "input", "reasoning")


class _Canned:
    """An Exchanger serving the same canned answers (404 for anything else)."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers

    def exchange(self, method: str, url: str, **kwargs: Any) -> Any:
        from catalogmgr.upstream.http import Exchange

        body = kwargs.get("json_body")
        model = body.get("model", "") if isinstance(body, dict) else ""
        answer = self.answers.get(f"{url}#{model}", self.answers.get(url))
        if answer is None:
            return Exchange(url, 404, "Not Found", b"{}", "application/json", None)
        return Exchange(url, 200, "OK", json.dumps(answer).encode(), "application/json", None)


def test_discovered_facts_match_omps_discovery(omp_install: Any, tmp_path: Path) -> None:
    from omp_requests import run_omp_requests

    from catalogmgr.providers.discover import discover_server

    cases = {
        name: {
            "providers": {"disc": case["config"]},
            "provider": "disc",
            "mode": "discovery",
            "answers": case["answers"],
        }
        for name, case in FACT_CASES.items()
    }
    omp = run_omp_requests(omp_install, cases, tmp_path)
    base = load_base_catalog(str(omp_install.catalog_path))
    references = build_reference_index(base.catalog)
    failures: list[str] = []
    for name, case in FACT_CASES.items():
        theirs = {row["id"]: row for row in omp[name]["models"]}
        discovered = discover_server(case["url"], _Canned(case["answers"]))
        entry = build_provider_entry(
            "disc",
            discovered,
            api="openai-completions",
            key_env=None,
            local=True,
            upstream=UpstreamFacts(),
            references=references,
        )
        ours = {
            model.definition["id"]: {**model.definition, "baseUrl": entry.entry["baseUrl"]}
            for model in entry.models
        }
        if list(ours) != list(theirs):
            failures.append(f"{name}: add-provider lists {list(ours)}, OMP's discovery {list(theirs)}")
            continue
        for model_id, row in theirs.items():
            for field in FACT_FIELDS:
                if field == "baseUrl" and name == "ollama":
                    # OMP's discovered Ollama rows carry the server's origin (its discovery keeps
                    # the root); a models: entry needs the OpenAI-compatible chat root, /v1.
                    continue
                if ours[model_id][field] != row[field]:
                    failures.append(
                        f"{name}: {model_id}: {field}:"
                        f" add-provider={ours[model_id][field]!r} omp={row[field]!r}"
                    )
    assert not failures, "\n".join(failures)
