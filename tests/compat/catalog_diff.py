"""The comparison behind the differential merge tests: catalogmgr's merged catalog against OMP's.

OMP's ``getAll()`` applies OMP's own policies to bundled models with no overlay at all
(``buildModel`` normalisation, long-context caps, hard-coded windows...), which catalogmgr does not
reproduce; so :func:`compare` compares *what the overlay changes*. Given OMP's no-overlay baseline
and its result with the overlay, per model:

* a bundled model: every compared field OMP changed (baseline -> with overlay) must have OMP's
  value in ours; every field OMP left alone must be unchanged in ours (base -> merged) or equal
  OMP's value;
* a new model: must exist on both sides with equal compared fields;
* models OMP drops must be gone from ours, and ours must not add models OMP does not have.

Compared: :data:`COMPARED_FIELDS`, the ``compat`` keys the overlay sets for the model (provider
``compat`` and ``disableStrictTools``, the model's own ``compat``, its ``modelOverrides`` compat)
and the header names it sets. For a compat key OMP's rule engine knows, OMP's resolved ``compat``
is read; otherwise its authored ``compatConfig``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from omp import ModelKey, OmpResult, Row

COMPARED_FIELDS = (
    "name",
    "api",
    "baseUrl",
    "reasoning",
    "input",
    "cost",
    "contextWindow",
    "maxTokens",
    "thinking",
)


@dataclass(frozen=True)
class Difference:
    """One field of one model where catalogmgr's merge and OMP's disagree."""

    overlay: str
    provider: str
    model_id: str
    field: str
    ours: Any
    omp: Any
    note: str
    # The overlay itself writes this field for this model (a models: entry or modelOverrides).
    authored: bool = False
    # The compat keys the overlay sets for this model (provider compat, model compat, overrides).
    compat_keys: frozenset[str] = frozenset()

    def __str__(self) -> str:
        return (
            f"{self.overlay}: {self.provider}/{self.model_id}: {self.field}: "
            f"ours={_show(self.ours)} omp={_show(self.omp)} ({self.note})"
        )


MISSING: Any = object()  # a field or key that is absent (shown as "<absent>")


def _show(value: Any) -> str:
    if value is MISSING:
        return "<absent>"
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 300 else text[:297] + "..."


def same(left: Any, right: Any) -> bool:
    """JSON equality: ints equal floats of the same value, but booleans are not numbers."""
    left = None if left is MISSING else left
    right = None if right is MISSING else right
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    return type(left) is type(right) and bool(left == right)


# ------------------------------------------------------------------------------------------------
# What the overlay sets, per model


@dataclass
class OverlayTouches:
    """The compat keys and header names an overlay sets, per provider and per (provider, id)."""

    provider_compat: dict[str, set[str]]
    provider_headers: dict[str, set[str]]
    model_compat: dict[ModelKey, set[str]]
    model_headers: dict[ModelKey, set[str]]
    model_fields: dict[ModelKey, set[str]]  # top-level fields of models: entries and modelOverrides

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> OverlayTouches:
        touches = cls({}, {}, {}, {}, {})
        providers = data.get("providers") if isinstance(data, Mapping) else None
        if not isinstance(providers, Mapping):
            return touches
        for provider, config in providers.items():
            if not isinstance(config, Mapping):
                continue
            compat = set(_keys(config.get("compat")))
            if config.get("disableStrictTools") is True:
                compat.add("disableStrictTools")
            touches.provider_compat[provider] = compat
            touches.provider_headers[provider] = set(_keys(config.get("headers")))
            for model in config.get("models") or []:
                if isinstance(model, Mapping) and isinstance(model.get("id"), str):
                    key = (provider, model["id"])
                    touches.model_fields.setdefault(key, set()).update(_keys(model))
                    touches.model_compat.setdefault(key, set()).update(_keys(model.get("compat")))
                    touches.model_headers.setdefault(key, set()).update(_keys(model.get("headers")))
            overrides = config.get("modelOverrides")
            if isinstance(overrides, Mapping):
                for model_id, override in overrides.items():
                    if isinstance(override, Mapping):
                        key = (provider, str(model_id))
                        touches.model_fields.setdefault(key, set()).update(_keys(override))
                        touches.model_compat.setdefault(key, set()).update(_keys(override.get("compat")))
                        touches.model_headers.setdefault(key, set()).update(_keys(override.get("headers")))
        return touches

    def compat_keys(self, key: ModelKey) -> set[str]:
        return self.provider_compat.get(key[0], set()) | self.model_compat.get(key, set())

    def header_names(self, key: ModelKey) -> set[str]:
        return self.provider_headers.get(key[0], set()) | self.model_headers.get(key, set())


def _keys(value: Any) -> list[str]:
    return [str(key) for key in value] if isinstance(value, Mapping) else []


def _compat_view(key: str, *rows: Row | None) -> str:
    """Which OMP field to read a compat key from: the resolved ``compat`` when OMP's rule engine
    knows the key (it is in the resolved view of either row), else the authored ``compatConfig``."""
    for row in rows:
        if row is not None and isinstance(row.get("compat"), dict) and key in row["compat"]:
            return "compat"
    return "compatConfig"


def _sub(row: Mapping[str, Any] | None, field: str, key: str) -> Any:
    if row is None:
        return MISSING
    container = row.get(field)
    if not isinstance(container, dict):
        return MISSING
    return container.get(key, MISSING)


# ------------------------------------------------------------------------------------------------
# The comparison


@dataclass(frozen=True)
class _ModelSides:
    """One model as four rows: the base catalog's, ours, OMP's baseline and OMP's with the overlay.

    ``base`` and ``omp_before`` are None for a model the overlay adds.
    """

    key: ModelKey
    base: Row | None
    ours: Row
    omp_before: Row | None
    omp: Row

    def values(self, name: str, view: str | None = None) -> tuple[Any, Any, Any, Any]:
        """(ours, base, OMP before, OMP after) of a field, or of key ``name`` in map ``view``."""
        if view is None:
            return (
                MISSING if self.ours is None else self.ours.get(name, MISSING),
                MISSING if self.base is None else self.base.get(name, MISSING),
                MISSING if self.omp_before is None else self.omp_before.get(name, MISSING),
                self.omp.get(name, MISSING),
            )
        # Ours holds the authored compat in `compatConfig` too (and OMP's resolved record in
        # `compat` for the models the rule engine rebuilds), so the same view is read on both sides.
        ours_view = view
        return (
            _sub(self.ours, ours_view, name),
            _sub(self.base, ours_view, name),
            _sub(self.omp_before, view, name),
            _sub(self.omp, view, name),
        )


def _field_difference(sides: _ModelSides, name: str, values: tuple[Any, Any, Any, Any]) -> str | None:
    """Why ours disagrees with OMP on one field (None when it agrees)."""
    ours, base, omp_before, omp = values
    if sides.base is None:
        return None if same(ours, omp) else "new model"
    if not same(omp_before, omp):
        return None if same(ours, omp) else f"OMP changed it from {_show(omp_before)}"
    if same(ours, base) or same(ours, omp):
        return None
    return f"ours changed it from {_show(base)}, OMP did not"


def compare(
    overlay: str,
    data: Mapping[str, Any],
    base: Mapping[str, Mapping[str, Row]],
    ours: Mapping[str, Mapping[str, Row]],
    baseline: Mapping[ModelKey, Row],
    result: OmpResult,
) -> list[Difference]:
    """Every difference between catalogmgr's merge and OMP's for one overlay."""
    touches = OverlayTouches.of(data)
    ours_keys = {(p, i) for p, models in ours.items() for i in models}
    omp_keys = (set(baseline) - result.removed) | set(result.changed)
    differences: list[Difference] = []

    def differ(key: ModelKey, name: str, our_value: Any, omp_value: Any, note: str) -> None:
        authored = name.split(".", 1)[0] in touches.model_fields.get(key, set())
        compat_keys = frozenset(touches.compat_keys(key))
        differences.append(
            Difference(overlay, key[0], key[1], name, our_value, omp_value, note, authored, compat_keys)
        )

    for key in sorted(omp_keys - ours_keys):
        differ(key, "*", MISSING, "<model>", "model in OMP's catalog, missing from ours")
    for key in sorted(ours_keys - omp_keys):
        differ(key, "*", "<model>", MISSING, "model in ours, not in OMP's catalog")

    for key in sorted(ours_keys & omp_keys):
        provider, model_id = key
        bundled = key in baseline and model_id in base.get(provider, {})
        sides = _ModelSides(
            key=key,
            base=base[provider][model_id] if bundled else None,
            ours=ours[provider][model_id],
            omp_before=baseline[key] if bundled else None,
            omp=result.changed.get(key) or baseline[key],
        )
        checks: list[tuple[str, tuple[Any, Any, Any, Any]]] = [
            (name, sides.values(name)) for name in COMPARED_FIELDS
        ]
        for compat_key in sorted(touches.compat_keys(key)):
            view = _compat_view(compat_key, sides.omp_before, sides.omp)
            checks.append((f"compat.{compat_key}", sides.values(compat_key, view)))
        # Headers OMP could not resolve ("<unresolved: !command values>") are not compared.
        if not isinstance(sides.omp.get("headers"), str):
            for header in sorted(touches.header_names(key)):
                checks.append((f"headers.{header}", sides.values(header, "headers")))
        for name, values in checks:
            note = _field_difference(sides, name, values)
            if note is not None:
                differ(key, name, values[0], values[3], note)
    return differences
