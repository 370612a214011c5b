"""A run or control chart as a clean, accessible SVG: centre line, limits,
points (signals in red), part boundaries and PDSA cycle starts, on an axis of
nice ticks, under a title wrapped (then ellipsised) at its measured width.

Plain string building with escaping: the drawing is a few dozen elements, and
the result is parsed as XML in the tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from adapters.charts.text import FONT_FAMILY, ellipsise, text_width, wrap
from adapters.charts.ticks import Ticks, nice_ticks
from analytics.models import Point, QicResult

WIDTH, PLOT_HEIGHT = 820, 268
# The phone's chart: drawn at this width and shown at about it (a 390 px screen), so its
# 12 px text stays 12 px instead of shrinking with an 820 px chart to 5 px.
NARROW = 320
# One period label per this much width (12 across the full-width chart).
X_LABEL_EVERY = 68
LEFT, RIGHT, BOTTOM, TITLE_X = 64, 24, 64, 16
TITLE_SIZE, TITLE_LINE, TITLE_LINES = 15, 19, 2
SIGNAL, RUNS, INK, MUTED, GRID = "#c62828", "#ef6c00", "#1f2937", "#6b7280", "#e5e7eb"
# A rotated period label may drop this far below the axis before it would leave the chart.
X_LABEL_ROOM = 80


@dataclass(frozen=True)
class Annotation:
    """A labelled moment on the x axis, e.g. the start of a PDSA cycle."""

    x: str
    label: str
    detail: str = ""


@dataclass(frozen=True)
class Frame:
    """Where the plot sits: its margins (measured from the title and tick labels) and its value range."""

    n: int
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
    def bottom(self) -> float:
        return self.top + PLOT_HEIGHT

    @property
    def height(self) -> float:
        return self.bottom + BOTTOM

    @property
    def half(self) -> float:
        """Half the width one point takes on the x axis."""
        return (self.width - self.left - RIGHT) / max(self.n, 1) / 2

    def px(self, index: int) -> float:
        return self.left + (self.half * (2 * index + 1) if self.n else 0)

    def py(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        return self.top + PLOT_HEIGHT * (1 - (value - self.low) / span)


def render_svg(
    result: QicResult,
    title: str,
    annotations: Sequence[Annotation] = (),
    percent: bool = False,
    width: int = WIDTH,
    css_class: str = "chart",
) -> str:
    """The chart as an SVG document, `width` user units (and pixels) wide."""
    heading = wrap(title, width - TITLE_X - RIGHT, TITLE_SIZE, bold=True, max_lines=TITLE_LINES) or [""]
    frame = _frame(result.points, percent, top=24 + len(heading) * TITLE_LINE + 10, width=width)
    runs_parts = {p.part for p in result.parts if p.runs_signal}
    body = [
        _axes(frame, result.points, percent),
        _lines(frame, result.points, runs_parts),
        _part_boundaries(frame, result.points),
        _annotations(frame, result.points, annotations),
        _series(frame, result.points, percent),
    ]
    return _document(frame, title, heading, _summary(result), css_class) + "".join(body) + "</svg>"


def _document(frame: Frame, title: str, heading: list[str], summary: str, css_class: str) -> str:
    """The root element, the full title and summary for assistive technology, and the visible heading."""
    height = f"{frame.height:.0f}"
    lines = "".join(
        f'<text class="title" x="{TITLE_X}" y="{24 + i * TITLE_LINE}" font-size="{TITLE_SIZE}" '
        f'font-weight="600" fill="{INK}">{escape(line)}</text>'
        for i, line in enumerate(heading)
    )
    width = f"{frame.width:.0f}"
    shown = ellipsise(summary, frame.width - TITLE_X - RIGHT, 12)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'class={quoteattr(css_class)} role="img" aria-label={quoteattr(title)} font-family="{FONT_FAMILY}" font-size="12">'
        f"<title>{escape(title)}</title><desc>{escape(summary)}</desc>"
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>{lines}'
        f'<text class="summary" x="{TITLE_X}" y="{frame.top - 10}" fill="{MUTED}">{escape(shown)}</text>'
    )


def _frame(points: Sequence[Point], percent: bool, top: float, width: float) -> Frame:
    values = [v for p in points for v in (p.y, p.cl, p.lcl, p.ucl) if v is not None and math.isfinite(v)]
    scale = 100.0 if percent else 1.0
    low, high = (min(values) * scale, max(values) * scale) if values else (0.0, scale)
    if percent:  # a proportion never leaves [0, 1]; the axis should not suggest it could
        low, high = max(low, 0.0), min(high, 100.0)
        if low == high:  # all at one value: a band of 5 points on the side that exists
            low, high = max(low - 5, 0.0), min(high + 5, 100.0)
    ticks = nice_ticks(low, high)
    widest = max(text_width(_tick_label(ticks, v, percent), 12) for v in ticks.values)
    return Frame(len(points), ticks, scale, left=max(LEFT, widest + 20), top=top, width=width)


def _tick_label(ticks: Ticks, value: float, percent: bool) -> str:
    return ticks.label(value, "%" if percent else "")


def _fmt(value: float, percent: bool) -> str:
    return f"{value * 100:.0f}%" if percent else f"{value:.3g}"


def _axes(frame: Frame, points: Sequence[Point], percent: bool) -> str:
    parts = [f'<g class="axes" stroke="{MUTED}" fill="{MUTED}">']
    for value in frame.ticks.values:
        y = frame.py(value / frame.scale)
        parts.append(
            f'<line class="grid" x1="{frame.left}" y1="{y:.1f}" x2="{frame.width - RIGHT}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text class="y-tick" x="{frame.left - 8}" y="{y + 4:.1f}" text-anchor="end" stroke="none">'
            f"{_tick_label(frame.ticks, value, percent)}</text>"
        )
    parts.append(
        f'<line x1="{frame.left}" y1="{frame.bottom}" x2="{frame.width - RIGHT}" y2="{frame.bottom}"/>'
    )
    step = max(1, len(points) // max(2, int(frame.width // X_LABEL_EVERY)))
    for index in range(0, len(points), step):
        x, y = frame.px(index), frame.bottom + 16
        label = escape(ellipsise(str(points[index].x), X_LABEL_ROOM, 12))
        parts.append(
            f'<text x="{x:.1f}" y="{y}" text-anchor="end" stroke="none" transform="rotate(-35 {x:.1f} {y})">'
            f"{label}</text>"
        )
    parts.append("</g>")
    return "".join(parts)


def _lines(frame: Frame, points: Sequence[Point], runs_parts: set[int]) -> str:
    out = []
    for part in sorted({p.part for p in points}):
        members = [(i, p) for i, p in enumerate(points) if p.part == part]
        centre = _path_for(frame, members, "cl")
        colour, cls = (RUNS, "centre runs-signal") if part in runs_parts else (INK, "centre")
        out.append(f'<path class="{cls}" d="{centre}" stroke="{colour}" stroke-width="2" fill="none"/>')
        for limit in ("lcl", "ucl"):
            d = _path_for(frame, members, limit)
            if d:
                out.append(
                    f'<path class="limit {limit}" d="{d}" stroke="{MUTED}" stroke-dasharray="5 4" fill="none"/>'
                )
    return "".join(out)


def _path_for(frame: Frame, members: Sequence[tuple[int, Point]], attribute: str) -> str:
    half = frame.half
    commands = []
    for index, point in members:
        value = getattr(point, attribute)
        if value is not None:
            x, y = frame.px(index), frame.py(value)
            commands.append(f"M{x - half:.1f},{y:.1f}H{x + half:.1f}")
    return "".join(commands)


def _part_boundaries(frame: Frame, points: Sequence[Point]) -> str:
    half = frame.half
    lines = [
        f'<line class="part-boundary" x1="{frame.px(i) - half:.1f}" y1="{frame.top}" x2="{frame.px(i) - half:.1f}" '
        f'y2="{frame.bottom}" stroke="{MUTED}" stroke-width="1.5"/>'
        for i in range(1, len(points))
        if points[i].part != points[i - 1].part
    ]
    return "".join(lines)


def _annotations(frame: Frame, points: Sequence[Point], annotations: Sequence[Annotation]) -> str:
    index_of = {str(p.x): i for i, p in enumerate(points)}
    out = []
    for n, note in enumerate(annotations):
        if note.x not in index_of:
            continue
        x = frame.px(index_of[note.x])
        out.append(
            f'<g class="annotation"><line x1="{x:.1f}" y1="{frame.top}" x2="{x:.1f}" y2="{frame.bottom}" '
            f'stroke="#2563eb" stroke-dasharray="2 3"/>{_note_label(x, frame.top + 12 + (n % 3) * 12, note.label, frame.width)}'
            f"<title>{escape(note.detail or note.label)}</title></g>"
        )
    return "".join(out)


def _note_label(x: float, y: float, label: str, width: float) -> str:
    """The label beside its line, turned to the line's left where the right edge would cut it."""
    fits_right = x + 3 + text_width(label, 12) <= width - 4
    anchor = "" if fits_right else ' text-anchor="end"'
    return f'<text x="{x + 3 if fits_right else x - 3:.1f}" y="{y}"{anchor} fill="#2563eb">{escape(label)}</text>'


