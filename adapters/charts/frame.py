"""Where a chart's plot sits and how a month and a value become a point on it, with
the colours every layer of the drawing shares.

Each layer (lines, points, marks) returns its SVG with the legend keys of what it
actually drew, so the legend lists those and only those.
"""

from __future__ import annotations

from dataclasses import dataclass

from adapters.charts.ticks import Ticks
from adapters.charts.time_axis import TimeAxis

WIDTH, PLOT_HEIGHT = 820, 268
# The phone's chart: drawn at this width and shown at about it (a 390 px screen), so its
# 12 px text stays 12 px instead of shrinking with an 820 px chart to 5 px.
NARROW = 320
LEFT, RIGHT, TITLE_X = 64, 24, 16
SIGNAL, RUNS, INK, MUTED, GRID = "#c62828", "#ef6c00", "#1f2937", "#6b7280", "#e5e7eb"
PDSA, GOAL, NOTE, BASELINE = "#2563eb", "#2e7d32", "#7c3aed", "#eef2f7"
# A white outline under a label drawn over the plot, so a line or point behind it does not cut it.
HALO = ' stroke="#ffffff" stroke-width="3" paint-order="stroke"'


@dataclass(frozen=True)
class Layer:
    """A part of the drawing and the legend keys of what it drew."""

    svg: str
    used: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Frame:
    """The plot's place in the chart (margins measured from the title and tick labels) and its value range."""

    axis: TimeAxis
    ticks: Ticks
    scale: float  # tick units per data unit: 100 for a percent chart
    left: float
    top: float
    width: float = WIDTH

    @property
    def low(self) -> float:
        return self.ticks.low / self.scale

    @property
    def high(self) -> float:
        return self.ticks.high / self.scale

    @property
    def right(self) -> float:
        return self.width - RIGHT

    @property
    def bottom(self) -> float:
        return self.top + PLOT_HEIGHT

    @property
    def half(self) -> float:
        """Half the width one month takes on the x axis."""
        return (self.right - self.left) / max(len(self.axis), 1) / 2

    def px(self, index: int) -> float:
        """The centre of the index-th month."""
        return self.left + self.half * (2 * index + 1)

    def py(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        return self.top + PLOT_HEIGHT * (1 - (value - self.low) / span)
