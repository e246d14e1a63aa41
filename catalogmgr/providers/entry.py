"""Build the ``providers:`` entry for a discovered server, each fact from the best source.

For every field of every model, in order: what the **server** reported; then the **upstream**
facts of ``diff-upstream``'s cache (models.dev, OpenRouter; matched by id, never fetched here);
then OMP's **reference** lookup (the bundled model OMP itself would inherit from, found as OMP
finds it: :func:`catalogmgr.omp.reference.resolve_reference`); then OMP's discovery **defaults**
(128,000-token window, 32,768 output tokens, text input, no reasoning). Prices are special: a
local engine (Ollama, llama.cpp, LM Studio, an OpenAI-compatible server on loopback) costs
nothing: its models get zero prices whatever upstream charges; elsewhere the server's own
prices (LiteLLM), then upstream's, then the reference's, then zero. Ollama and llama.cpp
entries use the server and OMP's defaults only, exactly as OMP's own discovery of those engines
does (it consults no reference).

Every field is written out explicitly, so the entry means the same whatever OMP version later
reads it (the reference lookup changes between releases), and ``maxTokens`` never exceeds the
context window the server runs with (OMP's discovery caps it the same way).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from catalogmgr.errors import InputError, WriteError
from catalogmgr.omp.reference import ReferenceIndex, reference_candidate_ids, resolve_reference
from catalogmgr.providers.discover import Discovered, ServerModel
from catalogmgr.upstream.listing import UpstreamModel

DISCOVERY_DEFAULT_CONTEXT_WINDOW = 128_000  # pi-catalog OPENAI_COMPAT_DISCOVERY_DEFAULT_CONTEXT_WINDOW
DISCOVERY_DEFAULT_MAX_TOKENS = 32_768  # pi-catalog OPENAI_COMPAT_DISCOVERY_DEFAULT_MAX_TOKENS
ANTHROPIC_DEFAULT_MAX_TOKENS = 8_192  # model-discovery.ts, DISCOVERY_DEFAULT_MAX_TOKENS_ANTHROPIC
# More models than this in one entry is worth a word: a gateway, not a handful of local models.
MANY_MODELS = 200
# Engines whose discovery OMP builds from the server's answers and its defaults alone
# (model-discovery.ts: discoverOllamaModels, discoverLlamaCppModels use no reference model).
SERVER_ONLY_KINDS = frozenset({"ollama", "llama.cpp"})
LOCAL_KINDS = frozenset({"ollama", "llama.cpp", "lm-studio"})
COST_FIELDS = ("input", "output", "cacheRead", "cacheWrite")

# discovery kind -> OMP's `discovery.type` for the same server.
DISCOVERY_TYPES = {
    "ollama": "ollama",
    "llama.cpp": "llama.cpp",
    "lm-studio": "lm-studio",
    "litellm": "litellm",
    "openai": "openai-models-list",
}


@dataclass(frozen=True)
class UpstreamFacts:
    """Upstream models by lower-cased id and by the tail after the vendor prefix (``qwen/qwen3-8b``)."""

    models: Mapping[str, tuple[str, UpstreamModel]] = field(default_factory=dict)

    def find(self, model_id: str) -> tuple[str, UpstreamModel] | None:
        """The upstream record for ``model_id``, trying OMP's reference candidate ids in order."""
        for candidate in reference_candidate_ids(model_id):
            found = self.models.get(candidate.strip().lower())
            if found is not None:
                return found
        return None


def index_upstream(
    listings: Sequence[tuple[str, Mapping[str, Mapping[str, UpstreamModel]]]],
) -> UpstreamFacts:
    """Index listings (``(source name, provider -> id -> model)``), earlier listings winning."""
    models: dict[str, tuple[str, UpstreamModel]] = {}
    for source, providers in listings:
        for provider_models in providers.values():
            for model_id, model in provider_models.items():
                for key in (model_id.lower(), model_id.rsplit("/", 1)[-1].lower()):
                    models.setdefault(key, (source, model))
    return UpstreamFacts(models)


@dataclass(frozen=True)
class ModelEntry:
    """One model definition for models.yml and where each of its facts came from."""

    definition: dict[str, Any]
    sources: dict[str, str]

    def describe_sources(self) -> str:
        """``contextWindow, input: ollama; maxTokens: default`` grouped by source."""
        grouped: dict[str, list[str]] = {}
        for name, source in self.sources.items():
            grouped.setdefault(source, []).append(name)
        return "; ".join(f"{', '.join(names)}: {source}" for source, names in grouped.items())


