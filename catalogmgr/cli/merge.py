"""``catalogmgr merge``, ``list``, ``show`` and ``changes``: the effective catalog and how it came to be.

Every command says on stderr which base catalog and which overlays it used (JSON outputs other
than the catalog itself carry the same facts in fields), then prints the requested output alone
on stdout.
"""

from __future__ import annotations

import dataclasses
import difflib
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from catalogmgr.catalog import BaseCatalog
from catalogmgr.cli import _common
from catalogmgr.cli._common import (
    catalog_source_options,
    cli_environment,
    echo,
    engine_options,
    inputs_record,
    is_terminal_path,
    output_options,
    refuse_overwriting_inputs,
    request_as_written,
    runtime_settings_option,
    terminal_width,
)
from catalogmgr.cli._engine import effective_with_engine
from catalogmgr.documents import atomic_write
from catalogmgr.errors import EXIT_OK, EXIT_PROBLEMS, NotFoundError, UsageError
from catalogmgr.merge import (
    Catalog,
    FieldChange,
    Layer,
    MergeResult,
    catalog_changes,
    compose_overlays,
    merge_catalog,
)
from catalogmgr.omp.policies import discovery_compat_note, load_discovery_refresh, policy_set
from catalogmgr.omp.profile import Profile
from catalogmgr.render import style
from catalogmgr.render.catalog import (
    render_catalog_json,
    render_catalog_yaml,
    render_json_document,
    render_overlay_json,
    render_overlay_yaml,
)
from catalogmgr.render.escape import json_text

F = TypeVar("F", bound=Callable[..., Any])


def _effective(
    base: str | None,
    overlays: Sequence[str],
    no_default_overlay: bool,
    *,
    need_baseline: bool = True,
    provenance: bool = False,
    python_only: str | None = None,
    providers: Collection[str] | None = None,
    report: bool = True,
) -> tuple[BaseCatalog, list[Layer], MergeResult]:
    """Build the effective catalog with the engine chosen (``--engine``) and say on stderr what went
    into it and which engine answered (and every warning). See :mod:`catalogmgr.cli._engine`.

    ``providers`` limits the catalog to the providers a ``show``/``list`` reads (the rest of the
    merge is then skipped); ``report=False`` builds it again silently (see :func:`_whole_catalog`).
    """
    env, home = cli_environment()
    base_catalog, layers, result = effective_with_engine(
        base,
        overlays,
        env,
        home,
        no_default_overlay=no_default_overlay,
        need_baseline=need_baseline,
        provenance=provenance,
        python_only=python_only,
        providers=providers,
    )
    if report:
        _common.report_inputs(base_catalog, layers, result.problems)
    return base_catalog, layers, result


def _whole_catalog(base: str | None, overlays: Sequence[str], no_default_overlay: bool) -> Catalog:
    """The unlimited catalog, built again without a second report: a "did you mean" for a provider
    or model a limited catalog lacks looks at every provider."""
    return _effective(base, overlays, no_default_overlay, report=False)[2].catalog


def _write_or_print(text: str, output: str | None, *, mode: int | None = None) -> None:
    """``-o FILE``: the exact text, atomically (with ``mode`` when given). stdout: the text,
    newline-terminated."""
    if output is not None and output != "-":
        atomic_write(output, text, mode=mode)
        echo(f"catalogmgr: wrote {output}", err=True, note=True)
        return
    # The catalog is data: printed as it is, but a JSON one gets the controls JSON leaves raw
    # written as \uXXXX (the same value), since stdout may be a terminal.
    click.echo(json_text(text) if text.lstrip().startswith("{") else text, nl=not text.endswith("\n"))


# ------------------------------------------------------------------------------------------------
# merge


