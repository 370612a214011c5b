"""Runs analysis: the Anhøj rules as qicharts2 0.8.1 applies them, and the IHI shift and trend rules."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from analytics.models import Pattern

SHIFT_LENGTH = 6
TREND_LENGTH = 5


@dataclass(frozen=True)
class RunsFigures:
    """The Anhøj figures of one part; the limits are None when no point is useful."""

    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    n_crossings: int | None
    n_crossings_min: int | None
    runs_signal: bool


def longest_run_max(n_useful: int) -> int:
    """Longest run a random process shows at most (Schilling 2012): round(log2(n)) + 3."""
    # Python's round() is round-half-even like R's; log2 of an integer is never exactly x.5 anyway.
    return round(math.log2(n_useful)) + 3


def n_crossings_min(n_useful: int) -> int:
    """Fewest crossings a random process shows: qbinom(0.05, n − 1, 0.5), in exact arithmetic."""
    trials = max(n_useful - 1, 0)
    cumulative = 0
    for k in range(trials + 1):
        cumulative += math.comb(trials, k)
        # CDF(k) = cumulative / 2**trials >= 1/20, compared in integers so no rounding can flip it.
        if 20 * cumulative >= 2**trials:
            return k
    return trials


def anhoej(sides: Sequence[int]) -> RunsFigures:
    """Anhøj runs analysis of the useful points' sides of the centre line (+1 above, −1 below)."""
    if not sides:
        return RunsFigures(0, None, None, None, None, runs_signal=False)
    run_lengths = [len(list(run)) for _, run in itertools.groupby(sides)]
    n_useful = len(sides)
    longest, longest_max = max(run_lengths), longest_run_max(n_useful)
    crossings, crossings_min = len(run_lengths) - 1, n_crossings_min(n_useful)
    return RunsFigures(
        n_useful=n_useful,
        longest_run=longest,
        longest_run_max=longest_max,
        n_crossings=crossings,
        n_crossings_min=crossings_min,
        runs_signal=longest > longest_max or crossings < crossings_min,
    )


def shifts(sides: Sequence[tuple[int, int]]) -> tuple[Pattern, ...]:
    """IHI shifts: 6 or more points in a row on one side; a point on the centre line is skipped."""
    off_centre = [(position, side) for position, side in sides if side != 0]
    found = []
    for side, run in itertools.groupby(off_centre, key=lambda item: item[1]):
        positions = [position for position, _ in run]
        if len(positions) >= SHIFT_LENGTH:
            direction = "above" if side > 0 else "below"
            found.append(
                Pattern(first=positions[0], last=positions[-1], length=len(positions), direction=direction)
            )
    return tuple(found)


def trends(values: Sequence[tuple[int, float]]) -> tuple[Pattern, ...]:
    """IHI trends: 5 or more points all going up or all going down; a repeated value is skipped."""
    kept = [item for index, item in enumerate(values) if index == 0 or item[1] != values[index - 1][1]]
    steps = [(a[0], b[0], 1 if b[1] > a[1] else -1) for a, b in itertools.pairwise(kept)]
    found = []
    for step, run in itertools.groupby(steps, key=lambda item: item[2]):
        climb = list(run)
        if len(climb) + 1 >= TREND_LENGTH:
            direction = "up" if step > 0 else "down"
            found.append(
                Pattern(first=climb[0][0], last=climb[-1][1], length=len(climb) + 1, direction=direction)
            )
    return tuple(found)
