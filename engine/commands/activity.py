"""Commands on learning activities and participants."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from aggregates.activity import ActivityDetails
from aggregates.participant import PersonDetails
from aggregates.values import Text
from engine.commands import Command


class ScheduleActivity(Command):
    target_field = "collaborative_id"
    collaborative_id: UUID
    activity_id: UUID | None = None
    details: ActivityDetails


class RecordAttendance(Command):
    target_field = "activity_id"
    activity_id: UUID
    participant_id: UUID
    # Bounded here so no number too large to store reaches the domain; the domain
    # checks it against the activity's own length.
    minutes: int = Field(ge=-(10**6), le=10**6)


class RegisterParticipant(Command):
    participant_id: UUID | None = None
    details: PersonDetails
    collaborative_id: UUID | None = None


class UpdateParticipant(Command):
    target_field = "participant_id"
    participant_id: UUID
    details: PersonDetails


class AttestMocPart4(Command):
    """A participant attests to their part in their team's project (MOC Part 4)."""

    target_field = "participant_id"
    participant_id: UUID
    team_id: UUID
    statement: Text
