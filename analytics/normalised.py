"""Taylor's I′ chart: individuals with subgroup sizes, limits normalised by each point's size.

For averages (or rates) of subgroups of varying size n: cl = Σ y·n / Σ n over the baseline. Each
pair of neighbours gives an estimate of the per-observation sigma, s = sqrt(π/2) · |Δy| /
sqrt(1/n(i) + 1/n(i−1)); their mean, after leaving out those of 3.2665 × the mean or more (the
screening qicharts2 applies here), times sqrt(1/n) is the sigma at a point: limits cl ± 3 sigma.
As in qicharts2, the neighbours are taken over every point of the part, baseline or not.
"""

from __future__ import annotations

import itertools
import math

from analytics.limits import Lines, Segment, screened_mean, symmetric

S_SCREEN_FACTOR = 3.2665


def ip_chart(segment: Segment) -> list[Lines]:
    """cl = Σ y·n / Σ n; limits cl ± 3 · (screened mean s) · sqrt(1/n)."""
    pairs = list(zip(segment.of_base(segment.y), segment.of_base(segment.n), strict=True))
    total = math.fsum(n for _, n in pairs if n is not None)
    weighted = math.fsum(y * n for y, n in pairs if y is not None and n is not None)
    cl = weighted / total if total else None
    spread = screened_mean(_neighbour_sigmas(segment), S_SCREEN_FACTOR)
    return [
        Lines(cl) if spread is None or not n else symmetric(cl, spread * math.sqrt(1 / n)) for n in segment.n
    ]


def _neighbour_sigmas(segment: Segment) -> list[float | None]:
    points = list(zip(segment.y, segment.n, strict=True))
    return [
        None
        if a is None or b is None or not m or not n
        else math.sqrt(math.pi / 2) * abs(b - a) / math.sqrt((1 / m) + (1 / n))
        for (a, m), (b, n) in itertools.pairwise(points)
    ]
