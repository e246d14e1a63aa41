"""Render a drift report (``catalogmgr diff-upstream``) as text, JSON, Markdown or GitHub annotations.

:data:`DRIFT_RENDERERS` maps a format name to its renderer and feeds the ``--format`` choice.
Every renderer is pure and returns a string ending in a newline (or the empty string).

Values are the normalised ones (:mod:`catalogmgr.upstream.normalize`): prices in USD per million
tokens as exact decimals (``0.8``, never ``0.7999999999999999``).

The JSON shape (``--format json``) is stable; fields are only ever added::

    {
      "version": 1,
      "source": "openrouter",
      "upstream": "https://openrouter.ai/api/v1/models?output_modalities=all",
      "retrieved": "2026-08-18T10:00:00+00:00",        # null for --upstream-file
      "fromCache": false,
      "summary": {"new": 1, "changed": 2, "removal": 0, "gone": 3, "ignored": 1, "hidden": 0,
                  "drift": true},
      "providers": [{"provider": "openrouter", "upstream": ["openrouter"],
                     "localModels": 333, "upstreamModels": 549, "matched": 230}],
      "drift": [
        {"kind": "changed", "provider": "openrouter", "id": "deepseek/deepseek-chat",
         "upstreamProvider": "openrouter", "upstreamId": "deepseek/deepseek-chat",
         "removalDate": null, "notes": [],
         "changes": [{"field": "cost.input", "catalog": 0.2288, "upstream": 0.2574, "relative": 0.125}],
         "upstreamModel": {"name": "DeepSeek V3", "contextWindow": 163840, "maxTokens": null,
                           "cost": {"input": 0.2574, "output": 1.0287}, "input": ["text"],
                           "reasoning": false, "supportsTools": true, "expirationDate": null}}
      ],
      "ignored": [{...the same fields as a drift record..., "reason": "...", "rule": "ignore.yml:4"}],
      "hidden": [{...the same fields as a drift record..., "noise": "cosmetic-name"}],
      "canonicalSlugs": [{"provider": "openrouter", "id": "x/y-20260531", "upstreamId": "x/y"}],
      "inputs": {"base": "/path/to/models.json", "base_is_embedded": false, "overlays": ["models.yml"]},
      "notes": ["..."]
    }

``kind`` is ``new | changed | removal | gone``. ``hidden`` holds what :mod:`catalogmgr.drift.noise`
took out of view (``noise``: ``cosmetic-name | headroom | placeholder-date | deprecated-new |
elsewhere-gone``), one field per record for field-level noise. ``upstreamModel`` is null for ``gone``. A price
upstream marks as variable is the string ``"variable"``; a price it does not list is absent from
``cost``. ``relative`` is null when the catalog value was 0 or absent. ``inputs`` is the catalog
side, with the same keys as the other commands' JSON outputs (empty outside the CLI).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from catalogmgr.drift.diff import KINDS, Drift, DriftKind, DriftReport, FieldDrift, IgnoredDrift
from catalogmgr.render.escape import github_data, github_property, markdown_cell, markdown_code, terminal
from catalogmgr.upstream.listing import COST_FIELDS, UpstreamModel
from catalogmgr.upstream.normalize import Variable, format_number, format_relative

JSON_VERSION = 1

KIND_TITLES: dict[DriftKind, str] = {
    "new": "new upstream",
    "changed": "changed",
    "removal": "scheduled removal",
    "gone": "gone upstream",
}


def summary_line(report: DriftReport) -> str:
    """``1 new, 2 changed, 0 scheduled removal, 3 gone (1 ignored)``."""
    parts = [f"{report.count('new')} new", f"{report.count('changed')} changed"]
    if report.count("removal"):
        parts.append(f"{report.count('removal')} scheduled removal")
    parts.append(f"{report.count('gone')} gone")
    text = ", ".join(parts)
    if report.ignored:
        text += f" ({len(report.ignored)} ignored)"
    return text


def format_value(value: Any) -> str:
    """A normalised value as the report prints it."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (Decimal, int)):
        return format_number(value)
    if isinstance(value, Variable):
        return "variable"
    if isinstance(value, tuple):
        return "+".join(value) if value else "(none)"
    return str(value)


def _describe_change(change: FieldDrift) -> str:
    text = f"{terminal(format_value(change.local))} -> {terminal(format_value(change.upstream))}"
    numeric = isinstance(change.upstream, (Decimal, int)) and not isinstance(change.upstream, bool)
    if numeric and change.local is not None:
        text += f"  ({format_relative(change.relative)})"
    return text


