"""Commands on a Team."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from aggregates.pdsa import PdsaAct, PdsaDo, PdsaPlan, PdsaStudy
from aggregates.team import SharedProject
from aggregates.values import (
    AssessmentItem,
    AssessmentKind,
    Key,
    MeasureDefinition,
    Period,
    Text,
)
from engine.commands import Command
from engine.commands.collaborative import NewMember


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
    note_id: UUID | None = None
    text: Text


class SubmitAssessment(TeamCommand):
    assessment_id: UUID | None = None
    kind: AssessmentKind
    items: tuple[AssessmentItem, ...] = Field(min_length=1, max_length=500)


class DefineMeasure(TeamCommand):
    measure: MeasureDefinition


class SubmitData(TeamCommand):
    measure_key: Key
    period: Period
    numerator: float = Field(ge=-1e15, le=1e15)
    denominator: float | None = Field(default=None, ge=-1e15, le=1e15)


class PlanCycle(TeamCommand):
    cycle_id: UUID | None = None
    plan: PdsaPlan


class RecordDo(TeamCommand):
    cycle_id: UUID
    do: PdsaDo


class RecordStudy(TeamCommand):
    cycle_id: UUID
    study: PdsaStudy


class RecordAct(TeamCommand):
    cycle_id: UUID
    act: PdsaAct


class ShareProject(TeamCommand):
    project: SharedProject
