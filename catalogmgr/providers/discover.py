"""Ask a live server which models it serves, and what it says about each.

Probes, in order, each a free GET (Ollama's ``/api/show`` is a POST that reads metadata), all to
the host the user named (redirects are never followed, :meth:`HttpClient.exchange`):

1. Ollama: ``GET {origin}/api/tags``, then ``POST {origin}/api/show`` per model (context length
   from ``parameters`` ``num_ctx`` or ``model_info["<arch>.context_length"]``; ``capabilities``:
   ``vision`` -> image input, ``thinking`` -> reasoning), as OMP's ``discoverOllamaModels``;
2. llama.cpp: ``GET {root}/props`` (``default_generation_settings.n_ctx``, ``modalities.vision``)
   with ``GET {root}/v1/models`` (``meta.n_ctx_train``), as ``discoverLlamaCppModels``;
3. LiteLLM: ``GET {root}/model/info`` (``max_input_tokens``, ``max_output_tokens``, per-token
   prices, ``supports_vision``, ``supports_reasoning``, ``mode``), as ``fetchLiteLLMRichModels``;
4. LM Studio: ``GET {root}/api/v0/models`` (``max_context_length`` / ``loaded_context_length``,
   ``type: vlm``), as ``fetchLmStudioNativeModelMetadata``;
5. any OpenAI-compatible server: ``GET {root}/v1/models`` (vLLM's ``max_model_len``,
   ``context_length``, ``input_modalities``).

``root`` is the URL given without a trailing ``/v1``; ``origin`` its scheme and host. A server
answering 401/403 stops the probing at once: the user needs ``--key-env``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from catalogmgr.errors import UpstreamError
from catalogmgr.providers.ping import MAX_LIST_BYTES, REACH_WORDS, Exchanger, decode_json_body, status_words
from catalogmgr.providers.routes import MAX_LISTED_IDS, redact_url
from catalogmgr.upstream.http import ExchangeFailure
from catalogmgr.upstream.normalize import positive_int

# More models than this on one local server is not a local server: ask /api/show for these only.
MAX_SHOW_REQUESTS = 200
MAX_ID_LENGTH = 512


class DiscoveryError(UpstreamError):
    """The server could not be asked, or answered nothing that lists models (exit code 3)."""


@dataclass(frozen=True)
class ServerModel:
    """One model as the server describes it; ``None`` means the server does not say."""

    id: str
    name: str | None = None
    context_window: int | None = None
    max_tokens: int | None = None
    input: tuple[str, ...] | None = None
    reasoning: bool | None = None
    cost: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Discovered:
    """What a server is and which models it serves."""

    kind: str  # "ollama" | "llama.cpp" | "litellm" | "lm-studio" | "openai"
    base_url: str  # the baseUrl OMP should use for chat (OpenAI-compatible, /v1)
    models: tuple[ServerModel, ...]
    notes: tuple[str, ...] = ()


def split_root(url: str) -> tuple[str, str]:
    """``(root, origin)``: the URL without query, fragment, trailing ``/`` and ``/v1``; its origin."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise DiscoveryError(f"{url!r} is not a URL") from None
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise DiscoveryError(
            f"{redact_url(url)!r} is not an http(s) URL (for example http://127.0.0.1:11434)"
        )
    path = parts.path.rstrip("/").removesuffix("/v1")
    return (
        urlunsplit((parts.scheme, parts.netloc, path, "", "")),
        urlunsplit((parts.scheme, parts.netloc, "", "", "")),
    )


def _positive_int(value: Any) -> int | None:
    """A positive token count; servers also send them as digit strings (OMP accepts both)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return positive_int(value)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _usable_id(value: Any) -> str | None:
    if isinstance(value, str) and value.strip() and len(value) <= MAX_ID_LENGTH:
        return value
    return None


class _Asker:
    """Sends the probes with the user's headers and remembers what failed, for the final message."""

    def __init__(self, client: Exchanger, headers: Mapping[str, str]) -> None:
        self.client = client
        self.headers = dict(headers)
        self.tried: list[str] = []

    def json(self, method: str, url: str, body: object | None = None) -> Any:
        """The JSON answer of a 200, else ``None``; raises at once on 401/403 or no answer at all."""
        try:
            answer = self.client.exchange(
                method, url, headers=self.headers, json_body=body, max_bytes=MAX_LIST_BYTES
            )
        except ExchangeFailure as failure:
            if failure.kind in {"dns", "tls", "refused", "timeout", "invalid-url"}:
                raise DiscoveryError(
                    f"cannot ask {redact_url(url)}: {REACH_WORDS.get(failure.kind, failure.kind)}"
                ) from None
            self.tried.append(f"{redact_url(url)}: {failure.kind}")
            return None
        if answer.status in {401, 403}:
            if any(name.lower() == "authorization" for name in self.headers):
                raise DiscoveryError(
                    f"{redact_url(url)} answered {status_words(answer.status)}: the server refuses the key"
                    " (wrong or expired?)"
                )
            raise DiscoveryError(
                f"{redact_url(url)} answered {status_words(answer.status)}: the server wants a key;"
                " pass --key-env VAR with the variable that holds it"
            )
        if answer.status != 200:
            self.tried.append(f"{redact_url(url)}: HTTP {status_words(answer.status)}")
            return None
        payload = decode_json_body(answer.body)
        if payload is None:
            self.tried.append(f"{redact_url(url)}: not JSON")
        return payload