def describe_windows(windows: tuple[tuple[str, Decimal], ...]) -> str:
    """Time-of-day prices, grouped by price: ``0.66 at 10:00-01:00, 04:00-06:00; 1.32 at 01:00-04:00 UTC``."""
    by_price: dict[Decimal, list[str]] = {}
    for label, price in windows:
        by_price.setdefault(price, []).append(label.removesuffix(" UTC"))
    groups = [f"{format_value(price)} at {', '.join(labels)}" for price, labels in sorted(by_price.items())]
    return "; ".join(groups) + " UTC"


def describe_upstream(model: UpstreamModel) -> str:
    """One line of what upstream says about a model (for `new` entries)."""
    parts: list[str] = []
    if model.context_window is not None:
        parts.append(f"context {model.context_window}")
    if model.max_tokens is not None:
        parts.append(f"max tokens {model.max_tokens}")
    prices = [f"{key} {format_value(model.cost[key])}" for key in COST_FIELDS if key in model.cost]
    if prices:
        parts.append("$/M " + ", ".join(prices))
    if model.input is not None:
        parts.append("input " + "+".join(model.input))
    if model.reasoning:
        parts.append("reasoning")
    return "; ".join(parts)


# ------------------------------------------------------------------------------------------------
# text


# New models are one aligned line each; ids longer than this push their line's columns right.
NEW_ID_WIDTH = 44

# A markdown "Changed" table longer than this folds per provider (<details>).
MARKDOWN_FOLD_ROWS = 30

# Text output fits an 80-column terminal: notes and id lists wrap at this width.
TEXT_WIDTH = 80


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        text,
        width=TEXT_WIDTH,
        initial_indent=indent,
        subsequent_indent=" " * len(indent) + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def _counts(drift: list[Drift]) -> str:
    return ", ".join(
        f"{sum(1 for d in drift if d.kind == k)} {KIND_TITLES[k]}"
        for k in KINDS
        if any(d.kind == k for d in drift)
    )


def render_text(report: DriftReport) -> str:
    """The answer first: a summary (counts per kind and provider, what was hidden), the new models
    (id, context, prices), then the changes grouped by provider, then removals and gone models.
    Every upstream or catalog string passes :func:`catalogmgr.render.escape.terminal`."""
    lines: list[str] = []
    lines.append(f"{report.source}: {terminal(report.origin)}{_retrieved(report)}")
    lines.append(("drift: " if report.has_drift else "no drift: ") + summary_line(report))
    providers = _providers_in_order(report)
    if len(providers) > 1:
        for provider in providers:
            entries = [d for d in report.drift if d.provider == provider]
            lines.append(f"  {terminal(provider)}: {_counts(entries)}")
    from catalogmgr.drift.noise import hidden_summary

    hidden = hidden_summary(report)
    if hidden is not None:
        lines.extend(_wrap(hidden, ""))
    new = [d for d in report.drift if d.kind == "new"]
    if new:
        lines += ["", f"{KIND_TITLES['new']} ({len(new)}):"]
        for provider in providers:
            entries = [d for d in new if d.provider == provider]
            if entries:
                lines.append(f"  {terminal(provider)} ({len(entries)}; context, $/M input/output):")
                width = min(max(len(terminal(d.model_id)) for d in entries), NEW_ID_WIDTH)
                for drift in entries:
                    lines.extend(_text_new(drift, width))
    for kind in ("changed", "removal"):
        group = [d for d in report.drift if d.kind == kind]
        if not group:
            continue
        lines += ["", f"{KIND_TITLES[kind]} ({len(group)}):"]
        for provider in providers:
            entries = [d for d in group if d.provider == provider]
            if not entries:
                continue
            lines.append(f"  {terminal(provider)} ({len(entries)}):")
            for drift in entries:
                lines.extend(_text_entry(drift))
    gone = [d for d in report.drift if d.kind == "gone"]
    if gone:
        lines += ["", f"{KIND_TITLES['gone']} ({len(gone)}; reported only, never removed):"]
        for provider in providers:
            ids = [terminal(d.model_id) for d in gone if d.provider == provider]
            if ids:
                lines.extend(_wrap(f"{terminal(provider)} ({len(ids)}): " + ", ".join(ids), "  "))
    if report.ignored:
        lines.append("")
        lines.append(f"ignored ({len(report.ignored)}):")
        for item in report.ignored:
            fields = f" [{', '.join(f.field for f in item.drift.fields)}]" if item.drift.fields else ""
            # Not wrapped: the rule's file:line stays whole, for editors and grep.
            lines.append(
                f"  {terminal(item.drift.provider)}/{terminal(item.drift.model_id)}"
                f" {item.drift.kind}{fields}: {terminal(item.reason)} ({terminal(item.rule)})"
            )
    if report.canonical_matches:
        lines.append("")
        lines.append("matched by canonical slug:")
        for provider, local_id, upstream_id in report.canonical_matches:
            lines.extend(
                _wrap(
                    f"{terminal(provider)}/{terminal(local_id)} uses the canonical slug of upstream"
                    f" {terminal(upstream_id)}",
                    "  ",
                )
            )
    lines.append("")
    for comparison in report.providers:
        lines.extend(
            _wrap(
                f"catalog {terminal(comparison.provider)} ({comparison.local_models} models) vs upstream"
                f" {', '.join(terminal(u) for u in comparison.upstream)}"
                f" ({comparison.upstream_models} models): {comparison.matched} matched",
                "",
            )
        )
    if report.notes:
        lines.append("notes:")
        for note in report.notes:
            lines.extend(_wrap(terminal(note), "  - "))
    lines.append("")
    lines.append(("drift: " if report.has_drift else "no drift: ") + summary_line(report))
    # Each entry is one line: ids, names and notes from the listing cannot break out of it.
    return "".join(terminal(line) + "\n" for line in lines)


