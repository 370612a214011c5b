"""A MeasureChart: how one measure's chart is drawn, decided by people and kept as events.

One per measure and owner (a team's measure, or a collaborative measure across its
teams). Staff and the team's coach decide the chart type, the baseline the limits come
from, where a new phase starts (a rebase, always with its reason: never automatic),
which points are left out and why, and the goal; teams propose and the decision is
the coach's or staff's. Anyone who works on the chart annotates a month (who, when,
why), and may withdraw an annotation, which stays in the history.

Periods, not positions: a split or an exclusion names its month, so data arriving for
an earlier month later never moves it to another point.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal, Self
from uuid import UUID, uuid5

from pydantic import BaseModel, Field, StringConstraints

from aggregates.base import CommandContext, QIAggregate, QICreated, QIEvent, Role, Value
from aggregates.errors import PermissionDenied, RuleViolation
from aggregates.phases import Activity, Phase, require_allowed
from aggregates.values import DataType, Period

NAMESPACE = UUID("6b1f3a52-0c4e-4d7a-a8f9-2e5d1c7b9a31")

ChartType = Literal["run", "i", "mr", "p", "u", "c", "pp", "up", "g", "t", "xbar", "s", "ip"]
CHART_NAMES: dict[str, str] = {
    "run": "run chart",
    "i": "I chart",
    "mr": "MR chart",
    "p": "P chart",
    "u": "U chart",
    "c": "C chart",
    "pp": "P′ chart (Laney)",
    "up": "U′ chart (Laney)",
    "g": "G chart",
    "t": "T chart",
    "xbar": "Xbar chart",
    "s": "S chart",
    "ip": "I′ chart",
}
# The charts a monthly measure of each data type can be drawn as (Xbar and S need the individual
# measurements of each month, which a monthly value is not).
CHARTS_FOR: dict[DataType, tuple[str, ...]] = {
    DataType.PROPORTION: ("run", "p", "pp", "ip", "i"),
    DataType.RATE: ("run", "u", "up", "ip", "i"),
    DataType.COUNT: ("run", "c", "g", "i"),
    DataType.CONTINUOUS: ("run", "i", "mr", "t"),
}
# The fewest points a baseline may have: limits from fewer are too unsteady to act on.
MIN_BASELINE = 8
MAX_BASELINE = 240

Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500, pattern=r"^[^\x00]*$")
]
AnnotationText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=r"^[^\x00]*$")
]


def measure_chart_id(owner_id: UUID, measure_key: str) -> UUID:
    """One chart per owner (team or collaborative) and measure, so its id derives from both."""
    return uuid5(NAMESPACE, f"measure-chart\x1f{owner_id}\x1f{measure_key}")


class ChartOwner(StrEnum):
    TEAM = "team"
    COLLABORATIVE = "collaborative"


# Decisions ------------------------------------------------------------------


class ChooseChartType(Value):
    """Draw the measure as this chart; None goes back to the default rule."""

    kind: Literal["chart_type"] = "chart_type"
    chart: ChartType | None = None


class SetBaseline(Value):
    """Compute the limits from the first `points` points, or from the points up to `through`;
    neither goes back to the default (the first 20 points, once there are 20)."""

    kind: Literal["baseline"] = "baseline"
    points: int | None = Field(default=None, ge=MIN_BASELINE, le=MAX_BASELINE)
    through: Period | None = None


class SplitPhase(Value):
    """A new phase, with its own centre line and limits, starts at this month (a rebase)."""

    kind: Literal["split"] = "split"
    starts: Period


class JoinPhase(Value):
    """Undo a split: the phase starting at this month joins the one before it."""

    kind: Literal["join"] = "join"
    starts: Period


class ExcludePoint(Value):
    """Leave this month out of the centre line, limits and runs analysis (it is still drawn)."""

    kind: Literal["exclude"] = "exclude"
    period: Period


class IncludePoint(Value):
    """Take an excluded month back into the analysis."""

    kind: Literal["include"] = "include"
    period: Period


class SetGoal(Value):
    """The goal line; None goes back to the measure's target."""

    kind: Literal["goal"] = "goal"
    goal: float | None = Field(default=None, ge=-1e12, le=1e12)


Decision = Annotated[
    ChooseChartType | SetBaseline | SplitPhase | JoinPhase | ExcludePoint | IncludePoint | SetGoal,
    Field(discriminator="kind"),
]


class Decided(BaseModel):
    """Who decided, when and why: shown on the chart beside what they decided."""

    by: str
    at: datetime
    reason: str
    proposal_id: UUID | None = None
    role: str = ""  # the decider's role, to name them by it when their id has no name


class ChartTypeSetting(Decided):
    chart: str | None


class BaselineSetting(Decided):
    points: int | None = None
    through: str | None = None


class GoalSetting(Decided):
    goal: float | None


class Proposal(BaseModel):
    decision: Decision
    reason: str
    by: str
    at: datetime
    role: str = ""
    status: Literal["open", "accepted", "declined"] = "open"
    answered_by: str | None = None
    answer: str | None = None


