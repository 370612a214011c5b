"""A funnel plot of one period (or a window summed) across units with unequal denominators:
each unit's value against its denominator, around a target, inside control limits that
narrow as the denominator grows, after Spiegelhalter (2005).

Source: D. J. Spiegelhalter, "Funnel plots for comparing institutional performance",
Statistics in Medicine 24 (2005) 1185–1202, doi:10.1002/sim.1970.

- Target θ: the pooled value Σ numerators / Σ denominators unless one is given (§2).
- Limits at 95% (two-sided p = 0.025, 0.975: "alert") and 99.8% (p = 0.001, 0.999: "alarm").
- "exact" (the default; Spiegelhalter's appendix): for a proportion the number of events in
  n is Binomial(n, θ); for a rate the count over exposure E is Poisson(θE). With F its
  distribution function and r_p the smallest r with F(r) ≥ p, the limit is interpolated
  between counts so that it moves smoothly with the denominator:
      α = (F(r_p) − p) / (F(r_p) − F(r_p − 1)),
      lower limit = (r_p − α) / n,   upper limit = (r_p + 1 − α) / n   (or / E),
  clipped to [0, 1] for a proportion and to ≥ 0 for a rate. This is the method Spiegelhalter
  recommends when counts are small — a critical access hospital sees few children a month —
  where the normal curve is too narrow below and too wide above.
  The upper limit's "+ 1": the appendix writes one formula, (r_p − α)/n, for every p. Used
  for the upper tail it flags a unit whose exact one-sided p-value is above the tail
  probability (3 of 10 against θ = 0.1: P(R ≥ 3) = 0.070, yet above that 95% "limit"). The
  upper quantile is therefore interpolated over the step to its right, as the R funnel program
  "funnel4" (2016) does in `qbinom.interp` (`(rp + 1 - alpha)/denom`), so a unit
  lies beyond a limit exactly when P(R ≥ r) (or P(R ≤ r)) is below the tail probability:
  the chance of an in-control unit falling outside is at most nominal, the first of the three
  interpolations compared by Manktelow & Seaton, PLoS ONE 7 (2012) e45723.
- "normal": θ ± z_p·sqrt(θ(1 − θ)/n) for a proportion, θ ± z_p·sqrt(θ/E) for a rate (§3.1),
  with z = 1.959964 (95%) and 3.090232 (99.8%).
- z-score of a unit: (y − θ) / sqrt(θ(1 − θ)/n), or (y − θ) / sqrt(θ/E): Spiegelhalter's
  standardised measure, reported whichever limits are drawn (None when θ leaves no spread).

Pure: the standard library and pydantic only. Binomial and Poisson probabilities are summed
outward from the mode (where log-gamma gives the first term) over ±12 standard deviations
(and ten counts more: beyond lies less than 1e-30), so a denominator of a hundred thousand
costs a few thousand terms and nothing underflows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from statistics import NormalDist
from typing import Literal

from pydantic import BaseModel, ConfigDict

FunnelDataType = Literal["proportion", "rate"]
Method = Literal["exact", "normal"]
# Two-sided: 2.5% and 0.1% in each tail.
P95, P998 = 0.975, 0.999
GRID_POINTS = 80
_TAIL_SDS, _TAIL_EXTRA = 12.0, 10


class Band(StrEnum):
    """Where a unit lies against its own limits."""

    INSIDE = "inside"
    HIGH_95 = "beyond 95% high"
    LOW_95 = "beyond 95% low"
    HIGH_998 = "beyond 99.8% high"
    LOW_998 = "beyond 99.8% low"


class FunnelUnit(BaseModel):
    """One unit's events (numerator) and patients or exposure (denominator) for the period."""

    model_config = ConfigDict(frozen=True)

    id: str
    label: str
    numerator: float
    denominator: float


class Limits(BaseModel):
    """The four control limits at one denominator."""

    model_config = ConfigDict(frozen=True)

    denominator: float
    lower_998: float
    lower_95: float
    upper_95: float
    upper_998: float


class FunnelPoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    label: str
    numerator: float
    denominator: float
    value: float
    z: float | None
    band: Band
    limits: Limits

    @property
    def outlier(self) -> bool:
        return self.band is not Band.INSIDE


class Funnel(BaseModel):
    """The funnel: points to plot, units without data, and the limit curves to draw."""

    model_config = ConfigDict(frozen=True)

    data_type: FunnelDataType
    method: Method
    target: float
    target_given: bool  # False: the pooled value of the units
    points: tuple[FunnelPoint, ...]
    no_data: tuple[FunnelUnit, ...]  # denominator 0: listed, not plotted
    curve: tuple[Limits, ...]

    @property
    def outliers(self) -> tuple[FunnelPoint, ...]:
        """Units beyond the 95% limits, those beyond 99.8% first, then by how far (|z|)."""
        beyond = [p for p in self.points if p.outlier]
        return tuple(
            sorted(beyond, key=lambda p: (p.band not in (Band.HIGH_998, Band.LOW_998), -abs(p.z or 0)))
        )