def _series(frame: Frame, points: Sequence[Point], percent: bool) -> str:
    present = [(i, p) for i, p in enumerate(points) if p.y is not None]
    line = " ".join(f"{frame.px(i):.1f},{frame.py(p.y):.1f}" for i, p in present if p.y is not None)
    out = [f'<polyline class="series" points="{line}" stroke="{INK}" stroke-width="1.5" fill="none"/>']
    for index, point in present:
        assert point.y is not None
        cls = "point signal" if point.sigma_signal else "point"
        colour = SIGNAL if point.sigma_signal else INK
        radius = 5 if point.sigma_signal else 3.5
        label = quoteattr(
            f"{point.x}: {_fmt(point.y, percent)}" + (" (outside the limits)" if point.sigma_signal else "")
        )
        out.append(
            f'<circle class="{cls}" cx="{frame.px(index):.1f}" cy="{frame.py(point.y):.1f}" r="{radius}" '
            f'fill="{colour}" fill-opacity="{1 if point.include else 0.35}"><title>{escape(label[1:-1])}</title></circle>'
        )
    return "".join(out)


def _summary(result: QicResult) -> str:
    signals = sum(p.sigma_signal for p in result.points)
    runs = [p.part for p in result.parts if p.runs_signal]
    chart = {
        "run": "Run chart",
        "i": "I chart",
        "mr": "MR chart",
        "p": "P chart",
        "u": "U chart",
        "c": "C chart",
    }
    text = f"{chart.get(result.chart, result.chart)} of {len(result.points)} points; "
    text += f"{signals} outside the limits; " if result.chart != "run" else ""
    return text + (
        "non-random variation (runs) in part " + ", ".join(map(str, runs)) if runs else "no runs signal"
    )
