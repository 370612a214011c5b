"""A collaborative's dashboard and charts as they were at a past moment: its events up
to then (found through the audit trail, which lists every event with its collaborative
and time) replayed into the dashboard projection on an empty in-memory database. Only
that collaborative's events are read, so it costs what its history costs, not the log's."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any
from uuid import UUID

from aggregates.collaborative import Collaborative
from engine.application import QIEngine
from engine.read_models import ReadModels
from engine.readstore import SqliteTx
from projections import charts, dashboard_view
from projections.audit import iso_utc
from projections.base import Recorded, UndecodableEvent
from projections.charts import ChartOptions, ChartView
from projections.dashboard import Dashboard
from projections.dashboard_view import DashboardView

Charts = list[tuple[str, ChartView | None]]


def dashboard_then(
    engine: QIEngine, models: ReadModels, collaborative: Collaborative, moment: datetime
) -> tuple[DashboardView | None, Charts]:
    """The dashboard of `collaborative` (as it was at `moment`) and a chart per its measures then."""
    collaborative_id = collaborative.id
    history = _recorded(engine, models.audit_events_until(collaborative_id, iso_utc(moment)))
    connection = sqlite3.connect(":memory:")
    try:
        tx = SqliteTx(connection)
        projection = Dashboard()
        for statement in (*projection.tables.values(), *projection.indexes):
            tx.execute(statement)
        projection.apply(tx, history)
        projection.settle(tx)
        view = dashboard_view.dashboard(tx, collaborative_id)
        found = [
            (m.name, charts.collaborative_chart(tx, collaborative_id, m.key, ChartOptions()))
            for m in collaborative.state.measures.values()
        ]
        return view, found
    finally:
        connection.close()


def _recorded(engine: QIEngine, events: list[tuple[int, UUID, int]]) -> list[Recorded]:
    """The stored events at these (position, aggregate, version)s, decoded, in position order;
    any that no longer decode are left out (the live dashboard stops on them instead)."""
    positions = {(aggregate, version): position for position, aggregate, version in events}
    latest: dict[UUID, int] = {}
    for _, aggregate, version in events:
        latest[aggregate] = max(version, latest.get(aggregate, 0))
    found = []
    for aggregate, version in latest.items():
        for stored in engine.recorder.select_events(aggregate, lte=version):
            position = positions.get((aggregate, stored.originator_version))
            decoded = _decoded(engine, stored)
            if position is not None and not isinstance(decoded, UndecodableEvent):
                found.append(
                    Recorded(
                        position, aggregate, stored.originator_version, stored.topic, stored.state, decoded
                    )
                )
    return sorted(found, key=lambda r: r.position)


def _decoded(engine: QIEngine, stored: Any) -> Any:
    try:
        return engine.read_mapper.to_domain_event(stored)
    except Exception as exc:  # a damaged record is that record's fault
        return UndecodableEvent(f"{type(exc).__name__}: {exc}")
