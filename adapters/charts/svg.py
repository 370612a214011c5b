"""A run or control chart as a clean, accessible SVG, with time on the x axis: a slot
per month (a month without data a break in the line), each phase's centre line and
dashed limits, the goal, the baseline, phase boundaries with their reasons, PDSA
cycles and annotations at their months, every signal shown by shape as well as
colour, and a key of what is drawn; under a title wrapped (then ellipsised) at its
measured width. Drawn at WIDTH for a page and at NARROW for a phone.

Plain string building with escaping: the drawing is a few dozen elements, and the
result is parsed as XML in the tests.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

from adapters.charts.frame import GRID, INK, LEFT, MUTED, NARROW, RIGHT, TITLE_X, WIDTH, Frame, Layer
from adapters.charts.legend import legend
from adapters.charts.levels import (
    BASELINE_LABEL_DROP,
    baseline_band,
    centre_and_limits,
    goal_label,
    goal_line,
)
from adapters.charts.marks import annotations, pdsa_cycles, phase_boundaries
from adapters.charts.series import data_line, gaps, points
from adapters.charts.text import FONT_FAMILY, ellipsise, text_width, wrap
from adapters.charts.ticks import nice_ticks
from adapters.charts.time_axis import labelled, time_axis
from projections.chart_model import ChartView
from projections.chart_words import centre_name, describe

__all__ = ["NARROW", "WIDTH", "render_chart"]

TITLE_SIZE, TITLE_LINE, TITLE_LINES = 15, 19, 2
# The month labels' baseline under the axis, and the key's top under them (or under the baseline's label).
MONTH_LABEL_DROP, LEGEND_GAP = 18, 12


def render_chart(view: ChartView, title: str, width: int = WIDTH, css_class: str = "chart") -> str:
    """The chart as an SVG document, `width` user units (and pixels) wide."""
    heading = wrap(title, width - TITLE_X - RIGHT, TITLE_SIZE, bold=True, max_lines=TITLE_LINES) or [""]
    frame = _frame(view, top=24 + len(heading) * TITLE_LINE + 8, width=width)
    frozen = view.baseline is not None
    layers = [
        baseline_band(frame, view),
        Layer(_axes(frame, view.percent)),
        goal_line(frame, view),
        centre_and_limits(frame, view),
        phase_boundaries(frame, view),
        pdsa_cycles(frame, view.marks),
        data_line(frame, view.slots),
        gaps(frame, view.slots),
        points(frame, view.slots, view.percent, frozen),
        annotations(frame, view.marks),
        goal_label(frame, view),
    ]
    below = frame.bottom + (BASELINE_LABEL_DROP if "baseline" in layers[0].used else MONTH_LABEL_DROP)
    used = frozenset[str]().union(*(layer.used for layer in layers))
    key, height = legend(used, centre_name(view).capitalize(), width, below + LEGEND_GAP)
    description = view.description or describe(view)
    body = "".join(layer.svg for layer in [*layers, key])
    return _document(frame, height + 4, title, heading, description, css_class) + body + "</svg>"


def _document(
    frame: Frame, height: float, title: str, heading: list[str], description: str, css_class: str
) -> str:
    """The root element, the full title and the chart in words for assistive technology, and the visible heading."""
    lines = "".join(
        f'<text class="title" x="{TITLE_X}" y="{24 + i * TITLE_LINE}" font-size="{TITLE_SIZE}" '
        f'font-weight="600" fill="{INK}">{escape(line)}</text>'
        for i, line in enumerate(heading)
    )
    w, h = f"{frame.width:.0f}", f"{height:.0f}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'class={quoteattr(css_class)} role="img" aria-label={quoteattr(title)} font-family="{FONT_FAMILY}" font-size="12">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
        f'<rect width="{w}" height="{h}" fill="#ffffff"/>{lines}'
    )


def _frame(view: ChartView, top: float, width: float) -> Frame:
    axis = time_axis([s.period for s in view.slots])
    levels = [v for s in view.slots for v in (s.y, s.cl, s.lcl, s.ucl) if v is not None and math.isfinite(v)]
    if view.goal is not None and math.isfinite(view.goal):
        levels.append(view.goal)
    scale = 100.0 if view.percent else 1.0
    low, high = (min(levels) * scale, max(levels) * scale) if levels else (0.0, scale)
    if view.percent:  # a proportion never leaves [0, 1]; the axis should not suggest it could
        low, high = max(low, 0.0), min(high, 100.0)
        if low == high:  # all at one value: a band of 5 points on the side that exists
            low, high = max(low - 5, 0.0), min(high + 5, 100.0)
    ticks = nice_ticks(low, high)
    suffix = "%" if view.percent else ""
    widest = max(text_width(ticks.label(v, suffix), 12) for v in ticks.values)
    return Frame(axis, ticks, scale, left=max(LEFT, widest + 20), top=top, width=width)


def _axes(frame: Frame, percent: bool) -> str:
    """The y ticks and their grid, the x axis, and the months labelled as often as they fit."""
    parts = [f'<g class="axes" stroke="{MUTED}" fill="{MUTED}">']
    for value in frame.ticks.values:
        y = frame.py(value / frame.scale)
        parts.append(
            f'<line class="grid" x1="{frame.left}" y1="{y:.1f}" x2="{frame.right}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text class="y-tick" x="{frame.left - 8}" y="{y + 4:.1f}" text-anchor="end" stroke="none">'
            f"{frame.ticks.label(value, '%' if percent else '')}</text>"
        )
    parts.append(f'<line x1="{frame.left}" y1="{frame.bottom}" x2="{frame.right}" y2="{frame.bottom}"/>')
    names = [frame.axis.label(i) for i in range(len(frame.axis))]
    widest = max((text_width(name, 12) for name in names), default=0.0)
    for index in labelled(frame.axis, 2 * frame.half, widest):
        label = ellipsise(names[index], frame.width - 8, 12)
        shown = text_width(label, 12)
        left = min(max(frame.px(index) - shown / 2, 4), frame.width - 4 - shown)
        parts.append(
            f'<text class="x-tick" x="{left:.1f}" y="{frame.bottom + MONTH_LABEL_DROP}" stroke="none">'
            f"{escape(label)}</text>"
        )
    parts.append("</g>")
    return "".join(parts)
