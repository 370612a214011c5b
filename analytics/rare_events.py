"""Rare-event charts: G (units between events) and T (time between events).

G: geometric counts. The limits come from the mean m: m ± 3·sqrt(m(m+1)) (Montgomery), the lower
one clipped at 0, but the centre line shown (and used by the runs analysis) is the median, since
the distribution is skewed (qicharts2).

T: times between events are made near-normal by y^(1/3.6) (Nelson); an I chart is computed on the
transformed values and its centre line and limits are raised back to the power 3.6. A lower limit
below zero after the transform has no real power and becomes 0, as in qicharts2. The points keep
the given times (qicharts2 plots them after the round trip, equal to within rounding).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import replace

from analytics.limits import Lines, Segment, i_chart, mean

T_POWER = 3.6


def g_chart(segment: Segment) -> list[Lines]:
    """Limits from the mean count between events; centre line reported as the median."""
    base = [value for value in segment.of_base(segment.y) if value is not None]
    m = mean(base)
    if m is None:
        return [Lines(None)] * len(segment.y)
    sigma = math.sqrt(m * (m + 1))
    lines = Lines(statistics.median(base), max(0.0, m - 3 * sigma), m + 3 * sigma)
    return [lines] * len(segment.y)


def t_chart(segment: Segment) -> list[Lines]:
    """An I chart of y^(1/3.6), its lines back-transformed."""
    transformed = [None if value is None else value ** (1 / T_POWER) for value in segment.y]
    return [_back(lines) for lines in i_chart(replace(segment, y=transformed))]


def _back(lines: Lines) -> Lines:
    return Lines(_power(lines.cl), _power(lines.lcl, negative_as_zero=True), _power(lines.ucl))


def _power(value: float | None, *, negative_as_zero: bool = False) -> float | None:
    if value is None:
        return None
    if value < 0:
        # Only the lower limit can fall below zero; qicharts2 sets its NaN power to 0.
        return 0.0 if negative_as_zero else None
    return value**T_POWER
