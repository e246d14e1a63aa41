"""Plain-text tables: columns padded to their content, fitted to a width without ever wrapping.

Every cell is escaped (:func:`catalogmgr.render.escape.terminal`) before it is measured, so a
control character can neither reach the terminal nor skew the columns. When a width is given
(the terminal's), the widest shrinkable columns are cut with an ellipsis until each row fits;
a row is never wrapped. Without a width (a pipe, a file) nothing is cut, except that one huge
cell does not pad every other row to its length.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from catalogmgr.render.escape import terminal

ELLIPSIS = "…"
GAP = "  "
# Without a width, pad each column to its widest cell but not to an outlier: longer cells stick out.
MAX_PADDED_WIDTH = 80
# No column is cut below this (its header, if shorter, stays whole).
MIN_COLUMN_WIDTH = 6


@dataclass(frozen=True)
class Table:
    """A header and rows of cells (strings, unescaped), with the columns aligned right."""

    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    right: Collection[int] = ()
    # Columns that may be cut to fit a width, most willing first. Default: every column.
    shrinkable: Sequence[int] | None = None


def truncate(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, the last one an ellipsis when anything was cut."""
    if len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + ELLIPSIS if width > 0 else ""


def render_table(table: Table, *, width: int | None = None) -> str:
    """The table as lines of text (no trailing spaces); fitted to ``width`` columns when given."""
    header = [terminal(cell) for cell in table.header]
    rows = [[terminal(cell) for cell in row] for row in table.rows]
    count = len(header)
    natural = [max(len(row[index]) for row in [header, *rows]) for index in range(count)]
    widths = [min(size, MAX_PADDED_WIDTH) for size in natural]
    if width is not None:
        widths = _fit(natural, header, width, table.shrinkable)

    def line(cells: Sequence[str]) -> str:
        parts = []
        for index, cell in enumerate(cells):
            shown = truncate(cell, widths[index]) if width is not None else cell
            last = index == count - 1
            if index in table.right:
                parts.append(shown.rjust(widths[index]))
            else:
                parts.append(shown if last else shown.ljust(widths[index]))
        text = GAP.join(parts).rstrip()
        return truncate(text, width) if width is not None else text

    return "\n".join([line(header), *(line(row) for row in rows)])


def _fit(natural: list[int], header: list[str], width: int, shrinkable: Sequence[int] | None) -> list[int]:
    widths = list(natural)
    order = list(shrinkable) if shrinkable is not None else list(range(len(widths)))
    floor = [max(min(len(header[index]), natural[index]), MIN_COLUMN_WIDTH) for index in range(len(widths))]

    def total() -> int:
        return sum(widths) + len(GAP) * (len(widths) - 1)

    # Cut the widest shrinkable column one step at a time, so wide columns give up space first.
    while total() > width:
        candidates = [index for index in order if widths[index] > floor[index]]
        if not candidates:
            break  # as narrow as it gets: each line is cut at the width instead
        widest = max(candidates, key=lambda index: widths[index])
        runner_up = max((widths[index] for index in candidates if index != widest), default=0)
        room = widths[widest] - max(runner_up, floor[widest])
        widths[widest] -= max(1, min(room, total() - width))
    return widths
