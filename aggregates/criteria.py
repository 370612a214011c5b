"""Exit criteria: what must hold before a collaborative may leave a phase.

`unmet_criteria` is a pure function of the settings and the facts, and
`gather_facts` the one way the facts are made: from a collaborative, its teams
and its activities in one plain shape (`CriteriaInput`), which the engine fills
from the aggregates (the 409 of a refused advance) and the dashboard from its
rows (what blocks the next phase), so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import Field, field_validator

from aggregates.base import Value
from aggregates.errors import RuleViolation
from aggregates.phases import Phase
from aggregates.values import ActivityKind


class Criterion(StrEnum):
    FOCUS_DEFINED = "focus_defined"
    COLLABORATIVE_MEASURE = "collaborative_measure"
    MIN_TEAMS = "min_teams"
    ASSESSMENTS_COMPLETE = "assessments_complete"
    SESSION_HELD = "session_held"
    PDSA_COMPLETED = "pdsa_completed"
    MEASURE_DATA = "measure_data"
    PROJECTS_SHARED = "projects_shared"


DEFAULT_EXIT_CRITERIA: dict[Phase, tuple[Criterion, ...]] = {
    Phase.FOCUS: (Criterion.FOCUS_DEFINED, Criterion.COLLABORATIVE_MEASURE),
    Phase.REGISTRATION: (Criterion.MIN_TEAMS,),
    Phase.ORIENTATION: (Criterion.ASSESSMENTS_COMPLETE,),
    Phase.SESSIONS: (Criterion.SESSION_HELD,),
    Phase.PROJECTS: (Criterion.PDSA_COMPLETED, Criterion.MEASURE_DATA),
    Phase.SHARING: (Criterion.PROJECTS_SHARED,),
    Phase.COMMUNITY_OF_PRACTICE: (),
}


class ExitCriteriaSettings(Value):
    """A collaborative's own criteria; phases not named keep the defaults."""

    min_teams: int = Field(default=3, ge=1, le=10_000)
    criteria: dict[Phase, tuple[Criterion, ...]] = Field(default_factory=dict)

    @field_validator("criteria")
    @classmethod
    def _closed_has_no_exit(
        cls, value: dict[Phase, tuple[Criterion, ...]]
    ) -> dict[Phase, tuple[Criterion, ...]]:
        if Phase.CLOSED in value:
            raise ValueError("the closed phase has no exit, so it takes no exit criteria")
        return value

    def for_phase(self, phase: Phase) -> tuple[Criterion, ...]:
        return self.criteria.get(phase, DEFAULT_EXIT_CRITERIA.get(phase, ()))


class TeamFacts(Value):
    """What the exit criteria need to know about one active team."""

    team_id: UUID
    name: str
    has_assessment: bool = False
    has_completed_pdsa: bool = False
    measure_count: int = 0
    measures_without_data: tuple[str, ...] = ()
    has_shared: bool = False


class PhaseFacts(Value):
    """Everything the exit criteria are judged on, gathered at one moment."""

    focus_area: str | None = None
    aim: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    collaborative_measures: int = 0
    teams: tuple[TeamFacts, ...] = ()
    sessions_held_with_attendance: int = 0


class TeamInput(Value):
    """One team of the collaborative, as the aggregates and the read model both know it."""

    team_id: UUID
    name: str
    active: bool
    assessed: bool  # at least one gap analysis or environmental scan submitted
    acted_cycles: int  # PDSA cycles with their act decided
    measure_points: dict[str, int]  # measure key -> months of data submitted
    shared: bool


class ActivityInput(Value):
    """One learning activity of the collaborative: what kind, and how many attended."""

    kind: ActivityKind
    attendees: int


class CriteriaInput(Value):
    """What the exit criteria are judged on, before it is judged: the collaborative's focus
    and measures, its teams (a withdrawn one may be given: it is left out) and activities."""

    focus_area: str | None = None
    aim: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    measure_keys: tuple[str, ...] = ()
    teams: tuple[TeamInput, ...] = ()
    activities: tuple[ActivityInput, ...] = ()


def gather_facts(given: CriteriaInput) -> PhaseFacts:
    """The facts the exit criteria judge: the active teams in name order (so every path
    lists a criterion's lacking teams alike) and the learning sessions held with attendance."""
    active = sorted((t for t in given.teams if t.active), key=lambda t: (t.name.casefold(), str(t.team_id)))
    return PhaseFacts(
        focus_area=given.focus_area,
        aim=given.aim,
        starts_on=given.starts_on,
        ends_on=given.ends_on,
        collaborative_measures=len(set(given.measure_keys)),
        teams=tuple(_team_facts(t) for t in active),
        sessions_held_with_attendance=sum(
            1 for a in given.activities if a.kind is ActivityKind.LEARNING_SESSION and a.attendees > 0
        ),
    )


