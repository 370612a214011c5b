"""The dashboard a collaborative's staff and coaches look at, assembled from the
dashboard tables: phase and history, what blocks the next phase, teams by care
setting, assessments, attendance, PDSA activity, and each measure's latest value
with its chart signals."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import orjson
from pydantic import BaseModel

from aggregates.criteria import (
    ActivityInput,
    CriteriaInput,
    ExitCriteriaSettings,
    PhaseFacts,
    TeamInput,
    UnmetCriterion,
    gather_facts,
    unmet_criteria,
)
from aggregates.phases import Phase, next_phase
from aggregates.values import FocusFields, MeasureDefinition
from projections import dashboard_tally
from projections.base import Tx
from projections.dashboard import MeasureStatus, measure_status
from projections.dashboard_tables import ACTIVITY, ATTENDANCE, COLLABORATIVE, CYCLE, MEASURE, MEMBER, TEAM


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


class CollaborativeListed(BaseModel):
    """One collaborative as the list of collaboratives shows it."""

    id: UUID
    version: int
    title: str
    phase: Phase
    active_teams: int


def collaboratives(tx: Tx) -> list[CollaborativeListed]:
    """Every collaborative, oldest first, with its count of active teams."""
    rows = tx.fetchall(
        f"SELECT c.collaborative_id, c.version, c.title, c.phase, "
        f"(SELECT COUNT(*) FROM {TEAM} t WHERE t.collaborative_id = c.collaborative_id AND t.active = 1) "
        f"FROM {COLLABORATIVE} c ORDER BY c.created_position"
    )
    return [
        CollaborativeListed(id=UUID(i), version=v, title=title, phase=Phase(phase), active_teams=n)
        for i, v, title, phase, n in rows
    ]


def dashboard(tx: Tx, collaborative_id: UUID) -> DashboardView | None:
    """The dashboard of one collaborative, or None if the read model has no such collaborative."""
    found = _collaborative(tx, collaborative_id)
    if found is None:
        return None
    head, teams, activities = found
    return assemble(
        tx, collaborative_id, head, teams, activities, unmet(head, facts_of(head, teams, activities))
    )


def assemble(
    tx: Tx,
    collaborative_id: UUID,
    head: Head,
    teams: list[TeamStatus],
    activities: list[ActivityStatus],
    unmet_for_next_phase: list[UnmetCriterion],
) -> DashboardView:
    """The dashboard from its parts, with the collaborative's counts of teams as the projection keeps them."""
    title, phase, _, _, _, history = head
    by_setting, active, assessed = dashboard_tally.teams_by_setting(tx, str(collaborative_id))
    return DashboardView(
        collaborative_id=collaborative_id,
        title=title,
        phase=Phase(phase),
        phase_history=orjson.loads(history),
        next_phase=next_phase(Phase(phase)),
        unmet_for_next_phase=unmet_for_next_phase,
        teams_by_setting=by_setting,
        assessment_completion=assessed / active if active else None,
        teams=teams,
        activities=activities,
    )


def unmet(head: Head, facts: PhaseFacts) -> list[UnmetCriterion]:
    """What blocks the collaborative's next phase, judged on these facts."""
    _, phase, _, _, settings, _ = head
    return unmet_criteria(Phase(phase), ExitCriteriaSettings.model_validate_json(settings), facts)


def phase_facts(tx: Tx, collaborative_id: UUID) -> PhaseFacts | None:
    """The facts the dashboard judges the exit criteria on, or None for no such collaborative."""
    found = _collaborative(tx, collaborative_id)
    return None if found is None else facts_of(*found)


Head = tuple[Any, ...]  # title, phase, focus, measures, settings, history


def head_of(tx: Tx, collaborative_id: UUID) -> tuple[Head, int] | None:
    """The collaborative's row, and the position its activities' figures last changed at."""
    row = tx.fetchone(
        f"SELECT title, phase, focus, measures, settings, history, activities_at FROM {COLLABORATIVE} "
        "WHERE collaborative_id = ?",
        (str(collaborative_id),),
    )
    return None if row is None else (tuple(row[:6]), int(row[6]))