class ChartNote(BaseModel):
    period: str
    text: str
    by: str
    at: datetime
    role: str = ""
    withdrawn: str | None = None  # the reason, once withdrawn


class MeasureChartState(BaseModel):
    owner: ChartOwner
    owner_id: UUID
    collaborative_id: UUID
    measure_key: str
    chart: ChartTypeSetting | None = None
    baseline: BaselineSetting | None = None
    splits: dict[str, Decided] = Field(default_factory=dict)
    excluded: dict[str, Decided] = Field(default_factory=dict)
    goal: GoalSetting | None = None
    proposals: dict[UUID, Proposal] = Field(default_factory=dict)
    notes: dict[UUID, ChartNote] = Field(default_factory=dict)


class MeasureChart(QIAggregate):
    State = MeasureChartState
    if TYPE_CHECKING:
        state: MeasureChartState

    @classmethod
    def start(
        cls,
        ctx: CommandContext,
        owner: ChartOwner,
        owner_id: UUID,
        collaborative_id: UUID,
        measure_key: str,
        phase: Phase,
    ) -> Self:
        require_allowed(Activity.DECIDE_CHART, phase)
        return cls._create_with(
            ctx,
            MeasureChartStarted,
            measure_chart_id(owner_id, measure_key),
            owner=owner,
            owner_id=owner_id,
            measure_key=measure_key,
            collaborative_id=collaborative_id,
        )

    def decide(
        self,
        ctx: CommandContext,
        phase: Phase,
        decision: Decision,
        reason: str,
        proposal_id: UUID | None = None,
    ) -> None:
        """Record a decision about the chart; one that changes nothing records nothing."""
        require_allowed(Activity.DECIDE_CHART, phase)
        self._require_possible(decision)
        if self._already(decision):
            return
        self._record(ctx, ChartDecided, decision=decision, reason=reason, proposal_id=proposal_id)

    def propose(
        self, ctx: CommandContext, phase: Phase, proposal_id: UUID, decision: Decision, reason: str
    ) -> None:
        """A team asks for a decision; its coach or staff accept or decline it."""
        require_allowed(Activity.DECIDE_CHART, phase)
        existing = self.state.proposals.get(proposal_id)
        if existing is not None:
            if (existing.decision, existing.reason) == (decision, reason):
                return
            raise RuleViolation(f"proposal {proposal_id} already exists with other content")
        self._require_possible(decision)
        if self._already(decision):
            raise RuleViolation("the chart is already drawn that way; there is nothing to propose")
        self._record(ctx, ChartChangeProposed, proposal_id=proposal_id, decision=decision, reason=reason)

    def accept(self, ctx: CommandContext, phase: Phase, proposal_id: UUID, reason: str) -> None:
        """Make the proposed decision; a proposal already accepted stays as it is."""
        proposal = self._open_proposal(proposal_id, "accepted")
        if proposal is None:
            return
        require_allowed(Activity.DECIDE_CHART, phase)
        self._require_possible(proposal.decision)
        # The chart shows the proposal's reason for the change; the answer is kept beside it.
        self._record(
            ctx,
            ChartDecided,
            decision=proposal.decision,
            reason=proposal.reason,
            proposal_id=proposal_id,
            answer=reason,
        )

    def decline(self, ctx: CommandContext, phase: Phase, proposal_id: UUID, reason: str) -> None:
        """Decline the proposal; one already declined stays as it is."""
        if self._open_proposal(proposal_id, "declined") is None:
            return
        require_allowed(Activity.DECIDE_CHART, phase)
        self._record(ctx, ChartProposalDeclined, proposal_id=proposal_id, reason=reason)

    def annotate(self, ctx: CommandContext, phase: Phase, note_id: UUID, period: str, text: str) -> None:
        require_allowed(Activity.DECIDE_CHART, phase)
        existing = self.state.notes.get(note_id)
        if existing is not None:
            if (existing.period, existing.text) == (period, text):
                return
            raise RuleViolation(f"annotation {note_id} already exists with other content")
        self._record(ctx, ChartAnnotated, annotation_id=note_id, period=period, text=text)

    def withdraw_note(self, ctx: CommandContext, phase: Phase, note_id: UUID, reason: str) -> None:
        require_allowed(Activity.DECIDE_CHART, phase)
        note = self.state.notes.get(note_id)
        if note is None:
            raise RuleViolation(f"the chart has no annotation {note_id}")
        team_chart = self.state.owner is ChartOwner.TEAM
        own_only = ctx.actor.role is Role.TEAM or (ctx.actor.role is Role.COACH and not team_chart)
        if own_only and note.by != ctx.actor.id:
            others = "the coach or staff withdraw others'" if team_chart else "staff withdraw others'"
            raise PermissionDenied(f"you may withdraw only your own notes; {others}")
        if note.withdrawn is None:
            self._record(ctx, ChartAnnotationWithdrawn, annotation_id=note_id, reason=reason)

    # Rules --------------------------------------------------------------------

    def _open_proposal(self, proposal_id: UUID, answer: str) -> Proposal | None:
        """The proposal to answer; None when it already has this answer (nothing to record)."""
        proposal = self.state.proposals.get(proposal_id)
        if proposal is None:
            raise RuleViolation(f"the chart has no proposal {proposal_id}")
        if proposal.status == answer:
            return None
        if proposal.status != "open":
            raise RuleViolation(f"the proposal was already {proposal.status}; a new proposal asks again")
        return proposal

    def _require_possible(self, decision: Decision) -> None:
        if isinstance(decision, SetBaseline) and decision.points is not None and decision.through is not None:
            raise RuleViolation("give the baseline as a number of points or as its last month, not both")
        if isinstance(decision, JoinPhase) and decision.starts not in self.state.splits:
            raise RuleViolation(f"no phase starts at {decision.starts}; there is nothing to join")
        if isinstance(decision, IncludePoint) and decision.period not in self.state.excluded:
            raise RuleViolation(f"{decision.period} is not excluded; there is nothing to take back")

    def _already(self, decision: Decision) -> bool:
        """Whether the chart is already drawn as the decision asks (so it records nothing)."""
        s = self.state
        match decision:
            case ChooseChartType(chart=chart):
                return (s.chart.chart if s.chart else None) == chart
            case SetBaseline(points=points, through=through):
                current = (s.baseline.points, s.baseline.through) if s.baseline else (None, None)
                return current == (points, through)
            case SplitPhase(starts=starts):
                return starts in s.splits
            case ExcludePoint(period=period):
                return period in s.excluded
            case SetGoal(goal=goal):
                return s.goal is not None and s.goal.goal == goal
        return False


