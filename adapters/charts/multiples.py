"""Every team's chart of one measure side by side: one SVG grid of compact panels, all on
one y scale and one month axis (the earliest month of any team to the latest) so panels
compare at a glance; each with its centre line, limits, goal, and points whose signals
show by shape as well as colour (outside the limits: red diamond; shift: orange square;
trend: orange triangle); a month without data is a gap in the line. One legend for all.

Faculty of a collaborative look at hundreds of teams, so this is plain string building with
every position worked once: 500 teams × 24 months render in well under a second (the test
holds it to a budget). `sort_panels` orders the panels for the question asked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from xml.sax.saxutils import escape, quoteattr

from adapters.charts.funnel import legend_row, marker
from adapters.charts.text import FONT_FAMILY, ellipsise, text_width, wrap
from adapters.charts.ticks import Ticks, nice_ticks
from projections.chart_model import ChartView, Slot
from projections.chart_words import month_label
from projections.team_order import SortKey, ordered, signal_count

Panel = tuple[str, ChartView]

WIDTH, COLUMNS = 980, 4
MARGIN, GAP, TITLE_SIZE, TITLE_LINE = 16, 12, 15, 19
PANEL_HEIGHT, HEADING, PLOT_TOP, PLOT_HEIGHT = 150, 16, 24, 96
# 12 px ticks: on a phone the drawing is shown 920 px wide (app.css), and its text stays above 11 px.
GUTTER, TICK_SIZE, HEADING_SIZE = 34, 12, 12
INK, MUTED, GRID, FRAME, SIGNAL, PATTERN, GOAL = (
    "#1f2937",
    "#6b7280",
    "#e5e7eb",
    "#d1d5db",
    "#c62828",
    "#ef6c00",
    "#15803d",
)
LIMIT_DASH, GOAL_DASH = "4 3", "6 2 1 2"
DESC_NAMES = 20  # the overall description names this many signalling teams, then counts the rest


@dataclass(frozen=True)
class Grid:
    """The shared scales and the panel size every panel is drawn with."""

    months: tuple[str, ...]
    ticks: Ticks
    scale: float  # tick units per data unit: 100 for a percent
    percent: bool
    panel_width: float

    @cached_property
    def xs(self) -> tuple[float, ...]:
        """Each month's x in a panel, worked once for all panels."""
        inner = self.panel_width - GUTTER - 8
        return tuple(GUTTER + inner * (i + 0.5) / len(self.months) for i in range(len(self.months)))

    @cached_property
    def index(self) -> dict[str, int]:
        return {period: i for i, period in enumerate(self.months)}

    @cached_property
    def half(self) -> float:
        """Half a month's width: a step of the centre line or a limit spans a month."""
        return (self.panel_width - GUTTER - 8) / max(len(self.months), 1) / 2

    @cached_property
    def _line(self) -> tuple[float, float]:
        low, high = self.ticks.low / self.scale, self.ticks.high / self.scale
        slope = -PLOT_HEIGHT / ((high - low) or 1.0)
        return PLOT_TOP + PLOT_HEIGHT - slope * low, slope

    def py(self, value: float) -> float:
        origin, slope = self._line
        return origin + slope * value


