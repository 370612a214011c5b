"""A Team: members, coach, assessments, measures with monthly data, PDSA cycles
and its shared project.

The collaborative's phase decides which activities are open; the engine reads
it and passes it in, so the Team stays its own consistency boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Self
from uuid import UUID

from pydantic import BaseModel, Field

from aggregates.assessment_instrument import Answers, InstrumentScore
from aggregates.base import CommandContext, QIAggregate, QICreated, QIEvent
from aggregates.criteria import TeamFacts
from aggregates.datapoints import (
    DataPoint,
    DataValue,
    FindingConfirmation,
    FindingReason,
    FindingRule,
    MeasureSeries,
    check_value,
    finding_key,
    require_not_future,
)
from aggregates.errors import RuleViolation
from aggregates.pdsa import (
    PdsaAct,
    PdsaCycle,
    PdsaDo,
    PdsaPlan,
    PdsaStudy,
    Stage,
    StageContent,
    needs_recording,
    require_ramp_parent,
)
from aggregates.personal import ERASED_TEXT
from aggregates.phases import Activity, Phase, require_allowed
from aggregates.progress import ProgressScore, Rater, Rationale, level_of
from aggregates.values import (
    Assessment,
    CareSetting,
    CoachingNote,
    MeasureDefinition,
    MemberSpec,
    NoteText,
    Period,
    ProjectComment,
    ProjectRef,
    SharedProject,
    TeamProfile,
)


class InstrumentAssessment(BaseModel):
    instrument_id: UUID
    version: int
    answers: Answers
    score: InstrumentScore
    assessed_at: datetime
    assessed_by: str


class TeamState(BaseModel):
    collaborative_id: UUID
    name: str
    organization: str
    care_setting: CareSetting
    active: bool = True
    withdrawal_reason: str | None = None
    members: dict[UUID, MemberSpec] = Field(default_factory=dict)
    coach_id: UUID | None = None
    coaching_notes: dict[UUID, CoachingNote] = Field(default_factory=dict)
    assessments: dict[UUID, Assessment] = Field(default_factory=dict)
    measures: dict[str, MeasureSeries] = Field(default_factory=dict)
    cycles: dict[UUID, PdsaCycle] = Field(default_factory=dict)
    shared: SharedProject | None = None
    # All teach, all learn: this team's comments on shared projects, and which of
    # its PDSA cycles tries the change another team shared (cycle -> that team).
    project_comments: dict[UUID, ProjectComment] = Field(default_factory=dict)
    trying: dict[UUID, UUID] = Field(default_factory=dict)
    # Progress scores by "month/rater" (the latest; earlier ones stay in the history).
    progress: dict[str, ProgressScore] = Field(default_factory=dict)
    # Data-quality findings the team confirmed as right, by "measure/month/rule".
    confirmed_findings: dict[str, FindingConfirmation] = Field(default_factory=dict)
    # Assessments on the collaborative's instruments (aggregates.assessment_instrument).
    instrument_assessments: dict[UUID, InstrumentAssessment] = Field(default_factory=dict)


class Team(QIAggregate):
    State = TeamState
    if TYPE_CHECKING:
        state: TeamState

    @classmethod
    def register(
        cls,
        ctx: CommandContext,
        team_id: UUID,
        collaborative_id: UUID,
        profile: TeamProfile,
        members: tuple[MemberSpec, ...],
    ) -> Self:
        if not members:
            raise RuleViolation("a team needs at least one member")
        if len({m.participant_id for m in members}) != len(members):
            raise RuleViolation("a participant is listed twice among the team's members")
        return cls._create_with(
            ctx,
            TeamRegistered,
            team_id,
            collaborative_id=collaborative_id,
            profile=profile,
            members=members,
        )

    def facts(self) -> TeamFacts:
        """What the collaborative's exit criteria need to know about this team."""
        s = self.state
        return TeamFacts(
            team_id=self.id,
            name=s.name,
            has_assessment=bool(s.assessments),
            has_completed_pdsa=any(c.stage is Stage.ACTED for c in s.cycles.values()),
            measure_count=len(s.measures),
            measures_without_data=tuple(k for k, m in s.measures.items() if not m.data),
            has_shared=s.shared is not None,
        )

    def add_member(self, ctx: CommandContext, phase: Phase, member: MemberSpec) -> None:
        self._require(Activity.MANAGE_MEMBERS, phase)
        if self.state.members.get(member.participant_id) == member:
            return
        self._record(ctx, MemberAdded, member=member)

    def remove_member(self, ctx: CommandContext, phase: Phase, participant_id: UUID) -> None:
        self._require(Activity.MANAGE_MEMBERS, phase)
        if participant_id not in self.state.members:
            return
        if len(self.state.members) == 1:
            raise RuleViolation("a team keeps at least one member; withdraw the team instead")
        self._record(ctx, MemberRemoved, participant_id=participant_id)

    def assign_coach(self, ctx: CommandContext, phase: Phase, coach_id: UUID) -> None:
        self._require(Activity.ASSIGN_COACH, phase)
        if self.state.coach_id == coach_id:
            return
        self._record(ctx, CoachAssigned, coach_id=coach_id)

    def add_coaching_note(
        self, ctx: CommandContext, phase: Phase, note_id: UUID, text: str, about: UUID | None = None
    ) -> None:
        self._require(Activity.COACH_TEAM, phase)
        existing = self.state.coaching_notes.get(note_id)
        if existing is not None:
            if existing.text == text and existing.about == about:
                return
            raise RuleViolation(f"coaching note {note_id} already exists with other text")
        if about is not None and about not in self.state.members:
            raise RuleViolation(f"participant {about} is not a member of this team")
        fields = {"about": about} if about is not None else {}
        self._record(ctx, CoachingNoteAdded, note_id=note_id, text=text, **fields)

    def erase_notes_about(self, ctx: CommandContext, participant_id: UUID) -> None:
        """The person a coaching note is about was erased: so is the note's text (nothing
        recorded when no note is about them). Any phase: erasure is never refused."""
        if any(note.about == participant_id for note in self.state.coaching_notes.values()):
            self._record(ctx, CoachingNotesErased, participant_id=participant_id)

    def submit_assessment(
        self, ctx: CommandContext, phase: Phase, assessment_id: UUID, assessment: Assessment
    ) -> None:
        self._require(Activity.SUBMIT_ASSESSMENT, phase)
        existing = self.state.assessments.get(assessment_id)
        if existing == assessment:
            return
        if existing is not None:
            raise RuleViolation(f"assessment {assessment_id} is already submitted; submit a new one")
        self._record(ctx, AssessmentSubmitted, assessment_id=assessment_id, assessment=assessment)

    def complete_instrument(
        self,
        ctx: CommandContext,
        phase: Phase,
        assessment_id: UUID,
        instrument_id: UUID,
        version: int,
        answers: Answers,
        score: InstrumentScore,
    ) -> None:
        """The team's answers to a version of one of its collaborative's instruments, and their
        score (checked and scored by the instrument: aggregates.assessment_instrument)."""
        self._require(Activity.SUBMIT_ASSESSMENT, phase)
        existing = self.state.instrument_assessments.get(assessment_id)
        if existing is not None and (existing.instrument_id, existing.version, existing.answers) == (
            instrument_id,
            version,
            answers,
        ):
            return
        if existing is not None:
            raise RuleViolation(f"assessment {assessment_id} is already submitted; submit a new one")
        self._record(
            ctx,
            InstrumentAssessed,
            assessment_id=assessment_id,
            instrument_id=instrument_id,
            version=version,
            answers=answers,
            score=score,
        )

    def define_measure(self, ctx: CommandContext, phase: Phase, measure: MeasureDefinition) -> None:
        self._require(Activity.DEFINE_MEASURE, phase)
        series = self.state.measures.get(measure.key)
        if series and series.definition == measure:
            return
        if series and series.data and series.definition.data_type != measure.data_type:
            raise RuleViolation(
                f"measure {measure.key!r} already has data as a "
                f"{series.definition.data_type.value}; define a new measure instead"
            )
        self._record(ctx, MeasureDefined, measure=measure)

    def submit_data(
        self,
        ctx: CommandContext,
        phase: Phase,
        measure_key: str,
        period: Period,
        numerator: float,
        denominator: float | None,
    ) -> None:
        """Record a month's value; a different value for a recorded month corrects it."""
        self._require(Activity.SUBMIT_DATA, phase)
        series = self._series(measure_key)
        check_value(series.definition, numerator, denominator)
        require_not_future(period, ctx.at)
        point = series.data.get(period)
        fields = {
            "measure_key": measure_key,
            "period": period,
            "numerator": numerator,
            "denominator": denominator,
        }
        if point is None:
            self._record(ctx, DataPointSubmitted, **fields)
        elif (point.current.numerator, point.current.denominator) != (numerator, denominator):
            self._record(ctx, DataPointCorrected, **fields)

    def import_data(
        self,
        ctx: CommandContext,
        phase: Phase,
        measure_key: str,
        rows: Sequence[tuple[Period, float, float | None]],
    ) -> None:
        """Record many months of one measure at once, each as submit_data would: all of them
        or, when one is refused, none (the refusal names the row, counted from 1)."""
        self._require(Activity.SUBMIT_DATA, phase)
        self._series(measure_key)
        periods = [period for period, _, _ in rows]
        for number, (period, numerator, denominator) in enumerate(rows, 1):
            if periods.index(period) + 1 != number:
                raise RuleViolation(f"row {number}: row {periods.index(period) + 1} has month {period} too")
            try:
                self.submit_data(ctx, phase, measure_key, period, numerator, denominator)
            except RuleViolation as refused:
                raise RuleViolation(f"row {number} ({period}): {refused.message}") from None

    def confirm_data_finding(
        self,
        ctx: CommandContext,
        phase: Phase,
        measure_key: str,
        period: Period,
        rule: FindingRule,
        reason: str,
    ) -> None:
        """Say a data-quality finding is no error: the month's value is right (or, for a
        missing month, that there is no data for it), and why."""
        self._require(Activity.SUBMIT_DATA, phase)
        require_not_future(period, ctx.at)
        point = self._series(measure_key).data.get(period)
        if rule is FindingRule.MISSING_MONTH and point is not None:
            raise RuleViolation(f"{period} of measure {measure_key!r} has data: it is not missing")
        if rule is not FindingRule.MISSING_MONTH and point is None:
            raise RuleViolation(f"{period} of measure {measure_key!r} has no data to confirm")
        current = self.state.confirmed_findings.get(finding_key(measure_key, period, rule))
        if current is not None and current.holds_for(point) and current.reason == reason:
            return
        self._record(
            ctx, DataFindingConfirmed, measure_key=measure_key, period=period, rule=rule, reason=reason,
            numerator=point.current.numerator if point else None,
            denominator=point.current.denominator if point else None,
        )  # fmt: skip

    def plan_cycle(self, ctx: CommandContext, phase: Phase, cycle_id: UUID, plan: PdsaPlan) -> None:
        self._require(Activity.RUN_PDSA, phase)
        existing = self.state.cycles.get(cycle_id)
        if existing is not None:
            if existing.plan == plan:
                return
            raise RuleViolation(f"PDSA cycle {cycle_id} is already planned; plan a new cycle")
        unknown = [k for k in plan.measure_keys if k not in self.state.measures]
        if unknown:
            raise RuleViolation(f"the plan names measures this team has not defined: {unknown}")
        require_ramp_parent(self.state.cycles, plan)
        self._record(ctx, PdsaPlanned, cycle_id=cycle_id, plan=plan)

    def record_do(self, ctx: CommandContext, phase: Phase, cycle_id: UUID, do: PdsaDo) -> None:
        self._record_stage(ctx, phase, cycle_id, Stage.DONE, do, PdsaDone)

    def record_study(self, ctx: CommandContext, phase: Phase, cycle_id: UUID, study: PdsaStudy) -> None:
        self._record_stage(ctx, phase, cycle_id, Stage.STUDIED, study, PdsaStudied)

    def record_act(self, ctx: CommandContext, phase: Phase, cycle_id: UUID, act: PdsaAct) -> None:
        self._record_stage(ctx, phase, cycle_id, Stage.ACTED, act, PdsaActed)

    def share_project(self, ctx: CommandContext, phase: Phase, project: SharedProject) -> None:
        self._require(Activity.SHARE_PROJECT, phase)
        if project == self.state.shared:
            return
        unknown_cycles = [c for c in project.cycle_ids if c not in self.state.cycles]
        unknown_measures = [k for k in project.measure_keys if k not in self.state.measures]
        if unknown_cycles or unknown_measures:
            raise RuleViolation(
                "the project links cycles or measures this team does not have: "
                f"{[str(c) for c in unknown_cycles] + unknown_measures}"
            )
        self._record(ctx, ProjectShared, project=project)

    def comment_on_project(
        self, ctx: CommandContext, phase: Phase, comment_id: UUID, project: ProjectRef, text: str
    ) -> None:
        """Comment on a shared project of the collaborative (a team may answer on its own)."""
        self._require(Activity.COMMENT_ON_PROJECT, phase)
        existing = self.state.project_comments.get(comment_id)
        if existing is not None:
            if (existing.project_team_id, existing.text) == (project.team_id, text):
                return
            raise RuleViolation(f"comment {comment_id} already exists with other text")
        self._require_shared_here(project)
        self._record(ctx, ProjectCommented, comment_id=comment_id, project_team_id=project.team_id, text=text)

    def try_shared_change(
        self, ctx: CommandContext, phase: Phase, project: ProjectRef, cycle_id: UUID
    ) -> None:
        """Mark 'we are trying this': one of this team's PDSA cycles tests another team's change."""
        self._require(Activity.TRY_SHARED_CHANGE, phase)
        if project.team_id == self.id:
            raise RuleViolation(
                "a team marks the changes of other teams' projects as being tried, not its own"
            )
        self._require_shared_here(project)
        if cycle_id not in self.state.cycles:
            raise RuleViolation(f"PDSA cycle {cycle_id} is not one of this team's")
        current = self.state.trying.get(cycle_id)
        if current == project.team_id:
            return
        if current is not None:
            raise RuleViolation(f"PDSA cycle {cycle_id} already tries the change of team {current}'s project")
        self._record(ctx, SharedChangeTried, project_team_id=project.team_id, cycle_id=cycle_id)

    def _require_shared_here(self, project: ProjectRef) -> None:
        if project.collaborative_id != self.state.collaborative_id:
            raise RuleViolation(f"team {project.team_id} is in another collaborative")
        if not project.shared:
            raise RuleViolation(f"team {project.team_id} has not shared its project yet")

    def score_progress(
        self, ctx: CommandContext, phase: Phase, month: str, rater: Rater, score: float, rationale: str
    ) -> None:
        """The team's score of itself, or its coach's of it, for `month` (not one to come)."""
        self._require(Activity.SCORE_PROGRESS, phase)
        level_of(score)
        if month > ctx.at.strftime("%Y-%m"):
            raise RuleViolation(f"{month} has not begun: a month is scored once it has")
        current = self.state.progress.get(f"{month}/{rater.value}")
        if current is not None and current.score == score and current.rationale == rationale:
            return
        self._record(ctx, ProgressScored, month=month, rater=rater, score=float(score), rationale=rationale)

    def withdraw(self, ctx: CommandContext, phase: Phase, reason: str) -> None:
        if not self.state.active:
            return
        require_allowed(Activity.WITHDRAW_TEAM, phase)
        self._record(ctx, Withdrawn, reason=reason)

    def _record_stage(
        self,
        ctx: CommandContext,
        phase: Phase,
        cycle_id: UUID,
        stage: Stage,
        content: StageContent,
        event: type[QIEvent],
    ) -> None:
        self._require(Activity.RUN_PDSA, phase)
        cycle = self.state.cycles.get(cycle_id)
        if cycle is None:
            raise RuleViolation(f"PDSA cycle {cycle_id} is not one of this team's")
        if needs_recording(cycle_id, cycle, stage, content):
            self._record(ctx, event, cycle_id=cycle_id, content=content)

    def _series(self, measure_key: str) -> MeasureSeries:
        try:
            return self.state.measures[measure_key]
        except KeyError:
            raise RuleViolation(f"this team has no measure {measure_key!r}") from None

    def _require(self, activity: Activity, phase: Phase) -> None:
        if not self.state.active:
            raise RuleViolation(f"team {self.state.name!r} has withdrawn from the collaborative")
        require_allowed(activity, phase)


