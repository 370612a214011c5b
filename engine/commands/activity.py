"""Commands on learning activities and participants."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import Field

from aggregates.values import Text
from engine.commands import Command, NewId
from engine.commands.fields import Strictly
from engine.commands.inputs import ActivityDetailsIn, PersonIn


class ScheduleActivity(Command):
    target_field = "collaborative_id"
    collaborative_id: UUID
    activity_id: NewId | None = None
    details: ActivityDetailsIn


class RecordAttendance(Command):
    target_field = "activity_id"
    activity_id: UUID
    participant_id: UUID
    # Bounded here so no number too large to store reaches the domain; the domain
    # checks it against the activity's own length.
    minutes: Annotated[int, Field(ge=-(10**6), le=10**6), Strictly()]


class RegisterParticipant(Command):
    participant_id: NewId | None = None
    details: PersonIn
    collaborative_id: UUID | None = None


class UpdateParticipant(Command):
    target_field = "participant_id"
    participant_id: UUID
    details: PersonIn


class AttestMocPart4(Command):
    """A participant attests to their part in their team's project (MOC Part 4)."""

    target_field = "participant_id"
    participant_id: UUID
    team_id: UUID
    statement: Text
