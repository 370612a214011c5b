"""The pieces every chart's lines are built from, and the classic charts: run, I, MR, P, U and C.

Each chart function takes one part of the series (a Segment) and returns the centre line and
limits at each of its points, as qicharts2 0.8.1 computes them. analytics/charts.py lists every
chart and the module holding its lines.
"""

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
    sd: Sequence[Value] = ()  # subgroup standard deviations (xbar and s charts only)

    def of_base(self, values: Sequence[Value]) -> list[Value]:
        return [value for value, use in zip(values, self.base, strict=True) if use]


def moving_ranges(values: Sequence[Value]) -> list[Value]:
    """|y(i) − y(i−1)|: None at the first point and next to a missing one."""
    return [None, *(_abs_diff(a, b) for a, b in itertools.pairwise(values))]


def _abs_diff(a: Value, b: Value) -> Value:
    return None if a is None or b is None else abs(b - a)


def mean(values: Sequence[Value]) -> Value:
    """Mean of the present values; None when there are none."""
    present = [value for value in values if value is not None]
    return math.fsum(present) / len(present) if present else None


def screened_mean(values: Sequence[Value], factor: float) -> Value:
    """Mean after leaving out the values of factor × their mean or more (Nelson 1982, qicharts2's default)."""
    first = mean(values)
    if first is None:
        return None
    return mean([value for value in values if value is not None and value < factor * first])


def symmetric(cl: Value, sigma: Value, floor: Value = None, ceiling: Value = None) -> Lines:
    """cl ± 3 sigma, clipped to [floor, ceiling] where given."""
    if cl is None or sigma is None:
        return Lines(cl)
    lcl, ucl = cl - 3 * sigma, cl + 3 * sigma
    lcl = lcl if floor is None else max(floor, lcl)
    ucl = ucl if ceiling is None else min(ceiling, ucl)
    return Lines(cl, lcl, ucl)


def ratio_centre(segment: Segment) -> Value:
    """Σcount / Σn over the baseline's complete points: the centre of P, U and their Laney forms."""
    pairs = [
        (count, n)
        for count, n in zip(segment.of_base(segment.counts), segment.of_base(segment.n), strict=True)
    ]
    complete = [(count, n) for count, n in pairs if count is not None and n is not None]
    denominator = math.fsum(n for _, n in complete)
    return math.fsum(count for count, _ in complete) / denominator if denominator else None


def run_chart(segment: Segment) -> list[Lines]:
    """Centre line = median of the baseline; no limits."""
    present = [value for value in segment.of_base(segment.y) if value is not None]
    cl = statistics.median(present) if present else None
    return [Lines(cl)] * len(segment.y)


def i_chart(segment: Segment) -> list[Lines]:
    """XmR: mean ± 3 × screened mean moving range / 1.128."""
    base = segment.of_base(segment.y)
    cl = mean(base)
    sigma = None if cl is None else _i_sigma(base, cl)
    return [symmetric(cl, sigma)] * len(segment.y)


def _i_sigma(base: Sequence[Value], cl: float) -> Value:
    # qicharts2 takes the ranges of the centred baseline values; kept for identical rounding.
    centred = [None if value is None else value - cl for value in base]
    amr = screened_mean(moving_ranges(centred), MR_UCL_FACTOR)
    return None if amr is None else amr / D2


def mr_chart(segment: Segment) -> list[Lines]:
    """Moving ranges (already in segment.y): cl = mean MR, ucl = 3.267 × cl, lcl = 0."""
    cl = mean(segment.of_base(segment.y))
    lines = Lines(None) if cl is None else Lines(cl, 0.0, MR_UCL_FACTOR * cl)
    return [lines] * len(segment.y)


def per_size(segment: Segment, limits: Callable[[float, float], Lines]) -> list[Lines]:
    """Lines at each point from the ratio centre and that point's size."""
    cl = ratio_centre(segment)
    # A missing or zero size has no finite limits; qicharts2 blanks infinite ones.
    return [Lines(cl) if cl is None or not n else limits(cl, n) for n in segment.n]


def p_chart(segment: Segment) -> list[Lines]:
    """Proportions: cl ± 3·sqrt(cl(1−cl)/n), clipped to [0, 1]."""
    return per_size(segment, lambda cl, n: symmetric(cl, math.sqrt(cl * (1 - cl) / n), 0.0, 1.0))


def u_chart(segment: Segment) -> list[Lines]:
    """Rates: cl ± 3·sqrt(cl/n), lcl clipped at 0."""
    return per_size(segment, lambda cl, n: symmetric(cl, math.sqrt(cl / n), 0.0))


def c_chart(segment: Segment) -> list[Lines]:
    """Counts: mean ± 3·sqrt(mean), lcl clipped at 0."""
    cl = mean(segment.of_base(segment.counts))
    sigma = None if cl is None else math.sqrt(cl)
    return [symmetric(cl, sigma, 0.0)] * len(segment.y)
