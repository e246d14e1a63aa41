"""``ping`` results as one ``doctor`` finding (``catalogmgr doctor --ping``).

``doctor`` itself never touches the network; with ``--ping`` the CLI runs the pings and hands the
results here, so the report says in one place whether the configured providers answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from catalogmgr.doctor import Finding, Status
from catalogmgr.providers.report import ProviderResult

MAX_DETAIL_LINES = 20


def ping_finding(results: Sequence[ProviderResult]) -> Finding:
    """One finding (area ``providers``): an error when any configured endpoint is broken."""
    if not results:
        return Finding("providers", Status.INFO, "models.yml configures no provider to ping")
    broken = [result for result in results if result.broken]
    quiet = [result for result in results if not result.broken and result.status != "ok"]
    if not broken:
        extra = f" ({len(quiet)} skipped or unchecked)" if quiet else ""
        return Finding(
            "providers", Status.OK, f"{len(results)} configured provider(s) pinged: none broken{extra}"
        )
    details = [
        f"{result.provider}: {endpoint.status.value if endpoint.probe is None else 'probe-failed'}"
        f" at {endpoint.url}: {endpoint.detail}"
        for result in broken
        for endpoint in result.endpoints
        if endpoint.broken
    ]
    if len(details) > MAX_DETAIL_LINES:
        details = [*details[:MAX_DETAIL_LINES], f"... and {len(details) - MAX_DETAIL_LINES} more"]
    return Finding(
        "providers",
        Status.ERROR,
        f"{len(broken)} of {len(results)} configured provider(s) do not work",
        tuple(details),
        "`catalogmgr ping` shows each endpoint (--format json for the details)",
    )
