"""The Collaborative: focus, phases, roster, calendar, outputs and community.

Public methods decide (check rules, compute); event `apply` methods only assign,
because they re-run on every replay.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Self
from uuid import UUID

from pydantic import BaseModel, Field

from aggregates.base import CommandContext, QIAggregate, QICreated, QIEvent, Role, Value
from aggregates.criteria import (
    ExitCriteriaSettings,
    PhaseExitBlocked,
    PhaseFacts,
    TeamFacts,
    UnmetCriterion,
    unmet_criteria,
)
from aggregates.errors import PermissionDenied, RuleViolation
from aggregates.phases import Activity, Phase, require_allowed, require_next
from aggregates.values import (
    CareSetting,
    FocusFields,
    MeasureDefinition,
    Output,
    OutputDetails,
    RosterEntry,
)


class PhaseChange(Value):
    from_phase: Phase | None
    to_phase: Phase
    at: datetime
    actor_id: str
    override_reason: str | None = None
    unmet: tuple[UnmetCriterion, ...] = ()


class CollaborativeState(BaseModel):
    collaborative_id: UUID
    title: str
    focus_area: str | None = None
    aim: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    measures: dict[str, MeasureDefinition] = Field(default_factory=dict)
    settings: ExitCriteriaSettings = Field(default_factory=ExitCriteriaSettings)
    phase: Phase = Phase.FOCUS
    phase_history: list[PhaseChange] = Field(default_factory=list)
    teams: dict[UUID, RosterEntry] = Field(default_factory=dict)
    activities: list[UUID] = Field(default_factory=list)
    outputs: dict[UUID, Output] = Field(default_factory=dict)
    community: dict[UUID, datetime] = Field(default_factory=dict)
    # The IANA zone its people live by: the pages show times in it, and staff enter them in it.
    time_zone: str = "UTC"


class Collaborative(QIAggregate):
    State = CollaborativeState
    if TYPE_CHECKING:
        state: CollaborativeState

    @classmethod
    def create(
        cls,
        ctx: CommandContext,
        collaborative_id: UUID,
        title: str,
        focus: FocusFields,
        measures: tuple[MeasureDefinition, ...] = (),
        settings: ExitCriteriaSettings | None = None,
    ) -> Self:
        _require_unique_keys(measures)
        return cls._create_with(
            ctx,
            CollaborativeCreated,
            collaborative_id,
            collaborative_id=collaborative_id,
            title=title,
            focus=focus,
            measures=measures,
            settings=settings or ExitCriteriaSettings(),
        )

    @property
    def phase(self) -> Phase:
        return self.state.phase

    def active_team_ids(self) -> list[UUID]:
        return [team_id for team_id, entry in self.state.teams.items() if entry.active]

    def revise_focus(self, ctx: CommandContext, focus: FocusFields) -> None:
        require_allowed(Activity.EDIT_FOCUS, self.phase)
        if focus == self._focus():
            return
        self._record(ctx, FocusRevised, focus=focus)

    def define_measure(self, ctx: CommandContext, measure: MeasureDefinition) -> None:
        require_allowed(Activity.EDIT_FOCUS, self.phase)
        if self.state.measures.get(measure.key) == measure:
            return
        self._record(ctx, CollaborativeMeasureDefined, measure=measure)

    def change_exit_criteria(self, ctx: CommandContext, settings: ExitCriteriaSettings) -> None:
        self._require_open()
        if settings == self.state.settings:
            return
        self._record(ctx, ExitCriteriaChanged, settings=settings)

    def change_time_zone(self, ctx: CommandContext, time_zone: str) -> None:
        """Set the zone the collaborative's times are shown and entered in (an IANA name)."""
        self._require_open()
        if time_zone == self.state.time_zone:
            return
        self._record(ctx, TimeZoneChanged, time_zone=time_zone)

    def unmet_exit_criteria(self, teams: tuple[TeamFacts, ...], sessions_held: int) -> list[UnmetCriterion]:
        """The current phase's unmet exit criteria, given the teams' and sessions' facts."""
        facts = PhaseFacts(
            focus_area=self.state.focus_area,
            aim=self.state.aim,
            starts_on=self.state.starts_on,
            ends_on=self.state.ends_on,
            collaborative_measures=len(self.state.measures),
            teams=teams,
            sessions_held_with_attendance=sessions_held,
        )
        return unmet_criteria(self.phase, self.state.settings, facts)

    def advance_phase(
        self,
        ctx: CommandContext,
        to: Phase,
        teams: tuple[TeamFacts, ...],
        sessions_held: int,
        override_reason: str | None = None,
    ) -> None:
        if to == self.phase:
            return
        require_next(self.phase, to)
        unmet = self.unmet_exit_criteria(teams, sessions_held)
        if unmet and not override_reason:
            raise PhaseExitBlocked(
                f"cannot leave the {self.phase.value} phase: "
                + "; ".join(f"{u.criterion.value}: {u.detail}" for u in unmet)
                + ". Staff may override with a written reason.",
                unmet,
            )
        if override_reason and ctx.actor.role not in (Role.STAFF, Role.SYSTEM):
            raise PermissionDenied("only staff may override a phase's exit criteria")
        self._record(
            ctx,
            PhaseAdvanced,
            from_phase=self.phase,
            to_phase=to,
            unmet=tuple(unmet),
            override_reason=override_reason if unmet else None,
        )

    def enroll_team(self, ctx: CommandContext, team_id: UUID, name: str, care_setting: CareSetting) -> None:
        require_allowed(Activity.REGISTER_TEAM, self.phase)
        for entry in self.state.teams.values():
            if entry.active and entry.name.casefold() == name.casefold():
                raise RuleViolation(f"a team named {name!r} is already registered")
        self._record(ctx, TeamEnrolled, team_id=team_id, name=name, care_setting=care_setting)

    def withdraw_team(self, ctx: CommandContext, team_id: UUID, reason: str) -> None:
        entry = self._roster_entry(team_id)
        if not entry.active:
            return
        require_allowed(Activity.WITHDRAW_TEAM, self.phase)
        self._record(ctx, TeamWithdrawn, team_id=team_id, reason=reason)

    def add_to_calendar(self, ctx: CommandContext, activity_id: UUID) -> None:
        require_allowed(Activity.SCHEDULE_ACTIVITY, self.phase)
        if activity_id in self.state.activities:
            return
        self._record(ctx, ActivityAddedToCalendar, activity_id=activity_id)

    def record_output(self, ctx: CommandContext, output_id: UUID, details: OutputDetails) -> None:
        require_allowed(Activity.RECORD_OUTPUT, self.phase)
        existing = self.state.outputs.get(output_id)
        if existing is not None:
            if existing.details == details:
                return
            raise RuleViolation(f"output {output_id} is already recorded with other details")
        self._record(ctx, OutputRecorded, output_id=output_id, details=details)

    def add_community_member(self, ctx: CommandContext, participant_id: UUID) -> None:
        require_allowed(Activity.JOIN_COMMUNITY, self.phase)
        if participant_id in self.state.community:
            return
        self._record(ctx, CommunityMemberJoined, participant_id=participant_id)

    def require_phase_allows(self, activity: Activity) -> None:
        require_allowed(activity, self.phase)

    def _focus(self) -> FocusFields:
        s = self.state
        return FocusFields(focus_area=s.focus_area, aim=s.aim, starts_on=s.starts_on, ends_on=s.ends_on)

    def _require_open(self) -> None:
        if self.phase is Phase.CLOSED:
            raise RuleViolation("the collaborative is closed")

    def _roster_entry(self, team_id: UUID) -> RosterEntry:
        try:
            return self.state.teams[team_id]
        except KeyError:
            raise RuleViolation(f"team {team_id} is not registered in this collaborative") from None


