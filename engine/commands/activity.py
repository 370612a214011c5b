"""Commands on learning activities and participants."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field

from aggregates.activity_ids import ActivityIds
from aggregates.learner_ids import LearnerIds
from aggregates.values import Text
from engine.commands import Command, NewId
from engine.commands.fields import Edge, Strictly
from engine.commands.inputs import ActivityDetailsIn, ActivityIdsInput, LearnerIdsInput, PersonIn


class ScheduleActivity(Command):
    target_field = "collaborative_id"
    collaborative_id: UUID
    activity_id: NewId | None = None
    details: ActivityDetailsIn


class RecordAttendance(Command):
    target_field = "activity_id"
    activity_id: UUID
    participant_id: UUID
    # Zero or fewer minutes is no attendance: bad input, refused here. The upper bound
    # keeps numbers storable; the domain checks minutes against the session's length.
    minutes: Annotated[int, Field(gt=0, le=10**6), Strictly()]


def _written_out(value: Any) -> Any:
    # pydantic would read a number as seconds since 1970: a time is sent as ISO 8601 text.
    if isinstance(value, int | float):
        raise ValueError(
            f"must be an ISO 8601 date-time with its offset, such as 2025-03-01T09:00:00Z, not {value}"
        )
    return value


def _in_utc(moment: datetime) -> datetime:
    # 9999-12-31T23:59-01:00 parses but is in year 10000 in UTC, where datetime overflows.
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{moment.isoformat()} is outside the years 1 to 9999 in UTC") from None


Moment = Annotated[AwareDatetime, BeforeValidator(_written_out), AfterValidator(_in_utc)]


class RecordSessionHeld(Command):
    """When a session actually started and ended (staff, once it has ended).

    Whether the times fit the session (the end after the start, near its schedule, not
    absurdly long) is the domain's rule (409): no JSON Schema can say it, and the
    OpenAPI document promises that a body matching its schema is not bad input.
    """

    target_field = "activity_id"
    activity_id: UUID
    started_at: Moment
    ended_at: Moment


class RecordActivityIds(Command):
    """A CE activity's ids at the accreditors (PARS, ACPE, CAPCE) and its commercial support (staff)."""

    target_field = "activity_id"
    activity_id: UUID
    ids: Annotated[ActivityIds, Edge(ActivityIdsInput)]


class RegisterParticipant(Command):
    participant_id: NewId | None = None
    details: PersonIn
    collaborative_id: UUID | None = None


class UpdateParticipant(Command):
    target_field = "participant_id"
    participant_id: UUID
    details: PersonIn


class RecordLearnerIds(Command):
    """The names and numbers the accreditors need of a learner (the person themself, or staff);
    the rest of their details stay as they are."""

    target_field = "participant_id"
    participant_id: UUID
    learner: Annotated[LearnerIds, Edge(LearnerIdsInput)]


class AttestMocPart4(Command):
    """A participant attests to their part in their team's project (MOC Part 4)."""

    target_field = "participant_id"
    participant_id: UUID
    team_id: UUID
    statement: Text


class ErasePerson(Command):
    """Erase a person's personal data at their request (staff): at once, but for what their
    CE record must keep (name and licences) until the retention period ends."""

    target_field = "participant_id"
    participant_id: UUID
    reason: Text = Field(description="why, e.g. the request it answers (kept in the audit trail)")


class EndRetention(Command):
    """Erase what an erased person's CE record kept, once its retention period has ended
    (the erasure sweep sends it; nothing happens before the period ends)."""

    target_field = "participant_id"
    participant_id: UUID