def render_small_multiples(
    panels: Sequence[Panel], title: str, columns: int = COLUMNS, width: int = WIDTH
) -> str:
    """One SVG `width` px wide of a panel per (team name, chart), `columns` to a row, in the order given."""
    if columns < 1:
        raise ValueError(f"small multiples need at least 1 column, not {columns}")
    grid = _grid(panels, columns, width)
    heading = wrap(title, width - 2 * MARGIN, TITLE_SIZE, bold=True, max_lines=2) or [""]
    legend, legend_height = legend_row(_LEGEND, MARGIN, 24 + len(heading) * TITLE_LINE - 6, width - MARGIN)
    top = 24 + len(heading) * TITLE_LINE + legend_height + 4
    rows = math.ceil(len(panels) / columns)
    height = top + rows * (PANEL_HEIGHT + GAP) + MARGIN
    head = "".join(
        f'<text class="title" x="{MARGIN}" y="{24 + i * TITLE_LINE}" font-size="{TITLE_SIZE}" font-weight="600" '
        f'fill="{INK}">{escape(line)}</text>'
        for i, line in enumerate(heading)
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" width="{width}" '
        f'height="{height:.0f}" class="small-multiples" role="img" aria-label={quoteattr(title)} '
        f'font-family="{FONT_FAMILY}" font-size="{TICK_SIZE}"><title>{escape(title)}</title>'
        f"<desc>{escape(describe(panels, grid))}</desc>"
        f'<rect width="{width}" height="{height:.0f}" fill="#ffffff"/>{head}{legend}'
    ]
    scaffold = _scaffold(grid)  # the same frame, grid lines and tick labels in every panel
    for i, (name, view) in enumerate(panels):
        x = MARGIN + (i % columns) * (grid.panel_width + GAP)
        y = top + (i // columns) * (PANEL_HEIGHT + GAP)
        parts.append(_panel(grid, name, view, x, y, scaffold))
    parts.append("</svg>")
    return "".join(parts)


def sort_panels(panels: Sequence[Panel], by: SortKey) -> list[Panel]:
    """Panels in one of the orders of projections.team_order (name, latest, signal, goal)."""
    return ordered(panels, by, name=lambda p: p[0], view=lambda p: p[1])


def describe(panels: Sequence[Panel], grid: Grid) -> str:
    """The grid in words: how many teams, the months and the scale, and which teams show a signal."""
    if not panels:
        return "No teams to show."
    measure = panels[0][1].measure.name
    months = (
        f"from {month_label(grid.months[0])} to {month_label(grid.months[-1])}"
        if grid.months
        else "with no months of data"
    )
    suffix = "%" if grid.percent else ""
    text = (
        f"{measure}: one chart per team for {len(panels)} teams, {months}, all on one scale from "
        f"{grid.ticks.label(grid.ticks.low, suffix)} to {grid.ticks.label(grid.ticks.high, suffix)}."
    )
    signalling = [name for name, view in panels if signal_count(view)]
    if not signalling:
        return text + " No team shows a signal."
    named = ", ".join(signalling[:DESC_NAMES])
    more = f" and {len(signalling) - DESC_NAMES} more" if len(signalling) > DESC_NAMES else ""
    teams = "1 team shows" if len(signalling) == 1 else f"{len(signalling)} teams show"
    return text + f" {teams} a signal: {named}{more}."


def _grid(panels: Sequence[Panel], columns: int, width: int) -> Grid:
    percent = bool(panels) and panels[0][1].percent
    scale = 100.0 if percent else 1.0
    values = [v for _, view in panels for s in view.slots for v in (s.y, s.cl, s.lcl, s.ucl) if v is not None]
    values += [view.goal for _, view in panels if view.goal is not None]
    values = [v * scale for v in values if math.isfinite(v)]
    low, high = (min(values), max(values)) if values else (0.0, scale)
    if percent:
        low, high = max(low, 0.0), min(high, 100.0)
    periods = [s.period for _, view in panels for s in view.slots]
    months = _months(min(periods), max(periods)) if periods else ()
    panel_width = (width - 2 * MARGIN - (columns - 1) * GAP) / columns
    return Grid(months, nice_ticks(low, high), scale, percent, panel_width)


def _months(first: str, last: str) -> tuple[str, ...]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while (period := f"{year:04d}-{month:02d}") <= last:
        out.append(period)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(out)


def _scaffold(grid: Grid) -> str:
    """A panel's frame, grid lines and y tick labels (every other one when there are more than five)."""
    right = grid.panel_width - 8
    every = 2 if len(grid.ticks.values) > 5 else 1
    lines, labels = [], []
    for k, value in enumerate(grid.ticks.values):
        y = grid.py(value / grid.scale)
        lines.append(f"M{GUTTER},{y:.1f}H{right:.1f}")
        if k % every == 0:
            suffix = "%" if grid.percent else ""
            labels.append(
                f'<text x="{GUTTER - 4}" y="{y + 3:.1f}" text-anchor="end">{grid.ticks.label(value, suffix)}</text>'
            )
    months = ""
    if grid.months:
        bottom = PLOT_TOP + PLOT_HEIGHT + 12
        months = (
            f'<text x="{grid.xs[0]:.1f}" y="{bottom}">{month_label(grid.months[0])}</text>'
            f'<text x="{grid.xs[-1]:.1f}" y="{bottom}" text-anchor="end">{month_label(grid.months[-1])}</text>'
        )
    return (
        f'<rect class="panel-frame" width="{grid.panel_width:.1f}" height="{PANEL_HEIGHT}" fill="none" stroke="{FRAME}"/>'
        f'<path class="grid" d="{"".join(lines)}" stroke="{GRID}"/>'
        f'<g class="ticks" fill="{MUTED}">{"".join(labels)}{months}</g>'
    )


def _panel(grid: Grid, name: str, view: ChartView, x: float, y: float, scaffold: str) -> str:
    heading = _fit(name, grid.panel_width - 12, HEADING_SIZE)
    return (
        f'<g class="panel" transform="translate({x:.1f},{y:.1f})"><title>{escape(_panel_title(name, view, grid))}</title>'
        f"{scaffold}"
        f'<text class="panel-heading" x="6" y="{HEADING - 2}" font-size="{HEADING_SIZE}" font-weight="600" '
        f'fill="{INK}">{escape(heading)}</text>'
        f"{_lines(grid, view.slots)}{_goal(grid, view)}{_series(grid, view.slots)}</g>"
    )


def _fit(name: str, width: float, size: float) -> str:
    """ellipsise(name), handed only the name's first characters past width: the same cut, without
    measuring a long name once per character dropped."""
    total = 0.0
    for k, char in enumerate(name):
        total += text_width(char, size, bold=True)
        if total > width:
            return ellipsise(name[: k + 1], width, size, bold=True)
    return name


def _panel_title(name: str, view: ChartView, grid: Grid) -> str:
    latest = next((s for s in reversed(view.slots) if s.y is not None), None)
    text = f"{name}: " + (
        f"latest {_fmt(latest.y, grid.percent)} ({latest.period})"
        if latest and latest.y is not None
        else "no data"
    )
    if view.goal is not None:
        text += f"; goal {_fmt(view.goal, grid.percent)}"
    found = [
        f"{n} {what}"
        for n, what in (
            (sum(s.outside_limits for s in view.slots), "outside the limits"),
            (sum(s.in_shift for s in view.slots), "in a shift"),
            (sum(s.in_trend for s in view.slots), "in a trend"),
        )
        if n
    ]
    return text + ("; points " + ", ".join(found) if found else "; no signal")


def _fmt(value: float, percent: bool) -> str:
    return f"{value * 100:.0f}%" if percent else f"{value:.3g}"


def _lines(grid: Grid, slots: Sequence[Slot]) -> str:
    """Centre line and limits as steps a month wide, so they follow phases and a changing n;
    months in a row at one value are one segment."""
    centre = _steps(grid, slots, "cl")
    bounds = _steps(grid, slots, "lcl") + _steps(grid, slots, "ucl")
    out = f'<path class="centre" d="{centre}" stroke="{INK}" fill="none"/>' if centre else ""
    if bounds:
        out += (
            f'<path class="limit" d="{bounds}" stroke="{MUTED}" stroke-dasharray="{LIMIT_DASH}" fill="none"/>'
        )
    return out


def _steps(grid: Grid, slots: Sequence[Slot], attribute: str) -> str:
    runs: list[list[float]] = []  # [first month, last month, value]
    for slot in slots:
        i, value = grid.index.get(slot.period), getattr(slot, attribute)
        if i is None or value is None:
            continue
        if runs and runs[-1][1] == i - 1 and runs[-1][2] == value:
            runs[-1][1] = i
        else:
            runs.append([i, i, value])
    xs, half = grid.xs, grid.half
    return "".join(f"M{xs[int(a)] - half:.1f},{grid.py(v):.1f}H{xs[int(b)] + half:.1f}" for a, b, v in runs)


def _goal(grid: Grid, view: ChartView) -> str:
    if view.goal is None:
        return ""
    y = grid.py(view.goal)
    return (
        f'<path class="goal" d="M{GUTTER},{y:.1f}H{grid.panel_width - 8:.1f}" stroke="{GOAL}" stroke-width="1.5" '
        f'stroke-dasharray="{GOAL_DASH}"/>'
    )


def _series(grid: Grid, slots: Sequence[Slot]) -> str:
    """The line through the months with data (a new stroke after each gap) and a marker per point."""
    path, marks, previous = [], [], None
    for slot in slots:
        i = grid.index.get(slot.period)
        if i is None or slot.y is None:
            previous = None
            continue
        x, y = grid.xs[i], grid.py(slot.y)
        path.append(f"{'L' if previous == i - 1 else 'M'}{x:.1f},{y:.1f}")
        previous = i
        marks.append(_point(slot, x, y))
    line = f'<path class="series" d="{"".join(path)}" stroke="{INK}" fill="none"/>' if path else ""
    return line + "".join(marks)


def _point(slot: Slot, x: float, y: float) -> str:
    if slot.outside_limits:
        return marker("diamond", x, y, 3.2, SIGNAL, "point outside")
    if slot.in_shift:
        return marker("square", x, y, 2.8, PATTERN, "point shift")
    if slot.in_trend:
        return marker("triangle", x, y, 3.0, PATTERN, "point trend")
    return f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{INK}"/>'


_LEGEND = [
    ("line", INK, "", "Centre line"),
    ("line", MUTED, LIMIT_DASH, "Limits"),
    ("line", GOAL, GOAL_DASH, "Goal"),
    ("circle", INK, "", "Point"),
    ("diamond", SIGNAL, "", "Outside limits"),
    ("square", PATTERN, "", "Shift"),
    ("triangle", PATTERN, "", "Trend"),
]
