"""Where the driver diagram's boxes go: one row per change idea (or childless
driver), a driver spanning its children's rows, and every row as tall as the
measured, wrapped text of the boxes in it needs.

Rows are shared by all four columns, so a driver's box lines up exactly with
the first and last of its children, and the aim spans them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from adapters.charts.text import wrap
from projections.change_ideas import DiagramNode

COLUMNS = {
    "aim": (16, 190),
    "primary_driver": (230, 200),
    "secondary_driver": (454, 200),
    "change_idea": (678, 300),
}
WIDTH = 994
SIZE, LINE, PAD_X, PAD_Y, GAP, MIN_HEIGHT = 12, 15, 10, 10, 12, 80
# The baseline of a line sits this far into its 15 px line box: 12 px Helvetica rises
# 8.6 px above it and falls 2.5 px below, so the ink stays inside the box.
BASELINE = 11
# An aim is free text of any length; the whole of it is in the box's tooltip.
AIM_LINES = 24


@dataclass(frozen=True)
class Cell:
    """One box of the diagram: its column, the rows first..end it spans and its lines (text, bold)."""

    column: str
    first: int
    end: int
    lines: tuple[tuple[str, bool], ...]
    node: DiagramNode | None = None

    @property
    def x(self) -> int:
        return COLUMNS[self.column][0]

    @property
    def width(self) -> int:
        return COLUMNS[self.column][1]

    @property
    def needed(self) -> float:
        """The height its lines need, padding included."""
        return len(self.lines) * LINE + 2 * PAD_Y


def cell(
    column: str, first: int, end: int, heading: str, details: Sequence[str] = (), **more: object
) -> Cell:
    """A box whose heading (bold) and detail lines are wrapped to the column's measured width."""
    room = COLUMNS[column][1] - 2 * PAD_X
    limit = AIM_LINES if column == "aim" else 0
    lines = [(t, True) for t in wrap(heading, room, SIZE, bold=True, max_lines=limit)]
    lines += [(t, False) for detail in details for t in wrap(detail, room, SIZE)]
    return Cell(column, first, end, tuple(lines), **more)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Rows:
    """The height of every row's boxes, stacked from top with GAP between them."""

    heights: tuple[float, ...]
    top: float

    def y0(self, first: int) -> float:
        return self.top + sum(self.heights[:first]) + GAP * first

    def y1(self, end: int) -> float:
        return self.y0(end - 1) + self.heights[end - 1]

    @property
    def bottom(self) -> float:
        return self.y1(len(self.heights))


def fit_rows(cells: Sequence[Cell], count: int, top: float) -> Rows:
    """Rows just tall enough for every cell; a spanning cell short of room grows its last row."""
    heights = [float(MIN_HEIGHT)] * max(count, 1)
    for c in sorted(
        cells, key=lambda c: c.end - c.first
    ):  # narrow spans first: growing a row only helps wider
        have = sum(heights[c.first : c.end]) + GAP * (c.end - c.first - 1)
        heights[c.end - 1] += max(0.0, c.needed - have)
    return Rows(tuple(heights), top)


def baselines(c: Cell, rows: Rows) -> list[float]:
    """The baseline of each of a cell's lines, the block centred in its box."""
    y0, y1 = rows.y0(c.first), rows.y1(c.end)
    start = (y0 + y1 - len(c.lines) * LINE) / 2 + BASELINE
    return [start + i * LINE for i in range(len(c.lines))]
