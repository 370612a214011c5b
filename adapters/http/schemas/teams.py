"""Response schemas for teams."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from aggregates.datapoints import MeasureSeries
from aggregates.pdsa import PdsaAct, PdsaDo, PdsaPlan, PdsaStudy, Stage
from aggregates.team import Team
from aggregates.values import (
    AssessmentItem,
    AssessmentKind,
    CareSetting,
    MeasureDefinition,
    MemberSpec,
    SharedProject,
)


class AssessmentPublic(BaseModel):
    assessment_id: UUID
    kind: AssessmentKind
    items: list[AssessmentItem]
    score_percent: float


class DataPointPublic(BaseModel):
    period: str
    numerator: float
    denominator: float | None
    value: float
    submitted_at: datetime
    corrections: int


class MeasurePublic(BaseModel):
    definition: MeasureDefinition
    data: list[DataPointPublic]


class CyclePublic(BaseModel):
    cycle_id: UUID
    stage: Stage
    planned_at: datetime
    plan: PdsaPlan
    do: PdsaDo | None
    study: PdsaStudy | None
    act: PdsaAct | None
    ramp_children: list[UUID]


class CoachingNotePublic(BaseModel):
    note_id: UUID
    text: str = Field(description='"(erased)" once the member it is about was erased')
    author_id: str
    at: datetime
    about: UUID | None = Field(default=None, description="the member the note is about, if one")


class TeamPublic(BaseModel):
    id: UUID
    version: int
    collaborative_id: UUID
    name: str
    organization: str
    care_setting: CareSetting
    active: bool
    withdrawal_reason: str | None
    members: list[MemberSpec]
    coach_id: UUID | None
    coaching_notes: list[CoachingNotePublic]
    assessments: list[AssessmentPublic]
    measures: list[MeasurePublic]
    cycles: list[CyclePublic]
    shared: SharedProject | None

    @classmethod
    def of(cls, team: Team) -> TeamPublic:
        s = team.state
        return cls(
            id=team.id,
            version=team.version,
            **s.model_dump(
                include={
                    "collaborative_id",
                    "name",
                    "organization",
                    "care_setting",
                    "active",
                    "withdrawal_reason",
                }
            ),
            members=list(s.members.values()),
            coach_id=s.coach_id,
            coaching_notes=[
                CoachingNotePublic(note_id=i, **n.model_dump()) for i, n in s.coaching_notes.items()
            ],
            assessments=[
                AssessmentPublic(assessment_id=i, score_percent=a.score_percent, **a.model_dump())
                for i, a in s.assessments.items()
            ],
            measures=[_measure(m) for m in s.measures.values()],
            cycles=[
                CyclePublic(
                    cycle_id=i,
                    stage=c.stage,
                    **c.model_dump(exclude={"plan", "do", "study", "act"}),
                    plan=c.plan,
                    do=c.do,
                    study=c.study,
                    act=c.act,
                )
                for i, c in s.cycles.items()
            ],
            shared=s.shared,
        )


def _measure(series: MeasureSeries) -> MeasurePublic:
    points = [
        DataPointPublic(
            period=period,
            numerator=p.current.numerator,
            denominator=p.current.denominator,
            value=p.value,
            submitted_at=p.current.submitted_at,
            corrections=p.corrections,
        )
        for period, p in sorted(series.data.items())
    ]
    return MeasurePublic(definition=series.definition, data=points)
