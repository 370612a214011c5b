"""Monthly data points of a team's measure, and what makes a value valid."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from aggregates.errors import RuleViolation
from aggregates.values import DataType, MeasureDefinition


class DataValue(BaseModel):
    numerator: float
    denominator: float | None = None
    submitted_at: datetime
    actor_id: str


class DataPoint(BaseModel):
    """The current value of one period, and how many times it was corrected.

    Earlier values live in the DataPointCorrected events (and the audit trail), not
    here: state kept every one, so a month corrected often made each copy and
    snapshot of the team grow without end."""

    current: DataValue
    corrections: int = 0

    @field_validator("corrections", mode="before")
    @classmethod
    def _count_of_kept_values(cls, value: Any) -> Any:
        # Snapshots taken before this change hold the earlier values themselves.
        return len(value) if isinstance(value, list) else value

    @property
    def value(self) -> float:
        if self.current.denominator is None:
            return self.current.numerator
        return self.current.numerator / self.current.denominator


class MeasureSeries(BaseModel):
    definition: MeasureDefinition
    data: dict[str, DataPoint] = Field(default_factory=dict)


def check_value(definition: MeasureDefinition, numerator: float, denominator: float | None) -> None:
    """Refuse a value that cannot belong to this measure, naming the problem."""
    kind = definition.data_type
    if not math.isfinite(numerator) or (denominator is not None and not math.isfinite(denominator)):
        raise RuleViolation("numerator and denominator must be finite numbers")
    if kind in (DataType.PROPORTION, DataType.RATE):
        if denominator is None or denominator <= 0:
            raise RuleViolation(f"measure {definition.key!r} needs a denominator above zero")
        if numerator < 0:
            raise RuleViolation("the numerator cannot be negative")
        if kind is DataType.PROPORTION and numerator > denominator:
            raise RuleViolation(
                f"numerator {numerator:g} exceeds denominator {denominator:g} "
                f"for proportion measure {definition.key!r}"
            )
        return
    if denominator is not None:
        raise RuleViolation(f"{kind.value} measure {definition.key!r} takes no denominator")
    if kind is DataType.COUNT and (numerator < 0 or numerator != int(numerator)):
        raise RuleViolation(f"count measure {definition.key!r} needs a whole number of 0 or more")


def require_not_future(period: str, at: datetime) -> None:
    if period > f"{at.year:04d}-{at.month:02d}":
        raise RuleViolation(f"period {period} is in the future")
