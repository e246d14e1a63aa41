"""Build catalogmgr's embedded default catalog from OMP's real bundled catalog.

The embedded default (``catalogmgr/data/default-catalog.json``) is the base ``catalogmgr`` falls
back on when no installed OMP is found: a curated list of the providers and models people reach
for most, with the facts of each copied from OMP's own ``models.json`` (pi-catalog 18.2.3, kept in
``../shared``, never in this repository). Only the fields in :data:`FIELDS` are kept, and only
the models in :data:`CURATED`; everything else stays out, so the file is a small curated subset,
not a copy.

Usage (from the repository root)::

    python tests/tools/curate_default_catalog.py            # rewrite the data file
    python tests/tools/curate_default_catalog.py --check    # exit 1 if the file is out of date
    python tests/tools/curate_default_catalog.py --source PATH/models.json

The source defaults to ``$CATALOGMGR_SHARED_DIR/data/omp/pi-catalog-18.2.3.models.json`` (else
``../shared/...``). Output: OMP's models.json shape, tab-indented like OMP's generator, providers
and models in the source catalog's order. tests/unit/test_default_catalog.py checks the file
against the source entry by entry.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DIR = Path(os.environ.get("CATALOGMGR_SHARED_DIR", REPO_ROOT.parent / "shared"))
SOURCE = SHARED_DIR / "data" / "omp" / "pi-catalog-18.2.3.models.json"
TARGET = REPO_ROOT / "catalogmgr" / "data" / "default-catalog.json"
SOURCE_LABEL = "@oh-my-pi/pi-catalog 18.2.3"

# The fields every model keeps (the ten the catalog schema requires, then the behaviour ones a
# request needs: thinking levels, per-endpoint compat switches, required headers).
FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "api",
    "provider",
    "baseUrl",
    "reasoning",
    "input",
    "cost",
    "contextWindow",
    "maxTokens",
    "thinking",
    "compat",
    "headers",
)

# provider -> model ids. Current flagship, coding and small models of each vendor; every MiniMax
# endpoint in full (the MiniMax-M3 scenario this project comes from layers CN baseUrls over them);
# the OpenRouter routes of the same families.
CURATED: dict[str, tuple[str, ...]] = {
    "anthropic": (
        "claude-haiku-4-5",
        "claude-opus-4-5",
        "claude-opus-4-6",
        "claude-opus-4-7",
        "claude-opus-4-8",
        "claude-opus-5",
        "claude-sonnet-4-5",
        "claude-sonnet-4-6",
        "claude-sonnet-5",
    ),
    "openai": (
        "gpt-4.1",
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-5",
        "gpt-5-mini",
        "gpt-5.1",
        "gpt-5.2",
        "gpt-5.3-codex",
        "gpt-5.4",
        "gpt-5.4-mini",
        "gpt-5.4-nano",
        "gpt-5.5",
        "gpt-5.6",
        "gpt-5.6-luna",
        "gpt-5.6-sol",
        "gpt-5.6-terra",
        "o3",
        "o4-mini",
    ),
    "google": (
        "gemini-2.5-flash",
        "gemini-2.5-flash-lite",
        "gemini-2.5-pro",
        "gemini-3-flash-preview",
        "gemini-3-pro-preview",
        "gemini-3.1-pro-preview",
        "gemini-3.5-flash",
        "gemini-3.6-flash",
        "gemini-3.7-flash",
        "gemini-3.8-flash",
    ),
    "deepseek": ("deepseek-flash", "deepseek-v4-flash", "deepseek-v4-pro"),
    "minimax": (
        "MiniMax-M2",
        "MiniMax-M2.1",
        "MiniMax-M2.5",
        "MiniMax-M2.5-highspeed",
        "MiniMax-M2.5-lightning",
        "MiniMax-M2.7",
        "MiniMax-M2.7-highspeed",
        "MiniMax-M3",
    ),
    "minimax-cn": (
        "MiniMax-M2",
        "MiniMax-M2.1",
        "MiniMax-M2.5",
        "MiniMax-M2.5-highspeed",
        "MiniMax-M2.5-lightning",
        "MiniMax-M2.7",
        "MiniMax-M2.7-highspeed",
        "MiniMax-M3",
    ),
    "minimax-code": (
        "MiniMax-M2.5",
        "MiniMax-M2.5-highspeed",
        "MiniMax-M2.7",
        "MiniMax-M2.7-highspeed",
        "MiniMax-M3",
    ),
    "minimax-code-cn": (
        "MiniMax-M2.5",
        "MiniMax-M2.5-highspeed",
        "MiniMax-M2.7",
        "MiniMax-M2.7-highspeed",
        "MiniMax-M3",
    ),
    "moonshot": (
        "kimi-k2-thinking",
        "kimi-k2-turbo-preview",
        "kimi-k2.5",
        "kimi-k2.6",
        "kimi-k2.7-code",
        "kimi-k2.7-code-highspeed",
        "kimi-k3",
    ),
    "kimi-code": ("k3", "kimi-for-coding", "kimi-k2.5"),
    "zai": (
        "glm-4.5-air",
        "glm-4.6",
        "glm-4.7",
        "glm-5",
        "glm-5-turbo",
        "glm-5.1",
        "glm-5.2",
        "glm-5.3",
        "glm-5.3-flash",
        "glm-5v-turbo",
    ),
    "alibaba-coding-plan": (
        "qwen3-coder-next",
        "qwen3-coder-plus",
        "qwen3.6-flash",
        "qwen3.6-plus",
        "qwen3.7-max",
        "qwen3.7-plus",
    ),
    "alibaba-token-plan": ("qwen3.7-plus", "qwen3.8-flash", "qwen3.8-max"),
    "qwen-portal": ("coder-model", "vision-model"),
    "openrouter": (
        "anthropic/claude-haiku-4.5",
        "anthropic/claude-opus-4.8",
        "anthropic/claude-opus-5",
        "anthropic/claude-sonnet-4.5",
        "anthropic/claude-sonnet-4.6",
        "anthropic/claude-sonnet-5",
        "deepseek/deepseek-v4-flash",
        "deepseek/deepseek-v4-pro",
        "google/gemini-2.5-flash",
        "google/gemini-2.5-pro",
        "google/gemini-3.1-pro-preview",
        "google/gemini-3.7-flash",
        "meta-llama/llama-4-maverick",
        "minimax/minimax-m2.7",
        "minimax/minimax-m3",
        "mistralai/devstral-2512",
        "moonshotai/kimi-k2.6",
        "moonshotai/kimi-k3",
        "openai/gpt-5-mini",
        "openai/gpt-5.4",
        "openai/gpt-5.5",
        "openai/gpt-5.6-sol",
        "openai/gpt-oss-120b",
        "qwen/qwen3-coder",
        "qwen/qwen3-coder-plus",
        "x-ai/grok-4.5",
        "x-ai/grok-code-fast-1",
        "z-ai/glm-5.2",
        "z-ai/glm-5.3",
    ),
}


def curated_entry(model: dict[str, Any]) -> dict[str, Any]:
    """The kept fields of one real catalog entry, in :data:`FIELDS` order."""
    return {field: model[field] for field in FIELDS if field in model}


def curate(source: dict[str, dict[str, dict[str, Any]]]) -> dict[str, dict[str, dict[str, Any]]]:
    """The curated catalog, in the source's provider and model order. Raises on a missing id."""
    missing = [
        f"{provider}/{model_id}"
        for provider, ids in CURATED.items()
        for model_id in ids
        if model_id not in source.get(provider, {})
    ]
    if missing:
        raise KeyError(f"not in the source catalog: {', '.join(missing)}")
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for provider, models in source.items():
        wanted = set(CURATED.get(provider, ()))
        chosen = {model_id: curated_entry(model) for model_id, model in models.items() if model_id in wanted}
        if chosen:
            result[provider] = chosen
    return result


def render(catalog: dict[str, dict[str, dict[str, Any]]]) -> str:
    """Tab-indented JSON with a final newline, like OMP's catalog generator."""
    return json.dumps(catalog, indent="\t", ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE, help=f"OMP's models.json ({SOURCE_LABEL})")
    parser.add_argument("--output", type=Path, default=TARGET)
    parser.add_argument("--check", action="store_true", help="exit 1 if the output is out of date")
    args = parser.parse_args(argv)
    if not args.source.is_file():
        print(f"curate: no source catalog at {args.source} (set CATALOGMGR_SHARED_DIR)", file=sys.stderr)
        return 3
    source = json.loads(args.source.read_text(encoding="utf-8"))
    text = render(curate(source))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.is_file() else ""
        if current != text:
            print(f"curate: {args.output} is out of date; run this script", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    count = sum(len(models) for models in curate(source).values())
    print(f"curate: wrote {args.output} ({len(curate(source))} providers, {count} models)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