def _collaborative(
    tx: Tx, collaborative_id: UUID
) -> tuple[Head, list[TeamStatus], list[ActivityStatus]] | None:
    found = head_of(tx, collaborative_id)
    if found is None:
        return None
    activities = activities_of(tx, collaborative_id)
    return found[0], teams_of(tx, collaborative_id, activities), activities


def facts_of(head: Head, teams: Sequence[TeamStatus], activities: list[ActivityStatus]) -> PhaseFacts:
    """The rows in the shape the criteria take, gathered as the engine's are (`gather_facts`)."""
    _, _, focus, measures, _, _ = head
    return gather_facts(
        CriteriaInput(
            **FocusFields.model_validate_json(focus).model_dump(),
            measure_keys=tuple(orjson.loads(measures)),
            teams=tuple(_team_input(t) for t in teams),
            activities=tuple(ActivityInput(kind=a.kind, attendees=a.attendees) for a in activities),
        )
    )


def _team_input(team: TeamStatus) -> TeamInput:
    return TeamInput(
        team_id=team.team_id,
        name=team.name,
        active=team.active,
        assessed=team.assessment_score is not None,
        acted_cycles=team.cycles_by_stage.get("acted", 0),
        measure_points={m.key: m.points for m in team.measures},
        shared=team.shared,
    )


def _among(only: Sequence[str] | None, column: str) -> tuple[str, tuple[str, ...]]:
    """The condition that keeps the rows of these teams only (None: every team)."""
    if only is None:
        return "", ()
    return f" AND {column} IN ({', '.join('?' * len(only))})", tuple(only)


def activities_of(tx: Tx, collaborative_id: UUID) -> list[ActivityStatus]:
    """The collaborative's activities with their attendance, against its active teams' members."""
    return _activities(tx, collaborative_id, _members(tx, collaborative_id))


def _members(tx: Tx, collaborative_id: UUID, only: Sequence[str] | None = None) -> dict[str, set[str]]:
    among, params = _among(only, "m.team_id")
    rows = tx.fetchall(
        f"SELECT m.team_id, m.participant_id FROM {MEMBER} m JOIN {TEAM} t ON t.team_id = m.team_id "
        f"WHERE t.collaborative_id = ? AND t.active = 1{among}",
        (str(collaborative_id), *params),
    )
    members: dict[str, set[str]] = defaultdict(set)
    for team_id, participant_id in rows:
        members[team_id].add(participant_id)
    return members