@dataclass(frozen=True)
class ProviderEntry:
    """The provider entry, its models, and what the user should know about it."""

    name: str
    entry: dict[str, Any]
    models: tuple[ModelEntry, ...]
    notes: tuple[str, ...] = ()
    discovery_offer: str | None = None


def _number(value: Decimal | float | int) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def _upstream_cost(model: UpstreamModel) -> dict[str, int | float] | None:
    prices = {key: value for key, value in model.cost.items() if isinstance(value, Decimal)}
    if "input" not in prices or "output" not in prices:
        return None
    return {key: _number(prices.get(key, Decimal(0))) for key in COST_FIELDS}


def _reference_cost(reference: Mapping[str, Any]) -> dict[str, int | float] | None:
    cost = reference.get("cost")
    if not isinstance(cost, Mapping):
        return None
    values = {key: cost.get(key, 0) for key in COST_FIELDS}
    if not all(isinstance(value, int | float) and not isinstance(value, bool) for value in values.values()):
        return None
    return {key: _number(value) for key, value in values.items()}


def build_model_entry(
    server: ServerModel,
    *,
    kind: str,
    api: str,
    local: bool,
    upstream: UpstreamFacts,
    references: ReferenceIndex | None,
) -> ModelEntry:
    """One model definition with every fact filled from the first source that has it.

    For the engines whose discovery OMP trusts alone (:data:`SERVER_ONLY_KINDS`: Ollama and
    llama.cpp, where OMP consults no reference), only the server and OMP's defaults are used, so the
    entry equals what OMP's own discovery would make of the same server.
    """
    found = upstream.find(server.id) if kind not in SERVER_ONLY_KINDS else None
    upstream_source, upstream_model = found if found is not None else ("", None)
    reference = (
        resolve_reference(server.id, references)
        if references is not None and kind not in SERVER_ONLY_KINDS
        else None
    )
    reference_label = f"OMP reference {reference.get('provider')}/{reference.get('id')}" if reference else ""
    sources: dict[str, str] = {}
    definition: dict[str, Any] = {"id": server.id}
    if server.name and server.name != server.id:
        definition["name"] = server.name
        sources["name"] = kind

    def pick(name: str, *candidates: tuple[Any, str]) -> Any:
        for value, source in candidates:
            if value is not None:
                sources[name] = source
                return value
        raise AssertionError(f"no default for {name}")  # pragma: no cover - every chain ends in one

    context = pick(
        "contextWindow",
        (server.context_window, kind),
        (upstream_model.context_window if upstream_model else None, upstream_source),
        (reference.get("contextWindow") if reference else None, reference_label),
        (DISCOVERY_DEFAULT_CONTEXT_WINDOW, "default"),
    )
    default_max = (
        ANTHROPIC_DEFAULT_MAX_TOKENS if api == "anthropic-messages" else DISCOVERY_DEFAULT_MAX_TOKENS
    )
    max_tokens = pick(
        "maxTokens",
        (server.max_tokens, kind),
        (upstream_model.max_tokens if upstream_model else None, upstream_source),
        (reference.get("maxTokens") if reference else None, reference_label),
        (default_max, "default"),
    )
    if max_tokens > context:
        max_tokens = context
        sources["maxTokens"] += " (capped at the context window)"
    reference_input = reference.get("input") if reference else None
    model_input = pick(
        "input",
        (list(server.input) if server.input else None, kind),
        (list(upstream_model.input) if upstream_model and upstream_model.input else None, upstream_source),
        (list(reference_input) if isinstance(reference_input, list) else None, reference_label),
        (["text"], "default"),
    )
    reasoning = pick(
        "reasoning",
        (server.reasoning, kind),
        (upstream_model.reasoning if upstream_model else None, upstream_source),
        (
            reference.get("reasoning")
            if reference and isinstance(reference.get("reasoning"), bool)
            else None,
            reference_label,
        ),
        (False, "default"),
    )
    server_cost = (
        {key: _number(server.cost.get(key, 0)) for key in COST_FIELDS}
        if "input" in server.cost or "output" in server.cost
        else None
    )
    zero = dict.fromkeys(COST_FIELDS, 0)
    cost = pick(
        "cost",
        (server_cost, kind),
        (zero if local else None, "local server (free)"),
        (_upstream_cost(upstream_model) if upstream_model else None, upstream_source),
        (_reference_cost(reference) if reference else None, reference_label),
        (zero, "default"),
    )
    definition.update(
        {
            "reasoning": reasoning,
            "input": model_input,
            "contextWindow": int(context),
            "maxTokens": int(max_tokens),
            "cost": cost,
        }
    )
    return ModelEntry(definition, sources)


