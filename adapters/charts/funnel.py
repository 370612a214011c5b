"""A funnel plot (analytics.funnel) as an accessible SVG: each unit's value against its
denominator, the target line, the 95% and 99.8% limit curves in two dash patterns, and
the units beyond them labelled and drawn by shape as well as colour (square beyond 95%,
diamond beyond 99.8%), so the plot reads in grey and to a screen reader (<desc> names
the outliers in words).

Stable classes for pages and tests: unit, outlier, limit-95, limit-998, target, legend.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from adapters.charts.text import FONT_FAMILY, ellipsise, text_width, wrap
from adapters.charts.ticks import Ticks, nice_ticks
from analytics.funnel import Band, Funnel, FunnelPoint

WIDTH, PLOT_HEIGHT = 820, 300
LEFT, RIGHT, BOTTOM, TITLE_X = 64, 24, 56, 16
TITLE_SIZE, TITLE_LINE, TITLE_LINES = 15, 19, 2
INK, MUTED, GRID, INSIDE, ALERT, ALARM = "#1f2937", "#6b7280", "#e5e7eb", "#4b5563", "#ef6c00", "#c62828"
DASH_95, DASH_998 = "6 4", "2 3"
LABEL_ROOM = 180  # an outlier's label is ellipsised to this width
LABEL_SIZE, LABEL_LINE = 11, 13
_STYLE = {
    Band.INSIDE: ("circle", INSIDE, "inside the 95% limits"),
    Band.HIGH_95: ("square", ALERT, "above the 95% limit"),
    Band.LOW_95: ("square", ALERT, "below the 95% limit"),
    Band.HIGH_998: ("diamond", ALARM, "above the 99.8% limit"),
    Band.LOW_998: ("diamond", ALARM, "below the 99.8% limit"),
}


@dataclass(frozen=True)
class Frame:
    x_ticks: Ticks
    y_ticks: Ticks
    scale: float  # tick units per data unit: 100 for a percent
    left: float
    top: float
    width: float

    @property
    def right(self) -> float:
        return self.width - RIGHT

    @property
    def bottom(self) -> float:
        return self.top + PLOT_HEIGHT

    def px(self, denominator: float) -> float:
        span = (self.x_ticks.high - self.x_ticks.low) or 1.0
        return self.left + (self.right - self.left) * (denominator - self.x_ticks.low) / span

    def py(self, value: float) -> float:
        low, high = self.y_ticks.low / self.scale, self.y_ticks.high / self.scale
        return self.top + PLOT_HEIGHT * (1 - (value - low) / ((high - low) or 1.0))


def render_funnel(funnel: Funnel, title: str, width: int = WIDTH, percent: bool | None = None) -> str:
    """The funnel plot as an SVG document `width` px wide; percent defaults to 'a proportion'."""
    as_percent = funnel.data_type == "proportion" if percent is None else percent
    heading = wrap(title, width - TITLE_X - RIGHT, TITLE_SIZE, bold=True, max_lines=TITLE_LINES) or [""]
    legend_top = 24 + len(heading) * TITLE_LINE
    legend, legend_height = _legend(width, legend_top)
    frame = _frame(funnel, as_percent, top=legend_top + legend_height + 14, width=width)
    height = frame.bottom + BOTTOM
    summary = describe(funnel, as_percent)
    lines = "".join(
        f'<text class="title" x="{TITLE_X}" y="{24 + i * TITLE_LINE}" font-size="{TITLE_SIZE}" font-weight="600" '
        f'fill="{INK}">{escape(line)}</text>'
        for i, line in enumerate(heading)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" width="{width}" '
        f'height="{height:.0f}" class="funnel" role="img" aria-label={quoteattr(title)} '
        f'font-family="{FONT_FAMILY}" font-size="12"><title>{escape(title)}</title><desc>{escape(summary)}</desc>'
        f'<rect width="{width}" height="{height:.0f}" fill="#ffffff"/>{lines}{legend}'
        f"{_axes(frame, as_percent)}{_curves(frame, funnel)}{_points(frame, funnel, as_percent)}</svg>"
    )


def describe(funnel: Funnel, percent: bool) -> str:
    """The plot in words: what is compared, the target, the limits, and each outlier by label."""
    method = {"proportion": "exact binomial", "rate": "exact Poisson"}[funnel.data_type]
    method = method if funnel.method == "exact" else "normal approximation"
    origin = "given" if funnel.target_given else "pooled over the units"
    text = (
        f"Funnel plot of {len(funnel.points)} units, value against denominator; target "
        f"{_fmt(funnel.target, percent)} ({origin}); 95% and 99.8% limits ({method})."
    )
    alarm = [p for p in funnel.outliers if p.band in (Band.HIGH_998, Band.LOW_998)]
    alert = [p for p in funnel.outliers if p.band in (Band.HIGH_95, Band.LOW_95)]
    if alarm:
        text += " Beyond the 99.8% limits: " + "; ".join(_named(p, percent) for p in alarm) + "."
    if alert:
        text += " Beyond the 95% limits only: " + "; ".join(_named(p, percent) for p in alert) + "."
    if not funnel.outliers:
        text += " No unit lies outside the 95% limits."
    if funnel.no_data:
        text += " No data (denominator 0): " + ", ".join(u.label for u in funnel.no_data) + "."
    return text


def _named(point: FunnelPoint, percent: bool) -> str:
    side = "high" if point.band in (Band.HIGH_95, Band.HIGH_998) else "low"
    return f"{point.label} ({side}, {_fmt(point.value, percent)} of {point.denominator:g})"


def _fmt(value: float, percent: bool) -> str:
    return f"{value * 100:.1f}%" if percent else f"{value:.3g}"


def _frame(funnel: Funnel, percent: bool, top: float, width: float) -> Frame:
    scale = 100.0 if percent else 1.0
    values = [funnel.target, *(p.value for p in funnel.points)]
    values += [v for c in funnel.curve for v in (c.lower_998, c.upper_998)]
    low, high = min(values) * scale, max(values) * scale
    if percent:
        low, high = max(low, 0.0), min(high, 100.0)
    y_ticks = nice_ticks(low, high)
    x_ticks = nice_ticks(0.0, max(c.denominator for c in funnel.curve))
    widest = max(text_width(y_ticks.label(v, "%" if percent else ""), 12) for v in y_ticks.values)
    return Frame(x_ticks, y_ticks, scale, left=max(LEFT, widest + 20), top=top, width=width)


def _axes(frame: Frame, percent: bool) -> str:
    parts = [f'<g class="axes" fill="{MUTED}">']
    for value in frame.y_ticks.values:
        y = frame.py(value / frame.scale)
        parts.append(
            f'<line class="grid" x1="{frame.left:.1f}" y1="{y:.1f}" x2="{frame.right:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text class="y-tick" x="{frame.left - 8:.1f}" y="{y + 4:.1f}" text-anchor="end">'
            f"{frame.y_ticks.label(value, '%' if percent else '')}</text>"
        )
    for value in frame.x_ticks.values:
        x = frame.px(value)
        parts.append(
            f'<line x1="{x:.1f}" y1="{frame.bottom}" x2="{x:.1f}" y2="{frame.bottom + 4}" stroke="{MUTED}"/>'
            f'<text class="x-tick" x="{x:.1f}" y="{frame.bottom + 18}" text-anchor="middle">{frame.x_ticks.label(value)}</text>'
        )
    parts.append(
        f'<line x1="{frame.left:.1f}" y1="{frame.bottom}" x2="{frame.right:.1f}" y2="{frame.bottom}" stroke="{MUTED}"/>'
        f'<text class="x-title" x="{(frame.left + frame.right) / 2:.1f}" y="{frame.bottom + 40}" '
        f'text-anchor="middle">Denominator</text></g>'
    )
    return "".join(parts)


def _curves(frame: Frame, funnel: Funnel) -> str:
    out = []
    for cls, dash, attributes in (
        ("limit-998", DASH_998, ("lower_998", "upper_998")),
        ("limit-95", DASH_95, ("lower_95", "upper_95")),
    ):
        for attribute in attributes:
            d = "M" + "L".join(
                f"{frame.px(c.denominator):.1f},{frame.py(getattr(c, attribute)):.1f}" for c in funnel.curve
            )
            out.append(
                f'<path class="{cls} {attribute}" d="{d}" stroke="{MUTED}" stroke-width="1.5" '
                f'stroke-dasharray="{dash}" fill="none"/>'
            )
    y = frame.py(funnel.target)
    out.append(
        f'<line class="target" x1="{frame.left:.1f}" y1="{y:.1f}" x2="{frame.right:.1f}" y2="{y:.1f}" '
        f'stroke="{INK}" stroke-width="1.5"/>'
    )
    return "".join(out)


def _points(frame: Frame, funnel: Funnel, percent: bool) -> str:
    out, labels = [], []
    placed: list[tuple[float, float, float]] = []  # the labels set so far: left, right, baseline
    # Outliers last, so they are drawn over (and their labels above) the crowd inside the funnel.
    for point in sorted(funnel.points, key=lambda p: p.outlier):
        shape, colour, words = _STYLE[point.band]
        x, y = frame.px(point.denominator), frame.py(point.value)
        cls = f"unit outlier {point.band.name.lower().replace('_', '-')}" if point.outlier else "unit"
        tip = f"{point.label}: {_fmt(point.value, percent)} ({point.numerator:g} of {point.denominator:g}), {words}"
        out.append(marker(shape, x, y, 5 if point.outlier else 3.5, colour, cls, tip))
        if point.outlier:
            labels.append(_label(frame, x, y, point.label, placed))
    return "".join(out + labels)


def _label(frame: Frame, x: float, y: float, label: str, placed: list[tuple[float, float, float]]) -> str:
    """The outlier's name beside it (left of it near the right edge), moved down past labels already set."""
    text = ellipsise(label, LABEL_ROOM, LABEL_SIZE)
    span = text_width(text, LABEL_SIZE)
    fits_right = x + 8 + span <= frame.width - 4
    left = x + 8 if fits_right else x - 8 - span
    baseline = y + 4
    while any(a < left + span and left < b and abs(baseline - c) < LABEL_LINE for a, b, c in placed):
        baseline += LABEL_LINE
    placed.append((left, left + span, baseline))
    return (
        f'<text class="outlier-label" x="{left:.1f}" y="{baseline:.1f}" font-size="{LABEL_SIZE}" '
        f'fill="{INK}">{escape(text)}</text>'
    )


