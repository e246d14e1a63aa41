"""models.dev's catalog (``GET https://models.dev/api.json``): shape and field mapping.

The root maps a models.dev provider id to ``{id, name, env, npm, api?, doc, models: {id: model}}``;
a model has ``name, limit{context, output}, cost{input, output, cache_read?, cache_write?}``
(already USD per million), ``modalities{input[]}``, ``reasoning``, ``tool_call`` and an optional
``status`` (``alpha|beta|deprecated``).

Which OMP provider each models.dev provider describes is not always the same id
(``moonshotai`` -> ``moonshot``, ``togetherai`` -> ``together``...). :data:`DEFAULT_PROVIDER_MAP`
is OMP 18.2.3's own table (``MODELS_DEV_PROVIDER_DESCRIPTORS`` in pi-catalog's
``provider-models/openai-compat.ts``, printed with bun); ``--map`` overrides or extends it.
"""

from __future__ import annotations

from typing import Any

from catalogmgr.errors import UpstreamError
from catalogmgr.upstream.listing import UpstreamModel
from catalogmgr.upstream.normalize import (
    listed_prices,
    object_field,
    omp_input,
    per_million_price,
    positive_int,
)

SOURCE = "models.dev"
DEFAULT_URL = "https://models.dev/api.json"

# models.dev provider id -> OMP provider id, exactly OMP 18.2.3's descriptor table. Two models.dev
# providers may describe one OMP provider (cloudflare-ai-gateway): their models are pooled.
DEFAULT_PROVIDER_MAP: dict[str, str] = {
    "amazon-bedrock": "amazon-bedrock",
    "google-vertex": "google-vertex",
    "anthropic": "anthropic",
    "google": "google",
    "openai": "openai",
    "groq": "groq",
    "cerebras": "cerebras",
    "cline-pass": "cline-pass",
    "togetherai": "together",
    "wandb": "coreweave",
    "nvidia": "nvidia",
    "xai": "xai",
    "deepseek": "deepseek",
    "zai": "zai",
    "umans-ai": "umans",
    "xiaomi": "xiaomi",
    "minimax-coding-plan": "minimax-code",
    "minimax-cn-coding-plan": "minimax-code-cn",
    "alibaba-coding-plan": "alibaba-coding-plan",
    "zhipuai-coding-plan": "zhipu-coding-plan",
    "azure": "azure",
    "cloudflare-ai-gateway": "cloudflare-ai-gateway",
    "cloudflare-workers-ai": "cloudflare-ai-gateway",
    "mistral": "mistral",
    "opencode": "opencode-zen",
    "opencode-go": "opencode-go",
    "github-copilot": "github-copilot",
    "minimax": "minimax",
    "minimax-cn": "minimax-cn",
    "huggingface": "huggingface",
    "kilo": "kilo",
    "moonshotai": "moonshot",
    "nano-gpt": "nanogpt",
    "synthetic": "synthetic",
    "venice": "venice",
    "ollama-cloud": "ollama-cloud",
    "xiaomi-token-plan-ams": "xiaomi-token-plan-ams",
    "xiaomi-token-plan-cn": "xiaomi-token-plan-cn",
    "xiaomi-token-plan-sgp": "xiaomi-token-plan-sgp",
    "qwen-portal": "qwen-portal",
    "zenmux": "zenmux",
}

# models.dev cost key -> OMP cost field.
_PRICE_KEYS = (
    ("input", "input"),
    ("output", "output"),
    ("cacheRead", "cache_read"),
    ("cacheWrite", "cache_write"),
)


def parse_listing(payload: Any, origin: str) -> tuple[dict[str, dict[str, UpstreamModel]], list[str]]:
    """The whole models.dev payload -> ``{provider id: {model id: model}}`` plus report notes.

    Raises :class:`UpstreamError` when the root is not a provider map at all; a provider entry
    without a ``models`` map is skipped and counted in a note.
    """
    if not isinstance(payload, dict):
        raise UpstreamError(
            f"{origin}: unexpected response shape:"
            f" expected an object of providers, got {type(payload).__name__}"
        )
    providers: dict[str, dict[str, UpstreamModel]] = {}
    skipped = 0
    for provider_id, provider in payload.items():
        if not isinstance(provider, dict) or not isinstance(provider.get("models"), dict):
            skipped += 1
            continue
        models: dict[str, UpstreamModel] = {}
        for key, raw in provider["models"].items():
            if not isinstance(raw, dict):
                continue
            model_id = raw.get("id") if isinstance(raw.get("id"), str) and raw["id"].strip() else key
            models[str(model_id).strip()] = parse_model(str(model_id).strip(), raw)
        providers[str(provider_id)] = models
    if not providers:
        raise UpstreamError(
            f"{origin}: unexpected response shape:"
            " no provider has a `models` map (is this models.dev's api.json?)"
        )
    notes = (
        [f"{skipped} models.dev entr{'y' if skipped == 1 else 'ies'} without `models` skipped"]
        if skipped
        else []
    )
    return providers, notes


def parse_model(model_id: str, raw: dict[str, Any]) -> UpstreamModel:
    """One models.dev model, normalised."""
    cost_block = object_field(raw, "cost")
    cost = listed_prices(cost_block, _PRICE_KEYS, per_million_price)
    limit = object_field(raw, "limit")
    modalities = object_field(raw, "modalities")
    name = raw.get("name")
    reasoning = raw.get("reasoning")
    tools = raw.get("tool_call")
    return UpstreamModel(
        id=model_id,
        name=name.strip() if isinstance(name, str) and name.strip() else None,
        context_window=positive_int(limit.get("context")),
        max_tokens=positive_int(limit.get("output")),
        cost=cost,
        input=omp_input(modalities.get("input")),
        reasoning=reasoning if isinstance(reasoning, bool) else None,
        supports_tools=tools if isinstance(tools, bool) else None,
        deprecated=raw.get("status") == "deprecated",
    )


def model_count(payload: Any) -> int:
    """How many models a raw payload lists (for the shrink guard, before full parsing)."""
    if not isinstance(payload, dict):
        return 0
    return sum(
        len(provider["models"])
        for provider in payload.values()
        if isinstance(provider, dict) and isinstance(provider.get("models"), dict)
    )