# Events ---------------------------------------------------------------------


class TeamRegistered(QICreated):
    profile: TeamProfile
    members: tuple[MemberSpec, ...]

    def apply(self, aggregate: Team) -> None:
        assert self.collaborative_id is not None
        aggregate.state = TeamState(
            collaborative_id=self.collaborative_id,
            **self.profile.model_dump(),
            members={m.participant_id: m for m in self.members},
        )


class TeamEvent(QIEvent):
    pass


class ProgressScored(TeamEvent):
    """A month's progress score, by the team of itself or by its coach."""

    month: str
    rater: Rater
    score: float
    rationale: Rationale

    def apply(self, aggregate: Team) -> None:
        aggregate.state.progress[f"{self.month}/{self.rater.value}"] = ProgressScore(
            month=self.month, rater=self.rater, score=self.score, rationale=self.rationale,
            scored_by=self.actor_id, at=self.timestamp,
        )  # fmt: skip


class MemberAdded(TeamEvent):
    member: MemberSpec

    def apply(self, aggregate: Team) -> None:
        aggregate.state.members[self.member.participant_id] = self.member


class MemberRemoved(TeamEvent):
    participant_id: UUID

    def apply(self, aggregate: Team) -> None:
        del aggregate.state.members[self.participant_id]


class CoachAssigned(TeamEvent):
    coach_id: UUID

    def apply(self, aggregate: Team) -> None:
        aggregate.state.coach_id = self.coach_id


