"""A run or control chart as a clean, accessible SVG: centre line, limits,
points (signals in red), part boundaries and PDSA cycle starts.

Plain string building with escaping: the drawing is a few dozen elements, and
the result is parsed as XML in the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from projections.measurement.models import Point, QicResult

WIDTH, HEIGHT = 820, 380
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 48, 64
SIGNAL, RUNS, INK, MUTED = "#c62828", "#ef6c00", "#1f2937", "#6b7280"


@dataclass(frozen=True)
class Annotation:
    """A labelled moment on the x axis, e.g. the start of a PDSA cycle."""

    x: str
    label: str
    detail: str = ""


@dataclass(frozen=True)
class Frame:
    n: int
    low: float
    high: float

    def px(self, index: int) -> float:
        span = WIDTH - LEFT - RIGHT
        return LEFT + (span * (index + 0.5) / self.n if self.n else 0)

    def py(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (value - self.low) / span)


def render_svg(
    result: QicResult, title: str, annotations: Sequence[Annotation] = (), percent: bool = False
) -> str:
    """The chart as an SVG document."""
    frame = _frame(result.points, percent)
    runs_parts = {p.part for p in result.parts if p.runs_signal}
    body = [
        _axes(frame, result.points, percent),
        _lines(frame, result.points, runs_parts),
        _part_boundaries(frame, result.points),
        _annotations(frame, result.points, annotations),
        _series(frame, result.points, percent),
    ]
    summary = _summary(result)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-labelledby="chart-title chart-desc" font-family="system-ui, sans-serif" font-size="12">'
        f'<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(summary)}</desc>'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>'
        f'<text x="{LEFT}" y="24" font-size="15" font-weight="600" fill="{INK}">{escape(title)}</text>'
        f'<text x="{LEFT}" y="40" fill="{MUTED}">{escape(summary)}</text>' + "".join(body) + "</svg>"
    )


def _frame(points: Sequence[Point], percent: bool) -> Frame:
    values = [v for p in points for v in (p.y, p.cl, p.lcl, p.ucl) if v is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    low, high = low - pad, high + pad
    if percent:  # a proportion never leaves [0, 1]; padding should not suggest it could
        low, high = max(low, 0.0), min(high, 1.0)
    return Frame(len(points), low, high)


def _fmt(value: float, percent: bool) -> str:
    return f"{value * 100:.0f}%" if percent else f"{value:.3g}"


def _axes(frame: Frame, points: Sequence[Point], percent: bool) -> str:
    parts = [f'<g class="axes" stroke="{MUTED}" fill="{MUTED}">']
    bottom = HEIGHT - BOTTOM
    parts.append(f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}"/>')
    for i in range(5):
        value = frame.low + (frame.high - frame.low) * i / 4
        y = frame.py(value)
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" stroke="none">{_fmt(value, percent)}</text>'
        )
    step = max(1, len(points) // 12)
    for index in range(0, len(points), step):
        x = frame.px(index)
        label = escape(str(points[index].x))
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="end" stroke="none" '
            f'transform="rotate(-35 {x:.1f} {bottom + 16})">{label}</text>'
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
    half = (WIDTH - LEFT - RIGHT) / max(frame.n, 1) / 2
    commands = []
    for index, point in members:
        value = getattr(point, attribute)
        if value is not None:
            x, y = frame.px(index), frame.py(value)
            commands.append(f"M{x - half:.1f},{y:.1f}H{x + half:.1f}")
    return "".join(commands)


def _part_boundaries(frame: Frame, points: Sequence[Point]) -> str:
    half = (WIDTH - LEFT - RIGHT) / max(frame.n, 1) / 2
    lines = [
        f'<line class="part-boundary" x1="{frame.px(i) - half:.1f}" y1="{TOP}" x2="{frame.px(i) - half:.1f}" '
        f'y2="{HEIGHT - BOTTOM}" stroke="{MUTED}" stroke-width="1.5"/>'
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
        y = TOP + 12 + (n % 3) * 12
        out.append(
            f'<g class="annotation"><line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{HEIGHT - BOTTOM}" '
            f'stroke="#2563eb" stroke-dasharray="2 3"/><text x="{x + 3:.1f}" y="{y}" fill="#2563eb">'
            f"{escape(note.label)}</text><title>{escape(note.detail or note.label)}</title></g>"
        )
    return "".join(out)


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
