"""Per api: which cheap, free request lists the models, and how OMP 18.2.3 authenticates it.

Sources (``@oh-my-pi/pi-ai@18.2.3`` and ``@oh-my-pi/pi-coding-agent@18.2.3``):

* OpenAI-compatible apis (``openai-completions``, ``openai-responses``, ``openrouter``): OMP's
  OpenAI client sends ``Authorization: Bearer <key>`` to ``{baseUrl}/...``; the model list of
  such a server is ``GET {baseUrl}/models`` (OpenAI's ``/v1/models``, vLLM, llama.cpp, LM Studio,
  LiteLLM, OpenRouter all serve it).
* ``anthropic-messages`` (``pi-ai/src/providers/anthropic.ts``, ``buildAnthropicHeaders``):
  ``anthropic-version: 2023-06-01``; the official ``api.anthropic.com`` gets ``X-Api-Key``, any
  other host ``Authorization: Bearer <key>``, and so does every OAuth-shaped request (OMP marks a
  custom ``models:`` entry of this api ``isOAuth`` unless its provider sets ``auth``,
  ``custom-models.ts``, ``resolveCustomModelIsOAuth``). The client appends ``/v1/messages`` to the base URL,
  so the model list is ``GET {baseUrl}/v1/models``.
* ``google-generative-ai`` (``pi-ai/src/providers/google.ts``): ``x-goog-api-key``; the list is
  ``GET {baseUrl}/models`` (``{"models": [{"name": "models/<id>"}]}``).
* ``discovery: {type: ollama}`` (``model-discovery.ts``, ``discoverOllamaModels``): ``GET
  {origin}/api/tags`` with the configured headers only (OMP sends no key there); ``llama.cpp``:
  ``GET {baseUrl}/models``; ``lm-studio`` / ``openai-models-list``
  / ``litellm`` / ``proxy``: ``GET {baseUrl with /v1}/models`` unless ``injectV1: false``.

``authHeader: true`` makes OMP add ``Authorization: Bearer <apiKey>`` to the configured headers
(``custom-models.ts``, ``mergeAuthHeaderSources``); configured headers are sent as they resolve and
win over the api's own auth header of the same name.

Apis whose listing needs signing, OAuth or a cloud SDK are skipped with the reason
(:data:`SKIPPED_APIS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

OPENAI_APIS = frozenset({"openai-completions", "openai-responses", "openrouter"})
ANTHROPIC_VERSION = "2023-06-01"

# api -> why ping cannot check it with one plain request.
SKIPPED_APIS: dict[str, str] = {
    "bedrock-converse-stream": "AWS Bedrock needs SigV4-signed requests (AWS credential chain)",
    "google-vertex": "Vertex AI needs Google Cloud credentials (ADC), not an api key",
    "google-gemini-cli": "Gemini CLI authenticates with OAuth (`omp /login`)",
    "openai-codex-responses": "Codex authenticates with a ChatGPT OAuth login",
    "azure-openai-responses": "Azure OpenAI lists deployments per resource with its own api-version",
    "openrouter-decisions": "an OpenRouter routing api with no model-list route of its own",
    "typesafe": "no documented model-list route",
}

# Keys OMP's discovery never sends as a bearer (model-provider-discovery.ts, LOCAL_PROVIDER_PLACEHOLDERS).
LOCAL_KEY_PLACEHOLDERS = frozenset({"llama-cpp-local", "lm-studio-local", "vllm-local"})

# discovery types whose list route is the OpenAI one under a /v1 base (model-discovery.ts).
_V1_DISCOVERY = frozenset({"lm-studio", "openai-models-list", "litellm", "proxy"})


@dataclass(frozen=True)
class Route:
    """One model-list request: where, with which headers (secret values included), and how to read it."""

    url: str
    headers: dict[str, str]
    shape: str  # "openai" | "anthropic" | "google" | "ollama": how the answer lists ids
    label: str  # what this route is, in words ("OpenAI-compatible GET /models")


class Unroutable(Exception):
    """The endpoint cannot be pinged with one plain request; the message says why."""


def redact_url(url: str) -> str:
    """``url`` without user info, query or fragment: safe to print (``?key=...`` stays out)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(an invalid URL)"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port is not None else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def join_path(base: str, path: str) -> str:
    """``base`` with ``path`` appended to its path (its query kept, as OMP keeps it)."""
    parts = urlsplit(base)
    joined = parts.path.rstrip("/") + path
    return urlunsplit((parts.scheme, parts.netloc, joined, parts.query, ""))


