"""What a measure's chart shows, as the read side hands it to the pages, the API and
the drawings: one slot per month from the first to the last (a month without data is
a gap, not a missing x), the phases and their reasons, the goal, the marks on the time
axis (PDSA cycles, phase changes, annotations), and which rules found the signals.

The numbers come from `analytics.qic` unchanged (`result`); the slots put them on the
calendar and say, per point, which signal it is part of, so a drawing can show each
signal by shape as well as colour and a table can list it in words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from aggregates.measure_chart import ChartType
from aggregates.values import MeasureDefinition
from analytics.models import QicResult

# The charts that plot a proportion measure's values as they are (shown as a percent);
# the others (C, G, T, Xbar, S) plot counts, times or measurements.
PERCENT_CHARTS = frozenset({"run", "i", "mr", "p", "pp", "ip"})


class RuleSet(BaseModel):
    """The rules a chart's signals were found with, named and versioned so a figure can be traced."""

    name: str
    version: str
    summary: str


class CycleStart(BaseModel):
    period: str
    title: str
    stage: str


class Slot(BaseModel):
    """One month on the x axis; without data (y None) it is a gap in the line."""

    period: str  # YYYY-MM
    y: float | None = None
    n: float | None = None
    cl: float | None = None
    lcl: float | None = None
    ucl: float | None = None
    part: int = 1
    baseline: bool = False  # one of the points the centre line and limits were computed from
    excluded: str | None = None  # the reason, when the point is left out of the centre line and limits
    outside_limits: bool = False  # beyond a control limit (sigma signal)
    in_shift: bool = False  # one of 6+ points on one side of the centre line
    in_trend: bool = False  # one of 5+ points all rising or all falling
    runs_signal: bool = False  # its phase shows non-random variation by the Anhøj rules


class Phase(BaseModel):
    """A stretch of the chart with its own centre line and limits; the first has no reason."""

    number: int
    first_period: str
    last_period: str
    reason: str | None = None
    decided_by: str | None = None
    decided_role: str | None = None
    decided_at: datetime | None = None
    centre: float | None = None
    runs_signal: bool = False
    longest_run: int | None = None
    longest_run_max: int | None = None
    n_crossings: int | None = None
    n_crossings_min: int | None = None


class Mark(BaseModel):
    """Something that happened at a date, drawn on the time axis whether or not the month has data."""

    period: str
    kind: Literal["pdsa", "phase", "annotation"]
    label: str
    detail: str = ""
    who: str | None = None  # an actor id: the pages show the name
    role: str | None = None
    at: datetime | None = None
    annotation_id: str | None = None


class Baseline(BaseModel):
    """Which points the limits come from: the first `points`, frozen, and why."""

    points: int
    through: str  # the period of its last point
    reason: str


class ChartProposal(BaseModel):
    """A change a team proposed, open until the coach or staff answer it."""

    proposal_id: str
    decision: dict[str, Any]
    reason: str
    by: str
    role: str = ""
    at: datetime
    status: str
    answered_by: str | None = None
    answer: str | None = None


class ChartView(BaseModel):
    measure: MeasureDefinition
    chart: ChartType
    chart_reason: str  # why this chart type: the default rule, or who chose it and why
    result: QicResult
    cycles: list[CycleStart]
    slots: list[Slot] = Field(default_factory=list)
    phases: list[Phase] = Field(default_factory=list)
    marks: list[Mark] = Field(default_factory=list)
    baseline: Baseline | None = None
    goal: float | None = None
    percent: bool = False  # y is a proportion, shown as a percent
    rules: RuleSet | None = None
    proposals: list[ChartProposal] = Field(default_factory=list)
    description: str = ""  # the chart in words, for the page and assistive technology
