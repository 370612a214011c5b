"""The dashboard a collaborative's staff and coaches look at, assembled from the
dashboard tables: phase and history, what blocks the next phase, teams by care
setting, assessments, attendance, PDSA activity, and each measure's latest value
with its chart signals."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any
from uuid import UUID

import orjson
from pydantic import BaseModel

from aggregates.criteria import ExitCriteriaSettings, PhaseFacts, TeamFacts, UnmetCriterion, unmet_criteria
from aggregates.phases import Phase, next_phase
from aggregates.values import FocusFields, MeasureDefinition
from analytics import default_chart, qic
from projections.base import Tx
from projections.dashboard import T


class MeasureStatus(BaseModel):
    key: str
    name: str
    chart: str
    points: int
    latest_period: str | None
    latest_value: float | None
    latest_outside_limits: bool
    runs_signal: bool


class TeamStatus(BaseModel):
    team_id: UUID
    name: str
    care_setting: str
    active: bool
    members: int
    coach_id: UUID | None
    assessment_score: float | None
    attendance_rate: float | None
    cycles_by_stage: dict[str, int]
    cycles_by_decision: dict[str, int]
    shared: bool
    measures: list[MeasureStatus]


class ActivityStatus(BaseModel):
    activity_id: UUID
    kind: str
    title: str
    starts_at: str
    attendees: int
    expected: int
    attendance_rate: float | None


class DashboardView(BaseModel):
    collaborative_id: UUID
    title: str
    phase: Phase
    phase_history: list[dict[str, Any]]
    next_phase: Phase | None
    unmet_for_next_phase: list[UnmetCriterion]
    teams_by_setting: dict[str, dict[str, int]]
    assessment_completion: float | None
    teams: list[TeamStatus]
    activities: list[ActivityStatus]


def dashboard(tx: Tx, collaborative_id: UUID) -> DashboardView | None:
    """The dashboard of one collaborative, or None if the read model has no such collaborative."""
    head = tx.fetchone(
        f"SELECT title, phase, focus, measures, settings, history FROM {T}collaborative WHERE collaborative_id = ?",
        (str(collaborative_id),),
    )
    if head is None:
        return None
    title, phase, focus, measures, settings, history = head
    members = _members(tx, collaborative_id)
    activities = _activities(tx, collaborative_id, members)
    teams = _teams(tx, collaborative_id, members, activities)
    active = [t for t in teams if t.active]
    facts = PhaseFacts(
        **FocusFields.model_validate_json(focus).model_dump(),
        collaborative_measures=len(orjson.loads(measures)),
        teams=tuple(_facts(t) for t in active),
        sessions_held_with_attendance=sum(
            1 for a in activities if a.kind == "learning_session" and a.attendees
        ),
    )
    return DashboardView(
        collaborative_id=collaborative_id,
        title=title,
        phase=Phase(phase),
        phase_history=orjson.loads(history),
        next_phase=next_phase(Phase(phase)),
        unmet_for_next_phase=unmet_criteria(
            Phase(phase), ExitCriteriaSettings.model_validate_json(settings), facts
        ),
        teams_by_setting=_by_setting(teams),
        assessment_completion=sum(t.assessment_score is not None for t in active) / len(active)
        if active
        else None,
        teams=teams,
        activities=activities,
    )


def _members(tx: Tx, collaborative_id: UUID) -> dict[str, set[str]]:
    rows = tx.fetchall(
        f"SELECT m.team_id, m.participant_id FROM {T}member m JOIN {T}team t ON t.team_id = m.team_id "
        "WHERE t.collaborative_id = ? AND t.active = 1",
        (str(collaborative_id),),
    )
    members: dict[str, set[str]] = defaultdict(set)
    for team_id, participant_id in rows:
        members[team_id].add(participant_id)
    return members


def _activities(tx: Tx, collaborative_id: UUID, members: dict[str, set[str]]) -> list[ActivityStatus]:
    rows = tx.fetchall(
        f"SELECT activity_id, kind, title, starts_at, team_id FROM {T}activity WHERE collaborative_id = ? "
        "ORDER BY starts_at",
        (str(collaborative_id),),
    )
    attended = _attendance(tx, collaborative_id)
    result = []
    for activity_id, kind, title, starts_at, team_id in rows:
        invited = members.get(team_id, set()) if team_id else set().union(*members.values())
        present = len(attended.get(activity_id, set()) & invited)
        rate = present / len(invited) if invited and attended.get(activity_id) else None
        result.append(ActivityStatus(activity_id=activity_id, kind=kind, title=title, starts_at=starts_at,
                                     attendees=len(attended.get(activity_id, ())), expected=len(invited),
                                     attendance_rate=rate))  # fmt: skip
    return result


def _attendance(tx: Tx, collaborative_id: UUID) -> dict[str, set[str]]:
    rows = tx.fetchall(
        f"SELECT a.activity_id, a.participant_id FROM {T}attendance a "
        f"JOIN {T}activity v ON v.activity_id = a.activity_id WHERE v.collaborative_id = ?",
        (str(collaborative_id),),
    )
    attended: dict[str, set[str]] = defaultdict(set)
    for activity_id, participant_id in rows:
        attended[activity_id].add(participant_id)
    return attended


def _teams(
    tx: Tx, collaborative_id: UUID, members: dict[str, set[str]], activities: list[ActivityStatus]
) -> list[TeamStatus]:
    rows = tx.fetchall(
        f"SELECT team_id, name, care_setting, active, coach_id, assessment_score, shared FROM {T}team "
        "WHERE collaborative_id = ? ORDER BY care_setting, name",
        (str(collaborative_id),),
    )
    attended = _attendance(tx, collaborative_id)
    held = [str(a.activity_id) for a in activities if a.attendees and a.kind != "coaching_call"]
    measures, cycles = _measures_by_team(tx, collaborative_id), _cycles_by_team(tx, collaborative_id)
    teams = []
    for team_id, name, setting, active, coach_id, score, shared in rows:
        people = members.get(team_id, set())
        present = sum(len(attended.get(a, set()) & people) for a in held)
        rate = present / (len(people) * len(held)) if people and held else None
        stages, decisions = cycles.get(team_id, ({}, {}))
        teams.append(TeamStatus(team_id=team_id, name=name, care_setting=setting, active=bool(active),
                                members=len(people), coach_id=coach_id, assessment_score=score, attendance_rate=rate,
                                cycles_by_stage=stages, cycles_by_decision=decisions, shared=bool(shared),
                                measures=measures.get(team_id, [])))  # fmt: skip
    return teams


def _measures_by_team(tx: Tx, collaborative_id: UUID) -> dict[str, list[MeasureStatus]]:
    """Every team's measure statuses, as the projection last computed them; one still
    stale (its series changed after the projection last settled) is computed here."""
    rows = tx.fetchall(
        f"SELECT m.team_id, m.status, m.definition FROM {T}measure m JOIN {T}team t ON t.team_id = m.team_id "
        "WHERE t.collaborative_id = ? ORDER BY m.team_id, m.measure_key",
        (str(collaborative_id),),
    )
    by_team: dict[str, list[MeasureStatus]] = defaultdict(list)
    for team_id, status, definition in rows:
        by_team[team_id].append(
            MeasureStatus.model_validate_json(status)
            if status is not None
            else measure_status(tx, team_id, MeasureDefinition.model_validate_json(definition))
        )
    return by_team


def _cycles_by_team(tx: Tx, collaborative_id: UUID) -> dict[str, tuple[dict[str, int], dict[str, int]]]:
    rows = tx.fetchall(
        f"SELECT c.team_id, c.stage, c.decision FROM {T}cycle c JOIN {T}team t ON t.team_id = c.team_id "
        "WHERE t.collaborative_id = ?",
        (str(collaborative_id),),
    )
    stages: dict[str, Counter[str]] = defaultdict(Counter)
    decisions: dict[str, Counter[str]] = defaultdict(Counter)
    for team_id, stage, decision in rows:
        stages[team_id][stage] += 1
        if decision:
            decisions[team_id][decision] += 1
    return {t: (dict(stages[t]), dict(decisions[t])) for t in stages}


def series(tx: Tx, team_id: str, key: str) -> list[tuple[str, float, float | None]]:
    """A team measure's monthly points, in period order: (period, numerator, denominator)."""
    rows = tx.fetchall(
        f"SELECT period, numerator, denominator FROM {T}point WHERE team_id = ? AND measure_key = ? ORDER BY period",
        (team_id, key),
    )
    return [(str(p), float(n), None if d is None else float(d)) for p, n, d in rows]