def _origin(base: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def _with_v1(base: str) -> str:
    parts = urlsplit(base)
    path = parts.path.rstrip("/")
    if not path.endswith("/v1"):
        path = f"{path}/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def is_official_anthropic(base_url: str) -> bool:
    """OMP's ``isOfficialAnthropicApiUrl``: the host is api.anthropic.com."""
    try:
        return (urlsplit(base_url).hostname or "").lower() == "api.anthropic.com"
    except ValueError:
        return False


def _has(headers: Mapping[str, str], name: str) -> bool:
    return any(key.lower() == name.lower() for key in headers)


def auth_headers(api: str, base_url: str, key: str | None, *, is_oauth: bool = False) -> dict[str, str]:
    """The credential header(s) OMP's client for ``api`` adds for ``key`` (none without a key).

    ``anthropic-messages``: an OAuth-shaped request (``is_oauth``: OMP marks custom models of this
    api so unless the provider sets ``auth``; or an ``sk-ant-oat`` token) and any host but the
    official one get ``Authorization: Bearer``; the official host otherwise ``X-Api-Key``.
    """
    if api == "anthropic-messages":
        headers = {"anthropic-version": ANTHROPIC_VERSION}
        if key:
            oauth = is_oauth or "sk-ant-oat" in key
            if is_official_anthropic(base_url) and not oauth:
                headers["X-Api-Key"] = key
            else:
                headers["Authorization"] = f"Bearer {key}"
        return headers
    if not key:
        return {}
    if api == "google-generative-ai":
        return {"x-goog-api-key": key}
    return {"Authorization": f"Bearer {key}"}


def model_list_route(
    *,
    api: str,
    base_url: str,
    key: str | None,
    configured_headers: Mapping[str, str],
    auth_header: bool,
    discovery: Mapping[str, Any] | None = None,
    is_oauth: bool = False,
) -> Route:
    """The model-list request for one endpoint, headers resolved (they hold secrets: never print them).

    ``configured_headers`` are the provider's and model's headers after resolution; they win over
    the api's own credential header of the same name, as in OMP.
    """
    if api in SKIPPED_APIS:
        raise Unroutable(SKIPPED_APIS[api])
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise Unroutable(f"baseUrl {redact_url(base_url)!r} is not an http(s) URL")
    discovery_type = discovery.get("type") if isinstance(discovery, Mapping) else None
    headers: dict[str, str] = {}
    if discovery_type == "ollama":
        url, shape, label = _origin(base_url) + "/api/tags", "ollama", "Ollama GET /api/tags"
    elif discovery_type == "llama.cpp":
        url, shape, label = join_path(base_url, "/models"), "openai", "llama.cpp GET /models"
    elif discovery_type in _V1_DISCOVERY:
        verbatim = discovery is not None and discovery.get("injectV1") is False
        root = base_url if verbatim else _with_v1(base_url)
        url, shape, label = join_path(root, "/models"), "openai", f"{discovery_type} GET /v1/models"
    elif api == "anthropic-messages":
        root = base_url.rstrip("/").removesuffix("/v1")
        url, shape, label = join_path(root, "/v1/models"), "anthropic", "Anthropic GET /v1/models"
    elif api == "google-generative-ai":
        url, shape, label = join_path(base_url, "/models"), "google", "Google GET /models"
    elif api in OPENAI_APIS:
        url, shape, label = join_path(base_url, "/models"), "openai", "OpenAI-compatible GET /models"
    else:
        raise Unroutable(f"api {api!r} has no known model-list route")
    if discovery_type is not None and key in LOCAL_KEY_PLACEHOLDERS:
        key = None  # OMP's discovery sends no bearer for these (isDiscoveryBearerApiKey)
    if discovery_type != "ollama":
        # OMP's Ollama discovery sends the configured headers only, never the apiKey.
        headers.update(auth_headers(api, base_url, key, is_oauth=is_oauth))
    if auth_header and key and discovery_type != "ollama":
        headers["Authorization"] = f"Bearer {key}"
    for name, value in configured_headers.items():
        for existing in [k for k in headers if k.lower() == name.lower()]:
            del headers[existing]
        headers[name] = value
    return Route(url=url, headers=headers, shape=shape, label=label)


MAX_LISTED_IDS = 20_000


def sendable_header(name: str, value: str) -> bool:
    """Whether HTTP can carry this header: a token name, a Latin-1 value without CR, LF or NUL."""
    if not name or not name.isascii() or any(ch in name for ch in ' \t\r\n:()<>@,;\\"/[]?={}'):
        return False
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return not any(ch in value for ch in "\r\n\x00")


# Model lists served in pages: the query parameter that carries the server's cursor, and the one
# that asks for the largest page both APIs document (Anthropic's default page is 20 models, Google's
# 50, so an account with more would otherwise always have "more pages").
_PAGING: dict[str, tuple[str, str]] = {
    "anthropic": ("after_id", "limit"),
    "google": ("pageToken", "pageSize"),
}
PAGE_SIZE = 1000


def page_url(route: Route, cursor: str | None = None) -> str:
    """The URL of one page of ``route``'s list: the first (``cursor`` None) or the one after ``cursor``.

    Routes whose answer is not paged are requested as they are. The cursor is the server's own text
    (``last_id``, ``nextPageToken``): it is percent-encoded into the query, never spliced in raw.
    """
    paging = _PAGING.get(route.shape)
    if paging is None:
        return route.url
    cursor_name, size_name = paging
    parts = urlsplit(route.url)
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True)]
    query.append((size_name, str(PAGE_SIZE)))
    if cursor is not None:
        query.append((cursor_name, cursor))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def next_page_cursor(shape: str, payload: Any) -> str | None:
    """The cursor of the page after ``payload``, when the answer says there is one and names it."""
    if shape not in _PAGING or not isinstance(payload, Mapping):
        return None
    if shape == "anthropic":
        cursor = payload.get("last_id") if payload.get("has_more") is True else None
    else:
        cursor = payload.get("nextPageToken")
    if isinstance(cursor, str) and cursor and len(cursor) <= MAX_CURSOR_CHARACTERS:
        return cursor
    return None


