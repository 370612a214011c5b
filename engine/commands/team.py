"""Commands on a Team."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from aggregates.datapoints import FindingRule
from aggregates.pdsa import PdsaAct, PdsaDo
from aggregates.progress import Rater
from aggregates.values import AssessmentKind, Key, Period, Text
from engine.commands import Command, NewId
from engine.commands.collaborative import NewMember
from engine.commands.fields import Items, Strictly
from engine.commands.inputs import AssessmentItemIn, MeasureIn, PdsaPlanIn, PdsaStudyIn, SharedProjectIn


class TeamCommand(Command):
    target_field = "team_id"
    team_id: UUID


class AddMember(TeamCommand):
    member: NewMember


class RemoveMember(TeamCommand):
    participant_id: UUID


class AssignCoach(TeamCommand):
    coach_id: UUID


class AddCoachingNote(TeamCommand):
    note_id: NewId | None = None
    text: Text
    about: UUID | None = Field(
        default=None, description="the member the note is about: it is erased with their personal data"
    )


class SubmitAssessment(TeamCommand):
    assessment_id: NewId | None = None
    kind: AssessmentKind
    items: Annotated[tuple[AssessmentItemIn, ...], Items(500, "item", same=lambda item: item.item, least=1)]


class DefineMeasure(TeamCommand):
    measure: MeasureIn


class SubmitData(TeamCommand):
    measure_key: Key
    period: Period
    numerator: Annotated[float, Field(ge=-1e15, le=1e15), Strictly()]
    denominator: Annotated[float, Field(ge=-1e15, le=1e15), Strictly()] | None = None


class ImportedMonth(BaseModel):
    """One month of an import: what a SubmitData would carry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    period: Period
    numerator: Annotated[float, Field(ge=-1e15, le=1e15), Strictly()]
    denominator: Annotated[float, Field(ge=-1e15, le=1e15), Strictly()] | None = None


class ImportData(TeamCommand):
    """Many months of one measure, stored all together or (one refused) not at all."""

    measure_key: Key
    rows: Annotated[tuple[ImportedMonth, ...], Items(500, "month", same=lambda row: row.period, least=1)]


class ConfirmDataFinding(TeamCommand):
    """The team says a data-quality finding is no error: the value is right, and why."""

    measure_key: Key
    period: Period
    rule: FindingRule
    reason: Text


class PlanCycle(TeamCommand):
    cycle_id: NewId | None = None
    plan: PdsaPlanIn


class RecordDo(TeamCommand):
    cycle_id: UUID
    do: PdsaDo


class RecordStudy(TeamCommand):
    cycle_id: UUID
    study: PdsaStudyIn


class RecordAct(TeamCommand):
    cycle_id: UUID
    act: PdsaAct


class ShareProject(TeamCommand):
    project: SharedProjectIn


class ScoreProgress(TeamCommand):
    """A month's score on the IHI Assessment Scale: the team's of itself, or its coach's."""

    month: Period
    rater: Rater
    score: Annotated[
        float, Field(ge=1, le=5, multiple_of=0.5, description="1 to 5 in steps of 0.5"), Strictly()
    ]
    rationale: Text
