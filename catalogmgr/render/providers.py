"""Text and JSON renderings of ``ping`` results and ``add-provider`` notes.

Every string that came from a server or a user's file (provider names, model ids, suggestions,
URLs) passes :func:`catalogmgr.render.escape.terminal` before it reaches the terminal. No
rendering ever has a key or a header value to show: the results do not carry them.
"""

from __future__ import annotations

from collections.abc import Sequence

from catalogmgr.providers.report import EndpointResult, PingStatus, ProviderResult
from catalogmgr.render.escape import terminal

# How many ids of a long "missing" list to show before "and N more".
MAX_SHOWN_MISSING = 10


def _latency(endpoint: EndpointResult) -> str:
    return "" if endpoint.latency_ms is None else f"  {endpoint.latency_ms:.0f} ms"


def _endpoint_lines(endpoint: EndpointResult) -> list[str]:
    lines = [
        f"  {terminal(endpoint.api)}  {terminal(endpoint.url)}  {endpoint.status.value}"
        f"{_latency(endpoint)}: {terminal(endpoint.detail)}"
    ]
    for item in endpoint.missing[:MAX_SHOWN_MISSING]:
        hint = f" (did you mean {terminal(item.suggestion)}?)" if item.suggestion else ""
        lines.append(f"    not listed: {terminal(item.model_id)}{hint}")
    if len(endpoint.missing) > MAX_SHOWN_MISSING:
        lines.append(f"    ... and {len(endpoint.missing) - MAX_SHOWN_MISSING} more not listed")
    probe = endpoint.probe
    if probe is not None:
        latency = "" if probe.latency_ms is None else f"  {probe.latency_ms:.0f} ms"
        verdict = "ok" if probe.ok else "FAILED"
        lines.append(f"    probe {terminal(probe.model_id)}: {verdict}{latency}: {terminal(probe.detail)}")
    return lines


def render_ping_text(results: Sequence[ProviderResult]) -> str:
    """One block per provider: verdict and key status, then one line per endpoint."""
    lines: list[str] = []
    for result in results:
        lines.append(
            f"{terminal(result.provider)}  {result.status}  (key: {result.key_status}:"
            f" {terminal(result.key_detail)})"
        )
        for note in result.notes:
            lines.append(f"  note: {terminal(note)}")
        for endpoint in result.endpoints:
            lines.extend(_endpoint_lines(endpoint))
    return "\n".join(lines)


def ping_summary(results: Sequence[ProviderResult]) -> str:
    """``catalogmgr: ping: 3 provider(s): 1 ok, 1 broken, 1 skipped``."""
    counts: dict[str, int] = {}
    for result in results:
        bucket = "broken" if result.broken else result.status
        counts[bucket] = counts.get(bucket, 0) + 1
    order = ["ok", "broken", PingStatus.UNCHECKED.value, PingStatus.SKIPPED.value]
    parts = [f"{counts[name]} {name}" for name in order if counts.get(name)]
    return f"catalogmgr: ping: {len(results)} provider(s): " + (", ".join(parts) or "none")
