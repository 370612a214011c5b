"""What the demo collaborative holds once seeded, counted from its aggregates."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from uuid import UUID

from pydantic import BaseModel

from aggregates.activity import LearningActivity
from aggregates.change_package import ChangePackage, NodeKind, change_package_id
from aggregates.phases import Phase
from aggregates.team import Team
from aggregates.values import ActivityKind, CareSetting
from engine.application import QIEngine
from engine.errors import NotFound


class PhaseStep(BaseModel):
    phase: Phase
    on: date
    override_reason: str | None = None


class TeamSummary(BaseModel):
    name: str
    care_setting: CareSetting
    members: int
    coach: str | None
    data_points: int
    first_period: str | None = None
    first_value: float | None = None
    last_period: str | None = None
    last_value: float | None = None
    pdsa_cycles: int
    shared: bool


class DemoSummary(BaseModel):
    collaborative_id: UUID
    title: str
    phase: Phase
    starts_on: date | None
    ends_on: date | None
    measure_key: str | None
    phase_history: list[PhaseStep]
    teams_by_setting: dict[CareSetting, int]
    members: int
    coaches: int
    learning_sessions_held: int
    fireside_chats_held: int
    attendance_records: int
    teams: list[TeamSummary]
    pdsa_by_decision: dict[str, int]
    outputs: list[str]
    community_members: int
    change_ideas: int = 0
    retired_change_ideas: int = 0
    cycles_testing_ideas: int = 0
    project_comments: int = 0
    changes_tried: int = 0


def summarize(engine: QIEngine, collaborative_id: UUID) -> DemoSummary:
    """What a collaborative holds now, counted from its aggregates."""
    collaborative = engine.collaborative(collaborative_id)
    state = collaborative.state
    teams = [engine.team(team_id) for team_id in collaborative.active_team_ids()]
    activities = [engine.activity(activity_id) for activity_id in state.activities]
    measure_key = next(iter(state.measures), None)
    return DemoSummary(
        collaborative_id=collaborative_id, title=state.title, phase=state.phase,
        starts_on=state.starts_on, ends_on=state.ends_on, measure_key=measure_key,
        phase_history=[PhaseStep(phase=c.to_phase, on=c.at.date(), override_reason=c.override_reason)
                       for c in state.phase_history],
        teams_by_setting=dict(Counter(team.state.care_setting for team in teams)),
        members=sum(len(team.state.members) for team in teams),
        coaches=len({team.state.coach_id for team in teams if team.state.coach_id}),
        learning_sessions_held=_held(activities, ActivityKind.LEARNING_SESSION),
        fireside_chats_held=_held(activities, ActivityKind.FIRESIDE_CHAT),
        attendance_records=sum(len(activity.state.attendance) for activity in activities),
        teams=[_team_summary(engine, team, measure_key) for team in teams],
        pdsa_by_decision=_decisions(teams),
        outputs=[f"{o.details.kind.value}: {o.details.title}" for o in state.outputs.values()],
        community_members=len(state.community),
        **_shared_learning(engine, collaborative_id, teams),
    )  # fmt: skip


def _shared_learning(engine: QIEngine, collaborative_id: UUID, teams: list[Team]) -> dict[str, int]:
    """Change ideas (live and retired), the cycles testing them, comments and changes tried."""
    try:
        package = engine.get(ChangePackage, change_package_id(collaborative_id))
    except NotFound:
        package = None
    nodes = package.state.nodes.values() if package else ()
    ideas = [node for node in nodes if node.kind is NodeKind.CHANGE_IDEA]
    cycles = [cycle for team in teams for cycle in team.state.cycles.values()]
    return {
        "change_ideas": sum(1 for idea in ideas if not idea.retired),
        "retired_change_ideas": sum(1 for idea in ideas if idea.retired),
        "cycles_testing_ideas": sum(1 for cycle in cycles if cycle.plan.change_idea_id),
        "project_comments": sum(len(team.state.project_comments) for team in teams),
        "changes_tried": sum(len(team.state.trying) for team in teams),
    }


def _held(activities: Iterable[LearningActivity], kind: ActivityKind) -> int:
    return sum(1 for a in activities if a.state.details.kind is kind and a.held_with_attendance)


def _decisions(teams: Iterable[Team]) -> dict[str, int]:
    """Cycles by their act decision; cycles still running count as in progress."""
    return dict(Counter(
        cycle.act.decision.value if cycle.act else "in progress"
        for team in teams
        for cycle in team.state.cycles.values()
    ))  # fmt: skip


def _team_summary(engine: QIEngine, team: Team, measure_key: str | None) -> TeamSummary:
    s = team.state
    series = s.measures.get(measure_key) if measure_key else None
    points = sorted(series.data.items()) if series else []
    coach = engine.participant(s.coach_id).state.details.name if s.coach_id else None
    first, last = (points[0], points[-1]) if points else (None, None)
    return TeamSummary(
        name=s.name, care_setting=s.care_setting, members=len(s.members), coach=coach,
        data_points=len(points), pdsa_cycles=len(s.cycles), shared=s.shared is not None,
        first_period=first[0] if first else None, first_value=first[1].value if first else None,
        last_period=last[0] if last else None, last_value=last[1].value if last else None,
    )  # fmt: skip
