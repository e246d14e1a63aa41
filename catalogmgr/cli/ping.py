"""``catalogmgr ping``: one real, free request per configured endpoint, to see whether it works."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from catalogmgr.cli import _common
from catalogmgr.cli._common import (
    FiniteNumber,
    build_effective,
    catalog_source_options,
    cli_environment,
    echo,
    inputs_record,
    output_options,
)
from catalogmgr.cli.keys import load_environment
from catalogmgr.errors import EXIT_OK, EXIT_PROBLEMS, NotFoundError
from catalogmgr.render.catalog import render_json_document

if TYPE_CHECKING:  # imported lazily at run time: `catalogmgr --help` must not pay for httpx
    from catalogmgr.providers.ping import Exchanger
    from catalogmgr.providers.plan import ProviderPlan
    from catalogmgr.providers.report import ProviderResult

DEFAULT_PING_TIMEOUT = 10.0


@click.command("ping")
@catalog_source_options
@click.option("--provider", "providers", metavar="P", multiple=True, help="Only this provider (repeatable).")
@click.option(
    "--all", "include_all", is_flag=True, help="Every provider of the catalog, not only configured ones."
)
@output_options(["text", "json"], "text for people; json ({base, overlays, providers: [...]}) for scripts.")
@click.option(
    "--allow-commands",
    is_flag=True,
    help="Run `!command` apiKey/header values (10 s timeout each, like OMP) to get the key. Off by default.",
)
@click.option(
    "--timeout",
    type=FiniteNumber(0.1, 600),
    default=DEFAULT_PING_TIMEOUT,
    show_default=True,
    metavar="S",
    help="Seconds to wait for each server.",
)
@click.option("--no-dotenv", is_flag=True, help="Use the process environment alone, not OMP's .env files.")
@click.option(
    "--probe",
    is_flag=True,
    help="Also send one chat request asking for a single output token per working endpoint (this may "
    "cost money: asks for confirmation unless --yes).",
)
@click.option("--yes", is_flag=True, help="With --probe: do not ask for confirmation.")
def ping(
    base: str | None,
    overlays: tuple[str, ...],
    no_default_overlay: bool,
    providers: tuple[str, ...],
    include_all: bool,
    output_format: str,
    allow_commands: bool,
    timeout: float,
    no_dotenv: bool,
    probe: bool,
    yes: bool,
) -> None:
    """Check each configured provider endpoint for real: reachable, key accepted, models served.

    For every provider the overlays configure (every provider with --all), one GET of its api's
    model-list route per (api, baseUrl): `{baseUrl}/models` for OpenAI-compatible apis,
    `{baseUrl}/v1/models` for anthropic-messages, `{baseUrl}/models` with x-goog-api-key for
    google-generative-ai, `/api/tags` for `discovery: {type: ollama}`. The key resolves as OMP
    resolves it (environment, .env files, literal; `!command` only with --allow-commands) and is
    sent the way OMP sends it (Authorization / X-Api-Key / x-goog-api-key, authHeader, headers).
    Redirects are never followed, so a key only ever goes to the configured host. Nothing that
    costs money is sent (but with --probe). No key or header value is printed.

    \b
    Per endpoint: ok, missing-models (the server does not list a configured id; with a
    did-you-mean from its list), unauthorized (401/403), not-found (404: usually the baseUrl
    path), redirected, http-error, bad-response, unreachable (dns / tls / timeout / refused),
    invalid-header (a key HTTP cannot carry: never sent), probe-failed (with --probe), skipped
    (an api one plain request cannot check: bedrock, vertex, OAuth logins), unchecked (the key
    comes from a !command not run, or an `omp /login`).

    \b
    --probe also sends, after a confirmation (or with --yes), one chat request asking for a single
    output token to one listed model per working endpoint: the only request that may cost money.
    The answer's status is reported, never its text.

    \b
    Exit codes: 0 nothing broken; 1 at least one endpoint broken (or a probe failed); 3 could not
    run (unreadable input, nothing to ping).
    """
    from catalogmgr.omp.rules import did_you_mean
    from catalogmgr.providers.ping import run_pings
    from catalogmgr.providers.plan import plan_pings
    from catalogmgr.providers.report import exit_code
    from catalogmgr.render.escape import terminal
    from catalogmgr.render.providers import ping_summary, render_ping_text
    from catalogmgr.upstream.http import HttpClient

    env, home = cli_environment()
    base_catalog, layers, result = build_effective(
        base, overlays, env, home, no_default_overlay=no_default_overlay
    )
    _common.report_inputs(base_catalog, layers, result.problems)
    known = set(result.catalog)
    for layer in layers:
        configured = layer.data.get("providers")
        if isinstance(configured, dict):
            known.update(str(name) for name in configured)
    for wanted in providers:
        if wanted not in known:
            guess = did_you_mean(wanted, frozenset(known))
            hint = f"; did you mean {terminal(guess)!r}?" if guess else ""
            raise NotFoundError(f"no provider {terminal(wanted)!r} in the overlays or the catalog{hint}")
    environment = load_environment(env, home, Path(os.getcwd()), dotenv=not no_dotenv)
    plans = plan_pings(
        result.catalog,
        layers,
        environment.variables,
        providers=providers,
        include_all=include_all,
        allow_commands=allow_commands,
    )
    if not plans:
        raise NotFoundError(
            "nothing to ping: the overlays configure no provider (name one with --provider, or use --all)"
        )
    with HttpClient(timeout=timeout) as client:
        results = run_pings(plans, client)
        if probe:
            results = _probe(plans, results, client, yes=yes)
    if output_format == "json":
        record = inputs_record(base_catalog, layers)
        record["providers"] = [item.to_dict() for item in results]
        record["broken"] = sum(item.broken for item in results)
        echo(render_json_document(record), output_format="json")
    else:
        echo(render_ping_text(results))
        echo(ping_summary(results), err=True, note=True)
    click.get_current_context().exit(EXIT_PROBLEMS if exit_code(results) else EXIT_OK)


def _probe(
    plans: list[ProviderPlan], results: list[ProviderResult], client: Exchanger, *, yes: bool
) -> list[ProviderResult]:
    """Confirm (unless ``yes``), then send the one-token chat probes."""
    from catalogmgr.providers.probe import plan_probes, run_probes

    targets = plan_probes(plans, results)
    if not targets:
        echo("catalogmgr: --probe: no working endpoint to probe", err=True)
        return results
    if not yes:
        echo("catalogmgr: --probe sends one chat request (1 output token) to each of:", err=True)
        for target in targets:
            echo(f"  {target.describe()}", err=True, one_line=True)
        if not click.confirm("Send them? This may cost money", default=False, err=True):
            echo("catalogmgr: probes not sent", err=True)
            return results
    return run_probes(targets, results, client)
