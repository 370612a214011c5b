"""Monthly data points of a team's measure, and what makes a value valid."""

from __future__ import annotations

import math
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator

from aggregates.base import Role
from aggregates.errors import RuleViolation
from aggregates.personal import ERASED_TEXT, Personal, Sealed
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


class FindingRule(StrEnum):
    """The data-quality rules a month of a measure is checked by (projections.data_quality
    holds the rule table: what each finds and its thresholds)."""

    MISSING_MONTH = "missing-month"
    NUMERATOR_ABOVE_DENOMINATOR = "numerator-above-denominator"
    OUTSIDE_PLAUSIBLE_RANGE = "outside-plausible-range"
    OUTLIER = "outlier"
    DENOMINATOR_JUMP = "denominator-jump"


# Why a team says a flagged value is right: free text about the team, personal data.
FindingReason = Annotated[str | Sealed, Personal(erased=ERASED_TEXT)]


def finding_key(measure_key: str, period: str, rule: FindingRule) -> str:
    return f"{measure_key}/{period}/{rule.value}"


class FindingConfirmation(BaseModel):
    """A finding the team says is no error: the value it confirmed (None for a month
    confirmed as having no data), why, by whom and when. A later correction of the month
    makes the finding open again: the confirmation was of the earlier value."""

    measure_key: str
    period: str
    rule: FindingRule
    numerator: float | None
    denominator: float | None
    reason: FindingReason
    actor_id: str
    actor_role: Role = Role.SYSTEM
    at: datetime

    def holds_for(self, point: DataPoint | None) -> bool:
        if point is None:
            return self.numerator is None
        return (self.numerator, self.denominator) == (point.current.numerator, point.current.denominator)
