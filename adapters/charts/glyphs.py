"""The shapes a chart shows its points and marks by, so a signal reads by shape as
well as colour (a red diamond beyond the limits, an orange square in a shift, an
orange triangle in a trend, a hollow crossed circle left out), the same in the plot
and in the legend.
"""

from __future__ import annotations

import math

from adapters.charts.frame import INK, MUTED, NOTE, RUNS, SIGNAL

# A point's shape by the signal it shows, strongest first: a point both beyond the
# limits and in a shift is drawn as beyond the limits (its title names both).
POINT_KINDS = ("excluded", "signal-outside", "signal-shift", "signal-trend", "point")


def point_shape(kind: str, x: float, y: float) -> str:
    """The shape for a point of this kind centred on (x, y)."""
    if kind == "signal-outside":
        r = 6.0
        return f'<polygon points="{_xy(x, y - r)} {_xy(x + r, y)} {_xy(x, y + r)} {_xy(x - r, y)}" fill="{SIGNAL}"/>'
    if kind == "signal-shift":
        r = 4.5
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" fill="{RUNS}"/>'
    if kind == "signal-trend":
        r = 5.5
        return (
            f'<polygon points="{_xy(x, y - r)} {_xy(x + r, y + r * 0.8)} {_xy(x - r, y + r * 0.8)}" '
            f'fill="{RUNS}"/>'
        )
    if kind == "excluded":
        r = 4.5
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="#ffffff" stroke="{MUTED}" stroke-width="1.5"/>'
            f'<path d="M{x - 3:.1f},{y - 3:.1f}L{x + 3:.1f},{y + 3:.1f}M{x - 3:.1f},{y + 3:.1f}L{x + 3:.1f},{y - 3:.1f}" '
            f'stroke="{MUTED}" stroke-width="1.5"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{INK}"/>'


def star(x: float, y: float, r: float = 6.0) -> str:
    """An annotation's glyph: a five-pointed star, unlike any point's shape."""
    corners = [
        _xy(x + radius * math.sin(math.radians(36 * k)), y - radius * math.cos(math.radians(36 * k)))
        for k in range(10)
        for radius in [r if k % 2 == 0 else r * 0.45]
    ]
    return f'<polygon points="{" ".join(corners)}" fill="{NOTE}"/>'


def _xy(x: float, y: float) -> str:
    return f"{x:.1f},{y:.1f}"