def _team_facts(team: TeamInput) -> TeamFacts:
    return TeamFacts(
        team_id=team.team_id,
        name=team.name,
        has_assessment=team.assessed,
        has_completed_pdsa=team.acted_cycles > 0,
        measure_count=len(team.measure_points),
        measures_without_data=tuple(sorted(k for k, points in team.measure_points.items() if points == 0)),
        has_shared=team.shared,
    )


class UnmetCriterion(Value):
    criterion: Criterion
    detail: str


def unmet_criteria(leaving: Phase, settings: ExitCriteriaSettings, facts: PhaseFacts) -> list[UnmetCriterion]:
    """The exit criteria of `leaving` that the facts do not satisfy, in order."""
    unmet = []
    for criterion in settings.for_phase(leaving):
        detail = _CHECKS[criterion](settings, facts)
        if detail:
            unmet.append(UnmetCriterion(criterion=criterion, detail=detail))
    return unmet


def _focus_defined(_: ExitCriteriaSettings, facts: PhaseFacts) -> str | None:
    missing = [
        label
        for label, value in (
            ("focus area", facts.focus_area),
            ("aim statement", facts.aim),
            ("start date", facts.starts_on),
            ("end date", facts.ends_on),
        )
        if not value
    ]
    return f"missing: {', '.join(missing)}" if missing else None


def _collaborative_measure(_: ExitCriteriaSettings, facts: PhaseFacts) -> str | None:
    if facts.collaborative_measures:
        return None
    return "no collaborative measure is defined yet"


def _min_teams(settings: ExitCriteriaSettings, facts: PhaseFacts) -> str | None:
    count = len(facts.teams)
    if count >= settings.min_teams:
        return None
    return f"{count} active team(s) registered; at least {settings.min_teams} needed"


def _teams_lacking(facts: PhaseFacts, lacks: Callable[[TeamFacts], bool], what: str) -> str | None:
    lacking = [team.name for team in facts.teams if lacks(team)]
    if not facts.teams:
        return f"there are no active teams, so none {what}"
    if not lacking:
        return None
    return f"{len(lacking)} of {len(facts.teams)} active teams have not {what}: " + ", ".join(lacking)


def _assessments(_: ExitCriteriaSettings, facts: PhaseFacts) -> str | None:
    return _teams_lacking(
        facts,
        lambda t: not t.has_assessment,
        "submitted a gap analysis or environmental scan",
    )


def _session_held(_: ExitCriteriaSettings, facts: PhaseFacts) -> str | None:
    if facts.sessions_held_with_attendance:
        return None
    return "no learning session has been held with recorded attendance"


def _pdsa_completed(_: ExitCriteriaSettings, facts: PhaseFacts) -> str | None:
    return _teams_lacking(facts, lambda t: not t.has_completed_pdsa, "completed a PDSA cycle (act decided)")


def _measure_data(_: ExitCriteriaSettings, facts: PhaseFacts) -> str | None:
    return _teams_lacking(
        facts,
        lambda t: t.measure_count == 0 or bool(t.measures_without_data),
        "submitted data for every one of their measures",
    )


def _projects_shared(_: ExitCriteriaSettings, facts: PhaseFacts) -> str | None:
    return _teams_lacking(facts, lambda t: not t.has_shared, "shared their project")


_CHECKS: dict[Criterion, Callable[[ExitCriteriaSettings, PhaseFacts], str | None]] = {
    Criterion.FOCUS_DEFINED: _focus_defined,
    Criterion.COLLABORATIVE_MEASURE: _collaborative_measure,
    Criterion.MIN_TEAMS: _min_teams,
    Criterion.ASSESSMENTS_COMPLETE: _assessments,
    Criterion.SESSION_HELD: _session_held,
    Criterion.PDSA_COMPLETED: _pdsa_completed,
    Criterion.MEASURE_DATA: _measure_data,
    Criterion.PROJECTS_SHARED: _projects_shared,
}


class PhaseExitBlocked(RuleViolation):
    """The current phase cannot close: its exit criteria are unmet and no override."""

    rule = "phase_exit_criteria_unmet"

    def __init__(self, message: str, unmet: Sequence[UnmetCriterion]) -> None:
        super().__init__(message)
        self.unmet = list(unmet)
