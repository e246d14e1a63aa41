"""``catalogmgr doctor``: the whole setup at a glance (see :mod:`catalogmgr.doctor`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import click

from catalogmgr.cli._common import (
    cli_environment,
    echo,
    omp_version_option,
    output_options,
    requested_omp_version,
)
from catalogmgr.cli.keys import load_environment
from catalogmgr.doctor import DoctorInputs, DoctorReport, diagnose
from catalogmgr.errors import EXIT_OK, EXIT_PROBLEMS
from catalogmgr.render.doctor import render_doctor_json, render_doctor_text


@click.command("doctor")
@output_options(["text", "json"], "json: one document for a bug report (no secret in it: keys are masked).")
@click.option(
    "--base",
    metavar="PATH",
    default=None,
    help="The base catalog to check against. Default: as merge ($CATALOGMGR_BASE, the installed "
    "OMP's, else the embedded catalog).",
)
@click.option(
    "--no-dotenv", is_flag=True, help="Resolve keys from the environment alone, not OMP's .env files."
)
@click.option(
    "--ping",
    is_flag=True,
    help="Also ping every provider models.yml configures (`catalogmgr ping`): talks to the network, "
    "so it is off by default.",
)
@omp_version_option()
def doctor(output_format: str, base: str | None, no_dotenv: bool, ping: bool) -> None:
    """Check the setup OMP will run with, and say how to fix what is wrong.

    Looks at the installed OMP (where, which version, which profile), the base catalog, the
    models.yml OMP reads and its verdict, the keys it configures that cannot work (masked), the
    OMP settings that change the model list (~/.omp/agent/config.yml) and the age of the cached
    upstream listings. Never touches the network (unless --ping) and never runs a `!command` key.

    \b
    Exit codes: 0 nothing would break OMP (warnings allowed); 1 something would (a models.yml
    OMP rejects, a configured key that cannot work, an unreadable base catalog); 2 usage error.
    """
    env, home = cli_environment()
    from catalogmgr.upstream.cache import default_cache_dir

    environment = load_environment(env, home, Path(os.getcwd()), dotenv=not no_dotenv)
    inputs = DoctorInputs(
        env=env,
        home=home,
        now=datetime.now(UTC),
        cache_dir=default_cache_dir(env),
        key_env=environment.variables,
        key_env_sources=environment.sources,
        base=base,
        requested_version=requested_omp_version(),
    )
    report = diagnose(inputs)
    if ping:
        report = _with_pings(report, base, env, home, environment.variables)
    if output_format == "json":
        echo(render_doctor_json(report), output_format="json")
    else:
        echo(render_doctor_text(report), nl=False)
    click.get_current_context().exit(EXIT_PROBLEMS if report.broken else EXIT_OK)


def _with_pings(
    report: DoctorReport, base: str | None, env: dict[str, str], home: Path, key_env: Mapping[str, str]
) -> DoctorReport:
    """``report`` plus one finding from pinging the configured providers (``--ping``)."""
    import dataclasses

    from catalogmgr.cli._common import build_effective
    from catalogmgr.doctor import Finding, Status
    from catalogmgr.errors import CatalogmgrError
    from catalogmgr.providers.doctor import ping_finding
    from catalogmgr.providers.ping import ping_catalog
    from catalogmgr.upstream.http import HttpClient

    try:
        _, layers, result = build_effective(base, (), env, home)
    except CatalogmgrError as error:
        finding = Finding("providers", Status.INFO, f"not pinged: {error}")
    else:
        with HttpClient(timeout=10.0) as client:
            finding = ping_finding(ping_catalog(result.catalog, layers, key_env, client))
    return dataclasses.replace(report, findings=(*report.findings, finding))
