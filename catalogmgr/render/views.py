"""What ``list``, ``show``, ``changes`` and ``keys`` print: tables, lines and JSON records.

Pure functions from the effective catalog (or key reports) to text or JSON-ready data; the
commands in :mod:`catalogmgr.cli` only choose one and print it. Every value that came from a
file or the network is escaped (tables and lines through :mod:`catalogmgr.render.escape`) and
literal secrets are masked (:func:`catalogmgr.secrets.redact_data`) before it is shown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from catalogmgr.merge import Catalog, FieldChange, MergeResult, Origin, as_map, catalog_changes
from catalogmgr.render.escape import terminal
from catalogmgr.render.table import Table, render_table
from catalogmgr.secrets import is_credential_key, redact_data, redact_text

if TYPE_CHECKING:  # the key views' records; list/show/changes never pay for catalogmgr.keys
    from catalogmgr.keys import KeyReport

# ------------------------------------------------------------------------------------------------
# list


def model_status(base: Catalog, result: MergeResult, provider: str, model_id: str) -> str:
    """added / changed / base: "changed" only when a field differs (a copied model is not a change)."""
    before = base.get(provider, {}).get(model_id)
    if before is None:
        return "added"
    after = result.catalog[provider][model_id]
    if before is after:
        return "base"
    single = MergeResult(catalog={provider: {model_id: after}}, provenance=result.provenance)
    return "changed" if catalog_changes({provider: {model_id: before}}, single) else "base"


ModelRow = tuple[str, str, Mapping[str, Any], str]  # provider, id, model, status


def price_text(value: Any) -> str:
    """A price per million tokens as people read it (``0.3``), ``-`` when absent."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "-"
    return f"{value:g}"


def count_text(value: Any) -> str:
    """Token counts the way model pages print them: 8,192 / 205K / 1.05M."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "-"
    if value < 10_000:
        return f"{value:,.0f}"
    if value < 1_000_000:
        return f"{value / 1000:,.0f}K"
    return f"{value / 1_000_000:.3g}M"


def models_table(rows: Sequence[ModelRow], *, width: int | None = None) -> str:
    """``list``'s table: one row per model, fitted to ``width`` (names and ids cut first)."""
    header = ("MODEL", "NAME", "API", "CONTEXT", "MAX OUT", "$IN/M", "$OUT/M", "STATUS")
    body = []
    for provider, model_id, model, status in rows:
        cost = as_map(model.get("cost"))
        body.append(
            (
                f"{provider}/{model_id}",
                redact_text(str(model.get("name", ""))),
                str(model.get("api", "")),
                count_text(model.get("contextWindow")),
                count_text(model.get("maxTokens")),
                price_text(cost.get("input")),
                price_text(cost.get("output")),
                status,
            )
        )
    return render_table(Table(header, body, right={3, 4, 5, 6}, shrinkable=(1, 0, 2)), width=width)


def model_record(provider: str, model_id: str, model: Mapping[str, Any], status: str) -> dict[str, Any]:
    """``list --format json``: one model's summary (secrets masked)."""
    return {
        "provider": provider,
        "id": model_id,
        "name": redact_data(model.get("name")),
        "api": model.get("api"),
        "baseUrl": redact_data(model.get("baseUrl")),
        "contextWindow": model.get("contextWindow"),
        "maxTokens": model.get("maxTokens"),
        "cost": model.get("cost"),
        "status": status,
    }


# ------------------------------------------------------------------------------------------------
# show


def origin_record(origin: Origin) -> dict[str, Any]:
    """Where a field was set, for JSON outputs."""
    return {
        "layer": origin.layer,
        "line": origin.position.line if origin.position else None,
        "column": origin.position.column if origin.position else None,
        "how": origin.how,
    }


def value_text(value: Any) -> str:
    """A field value in ``show`` and ``changes`` text: JSON, Unicode kept (escaped on output)."""
    return json.dumps(value, ensure_ascii=False)


