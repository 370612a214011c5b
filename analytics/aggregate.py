"""Collaborative-level series: several teams' series summed period by period."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from analytics.models import Label, MeasureSeries


def aggregate_by_period(series_list: Iterable[MeasureSeries | Mapping[str, Any]]) -> MeasureSeries:
    """One series per collaborative: for each x, the sum of numerators and the sum of denominators."""
    teams = [MeasureSeries.model_validate(series) for series in series_list]
    if not teams:
        raise ValueError("no series to aggregate")
    if len({team.n is None for team in teams}) > 1:
        raise ValueError("some series have denominators n and some do not; aggregate like with like")
    reported = _reported_by_period(teams)
    periods = _ordered(reported)
    sums = [_sums(reported[period]) for period in periods]
    return MeasureSeries(
        x=tuple(periods),
        y=tuple(y for y, _ in sums),
        n=None if teams[0].n is None else tuple(n for _, n in sums),
    )


def _reported_by_period(teams: list[MeasureSeries]) -> dict[Label, list[tuple[float, float]]]:
    reported: dict[Label, list[tuple[float, float]]] = {}
    for team in teams:
        sizes = team.n if team.n is not None else (0.0,) * len(team.x)
        for period, y, n in zip(team.x, team.y, sizes, strict=True):
            pairs = reported.setdefault(period, [])
            # A team that reports only half of a ratio is left out of that period (qicharts2's complete cases).
            if y is not None and n is not None:
                pairs.append((y, n))
    return reported


def _ordered(reported: dict[Label, list[tuple[float, float]]]) -> list[Label]:
    try:
        return sorted(reported)
    except TypeError:
        raise ValueError("x values of different kinds cannot be put in period order") from None


def _sums(pairs: list[tuple[float, float]]) -> tuple[float | None, float | None]:
    if not pairs:
        return None, None
    return math.fsum(y for y, _ in pairs), math.fsum(n for _, n in pairs)