def _activities(tx: Tx, collaborative_id: UUID, members: dict[str, set[str]]) -> list[ActivityStatus]:
    rows = tx.fetchall(
        f"SELECT activity_id, kind, title, starts_at, team_id FROM {ACTIVITY} WHERE collaborative_id = ? "
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


def _attendance(tx: Tx, collaborative_id: UUID, only: Sequence[str] | None = None) -> dict[str, set[str]]:
    """Who attended each of the collaborative's activities (of these teams' members only, given `only`)."""
    if only is None:
        rows = tx.fetchall(
            f"SELECT a.activity_id, a.participant_id FROM {ATTENDANCE} a "
            f"JOIN {ACTIVITY} v ON v.activity_id = a.activity_id WHERE v.collaborative_id = ?",
            (str(collaborative_id),),
        )
    else:
        among, params = _among(only, "m.team_id")
        rows = tx.fetchall(
            f"SELECT a.activity_id, a.participant_id FROM {ATTENDANCE} a JOIN {ACTIVITY} v "
            f"ON v.activity_id = a.activity_id JOIN {MEMBER} m ON m.participant_id = a.participant_id "
            f"WHERE v.collaborative_id = ?{among}",
            (str(collaborative_id), *params),
        )
    attended: dict[str, set[str]] = defaultdict(set)
    for activity_id, participant_id in rows:
        attended[activity_id].add(participant_id)
    return attended


def teams_of(
    tx: Tx, collaborative_id: UUID, activities: list[ActivityStatus], only: Sequence[str] | None = None
) -> list[TeamStatus]:
    """The collaborative's teams as the dashboard lists them (these teams only, given `only`)."""
    among, params = _among(only, "team_id")
    rows = tx.fetchall(
        f"SELECT team_id, name, care_setting, active, coach_id, assessment_score, shared FROM {TEAM} "
        f"WHERE collaborative_id = ?{among} ORDER BY care_setting, name",
        (str(collaborative_id), *params),
    )
    members = _members(tx, collaborative_id, only)
    attended = _attendance(tx, collaborative_id, only)
    held = [str(a.activity_id) for a in activities if a.attendees and a.kind != "coaching_call"]
    measures, cycles = (
        _measures_by_team(tx, collaborative_id, only),
        _cycles_by_team(tx, collaborative_id, only),
    )
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


def _measures_by_team(
    tx: Tx, collaborative_id: UUID, only: Sequence[str] | None = None
) -> dict[str, list[MeasureStatus]]:
    """Every team's measure statuses, as the projection last computed them; one still
    stale (its series changed after the projection last settled) is computed here."""
    among, params = _among(only, "m.team_id")
    rows = tx.fetchall(
        f"SELECT m.team_id, m.status, m.definition FROM {MEASURE} m JOIN {TEAM} t ON t.team_id = m.team_id "
        f"WHERE t.collaborative_id = ?{among} ORDER BY m.team_id, m.measure_key",
        (str(collaborative_id), *params),
    )
    by_team: dict[str, list[MeasureStatus]] = defaultdict(list)
    for team_id, status, definition in rows:
        by_team[team_id].append(
            MeasureStatus.model_validate_json(status)
            if status is not None
            else measure_status(tx, team_id, MeasureDefinition.model_validate_json(definition))
        )
    return by_team


def _cycles_by_team(
    tx: Tx, collaborative_id: UUID, only: Sequence[str] | None = None
) -> dict[str, tuple[dict[str, int], dict[str, int]]]:
    among, params = _among(only, "c.team_id")
    rows = tx.fetchall(
        f"SELECT c.team_id, c.stage, c.decision FROM {CYCLE} c JOIN {TEAM} t ON t.team_id = c.team_id "
        f"WHERE t.collaborative_id = ?{among}",
        (str(collaborative_id), *params),
    )
    stages: dict[str, Counter[str]] = defaultdict(Counter)
    decisions: dict[str, Counter[str]] = defaultdict(Counter)
    for team_id, stage, decision in rows:
        stages[team_id][stage] += 1
        if decision:
            decisions[team_id][decision] += 1
    return {t: (dict(stages[t]), dict(decisions[t])) for t in stages}


class PersonTeam(BaseModel):
    team_id: UUID
    name: str
    collaborative_id: UUID


class PersonAttendance(BaseModel):
    activity_id: UUID
    title: str
    kind: str
    starts_at: str
    minutes: int


def person_records(tx: Tx, participant_id: UUID) -> tuple[list[PersonTeam], list[PersonAttendance]]:
    """The teams a person is on, and the sessions they attended (for their subject-access export)."""
    teams = tx.fetchall(
        f"SELECT t.team_id, t.name, t.collaborative_id FROM {MEMBER} m JOIN {TEAM} t ON t.team_id = m.team_id "
        "WHERE m.participant_id = ? ORDER BY t.name",
        (str(participant_id),),
    )
    attended = tx.fetchall(
        f"SELECT a.activity_id, a.title, a.kind, a.starts_at, x.minutes FROM {ATTENDANCE} x "
        f"JOIN {ACTIVITY} a ON a.activity_id = x.activity_id WHERE x.participant_id = ? ORDER BY a.starts_at",
        (str(participant_id),),
    )
    return (
        [PersonTeam(team_id=t[0], name=t[1], collaborative_id=t[2]) for t in teams],
        [
            PersonAttendance(activity_id=a[0], title=a[1], kind=a[2], starts_at=a[3], minutes=a[4])
            for a in attended
        ],
    )