def _require_unique_keys(measures: tuple[MeasureDefinition, ...]) -> None:
    keys = [m.key for m in measures]
    if len(keys) != len(set(keys)):
        raise RuleViolation("collaborative measure keys must be unique")


# Events ---------------------------------------------------------------------


class CollaborativeEvent(QIEvent):
    pass


class CollaborativeCreated(QICreated):
    title: str
    focus: FocusFields
    measures: tuple[MeasureDefinition, ...]
    settings: ExitCriteriaSettings

    def apply(self, aggregate: Collaborative) -> None:
        assert self.collaborative_id is not None
        aggregate.state = CollaborativeState(
            collaborative_id=self.collaborative_id,
            title=self.title,
            **self.focus.model_dump(),
            measures={m.key: m for m in self.measures},
            settings=self.settings,
            phase_history=[_change(self, None, Phase.FOCUS)],
        )


class FocusRevised(CollaborativeEvent):
    focus: FocusFields

    def apply(self, aggregate: Collaborative) -> None:
        for name, value in self.focus.model_dump().items():
            setattr(aggregate.state, name, value)


class CollaborativeMeasureDefined(CollaborativeEvent):
    measure: MeasureDefinition

    def apply(self, aggregate: Collaborative) -> None:
        aggregate.state.measures[self.measure.key] = self.measure