def _rows(payload: Any, key: str) -> list[Mapping[str, Any]]:
    rows = payload.get(key) if isinstance(payload, Mapping) else None
    if not isinstance(rows, list):
        return []
    return [row for row in rows[:MAX_LISTED_IDS] if isinstance(row, Mapping)]


def _ollama_context(show: Mapping[str, Any]) -> int | None:
    parameters = show.get("parameters")
    if isinstance(parameters, str):
        match = re.search(r"(?:^|\n)\s*num_ctx\s+(\d+)\s*(?:$|\n)", parameters)
        if match:
            return _positive_int(match.group(1))
    info = show.get("model_info")
    if isinstance(info, Mapping):
        for key, value in info.items():
            if isinstance(key, str) and (key == "context_length" or key.endswith(".context_length")):
                found = _positive_int(value)
                if found is not None:
                    return found
    return None


def _ollama(asker: _Asker, origin: str, payload: Any) -> Discovered | None:
    rows = _rows(payload, "models")
    if not isinstance(payload, Mapping) or not isinstance(payload.get("models"), list):
        return None
    models: list[ServerModel] = []
    notes: list[str] = []
    for index, row in enumerate(rows):
        model_id = _usable_id(row.get("model")) or _usable_id(row.get("name"))
        if model_id is None:
            continue
        context = reasoning = None
        image: bool | None = None
        if index < MAX_SHOW_REQUESTS:
            show = asker.json("POST", f"{origin}/api/show", {"model": model_id})
            if isinstance(show, Mapping):
                context = _ollama_context(show)
                capabilities = show.get("capabilities")
                if isinstance(capabilities, list):
                    names = {str(item).lower() for item in capabilities if isinstance(item, str)}
                    reasoning = "thinking" in names
                    image = bool(names & {"vision", "image"})
        elif index == MAX_SHOW_REQUESTS:
            notes.append(f"asked /api/show for the first {MAX_SHOW_REQUESTS} models only")
        models.append(
            ServerModel(
                id=model_id,
                name=_usable_id(row.get("name")),
                context_window=context,
                input=None if image is None else (("text", "image") if image else ("text",)),
                reasoning=reasoning,
            )
        )
    return Discovered("ollama", f"{origin}/v1", tuple(models), tuple(notes))


def _llamacpp(asker: _Asker, root: str, props: Any) -> Discovered | None:
    if not isinstance(props, Mapping) or not isinstance(props.get("default_generation_settings"), Mapping):
        return None
    settings = props["default_generation_settings"]
    server_context = _positive_int(settings.get("n_ctx")) or _positive_int(props.get("n_ctx"))
    modalities = props.get("modalities")
    server_input: tuple[str, ...] | None = None
    if isinstance(modalities, Mapping) and isinstance(modalities.get("vision"), bool):
        server_input = ("text", "image") if modalities["vision"] else ("text",)
    listing = asker.json("GET", f"{root}/v1/models")
    models: list[ServerModel] = []
    for row in _rows(listing, "data"):
        model_id = _usable_id(row.get("id"))
        if model_id is None:
            continue
        meta = _mapping(row.get("meta"))
        context = _positive_int(meta.get("n_ctx")) or server_context or _positive_int(meta.get("n_ctx_train"))
        models.append(ServerModel(id=model_id, context_window=context, input=server_input, reasoning=None))
    if not models:
        return None
    return Discovered("llama.cpp", f"{root}/v1", tuple(models))