def _text_new(drift: Drift, width: int) -> list[str]:
    """One line per new model: id, context and $/M input/output, aligned; notes below when any.
    The name, limits and modalities are in ``--format json`` and ``markdown``."""
    model = drift.upstream
    model_id = terminal(drift.model_id)
    if model is None:
        return [f"    {model_id}"]
    context = f"{model.context_window:,} ctx" if model.context_window is not None else "? ctx"
    prices = "/".join(
        f"${format_value(model.cost[key])}" if key in model.cost else "?" for key in ("input", "output")
    )
    line = f"    {model_id.ljust(width)}  {context:>13}  {prices}"
    lines = [line] if len(line) <= TEXT_WIDTH else _wrap(f"{model_id}  {context}  {prices}", "    ")
    for note in drift.notes:
        lines.extend(_wrap(terminal(note), "      "))
    return lines


def _text_entry(drift: Drift) -> list[str]:
    notes = f"  ({'; '.join(terminal(n) for n in drift.notes)})" if drift.notes else ""
    if drift.kind == "removal":
        return _wrap(f"{terminal(drift.model_id)}{notes}", "    ")
    lines = _wrap(f"{terminal(drift.model_id)}{notes}", "    ")
    width = max((len(change.field) for change in drift.fields), default=0)
    for change in drift.fields:
        lines.extend(_wrap(f"{change.field.ljust(width)}  {_describe_change(change)}", "      "))
        if change.windows:
            lines.extend(_wrap(f"time-of-day prices: {describe_windows(change.windows)}", "        "))
    return lines


def _retrieved(report: DriftReport) -> str:
    if report.retrieved is None:
        return ""
    cached = ", from the cache" if report.from_cache else ""
    return f" (retrieved {report.retrieved}{cached})"


def _providers_in_order(report: DriftReport) -> list[str]:
    seen: dict[str, None] = {}
    for drift in report.drift:
        seen.setdefault(drift.provider, None)
    return list(seen)


# ------------------------------------------------------------------------------------------------
# json