def funnel(
    units: Sequence[FunnelUnit],
    data_type: str,
    target: float | None = None,
    method: Method = "exact",
    grid_points: int = GRID_POINTS,
) -> Funnel:
    """The funnel plot of these units around target (default: pooled), with limits by method."""
    kind = _data_type(data_type)
    if method not in ("exact", "normal"):
        raise ValueError(f"the limits' method is 'exact' or 'normal', not {method!r}")
    _check_units(units, kind, method)
    plotted = [u for u in units if u.denominator > 0]
    if not plotted:
        raise ValueError("no unit has a denominator above 0: there is nothing to compare")
    theta = _target(plotted, kind, target)
    points = tuple(_point(u, theta, kind, method) for u in plotted)
    curve = tuple(
        limits(d, theta, kind, method) for d in _grid([u.denominator for u in plotted], kind, grid_points)
    )
    return Funnel(
        data_type=kind,
        method=method,
        target=theta,
        target_given=target is not None,
        points=points,
        no_data=tuple(u for u in units if u.denominator == 0),
        curve=curve,
    )


def window_totals(rows: Iterable[FunnelUnit]) -> list[FunnelUnit]:
    """Several periods of each unit summed into one (a window), in the order units first appear."""
    totals: dict[str, FunnelUnit] = {}
    for row in rows:
        seen = totals.get(row.id)
        totals[row.id] = (
            row
            if seen is None
            else seen.model_copy(
                update={
                    "numerator": seen.numerator + row.numerator,
                    "denominator": seen.denominator + row.denominator,
                }
            )
        )
    return list(totals.values())


def limits(denominator: float, target: float, data_type: FunnelDataType, method: Method = "exact") -> Limits:
    """The 95% and 99.8% limits around target at one denominator (above 0)."""
    if method == "normal":
        lo998, lo95, up95, up998 = (
            _normal(p, denominator, target, data_type) for p in (1 - P998, 1 - P95, P95, P998)
        )
    else:
        lo998, lo95, up95, up998 = _exact(denominator, target, data_type)
    return Limits(denominator=denominator, lower_998=lo998, lower_95=lo95, upper_95=up95, upper_998=up998)


def _data_type(data_type: str) -> FunnelDataType:
    value = str(getattr(data_type, "value", data_type))
    if value == "proportion":
        return "proportion"
    if value == "rate":
        return "rate"
    raise ValueError(
        f"a funnel plot compares proportions or rates, not {value!r} (counts and measurements have no denominator)"
    )


def _check_units(units: Sequence[FunnelUnit], kind: FunnelDataType, method: Method) -> None:
    if not units:
        raise ValueError("a funnel plot needs at least one unit")
    seen: set[str] = set()
    for u in units:
        name = f"unit {u.label!r}"
        if u.id in seen:
            raise ValueError(f"{name}: id {u.id!r} appears twice (sum a window with window_totals first)")
        seen.add(u.id)
        if not (math.isfinite(u.numerator) and math.isfinite(u.denominator)):
            raise ValueError(f"{name}: numerator and denominator must be finite numbers")
        if u.numerator < 0 or u.denominator < 0:
            raise ValueError(f"{name}: numerator and denominator cannot be negative")
        if u.denominator == 0 and u.numerator > 0:
            raise ValueError(f"{name}: {u.numerator:g} events with a denominator of 0")
        if kind == "proportion" and u.numerator > u.denominator:
            raise ValueError(
                f"{name}: a proportion's numerator ({u.numerator:g}) exceeds its denominator ({u.denominator:g})"
            )
        if method == "exact" and not float(u.numerator).is_integer():
            raise ValueError(
                f"{name}: exact limits count events, so the numerator must be whole, not {u.numerator:g}"
            )
        if method == "exact" and kind == "proportion" and not float(u.denominator).is_integer():
            raise ValueError(
                f"{name}: a proportion's denominator counts patients, so it must be whole, not {u.denominator:g}"
            )


def _target(units: Sequence[FunnelUnit], kind: FunnelDataType, target: float | None) -> float:
    if target is None:
        return sum(u.numerator for u in units) / sum(u.denominator for u in units)
    if not math.isfinite(target) or target < 0:
        raise ValueError(f"the target must be a finite number of at least 0, not {target}")
    if kind == "proportion" and target > 1:
        raise ValueError(f"a proportion's target is between 0 and 1, not {target}")
    return float(target)


def _point(unit: FunnelUnit, theta: float, kind: FunnelDataType, method: Method) -> FunnelPoint:
    value = unit.numerator / unit.denominator
    bounds = limits(unit.denominator, theta, kind, method)
    sd = _sd(unit.denominator, theta, kind)
    return FunnelPoint(
        id=unit.id,
        label=unit.label,
        numerator=unit.numerator,
        denominator=unit.denominator,
        value=value,
        z=(value - theta) / sd if sd > 0 else None,
        band=_band(value, bounds),
        limits=bounds,
    )


