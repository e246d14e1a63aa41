"""``catalogmgr keys``: how each provider's API key would resolve, without printing a secret.

The environment OMP sees is the process environment plus its dotenv files, each filling only
variables that are unset or empty, earlier files first: the project's (the current directory's
``.env.<mode>.local``, ``.env.local``, ``.env.<mode>``, ``.env``, which Bun loads before OMP
starts; ``<mode>`` is ``$NODE_ENV`` or ``development``), then ``<agent dir>/.env``,
``~/.omp/.env`` and ``~/.env`` (OMP's own order). ``--no-dotenv`` uses the process environment
alone. Values read from those files are secrets like any other: never printed.
"""

from __future__ import annotations

import difflib
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from catalogmgr.catalog import agent_dir
from catalogmgr.cli import _common
from catalogmgr.cli._common import (
    build_effective,
    catalog_source_options,
    cli_environment,
    echo,
    inputs_record,
    output_options,
    terminal_width,
)
from catalogmgr.errors import EXIT_OK, EXIT_PROBLEMS, NotFoundError
from catalogmgr.keys import (
    Environment,
    layer_environment,
    parse_dotenv,
    problems_exit_code,
    report_keys,
    unusable_summary,
)
from catalogmgr.render.catalog import render_json_document
from catalogmgr.render.views import keys_summary, keys_table

# A .env file is a few hundred bytes; anything huge is not one (and is not read).
MAX_DOTENV_BYTES = 1024 * 1024


def dotenv_paths(env: Mapping[str, str], home: Path, cwd: Path) -> list[Path]:
    """The dotenv files OMP's environment is built from, earliest (winning) first."""
    mode = env.get("NODE_ENV") or "development"
    project = [f".env.{mode}.local", ".env.local", f".env.{mode}", ".env"]
    if mode == "test":  # Bun skips .env.local under NODE_ENV=test
        project.remove(".env.local")
    paths = [cwd / name for name in project]
    paths += [agent_dir(env, home) / ".env", home / ".omp" / ".env", home / ".env"]
    return list(dict.fromkeys(paths))


def _display(path: Path, home: Path) -> str:
    try:
        return "~/" + str(path.relative_to(home))
    except ValueError:
        return str(path)


def load_environment(env: Mapping[str, str], home: Path, cwd: Path, *, dotenv: bool) -> Environment:
    """The process environment plus the dotenv files OMP would read (unreadable ones skipped, as OMP does)."""
    files: list[tuple[str, Mapping[str, str]]] = []
    if dotenv:
        for path in dotenv_paths(env, home, cwd):
            values = _read_dotenv(path)
            if values is not None:
                files.append((_display(path, home), values))
    return layer_environment(env, files)


def _read_dotenv(path: Path) -> dict[str, str] | None:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_DOTENV_BYTES:
            return None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return parse_dotenv(text.removeprefix("\ufeff"))


@click.command("keys")
@catalog_source_options
@click.option("--provider", "providers", metavar="P", multiple=True, help="Only this provider (repeatable).")
@output_options(
    ["text", "json"], "text: a table for people (`table`: the same); json ({base, overlays, keys: [...]})."
)
@click.option(
    "--check",
    is_flag=True,
    help="For CI and scripts: print nothing on stdout, one located line per unusable key on "
    "stderr, and exit 1 if there is any.",
)
@click.option(
    "--allow-commands",
    is_flag=True,
    help="Run `!command` values (10 s timeout each, like OMP) to see whether they produce a key. "
    "Off by default: an overlay from elsewhere could run anything.",
)
@click.option(
    "--configured-only",
    is_flag=True,
    help="Only the providers the overlays configure (not every bundled provider).",
)
@click.option(
    "--no-dotenv",
    is_flag=True,
    help="Use the process environment alone, not the .env files OMP also reads.",
)
def keys(
    base: str | None,
    overlays: tuple[str, ...],
    no_default_overlay: bool,
    providers: tuple[str, ...],
    output_format: str,
    check: bool,
    allow_commands: bool,
    configured_only: bool,
    no_dotenv: bool,
) -> None:
    """Report how each provider's API key (and header values) would resolve in OMP.

    OMP's rule for apiKey and header values: `!command` runs the command (its trimmed output);
    otherwise the environment variable of exactly that name when set and non-empty; otherwise
    the text itself, literally. Values are shown masked (sk-or-…9f2c), never in full. Commands
    run only with --allow-commands. Variables come from the environment and, like OMP, from
    the .env files of the current directory, the agent directory (~/.omp/agent/.env),
    ~/.omp/.env and ~/.env (--no-dotenv: the environment alone).

    \b
    Statuses: env, env-unset (the name would be sent literally), command-not-run, command-ok,
    command-failed, literal, unsupported-syntax ($VAR, ${VAR}, env:VAR, {env:VAR}), missing,
    login (an `omp /login` credential may exist; not inspected), computed (AWS/Google
    credential chains; not inspected), not-needed (auth: none/oauth, or a credential header).

    \b
    Exit codes: 0 every key the overlays configure can work (or cannot be known without running
    a command); 1 at least one of them cannot: env-unset, unsupported-syntax, command-failed, or
    missing (a provider OMP has no other way to authenticate); 3 an input could not be read.
    Bundled providers the overlays do not mention never change the exit code, nor does an unset
    variable name for a local (loopback) server, nor anything under auth: none / oauth.
    """
    env, home = cli_environment()
    base_catalog, layers, result = build_effective(
        base, overlays, env, home, no_default_overlay=no_default_overlay, policies=False
    )
    if not check:
        _common.report_inputs(base_catalog, layers, result.problems)
    environment = load_environment(env, home, Path(os.getcwd()), dotenv=not no_dotenv)
    bundled = [] if configured_only else list(result.catalog)
    reports = report_keys(
        layers,
        environment.variables,
        bundled_providers=bundled,
        allow_commands=allow_commands,
        env_sources=environment.sources,
    )
    if providers:
        known = list(dict.fromkeys([*(report.provider for report in reports), *result.catalog]))
        for wanted in providers:
            if wanted not in known:
                raise NotFoundError(
                    f"no provider {wanted!r} in the overlays or the catalog{_suggest(wanted, known)}"
                )
        reports = [report for report in reports if report.provider in providers]
    code = problems_exit_code(reports)
    if check:
        for line in unusable_summary(reports):
            echo(line, err=True, one_line=True)
    elif output_format == "json":
        record = inputs_record(base_catalog, layers)
        record["allowCommands"] = allow_commands
        record["dotenv"] = sorted(set(environment.sources.values()))
        record["keys"] = [report.to_dict() for report in reports]
        record["unusable"] = sum(report.is_problem for report in reports)
        echo(render_json_document(record), output_format="json")
    else:
        if reports:
            echo(keys_table(reports, width=terminal_width()))
        echo(keys_summary(reports, allow_commands), err=True, note=True)
    click.get_current_context().exit(EXIT_PROBLEMS if code else EXIT_OK)


def _suggest(wanted: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.6)
    return "; did you mean " + " or ".join(repr(name) for name in close) + "?" if close else ""
