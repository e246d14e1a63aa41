"""``catalogmgr init``: start the user's models.yml from a shipped example overlay."""

from __future__ import annotations

from pathlib import Path

import click

from catalogmgr.catalog import agent_dir, default_overlay_paths
from catalogmgr.cli._common import choose_profile, cli_environment, echo, omp_version_option, output_options
from catalogmgr.documents import Document, atomic_write
from catalogmgr.errors import UsageError, WriteError
from catalogmgr.examples import find_overlay, init_overlay, shipped_overlays
from catalogmgr.problems import Problem


@click.command("init")
@click.option("--from", "name", metavar="NAME", help="The example overlay to start from (see --list).")
@click.option("--list", "list_only", is_flag=True, help="List the example overlays and exit.")
@click.option(
    "--merge",
    is_flag=True,
    help="Merge the example into an existing file: your values win, only what it lacks is added.",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    default=None,
    help="The file to write. Default: the models.yml OMP reads (~/.omp/agent/models.yml, honouring "
    "PI_CODING_AGENT_DIR).",
)
@output_options(None)
@omp_version_option()
def init(name: str | None, list_only: bool, merge: bool, output: str | None) -> None:
    """Write a shipped example overlay to your models.yml (or merge it in with --merge).

    Never overwrites: an existing file is refused (exit 3) unless --merge, which composes the
    example under your file (every value you wrote wins; comments and order are kept) and writes
    the result atomically after validating it. An invalid existing file is not touched (exit 1).

    \b
    Examples:
      catalogmgr init --list
      catalogmgr init --from minimax-m3            # international MiniMax keys
      catalogmgr init --from minimax-m3-cn --merge # China keys, into an existing models.yml
    """
    if list_only:
        overlays = shipped_overlays()
        width = max((len(key) for key in overlays), default=0)
        for overlay in overlays.values():
            echo(f"{overlay.name:<{width}}  {overlay.summary}")
        return
    if not name:
        raise UsageError("give --from NAME (see `catalogmgr init --list`)")
    overlay = find_overlay(name)
    env, home = cli_environment()
    if output is not None:
        target = Path(output)
    else:
        found = default_overlay_paths(env, home)
        target = found[0] if found and found[0].suffix != ".json" else agent_dir(env, home) / "models.yml"
    exists = target.exists()
    if exists and not merge:
        raise WriteError(
            f"{target}: already exists; catalogmgr init never overwrites it: add --merge to merge "
            f"{overlay.name} into it (your values win), or -o FILE to write elsewhere"
        )
    if exists and not target.is_file():
        raise WriteError(f"{target}: not a regular file; refusing to write it")
    profile = choose_profile(env, home).profile
    from catalogmgr.validation import validate_document

    def validate(document: Document) -> list[Problem]:
        return validate_document(document, "overlay", profile=profile)

    result = init_overlay(overlay, target if exists else None, validate=validate, profile=profile)
    if not exists:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise WriteError(f"{target.parent}: cannot create the directory: {error.strerror}") from error
    atomic_write(target, result.text)
    if result.merged:
        what = "; ".join(result.added) if result.added else "nothing new (your file already has it all)"
        echo(f"catalogmgr: merged {overlay.name} into {target}: added {what}", err=True)
    else:
        echo(f"catalogmgr: wrote {target} from {overlay.name}", err=True)
    echo("catalogmgr: next: `catalogmgr doctor` checks it and the keys it needs", err=True, note=True)