@click.command("merge")
@catalog_source_options
@engine_options
@runtime_settings_option
@click.option(
    "--emit",
    type=click.Choice(["catalog", "overlay"]),
    default="catalog",
    show_default=True,
    help="catalog: the effective catalog in OMP's models.json shape; overlay: the overlays composed "
    "into one models.yml (comments of the first kept where possible).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "yaml"]),
    default=None,
    help="Output format. Default: json for --emit catalog, yaml for --emit overlay.",
)
@output_options(None)
@click.option(
    "--as-written",
    is_flag=True,
    help="With --emit catalog: the catalog as the files write it, without OMP's runtime model "
    "policies (long-context caps, gpt-5.4's window, ...). Default: the catalog OMP runs.",
)
@click.option(
    "--compact",
    is_flag=True,
    help="With --emit catalog --format json: no indentation, like OMP 16+'s bundled models.json "
    "(default: tab-indented, like OMP 15's).",
)
@click.option(
    "-o", "--output", metavar="FILE", default=None, help="Write to FILE atomically instead of stdout."
)
@click.option(
    "--changes",
    "show_changes",
    is_flag=True,
    help="Print what the overlays change (as `catalogmgr changes` does) on stdout; the merged output "
    "is then written only with -o.",
)
@click.option(
    "--resolve-keys",
    is_flag=True,
    help="Write resolved apiKey and header values (from the environment and OMP's .env files) "
    "instead of their names. The output is then a secret: files get mode 0600, and a terminal "
    "stdout is refused unless --force.",
)
@click.option(
    "--allow-commands",
    is_flag=True,
    help="With --resolve-keys: also run `!command` values (10 s timeout each). Off by default.",
)
@click.option(
    "--force", is_flag=True, help="With --resolve-keys: allow printing resolved keys to a terminal."
)
def merge(
    base: str | None,
    overlays: tuple[str, ...],
    no_default_overlay: bool,
    emit: str,
    output_format: str | None,
    as_written: bool,
    compact: bool,
    output: str | None,
    show_changes: bool,
    resolve_keys: bool,
    allow_commands: bool,
    force: bool,
) -> None:
    """Layer overlays over a base catalog exactly as OMP does and print the result.

    \b
    Examples:
      catalogmgr merge                                # installed OMP catalog + ~/.omp/agent/models.yml
      catalogmgr merge --overlay cn.yml -o models.json
      catalogmgr merge --overlay a.yml --overlay b.yml --emit overlay -o ~/.omp/agent/models.yml

    Keys stay as written (variable names, `!commands`) unless --resolve-keys asks for their
    values; commands run only with --allow-commands as well.

    Exit codes: 0 merged; 1 an overlay is invalid (its errors are listed); 2 usage error (e.g.
    --resolve-keys to a terminal without --force); 3 an input could not be read or the output
    not written.
    """
    chosen_format = output_format or ("yaml" if emit == "overlay" else "json")
    if compact and (emit != "catalog" or chosen_format != "json"):
        raise UsageError("--compact applies only to --emit catalog --format json")
    if as_written and emit != "catalog":
        raise UsageError("--as-written applies only to --emit catalog")
    if as_written:
        request_as_written()
    if (allow_commands or force) and not resolve_keys:
        raise UsageError("--allow-commands and --force go with --resolve-keys")
    to_stdout = output is None or output == "-"
    if resolve_keys and show_changes and output is None:
        # Resolved values go only where the catalog goes; with no -o the change list is the only
        # output, and it never shows resolved values, so resolving would be a silent no-op.
        raise UsageError("--resolve-keys with --changes needs -o FILE (the change list never shows keys)")
    if (
        resolve_keys
        and not force
        and (
            (to_stdout and sys.stdout.isatty())
            or (output is not None and not to_stdout and is_terminal_path(output))
        )
    ):
        raise UsageError(
            "refusing to print resolved keys to a terminal: write them with -o FILE (mode 0600), "
            "pipe the output, or add --force"
        )
    python_only = (
        "--resolve-keys"
        if resolve_keys
        else "--emit overlay"
        if emit == "overlay"
        else "--as-written"
        if as_written
        else None
    )
    base_catalog, layers, result = _effective(
        base,
        overlays,
        no_default_overlay,
        need_baseline=show_changes,
        provenance=show_changes,
        python_only=python_only,
    )
    if output is not None and not to_stdout:
        refuse_overwriting_inputs(output, [base_catalog.source, *(layer.name for layer in layers)])
    if show_changes:
        # The change list is computed before any key is resolved: resolved values go only where
        # --resolve-keys sends the catalog (-o FILE), never to the change list on stdout.
        changed = catalog_changes(_runtime_base(base_catalog, result, layers), result)
        _print_changes(changed, "text", base_catalog, layers)
        if output is None:
            return
    if resolve_keys:
        layers, result = _with_resolved_keys(
            base_catalog, layers, allow_commands=allow_commands, result=result
        )
    if emit == "overlay":
        composed = compose_overlays(layers)
        first = layers[0].document if layers else None
        text = (
            render_overlay_yaml(composed, first, sources=[layer.name for layer in layers])
            if chosen_format == "yaml"
            else render_overlay_json(composed)
        )
    elif chosen_format == "yaml":
        text = render_catalog_yaml(result.catalog)
    else:
        text = render_catalog_json(result.catalog, layout="compact" if compact else "tab")
    _write_or_print(text, output, mode=0o600 if resolve_keys else None)


