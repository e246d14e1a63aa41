"""Which endpoints ``ping`` talks to, and with which credentials, from the effective catalog.

One provider may serve models from several endpoints (a bundled provider whose overlay moves only
some apis to a new baseUrl): its models are grouped by ``(api, baseUrl)`` and each group is one
endpoint, pinged once. The key is resolved as OMP resolves it (:mod:`catalogmgr.keys`): the
overlay's ``apiKey`` (a ``!command`` only when allowed), else OMP's own environment lookup for a
bundled provider. Header values resolve the same way. Resolved values live only in the plan's
:class:`Credential` objects, whose ``repr`` never shows them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from catalogmgr.keys import (
    CommandResult,
    CommandRunner,
    KeyStatus,
    Resolution,
    bundled_env_lookup,
    is_loopback_url,
    resolve_value,
    run_shell_command,
)
from catalogmgr.merge import Layer, compose_overlays


@dataclass(frozen=True)
class Credential:
    """A resolved apiKey: how it resolved (printable) and the value (never printed)."""

    status: KeyStatus
    detail: str
    value: str | None = field(default=None, repr=False)
    env_name: str | None = None

    @property
    def known(self) -> bool:
        """Whether catalogmgr knows what OMP would send (``False``: a command not run, a login)."""
        return self.status not in {KeyStatus.COMMAND_NOT_RUN, KeyStatus.LOGIN, KeyStatus.COMPUTED}


@dataclass(frozen=True)
class Endpoint:
    """One ``(api, baseUrl)`` of a provider and the ids the catalog expects it to serve."""

    api: str
    base_url: str
    model_ids: tuple[str, ...]
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)  # resolved values: secret
    unresolved_headers: tuple[str, ...] = ()  # header names whose value a !command would give
    is_oauth: bool = False  # OMP shapes these requests as OAuth (custom anthropic-messages models)


@dataclass(frozen=True)
class ProviderPlan:
    """What to ping for one provider."""

    provider: str
    configured: bool  # an overlay mentions it (else: --all)
    credential: Credential
    auth_header: bool
    auth_mode: str | None
    discovery: Mapping[str, Any] | None
    endpoints: tuple[Endpoint, ...]
    loopback: bool


def _composed_providers(layers: Sequence[Layer]) -> dict[str, Mapping[str, Any]]:
    composed = compose_overlays(layers)
    providers = composed.get("providers") if isinstance(composed, Mapping) else None
    if not isinstance(providers, Mapping):
        return {}
    return {str(name): config for name, config in providers.items() if isinstance(config, Mapping)}


def _credential(resolution: Resolution) -> Credential:
    return Credential(resolution.status, resolution.detail, resolution.value, resolution.env_name)


def plan_pings(
    catalog: Mapping[str, Mapping[str, Mapping[str, Any]]],
    layers: Sequence[Layer],
    env: Mapping[str, str],
    *,
    providers: Sequence[str] = (),
    include_all: bool = False,
    allow_commands: bool = False,
    runner: CommandRunner = run_shell_command,
) -> list[ProviderPlan]:
    """The providers to ping: those the overlays configure (every one with ``include_all``),
    narrowed to ``providers`` when given; configured providers first, in file order."""
    configs = _composed_providers(layers)
    names = list(configs)
    if include_all or providers:
        names += [name for name in catalog if name not in configs]
    if providers:
        names = [name for name in names if name in providers]
    cache: dict[str, CommandResult] = {}
    plans: list[ProviderPlan] = []
    for name in names:
        config = configs.get(name, {})
        models = catalog.get(name, {})
        api_key = config.get("apiKey")
        auth_mode = config.get("auth") if isinstance(config.get("auth"), str) else None
        if isinstance(api_key, str) and api_key:
            credential = _credential(
                resolve_value(api_key, env, allow_commands=allow_commands, runner=runner, cache=cache)
            )
        elif auth_mode == "none":
            credential = Credential(KeyStatus.NOT_NEEDED, "auth: none")
        elif auth_mode == "oauth":
            credential = Credential(
                KeyStatus.LOGIN, "auth: oauth: OMP uses an `omp /login` credential (not inspected)"
            )
        else:
            lookup = bundled_env_lookup(name, env)
            credential = (
                _credential(lookup)
                if lookup is not None
                else Credential(KeyStatus.MISSING, "no apiKey configured and OMP knows no variable for it")
            )
        groups: dict[tuple[str, str, bool], list[str]] = {}
        headers_of: dict[tuple[str, str, bool], Mapping[str, Any]] = {}
        for model_id, model in models.items():
            api = model.get("api")
            base_url = model.get("baseUrl")
            if not isinstance(api, str) or not isinstance(base_url, str):
                continue
            group = (api, base_url, model.get("isOAuth") is True)
            groups.setdefault(group, []).append(str(model_id))
            raw_headers = model.get("headers")
            headers_of.setdefault(group, raw_headers if isinstance(raw_headers, Mapping) else {})
        discovery = config.get("discovery") if isinstance(config.get("discovery"), Mapping) else None
        if not groups and discovery is not None:
            # A discovery-only provider: OMP lists its models at run time; ping its list route.
            configured_api = config.get("api")
            configured_url = config.get("baseUrl")
            key = (
                configured_api if isinstance(configured_api, str) else "openai-completions",
                configured_url if isinstance(configured_url, str) else "",
                False,
            )
            raw = config.get("headers")
            groups[key] = []
            headers_of[key] = raw if isinstance(raw, Mapping) else {}
        endpoints: list[Endpoint] = []
        for (api, base_url, is_oauth), ids in groups.items():
            resolved: dict[str, str] = {}
            unresolved: list[str] = []
            for header, value in headers_of[(api, base_url, is_oauth)].items():
                if not isinstance(value, str):
                    continue
                outcome = resolve_value(value, env, allow_commands=allow_commands, runner=runner, cache=cache)
                if outcome.value is not None:
                    resolved[str(header)] = outcome.value
                elif outcome.status is KeyStatus.COMMAND_NOT_RUN:
                    unresolved.append(str(header))
            endpoints.append(Endpoint(api, base_url, tuple(ids), resolved, tuple(unresolved), is_oauth))
        plans.append(
            ProviderPlan(
                provider=name,
                configured=name in configs,
                credential=credential,
                auth_header=config.get("authHeader") is True,
                auth_mode=auth_mode,
                discovery=discovery,
                endpoints=tuple(endpoints),
                loopback=any(is_loopback_url(endpoint.base_url) for endpoint in endpoints),
            )
        )
    return plans
