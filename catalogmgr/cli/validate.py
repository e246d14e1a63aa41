"""``catalogmgr validate`` and ``catalogmgr schema``.

This module is what the pre-commit hook runs, so it imports only what validation needs: no httpx,
no deepdiff (start-up time is the hook's cost on every commit).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import click

from catalogmgr.catalog import agent_dir, base_cannot_answer, default_overlay_paths, locate_base_catalog
from catalogmgr.cli._common import choose_profile, cli_environment, echo, omp_version_option, output_options
from catalogmgr.errors import EXIT_OK, EXIT_PROBLEMS, CatalogmgrError, InputError, UsageError
from catalogmgr.omp.profile import ALL_VERSIONS, Profile
from catalogmgr.omp.schemas import SCHEMA_KINDS, SchemaKind, schema_path, schema_text
from catalogmgr.render import style
from catalogmgr.render.problems import (
    FORMAT_CHOICES,
    PROBLEM_RENDERERS,
    RenderOptions,
    resolve_format,
    summary_line,
)
from catalogmgr.validation import (
    KINDS,
    FileReport,
    Kind,
    check_across_profiles,
    check_document,
    check_path,
    load_failure,
)

STDIN_NAME = "<stdin>"


@click.command("validate")
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option(
    "--kind",
    type=click.Choice(["auto", *KINDS]),
    default="auto",
    show_default=True,
    help="What the files are: a models.yml overlay, a bundled models.json catalog, or guess per file "
    "(a mapping of provider -> id -> model is a catalog; anything else an overlay).",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMAT_CHOICES),
    default="auto",
    show_default=True,
    help="Output format; auto is github inside GitHub Actions (GITHUB_ACTIONS=true), else text.",
)
@output_options(None, quiet=False)
@click.option(
    "--base",
    "base_path",
    metavar="PATH",
    default=None,
    help="The models.json to check modelOverrides ids against (warns about ids it lacks). Default: "
    "the same base as merge: $CATALOGMGR_BASE, else the installed OMP's bundled catalog, else the "
    "embedded catalog.",
)
@click.option("--no-base", is_flag=True, help="Do not check modelOverrides ids against any catalog.")
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Show errors only (and warnings under --strict); no hints, no summary.",
)
@omp_version_option(allow_all=True)
@click.pass_context
def validate(
    ctx: click.Context,
    files: tuple[str, ...],
    kind: str,
    strict: bool,
    output_format: str,
    base_path: str | None,
    no_base: bool,
    quiet: bool,
    omp_version: str | None,
) -> None:
    """Validate models.yml overlays (and models.json catalogs) and report every problem.

    Each problem is one line, FILE:LINE:COL: [error|warning] message (rule-id), followed by a hint
    when there is one. Errors are what the chosen OMP release rejects (it then silently drops every
    provider of the file) plus literal secrets; warnings are mistakes OMP accepts silently: unknown keys (with
    a "did you mean"), providers outside `providers:`, `$VAR`-style key references, and more.
    FILE may be `-` for standard input (read as YAML); without FILE, the overlay OMP reads
    (~/.omp/agent/models.yml, else models.yaml, honouring PI_CODING_AGENT_DIR). modelOverrides ids
    are checked against the same base catalog as `merge` uses (see --base, --no-base).

    A file that cannot be read or parsed is reported as an error of that file, located where
    possible, and the other files are still checked: a validator reports every file.

    A problem other OMP releases do not have says which releases accept the file. With
    `--omp-version all`, the output is instead a compatibility matrix: each file against every
    OMP profile (text, or --format json), exit 1 when some profile rejects a file.

    \b
    Exit codes:
      0  no errors (warnings allowed unless --strict)
      1  errors found (or warnings with --strict), including unreadable files
      2  usage error (also: no FILE and no overlay where OMP reads one)
      3  the --base catalog could not be loaded
    """
    if base_path and no_base:
        raise UsageError("--base and --no-base contradict each other; give one")
    chosen_kind = None if kind == "auto" else cast(Kind, kind)
    env, home = cli_environment()
    if not files:
        files = _default_files(env, home)
    if omp_version is not None and omp_version.strip().lower() == ALL_VERSIONS:
        # Every profile at once: modelOverrides ids are checked only against an explicit --base
        # (an installed OMP's catalog answers for its own release, not for all of them).
        explicit = locate_base_catalog(base_path, env, home) if base_path and not no_base else None
        base, base_name = (explicit.catalog, explicit.source) if explicit else (None, "the base catalog")
        _matrix(ctx, files, chosen_kind, base, base_name, output_format)
        return
    found, unusable = None, None
    if not no_base:
        try:
            found = locate_base_catalog(base_path, env, home)
        except CatalogmgrError as error:
            if base_path:
                raise  # the catalog the user named: exit 3
            # The default base (an installed OMP's catalog) is damaged: the files can still be
            # validated, only the override-id check is skipped (a pre-commit hook keeps working).
            unusable = f"the default base catalog cannot be loaded ({error}); modelOverrides ids not checked"
    choice = choose_profile(env, home, found)
    limit = base_cannot_answer(found, choice.version) if found is not None else None
    usable = found if found is not None and limit is None else None
    base, base_name = (usable.catalog, usable.source) if usable else (None, "the base catalog")
    text_output = resolve_format(output_format, os.environ) == "text"
    if not quiet and text_output:
        # Like the summary line: JSON/SARIF/GitHub outputs keep stderr empty for their callers.
        echo(choice.describe(), err=True)
        if found is not None:
            echo(f"catalogmgr: modelOverrides ids checked against: {found.source}", err=True)
        if limit is not None:
            echo(f"catalogmgr: note: {limit}", err=True)
        if unusable is not None:
            echo(f"catalogmgr: note: {unusable}", err=True)
    profile = choice.profile
    reports: list[FileReport] = []
    for name in files:
        if name == "-":
            reports.append(_check_stdin(chosen_kind, base, base_name, profile, choice.runs))
        else:
            reports.append(
                check_path(
                    name, chosen_kind, base=base, base_name=base_name, profile=profile, runs=choice.runs
                )
            )
    options = RenderOptions(hints=not quiet, warnings=strict or not quiet)
    chosen_format = resolve_format(output_format, os.environ)
    echo(
        PROBLEM_RENDERERS[chosen_format](reports, options),
        nl=False,
        output_format=chosen_format,
        highlight=style.highlight_problems,
    )
    failed = any(report.errors for report in reports) or (
        strict and any(report.warnings for report in reports)
    )
    if not quiet and text_output:
        echo(summary_line(reports), err=True)
    ctx.exit(EXIT_PROBLEMS if failed else EXIT_OK)


def _matrix(
    ctx: click.Context,
    files: tuple[str, ...],
    kind: Kind | None,
    base: Any,
    base_name: str,
    output_format: str,
) -> None:
    """``--omp-version all``: every file under every profile, as a compatibility matrix."""
    from catalogmgr.render.compat import render_matrix_json, render_matrix_text

    chosen_format = resolve_format(output_format, os.environ)
    if chosen_format not in ("text", "json"):
        raise click.UsageError("--omp-version all prints a matrix: use --format text or json")
    rows = []
    for name in files:
        if name == "-":
            raise click.UsageError("--omp-version all reads files, not standard input")
        rows.append((name, check_across_profiles(name, kind, base=base, base_name=base_name)))
    render = render_matrix_json if chosen_format == "json" else render_matrix_text
    echo(render(rows), nl=False, output_format=chosen_format)
    rejected = any(report.errors for _, reports in rows for _, report in reports)
    ctx.exit(EXIT_PROBLEMS if rejected else EXIT_OK)


def _check_stdin(kind: Kind | None, base: Any, base_name: str, profile: Profile, runs: str) -> FileReport:
    from catalogmgr.documents import parse_document, read_stream

    try:
        text = read_stream(sys.stdin.buffer, name=STDIN_NAME)
        document = parse_document(text, name=STDIN_NAME, fmt="yaml")
    except InputError as error:
        return load_failure(STDIN_NAME, error)
    return check_document(document, kind, base=base, base_name=base_name, profile=profile, runs=runs)


def _default_files(env: Mapping[str, str], home: Path) -> tuple[str, ...]:
    """The overlay OMP reads, as the one file to validate; a usage error when there is none."""
    found = default_overlay_paths(env, home)
    if not found:
        raise UsageError(
            f"no FILE given and no overlay where OMP reads one ({agent_dir(env, home) / 'models.yml'}); "
            "name the files to validate"
        )
    return tuple(str(path) for path in found)


@click.command("schema")
@click.argument("kind", type=click.Choice(SCHEMA_KINDS), default="overlay")
@click.option("--path", "show_path", is_flag=True, help="Print the schema file's path instead of its text.")
@output_options(None)
@omp_version_option()
def schema(kind: str, show_path: bool) -> None:
    """Print the JSON Schema for models.yml overlays (default) or models.json catalogs.

    The overlay schema mirrors the chosen OMP release's own checks field for field (one schema per
    OMP profile; stderr says which); use it in an editor with a first line
    `# yaml-language-server: $schema=<path>` (see `--path`), or with check-jsonschema.
    """
    chosen = cast(SchemaKind, kind)
    env, home = cli_environment()
    choice = choose_profile(env, home)
    echo(choice.describe(), err=True, note=True)
    if show_path:
        click.echo(str(Path(schema_path(chosen, choice.profile)).resolve()))
    else:
        click.echo(schema_text(chosen, choice.profile), nl=False)
