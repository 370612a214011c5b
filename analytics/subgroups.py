"""Xbar and S charts: individual observations gathered into subgroups by x, and their limits.

Each x value is one subgroup, in order of first appearance (qicharts2 sorts them by x: give the
observations in period order); its observations give a mean, a standard deviation and a size
(the observations present). With sizes that vary within a part, sigma is the pooled SD,
sqrt(Σ(n−1)s² / Σ(n−1)) over the baseline (Montgomery 6.31); with one size throughout, the mean
of the SDs. Xbar: cl = Σ n·mean / Σ n, limits cl ± A3(n)·sigma. S: cl = that sigma, limits
B3(n)·cl and B4(n)·cl. The factors come from their formulas, as qicharts2 computes them:
c4(n) = sqrt(2/(n−1)) · Γ(n/2) / Γ((n−1)/2), c5 = sqrt(1 − c4²), A3 = 3 / (c4·sqrt(n)),
B3 = max(0, 1 − 3·c5/c4), B4 = 1 + 3·c5/c4; a subgroup of one observation has none.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from analytics.limits import Lines, Segment, mean
from analytics.models import Label

Value = float | None


@dataclass(frozen=True)
class Subgroups:
    """One entry per distinct x, in order of first appearance."""

    x: list[Label]
    means: list[Value]
    sds: list[Value]  # None below two observations
    sizes: list[int]  # observations present


def subgroups(x: Sequence[Label], values: Sequence[Value]) -> Subgroups:
    """Gather the observations by their x value."""
    groups: dict[Label, list[float]] = {}
    for label, value in zip(x, values, strict=True):
        groups.setdefault(label, [])
        if value is not None:
            groups[label].append(value)
    observations = list(groups.values())
    return Subgroups(
        x=list(groups),
        means=[mean(group) for group in observations],
        sds=[_sd(group) for group in observations],
        sizes=[len(group) for group in observations],
    )


def _sd(values: list[float]) -> Value:
    if len(values) < 2:
        return None
    centre = math.fsum(values) / len(values)
    return math.sqrt(math.fsum((value - centre) ** 2 for value in values) / (len(values) - 1))


def c4(n: float) -> Value:
    """Expected sample SD of n normal observations, in sigmas."""
    if n <= 1:
        return None
    return math.sqrt(2 / (n - 1)) * math.exp(math.lgamma(n / 2) - math.lgamma((n - 1) / 2))


def a3(n: float) -> Value:
    """Xbar limits in units of the mean SD: 3 / (c4(n)·sqrt(n))."""
    factor = c4(n)
    return None if factor is None else 3 / (factor * math.sqrt(n))


def b3(n: float) -> Value:
    """S chart lower limit in units of the mean SD: max(0, 1 − 3·c5/c4)."""
    spread = _c5_over_c4(n)
    return None if spread is None else max(0.0, 1 - spread)


def b4(n: float) -> Value:
    """S chart upper limit in units of the mean SD: 1 + 3·c5/c4."""
    spread = _c5_over_c4(n)
    return None if spread is None else 1 + spread


def _c5_over_c4(n: float) -> Value:
    factor = c4(n)
    return None if factor is None else 3 * math.sqrt(1 - factor * factor) / factor


def xbar_chart(segment: Segment) -> list[Lines]:
    """Subgroup means: cl = Σ n·mean / Σ n over the baseline, limits cl ± A3(n)·sigma."""
    sizes, means = segment.of_base(segment.n), segment.of_base(segment.y)
    weighted = [size * value for size, value in zip(sizes, means, strict=True) if size and value is not None]
    total = math.fsum(size for size in sizes if size is not None)
    cl = math.fsum(weighted) / total if total else None
    sigma = _sigma(segment)
    lines = []
    for size in segment.n:
        factor = None if size is None else a3(size)
        if cl is None or sigma is None or factor is None:
            lines.append(Lines(cl))
        else:
            lines.append(Lines(cl, cl - factor * sigma, cl + factor * sigma))
    return lines


def s_chart(segment: Segment) -> list[Lines]:
    """Subgroup SDs: cl = the pooled (or mean) SD, limits B3(n)·cl and B4(n)·cl."""
    cl = _sigma(segment)
    lines = []
    for size in segment.n:
        low, high = (None, None) if size is None else (b3(size), b4(size))
        if cl is None or low is None or high is None:
            lines.append(Lines(cl))
        else:
            lines.append(Lines(cl, low * cl, high * cl))
    return lines


def _sigma(segment: Segment) -> Value:
    sizes, sds = segment.of_base(segment.n), segment.of_base(segment.sd)
    if len(set(segment.n)) == 1:
        return mean(sds)
    # qicharts2 counts n − 1 of every baseline subgroup, so an empty one takes one off the total.
    degrees = math.fsum(size - 1 for size in sizes if size is not None)
    squares = math.fsum((size - 1) * (sd * sd) for size, sd in zip(sizes, sds, strict=True) if sd is not None)
    return math.sqrt(squares / degrees) if degrees > 0 else None
