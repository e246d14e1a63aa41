"""``catalogmgr add-provider NAME --discover URL``: a validated provider entry from a live server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from catalogmgr.catalog import BaseCatalog
from catalogmgr.cli._common import (
    NON_BLOCKING_RULES,
    FiniteNumber,
    build_effective,
    catalog_source_options,
    chosen_profile,
    cli_environment,
    echo,
    output_options,
    report_inputs,
)
from catalogmgr.cli.keys import load_environment
from catalogmgr.errors import UsageError, WriteError
from catalogmgr.merge import Layer
from catalogmgr.omp.profile import Profile
from catalogmgr.providers.entry import ProviderEntry, UpstreamFacts

DEFAULT_DISCOVER_TIMEOUT = 10.0


@click.command("add-provider")
@click.argument("name")
@output_options(None)
@click.option(
    "--discover", "url", metavar="URL", required=True, help="The server to ask (e.g. http://127.0.0.1:11434)."
)
@click.option(
    "--api",
    default="openai-completions",
    show_default=True,
    metavar="A",
    help="The api OMP should speak to the server (all discovered server kinds speak openai-completions).",
)
@click.option(
    "--key-env",
    metavar="VAR",
    default=None,
    help="The environment variable holding the server's key: sent (as Bearer) while asking, and written "
    "as `apiKey: VAR`. Without it the entry says `auth: none`.",
)
@click.option(
    "--write", "write_path", metavar="FILE", default=None, help="Add the entry to this models.yml in place."
)
@click.option(
    "--replace", is_flag=True, help="With --write: overwrite an existing provider of the same name."
)
@click.option(
    "--use-discovery",
    is_flag=True,
    help="Write OMP's `discovery:` block (OMP lists the models itself at startup) instead of a "
    "`models:` list.",
)
@click.option(
    "--timeout",
    type=FiniteNumber(0.1, 600),
    default=DEFAULT_DISCOVER_TIMEOUT,
    show_default=True,
    metavar="S",
    help="Seconds to wait for each answer.",
)
@catalog_source_options
def add_provider(
    name: str,
    url: str,
    api: str,
    key_env: str | None,
    write_path: str | None,
    replace: bool,
    use_discovery: bool,
    timeout: float,
    base: str | None,
    overlays: tuple[str, ...],
    no_default_overlay: bool,
) -> None:
    """Ask a live server which models it serves and print (or --write) the provider entry for models.yml.

    The server is identified by what it answers: Ollama (/api/tags, /api/show), llama.cpp (/props),
    LiteLLM (/model/info), LM Studio (/api/v0/models), else any OpenAI-compatible server
    (/v1/models). Each model's context window, max tokens, input modalities, reasoning and prices
    come from the server when it reports them, then from diff-upstream's cached models.dev /
    OpenRouter listings (never fetched here), then from OMP's reference lookup, then OMP's
    discovery defaults (Ollama and llama.cpp: the server and OMP's defaults only, exactly as
    OMP's own discovery of them). Each model line carries a comment naming its sources. Local servers'
    models are free (zero prices). For a local server whose models change often, OMP's own
    `discovery:` block is offered (--use-discovery writes it).

    With --write, the file is edited in place (comments and layout kept), the result validated and
    merged first, and written atomically; nothing is written if any check fails.

    \b
    Exit codes: 0 entry printed or written; 2 usage error (also: NAME is a bundled provider, the
    --key-env variable is unset); 3 could not run (server unreachable,
    no model list, key refused, unreadable or invalid file, provider already present).
    """
    from catalogmgr.omp.apis import overlay_apis
    from catalogmgr.omp.profile import DEFAULT_PROFILE
    from catalogmgr.omp.reference import build_reference_index
    from catalogmgr.providers.discover import discover_server
    from catalogmgr.providers.entry import build_provider_entry, render_entry_yaml
    from catalogmgr.providers.routes import sendable_header
    from catalogmgr.upstream.http import HttpClient

    if write_path is not None and Path(write_path).suffix.lower() in {".json", ".jsonc"}:
        raise UsageError("--write writes YAML: give a .yml file")
    if replace and write_path is None:
        raise UsageError("--replace needs --write FILE")
    if not name.strip() or not name.isprintable():
        raise UsageError("NAME must be a printable, non-empty provider name")
    env, home = cli_environment()
    base_catalog, layers, result = build_effective(
        base, overlays, env, home, no_default_overlay=no_default_overlay
    )
    report_inputs(base_catalog, layers, result.problems)
    if name in base_catalog.catalog:
        # An entry under a bundled id overlays that provider: its baseUrl would move every bundled
        # model of it to this server.
        raise UsageError(
            f"{_safe(name)!r} is a bundled provider ({len(base_catalog.catalog[name])} models): an entry"
            " under that name would send its bundled models to this server too; pick another name"
        )
    choice = chosen_profile()
    profile = choice.profile if choice is not None else DEFAULT_PROFILE
    if api not in overlay_apis(profile):
        raise UsageError(f"--api {api!r} is not an api OMP {profile.id} accepts")
    headers: dict[str, str] = {}
    if key_env:
        environment = load_environment(env, home, Path(os.getcwd()), dotenv=True)
        value = environment.variables.get(key_env)
        if not value:
            raise UsageError(
                f"--key-env {key_env}: the variable is not set (in the environment or OMP's .env files)"
            )
        if not value.isprintable() or not sendable_header("Authorization", f"Bearer {value}"):
            raise UsageError(
                f"--key-env {key_env}: the value cannot be sent in an HTTP header (a line break?)"
            )
        headers["Authorization"] = f"Bearer {value}"
    with HttpClient(timeout=timeout) as client:
        discovered = discover_server(url, client, headers=headers)
    from catalogmgr.keys import is_loopback_url

    provider = build_provider_entry(
        name,
        discovered,
        api=api,
        key_env=key_env,
        # A loopback OpenAI-compatible server is almost always a local engine (vLLM, LocalAI, a
        # llama-server build): free. A LiteLLM proxy is recognised as such and keeps its prices.
        local=discovered.kind == "openai" and is_loopback_url(url),
        upstream=_cached_upstream_facts(env),
        references=build_reference_index(base_catalog.catalog, profile.reference_isolated_providers),
        use_discovery=use_discovery,
    )
    echo(
        f"catalogmgr: {_safe(url)} is a server of kind {discovered.kind},"
        f" serving {len(discovered.models)} model(s)",
        err=True,
        note=True,
    )
    for note in provider.notes:
        echo(f"catalogmgr: note: {_safe(note)}", err=True, note=True)
    if provider.discovery_offer:
        echo(f"catalogmgr: tip: {provider.discovery_offer}", err=True, note=True)
    if write_path is None:
        echo(render_entry_yaml(provider), nl=False)
        return
    _write(write_path, provider, replace=replace, base_catalog=base_catalog, layers=layers, profile=profile)


def _safe(text: str) -> str:
    from catalogmgr.providers.routes import redact_url
    from catalogmgr.render.escape import terminal

    return terminal(redact_url(text) if "://" in text else text)


def _cached_upstream_facts(env: dict[str, str]) -> UpstreamFacts:
    """Upstream facts from diff-upstream's cache only (no network); empty when nothing is cached."""
    from catalogmgr.errors import CatalogmgrError
    from catalogmgr.providers.entry import index_upstream
    from catalogmgr.upstream.cache import ListingCache, default_cache_dir
    from catalogmgr.upstream.fetch import SOURCES, FetchOptions, fetch_listing
    from catalogmgr.upstream.http import HttpClient

    cache = ListingCache(default_cache_dir(env))
    listings: list[tuple[str, Any]] = []
    for spec in SOURCES.values():
        try:
            listing = fetch_listing(
                spec, spec.default_url, client=HttpClient, cache=cache, options=FetchOptions(offline=True)
            )
        except CatalogmgrError:
            continue
        listings.append((spec.name, listing.providers))
    return index_upstream(listings)


def _write(
    path: str,
    provider: ProviderEntry,
    *,
    replace: bool,
    base_catalog: BaseCatalog,
    layers: list[Layer],
    profile: Profile,
) -> None:
    """Edit ``path`` in place, validate and merge the result, then write it atomically."""
    from catalogmgr.documents import atomic_write, parse_document, read_text
    from catalogmgr.merge import merge_catalog
    from catalogmgr.providers.entry import write_entry
    from catalogmgr.validation import validate_document

    target = Path(path)
    existing = read_text(target, name=path) if target.exists() else None
    if existing is not None:
        # Edit only what catalogmgr itself can read (ruamel.yaml accepts files OMP's parser refuses).
        parse_document(existing, name=path, fmt="yaml")
    text = write_entry(existing, provider, replace=replace, name=path)
    document = parse_document(text, name=path, fmt="yaml")
    blocking = [
        problem
        for problem in validate_document(document, "overlay", profile=profile)
        if problem.is_error and problem.rule not in NON_BLOCKING_RULES
    ]
    if blocking:
        for problem in blocking:
            echo(problem.to_line(), err=True, one_line=True)
        raise WriteError(
            f"{path}: not written: the updated file would not validate ({len(blocking)} error(s))"
        )
    written = Layer(
        name=path, data=document.data if isinstance(document.data, dict) else {}, document=document
    )
    resolved = target.resolve()
    replaced = [written if Path(layer.name).resolve() == resolved else layer for layer in layers]
    if written not in replaced:
        replaced.append(written)
    merged = merge_catalog(base_catalog.catalog, replaced, base_name=base_catalog.source, profile=profile)
    wanted = [model.definition["id"] for model in provider.models]
    served = list(merged.catalog.get(provider.name, {}))
    atomic_write(target, text)
    what = f"{len(wanted)} model(s)" if provider.models else "a discovery block"
    echo(f"catalogmgr: wrote {path}: provider {_safe(provider.name)} with {what}", err=True, note=True)
    if provider.models and served != wanted:
        echo(
            f"catalogmgr: warning: after merging, provider {_safe(provider.name)} has {len(served)} model(s),"
            f" not the {len(wanted)} written (another overlay or the base catalog changes it)",
            err=True,
        )
