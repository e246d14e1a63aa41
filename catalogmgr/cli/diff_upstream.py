"""``catalogmgr diff-upstream``: compare the effective catalog with OpenRouter or models.dev.

The adapter around the pipeline: effective catalog (:mod:`catalogmgr.cli._common`) -> listing
(:mod:`catalogmgr.upstream.fetch`: file, cache or network) -> :func:`catalogmgr.drift.diff.diff_catalog`
-> ignore rules -> filters -> renderer on stdout; with ``--write-overlay``, the fix
(:mod:`catalogmgr.drift.fixes`), validated and checked by merging it before it is written.

Tests inject the retry sleep and the HTTP transport through :data:`SLEEP` and :data:`TRANSPORT`.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from catalogmgr.cli._common import (
    NON_BLOCKING_RULES,
    BoundedInteger,
    FiniteNumber,
    RelativeTolerance,
    build_effective,
    catalog_source_options,
    chosen_profile,
    cli_environment,
    echo,
    inputs_record,
    output_options,
    report_inputs,
)
from catalogmgr.drift.check import DriftQuery, check_drift
from catalogmgr.drift.diff import (
    COMPARED_FIELDS,
    KINDS,
    DiffOptions,
    DriftReport,
    parse_field_selection,
    resolve_mapping,
)
from catalogmgr.drift.ignore import IgnoreFileError, load_ignore_file
from catalogmgr.drift.write import CatalogSide
from catalogmgr.errors import EXIT_OK, EXIT_PROBLEMS, NotFoundError, UsageError
from catalogmgr.omp.profile import DEFAULT_PROFILE
from catalogmgr.render.drift import DRIFT_RENDERERS, FORMAT_CHOICES
from catalogmgr.render.escape import terminal
from catalogmgr.upstream.cache import ListingCache, default_cache_dir
from catalogmgr.upstream.fetch import SOURCES, FetchOptions, SourceSpec, fetch_listing, load_listing_file
from catalogmgr.upstream.listing import UpstreamListing
from catalogmgr.upstream.normalize import DEFAULT_TOLERANCE

if TYPE_CHECKING:  # httpx costs ~50 ms to import: only runs that fetch pay for it
    import httpx

    from catalogmgr.upstream.http import HttpClient

# Keep in step with catalogmgr.upstream.http.DEFAULT_TIMEOUT (not imported: see above).
DEFAULT_TIMEOUT = 30.0

# Injection points for tests (the core takes these as arguments; the CLI reads them here).
SLEEP: Callable[[float], None] = time.sleep
TRANSPORT: httpx.BaseTransport | None = None


class _StderrProgress:
    """Progress on stderr: a live byte count on a terminal only; retry notices always."""

    def __init__(self, terminal: bool) -> None:
        self.terminal = terminal
        self._started = 0.0
        self._drawn = False

    def started(self, url: str) -> None:
        self._started = time.monotonic()

    def received(self, url: str, received: int, total: int | None) -> None:
        # Only for slow fetches: a fast one should not flash a line.
        if not self.terminal or time.monotonic() - self._started < 0.5:
            return
        # \x1b[K erases the rest of the line; color=True because click strips escape codes unless
        # told otherwise, and this is only ever drawn on a terminal.
        size = f"{received / 1024:,.0f} KiB" + (f" of {total / 1024:,.0f} KiB" if total else "")
        click.echo(f"\rcatalogmgr: fetching {terminal(url)}: {size}\x1b[K", err=True, nl=False, color=True)
        self._drawn = True

    def retrying(self, url: str, reason: str, delay: float) -> None:
        self._clear()
        echo(f"catalogmgr: {url}: {reason}; retrying in {delay:g} s", err=True)

    def finished(self, url: str) -> None:
        self._clear()

    def _clear(self) -> None:
        if self._drawn:
            click.echo("\r\x1b[K", err=True, nl=False, color=True)
            self._drawn = False


def _split_values(values: Sequence[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _parse_maps(values: Sequence[str]) -> list[tuple[str, str | None]]:
    pairs: list[tuple[str, str | None]] = []
    for value in values:
        upstream, equals, local = value.partition("=")
        if not equals or not upstream.strip():
            raise UsageError(f"--map expects UPSTREAM=LOCAL (or UPSTREAM= to drop one), got {value!r}")
        pairs.append((upstream.strip(), local.strip() or None))
    return pairs


def _options(fields: Sequence[str], tolerance: Decimal | None, all_models: bool) -> DiffOptions:
    try:
        chosen = parse_field_selection(fields) if fields else COMPARED_FIELDS
    except ValueError as error:
        raise UsageError(f"--fields: {error}") from None
    if not chosen:
        raise UsageError("--fields selects no field")
    relative = DEFAULT_TOLERANCE if tolerance is None else tolerance
    return DiffOptions(fields=chosen, tolerance=relative, include_non_tool=all_models)


def _listing(
    spec: SourceSpec,
    *,
    upstream_url: str | None,
    upstream_file: str | None,
    offline: bool,
    force: bool,
    max_age: float,
    cache_dir: str | None,
    timeout: float,
    retries: int,
    env: dict[str, str],
) -> UpstreamListing:
    if upstream_file is not None:
        return load_listing_file(spec, upstream_file)
    url = upstream_url or spec.default_url
    cache = ListingCache(Path(cache_dir) if cache_dir else default_cache_dir(env))
    progress = _StderrProgress(terminal=sys.stderr.isatty())

    def client() -> HttpClient:
        from catalogmgr.upstream.http import HttpClient, RetryPolicy

        return HttpClient(
            transport=TRANSPORT,
            timeout=timeout,
            retry=RetryPolicy(attempts=retries + 1),
            sleep=SLEEP,
            progress=progress,
        )

    return fetch_listing(
        spec,
        url,
        client=client,
        cache=cache,
        options=FetchOptions(offline=offline, force=force, max_age=max_age),
    )


@click.command("diff-upstream")
@catalog_source_options
@click.option(
    "--source",
    type=click.Choice(list(SOURCES)),
    default="openrouter",
    show_default=True,
    help="The upstream listing to compare with.",
)
@click.option(
    "--upstream-url",
    metavar="URL",
    default=None,
    help="Fetch the listing from URL (a mirror or a test server) instead of the source's own.",
)
@click.option(
    "--upstream-file",
    metavar="FILE",
    default=None,
    help='Read a saved response instead of fetching (OpenRouter: {"data": [...]} with or '
    "without total_count/links, or a bare array; models.dev: its api.json).",
)
@click.option(
    "--map",
    "maps",
    metavar="UPSTREAM=LOCAL",
    multiple=True,
    help="Which catalog provider an upstream provider describes; repeatable. UPSTREAM= drops "
    "one. Defaults: OpenRouter -> openrouter; models.dev -> OMP 18.2.3's own table.",
)
@click.option(
    "--provider",
    "providers",
    metavar="NAME",
    multiple=True,
    help="Compare only these catalog providers (repeatable or comma-separated).",
)
@click.option(
    "--only",
    "kinds",
    metavar="KIND",
    multiple=True,
    help="Report only these kinds: new, changed, removal, gone (repeatable or comma-separated).",
)
@click.option(
    "--match",
    "match",
    metavar="REGEX",
    default=None,
    help="Report only models whose local or upstream id matches REGEX (Python syntax, searched).",
)
@click.option(
    "--fields",
    "fields",
    metavar="LIST",
    multiple=True,
    help="Compare only these fields: " + ", ".join(COMPARED_FIELDS) + ", or cost (all prices).",
)
@click.option(
    "--ignore-file",
    metavar="FILE",
    default=None,
    help="Accepted differences, each with a reason (YAML; format below).",
)
@click.option(
    "--tolerance",
    metavar="REL",
    type=RelativeTolerance(),
    default=None,
    help="Relative tolerance for prices: 0.01 or 1% ignores changes under 1%. Default: 1e-9 "
    "(float noise only).",
)
@click.option(
    "--all-models",
    is_flag=True,
    help="Also report upstream models without tool support as new (OMP's generators skip them).",
)
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="Hide nothing: also show cosmetic name changes, maxTokens within OMP's headroom, placeholder "
    "removal dates, deprecated new models and gone models of providers OMP lists from elsewhere.",
)
@click.option(
    "--include-gone",
    is_flag=True,
    help="Also list gone models of providers whose OMP rows come from elsewhere (models.dev's aggregators).",
)
@output_options(
    list(FORMAT_CHOICES),
    "Output format: text, json (stable shape), markdown (for a PR), github (workflow annotations).",
)
@click.option(
    "--write-overlay",
    metavar="FILE",
    default=None,
    help="Write a models.yml overlay that adds the new models and overrides the changed fields reported "
    "(after --only/--match/--ignore-file); an existing FILE is updated in place (comments, order and "
    "your own values kept; missing directories created). It is validated and checked by merging before "
    "it is written. Gone models are never removed.",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="With --write-overlay: replace values you wrote in FILE too (by default they are kept, "
    "each reported).",
)
@click.option("--offline", is_flag=True, help="Use the cached listing only; never touch the network.")
@click.option(
    "--force", is_flag=True, help="Accept a listing that shrank to less than half of the cached one."
)
@click.option(
    "--max-age",
    metavar="SECONDS",
    type=FiniteNumber(0, 10 * 365 * 24 * 3600),
    default=3600.0,
    show_default=True,
    help="Reuse a cached listing younger than this without asking the server (0: always ask).",
)
@click.option(
    "--cache-dir",
    metavar="DIR",
    default=None,
    help="Cache directory. Default: $XDG_CACHE_HOME/catalogmgr or the platform's user cache.",
)
@click.option(
    "--timeout",
    metavar="SECONDS",
    type=FiniteNumber(0, 3600, minimum_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Network timeout: the longest silence allowed while connecting or reading (per read, "
    "not a deadline for the whole request).",
)
@click.option(
    "--retries",
    metavar="N",
    type=BoundedInteger(0, 10),
    default=3,
    show_default=True,
    help="Retries on connection errors, 429 and 5xx (exponential backoff).",
)
@click.pass_context
def diff_upstream(
    ctx: click.Context,
    base: str | None,
    overlays: tuple[str, ...],
    no_default_overlay: bool,
    source: str,
    upstream_url: str | None,
    upstream_file: str | None,
    maps: tuple[str, ...],
    providers: tuple[str, ...],
    kinds: tuple[str, ...],
    match: str | None,
    fields: tuple[str, ...],
    ignore_file: str | None,
    tolerance: Decimal | None,
    all_models: bool,
    show_all: bool,
    include_gone: bool,
    output_format: str,
    write_overlay: str | None,
    overwrite: bool,
    offline: bool,
    force: bool,
    max_age: float,
    cache_dir: str | None,
    timeout: float,
    retries: int,
) -> None:
    """Compare the effective catalog with OpenRouter or models.dev and propose the overlay that fixes it.

    Reports models new upstream, gone upstream, scheduled for removal, and changed fields (name,
    contextWindow, maxTokens, each price, input, reasoning) with old -> new and the relative change.
    Each catalog provider is compared only with the upstream that describes it (--map).
    By default what nobody can act on is hidden and counted on one "hidden:" line: cosmetic name
    changes, maxTokens within OMP's headroom, placeholder removal dates, deprecated new models,
    gone models of providers OMP lists from elsewhere (--all, --include-gone show them).

    \b
    Examples:
      catalogmgr diff-upstream                                   # openrouter, installed OMP + models.yml
      catalogmgr diff-upstream --source models.dev --provider minimax
      catalogmgr diff-upstream --source models.dev --provider minimax --only new \\
          --write-overlay ~/.omp/agent/models.yml                # MiniMax M3 on MiniMax's own API
      catalogmgr diff-upstream --only new --match minimax --write-overlay ~/.omp/agent/models.yml
      catalogmgr diff-upstream --upstream-file models.json --format markdown > drift.md

    \b
    Ignore file (--ignore-file), one rule per accepted difference:
      version: 1
      ignore:
        - provider: openrouter          # catalog provider (default: any)
          model: minimax/minimax-m3*    # local or upstream id, glob (default: any)
          kind: changed                 # new | changed | removal | gone (default: any)
          field: contextWindow          # changed only: a field, or cost (default: all)
          upstream: 1048576             # only while upstream says exactly this
          source: openrouter            # openrouter | models.dev (default: any)
          until: 2026-12-31             # stops applying after this day
          reason: MiniMax's endpoint serves 1,000,000   # required

    Exit codes: 0 no drift; 1 drift found (also with --write-overlay: it reports what it fixed);
    2 usage error; 3 could not run (network, unreadable input, unexpected response, refused write).
    """
    if upstream_file is not None and (upstream_url is not None or offline):
        raise UsageError(
            "--upstream-file reads a saved listing: it cannot be combined with --upstream-url or --offline"
        )
    if timeout <= 0:
        raise UsageError("--timeout must be positive")
    if max_age < 0:
        raise UsageError("--max-age cannot be negative")
    kind_list = _split_values(kinds)
    unknown_kinds = [kind for kind in kind_list if kind not in KINDS]
    if unknown_kinds:
        raise UsageError(f"--only: unknown kind {unknown_kinds[0]!r}; one of {', '.join(KINDS)}")
    pattern: re.Pattern[str] | None = None
    if match is not None:
        try:
            pattern = re.compile(match)
        except re.error as error:
            raise UsageError(f"--match: invalid regular expression: {error}") from None
    options = _options(fields, tolerance, all_models)
    spec = SOURCES[source]
    mapping = resolve_mapping(spec.default_map, _parse_maps(maps))
    provider_list = _split_values(providers)
    for provider in provider_list:
        if provider not in mapping:
            raise UsageError(
                f"--provider {provider}: {source} does not describe it by default;"
                f" add --map UPSTREAM={provider}"
            )
    if provider_list:
        mapping = {local: upstream for local, upstream in mapping.items() if local in provider_list}
    if write_overlay is not None and Path(write_overlay).suffix.lower() in {".json", ".jsonc"}:
        raise UsageError("--write-overlay writes YAML: give a .yml file")
    rules = _load_rules(ignore_file)

    env, home = cli_environment()
    base_catalog, layers, result = build_effective(
        base, overlays, env, home, no_default_overlay=no_default_overlay, policies=False
    )
    report_inputs(base_catalog, layers, result.problems)
    for provider in provider_list:
        if provider not in result.catalog:
            raise NotFoundError(f"--provider {provider}: no such provider in the effective catalog")

    listing = _listing(
        spec,
        upstream_url=upstream_url,
        upstream_file=upstream_file,
        offline=offline,
        force=force,
        max_age=max_age,
        cache_dir=cache_dir,
        timeout=timeout,
        retries=retries,
        env=env,
    )
    query = DriftQuery(
        mapping=mapping,
        today=date.today(),
        options=options,
        rules=rules,
        kinds=kind_list,
        match=pattern,
        show_all=show_all,
        show_names=bool(fields) and "name" in options.fields,
        include_gone=include_gone,
        inputs=inputs_record(base_catalog, layers),
    )
    report = check_drift(result.catalog, listing, query)
    echo(DRIFT_RENDERERS[output_format](report), nl=False, output_format=output_format)
    if write_overlay is not None:
        side = CatalogSide(base_catalog.catalog, base_catalog.source, layers, result.catalog)
        _write_overlay(write_overlay, report, side, listing, query, overwrite=overwrite)
    ctx.exit(EXIT_PROBLEMS if report.has_drift else EXIT_OK)


def _load_rules(ignore_file: str | None) -> list[Any]:
    if ignore_file is None:
        return []
    try:
        return load_ignore_file(ignore_file)
    except IgnoreFileError as error:
        for problem in error.problems:
            echo(problem.to_line(), err=True, one_line=True)
        raise


def _write_overlay(
    path: str,
    report: DriftReport,
    side: CatalogSide,
    listing: UpstreamListing,
    query: DriftQuery,
    *,
    overwrite: bool,
) -> None:
    """Run the core's build-check-write and say on stderr what it did."""
    from catalogmgr.drift.write import OverlayNotValid, write_overlay
    from catalogmgr.omp.apis import overlay_apis

    choice = chosen_profile()
    profile = choice.profile if choice is not None else DEFAULT_PROFILE
    try:
        result = write_overlay(
            path,
            report,
            side,
            listing,
            query,
            profile=profile,
            accepted_apis=overlay_apis(profile),
            non_blocking_rules=NON_BLOCKING_RULES,
            overwrite=overwrite,
        )
    except OverlayNotValid as error:
        for problem in error.problems:
            echo(problem.to_line(), err=True, one_line=True)
        raise
    for note in result.notes:
        echo(f"catalogmgr: {note}", err=True, note=True)
    if result.written:
        echo(
            f"catalogmgr: wrote {path}: {result.new_models} new model(s), {result.updated} model(s) updated",
            err=True,
        )
    for warning in result.warnings:
        echo(f"catalogmgr: warning: {terminal(warning)}", err=True)
