"""The chart's levels: each phase's centre line (orange when its runs show non-random
variation), the dashed control limits, the green goal line, and the light band
behind the baseline months the limits were computed from.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from adapters.charts.frame import BASELINE, GOAL, HALO, INK, MUTED, RUNS, Frame, Layer
from adapters.charts.text import text_width
from projections.chart_model import ChartView, Slot
from projections.chart_words import month_label, value_words

# The baseline's label sits this far under the axis, below the month labels.
BASELINE_LABEL_DROP = 40


def centre_and_limits(frame: Frame, view: ChartView) -> Layer:
    """Per phase: its centre line, level across the phase where it is one value, and its limits."""
    out, used = [], set()
    runs_phases = {p.number for p in view.phases if p.runs_signal}
    for part in sorted({s.part for s in view.slots}):
        members = _placed(frame, [s for s in view.slots if s.part == part])
        runs = part in runs_phases or any(s.runs_signal for _, s in members)
        centre = _level(frame, members, "cl")
        if centre:
            colour, cls = (RUNS, "centre runs-signal") if runs else (INK, "centre")
            used.add("centre-runs" if runs else "centre")
            out.append(f'<path class="{cls}" d="{centre}" stroke="{colour}" stroke-width="2" fill="none"/>')
        for limit in ("lcl", "ucl"):
            d = _steps(frame, members, limit)
            if d:
                used.add("limit")
                out.append(
                    f'<path class="limit {limit}" d="{d}" stroke="{MUTED}" stroke-dasharray="5 4" fill="none"/>'
                )
    return Layer("".join(out), frozenset(used))


def goal_line(frame: Frame, view: ChartView) -> Layer:
    """The goal across the plot, in green."""
    if view.goal is None:
        return Layer("")
    y = frame.py(view.goal)
    label = escape(goal_words(view))
    return Layer(
        f'<g class="goal"><line x1="{frame.left}" y1="{y:.1f}" x2="{frame.right}" y2="{y:.1f}" stroke="{GOAL}" '
        f'stroke-width="2"/><title>{label}</title></g>',
        frozenset({"goal"}),
    )


def goal_label(frame: Frame, view: ChartView) -> Layer:
    """ "Goal 90%" at the goal line's right end, drawn over the points so none hides it."""
    if view.goal is None:
        return Layer("")
    y = frame.py(view.goal)
    # Above the line unless that would leave the plot.
    label_y = y - 5 if y - 5 - 9 >= frame.top else y + 14
    return Layer(
        f'<text class="goal-label" x="{frame.right - 4}" y="{label_y:.1f}" text-anchor="end" fill="{GOAL}" '
        f'font-weight="600"{HALO}>{escape(goal_words(view))}</text>'
    )


def goal_words(view: ChartView) -> str:
    return f"Goal {value_words(view.goal, view.percent)}"


def baseline_band(frame: Frame, view: ChartView) -> Layer:
    """A light band behind the baseline months, named under the axis."""
    if view.baseline is None:
        return Layer("")
    members = _placed(frame, [s for s in view.slots if s.baseline])
    if not members:
        return Layer("")
    left = frame.px(members[0][0]) - frame.half
    right = frame.px(members[-1][0]) + frame.half
    words = f"Baseline: {view.baseline.points} points"
    label = words if text_width(words, 12) <= right - left else "Baseline"
    # Centred under the band, but never past either side of the chart.
    width = text_width(label, 12)
    x = min(max((left + right) / 2 - width / 2, 4), frame.width - 4 - width)
    y = frame.bottom + BASELINE_LABEL_DROP
    return Layer(
        f'<g class="baseline"><rect x="{left:.1f}" y="{frame.top}" width="{right - left:.1f}" '
        f'height="{frame.bottom - frame.top}" fill="{BASELINE}"/>'
        f'<path d="M{left:.1f},{y - 16}V{y - 12}H{right:.1f}V{y - 16}" stroke="{MUTED}" fill="none"/>'
        f'<text x="{x:.1f}" y="{y}" fill="{MUTED}">{escape(label)}</text>'
        f"<title>{escape(_baseline_title(view))}</title></g>",
        frozenset({"baseline"}),
    )


def _baseline_title(view: ChartView) -> str:
    assert view.baseline is not None
    b = view.baseline
    return f"Baseline: the first {b.points} points, through {month_label(b.through)}" + (
        f" ({b.reason})" if b.reason else ""
    )


def _placed(frame: Frame, slots: Sequence[Slot]) -> list[tuple[int, Slot]]:
    placed = [(frame.axis.index(s.period), s) for s in slots]
    return sorted((i, s) for i, s in placed if i is not None)


def _level(frame: Frame, members: Sequence[tuple[int, Slot]], attribute: str) -> str:
    """One line across the phase when the value is the same in every month that has one, else steps."""
    values = {getattr(s, attribute) for _, s in members} - {None}
    if len(values) != 1:
        return _steps(frame, members, attribute)
    y = frame.py(values.pop())
    first, last = members[0][0], members[-1][0]
    return f"M{frame.px(first) - frame.half:.1f},{y:.1f}H{frame.px(last) + frame.half:.1f}"


def _steps(frame: Frame, members: Sequence[tuple[int, Slot]], attribute: str) -> str:
    """A level per month (a p chart's limits move with each month's n); none where the month has none."""
    commands = []
    for index, slot in members:
        value = getattr(slot, attribute)
        if value is not None:
            x, y = frame.px(index), frame.py(value)
            commands.append(f"M{x - frame.half:.1f},{y:.1f}H{x + frame.half:.1f}")
    return "".join(commands)
