"""``--write-overlay``: build the fix, check it, and write it, as one core call.

:func:`write_overlay` turns a drift report into the overlay that removes its new and changed
drift (:func:`catalogmgr.drift.fixes.build_patch`), edits it into the target file
(:func:`~catalogmgr.drift.fixes.apply_patch`), then refuses to write anything OMP would reject:

1. the exact text is validated as an overlay for the chosen OMP profile;
2. it is merged where it will sit (in place of the same file among the overlays, else last) and
   compared again: every record the patch meant to fix must be gone (unless a value of the user's
   was kept, or a later overlay sets it), and no other model of the touched providers may change
   (a provider-level key catalogmgr added would otherwise move models it did not mean to touch);
3. it is written atomically, parent directories created.

Nothing is printed: the result carries the notes and warnings the CLI shows.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from catalogmgr.documents import atomic_write, parse_document, read_text
from catalogmgr.drift.check import DriftQuery
from catalogmgr.drift.diff import DriftReport, diff_catalog
from catalogmgr.drift.fixes import KeptValue, apply_patch, build_patch
from catalogmgr.errors import WriteError
from catalogmgr.merge import Catalog, Layer, merge_catalog
from catalogmgr.omp.profile import Profile
from catalogmgr.problems import Problem
from catalogmgr.upstream.listing import UpstreamListing


class OverlayNotValid(WriteError):
    """The updated overlay would not validate: nothing was written; ``problems`` say why."""

    def __init__(self, message: str, problems: Sequence[Problem]) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


@dataclass(frozen=True)
class OverlayResult:
    """What ``--write-overlay`` did: whether it wrote, what, and what the user should know."""

    path: str
    written: bool
    new_models: int = 0
    updated: int = 0
    notes: tuple[str, ...] = ()  # in order: what was skipped, keys added, kept values
    warnings: tuple[str, ...] = ()  # drift the overlay did not clear; models it changed besides
    kept: tuple[KeptValue, ...] = ()


@dataclass(frozen=True)
class CatalogSide:
    """The catalog the report was computed from: base, its overlays, and the merged result."""

    base: Catalog
    base_name: str
    layers: Sequence[Layer]
    effective: Catalog


def write_overlay(
    path: str,
    report: DriftReport,
    side: CatalogSide,
    listing: UpstreamListing,
    query: DriftQuery,
    *,
    profile: Profile,
    accepted_apis: Collection[str],
    non_blocking_rules: Collection[str] = (),
    overwrite: bool = False,
) -> OverlayResult:
    """Build, check and atomically write the overlay that removes ``report``'s new/changed drift."""
    patch = build_patch(report, side.effective, accepted_apis=accepted_apis)
    notes = list(patch.skipped)
    if patch.is_empty:
        notes.append(f"nothing to write to {path}: no new or changed model to fix")
        return OverlayResult(path, False, notes=tuple(notes))
    target = Path(path)
    existing = read_text(target, name=path) if target.exists() else None
    if existing is not None:
        # Edit only what catalogmgr itself can read: ruamel.yaml would load (and rewrite, changed)
        # files the loader refuses, such as a recursive alias (`a: &a [1, *a]` -> `a: [1, null]`).
        parse_document(existing, name=path, fmt="yaml")
    applied = apply_patch(existing, patch, name=path, overwrite=overwrite)
    notes.extend(applied.notes)
    notes.extend(kept.describe() for kept in applied.kept)
    written_new = len(patch.new_models) - len(applied.unwritten)
    if written_new == 0 and not patch.updates:
        notes.append(f"nothing written to {path}")
        return OverlayResult(path, False, notes=tuple(notes), kept=applied.kept)
    if existing is not None and applied.text == existing:
        notes.append(f"{path} already says all this: left as it is")
        return OverlayResult(path, False, notes=tuple(notes), kept=applied.kept)

    # Never write an overlay OMP would reject: validate the exact text first.
    from catalogmgr.validation import validate_document

    document = parse_document(applied.text, name=path, fmt="yaml")
    blocking = [
        problem
        for problem in validate_document(document, "overlay", profile=profile)
        if problem.is_error and problem.rule not in non_blocking_rules
    ]
    if blocking:
        raise OverlayNotValid(
            f"{path}: not written: the updated overlay would not validate ({len(blocking)} error(s))",
            blocking,
        )

    # Merge it where it will sit and diff again (see the module docstring).
    written_layer = Layer(
        name=path, data=document.data if isinstance(document.data, dict) else {}, document=document
    )
    resolved = target.resolve()
    layers = [written_layer if Path(layer.name).resolve() == resolved else layer for layer in side.layers]
    if written_layer not in layers:
        layers.append(written_layer)
    merged = merge_catalog(side.base, layers, base_name=side.base_name, profile=profile).catalog
    after = diff_catalog(merged, listing, query.mapping, query.options)
    fixed = set(patch.fixed) - applied.unwritten
    kept_keys = {(kept.provider, kept.model_id) for kept in applied.kept}
    warnings = [
        f"{d.provider}/{d.model_id} still differs after the overlay (a later overlay sets it?)"
        for d in after.drift
        if d.kind in ("new", "changed") and d.key in fixed and d.key not in kept_keys
    ]
    touched = set(patch.setups) | {update.provider for update in patch.updates}
    warnings.extend(
        f"the overlay also changes {key} (check its provider settings)"
        for key in collateral_changes(side.effective, merged, fixed, touched)
    )

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WriteError(f"{path}: cannot create its directory: {error.strerror or error}") from None
    atomic_write(target, applied.text)
    return OverlayResult(
        path,
        True,
        new_models=written_new,
        updated=len(patch.updates),
        notes=tuple(notes),
        warnings=tuple(warnings),
        kept=applied.kept,
    )


def collateral_changes(
    before: Catalog, after: Catalog, fixed: set[tuple[str, str]], providers: set[str]
) -> list[str]:
    """``provider/id`` of every model of ``providers`` that changed but was not meant to."""
    changed: list[str] = []
    for provider in sorted(providers):
        old_models = before.get(provider, {})
        new_models = after.get(provider, {})
        for model_id, model in old_models.items():
            if (provider, model_id) in fixed:
                continue
            if new_models.get(model_id) != model:
                changed.append(f"{provider}/{model_id}")
    return changed
