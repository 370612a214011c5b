"""The dashboard read model: per collaborative, its phase, teams, attendance,
PDSA activity and measure data, kept as small tables the view reads
(`projections/dashboard_view.py`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson

from aggregates import activity, collaborative, team
from aggregates.values import MeasureDefinition
from projections.base import Projection, Recorded, Tx

T = "rm_dash_"


def _ddl(name: str, columns: str) -> str:
    return f"CREATE TABLE IF NOT EXISTS {T}{name} ({columns})"


class Dashboard(Projection):
    name = "dashboard"
    version = 4
    tables = {
        f"{T}collaborative": _ddl(
            "collaborative",
            "collaborative_id TEXT PRIMARY KEY, title TEXT NOT NULL, phase TEXT NOT NULL, "
            "focus TEXT NOT NULL, measures TEXT NOT NULL, settings TEXT NOT NULL, history TEXT NOT NULL, "
            "version BIGINT NOT NULL DEFAULT 0, created_position BIGINT NOT NULL DEFAULT 0",
        ),
        f"{T}team": _ddl(
            "team",
            "team_id TEXT PRIMARY KEY, collaborative_id TEXT NOT NULL, name TEXT NOT NULL, "
            "care_setting TEXT NOT NULL, active INTEGER NOT NULL, coach_id TEXT, "
            "assessment_score DOUBLE PRECISION, shared INTEGER NOT NULL",
        ),
        f"{T}member": _ddl(
            "member",
            "team_id TEXT NOT NULL, participant_id TEXT NOT NULL, PRIMARY KEY (team_id, participant_id)",
        ),
        f"{T}activity": _ddl(
            "activity",
            "activity_id TEXT PRIMARY KEY, collaborative_id TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL, "
            "starts_at TEXT NOT NULL, team_id TEXT",
        ),
        f"{T}attendance": _ddl(
            "attendance",
            "activity_id TEXT NOT NULL, participant_id TEXT NOT NULL, minutes BIGINT NOT NULL, "
            "PRIMARY KEY (activity_id, participant_id)",
        ),
        f"{T}cycle": _ddl(
            "cycle",
            "cycle_id TEXT PRIMARY KEY, team_id TEXT NOT NULL, stage TEXT NOT NULL, decision TEXT, "
            "title TEXT NOT NULL, planned_period TEXT NOT NULL",
        ),
        f"{T}measure": _ddl(
            "measure",
            "team_id TEXT NOT NULL, measure_key TEXT NOT NULL, definition TEXT NOT NULL, status TEXT, "
            "PRIMARY KEY (team_id, measure_key)",
        ),
        f"{T}point": _ddl(
            "point",
            "team_id TEXT NOT NULL, measure_key TEXT NOT NULL, period TEXT NOT NULL, "
            "numerator DOUBLE PRECISION NOT NULL, denominator DOUBLE PRECISION, "
            "PRIMARY KEY (team_id, measure_key, period)",
        ),
    }
    indexes = (
        f"CREATE INDEX IF NOT EXISTS {T}team_collaborative ON {T}team (collaborative_id)",
        f"CREATE INDEX IF NOT EXISTS {T}activity_collaborative ON {T}activity (collaborative_id)",
        f"CREATE INDEX IF NOT EXISTS {T}cycle_team ON {T}cycle (team_id)",
    )

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        changed: set[tuple[str, str]] = set()
        for recorded in batch:
            event = recorded.event
            handler = HANDLERS.get(type(event))
            if handler is not None:
                handler(tx, event)
            if isinstance(event, COLLABORATIVE_EVENTS):
                _stamp(tx, recorded)
            if isinstance(event, team.DataPointSubmitted | team.MeasureDefined):
                key = event.measure_key if isinstance(event, team.DataPointSubmitted) else event.measure.key
                changed.add((str(event.originator_id), key))
        # A changed series' signals are stale until `settle` recomputes them, once per
        # catch-up; the view computes a stale one itself, so a read is never wrong.
        if changed:
            tx.executemany(
                f"UPDATE {T}measure SET status = NULL WHERE team_id = ? AND measure_key = ?", sorted(changed)
            )

    def settle(self, tx: Tx) -> None:
        """Compute the chart signals of every series changed since the last settle, so
        reading the dashboard never runs an analysis."""
        from projections.dashboard_view import measure_status

        stale = tx.fetchall(f"SELECT team_id, measure_key, definition FROM {T}measure WHERE status IS NULL")
        for team_id, key, definition in stale:
            status = measure_status(tx, team_id, MeasureDefinition.model_validate_json(definition))
            _set(tx, "measure", {"team_id": team_id, "measure_key": key}, status=status.model_dump_json())


# Every event of a Collaborative moves its version; the list of collaboratives shows it.
COLLABORATIVE_EVENTS = (collaborative.CollaborativeCreated, collaborative.CollaborativeEvent)


def _stamp(tx: Tx, recorded: Recorded) -> None:
    """Keep the collaborative's version, and where it was created (the list's order)."""
    values: dict[str, Any] = {"version": recorded.originator_version}
    if isinstance(recorded.event, collaborative.CollaborativeCreated):
        values["created_position"] = recorded.position
    _set(tx, "collaborative", {"collaborative_id": str(recorded.originator_id)}, **values)


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _upsert(tx: Tx, table: str, key: tuple[str, ...], row: dict[str, Any]) -> None:
    columns = ", ".join(row)
    updates = ", ".join(f"{c} = excluded.{c}" for c in row if c not in key) or f"{key[0]} = excluded.{key[0]}"
    tx.execute(
        f"INSERT INTO {T}{table} ({columns}) VALUES ({', '.join('?' * len(row))}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}",
        tuple(row.values()),
    )


def _set(tx: Tx, table: str, where: dict[str, Any], **values: Any) -> None:
    assignments = ", ".join(f"{c} = ?" for c in values)
    condition = " AND ".join(f"{c} = ?" for c in where)
    tx.execute(f"UPDATE {T}{table} SET {assignments} WHERE {condition}", (*values.values(), *where.values()))


def _collaborative_created(tx: Tx, e: collaborative.CollaborativeCreated) -> None:
    _upsert(tx, "collaborative", ("collaborative_id",), {
        "collaborative_id": str(e.originator_id), "title": e.title, "phase": "focus",
        "focus": e.focus.model_dump_json(), "measures": _json([m.key for m in e.measures]),
        "settings": e.settings.model_dump_json(), "history": _json([_change(e, None, "focus")]),
    })  # fmt: skip


def _change(e: collaborative.QIEvent, from_phase: str | None, to_phase: str, **extra: Any) -> dict[str, Any]:
    return {
        "from_phase": from_phase,
        "to_phase": to_phase,
        "at": e.timestamp.isoformat(),
        "actor_id": e.actor_id,
    } | extra


def _phase_advanced(tx: Tx, e: collaborative.PhaseAdvanced) -> None:
    row = tx.fetchone(
        f"SELECT history FROM {T}collaborative WHERE collaborative_id = ?", (str(e.originator_id),)
    )
    history = orjson.loads(row[0]) if row else []
    history.append(_change(e, e.from_phase.value, e.to_phase.value, override_reason=e.override_reason,
                           unmet=[u.model_dump(mode="json") for u in e.unmet]))  # fmt: skip
    _set(
        tx,
        "collaborative",
        {"collaborative_id": str(e.originator_id)},
        phase=e.to_phase.value,
        history=_json(history),
    )


def _focus_revised(tx: Tx, e: collaborative.FocusRevised) -> None:
    _set(tx, "collaborative", {"collaborative_id": str(e.originator_id)}, focus=e.focus.model_dump_json())


def _collaborative_measure(tx: Tx, e: collaborative.CollaborativeMeasureDefined) -> None:
    row = tx.fetchone(
        f"SELECT measures FROM {T}collaborative WHERE collaborative_id = ?", (str(e.originator_id),)
    )
    keys = sorted({*orjson.loads(row[0] if row else "[]"), e.measure.key})
    _set(tx, "collaborative", {"collaborative_id": str(e.originator_id)}, measures=_json(keys))


def _criteria_changed(tx: Tx, e: collaborative.ExitCriteriaChanged) -> None:
    _set(
        tx, "collaborative", {"collaborative_id": str(e.originator_id)}, settings=e.settings.model_dump_json()
    )


def _team_registered(tx: Tx, e: team.TeamRegistered) -> None:
    _upsert(tx, "team", ("team_id",), {
        "team_id": str(e.originator_id), "collaborative_id": str(e.collaborative_id), "name": e.profile.name,
        "care_setting": e.profile.care_setting.value, "active": 1, "coach_id": None,
        "assessment_score": None, "shared": 0,
    })  # fmt: skip
    for member in e.members:
        _upsert(
            tx,
            "member",
            ("team_id", "participant_id"),
            {"team_id": str(e.originator_id), "participant_id": str(member.participant_id)},
        )


def _member_added(tx: Tx, e: team.MemberAdded) -> None:
    _upsert(
        tx,
        "member",
        ("team_id", "participant_id"),
        {"team_id": str(e.originator_id), "participant_id": str(e.member.participant_id)},
    )


def _member_removed(tx: Tx, e: team.MemberRemoved) -> None:
    tx.execute(
        f"DELETE FROM {T}member WHERE team_id = ? AND participant_id = ?",
        (str(e.originator_id), str(e.participant_id)),
    )


def _team_field(**values: Callable[[Any], Any]) -> Callable[[Tx, Any], None]:
    def handle(tx: Tx, e: Any) -> None:
        _set(tx, "team", {"team_id": str(e.originator_id)}, **{k: f(e) for k, f in values.items()})

    return handle


def _measure_defined(tx: Tx, e: team.MeasureDefined) -> None:
    _upsert(tx, "measure", ("team_id", "measure_key"), {
        "team_id": str(e.originator_id), "measure_key": e.measure.key, "definition": e.measure.model_dump_json(),
    })  # fmt: skip


def _data_point(tx: Tx, e: team.DataPointSubmitted) -> None:
    _upsert(tx, "point", ("team_id", "measure_key", "period"), {
        "team_id": str(e.originator_id), "measure_key": e.measure_key, "period": e.period,
        "numerator": e.numerator, "denominator": e.denominator,
    })  # fmt: skip


def _cycle_planned(tx: Tx, e: team.PdsaPlanned) -> None:
    _upsert(tx, "cycle", ("cycle_id",), {
        "cycle_id": str(e.cycle_id), "team_id": str(e.originator_id), "stage": "planned", "decision": None,
        "title": e.plan.title, "planned_period": f"{e.timestamp:%Y-%m}",
    })  # fmt: skip


def _cycle(stage: str) -> Callable[[Tx, Any], None]:
    def handle(tx: Tx, e: Any) -> None:
        decision = e.content.decision.value if stage == "acted" else None
        _set(tx, "cycle", {"cycle_id": str(e.cycle_id)}, stage=stage, decision=decision)

    return handle


def _activity_scheduled(tx: Tx, e: activity.ActivityScheduled) -> None:
    d = e.details
    _upsert(tx, "activity", ("activity_id",), {
        "activity_id": str(e.originator_id), "collaborative_id": str(e.collaborative_id), "kind": d.kind.value,
        "title": d.title, "starts_at": d.starts_at.isoformat(), "team_id": str(d.team_id) if d.team_id else None,
    })  # fmt: skip


def _attendance(tx: Tx, e: activity.AttendanceRecorded) -> None:
    _upsert(tx, "attendance", ("activity_id", "participant_id"), {
        "activity_id": str(e.originator_id), "participant_id": str(e.participant_id), "minutes": e.minutes,
    })  # fmt: skip


HANDLERS: dict[type[Any], Callable[[Tx, Any], None]] = {
    collaborative.CollaborativeCreated: _collaborative_created,
    collaborative.PhaseAdvanced: _phase_advanced,
    collaborative.FocusRevised: _focus_revised,
    collaborative.CollaborativeMeasureDefined: _collaborative_measure,
    collaborative.ExitCriteriaChanged: _criteria_changed,
    team.TeamRegistered: _team_registered,
    team.MemberAdded: _member_added,
    team.MemberRemoved: _member_removed,
    team.Withdrawn: _team_field(active=lambda e: 0),
    team.CoachAssigned: _team_field(coach_id=lambda e: str(e.coach_id)),
    team.AssessmentSubmitted: _team_field(assessment_score=lambda e: e.assessment.score_percent),
    team.ProjectShared: _team_field(shared=lambda e: 1),
    team.MeasureDefined: _measure_defined,
    team.DataPointSubmitted: _data_point,
    team.DataPointCorrected: _data_point,
    team.PdsaPlanned: _cycle_planned,
    team.PdsaDone: _cycle("done"),
    team.PdsaStudied: _cycle("studied"),
    team.PdsaActed: _cycle("acted"),
    activity.ActivityScheduled: _activity_scheduled,
    activity.AttendanceRecorded: _attendance,
}
