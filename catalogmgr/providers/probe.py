"""``ping --probe``: one chat request with a one-token answer per endpoint, the only request that costs.

A model list proves the key is accepted for listing; some gateways list models to anyone and refuse
chat, or accept a key that has no credit left. The probe asks for one output token from one model
the server listed, with the same credential headers as the listing (:func:`ping.route_for`):

* OpenAI-compatible: ``POST {baseUrl}/chat/completions`` with ``max_tokens: 1``
  (``openai-responses``: ``POST {baseUrl}/responses`` with ``max_output_tokens: 16``, that api's
  minimum); Ollama discovery: ``{origin}/v1/chat/completions``;
* ``anthropic-messages``: ``POST {root}/v1/messages`` with ``max_tokens: 1``;
* ``google-generative-ai``: ``POST {baseUrl}/models/{id}:generateContent`` with
  ``maxOutputTokens: 1``.

The answer's text is never shown (only its status): a probe proves the endpoint, it is no chat.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from catalogmgr.providers.ping import Exchanger, route_for, status_words
from catalogmgr.providers.plan import Endpoint, ProviderPlan
from catalogmgr.providers.report import PingStatus, ProviderResult
from catalogmgr.providers.routes import Unroutable, join_path, redact_url
from catalogmgr.upstream.http import ExchangeFailure

PROBE_TEXT = "Reply with one word: ok"
MAX_PROBE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ProbeRequest:
    """One chat request: where, with which body (headers come from the route)."""

    url: str
    body: dict[str, Any]
    model_id: str


@dataclass(frozen=True)
class ProbeResult:
    """What one probe showed."""

    model_id: str
    url: str  # redacted
    ok: bool
    detail: str
    http_status: int | None = None
    latency_ms: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON record of this probe."""
        return {
            "model": self.model_id,
            "url": self.url,
            "ok": self.ok,
            "detail": self.detail,
            "httpStatus": self.http_status,
            "latencyMs": None if self.latency_ms is None else round(self.latency_ms, 1),
        }


def probe_request(plan: ProviderPlan, endpoint: Endpoint, model_id: str) -> ProbeRequest | None:
    """The one-token chat request for ``model_id`` at ``endpoint``; ``None`` for apis not probed."""
    messages = [{"role": "user", "content": PROBE_TEXT}]
    discovery_type = plan.discovery.get("type") if plan.discovery else None
    base = endpoint.base_url
    if discovery_type == "ollama":
        parts = urlsplit(base)
        base = urlunsplit((parts.scheme, parts.netloc, "/v1", "", ""))
    if endpoint.api in {"openai-completions", "openrouter"}:
        body = {"model": model_id, "messages": messages, "max_tokens": 1, "stream": False}
        return ProbeRequest(join_path(base, "/chat/completions"), body, model_id)
    if endpoint.api == "openai-responses":
        body = {"model": model_id, "input": PROBE_TEXT, "max_output_tokens": 16}
        return ProbeRequest(join_path(base, "/responses"), body, model_id)
    if endpoint.api == "anthropic-messages":
        root = base.rstrip("/").removesuffix("/v1")
        body = {"model": model_id, "max_tokens": 1, "messages": messages}
        return ProbeRequest(join_path(root, "/v1/messages"), body, model_id)
    if endpoint.api == "google-generative-ai":
        body = {
            "contents": [{"role": "user", "parts": [{"text": PROBE_TEXT}]}],
            "generationConfig": {"maxOutputTokens": 1},
        }
        return ProbeRequest(
            join_path(base, f"/models/{quote(model_id, safe='')}:generateContent"), body, model_id
        )
    return None


def run_probe(
    plan: ProviderPlan,
    endpoint: Endpoint,
    model_id: str,
    client: Exchanger,
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> ProbeResult | None:
    """Send the probe; ``None`` when the endpoint's api has no probe or no route."""
    request = probe_request(plan, endpoint, model_id)
    if request is None:
        return None
    try:
        headers = route_for(plan, endpoint).headers
    except Unroutable:
        return None
    shown = redact_url(request.url)
    started = clock()
    try:
        answer = client.exchange(
            "POST", request.url, headers=headers, json_body=request.body, max_bytes=MAX_PROBE_BYTES
        )
    except ExchangeFailure as failure:
        return ProbeResult(
            model_id, shown, False, f"no answer ({failure.kind})", latency_ms=(clock() - started) * 1000
        )
    latency = (clock() - started) * 1000
    if 200 <= answer.status < 300:
        return ProbeResult(
            model_id, shown, True, f"chat answered {status_words(answer.status)}", answer.status, latency
        )
    if answer.status in {401, 403}:
        detail = "chat refused the credential (the listing accepted it: a key without chat rights or credit?)"
    elif answer.status == 402:
        detail = "payment required: the key has no credit left"
    elif answer.status == 404:
        detail = "chat route or model not found"
    elif answer.status == 429:
        detail = "rate limited or out of quota"
    else:
        detail = "chat failed"
    return ProbeResult(
        model_id, shown, False, f"HTTP {status_words(answer.status)}: {detail}", answer.status, latency
    )


@dataclass(frozen=True)
class ProbeTarget:
    """One endpoint worth probing, and the model to ask (one the server listed)."""

    provider_index: int
    endpoint_index: int
    plan: ProviderPlan
    endpoint: Endpoint
    model_id: str

    def describe(self) -> str:
        """``provider/model at URL`` (escape before printing: the id is the user's)."""
        return f"{self.plan.provider}/{self.model_id} at {redact_url(self.endpoint.base_url)}"


def plan_probes(plans: Sequence[ProviderPlan], results: Sequence[ProviderResult]) -> list[ProbeTarget]:
    """The endpoints whose listing worked and whose api has a probe, each with a listed model."""
    targets: list[ProbeTarget] = []
    for provider_index, (plan, result) in enumerate(zip(plans, results, strict=True)):
        for endpoint_index, (endpoint, outcome) in enumerate(
            zip(plan.endpoints, result.endpoints, strict=True)
        ):
            if outcome.status not in {PingStatus.OK, PingStatus.MISSING_MODELS} or not outcome.present:
                continue
            model_id = outcome.present[0]
            if probe_request(plan, endpoint, model_id) is None:
                continue
            targets.append(ProbeTarget(provider_index, endpoint_index, plan, endpoint, model_id))
    return targets


def run_probes(
    targets: Sequence[ProbeTarget],
    results: Sequence[ProviderResult],
    client: Exchanger,
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> list[ProviderResult]:
    """``results`` with each target's probe attached to its endpoint."""
    updated = list(results)
    for target in targets:
        outcome = run_probe(target.plan, target.endpoint, target.model_id, client, clock=clock)
        if outcome is None:
            continue
        result = updated[target.provider_index]
        endpoints = list(result.endpoints)
        endpoints[target.endpoint_index] = replace(endpoints[target.endpoint_index], probe=outcome)
        updated[target.provider_index] = replace(result, endpoints=tuple(endpoints))
    return updated
