"""Centre lines and 3-sigma limits of one chart part, per chart type, as qicharts2 0.8.1 computes them."""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

MR_UCL_FACTOR = 3.267  # D4 for moving ranges of two points
D2 = 1.128  # expected moving range of two points, in sigmas

Value = float | None


@dataclass(frozen=True)
class Lines:
    """Centre line and control limits at one point; None where undefined."""

    cl: Value
    lcl: Value = None
    ucl: Value = None


@dataclass(frozen=True)
class Segment:
    """One part of a series: plotted values, numerators, sizes, and which points set the lines."""

    y: Sequence[Value]
    counts: Sequence[Value]
    n: Sequence[Value]
    base: Sequence[bool]  # baseline and included

    def of_base(self, values: Sequence[Value]) -> list[Value]:
        return [value for value, use in zip(values, self.base, strict=True) if use]


def lines_for(chart: str, segment: Segment) -> list[Lines]:
    """Centre line and limits at every point of the segment."""
    return _CHARTS[chart](segment)


def moving_ranges(values: Sequence[Value]) -> list[Value]:
    """|y(i) − y(i−1)|: None at the first point and next to a missing one."""
    return [None, *(_abs_diff(a, b) for a, b in itertools.pairwise(values))]


def _abs_diff(a: Value, b: Value) -> Value:
    return None if a is None or b is None else abs(b - a)


def _mean(values: Sequence[Value]) -> Value:
    present = [value for value in values if value is not None]
    return math.fsum(present) / len(present) if present else None


def _symmetric(cl: Value, sigma: Value, floor: Value = None, ceiling: Value = None) -> Lines:
    if cl is None or sigma is None:
        return Lines(cl)
    lcl, ucl = cl - 3 * sigma, cl + 3 * sigma
    lcl = lcl if floor is None else max(floor, lcl)
    ucl = ucl if ceiling is None else min(ceiling, ucl)
    return Lines(cl, lcl, ucl)


def _run(segment: Segment) -> list[Lines]:
    present = [value for value in segment.of_base(segment.y) if value is not None]
    cl = statistics.median(present) if present else None
    return [Lines(cl)] * len(segment.y)


def _i(segment: Segment) -> list[Lines]:
    base = segment.of_base(segment.y)
    cl = _mean(base)
    sigma = None if cl is None else _i_sigma(base, cl)
    return [_symmetric(cl, sigma)] * len(segment.y)


def _i_sigma(base: Sequence[Value], cl: float) -> Value:
    # qicharts2 takes the ranges of the centred baseline values; kept for identical rounding.
    ranges = moving_ranges([None if value is None else value - cl for value in base])
    amr = _mean(ranges)
    if amr is None:
        return None
    # Nelson (1982), qicharts2's default: screen out ranges of 3.267 × their mean or more, then re-average.
    amr = _mean([mr for mr in ranges if mr is not None and mr < MR_UCL_FACTOR * amr])
    return None if amr is None else amr / D2


def _mr(segment: Segment) -> list[Lines]:
    cl = _mean(segment.of_base(segment.y))
    lines = Lines(None) if cl is None else Lines(cl, 0.0, MR_UCL_FACTOR * cl)
    return [lines] * len(segment.y)


def _ratio_centre(segment: Segment) -> Value:
    pairs = [
        (count, n)
        for count, n in zip(segment.of_base(segment.counts), segment.of_base(segment.n), strict=True)
    ]
    complete = [(count, n) for count, n in pairs if count is not None and n is not None]
    denominator = math.fsum(n for _, n in complete)
    return math.fsum(count for count, _ in complete) / denominator if denominator else None


def _per_size(segment: Segment, limits: Callable[[float, float], Lines]) -> list[Lines]:
    cl = _ratio_centre(segment)
    # A missing or zero size has no finite limits; qicharts2 blanks infinite ones.
    return [Lines(cl) if cl is None or not n else limits(cl, n) for n in segment.n]


def _p(segment: Segment) -> list[Lines]:
    return _per_size(segment, lambda cl, n: _symmetric(cl, math.sqrt(cl * (1 - cl) / n), 0.0, 1.0))


def _u(segment: Segment) -> list[Lines]:
    return _per_size(segment, lambda cl, n: _symmetric(cl, math.sqrt(cl / n), 0.0))


def _c(segment: Segment) -> list[Lines]:
    cl = _mean(segment.of_base(segment.counts))
    sigma = None if cl is None else math.sqrt(cl)
    return [_symmetric(cl, sigma, 0.0)] * len(segment.y)


_CHARTS: dict[str, Callable[[Segment], list[Lines]]] = {
    "run": _run,
    "i": _i,
    "mr": _mr,
    "p": _p,
    "u": _u,
    "c": _c,
}