def _band(value: float, bounds: Limits) -> Band:
    if value > bounds.upper_998:
        return Band.HIGH_998
    if value < bounds.lower_998:
        return Band.LOW_998
    if value > bounds.upper_95:
        return Band.HIGH_95
    if value < bounds.lower_95:
        return Band.LOW_95
    return Band.INSIDE


def _sd(denominator: float, theta: float, kind: FunnelDataType) -> float:
    variance = theta * (1 - theta) if kind == "proportion" else theta
    return math.sqrt(max(variance, 0.0) / denominator)


def _normal(p: float, denominator: float, theta: float, kind: FunnelDataType) -> float:
    value = theta + NormalDist().inv_cdf(p) * _sd(denominator, theta, kind)
    return _clip(value, kind)


def _clip(value: float, kind: FunnelDataType) -> float:
    return min(max(value, 0.0), 1.0) if kind == "proportion" else max(value, 0.0)


def _exact(denominator: float, theta: float, kind: FunnelDataType) -> tuple[float, float, float, float]:
    """Spiegelhalter's interpolated binomial or Poisson limits at p = 0.001, 0.025, 0.975, 0.999."""
    if theta == 0 or (kind == "proportion" and theta == 1):
        return (theta, theta, theta, theta)  # no events (or only events) are possible: no spread
    first, pmf = _binomial(int(denominator), theta) if kind == "proportion" else _poisson(denominator * theta)
    cdf, total = [], 0.0
    for term in pmf:
        total += term
        cdf.append(total)
    cdf = [c / total for c in cdf]  # what lies beyond ±12 sd is below float precision
    lo998, lo95 = (_clip(_quantile(p, first, cdf) / denominator, kind) for p in (1 - P998, 1 - P95))
    up95, up998 = (_clip((_quantile(p, first, cdf) + 1) / denominator, kind) for p in (P95, P998))
    return lo998, lo95, up95, up998


def _quantile(p: float, first: int, cdf: list[float]) -> float:
    """r_p − α: the p-quantile of the count, moved back by the share of its step above p."""
    index = next(i for i, c in enumerate(cdf) if c >= p - 1e-15)
    below = cdf[index - 1] if index else 0.0
    alpha = (cdf[index] - p) / (cdf[index] - below)
    return first + index - max(alpha, 0.0)


def _binomial(n: int, theta: float) -> tuple[int, list[float]]:
    """(first count, probabilities of first.. last count) of Binomial(n, θ) within ±12 sd."""
    mode = min(n, int((n + 1) * theta))
    spread = _TAIL_SDS * math.sqrt(n * theta * (1 - theta)) + _TAIL_EXTRA
    low, high = max(0, int(mode - spread)), min(n, int(mode + spread) + 1)
    log_mode = (
        math.lgamma(n + 1)
        - math.lgamma(mode + 1)
        - math.lgamma(n - mode + 1)
        + mode * math.log(theta)
        + (n - mode) * math.log1p(-theta)
    )
    odds = theta / (1 - theta)
    up = _walk(math.exp(log_mode), range(mode, high), lambda k: (n - k) / (k + 1) * odds)
    down = _walk(math.exp(log_mode), range(mode, low, -1), lambda k: k / (n - k + 1) / odds)
    return low, [*reversed(down[1:]), *up]


def _poisson(mean: float) -> tuple[int, list[float]]:
    """(first count, probabilities of first.. last count) of Poisson(mean) within ±12 sd."""
    mode = int(mean)
    spread = _TAIL_SDS * math.sqrt(mean) + _TAIL_EXTRA
    low, high = max(0, int(mode - spread)), int(mode + spread) + 1
    at_mode = math.exp(-mean + mode * math.log(mean) - math.lgamma(mode + 1))
    up = _walk(at_mode, range(mode, high), lambda k: mean / (k + 1))
    down = _walk(at_mode, range(mode, low, -1), lambda k: k / mean)
    return low, [*reversed(down[1:]), *up]


def _walk(start: float, steps: range, ratio: Callable[[int], float]) -> list[float]:
    """start, then each next probability from the last by ratio(k), one per step."""
    terms = [start]
    for k in steps:
        terms.append(terms[-1] * ratio(k))
    return terms


def _grid(denominators: Sequence[float], kind: FunnelDataType, points: int) -> list[float]:
    """Denominators to draw the curves at: evenly spaced on a log scale from the smallest to 5% past the largest."""
    if points < 2:
        raise ValueError(f"the limit curves need at least 2 grid points, not {points}")
    low, high = min(denominators), max(denominators) * 1.05
    if kind == "proportion":
        low = max(1.0, low)
    ratio = (high / low) ** (1 / (points - 1)) if high > low else 1.0
    grid = [low * ratio**i for i in range(points)]
    if kind == "proportion":  # Binomial(n) needs a whole n
        grid = [float(n) for n in sorted({max(1, round(g)) for g in grid})]
    return grid
