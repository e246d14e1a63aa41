"""What every catalog-reading command shares: the ``--base``/``--overlay`` options and the pipeline
load -> validate -> merge that turns them into an effective catalog.

Used by ``merge``, ``list``, ``show``, ``changes`` and by ``keys`` and ``diff-upstream``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from catalogmgr.catalog import BaseCatalog, default_overlay_paths, locate_base_catalog
from catalogmgr.documents import load_document
from catalogmgr.errors import InvalidOverlayError
from catalogmgr.merge import Layer, MergeResult, merge_catalog
from catalogmgr.problems import Problem, Severity

F = TypeVar("F", bound=Callable[..., Any])

# Findings that are catalogmgr's hygiene checks rather than reasons OMP would reject the file: they
# are reported, but they do not stop a merge (OMP itself runs fine with a literal key).
NON_BLOCKING_RULES = frozenset({"literal-secret"})


def catalog_source_options(function: F) -> F:
    """``--base PATH``, ``--overlay FILE`` (repeatable) and ``--no-default-overlay``."""
    function = click.option(
        "--no-default-overlay",
        is_flag=True,
        help="Do not read ~/.omp/agent/models.yml (or $PI_CODING_AGENT_DIR/models.yml) when no "
        "--overlay is given.",
    )(function)
    function = click.option(
        "--overlay",
        "overlays",
        metavar="FILE",
        multiple=True,
        help="A models.yml overlay; repeat to layer several, later files win. Default: the one OMP "
        "reads, ~/.omp/agent/models.yml (else models.yaml), honouring PI_CODING_AGENT_DIR.",
    )(function)
    function = click.option(
        "--base",
        metavar="PATH",
        default=None,
        help="The base catalog (a models.json). Default: $CATALOGMGR_BASE, else the installed OMP's "
        "bundled catalog (bun or npm global install), else the embedded default catalog.",
    )(function)
    return function


def cli_environment() -> tuple[dict[str, str], Path]:
    """The environment and home directory, read once at the edge (the core never reads them)."""
    return dict(os.environ), Path.home()


def load_layers(paths: Sequence[str | Path]) -> tuple[list[Layer], list[Problem]]:
    """Load and validate every overlay; raise :class:`InvalidOverlayError` listing all their errors.

    Returns the layers and the non-blocking problems (warnings) found while validating.
    """
    layers: list[Layer] = []
    notes: list[Problem] = []
    errors: list[Problem] = []
    invalid_files: list[str] = []
    for path in paths:
        document = load_document(path, name=str(path))
        found = _validate(document)
        blocking = [
            problem for problem in found if problem.is_error and problem.rule not in NON_BLOCKING_RULES
        ]
        if blocking:
            errors.extend(blocking)
            invalid_files.append(document.name)
        notes.extend(
            dataclasses.replace(problem, severity=Severity.WARNING)
            for problem in found
            if problem not in blocking
        )
        layers.append(Layer(name=document.name, data=_as_mapping(document.data), document=document))
    if errors:
        located: list[object] = list(errors)
        raise InvalidOverlayError(", ".join(invalid_files), located)
    return layers, notes


def _validate(document: Any) -> list[Problem]:
    try:
        from catalogmgr.validation import validate_document
    except ImportError:  # pragma: no cover - only while the validator is not installed
        return list(document.problems)
    # Validated as an overlay whatever it looks like: a models.json given as --overlay is a mistake
    # the schema reports. Override ids are checked by the merge, against the composed result.
    return validate_document(document, "overlay")


def _as_mapping(data: Any) -> Mapping[str, Any]:
    return data if isinstance(data, Mapping) else {}


def overlay_paths(
    overlays: Sequence[str], no_default_overlay: bool, env: Mapping[str, str], home: Path
) -> list[str]:
    """The overlays to apply: those named, else (unless refused) the one OMP would read."""
    if overlays:
        return list(overlays)
    if no_default_overlay:
        return []
    return [str(path) for path in default_overlay_paths(env, home)]


def build_effective(
    base: str | None,
    overlays: Sequence[str],
    env: Mapping[str, str],
    home: Path,
    *,
    no_default_overlay: bool = False,
) -> tuple[BaseCatalog, list[Layer], MergeResult]:
    """Locate the base, load and validate the overlays, and merge them as OMP does.

    The result's problems are the overlays' non-blocking validation findings followed by the
    merge's own warnings (unknown modelOverrides ids, custom models without an api).
    """
    base_catalog = locate_base_catalog(base, env, home)
    layers, notes = load_layers(overlay_paths(overlays, no_default_overlay, env, home))
    result = merge_catalog(base_catalog.catalog, layers, base_name=base_catalog.source)
    return base_catalog, layers, dataclasses.replace(result, problems=[*notes, *result.problems])


def describe_inputs(base: BaseCatalog, layers: Sequence[Layer]) -> str:
    """The stderr line every text output starts with: which base, which overlays."""
    overlays = ", ".join(layer.name for layer in layers) if layers else "none"
    note = " (no installed OMP found; use --base PATH for the real one)" if base.is_embedded else ""
    return f"catalogmgr: base: {base.source}{note}; overlays: {overlays}"


def report_inputs(base: BaseCatalog, layers: Sequence[Layer], problems: Sequence[Problem]) -> None:
    """Say on stderr which base and overlays were used, then every warning."""
    click.echo(describe_inputs(base, layers), err=True)
    for problem in problems:
        click.echo(problem.to_line(), err=True)
        if problem.hint:
            click.echo(f"  hint: {problem.hint}", err=True)


def inputs_record(base: BaseCatalog, layers: Sequence[Layer]) -> dict[str, Any]:
    """The same facts as :func:`describe_inputs`, for JSON-shaped outputs."""
    return {
        "base": base.source,
        "base_is_embedded": base.is_embedded,
        "overlays": [layer.name for layer in layers],
    }
