"""A LearningActivity: a learning session, fireside chat, office hours or coaching
call, its CE offering, when it was actually held, and who attended for how long.

Sessions overrun and people join early, so attendance is judged against the
session's actual length once staff record when it started and ended
(`SessionHeld`); until then against its scheduled length plus a margin. Credit is
capped by the CE rules (the offered hours), not here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from aggregates.activity_ids import ActivityIds
from aggregates.base import CommandContext, QIAggregate, QICreated, QIEvent, Value
from aggregates.errors import RuleViolation
from aggregates.phases import Activity, Phase, require_allowed
from aggregates.values import ActivityKind, CEOffering, Name, Text

# Until its actual times are recorded, a session may have run this much over its schedule.
ATTENDANCE_MARGIN_MINUTES = 30
# Actual times are those of this session, not a typo for another day or another session:
HELD_WINDOW = timedelta(hours=6)  # the actual start lies this close to the scheduled one
MAX_OVERRUN = timedelta(hours=2)  # it ran at most twice its length, or this much over
CLOCK_SKEW = timedelta(minutes=5)  # an end "just now" by a clock a little ahead of ours


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


class HeldTimes(Value):
    """When a session actually started and ended."""

    started_at: AwareDatetime
    ended_at: AwareDatetime

    @property
    def minutes(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds() // 60)


class LearningActivityState(BaseModel):
    collaborative_id: UUID
    details: ActivityDetails
    attendance: dict[UUID, Attendance] = Field(default_factory=dict)
    held: HeldTimes | None = None


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
        if ctx.at < self.state.details.starts_at:
            raise RuleViolation("attendance cannot be recorded before the activity starts")
        longest, why = self.longest_attendance()
        if not 0 < minutes <= longest:
            raise RuleViolation(f"minutes attended must be between 1 and {why}")
        existing = self.state.attendance.get(participant_id)
        if existing is not None and existing.minutes == minutes:
            return
        self._record(ctx, AttendanceRecorded, participant_id=participant_id, minutes=minutes)

    def longest_attendance(self) -> tuple[int, str]:
        """The most minutes anyone can have attended, and why, in words."""
        held, scheduled = self.state.held, self.state.details.duration_minutes
        if held is not None:
            return held.minutes, f"the session's actual {held.minutes} minutes, as recorded"
        longest = scheduled + ATTENDANCE_MARGIN_MINUTES
        return longest, (
            f"{longest}: the activity's {scheduled} scheduled minutes plus a {ATTENDANCE_MARGIN_MINUTES}-minute "
            "margin for overruns (record when the session actually started and ended to allow more)"
        )

    def record_held(
        self, ctx: CommandContext, phase: Phase, started_at: datetime, ended_at: datetime
    ) -> None:
        """Record when the session actually started and ended; recording again corrects it."""
        require_allowed(Activity.RECORD_ATTENDANCE, phase)
        times = HeldTimes(started_at=started_at, ended_at=ended_at)
        if times == self.state.held:
            return
        self._require_possible(ctx, times)
        longer = [(p, a.minutes) for p, a in self.state.attendance.items() if a.minutes > times.minutes]
        if longer:
            participant, minutes = longer[0]
            raise RuleViolation(
                f"the session lasted {times.minutes} minutes, but {minutes} minutes recorded for participant "
                f"{participant} are longer; correct their attendance first"
            )
        self._record(ctx, SessionHeld, started_at=started_at, ended_at=ended_at)

    def record_accreditor_ids(self, ctx: CommandContext, ids: ActivityIds) -> None:
        """Record the activity's ids at the accreditors, as they assigned them (often after it
        was scheduled: PARS, ACPE and CAPCE number an activity once it is registered with them)."""
        ce = self.state.details.ce
        if ce is None:
            raise RuleViolation("the activity offers no CE credit, so no accreditor knows it")
        if ce.accreditor == ids:
            return
        self._record(ctx, AccreditorIdsRecorded, ids=ids)

    def _require_possible(self, ctx: CommandContext, times: HeldTimes) -> None:
        scheduled = self.state.details
        length = timedelta(minutes=scheduled.duration_minutes)
        if times.ended_at <= times.started_at:
            raise RuleViolation("the session's end must be after its start")
        if times.ended_at > ctx.at + CLOCK_SKEW:
            end, now = times.ended_at.isoformat(timespec="minutes"), ctx.at.isoformat(timespec="minutes")
            raise RuleViolation(f"the session has not ended yet: its end {end} is after now ({now})")
        if abs(times.started_at - scheduled.starts_at) > HELD_WINDOW:
            raise RuleViolation(
                f"the actual start must be within {HELD_WINDOW.total_seconds() / 3600:g} hours of the scheduled start "
                f"({scheduled.starts_at.isoformat(timespec='minutes')})"
            )
        longest = length + max(length, MAX_OVERRUN)
        if times.ended_at - times.started_at > longest:
            raise RuleViolation(
                f"a session scheduled for {scheduled.duration_minutes} minutes lasts at most "
                f"{longest.total_seconds() // 60:.0f} minutes (twice its length, or 2 hours over, whichever is longer)"
            )


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


class SessionHeld(QIEvent):
    """When the session actually started and ended (a later one corrects it)."""

    started_at: AwareDatetime
    ended_at: AwareDatetime

    def apply(self, aggregate: LearningActivity) -> None:
        aggregate.state.held = HeldTimes(started_at=self.started_at, ended_at=self.ended_at)


class AccreditorIdsRecorded(QIEvent):
    """The activity's ids at the accreditors and its commercial support (a later one replaces them)."""

    ids: ActivityIds

    def apply(self, aggregate: LearningActivity) -> None:
        details = aggregate.state.details
        assert details.ce is not None
        ce = details.ce.model_copy(update={"accreditor": self.ids})
        aggregate.state.details = details.model_copy(update={"ce": ce})
