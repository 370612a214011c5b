"""The chart's x axis is the calendar: one slot per month from the first to the last,
so a month without data is a gap at its place rather than a neighbour pulled close,
and labelled as people write months ("Jun 2025"): every month when there is room,
otherwise every other month, each quarter (Jan, Apr, Jul, Oct), half-year or year.

Periods that are not months (YYYY-MM) keep their order, one slot each, labelled as given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from projections.chart_words import month_label

# Months between labels, tried in turn until the labels stop touching; past a year, whole years.
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)
# Room between neighbouring labels, beside their own width.
LABEL_GAP = 8


@dataclass(frozen=True)
class TimeAxis:
    """The x axis's slots in order (every month from the first to the last), and whether they are months."""

    periods: tuple[str, ...]
    monthly: bool

    def __len__(self) -> int:
        return len(self.periods)

    def index(self, period: str) -> int | None:
        """The slot of a period, None when the axis does not reach it."""
        try:
            return self.periods.index(period)
        except ValueError:
            return None

    def label(self, index: int) -> str:
        return month_label(self.periods[index]) if self.monthly else self.periods[index]


def time_axis(periods: Sequence[str]) -> TimeAxis:
    """Every month from the first period to the last when all are months (YYYY-MM); else the periods as given."""
    months = [_month_number(p) for p in periods]
    if not periods or any(m is None for m in months):
        return TimeAxis(tuple(periods), monthly=False)
    first, last = min(m for m in months if m is not None), max(m for m in months if m is not None)
    return TimeAxis(tuple(f"{m // 12}-{m % 12 + 1:02d}" for m in range(first, last + 1)), monthly=True)


def labelled(axis: TimeAxis, slot_width: float, label_width: float) -> list[int]:
    """The slots to label: the smallest step whose labels, `slot_width` apart per slot, do not touch."""
    if not axis.periods:
        return []
    steps = MONTH_STEPS if axis.monthly else tuple(range(1, len(axis) + 1))
    for step in steps:
        if step * slot_width >= label_width + LABEL_GAP:
            chosen = [i for i in range(len(axis)) if _on_step(axis, i, step)]
            if chosen:
                return chosen
    return [0]


def _on_step(axis: TimeAxis, index: int, step: int) -> bool:
    if not axis.monthly:
        return index % step == 0
    if step <= 2:  # every month, or every other one from the first
        return index % step == 0
    month_number = _month_number(axis.periods[index])
    assert month_number is not None
    return month_number % step == 0  # calendar quarters, halves and years: Jan, Apr, Jul, Oct


def _month_number(period: str) -> int | None:
    """Months since year 0 (so consecutive months differ by one); None for anything but YYYY-MM."""
    try:
        moment = datetime.strptime(period, "%Y-%m")
    except ValueError:
        return None
    return moment.year * 12 + moment.month - 1