def _with_resolved_keys(
    base_catalog: BaseCatalog, layers: list[Layer], *, allow_commands: bool, result: MergeResult
) -> tuple[list[Layer], MergeResult]:
    """Resolve every layer's apiKey/header values as OMP would, then merge again.

    Values that do not resolve stay as written; stderr says how many did, never what they are.
    """
    from catalogmgr.cli.keys import load_environment
    from catalogmgr.keys import resolve_overlay_keys

    env, home = cli_environment()
    environment = load_environment(env, home, Path.cwd(), dotenv=True)
    resolved_layers: list[Layer] = []
    resolved = unresolved = 0
    for layer in layers:
        data, reports = resolve_overlay_keys(layer.data, environment.variables, allow_commands=allow_commands)
        for report in reports:
            if report.usable and report.status in {"env", "command-ok"}:
                resolved += 1
            else:
                unresolved += 1
        resolved_layers.append(dataclasses.replace(layer, data=data))
    result = merge_catalog(
        base_catalog.catalog,
        resolved_layers,
        base_name=base_catalog.source,
        profile=result.profile,
        settings=result.settings,
    )
    echo(
        f"catalogmgr: warning: resolved {resolved} key/header value(s), {unresolved} left as written "
        "(see `catalogmgr keys`); the output now contains secrets: keep it private",
        err=True,
    )
    return resolved_layers, result


# ------------------------------------------------------------------------------------------------
# list


def _matches(provider: str, model_id: str, model: Mapping[str, Any], needle: str) -> bool:
    haystack = f"{provider}/{model_id} {model.get('name', '')}".lower()
    return needle.lower() in haystack


@click.command("list")
@catalog_source_options
@engine_options
@runtime_settings_option
@click.option("--provider", "providers", metavar="P", multiple=True, help="Only this provider (repeatable).")
@click.option(
    "--find",
    "needle",
    metavar="TEXT",
    default=None,
    help="Only models whose provider/id or name contains TEXT (case-insensitive).",
)
@output_options(
    ["text", "json"],
    "text: a table for people (`table`: the same); json ({base, overlays, models: [...]}) for scripts.",
)
def list_models(
    base: str | None,
    overlays: tuple[str, ...],
    no_default_overlay: bool,
    providers: tuple[str, ...],
    needle: str | None,
    output_format: str,
) -> None:
    """List the models of the effective catalog (base + overlays).

    The STATUS column says whether the overlays left a model as it is in the base (base), changed
    it (changed) or added it (added). Exit code 0, also when nothing matches (a note says so).
    """
    base_catalog, layers, result = _effective(base, overlays, no_default_overlay, providers=providers or None)
    # The views (and the key and secret helpers they use) are imported by the commands that print
    # them, once the catalog is built: plain `merge` never needs them, and bun starts sooner.
    from catalogmgr.render import views

    unknown = [provider for provider in providers if provider not in result.catalog]
    if unknown:
        known = (
            result.catalog if result.providers is None else _whole_catalog(base, overlays, no_default_overlay)
        )
        raise NotFoundError(
            f"no provider {unknown[0]!r} in the effective catalog" + _suggest(unknown[0], list(known))
        )
    # STATUS is measured from the base as OMP runs it: a model only a runtime policy changed is "base".
    reference = _runtime_base(base_catalog, result, layers)
    rows: list[views.ModelRow] = []
    for provider, models in result.catalog.items():
        if providers and provider not in providers:
            continue
        for model_id, model in models.items():
            if needle and not _matches(provider, model_id, model, needle):
                continue
            status = views.model_status(reference, result, provider, model_id)
            rows.append((provider, model_id, model, status))
    if output_format == "json":
        record = inputs_record(base_catalog, layers)
        record["models"] = [views.model_record(*row) for row in rows]
        record["problems"] = [problem.to_line() for problem in result.problems]
        echo(render_json_document(record), output_format="json")
        return
    if not rows:
        echo("catalogmgr: no model matches", err=True, note=True)
        return
    echo(views.models_table(rows, width=terminal_width()), highlight=style.highlight_status)


# ------------------------------------------------------------------------------------------------
# show


