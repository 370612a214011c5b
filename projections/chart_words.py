"""A chart in words, for the people who read it and for assistive technology: which
chart and why, the months it covers, its baseline, each phase's centre line, the
signals found (or that there are none), and whether the latest month meets the goal.

Also the small pieces the drawing and the data table share, so the three say a month,
a value and a signal the same way: "Jun 2025", "85%", "part of a shift".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from aggregates.measure_chart import CHART_NAMES
from aggregates.values import Direction
from analytics.models import Pattern
from projections.chart_model import ChartView, Phase, Slot


def month_label(period: str) -> str:
    """A month ("2025-06") as people write it: "Jun 2025"; anything else as it is."""
    try:
        return datetime.strptime(period, "%Y-%m").strftime("%b %Y")
    except ValueError:
        return period


def value_words(value: float | None, percent: bool = False) -> str:
    """A value as the chart labels it: a percent to the nearest whole (or tenth, when it matters),
    otherwise three significant figures without the exponent: 0.25, 4.5, 62.5, 1,234."""
    if value is None:
        return "—"
    if percent:
        whole = value * 100
        return f"{whole:.0f}%" if abs(whole - round(whole)) < 0.05 else f"{whole:.1f}%"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    # Three significant figures below 100 (4.5, 62.5, 0.25, 0.0012), trailing zeros dropped.
    decimals = (
        1
        if abs(value) >= 10
        else 2
        if abs(value) >= 1 or value == 0
        else 2 - math.floor(math.log10(abs(value)))
    )
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")


def centre_name(view: ChartView) -> str:
    """What the centre line is: a run chart's median, a control chart's centre line."""
    return "median" if view.chart == "run" else "centre line"


def signal_words(slot: Slot) -> list[str]:
    """The signals a month is part of, in words: "outside the limits", "part of a shift", ..."""
    words = []
    if slot.outside_limits:
        words.append("outside the limits")
    if slot.in_shift:
        words.append("part of a shift")
    if slot.in_trend:
        words.append("part of a trend")
    return words


def describe(view: ChartView) -> str:
    """The chart in a few sentences: what, why, when, the centre lines, the signals and the goal."""
    sentences = [_what(view), _months(view.slots), _baseline(view), _centres(view), _signals(view)]
    sentences += [_goal(view), _rules(view)]
    return " ".join(s for s in sentences if s)


def _rules(view: ChartView) -> str:
    if view.rules is None or not view.slots:
        return ""
    return _sentence(f"Signals found with the {view.rules.name}, version {view.rules.version}")


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return f"{text[:1].upper()}{text[1:]}." if text else ""


def _what(view: ChartView) -> str:
    name = sentence_case(CHART_NAMES.get(view.chart, f"{view.chart} chart"))
    reason = view.chart_reason.strip().rstrip(".")
    return _sentence(f"{name} of {view.measure.name}" + (f": {reason}" if reason else ""))


def _months(slots: Sequence[Slot]) -> str:
    if not slots:
        return "No months of data yet."
    with_data = sum(s.y is not None for s in slots)
    missing = len(slots) - with_data
    first, last = month_label(slots[0].period), month_label(slots[-1].period)
    span = first if first == last else f"{first} to {last}"
    gaps = f", {missing} without" if missing else ""
    return f"{span}: {_count(with_data, 'month')} with data{gaps}."


def _baseline(view: ChartView) -> str:
    if view.baseline is None:
        return ""
    b = view.baseline
    reason = f" ({b.reason.strip().rstrip('.')})" if b.reason.strip() else ""
    return _sentence(
        f"The {centre_name(view)} and limits come from the baseline of the first "
        f"{_count(b.points, 'point')}, through {month_label(b.through)}{reason}"
    )


def _centres(view: ChartView) -> str:
    name = centre_name(view)
    phases = view.phases or []
    if len(phases) <= 1:
        centre = _centre_of(view, phases[0] if phases else None)
        return _sentence(f"{name} {value_words(centre, view.percent)}") if centre is not None else ""
    parts = []
    for phase in phases:
        span = f"{month_label(phase.first_period)} to {month_label(phase.last_period)}"
        after = f", after {phase.reason.strip().rstrip('.')}" if phase.reason else ""
        centre = _centre_of(view, phase)
        level = f": {name} {value_words(centre, view.percent)}" if centre is not None else ""
        parts.append(f"phase {phase.number} ({span}){after}{level}")
    return _sentence("; ".join(parts))


def _centre_of(view: ChartView, phase: Phase | None) -> float | None:
    if phase is not None and phase.centre is not None:
        return phase.centre
    number = phase.number if phase else 1
    return next((s.cl for s in view.slots if s.part == number and s.cl is not None), None)


def _signals(view: ChartView) -> str:
    found = [*_shifts(view), *_trends(view), *_outside(view), *_runs(view)]
    if not found:
        return "No signals: only common-cause variation." if view.slots else ""
    return _sentence("Signals: " + "; ".join(found))


def _period_at(view: ChartView, position: int) -> str:
    points = view.result.points
    return month_label(str(points[position - 1].x)) if 0 < position <= len(points) else str(position)


def _patterns(view: ChartView, kind: str) -> list[Pattern]:
    return [p for part in view.result.parts for p in (part.shifts if kind == "shifts" else part.trends)]


def _shifts(view: ChartView) -> list[str]:
    last = len(view.result.points)
    words = []
    for shift in _patterns(view, "shifts"):
        start = _period_at(view, shift.first)
        when = f"since {start}" if shift.last == last else f"from {start} to {_period_at(view, shift.last)}"
        words.append(f"a shift of {shift.length} points {shift.direction} the {centre_name(view)} {when}")
    return words


def _trends(view: ChartView) -> list[str]:
    return [
        f"a trend of {t.length} points {t.direction} ending {_period_at(view, t.last)}"
        for t in _patterns(view, "trends")
    ]


def _outside(view: ChartView) -> list[str]:
    months = [month_label(s.period) for s in view.slots if s.outside_limits]
    if not months:
        return []
    return [f"{_count(len(months), 'point')} outside the limits ({', '.join(months)})"]


def _runs(view: ChartView) -> list[str]:
    """The Anhøj runs signals the shifts above do not already explain."""
    if _patterns(view, "shifts"):
        return []
    words = []
    name = centre_name(view)
    several = len(view.phases) > 1
    for phase in view.phases:
        if not phase.runs_signal:
            continue
        where = f" in phase {phase.number}" if several else ""
        longest, most = phase.longest_run, phase.longest_run_max
        if longest is not None and most is not None and longest > most:
            words.append(
                f"a run of {longest} points on one side of the {name}{where}, longer than the {most} chance allows"
            )
        crossings, fewest = phase.n_crossings, phase.n_crossings_min
        if crossings is not None and fewest is not None and crossings < fewest:
            words.append(
                f"{_count(crossings, 'crossing')} of the {name}{where}, fewer than the {fewest} chance allows"
            )
    return words


def _goal(view: ChartView) -> str:
    if view.goal is None:
        return ""
    goal = value_words(view.goal, view.percent)
    latest = next((s for s in reversed(view.slots) if s.y is not None), None)
    if latest is None or latest.y is None:
        return f"The goal is {goal}."
    higher = view.measure.direction is Direction.INCREASE
    meets = latest.y >= view.goal if higher else latest.y <= view.goal
    better = "higher" if higher else "lower"
    verdict = "meets it" if meets else "does not meet it yet"
    shown = value_words(latest.y, view.percent)
    return f"The goal is {goal} ({better} is better); the latest month, {month_label(latest.period)} at {shown}, {verdict}."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]