def _json_value(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        # Normalised decimals have at most 12 significant digits: the float prints the same digits.
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    if isinstance(value, Variable):
        return "variable"
    if isinstance(value, tuple):
        return list(value)
    return value


def upstream_json(model: UpstreamModel) -> dict[str, Any]:
    """The normalised upstream model as JSON data (also used by the overlay writer's comments)."""
    return {
        "name": model.name,
        "contextWindow": model.context_window,
        "maxTokens": model.max_tokens,
        "cost": {key: _json_value(model.cost[key]) for key in COST_FIELDS if key in model.cost},
        "input": _json_value(model.input),
        "reasoning": model.reasoning,
        "supportsTools": model.supports_tools,
        "expirationDate": model.expiration_date,
    }


def _drift_json(drift: Drift) -> dict[str, Any]:
    return {
        "kind": drift.kind,
        "provider": drift.provider,
        "id": drift.model_id,
        "upstreamProvider": drift.upstream_provider,
        "upstreamId": drift.upstream_id,
        "removalDate": drift.removal_date,
        "notes": list(drift.notes),
        "changes": [
            {
                "field": change.field,
                "catalog": _json_value(change.local),
                "upstream": _json_value(change.upstream),
                "relative": _json_value(change.relative),
            }
            for change in drift.fields
        ],
        "upstreamModel": upstream_json(drift.upstream) if drift.upstream is not None else None,
    }


def _ignored_json(item: IgnoredDrift) -> dict[str, Any]:
    return {**_drift_json(item.drift), "reason": item.reason, "rule": item.rule}


def render_json(report: DriftReport) -> str:
    """The stable machine shape documented in this module's docstring."""
    data: dict[str, Any] = {
        "version": JSON_VERSION,
        "source": report.source,
        "upstream": report.origin,
        "retrieved": report.retrieved,
        "fromCache": report.from_cache,
        "summary": {
            **{kind: report.count(kind) for kind in KINDS},
            "ignored": len(report.ignored),
            "hidden": len(report.hidden),
            "drift": report.has_drift,
        },
        "providers": [
            {
                "provider": c.provider,
                "upstream": list(c.upstream),
                "localModels": c.local_models,
                "upstreamModels": c.upstream_models,
                "matched": c.matched,
            }
            for c in report.providers
        ],
        "drift": [_drift_json(drift) for drift in report.drift],
        "ignored": [_ignored_json(item) for item in report.ignored],
        "hidden": [{**_drift_json(item.drift), "noise": item.noise} for item in report.hidden],
        "canonicalSlugs": [
            {"provider": provider, "id": local_id, "upstreamId": upstream_id}
            for provider, local_id, upstream_id in report.canonical_matches
        ],
        "inputs": dict(report.inputs),
        "notes": list(report.notes),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------------------------------------
# markdown


def _cell(text: Any) -> str:
    # Untrusted text (upstream names, ids, reasons) inside a table cell: no markup, no line breaks.
    if text is None:
        return ""
    value = format_value(text) if not isinstance(text, str) else text
    return markdown_cell(value)


def _code(text: str) -> str:
    # Inside a table cell, GFM ends the cell at any `|`, even within a code span: escape it there.
    return markdown_code(text).replace("|", "\\|")


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(title: str, count: int, header: list[str], align: str) -> list[str]:
    # align: one letter per column, l (left) or r (right: numbers).
    rule = ["--:" if a == "r" else "---" for a in align]
    return [f"### {title} ({count})", "", _row(header), _row(rule)]


def _changed_row(drift: Drift, change: FieldDrift) -> str:
    relative = format_relative(change.relative) if change.relative is not None else ""
    upstream = _cell(change.upstream)
    if change.windows:
        upstream += " (lowest; time-of-day: " + _cell(describe_windows(change.windows)) + ")"
    cells = [
        _cell(drift.provider),
        _code(drift.model_id),
        change.field,
        _cell(change.local),
        upstream,
        relative,
    ]
    return _row(cells)


def render_markdown(report: DriftReport) -> str:
    """A Markdown section for a pull request or an issue: summary, then one table per kind."""
    lines = [f"## Upstream drift: {report.source}", ""]
    retrieved = f", retrieved {report.retrieved}" if report.retrieved else ""
    lines.append(f"Compared with {_code(report.origin)}{retrieved}. **{summary_line(report)}.**")
    lines.append("")
    from catalogmgr.drift.noise import hidden_summary

    hidden = hidden_summary(report)
    if hidden is not None:
        lines += [f"_{hidden[0].upper()}{hidden[1:]}._", ""]
    providers = _providers_in_order(report)
    if len(providers) > 1:
        # Where the drift is, at a glance: one row per provider.
        lines += [
            _row(["provider", *(KIND_TITLES[k] for k in KINDS)]),
            _row(["---", *("--:" for _ in KINDS)]),
        ]
        for provider in providers:
            counts = [
                str(sum(1 for d in report.drift if d.provider == provider and d.kind == k)) for k in KINDS
            ]
            lines.append(_row([_cell(provider), *counts]))
        lines.append("")
    new = [d for d in report.drift if d.kind == "new" and d.upstream is not None]
    if new:
        header = [
            "provider",
            "model",
            "name",
            "context",
            "max tokens",
            "input",
            "output",
            "cache read",
            "cache write",
            "modalities",
            "reasoning",
        ]
        lines += _table("New upstream", len(new), header, "lllrrrrrrll")
        for drift in new:
            model = drift.upstream
            assert model is not None
            prices = [_cell(model.cost[key]) if key in model.cost else "" for key in COST_FIELDS]
            lines.append(
                _row(
                    [
                        _cell(drift.provider),
                        _code(drift.model_id),
                        _cell(model.name or ""),
                        _cell(model.context_window),
                        _cell(model.max_tokens),
                        *prices,
                        _cell(model.input),
                        _cell(model.reasoning),
                    ]
                )
            )
        lines.append("")
    changed = [d for d in report.drift if d.kind == "changed"]
    if changed:
        header = [
            _row(["provider", "model", "field", "catalog", "upstream", "change"]),
            _row(["---"] * 3 + ["--:"] * 3),
        ]
        # A long list folds per provider, so a reviewer opens only the part they care about.
        fold = len(changed) > MARKDOWN_FOLD_ROWS and len(providers) > 1
        lines += [f"### Changed ({len(changed)})", ""]
        if not fold:
            lines += header
        for provider in providers:
            entries = [d for d in changed if d.provider == provider]
            if not entries:
                continue
            if fold:
                lines += [
                    f"<details><summary>{_cell(provider)}: {len(entries)} changed</summary>",
                    "",
                    *header,
                ]
            lines += [_changed_row(drift, change) for drift in entries for change in drift.fields]
            if fold:
                lines += ["", "</details>", ""]
        lines.append("")
    removal = [d for d in report.drift if d.kind == "removal"]
    if removal:
        lines += _table("Scheduled removal", len(removal), ["provider", "model", "when"], "lll")
        for drift in removal:
            lines.append(
                _row(
                    [
                        _cell(drift.provider),
                        _code(drift.model_id),
                        _cell(drift.removal_date or "deprecated"),
                    ]
                )
            )
        lines.append("")
    gone = [d for d in report.drift if d.kind == "gone"]
    if gone:
        lines += [
            f"### Gone upstream ({len(gone)})",
            "",
            "Still in the catalog, no longer listed upstream. Reported only: nothing is removed.",
            "",
            f"<details><summary>{len(gone)} model(s)</summary>",
            "",
        ]
        lines += [f"- {_cell(d.provider)}: {_code(d.model_id)}" for d in gone]
        lines += ["", "</details>", ""]
    if report.ignored:
        lines += _table(
            "Accepted differences", len(report.ignored), ["model", "kind", "reason", "rule"], "llll"
        )
        for item in report.ignored:
            fields = f" ({', '.join(f.field for f in item.drift.fields)})" if item.drift.fields else ""
            lines.append(
                _row(
                    [
                        _code(f"{item.drift.provider}/{item.drift.model_id}"),
                        f"{item.drift.kind}{fields}",
                        _cell(item.reason),
                        _cell(item.rule),
                    ]
                )
            )
        lines.append("")
    if report.notes:
        lines += ["### Notes", ""] + [f"- {_cell(note)}" for note in report.notes] + [""]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# github


def render_github(report: DriftReport) -> str:
    """GitHub Actions workflow commands: a warning per new/changed/removal, a notice per gone."""
    lines: list[str] = []
    for drift in report.drift:
        level = "notice" if drift.kind == "gone" else "warning"
        title = f"{KIND_TITLES[drift.kind]}: {drift.provider}/{drift.model_id}"
        if drift.kind == "changed":
            message = "; ".join(f"{c.field} {_describe_change(c)}" for c in drift.fields)
        elif drift.kind == "new" and drift.upstream is not None:
            message = f"listed by {report.source} but not in the catalog: {describe_upstream(drift.upstream)}"
        elif drift.kind == "removal":
            message = "; ".join(drift.notes) or "scheduled for removal upstream"
        else:
            message = f"in the catalog but no longer listed by {report.source}"
        if drift.notes and drift.kind != "removal":
            message += f" ({'; '.join(drift.notes)})"
        lines.append(f"::{level} title={github_property(title)}::{github_data(message)}")
    for note in report.notes:
        lines.append(f"::notice title=catalogmgr diff-upstream::{github_data(note)}")
    lines.append(f"::notice title=catalogmgr diff-upstream::{github_data(summary_line(report))}")
    return "\n".join(lines) + "\n"


DRIFT_RENDERERS: dict[str, Callable[[DriftReport], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "github": render_github,
}
FORMAT_CHOICES: tuple[str, ...] = tuple(DRIFT_RENDERERS)


def render(report: DriftReport, fmt: str) -> str:
    """Render ``report`` in ``fmt`` (a key of :data:`DRIFT_RENDERERS`)."""
    return DRIFT_RENDERERS[fmt](report)
