"""The example overlays shipped with catalogmgr (``overlays/*.yml``) and starting a models.yml from one.

The wheel carries them as ``catalogmgr/overlays/``; a source checkout has them at the repository
root. :func:`init_overlay` is ``catalogmgr init``: a new models.yml from an example, or, with
``merge``, the example composed *under* the user's file, so that every value the user wrote wins
and only what the file lacks is added (nothing the user wrote is lost or changed).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalogmgr import SCHEMA_BASE_URL
from catalogmgr.documents import Document, load_document, parse_document
from catalogmgr.errors import InvalidOverlayError, UsageError
from catalogmgr.merge import Layer, compose_overlays
from catalogmgr.omp.profile import DEFAULT_PROFILE, Profile
from catalogmgr.omp.schemas import schema_file
from catalogmgr.problems import Problem

_PACKAGE_DIR = Path(__file__).resolve().parent
_SCHEMA_COMMENT = "# yaml-language-server: $schema="


@dataclass(frozen=True)
class ShippedOverlay:
    """One example overlay: its name (the file's stem), path and the first line of its header."""

    name: str
    path: Path
    summary: str


def overlays_dir() -> Path:
    """The installed package's copy of ``overlays/``, else the source checkout's."""
    installed = _PACKAGE_DIR / "overlays"
    return installed if installed.is_dir() else _PACKAGE_DIR.parent / "overlays"


def shipped_overlays() -> dict[str, ShippedOverlay]:
    """Every example overlay by name, in name order."""
    found: dict[str, ShippedOverlay] = {}
    for path in sorted(overlays_dir().glob("*.yml"), key=lambda path: path.stem):
        found[path.stem] = ShippedOverlay(path.stem, path, _summary(path.read_text(encoding="utf-8")))
    return found


def _summary(text: str) -> str:
    """The first sentence-like line of the header comment (after the schema line)."""
    lines: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line.lstrip("#").strip()
        if body.startswith("yaml-language-server:"):
            continue
        if not body:
            if lines:
                break
            continue
        lines.append(body)
    return " ".join(lines)


def find_overlay(name: str) -> ShippedOverlay:
    """The example called ``name`` (``minimax-m3`` or ``minimax-m3.yml``); a usage error otherwise."""
    overlays = shipped_overlays()
    wanted = name.removesuffix(".yml")
    if wanted in overlays:
        return overlays[wanted]
    close = difflib.get_close_matches(wanted, list(overlays), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise UsageError(
        f"no example overlay {name!r}: {hint}the examples are {', '.join(overlays)} (init --list)"
    )


def example_text(overlay: ShippedOverlay, profile: Profile = DEFAULT_PROFILE) -> str:
    """The example as a user's models.yml: its editor-schema line points at the published schema
    of the profile (the example's own relative path means nothing once copied elsewhere)."""
    text = overlay.path.read_text(encoding="utf-8")
    first, newline, rest = text.partition("\n")
    if first.startswith(_SCHEMA_COMMENT):
        first = _SCHEMA_COMMENT + SCHEMA_BASE_URL + schema_file("overlay", profile)
    return first + newline + rest


@dataclass(frozen=True)
class InitResult:
    """What ``init`` writes: the text, whether an existing file was merged, what was added."""

    text: str
    merged: bool
    added: tuple[str, ...]


def init_overlay(
    overlay: ShippedOverlay,
    existing: Path | None,
    *,
    validate: Callable[[Document], list[Problem]],
    profile: Profile = DEFAULT_PROFILE,
) -> InitResult:
    """The models.yml to write: the example alone (``existing`` is ``None``) or merged into it.

    ``validate(document) -> list[Problem]`` checks the existing file and the result (the CLI passes
    :func:`catalogmgr.validation.validate_document` for the chosen profile): a file OMP would reject
    is never merged into nor written, :class:`InvalidOverlayError` says why.
    """
    text = example_text(overlay, profile)
    example = parse_document(text, name=str(overlay.path), fmt="yaml")
    if existing is None:
        _check(example, validate)
        return InitResult(text, merged=False, added=_provider_names(example.data))
    mine = load_document(existing, name=str(existing))
    _check(mine, validate)
    # The example first, the user's file last: where both set a value, the user's wins.
    composed = compose_overlays([_layer(example), _layer(mine)])
    from catalogmgr.render.catalog import render_overlay_yaml

    merged_text = render_overlay_yaml(composed, mine)
    result = parse_document(merged_text, name=str(existing), fmt="yaml")
    _check(result, validate)
    return InitResult(merged_text, merged=True, added=_added(mine.data, composed))


def _layer(document: Document) -> Layer:
    data = document.data if isinstance(document.data, Mapping) else {}
    return Layer(name=document.name, data=data, document=document)


def _check(document: Document, validate: Callable[[Document], list[Problem]]) -> None:
    problems: list[Problem] = [problem for problem in validate(document) if problem.is_error]
    if problems:
        raise InvalidOverlayError(document.name, list(problems))


def _provider_names(data: Any) -> tuple[str, ...]:
    providers = data.get("providers") if isinstance(data, Mapping) else None
    return tuple(str(name) for name in providers) if isinstance(providers, Mapping) else ()


def _added(before: Any, after: Mapping[str, Any]) -> tuple[str, ...]:
    """``provider`` (new) or ``provider: key, key`` (new keys, new models) the merge added."""
    old = before.get("providers") if isinstance(before, Mapping) else None
    old = old if isinstance(old, Mapping) else {}
    added: list[str] = []
    for name, config in (after.get("providers") or {}).items():
        if name not in old:
            added.append(str(name))
            continue
        mine = old[name] if isinstance(old[name], Mapping) else {}
        keys = [str(key) for key in config if key not in mine]
        models = config.get("models")
        if isinstance(models, list) and isinstance(mine.get("models"), list):
            known = {m.get("id") for m in mine["models"] if isinstance(m, Mapping)}
            keys += [
                f"model {m.get('id')}" for m in models if isinstance(m, Mapping) and m.get("id") not in known
            ]
        if keys:
            added.append(f"{name}: {', '.join(keys)}")
    return tuple(added)
