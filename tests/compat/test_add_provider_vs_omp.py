"""Differential: the entry ``add-provider --discover`` writes is accepted by OMP 18.2.3 as written.

Entries are built from server answers shaped like Ollama's, llama.cpp's, LiteLLM's and a vLLM's
(the same shapes as ``tests/providers/provider_servers.py``, reduced to what discovery keeps),
written into an existing models.yml, and loaded by the real OMP (one bun batch): OMP must accept
the file and list exactly the discovered models, each with the context window, output limit,
input, reasoning and prices the entry says (so the facts the server reported reach OMP unchanged).
The ``discovery:`` variant must be accepted too.
"""

from __future__ import annotations

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
