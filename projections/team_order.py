"""The orders faculty read every team's chart of a measure in: by team name; by latest value
(highest first); teams with a signal first (most signalled points first); or furthest from
the goal first, given the measure's direction (past the goal last). Teams without the data
to sort by go last, by name. Here, below the engine, so the queries sort and the drawings
(adapters.charts.multiples) describe with the same words for a signal."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, TypeVar

from aggregates.values import Direction
from projections.chart_model import ChartView

SortKey = Literal["name", "latest", "signal", "goal"]
SORT_KEYS: tuple[SortKey, ...] = ("name", "latest", "signal", "goal")
T = TypeVar("T")


def ordered(items: Sequence[T], by: str, name: Callable[[T], str], view: Callable[[T], ChartView]) -> list[T]:
    """items (each a team's name and chart, by `name` and `view`) in the order `by` asks for."""

    def last_without(key: float | None, item: T) -> tuple[bool, float, str]:
        return (key is None, key or 0.0, name(item).casefold())

    if by == "name":
        return sorted(items, key=lambda i: name(i).casefold())
    if by == "latest":
        return sorted(
            items, key=lambda i: last_without(-v if (v := latest(view(i))) is not None else None, i)
        )
    if by == "signal":
        return sorted(
            items, key=lambda i: (signal_count(view(i)) == 0, -signal_count(view(i)), name(i).casefold())
        )
    if by == "goal":
        return sorted(
            items, key=lambda i: last_without(-g if (g := goal_gap(view(i))) is not None else None, i)
        )
    raise ValueError(f"teams sort by name, latest, signal or goal, not {by!r}")


def signal_count(view: ChartView) -> int:
    """How many of the chart's points are part of a signal: outside the limits, a shift or a trend."""
    return sum(s.outside_limits or s.in_shift or s.in_trend for s in view.slots)


def goal_gap(view: ChartView) -> float | None:
    """How far the latest value is short of the goal (negative: past it), None without either."""
    value = latest(view)
    if value is None or view.goal is None:
        return None
    return view.goal - value if view.measure.direction is Direction.INCREASE else value - view.goal


def latest(view: ChartView) -> float | None:
    """The chart's value in its last month with data."""
    return next((s.y for s in reversed(view.slots) if s.y is not None), None)