class CoachingNoteAdded(TeamEvent):
    note_id: UUID
    text: NoteText
    about: UUID | None = None  # the member the note is about, if one

    def apply(self, aggregate: Team) -> None:
        aggregate.state.coaching_notes[self.note_id] = CoachingNote(
            text=self.text, author_id=self.actor_id, at=self.timestamp, about=self.about
        )


class CoachingNotesErased(TeamEvent):
    """The notes about a member were erased with the member's personal data."""

    participant_id: UUID

    def apply(self, aggregate: Team) -> None:
        notes = aggregate.state.coaching_notes
        for note_id, note in notes.items():
            if note.about == self.participant_id:
                notes[note_id] = note.model_copy(update={"text": ERASED_TEXT})


class AssessmentSubmitted(TeamEvent):
    assessment_id: UUID
    assessment: Assessment

    def apply(self, aggregate: Team) -> None:
        aggregate.state.assessments[self.assessment_id] = self.assessment


class InstrumentAssessed(TeamEvent):
    """A team's answers to a version of an instrument, with the score they make."""

    assessment_id: UUID
    instrument_id: UUID
    version: int
    answers: Answers
    score: InstrumentScore

    def apply(self, aggregate: Team) -> None:
        aggregate.state.instrument_assessments[self.assessment_id] = InstrumentAssessment(
            instrument_id=self.instrument_id,
            version=self.version,
            answers=self.answers,
            score=self.score,
            assessed_at=self.timestamp,
            assessed_by=self.actor_id,
        )


