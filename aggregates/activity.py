"""A LearningActivity: a learning session, fireside chat, office hours or coaching
call, its CE offering, and who attended for how long."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from aggregates.base import CommandContext, QIAggregate, QICreated, QIEvent, Value
from aggregates.errors import RuleViolation
from aggregates.phases import Activity, Phase, require_allowed
from aggregates.values import ActivityKind, CEOffering, Name, Text


class ActivityDetails(Value):
    kind: ActivityKind
    title: Name
    description: Text | None = None
    starts_at: AwareDatetime
    duration_minutes: int = Field(gt=0, le=24 * 60)
    ce: CEOffering | None = None
    team_id: UUID | None = None  # a coaching call is with one team

    @property
    def max_credit_hours(self) -> float:
        if self.ce is None:
            return 0.0
        return min(self.ce.max_hours, self.duration_minutes / 60)


class Attendance(BaseModel):
    minutes: int
    recorded_at: datetime
    previous_minutes: list[int] = Field(default_factory=list)


class LearningActivityState(BaseModel):
    collaborative_id: UUID
    details: ActivityDetails
    attendance: dict[UUID, Attendance] = Field(default_factory=dict)


class LearningActivity(QIAggregate):
    State = LearningActivityState
    if TYPE_CHECKING:
        state: LearningActivityState

    @classmethod
    def schedule(
        cls,
        ctx: CommandContext,
        activity_id: UUID,
        collaborative_id: UUID,
        phase: Phase,
        details: ActivityDetails,
    ) -> Self:
        require_allowed(Activity.SCHEDULE_ACTIVITY, phase)
        if details.kind is ActivityKind.COACHING_CALL and details.team_id is None:
            raise RuleViolation("a coaching call names the team it is with")
        return cls._create_with(
            ctx,
            ActivityScheduled,
            activity_id,
            collaborative_id=collaborative_id,
            details=details,
        )

    @property
    def held_with_attendance(self) -> bool:
        return bool(self.state.attendance)

    def record_attendance(
        self, ctx: CommandContext, phase: Phase, participant_id: UUID, minutes: int
    ) -> None:
        """Record minutes attended; recording again for the same person corrects it."""
        require_allowed(Activity.RECORD_ATTENDANCE, phase)
        details = self.state.details
        if ctx.at < details.starts_at:
            raise RuleViolation("attendance cannot be recorded before the activity starts")
        if not 0 < minutes <= details.duration_minutes:
            raise RuleViolation(
                f"minutes attended must be between 1 and the activity's {details.duration_minutes} minutes"
            )
        existing = self.state.attendance.get(participant_id)
        if existing is not None and existing.minutes == minutes:
            return
        self._record(ctx, AttendanceRecorded, participant_id=participant_id, minutes=minutes)


class ActivityScheduled(QICreated):
    details: ActivityDetails

    def apply(self, aggregate: LearningActivity) -> None:
        assert self.collaborative_id is not None
        aggregate.state = LearningActivityState(collaborative_id=self.collaborative_id, details=self.details)


class AttendanceRecorded(QIEvent):
    """Minutes a participant attended. Version 1 stored fractional `hours`."""

    class_version: ClassVar[int] = 2

    participant_id: UUID
    minutes: int

    @staticmethod
    def upcast_v1_v2(state: dict[str, object]) -> None:
        hours = state.pop("hours")
        assert isinstance(hours, int | float)
        state["minutes"] = round(hours * 60)

    def apply(self, aggregate: LearningActivity) -> None:
        attendance = aggregate.state.attendance
        previous = attendance.get(self.participant_id)
        history = [*previous.previous_minutes, previous.minutes] if previous else []
        attendance[self.participant_id] = Attendance(
            minutes=self.minutes, recorded_at=self.timestamp, previous_minutes=history
        )