def build_provider_entry(
    name: str,
    discovered: Discovered,
    *,
    api: str,
    key_env: str | None,
    local: bool,
    upstream: UpstreamFacts,
    references: ReferenceIndex | None,
    use_discovery: bool = False,
) -> ProviderEntry:
    """The ``providers.<name>`` entry for ``discovered`` (a ``models:`` list, or a ``discovery:`` block)."""
    local = local or discovered.kind in LOCAL_KINDS
    entry: dict[str, Any] = {"baseUrl": discovered.base_url, "api": api}
    notes: list[str] = list(discovered.notes)
    if key_env:
        entry["apiKey"] = key_env
    else:
        entry["auth"] = "none"
        if not local:
            notes.append("no --key-env given: the entry says `auth: none` (OMP sends no key)")
    discovery_type = DISCOVERY_TYPES[discovered.kind]
    if len(discovered.models) > MANY_MODELS and not use_discovery:
        notes.append(
            f"the server lists {len(discovered.models)} models: the entry writes them all; OMP's"
            f" `discovery: {{type: {discovery_type}}}` (--use-discovery) keeps models.yml short"
        )
    offer = None
    if discovered.kind in LOCAL_KINDS and not use_discovery:
        offer = (
            f"this is a local {discovered.kind} server: its models change whenever you pull or load one."
            f" OMP can list them itself at startup with `discovery: {{type: {discovery_type}}}` instead of a"
            " fixed `models:` list (pass --use-discovery to write that); the fixed list keeps the"
            " facts reported today and works offline"
        )
    if use_discovery:
        entry["discovery"] = {"type": discovery_type}
        return ProviderEntry(name, entry, (), tuple(notes), None)
    models = tuple(
        build_model_entry(
            model, kind=discovered.kind, api=api, local=local, upstream=upstream, references=references
        )
        for model in discovered.models
    )
    entry["models"] = [model.definition for model in models]
    return ProviderEntry(name, entry, models, tuple(notes), offer)


# ---------------------------------------------------------------------------------------------
# Writing


def render_entry_yaml(provider: ProviderEntry) -> str:
    """``providers:`` with this one entry, as YAML text (what is printed without --write)."""
    return write_entry(None, provider, replace=False, name="<stdout>")


def write_entry(existing_text: str | None, provider: ProviderEntry, *, replace: bool, name: str) -> str:
    """``existing_text`` with ``providers.<name>`` set to the entry, comments and layout kept.

    Raises :class:`WriteError` when the provider already exists and ``replace`` is false, and
    :class:`InputError` when the text is not an overlay that can be edited.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from catalogmgr.documents import load_for_edit, make_roundtrip_yaml

    yaml = make_roundtrip_yaml()
    root = load_for_edit(yaml, existing_text, name=name)
    providers = root.get("providers")
    if providers is None:
        providers = CommentedMap()
        root["providers"] = providers
    if not isinstance(providers, CommentedMap):
        raise InputError("cannot edit: `providers` is not a mapping", file=name)
    if provider.name in providers and not replace:
        raise WriteError(
            f"{name}: provider {provider.name!r} already exists;"
            " pass --replace to overwrite it, or pick another name"
        )

    def convert(value: Any, flow: bool = False) -> Any:
        if isinstance(value, Mapping):
            mapping = CommentedMap((key, convert(item, flow=key == "cost")) for key, item in value.items())
            if flow:
                mapping.fa.set_flow_style()
            return mapping
        if isinstance(value, list):
            sequence = CommentedSeq(convert(item) for item in value)
            if all(isinstance(item, str) for item in value):
                sequence.fa.set_flow_style()
            return sequence
        return value

    node = convert(provider.entry)
    models = node.get("models")
    if isinstance(models, CommentedSeq):
        for index, model in enumerate(provider.models):
            models[index].yaml_add_eol_comment(f"facts: {model.describe_sources()}", "id")
    providers[provider.name] = node
    stream = io.StringIO()
    yaml.dump(root, stream)
    return stream.getvalue()
