"""The dashboard read model: per collaborative, its phase, teams, attendance,
PDSA activity and measure data, kept as small tables (`dashboard_tables.py`),
with each team measure's chart signals computed once per catch-up. The queries
(`dashboard_view.py`, `charts.py`) import from here and from the tables module,
never the reverse."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson
from pydantic import BaseModel

from aggregates import activity, collaborative, measure_chart, team
from aggregates.values import MeasureDefinition
from projections import chart_settings, dashboard_stamps, dashboard_tally
from projections.base import Handler, Projection, Recorded, Tx, json_text, update, upsert
from projections.chart_plan import Series, build
from projections.dashboard_sums import Upsert, Writes
from projections.dashboard_tables import (
    ACTIVITY,
    ATTENDANCE,
    COLLABORATIVE,
    CYCLE,
    INDEXES,
    MEASURE,
    MEMBER,
    POINT,
    TABLES,
    TEAM,
)


class MeasureStatus(BaseModel):
    """A team measure's latest value and chart signals, as the dashboard shows them."""

    key: str
    name: str
    chart: str
    points: int
    latest_period: str | None
    latest_value: float | None
    latest_outside_limits: bool
    runs_signal: bool


def series(tx: Tx, team_id: str, key: str) -> list[tuple[str, float, float | None]]:
    """A team measure's monthly points, in period order: (period, numerator, denominator)."""
    rows = tx.fetchall(
        f"SELECT period, numerator, denominator FROM {POINT} WHERE team_id = ? AND measure_key = ? ORDER BY period",
        (team_id, key),
    )
    return [(str(p), float(n), None if d is None else float(d)) for p, n, d in rows]


def series_of(points: list[tuple[str, float, float | None]], definition: MeasureDefinition) -> Series:
    """The chart's input from a team measure's monthly points."""
    return Series(
        periods=[p for p, _, _ in points],
        numerators=[n for _, n, _ in points],
        denominators=[d for _, _, d in points] if definition.denominator else None,
    )


def measure_status(tx: Tx, team_id: str, definition: MeasureDefinition) -> MeasureStatus:
    """A team measure's latest value and signals, from its series drawn as its chart is
    (the decisions about it and the default rule)."""
    points = series(tx, team_id, definition.key)
    view = build(
        definition, series_of(points, definition), chart_settings.settings_of(tx, team_id, definition.key)
    )
    status = MeasureStatus(key=definition.key, name=definition.name, chart=view.chart, points=len(points),
                           latest_period=None, latest_value=None, latest_outside_limits=False, runs_signal=False)  # fmt: skip
    if not points:
        return status
    last = view.result.points[-1]
    return status.model_copy(update={
        "latest_period": points[-1][0], "latest_value": last.y,
        "latest_outside_limits": bool(last.sigma_signal), "runs_signal": bool(view.result.parts[-1].runs_signal),
    })  # fmt: skip


def _stamp_collaboratives(tx: Tx, batch: Sequence[Recorded]) -> None:
    """Every event of a Collaborative moves its version, which the list of collaboratives
    shows; its creation's position is the list's order."""
    versions: dict[str, int] = {}
    created: dict[str, int] = {}
    for recorded in batch:
        event = recorded.event
        if isinstance(event, collaborative.CollaborativeCreated | collaborative.CollaborativeEvent):
            versions[str(recorded.originator_id)] = recorded.originator_version
            if isinstance(event, collaborative.CollaborativeCreated):
                created[str(recorded.originator_id)] = recorded.position
    if versions:
        tx.executemany(
            f"UPDATE {COLLABORATIVE} SET version = ? WHERE collaborative_id = ?",
            [(v, c) for c, v in sorted(versions.items())],
        )
    if created:
        tx.executemany(
            f"UPDATE {COLLABORATIVE} SET created_position = ? WHERE collaborative_id = ?",
            [(p, c) for c, p in sorted(created.items())],
        )


def _collaborative_created(tx: Tx, r: Recorded) -> None:
    e: collaborative.CollaborativeCreated = r.event
    upsert(tx, COLLABORATIVE, ("collaborative_id",), {
        "collaborative_id": str(e.originator_id), "title": e.title, "phase": "focus",
        "focus": e.focus.model_dump_json(), "measures": json_text([m.key for m in e.measures]),
        "settings": e.settings.model_dump_json(), "history": json_text([_change(e, None, "focus")]),
    })  # fmt: skip


def _change(e: collaborative.QIEvent, from_phase: str | None, to_phase: str, **extra: Any) -> dict[str, Any]:
    return {
        "from_phase": from_phase,
        "to_phase": to_phase,
        "at": e.timestamp.isoformat(),
        "actor_id": e.actor_id,
    } | extra


def _phase_advanced(tx: Tx, r: Recorded) -> None:
    e: collaborative.PhaseAdvanced = r.event
    row = tx.fetchone(
        f"SELECT history FROM {COLLABORATIVE} WHERE collaborative_id = ?", (str(e.originator_id),)
    )
    history = orjson.loads(row[0]) if row else []
    history.append(_change(e, e.from_phase.value, e.to_phase.value, override_reason=e.override_reason,
                           unmet=[u.model_dump(mode="json") for u in e.unmet]))  # fmt: skip
    where = {"collaborative_id": str(e.originator_id)}
    update(tx, COLLABORATIVE, where, phase=e.to_phase.value, history=json_text(history))