# Events ---------------------------------------------------------------------


class MeasureChartStarted(QICreated):
    owner: ChartOwner
    owner_id: UUID
    measure_key: str

    def apply(self, aggregate: MeasureChart) -> None:
        assert self.collaborative_id is not None
        aggregate.state = MeasureChartState(
            owner=self.owner,
            owner_id=self.owner_id,
            collaborative_id=self.collaborative_id,
            measure_key=self.measure_key,
        )


class ChartDecided(QIEvent):
    decision: Decision
    reason: str
    proposal_id: UUID | None = None  # the proposal accepted, when the decision was one
    answer: str | None = None  # the reason the proposal was accepted

    def apply(self, aggregate: MeasureChart) -> None:
        s = aggregate.state
        made = Decided(
            by=self.actor_id, at=self.timestamp, reason=self.reason, proposal_id=self.proposal_id,
            role=self.actor_role.value,
        )  # fmt: skip
        fields = made.model_dump()
        match self.decision:
            case ChooseChartType(chart=chart):
                s.chart = ChartTypeSetting(chart=chart, **fields)
            case SetBaseline(points=points, through=through):
                s.baseline = BaselineSetting(points=points, through=through, **fields)
            case SplitPhase(starts=starts):
                s.splits[starts] = made
            case JoinPhase(starts=starts):
                s.splits.pop(starts, None)
            case ExcludePoint(period=period):
                s.excluded[period] = made
            case IncludePoint(period=period):
                s.excluded.pop(period, None)
            case SetGoal(goal=goal):
                s.goal = GoalSetting(goal=goal, **fields)
        if self.proposal_id is not None and self.proposal_id in s.proposals:
            proposal = s.proposals[self.proposal_id]
            s.proposals[self.proposal_id] = proposal.model_copy(
                update={"status": "accepted", "answered_by": self.actor_id, "answer": self.answer}
            )


class ChartChangeProposed(QIEvent):
    proposal_id: UUID
    decision: Decision
    reason: str

    def apply(self, aggregate: MeasureChart) -> None:
        aggregate.state.proposals[self.proposal_id] = Proposal(
            decision=self.decision, reason=self.reason, by=self.actor_id, at=self.timestamp,
            role=self.actor_role.value,
        )  # fmt: skip


class ChartProposalDeclined(QIEvent):
    proposal_id: UUID
    reason: str

    def apply(self, aggregate: MeasureChart) -> None:
        proposals = aggregate.state.proposals
        proposals[self.proposal_id] = proposals[self.proposal_id].model_copy(
            update={"status": "declined", "answered_by": self.actor_id, "answer": self.reason}
        )


class ChartAnnotated(QIEvent):
    annotation_id: UUID
    period: str
    text: str

    def apply(self, aggregate: MeasureChart) -> None:
        aggregate.state.notes[self.annotation_id] = ChartNote(
            period=self.period,
            text=self.text,
            by=self.actor_id,
            at=self.timestamp,
            role=self.actor_role.value,
        )


class ChartAnnotationWithdrawn(QIEvent):
    annotation_id: UUID
    reason: str

    def apply(self, aggregate: MeasureChart) -> None:
        notes = aggregate.state.notes
        notes[self.annotation_id] = notes[self.annotation_id].model_copy(update={"withdrawn": self.reason})
