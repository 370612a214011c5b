"""Commands on a Collaborative."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field, model_validator

from aggregates.collaborative import FocusFields, OutputDetails
from aggregates.criteria import ExitCriteriaSettings
from aggregates.participant import PersonDetails
from aggregates.phases import Phase
from aggregates.values import (
    CareSetting,
    Discipline,
    MeasureDefinition,
    MemberRole,
    Name,
    Text,
)
from engine.commands import Command


class CreateCollaborative(Command):
    collaborative_id: UUID | None = None
    title: Name
    focus: FocusFields = Field(default_factory=FocusFields)
    measures: tuple[MeasureDefinition, ...] = ()
    settings: ExitCriteriaSettings = Field(default_factory=ExitCriteriaSettings)


class ReviseFocus(Command):
    target_field = "collaborative_id"
    collaborative_id: UUID
    focus: FocusFields


class DefineCollaborativeMeasure(Command):
    target_field = "collaborative_id"
    collaborative_id: UUID
    measure: MeasureDefinition


class ChangeExitCriteria(Command):
    target_field = "collaborative_id"
    collaborative_id: UUID
    settings: ExitCriteriaSettings


class AdvancePhase(Command):
    target_field = "collaborative_id"
    collaborative_id: UUID
    to: Phase
    override_reason: Text | None = None


class NewMember(Command):
    """A team member: an existing participant by id, or a new person."""

    participant_id: UUID | None = None
    person: PersonDetails | None = None
    discipline: Discipline
    role: MemberRole = MemberRole.MEMBER

    @model_validator(mode="after")
    def _one_identity(self) -> NewMember:
        if (self.participant_id is None) == (self.person is None):
            raise ValueError("give exactly one of participant_id and person")
        return self


class RegisterTeam(Command):
    target_field = "collaborative_id"
    collaborative_id: UUID
    team_id: UUID | None = None
    name: Name
    organization: Name
    care_setting: CareSetting
    members: tuple[NewMember, ...] = Field(min_length=1)


class WithdrawTeam(Command):
    target_field = "team_id"
    team_id: UUID
    reason: Text


class RecordOutput(Command):
    target_field = "collaborative_id"
    collaborative_id: UUID
    output_id: UUID | None = None
    details: OutputDetails


class JoinCommunity(Command):
    target_field = "collaborative_id"
    collaborative_id: UUID
    participant_id: UUID