def _per_million(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return float(value) * 1_000_000


def _litellm(root: str, payload: Any) -> Discovered | None:
    rows = _rows(payload, "data")
    if not rows or not any("model_name" in row for row in rows):
        return None
    models: dict[str, ServerModel] = {}
    for row in rows:
        model_id = _usable_id(row.get("model_name"))
        info = _mapping(row.get("model_info"))
        if model_id is None or model_id in models:
            continue
        mode = info.get("mode")
        if isinstance(mode, str) and mode not in {"chat", "responses", "completion"}:
            continue  # embeddings, image generation, audio: not chat models
        cost: dict[str, float] = {}
        for field_name, key in (
            ("input", "input_cost_per_token"),
            ("output", "output_cost_per_token"),
            ("cacheRead", "cache_read_input_token_cost"),
            ("cacheWrite", "cache_creation_input_token_cost"),
        ):
            price = _per_million(info.get(key))
            if price is not None:
                cost[field_name] = price
        vision = info.get("supports_vision")
        reasoning = info.get("supports_reasoning")
        models[model_id] = ServerModel(
            id=model_id,
            context_window=_positive_int(info.get("max_input_tokens")),
            max_tokens=_positive_int(info.get("max_output_tokens")),
            input=(("text", "image") if vision else ("text",)) if isinstance(vision, bool) else None,
            reasoning=reasoning if isinstance(reasoning, bool) else None,
            cost=cost,
        )
    return Discovered("litellm", f"{root}/v1", tuple(models.values())) if models else None


def _lmstudio(root: str, payload: Any) -> Discovered | None:
    rows = _rows(payload, "data")
    if not rows or not any("max_context_length" in row or row.get("type") in {"llm", "vlm"} for row in rows):
        return None
    models: list[ServerModel] = []
    for row in rows:
        model_id = _usable_id(row.get("id"))
        kind = row.get("type")
        if model_id is None or kind == "embeddings":
            continue
        loaded = _positive_int(row.get("loaded_context_length")) if row.get("state") == "loaded" else None
        context = loaded or _positive_int(row.get("max_context_length"))
        models.append(
            ServerModel(
                id=model_id,
                context_window=context,
                input=("text", "image") if kind == "vlm" else ("text",),
            )
        )
    return Discovered("lm-studio", f"{root}/v1", tuple(models)) if models else None


def _openai_input(row: Mapping[str, Any]) -> tuple[str, ...] | None:
    found: set[str] = set()
    for value in (
        row.get("input"),
        row.get("input_modalities"),
        row.get("architecture", {}).get("input_modalities")
        if isinstance(row.get("architecture"), Mapping)
        else None,
    ):
        if isinstance(value, list):
            found |= {item.lower() for item in value if isinstance(item, str)}
    if not found:
        return None
    return ("text", "image") if "image" in found else ("text",)


def _openai(root: str, payload: Any) -> Discovered | None:
    if not isinstance(payload, Mapping) or not isinstance(payload.get("data"), list):
        return None
    models: dict[str, ServerModel] = {}
    for row in _rows(payload, "data"):
        model_id = _usable_id(row.get("id"))
        if model_id is None or model_id in models:
            continue
        models[model_id] = ServerModel(
            id=model_id,
            context_window=_positive_int(row.get("max_model_len"))
            or _positive_int(row.get("context_length")),
            input=_openai_input(row),
        )
    return Discovered("openai", f"{root}/v1", tuple(models.values()))


def discover_server(url: str, client: Exchanger, *, headers: Mapping[str, str] | None = None) -> Discovered:
    """Identify the server at ``url`` and list its models (see the module docstring for the order).

    ``headers`` (the resolved key as ``Authorization: Bearer``, custom headers) go with every
    probe, all to the same host. Raises :class:`DiscoveryError` when nothing answers with a list.
    """
    root, origin = split_root(url)
    asker = _Asker(client, headers or {})
    found = _ollama(asker, origin, asker.json("GET", f"{origin}/api/tags"))
    if found is None:
        found = _llamacpp(asker, root, asker.json("GET", f"{root}/props"))
    if found is None:
        found = _litellm(root, asker.json("GET", f"{root}/model/info"))
    if found is None:
        found = _lmstudio(root, asker.json("GET", f"{root}/api/v0/models"))
    if found is None:
        found = _openai(root, asker.json("GET", f"{root}/v1/models"))
    if found is None:
        tried = "; ".join(asker.tried) or "no answer"
        raise DiscoveryError(f"{redact_url(url)} lists no models in any known shape ({tried})")
    if not found.models:
        raise DiscoveryError(f"{redact_url(url)} ({found.kind}) serves no model at the moment")
    return found