def marker(shape: str, x: float, y: float, r: float, fill: str, cls: str, tip: str = "") -> str:
    """A point as a circle, square, diamond or triangle centred on (x, y), with a tooltip."""
    title = f"<title>{escape(tip)}</title>" if tip else ""
    if shape == "circle":
        return f'<circle class="{cls}" cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{fill}">{title}</circle>'
    if shape == "square":
        d = f"M{x - r:.1f},{y - r:.1f}h{2 * r:.1f}v{2 * r:.1f}h{-2 * r:.1f}Z"
    elif shape == "diamond":
        s = r * 1.35
        d = f"M{x:.1f},{y - s:.1f}L{x + s:.1f},{y:.1f}L{x:.1f},{y + s:.1f}L{x - s:.1f},{y:.1f}Z"
    elif shape == "triangle":
        s = r * 1.3
        d = f"M{x:.1f},{y - s:.1f}L{x + s:.1f},{y + s * 0.8:.1f}L{x - s:.1f},{y + s * 0.8:.1f}Z"
    else:
        raise ValueError(f"no marker shape {shape!r}")
    return f'<path class="{cls}" d="{d}" fill="{fill}">{title}</path>'


def _legend(width: float, top: float) -> tuple[str, float]:
    """The key in one or more rows under the title; returns the markup and its height."""
    items = [
        ("line", INK, "", "Target"),
        ("line", MUTED, DASH_95, "95% limits"),
        ("line", MUTED, DASH_998, "99.8% limits"),
        ("circle", INSIDE, "", "Inside"),
        ("square", ALERT, "", "Beyond 95%"),
        ("diamond", ALARM, "", "Beyond 99.8%"),
    ]
    return legend_row(items, TITLE_X, top, width - RIGHT)


def legend_row(
    items: list[tuple[str, str, str, str]], left: float, top: float, right: float
) -> tuple[str, float]:
    """Legend items (kind, colour, dash, text) set left to right, wrapping at right."""
    parts, x, y = ['<g class="legend" font-size="12">'], left, top + 8
    for kind, colour, dash, text in items:
        span = 28 + text_width(text, 12) + 16
        if x + span > right and x > left:
            x, y = left, y + 18
        if kind == "line":
            dashes = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 22:.1f}" y2="{y:.1f}" stroke="{colour}" stroke-width="1.5"{dashes}/>'
            )
        else:
            parts.append(marker(kind, x + 11, y, 4.5, colour, "key"))
        parts.append(f'<text x="{x + 28:.1f}" y="{y + 4:.1f}" fill="{INK}">{escape(text)}</text>')
        x += span
    parts.append("</g>")
    return "".join(parts), y - top + 10
