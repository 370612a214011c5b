"""Response schemas for learning activities and participants."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from aggregates.activity import ActivityDetails, HeldTimes, LearningActivity
from aggregates.learner_ids import LearnerIds
from aggregates.participant import Participant
from aggregates.personal import ERASED_PERSON, opened
from aggregates.values import Licence
from engine.queries.people import Retention


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


class PersonPublic(BaseModel):
    """A person's details, open (this API serves them to staff and auditors only)."""

    name: str
    credentials: str | None = None
    email: str | None = None
    licences: list[Licence] = []
    learner: LearnerIds | None = Field(
        default=None, description="names and numbers the accreditors ask for (NPI, boards, state licences, …)"
    )


class ParticipantPublic(BaseModel):
    id: UUID
    version: int
    details: PersonPublic
    erased_at: datetime | None = Field(
        default=None,
        description='when staff erased this person\'s personal data (then the name reads "erased person")',
    )
    ce_record_kept_until: datetime | None = Field(
        default=None,
        description="after an erasure, until when their CE record keeps name and licences for accreditors",
    )

    @classmethod
    def of(cls, participant: Participant) -> ParticipantPublic:
        s = participant.state
        d = s.details
        details = PersonPublic(
            name=opened(d.name, ERASED_PERSON),
            credentials=opened(d.credentials, None),
            email=opened(d.email, None),
            licences=list(opened(d.licences, ())),
            learner=opened(d.learner, None),
        )
        return cls(
            id=participant.id,
            version=participant.version,
            details=details,
            erased_at=s.erased_at,
            ce_record_kept_until=s.retained_until,
        )


class RetentionPublic(BaseModel):
    """What an erasure kept of a person, and until when."""

    erased_at: datetime | None
    ce_record_kept_until: datetime | None
    kept: list[str] = Field(
        description="what the CE record still holds (name, licences), for accreditors only"
    )

    @classmethod
    def of(cls, found: Retention) -> RetentionPublic:
        return cls(
            erased_at=found.erased_at, ce_record_kept_until=found.ce_record_kept_until, kept=list(found.kept)
        )