class MeasureDefined(TeamEvent):
    """A measure defined, or its definition revised (its data stays)."""

    measure: MeasureDefinition

    def apply(self, aggregate: Team) -> None:
        series = aggregate.state.measures.get(self.measure.key)
        if series is None:
            aggregate.state.measures[self.measure.key] = MeasureSeries(definition=self.measure)
        else:
            series.definition = self.measure


class DataPointSubmitted(TeamEvent):
    measure_key: str
    period: str
    numerator: float
    denominator: float | None = None

    def apply(self, aggregate: Team) -> None:
        series = aggregate.state.measures[self.measure_key]
        series.data[self.period] = DataPoint(current=self._value())

    def _value(self) -> DataValue:
        return DataValue(
            numerator=self.numerator,
            denominator=self.denominator,
            submitted_at=self.timestamp,
            actor_id=self.actor_id,
        )


class DataPointCorrected(DataPointSubmitted):
    """A resubmission for a month: the new value is current; the old one stays in
    the event history."""

    def apply(self, aggregate: Team) -> None:
        point = aggregate.state.measures[self.measure_key].data[self.period]
        point.corrections += 1
        point.current = self._value()


class DataFindingConfirmed(TeamEvent):
    """A data-quality finding the team says is no error: the value it confirmed (none, for
    a month confirmed as having no data) and why."""

    measure_key: str
    period: str
    rule: FindingRule
    numerator: float | None = None
    denominator: float | None = None
    reason: FindingReason

    def apply(self, aggregate: Team) -> None:
        key = finding_key(self.measure_key, self.period, self.rule)
        aggregate.state.confirmed_findings[key] = FindingConfirmation(
            measure_key=self.measure_key, period=self.period, rule=self.rule, numerator=self.numerator,
            denominator=self.denominator, reason=self.reason, actor_id=self.actor_id, actor_role=self.actor_role,
            at=self.timestamp,
        )  # fmt: skip


