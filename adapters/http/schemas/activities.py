"""Response schemas for learning activities and participants."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from aggregates.activity import ActivityDetails, HeldTimes, LearningActivity
from aggregates.participant import Participant, PersonDetails


class AttendancePublic(BaseModel):
    participant_id: UUID
    minutes: int
    recorded_at: datetime
    previous_minutes: list[int]


class ActivityPublic(BaseModel):
    id: UUID
    version: int
    collaborative_id: UUID
    details: ActivityDetails
    held: HeldTimes | None
    longest_attendance_minutes: int
    attendance: list[AttendancePublic]

    @classmethod
    def of(cls, activity: LearningActivity) -> ActivityPublic:
        s = activity.state
        return cls(
            id=activity.id,
            version=activity.version,
            collaborative_id=s.collaborative_id,
            details=s.details,
            held=s.held,
            longest_attendance_minutes=activity.longest_attendance()[0],
            attendance=[
                AttendancePublic(participant_id=i, **a.model_dump()) for i, a in s.attendance.items()
            ],
        )


class ParticipantPublic(BaseModel):
    id: UUID
    version: int
    details: PersonDetails

    @classmethod
    def of(cls, participant: Participant) -> ParticipantPublic:
        return cls(id=participant.id, version=participant.version, details=participant.state.details)