def _suggest(wanted: str, known: Sequence[str]) -> str:
    lowered = {candidate.lower(): candidate for candidate in known}
    if wanted.lower() in lowered:
        return f"; did you mean {lowered[wanted.lower()]!r}? (ids are case-sensitive)"
    close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.6)
    if close:
        return "; did you mean " + " or ".join(repr(candidate) for candidate in close) + "?"
    return ""


def find_model(catalog: Catalog, reference: str) -> tuple[str, str]:
    """Split ``PROVIDER/ID`` (ids may contain ``/``) and check it exists, with a "did you mean"."""
    provider, slash, model_id = reference.partition("/")
    if not slash or not provider or not model_id:
        raise UsageError(f"expected PROVIDER/ID (for example minimax/MiniMax-M3), got {reference!r}")
    if provider not in catalog:
        raise NotFoundError(
            f"no provider {provider!r} in the effective catalog" + _suggest(provider, list(catalog))
        )
    if model_id not in catalog[provider]:
        everywhere = [f"{p}/{i}" for p, models in catalog.items() for i in models if i == model_id]
        hint = _suggest(model_id, list(catalog[provider]))
        if not hint and everywhere:
            hint = "; it exists as " + ", ".join(everywhere[:3])
        raise NotFoundError(f"no model {model_id!r} in provider {provider!r}" + hint)
    return provider, model_id


@click.command("show")
@catalog_source_options
@engine_options
@runtime_settings_option
@click.argument("model_ref", metavar="PROVIDER/ID")
@click.option(
    "--explain",
    is_flag=True,
    help="Say which layer (base file, overlay file:line:col) set each field, and how.",
)
@output_options(
    ["text", "json"], "text for people; json ({base, overlays, provider, id, model, provenance}) for scripts."
)
def show(
    base: str | None,
    overlays: tuple[str, ...],
    no_default_overlay: bool,
    model_ref: str,
    explain: bool,
    output_format: str,
) -> None:
    """Show one model of the effective catalog; --explain says where each field came from.

    Exit codes: 0 shown; 3 no such model (with a "did you mean").
    """
    provider_part, slash, _ = model_ref.partition("/")
    base_catalog, layers, result = _effective(
        base,
        overlays,
        no_default_overlay,
        provenance=explain or output_format == "json",
        providers=[provider_part] if slash and provider_part else None,
    )
    try:
        provider, model_id = find_model(result.catalog, model_ref)
    except NotFoundError:
        if result.providers is None:
            raise
        find_model(_whole_catalog(base, overlays, no_default_overlay), model_ref)  # its "did you mean"
        raise
    model = result.catalog[provider][model_id]
    origins = result.provenance.get((provider, model_id), {})
    # A model only OMP's runtime policies changed (a long-context cap) is still "base".
    from catalogmgr.render import views
    from catalogmgr.secrets import redact_data

    status = views.model_status(_runtime_base(base_catalog, result, layers), result, provider, model_id)
    if output_format == "json":
        record = inputs_record(base_catalog, layers)
        record.update(
            provider=provider,
            id=model_id,
            status=status,
            # Shown, never resolved: a literal key pasted into a baseUrl, a header or extraBody
            # is masked as validate would report it (issue 13, break 14).
            model=redact_data(model),
            provenance={path: views.origin_record(origin) for path, origin in origins.items()},
        )
        echo(render_json_document(record), output_format="json")
        return
    policies = policy_set(result.profile.runtime_policies)
    if (
        status == "added"
        and result.settings is not None
        and policies.model_builder is None
        and result.profile.id_thinking is None
    ):
        # Only releases whose thinking rules catalogmgr has not ported (13.x/14.x's id-derived
        # thinking is, catalogmgr.omp.thinking13; 17.x's buildModel is, catalogmgr.omp.compat17
        # and thinking17; 18.x's compat rule engine is).
        echo(f"catalogmgr: note: {NEW_MODEL_THINKING_NOTE}", err=True)
    if (
        status != "base"
        and result.settings is not None
        and policies.rule_engine
        and result.profile.rules in CATALOG_ONLY_RULES
    ):
        echo(f"catalogmgr: note: {catalog_only_rules_note(result.profile)}", err=True)
    if status != "added" and result.settings is not None and policies.discovery_refresh:
        note = _discovery_compat_note(result.profile, layers, provider)
        if note is not None:
            echo(f"catalogmgr: note: {note}", err=True)
    echo(views.show_text(provider, model_id, status, model, origins if explain else None))