class PdsaPlanned(TeamEvent):
    cycle_id: UUID
    plan: PdsaPlan

    def apply(self, aggregate: Team) -> None:
        cycles = aggregate.state.cycles
        cycles[self.cycle_id] = PdsaCycle(plan=self.plan, planned_at=self.timestamp)
        if self.plan.ramp_parent_id is not None:
            cycles[self.plan.ramp_parent_id].ramp_children.append(self.cycle_id)


class PdsaDone(TeamEvent):
    cycle_id: UUID
    content: PdsaDo

    def apply(self, aggregate: Team) -> None:
        cycle = aggregate.state.cycles[self.cycle_id]
        cycle.do, cycle.done_at = self.content, self.timestamp


class PdsaStudied(TeamEvent):
    cycle_id: UUID
    content: PdsaStudy

    def apply(self, aggregate: Team) -> None:
        cycle = aggregate.state.cycles[self.cycle_id]
        cycle.study, cycle.studied_at = self.content, self.timestamp


class PdsaActed(TeamEvent):
    cycle_id: UUID
    content: PdsaAct

    def apply(self, aggregate: Team) -> None:
        cycle = aggregate.state.cycles[self.cycle_id]
        cycle.act, cycle.acted_at = self.content, self.timestamp


class ProjectShared(TeamEvent):
    project: SharedProject

    def apply(self, aggregate: Team) -> None:
        aggregate.state.shared = self.project


class Withdrawn(TeamEvent):
    reason: str

    def apply(self, aggregate: Team) -> None:
        aggregate.state.active = False
        aggregate.state.withdrawal_reason = self.reason


class ProjectCommented(TeamEvent):
    project_team_id: UUID
    comment_id: UUID
    text: str

    def apply(self, aggregate: Team) -> None:
        aggregate.state.project_comments[self.comment_id] = ProjectComment(
            project_team_id=self.project_team_id, text=self.text, author_id=self.actor_id, at=self.timestamp
        )


class SharedChangeTried(TeamEvent):
    """This team is trying the change another team shared, in one of its PDSA cycles."""

    project_team_id: UUID
    cycle_id: UUID

    def apply(self, aggregate: Team) -> None:
        aggregate.state.trying[self.cycle_id] = self.project_team_id