class ExitCriteriaChanged(CollaborativeEvent):
    settings: ExitCriteriaSettings

    def apply(self, aggregate: Collaborative) -> None:
        aggregate.state.settings = self.settings


class TimeZoneChanged(CollaborativeEvent):
    """The zone the collaborative's times are shown and entered in, by its IANA name."""

    time_zone: str

    def apply(self, aggregate: Collaborative) -> None:
        aggregate.state.time_zone = self.time_zone


class PhaseAdvanced(CollaborativeEvent):
    """The phase moved on; `unmet` and `override_reason` record a staff override."""

    from_phase: Phase
    to_phase: Phase
    unmet: tuple[UnmetCriterion, ...] = ()
    override_reason: str | None = None

    def apply(self, aggregate: Collaborative) -> None:
        aggregate.state.phase = self.to_phase
        aggregate.state.phase_history.append(
            _change(self, self.from_phase, self.to_phase, self.override_reason, self.unmet)
        )


class TeamEnrolled(CollaborativeEvent):
    team_id: UUID
    name: str
    care_setting: CareSetting

    def apply(self, aggregate: Collaborative) -> None:
        aggregate.state.teams[self.team_id] = RosterEntry(
            name=self.name, care_setting=self.care_setting, registered_at=self.timestamp
        )


class TeamWithdrawn(CollaborativeEvent):
    team_id: UUID
    reason: str

    def apply(self, aggregate: Collaborative) -> None:
        entry = aggregate.state.teams[self.team_id]
        entry.active = False
        entry.withdrawn_at = self.timestamp


class ActivityAddedToCalendar(CollaborativeEvent):
    activity_id: UUID

    def apply(self, aggregate: Collaborative) -> None:
        aggregate.state.activities.append(self.activity_id)


class OutputRecorded(CollaborativeEvent):
    output_id: UUID
    details: OutputDetails

    def apply(self, aggregate: Collaborative) -> None:
        aggregate.state.outputs[self.output_id] = Output(details=self.details, recorded_at=self.timestamp)


class CommunityMemberJoined(CollaborativeEvent):
    participant_id: UUID

    def apply(self, aggregate: Collaborative) -> None:
        aggregate.state.community[self.participant_id] = self.timestamp


def _change(
    event: QIEvent,
    from_phase: Phase | None,
    to_phase: Phase,
    override_reason: str | None = None,
    unmet: tuple[UnmetCriterion, ...] = (),
) -> PhaseChange:
    return PhaseChange(
        from_phase=from_phase,
        to_phase=to_phase,
        at=event.timestamp,
        actor_id=event.actor_id,
        override_reason=override_reason,
        unmet=unmet,
    )
