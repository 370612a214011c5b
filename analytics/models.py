"""Read-model DTOs of a chart: one row per point, one summary per part."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

# Smart-mode union: each label keeps its own type (an ISO month string stays a string).
Label = int | float | str | datetime | date


class Pattern(BaseModel):
    """An IHI shift or trend: 1-based positions of its first and last counted point."""

    model_config = ConfigDict(frozen=True)

    first: int
    last: int
    length: int
    direction: Literal["above", "below", "up", "down"]


class Point(BaseModel):
    """One subgroup of the chart, as qicharts2 lists it."""

    model_config = ConfigDict(frozen=True)

    x: Label
    y: float | None
    n: float | None
    cl: float | None
    lcl: float | None
    ucl: float | None
    sigma_signal: bool
    include: bool
    baseline: bool
    part: int


class PartSummary(BaseModel):
    """Anhøj runs analysis of one part, with the IHI shifts and trends found in it."""

    model_config = ConfigDict(frozen=True)

    part: int
    n_obs: int
    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    n_crossings: int | None
    n_crossings_min: int | None
    runs_signal: bool
    shifts: tuple[Pattern, ...]
    trends: tuple[Pattern, ...]


class QicResult(BaseModel):
    """A computed run chart or control chart."""

    model_config = ConfigDict(frozen=True)

    chart: str
    points: tuple[Point, ...]
    parts: tuple[PartSummary, ...]


class MeasureSeries(BaseModel):
    """One series of periods: labels, numerators and (optionally) denominators."""

    model_config = ConfigDict(frozen=True)

    x: tuple[Label, ...]
    y: tuple[float | None, ...]
    n: tuple[float | None, ...] | None = None

    @model_validator(mode="after")
    def _one_value_per_period(self) -> MeasureSeries:
        if len(self.y) != len(self.x) or (self.n is not None and len(self.n) != len(self.x)):
            raise ValueError("x, y and n must have one value per period")
        if len(set(self.x)) != len(self.x):
            raise ValueError("x has repeated periods")
        return self