def model_lines(model: Mapping[str, Any], origins: Mapping[str, Origin] | None) -> list[str]:
    """``show``'s lines: ``field  value`` (with ``   <- file:line:col (how)`` when explaining)."""
    model = redact_data(model)
    lines = []
    width = max((len(key) for key in model), default=0)
    for key, value in model.items():
        if (
            origins is not None
            and isinstance(value, Mapping)
            and value
            and f"{key}.{next(iter(value))}" in origins
        ):
            lines.append(f"{key}:")
            sub_width = max(len(sub) for sub in value)
            for sub, item in value.items():
                origin = origins.get(f"{key}.{sub}")
                suffix = f"   <- {origin.located()} ({origin.how})" if origin else ""
                lines.append(f"  {sub.ljust(sub_width)}  {value_text(item)}{suffix}")
            continue
        origin = origins.get(key) if origins is not None else None
        suffix = f"   <- {origin.located()} ({origin.how})" if origin else ""
        lines.append(f"{key.ljust(width)}  {value_text(value)}{suffix}")
    return [terminal(line) for line in lines]


def show_text(provider: str, model_id: str, status: str, model: Mapping[str, Any], origins: Any) -> str:
    """``show``'s text output: a title line, then :func:`model_lines`."""
    title = f"{terminal(provider)}/{terminal(model_id)}  ({status})"
    return "\n".join([title, *model_lines(model, origins)])


# ------------------------------------------------------------------------------------------------
# changes


def _redacted(value: Any, field: str | None) -> Any:
    """A change's value for display: literal secrets masked (the field name says if it is a key)."""
    return redact_data(value, credential=is_credential_key(str(field or "").rpartition(".")[2]))


def change_record(change: FieldChange) -> dict[str, Any]:
    """One change for ``changes --format json``."""
    return {
        "provider": change.provider,
        "id": change.model_id,
        "field": change.field,
        "kind": change.kind,
        "before": _redacted(change.before, change.field),
        "after": _redacted(change.after, change.field),
        "origin": origin_record(change.origin) if change.origin else None,
    }


def change_line(change: FieldChange) -> str:
    """One change as a line: ``+ p/id  new model`` or ``  p/id  field: before -> after  (where)``."""
    where = f"  ({change.origin.located()})" if change.origin and change.origin.layer else ""
    model = f"{change.provider}/{change.model_id}"
    if change.kind == "added-model":
        return terminal(f"+ {model}  new model{where}")
    before = "(absent)" if change.kind == "added" else value_text(_redacted(change.before, change.field))
    after = "(absent)" if change.kind == "removed" else value_text(_redacted(change.after, change.field))
    return terminal(f"  {model}  {change.field}: {before} -> {after}{where}")


def changes_text(changes: Sequence[FieldChange]) -> str:
    """``changes``' text output: one line per change."""
    return "\n".join(change_line(change) for change in changes)


# ------------------------------------------------------------------------------------------------
# keys

_OK = {True: "yes", False: "NO", None: "?"}


def _key_label(report: KeyReport) -> str:
    if report.scope in {"provider", "bundled lookup"}:
        return report.field
    return f"{report.field} ({report.scope})"


def keys_table(reports: Sequence[KeyReport], *, width: int | None = None) -> str:
    """One row per key: provider, key, status, usable, written form, masked value, where, detail."""
    header = ("PROVIDER", "KEY", "STATUS", "OK", "CONFIGURED AS", "VALUE", "WHERE", "DETAIL")
    body = [
        (
            report.provider,
            _key_label(report),
            report.status.value,
            _OK[report.usable],
            report.written or ("(OMP's lookup)" if not report.configured else "-"),
            report.masked or "-",
            report.location() or "-",
            report.message,
        )
        for report in reports
    ]
    # The detail goes first, then where it is set and how it is written; status and value stay.
    return render_table(Table(header, body, shrinkable=(7, 6, 4, 1, 0)), width=width)


def keys_summary(reports: Sequence[KeyReport], allow_commands: bool) -> str:
    """The stderr line after the keys table."""
    from catalogmgr.keys import KeyStatus

    configured = [report for report in reports if report.configured]
    unusable = sum(report.is_problem for report in reports)
    not_run = sum(report.status is KeyStatus.COMMAND_NOT_RUN for report in reports)
    parts = [f"{len(configured)} configured key(s), {unusable} unusable"]
    if not_run and not allow_commands:
        parts.append(f"{not_run} !command(s) not run (pass --allow-commands to run them)")
    return "catalogmgr: " + "; ".join(parts)