def _discovery_compat_note(profile: Profile, layers: Sequence[Layer], provider: str) -> str | None:
    """OMP 13.x/14.x: whether refresh() drops (or may drop) this provider's models.yml compat."""
    providers = compose_overlays(layers).get("providers")
    config = providers.get(provider) if isinstance(providers, Mapping) else None
    if not isinstance(config, Mapping):
        return None
    table = load_discovery_refresh(str(profile.source))
    return discovery_compat_note(provider, config, table, str(profile.source))


# ------------------------------------------------------------------------------------------------
# changes


# OMP builds a new model's `thinking` (and its resolved compat) with the compat rule engine of
# pi-catalog (`buildModel` -> `resolveModelPolicy`: compiled rules keyed by model family, revision,
# api and host). The Python engine ports it for 18.2.3's policy set (catalogmgr.omp.rule_engine);
# under an older profile's policies it does not, and `show` says so.
NEW_MODEL_THINKING_NOTE = (
    "a new model's `thinking` and resolved compat are what OMP's compat rule engine derives; the "
    "Python engine shows only what the files and a same-provider reference give: `--engine omp` "
    "asks the installed OMP itself"
)


# The rule tables of a pi-catalog published without its release (catalogmgr/omp/data): the 18.2.9
# and 18.3 profiles' catalog packages are not on npm, pi-catalog 18.2.11 is (inside 18.2.x, the
# nearest to 18.3), and tests/compat/test_rule_engine_vs_omp.py proves the port on its buildModel.
CATALOG_ONLY_RULES = frozenset({"18.2.11"})


def catalog_only_rules_note(profile: Profile) -> str:
    """What the rule engine of ``profile`` is when its rules come from a catalog-only package."""
    return (
        f"under profile {profile.id} a rebuilt model's `thinking`, resolved compat and catalog "
        f"corrections are pi-catalog {profile.rules}'s compat rules and code (the newest published "
        f"pi-catalog; OMP {profile.source}'s own is not on npm), exact against that package's "
        f"buildModel; OMP {profile.source}'s whole registry cannot be run here"
    )


def _runtime_base(base_catalog: BaseCatalog, result: MergeResult, layers: Sequence[Layer]) -> Catalog:
    """What the overlays are compared with: the base as OMP runs it with no overlay (its runtime
    policies applied under the same settings), so a long-context cap is not an overlay's change."""
    if result.settings is None:
        return base_catalog.catalog
    if not layers:
        # No overlay: the effective catalog is that base already (a second merge of all 5,000
        # models would double the time of `show`/`list` without one).
        return result.catalog
    return merge_catalog(
        base_catalog.catalog,
        [],
        base_name=base_catalog.source,
        profile=result.profile,
        settings=result.settings,
        providers=result.providers,
        provenance=False,
    ).catalog


def _print_changes(
    changes: Sequence[FieldChange], output_format: str, base: BaseCatalog, layers: Sequence[Layer]
) -> None:
    from catalogmgr.render import views

    if output_format == "json":
        record = inputs_record(base, layers)
        record["changes"] = [views.change_record(change) for change in changes]
        echo(render_json_document(record), output_format="json")
        return
    if not changes:
        echo("catalogmgr: the overlays change nothing in the base catalog", err=True, note=True)
        return
    echo(views.changes_text(changes), highlight=style.highlight_changes)
    models = len({(change.provider, change.model_id) for change in changes})
    echo(f"catalogmgr: {len(changes)} change(s) in {models} model(s)", err=True, note=True)


@click.command("changes")
@catalog_source_options
@engine_options
@runtime_settings_option
@output_options(["text", "json"], "text for people; json ({base, overlays, changes: [...]}) for scripts.")
@click.option(
    "--exit-code", is_flag=True, help="Exit 1 when the overlays change anything (like git diff --exit-code)."
)
@click.pass_context
def changes(
    ctx: click.Context,
    base: str | None,
    overlays: tuple[str, ...],
    no_default_overlay: bool,
    output_format: str,
    exit_code: bool,
) -> None:
    """List what the overlays change relative to the base catalog, field by field.

    New models are one line each; changed models list each changed field (cost, compat and headers
    per sub-key) with the overlay location that set it. Exit code 0 (with --exit-code: 1 when there
    are changes).
    """
    base_catalog, layers, result = _effective(base, overlays, no_default_overlay, provenance=True)
    found = catalog_changes(_runtime_base(base_catalog, result, layers), result)
    _print_changes(found, output_format, base_catalog, layers)
    ctx.exit(EXIT_PROBLEMS if exit_code and found else EXIT_OK)