def measure_status(tx: Tx, team_id: str, definition: MeasureDefinition) -> MeasureStatus:
    """A team measure's latest value and signals, from its series (run by the projection)."""
    points = series(tx, team_id, definition.key)
    chart = default_chart(definition.data_type.value)
    status = MeasureStatus(key=definition.key, name=definition.name, chart=chart, points=len(points),
                           latest_period=None, latest_value=None, latest_outside_limits=False, runs_signal=False)  # fmt: skip
    if not points:
        return status
    numerators = [n for _, n, _ in points]
    denominators = [d for _, _, d in points] if chart in ("p", "u") else None
    result = qic(numerators, denominators, x=[p for p, _, _ in points], chart=chart)
    last = result.points[-1]
    return status.model_copy(update={
        "latest_period": points[-1][0], "latest_value": last.y,
        "latest_outside_limits": bool(last.sigma_signal), "runs_signal": bool(result.parts[-1].runs_signal),
    })  # fmt: skip


def _facts(team: TeamStatus) -> TeamFacts:
    without_data = tuple(m.key for m in team.measures if m.points == 0)
    return TeamFacts(
        team_id=team.team_id,
        name=team.name,
        has_assessment=team.assessment_score is not None,
        has_completed_pdsa=team.cycles_by_stage.get("acted", 0) > 0,
        measure_count=len(team.measures),
        measures_without_data=without_data,
        has_shared=team.shared,
    )


def _by_setting(teams: list[TeamStatus]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"active": 0, "withdrawn": 0})
    for team in teams:
        counts[team.care_setting]["active" if team.active else "withdrawn"] += 1
    return dict(counts)