def _focus_revised(tx: Tx, r: Recorded) -> None:
    e: collaborative.FocusRevised = r.event
    update(tx, COLLABORATIVE, {"collaborative_id": str(e.originator_id)}, focus=e.focus.model_dump_json())


def _collaborative_measure(tx: Tx, r: Recorded) -> None:
    e: collaborative.CollaborativeMeasureDefined = r.event
    row = tx.fetchone(
        f"SELECT measures FROM {COLLABORATIVE} WHERE collaborative_id = ?", (str(e.originator_id),)
    )
    keys = sorted({*orjson.loads(row[0] if row else "[]"), e.measure.key})
    update(tx, COLLABORATIVE, {"collaborative_id": str(e.originator_id)}, measures=json_text(keys))


def _criteria_changed(tx: Tx, r: Recorded) -> None:
    e: collaborative.ExitCriteriaChanged = r.event
    update(
        tx, COLLABORATIVE, {"collaborative_id": str(e.originator_id)}, settings=e.settings.model_dump_json()
    )


def _team_registered(tx: Tx, r: Recorded) -> None:
    e: team.TeamRegistered = r.event
    if tx.fetchone(f"SELECT 1 FROM {TEAM} WHERE team_id = ?", (str(e.originator_id),)) is None:
        dashboard_tally.count(tx, str(e.collaborative_id), e.profile.care_setting.value, active=1)
    upsert(tx, TEAM, ("team_id",), {
        "team_id": str(e.originator_id), "collaborative_id": str(e.collaborative_id), "name": e.profile.name,
        "care_setting": e.profile.care_setting.value, "active": 1, "coach_id": None,
        "assessment_score": None, "shared": 0,
    })  # fmt: skip
    for member in e.members:
        _member(tx, str(e.originator_id), str(member.participant_id))


def _member(tx: Tx, team_id: str, participant_id: str) -> None:
    upsert(tx, MEMBER, ("team_id", "participant_id"), {"team_id": team_id, "participant_id": participant_id})


def _member_added(tx: Tx, r: Recorded) -> None:
    e: team.MemberAdded = r.event
    _member(tx, str(e.originator_id), str(e.member.participant_id))


def _member_removed(tx: Tx, r: Recorded) -> None:
    e: team.MemberRemoved = r.event
    tx.execute(
        f"DELETE FROM {MEMBER} WHERE team_id = ? AND participant_id = ?",
        (str(e.originator_id), str(e.participant_id)),
    )


def _team_field(**values: Callable[[Any], Any]) -> Handler:
    """A handler that sets columns of the team's row, each from the event."""

    def handle(tx: Tx, r: Recorded) -> None:
        e = r.event
        update(tx, TEAM, {"team_id": str(e.originator_id)}, **{k: f(e) for k, f in values.items()})

    return handle


def _measure_defined(tx: Writes, r: Recorded) -> None:
    e: team.MeasureDefined = r.event
    team_id = str(e.originator_id)
    row = tx.fetchone(f"SELECT collaborative_id, active FROM {TEAM} WHERE team_id = ?", (team_id,))
    cid, active = (str(row[0]), bool(row[1])) if row else ("", False)
    tx.sums.defined(team_id, e.measure.key, cid, active)  # before the row: it asks whether one was there
    upsert(tx, MEASURE, ("team_id", "measure_key"), {
        "team_id": team_id, "measure_key": e.measure.key, "definition": e.measure.model_dump_json(),
        "collaborative_id": cid, "active": int(active),
    })  # fmt: skip


# The upserts of nearly every event, many rows a statement (`Writes.gather`).
_POINT = Upsert(
    f"INSERT INTO {POINT} (team_id, measure_key, period, numerator, denominator) VALUES",
    "ON CONFLICT (team_id, measure_key, period) DO UPDATE SET numerator = excluded.numerator, "
    "denominator = excluded.denominator",
    key=3,
)
_ATTENDANCE = Upsert(
    f"INSERT INTO {ATTENDANCE} (activity_id, participant_id, minutes) VALUES",
    "ON CONFLICT (activity_id, participant_id) DO UPDATE SET minutes = excluded.minutes",
    key=2,
)


def _data_point(tx: Writes, r: Recorded) -> None:
    e: team.DataPointSubmitted = r.event
    team_id = str(e.originator_id)
    tx.gather(_POINT, (team_id, e.measure_key, e.period, e.numerator, e.denominator))
    tx.sums.point(team_id, e.measure_key, e.period, (e.numerator, e.denominator))


def _withdrawn(tx: Writes, r: Recorded) -> None:
    team_id = str(r.originator_id)
    if dashboard_tally.withdrawn(tx, team_id):
        tx.sums.withdrawn(team_id)
        update(tx, TEAM, {"team_id": team_id}, active=0)
        update(tx, MEASURE, {"team_id": team_id}, active=0)


