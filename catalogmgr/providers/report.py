"""The result of pinging one provider: per endpoint, reachable? authenticated? which ids listed?

Every string here is safe to show once escaped: URLs are redacted (no user info, no query), key
information is a status and a sentence, never a value. Server-provided strings (model ids,
suggestions) still need :func:`catalogmgr.render.escape.terminal` before reaching a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from catalogmgr.providers.probe import ProbeResult


class PingStatus(StrEnum):
    """The verdict for one endpoint."""

    OK = "ok"  # 200 and every configured id listed
    MISSING_MODELS = "missing-models"  # 200, but some configured ids are not listed
    UNAUTHORIZED = "unauthorized"  # 401 / 403: the key (or its absence) is refused
    NOT_FOUND = "not-found"  # 404: most often a wrong base path (/v1 missing or doubled)
    REDIRECTED = "redirected"  # 3xx: not followed (a key is never sent to another URL)
    HTTP_ERROR = "http-error"  # any other status
    BAD_RESPONSE = "bad-response"  # 200 with a body that is not a model list
    UNREACHABLE = "unreachable"  # no HTTP answer: dns / tls / timeout / refused / broken
    INVALID_HEADER = "invalid-header"  # a resolved key or header value HTTP cannot carry
    SKIPPED = "skipped"  # an api ping cannot check with one plain request
    UNCHECKED = "unchecked"  # the key is unknown without running a command / reading a login


BROKEN = frozenset(
    {
        PingStatus.MISSING_MODELS,
        PingStatus.UNAUTHORIZED,
        PingStatus.NOT_FOUND,
        PingStatus.REDIRECTED,
        PingStatus.HTTP_ERROR,
        PingStatus.BAD_RESPONSE,
        PingStatus.UNREACHABLE,
        PingStatus.INVALID_HEADER,
    }
)


@dataclass(frozen=True)
class MissingModel:
    """A configured id the server does not list, and the closest id it does list."""

    model_id: str
    suggestion: str | None


@dataclass(frozen=True)
class EndpointResult:
    """One model-list request and what it showed."""

    api: str
    url: str  # redacted
    route: str
    status: PingStatus
    detail: str
    reach: str | None = None  # dns / tls / timeout / refused / broken / ... when unreachable
    http_status: int | None = None
    latency_ms: float | None = None
    listed: int | None = None
    more_pages: bool = False
    configured: tuple[str, ...] = ()
    present: tuple[str, ...] = ()
    missing: tuple[MissingModel, ...] = ()
    probe: ProbeResult | None = None  # with --probe: the one-token chat request

    @property
    def broken(self) -> bool:
        return self.status in BROKEN or (self.probe is not None and not self.probe.ok)

    def to_dict(self) -> dict[str, Any]:
        """The JSON record of this endpoint."""
        return {
            "api": self.api,
            "url": self.url,
            "route": self.route,
            "status": self.status.value,
            "detail": self.detail,
            "reach": self.reach,
            "httpStatus": self.http_status,
            "latencyMs": None if self.latency_ms is None else round(self.latency_ms, 1),
            "listed": self.listed,
            "morePages": self.more_pages,
            "configured": list(self.configured),
            "present": list(self.present),
            "missing": [{"id": item.model_id, "didYouMean": item.suggestion} for item in self.missing],
            "probe": None if self.probe is None else self.probe.to_dict(),
        }


@dataclass(frozen=True)
class ProviderResult:
    """Every endpoint of one provider, with how its key resolved (never its value)."""

    provider: str
    configured: bool
    key_status: str
    key_detail: str
    endpoints: tuple[EndpointResult, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = ()

    @property
    def broken(self) -> bool:
        return any(endpoint.broken for endpoint in self.endpoints)

    @property
    def status(self) -> str:
        """The provider's overall verdict: the worst endpoint status, ``ok`` when all are fine."""
        for endpoint in self.endpoints:
            if endpoint.broken:
                return endpoint.status.value if endpoint.status in BROKEN else "probe-failed"
        statuses = {endpoint.status for endpoint in self.endpoints}
        if statuses and statuses <= {PingStatus.SKIPPED}:
            return PingStatus.SKIPPED.value
        if PingStatus.UNCHECKED in statuses:
            return PingStatus.UNCHECKED.value
        return PingStatus.OK.value

    def to_dict(self) -> dict[str, Any]:
        """The JSON record of this provider."""
        return {
            "provider": self.provider,
            "configured": self.configured,
            "status": self.status,
            "key": {"status": self.key_status, "detail": self.key_detail},
            "notes": list(self.notes),
            "endpoints": [endpoint.to_dict() for endpoint in self.endpoints],
        }


def exit_code(results: list[ProviderResult]) -> int:
    """0 when nothing is broken, 1 otherwise (3, could not run, is raised as an error earlier)."""
    return 1 if any(result.broken for result in results) else 0