MAX_CURSOR_CHARACTERS = 4096


def listed_ids(shape: str, payload: Any) -> tuple[list[str], bool] | None:
    """The model ids an answer lists and whether more pages exist; ``None`` if it is not that shape.

    Shapes: OpenAI ``{"data": [{"id"}]}`` (also Anthropic's, with ``has_more``); Google
    ``{"models": [{"name": "models/<id>"}], "nextPageToken"}``; Ollama ``{"models": [{"model",
    "name"}]}``. Entries that are not objects with a string id are skipped; at most
    :data:`MAX_LISTED_IDS` ids are kept.
    """
    if not isinstance(payload, Mapping):
        return None
    ids: list[str] = []
    more = False
    if shape in {"openai", "anthropic"}:
        rows = payload.get("data")
        if not isinstance(rows, list):
            return None
        for row in rows:
            if isinstance(row, Mapping) and isinstance(row.get("id"), str) and row["id"]:
                ids.append(row["id"])
        more = payload.get("has_more") is True
    elif shape == "google":
        rows = payload.get("models")
        if not isinstance(rows, list):
            return None
        for row in rows:
            name = row.get("name") if isinstance(row, Mapping) else None
            if isinstance(name, str) and name:
                ids.append(name.removeprefix("models/"))
        more = bool(payload.get("nextPageToken"))
    elif shape == "ollama":
        rows = payload.get("models")
        if not isinstance(rows, list):
            return None
        for row in rows:
            if not isinstance(row, Mapping):
                continue
            name = row.get("model") or row.get("name")
            if isinstance(name, str) and name:
                ids.append(name)
    else:
        return None
    return list(dict.fromkeys(ids))[:MAX_LISTED_IDS], more
