"""Laney's P′ and U′ charts: P and U limits widened by the between-subgroup variation.

With very large subgroups P and U limits get so narrow that nearly every point signals
(over-dispersion). Laney (2002) measures how far the points really spread in units of their own
sigma: z(i) = (y(i) − cl) / sigma(i), and sigma_z = screened mean moving range of z / 1.128
(as the I chart, qicharts2's default screening). The limits are cl ± 3 · sigma(i) · sigma_z.
qicharts2 uses the standard deviation of z instead when x is categorical; qic()'s x are ordered
periods, so the moving range always applies.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from analytics.limits import (
    D2,
    MR_UCL_FACTOR,
    Lines,
    Segment,
    moving_ranges,
    ratio_centre,
    screened_mean,
    symmetric,
)

Value = float | None


def pp_chart(segment: Segment) -> list[Lines]:
    """P′: cl ± 3 · sqrt(cl(1−cl)/n) · sigma_z, clipped to [0, 1]."""
    return _laney(segment, lambda cl, n: math.sqrt(cl * (1 - cl) / n), ceiling=1.0)


def up_chart(segment: Segment) -> list[Lines]:
    """U′: cl ± 3 · sqrt(cl/n) · sigma_z, lcl clipped at 0."""
    return _laney(segment, lambda cl, n: math.sqrt(cl / n), ceiling=None)


def _laney(segment: Segment, sigma_at: Callable[[float, float], float], ceiling: Value) -> list[Lines]:
    cl = ratio_centre(segment)
    if cl is None:
        return [Lines(None)] * len(segment.y)
    # A missing or zero size has no sigma, so no z and no limits there.
    sigmas = [sigma_at(cl, n) if n else None for n in segment.n]
    sigma_z = _sigma_z(segment, cl, sigmas)
    return [
        Lines(cl) if sigma is None or sigma_z is None else symmetric(cl, sigma * sigma_z, 0.0, ceiling)
        for sigma in sigmas
    ]


def _sigma_z(segment: Segment, cl: float, sigmas: list[Value]) -> Value:
    z = [
        None if y is None or not sigma else (y - cl) / sigma
        for y, sigma in zip(segment.of_base(segment.y), segment.of_base(sigmas), strict=True)
    ]
    amr = screened_mean(moving_ranges(z), MR_UCL_FACTOR)
    return None if amr is None else amr / D2
