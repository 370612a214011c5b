"""Commands on a Collaborative."""

from __future__ import annotations

import functools
import zoneinfo
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from aggregates.criteria import ExitCriteriaSettings
from aggregates.phases import Phase
from aggregates.values import CareSetting, Discipline, FocusFields, MemberRole, Name, Text
from engine.commands import Command, NewId
from engine.commands.fields import Items
from engine.commands.inputs import ExitCriteriaIn, MeasureIn, OutputDetailsIn, PersonIn

# A collaborative tracks a handful of shared measures; each is known by its key.
Measures = Annotated[tuple[MeasureIn, ...], Items(50, "measure key", same=lambda measure: measure.key)]


class CreateCollaborative(Command):
    collaborative_id: NewId | None = None
    title: Name
    focus: FocusFields = Field(default_factory=FocusFields)
    measures: Measures = ()
    settings: ExitCriteriaIn = Field(default_factory=ExitCriteriaSettings)


class ReviseFocus(Command):
    target_field = "collaborative_id"
    collaborative_id: UUID
    focus: FocusFields


class DefineCollaborativeMeasure(Command):
    target_field = "collaborative_id"
    collaborative_id: UUID
    measure: MeasureIn


class ChangeExitCriteria(Command):
    target_field = "collaborative_id"
    collaborative_id: UUID
    settings: ExitCriteriaIn


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _iana_zone(name: str) -> str:
    if name not in _zone_names():
        raise ValueError(
            f"{name!r} is not a time zone name: use one such as America/Chicago or Europe/London"
        )
    return name


TimeZoneName = Annotated[str, Field(max_length=64, examples=["America/Chicago"]), AfterValidator(_iana_zone)]


class ChangeTimeZone(Command):
    """The zone the collaborative's times are shown and entered in (staff)."""

    target_field = "collaborative_id"
    collaborative_id: UUID
    time_zone: TimeZoneName


class AdvancePhase(Command):
    target_field = "collaborative_id"
    collaborative_id: UUID
    to: Phase
    override_reason: Text | None = None


class NewMember(BaseModel):
    """A team member: an existing participant by id, or a new person."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    participant_id: UUID | None = None
    person: PersonIn | None = None
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
    team_id: NewId | None = None
    name: Name
    organization: Name
    care_setting: CareSetting
    # A QI team is a handful of people; an existing person is listed once.
    members: Annotated[
        tuple[NewMember, ...], Items(50, "member", same=lambda member: member.participant_id, least=1)
    ]


class WithdrawTeam(Command):
    target_field = "team_id"
    team_id: UUID
    reason: Text


class RecordOutput(Command):
    target_field = "collaborative_id"
    collaborative_id: UUID
    output_id: NewId | None = None
    details: OutputDetailsIn


class JoinCommunity(Command):
    target_field = "collaborative_id"
    collaborative_id: UUID
    participant_id: UUID
