"""Checking qic() arguments and preparing the series the chart is computed from."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from analytics.charts import CHARTS, SUBGROUPED
from analytics.models import Label
from analytics.subgroups import subgroups

_NEEDS_N = ("p", "u", "pp", "up", "ip")
_TAKES_NO_N = {
    "g": "a g chart counts units between events",
    "t": "a t chart plots times between events",
    "xbar": "an xbar chart takes individual observations, several per x",
    "s": "an s chart takes individual observations, several per x",
}
_COUNTS_EVENTS = ("p", "u", "c", "pp", "up", "g")
_PROPORTIONS = ("p", "pp")


@dataclass(frozen=True)
class Prepared:
    """A checked series: what each point plots and which part, baseline and analysis it belongs to."""

    chart: str
    x: list[Label]
    counts: list[float | None]  # numerator (the subgroup mean for xbar and s); None for a missing period
    n: list[float | None]  # subgroup size; None when not given or the period is missing
    y: list[float | None]  # plotted value: count/n where a size applies, None when undefined
    baseline: list[bool]
    include: list[bool]
    part: list[int]
    sd: list[float | None]  # subgroup standard deviation (xbar and s); None elsewhere
    multiply: float

    def parts(self) -> list[list[int]]:
        """0-based indices of the points in each part, in order."""
        return [[i for i, number in enumerate(self.part) if number == p] for p in range(1, self.part[-1] + 1)]


def prepare(
    y: Sequence[float | None],
    n: Sequence[float | None] | None,
    *,
    x: Sequence[Label] | None,
    chart: str,
    freeze: int | None,
    part: Sequence[int] | None,
    exclude: Sequence[int] | None,
    multiply: float = 1,
) -> Prepared:
    """Check the arguments and build the series; raise ValueError naming the first problem."""
    counts, sizes = _checked_values(y, n, chart)
    scale = _checked_multiply(multiply)
    columns = _subgrouped(chart, x, counts) if chart in SUBGROUPED else _per_period(chart, x, counts, sizes)
    size = len(columns.x)
    frozen = _checked_freeze(freeze, part, size)
    excluded = set(_checked_positions(exclude, "exclude", 1, size))
    part_ends = sorted(set(_checked_positions(part, "part", 1, size - 1)))
    return Prepared(
        chart=chart,
        x=columns.x,
        counts=columns.counts,
        n=columns.n,
        y=columns.y,
        baseline=[position <= frozen for position in range(1, size + 1)],
        include=[position not in excluded for position in range(1, size + 1)],
        part=[1 + sum(position > end for end in part_ends) for position in range(1, size + 1)],
        sd=columns.sd,
        multiply=scale,
    )


@dataclass(frozen=True)
class _Columns:
    x: list[Label]
    counts: list[float | None]
    n: list[float | None]
    y: list[float | None]
    sd: list[float | None]


def _per_period(
    chart: str, x: Sequence[Label] | None, counts: list[float | None], sizes: list[float | None] | None
) -> _Columns:
    labels = _checked_labels(x, len(counts))
    counts, complete_sizes = _complete_cases(counts, sizes)
    return _Columns(
        x=labels,
        counts=_usable_counts(chart, counts, complete_sizes),
        n=complete_sizes,
        y=[_plotted(chart, count, size) for count, size in zip(counts, complete_sizes, strict=True)],
        sd=[None] * len(counts),
    )


def _subgrouped(chart: str, x: Sequence[Label] | None, values: list[float | None]) -> _Columns:
    if x is not None and len(x) != len(values):
        raise ValueError(f"y has {len(values)} values but x has {len(x)}")
    groups = subgroups(list(range(1, len(values) + 1)) if x is None else x, values)
    if all(size < 2 for size in groups.sizes):
        raise ValueError(
            f"an {chart} chart needs subgroups of two or more observations, but no x value has more than "
            "one; give several observations per x (an i chart plots single values)"
        )
    return _Columns(
        x=groups.x,
        counts=groups.means,
        n=[float(size) for size in groups.sizes],
        y=groups.means if chart == "xbar" else groups.sds,
        sd=groups.sds,
    )


def _checked_multiply(multiply: object) -> float:
    if isinstance(multiply, bool) or not isinstance(multiply, int | float) or not math.isfinite(multiply):
        raise ValueError(f"multiply is {multiply!r}; expected a positive number, e.g. 100 for percentages")
    if multiply <= 0:
        raise ValueError(f"multiply is {multiply}; it must be greater than zero, e.g. 100 for percentages")
    return multiply


def _checked_values(
    y: Sequence[float | None], n: Sequence[float | None] | None, chart: str
) -> tuple[list[float | None], list[float | None] | None]:
    if chart not in CHARTS:
        raise ValueError(f"unknown chart {chart!r}; expected one of {', '.join(CHARTS)}")
    if not y:
        raise ValueError("y is empty; a chart needs at least one point")
    if n is None and chart in _NEEDS_N:
        raise ValueError(f"a {chart} chart needs subgroup sizes n")
    if n is not None and chart in _TAKES_NO_N:
        raise ValueError(f"{_TAKES_NO_N[chart]}; it takes no subgroup sizes n")
    if n is not None and len(n) != len(y):
        raise ValueError(f"y has {len(y)} values but n has {len(n)}")
    counts = [_number(value, "y", position) for position, value in enumerate(y, 1)]
    sizes = None if n is None else [_size(value, position) for position, value in enumerate(n, 1)]
    _check_counts(chart, counts, sizes)
    return counts, sizes


def _number(value: object, name: str, position: int) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name}[{position}] is {value!r}; expected a finite number or None")
    return value


def _size(value: object, position: int) -> float | None:
    size = _number(value, "n", position)
    if size is not None and size < 0:
        raise ValueError(f"n[{position}] is {size}; subgroup sizes cannot be negative")
    return size


def _check_counts(chart: str, counts: list[float | None], sizes: list[float | None] | None) -> None:
    for position, (count, size) in enumerate(zip(counts, sizes or [None] * len(counts), strict=True), 1):
        if chart in _COUNTS_EVENTS and count is not None and count < 0:
            raise ValueError(
                f"y[{position}] is {count}; a {chart} chart counts events, which cannot be negative"
            )
        if chart == "t" and count is not None and count <= 0:
            raise ValueError(
                f"y[{position}] is {count}; a t chart plots times between events, which must be greater than zero"
            )
        if chart in _PROPORTIONS and count is not None and size is not None and count > size:
            raise ValueError(
                f"y[{position}] is {count} but n[{position}] is {size}; a proportion cannot exceed 1"
            )


def _checked_labels(x: Sequence[Label] | None, size: int) -> list[Label]:
    if x is None:
        return list(range(1, size + 1))
    if len(x) != size:
        raise ValueError(f"y has {size} values but x has {len(x)}")
    if len(set(x)) != size:
        raise ValueError(
            "x has repeated values; only xbar and s charts take several observations per x, "
            "and aggregate_by_period() combines several series per period"
        )
    return list(x)


def _checked_freeze(freeze: int | None, part: Sequence[int] | None, size: int) -> float:
    if freeze is None:
        return math.inf
    if part:
        # qicharts2 silently ignores freeze when part is given; refusing is safer than dropping it.
        raise ValueError("freeze and part cannot be combined; qicharts2 ignores freeze when part is given")
    if isinstance(freeze, bool) or not isinstance(freeze, int) or not 1 <= freeze <= size:
        raise ValueError(f"freeze is {freeze!r}; expected a point count from 1 to {size}")
    return freeze


def _checked_positions(positions: Sequence[int] | None, name: str, low: int, high: int) -> list[int]:
    if positions is not None and (isinstance(positions, str) or not isinstance(positions, Sequence)):
        raise ValueError(f"{name} is {positions!r}; expected a list of 1-based positions")
    for position in positions or ():
        if isinstance(position, bool) or not isinstance(position, int) or not low <= position <= high:
            raise ValueError(f"{name} position {position!r} is out of range; expected {low} to {high}")
    return list(positions or ())


def _complete_cases(
    counts: list[float | None], sizes: list[float | None] | None
) -> tuple[list[float | None], list[float | None]]:
    if sizes is None:
        return counts, [None] * len(counts)
    # As qicharts2: a period lacking its numerator or its size is missing altogether.
    complete = [count is not None and size is not None for count, size in zip(counts, sizes, strict=True)]
    return (
        [count if ok else None for count, ok in zip(counts, complete, strict=True)],
        [size if ok else None for size, ok in zip(sizes, complete, strict=True)],
    )


def _usable_counts(chart: str, counts: list[float | None], sizes: list[float | None]) -> list[float | None]:
    # A zero size leaves the period undefined, so its numerator stays out of the centre line too.
    if chart == "c":
        return counts
    return [None if size == 0 else count for count, size in zip(counts, sizes, strict=True)]


def _plotted(chart: str, count: float | None, size: float | None) -> float | None:
    if count is None or chart == "c" or size is None:
        return count
    return count / size if size else None
