"""Response schemas for monthly team reports."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from aggregates.monthly_report import ReportStatus
from engine.queries.reports import MonthValue, PdsaActivity, ReportRow, ReportView


class MonthValuePublic(BaseModel):
    measure_key: str
    measure_name: str
    numerator: float
    denominator: float | None
    value: float


class PdsaActivityPublic(BaseModel):
    """Titles of the team's PDSA cycles planned, carried out, studied and acted on in the month."""

    planned: list[str]
    done: list[str]
    studied: list[str]
    acted: list[str]


class ReportPublic(BaseModel):
    report_id: UUID
    team_id: UUID
    team_name: str
    collaborative_id: UUID
    month: str
    status: ReportStatus
    version: int = Field(description="the report's version, for If-Match; 0 before its first draft")
    successes: str
    barriers: str
    tested: str
    learned: str
    help_wanted: str
    feedback: str = Field(description="the coach's latest feedback; kept when the report is reopened")
    submitted_by: str | None
    submitted_at: datetime | None
    answered_by: str | None
    answered_at: datetime | None
    reopened_at: datetime | None
    submissions: int
    data: list[MonthValuePublic] = Field(description="the team's data points for the month, per measure")
    pdsa: PdsaActivityPublic

    @classmethod
    def of(cls, view: ReportView) -> ReportPublic:
        return cls(
            report_id=view.report_id, team_id=view.team_id, team_name=view.team_name,
            collaborative_id=view.collaborative_id, month=view.month, status=view.status,
            version=view.version, **view.sections, feedback=view.feedback,
            submitted_by=view.submitted_by, submitted_at=view.submitted_at,
            answered_by=view.answered_by, answered_at=view.answered_at, reopened_at=view.reopened_at,
            submissions=view.submissions, data=[_value(v) for v in view.data], pdsa=_pdsa(view.pdsa),
        )  # fmt: skip


def _value(v: MonthValue) -> MonthValuePublic:
    return MonthValuePublic(
        measure_key=v.measure_key, measure_name=v.measure_name, numerator=v.numerator,
        denominator=v.denominator, value=v.value,
    )  # fmt: skip


def _pdsa(p: PdsaActivity) -> PdsaActivityPublic:
    return PdsaActivityPublic(planned=p.planned, done=p.done, studied=p.studied, acted=p.acted)


class ReportRowPublic(BaseModel):
    team_id: UUID
    team_name: str
    status: ReportStatus
    submitted_at: datetime | None
    answered_at: datetime | None

    @classmethod
    def of(cls, row: ReportRow) -> ReportRowPublic:
        return cls(
            team_id=row.team_id, team_name=row.team_name, status=row.status,
            submitted_at=row.submitted_at, answered_at=row.answered_at,
        )  # fmt: skip


class CollaborativeReportsPublic(BaseModel):
    collaborative_id: UUID
    month: str
    teams: list[ReportRowPublic] = Field(
        description="every active team you may see, with its report's status"
    )
    not_reported: list[str] = Field(description="the names of the teams that have not submitted a report")
