"""The decisions about each measure's chart, folded into the read model as the
MeasureChart folds them (the events' own `apply`), so the chart a page draws follows
exactly the decisions the domain accepted."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import UUID

from aggregates import measure_chart as mc
from aggregates.measure_chart import MeasureChartState, measure_chart_id
from projections.base import Recorded, Tx, upsert
from projections.dashboard_tables import CHART


def settings_of(tx: Tx, owner_id: str, measure_key: str) -> MeasureChartState | None:
    """The decisions about the owner's chart of the measure, or None when nobody decided anything."""
    chart_id = str(measure_chart_id(UUID(owner_id), measure_key))
    row = tx.fetchone(f"SELECT state FROM {CHART} WHERE chart_id = ?", (chart_id,))
    return None if row is None else MeasureChartState.model_validate_json(row[0])


def chart_started(tx: Tx, r: Recorded) -> None:
    e: mc.MeasureChartStarted = r.event
    holder = SimpleNamespace(state=None)
    e.apply(holder)  # type: ignore[arg-type]
    _store(tx, str(e.originator_id), holder.state)


def chart_changed(tx: Tx, r: Recorded) -> None:
    row = tx.fetchone(f"SELECT state FROM {CHART} WHERE chart_id = ?", (str(r.originator_id),))
    if row is None:
        return
    holder = SimpleNamespace(state=MeasureChartState.model_validate_json(row[0]))
    r.event.apply(holder)
    _store(tx, str(r.originator_id), holder.state)


def _store(tx: Tx, chart_id: str, state: MeasureChartState) -> None:
    upsert(tx, CHART, ("chart_id",), {
        "chart_id": chart_id, "owner_id": str(state.owner_id), "measure_key": state.measure_key,
        "collaborative_id": str(state.collaborative_id), "state": state.model_dump_json(),
    })  # fmt: skip


HANDLERS = {
    mc.MeasureChartStarted: chart_started,
    mc.ChartDecided: chart_changed,
    mc.ChartChangeProposed: chart_changed,
    mc.ChartProposalDeclined: chart_changed,
    mc.ChartAnnotated: chart_changed,
    mc.ChartAnnotationWithdrawn: chart_changed,
}


def settings_in(tx: Tx, collaborative_id: str, measure_key: str) -> dict[str, MeasureChartState]:
    """The decisions about every chart of the measure in the collaborative, by owner id."""
    rows = tx.fetchall(
        f"SELECT owner_id, state FROM {CHART} WHERE collaborative_id = ? AND measure_key = ?",
        (collaborative_id, measure_key),
    )
    return {owner: MeasureChartState.model_validate_json(state) for owner, state in rows}