def _assessed(tx: Tx, r: Recorded) -> None:
    e: team.AssessmentSubmitted = r.event
    dashboard_tally.assessed(tx, str(e.originator_id))
    update(tx, TEAM, {"team_id": str(e.originator_id)}, assessment_score=e.assessment.score_percent)


def _cycle_planned(tx: Tx, r: Recorded) -> None:
    e: team.PdsaPlanned = r.event
    upsert(tx, CYCLE, ("cycle_id",), {
        "cycle_id": str(e.cycle_id), "team_id": str(e.originator_id), "stage": "planned", "decision": None,
        "title": e.plan.title, "planned_period": f"{e.timestamp:%Y-%m}",
    })  # fmt: skip


def _cycle(stage: str) -> Handler:
    """A handler that moves the cycle to `stage` (with its decision, once acted)."""

    def handle(tx: Tx, r: Recorded) -> None:
        e = r.event
        decision = e.content.decision.value if stage == "acted" else None
        update(tx, CYCLE, {"cycle_id": str(e.cycle_id)}, stage=stage, decision=decision)

    return handle


def _activity_scheduled(tx: Writes, r: Recorded) -> None:
    e: activity.ActivityScheduled = r.event
    d = e.details
    tx.held.scheduled(str(e.originator_id), str(e.collaborative_id), d.kind.value)
    upsert(tx, ACTIVITY, ("activity_id",), {
        "activity_id": str(e.originator_id), "collaborative_id": str(e.collaborative_id), "kind": d.kind.value,
        "title": d.title, "starts_at": d.starts_at.isoformat(), "team_id": str(d.team_id) if d.team_id else None,
    })  # fmt: skip


def _attendance(tx: Writes, r: Recorded) -> None:
    e: activity.AttendanceRecorded = r.event
    tx.held.attended(r)
    tx.gather(_ATTENDANCE, (str(e.originator_id), str(e.participant_id), e.minutes))


class Dashboard(Projection):
    name = "dashboard"
    version = 6  # 6: collaborative figures kept as events arrive (monthly sums, tallies, stamps)
    tables = TABLES
    indexes = INDEXES
    handlers = {
        collaborative.CollaborativeCreated: _collaborative_created,
        collaborative.PhaseAdvanced: _phase_advanced,
        collaborative.FocusRevised: _focus_revised,
        collaborative.CollaborativeMeasureDefined: _collaborative_measure,
        collaborative.ExitCriteriaChanged: _criteria_changed,
        team.TeamRegistered: _team_registered,
        team.MemberAdded: _member_added,
        team.MemberRemoved: _member_removed,
        team.Withdrawn: _withdrawn,
        team.CoachAssigned: _team_field(coach_id=lambda e: str(e.coach_id)),
        team.AssessmentSubmitted: _assessed,
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
        **chart_settings.HANDLERS,
    }

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        """Each event by its type's handler, in log order, through what the batch keeps
        (`Writes`: its sums, its attended activities); then what is written once per batch."""
        handlers, writes = self.handlers_by_type(), Writes(tx, batch)
        for recorded in batch:
            # By the stored type's name, as the base class does: a record the dashboard does
            # not handle is never decoded here.
            handler = handlers.get(recorded.event_type)
            if handler is not None:
                handler(writes, recorded)
        self._close_batch(writes, batch)

    def _close_batch(self, writes: Writes, batch: Sequence[Recorded]) -> None:
        """Mark the signals of every series the batch changed stale: `settle` recomputes
        them once per catch-up, and the view computes a stale one itself, so a read is
        never wrong. Then write the batch's changes to the monthly sums, and stamp what
        it changed (`dashboard_stamps`)."""
        writes.flush()
        tx, charts = writes.tx, dashboard_stamps.charts_decided(writes.tx, batch)
        changed: set[tuple[str, str]] = set()
        for recorded in batch:
            event = recorded.event
            if isinstance(event, team.DataPointSubmitted):
                changed.add((str(event.originator_id), event.measure_key))
            elif isinstance(event, team.MeasureDefined):
                changed.add((str(event.originator_id), event.measure.key))
            elif isinstance(event, measure_chart.ChartDecided):
                row = charts.get(str(recorded.originator_id))
                if row is not None:  # a collaborative's chart has no team row: the update finds none
                    changed.add((str(row[0]), str(row[1])))
        if changed:
            tx.executemany(
                f"UPDATE {MEASURE} SET status = NULL WHERE team_id = ? AND measure_key = ?", sorted(changed)
            )
        _stamp_collaboratives(tx, batch)
        writes.sums.write()
        dashboard_stamps.stamp(tx, batch, self.handlers_by_type(), charts, writes.held)

    def settle(self, tx: Tx) -> None:
        """Compute the chart signals of every series changed since the last settle, so
        reading the dashboard never runs an analysis."""
        stale = tx.fetchall(f"SELECT team_id, measure_key, definition FROM {MEASURE} WHERE status IS NULL")
        for team_id, key, definition in stale:
            status = measure_status(tx, team_id, MeasureDefinition.model_validate_json(definition))
            update(tx, MEASURE, {"team_id": team_id, "measure_key": key}, status=status.model_dump_json())
