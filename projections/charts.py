"""Measure charts from the read model: a team's series as data arrives (a
correction replaces its month), or the collaborative's, summed over its active
teams by month; with the team's PDSA cycle starts to annotate."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel

from aggregates.values import MeasureDefinition
from analytics import aggregate_by_period, default_chart, qic
from analytics.models import QicResult
from projections.base import Tx
from projections.dashboard import series
from projections.dashboard_tables import CYCLE, MEASURE, POINT, TEAM

ChartType = Literal["run", "i", "mr", "p", "u", "c"]


class CycleStart(BaseModel):
    period: str
    title: str
    stage: str


class ChartView(BaseModel):
    measure: MeasureDefinition
    chart: ChartType
    result: QicResult
    cycles: list[CycleStart]


class ChartOptions(BaseModel):
    chart: ChartType | None = None
    freeze: int | None = None
    part: list[int] | None = None
    exclude: list[int] | None = None


def team_chart(tx: Tx, team_id: UUID, key: str, options: ChartOptions) -> ChartView | None:
    """A team measure's chart, or None if the team has no such measure."""
    row = tx.fetchone(
        f"SELECT definition FROM {MEASURE} WHERE team_id = ? AND measure_key = ?", (str(team_id), key)
    )
    if row is None:
        return None
    measure = MeasureDefinition.model_validate_json(row[0])
    points = series(tx, str(team_id), key)
    x, y, n = [p for p, _, _ in points], [v for _, v, _ in points], [d for _, _, d in points]
    return _view(measure, options, x, y, n, _cycles(tx, str(team_id)))


def collaborative_chart(tx: Tx, collaborative_id: UUID, key: str, options: ChartOptions) -> ChartView | None:
    """The measure across the collaborative's active teams: numerators and denominators summed by month."""
    rows = tx.fetchall(
        f"SELECT m.team_id, m.definition FROM {MEASURE} m JOIN {TEAM} t ON t.team_id = m.team_id "
        "WHERE t.collaborative_id = ? AND t.active = 1 AND m.measure_key = ? ORDER BY m.team_id",
        (str(collaborative_id), key),
    )
    if not rows:
        return None
    measure = MeasureDefinition.model_validate_json(rows[0][1])
    by_team: dict[str, list[tuple[str, float, float | None]]] = {team_id: [] for team_id, _ in rows}
    for team_id, period, numerator, denominator in tx.fetchall(
        f"SELECT p.team_id, p.period, p.numerator, p.denominator FROM {POINT} p "
        f"JOIN {TEAM} t ON t.team_id = p.team_id WHERE t.collaborative_id = ? AND t.active = 1 "
        "AND p.measure_key = ? ORDER BY p.team_id, p.period",
        (str(collaborative_id), key),
    ):
        if team_id in by_team:
            by_team[team_id].append(
                (str(period), float(numerator), None if denominator is None else float(denominator))
            )
    per_team = [
        {"x": [p for p, _, _ in points], "y": [v for _, v, _ in points], "n": _sizes(measure, points)}
        for points in by_team.values()
    ]
    combined = aggregate_by_period(per_team)
    return _view(measure, options, list(combined.x), list(combined.y), list(combined.n or []) or None, [])


def _sizes(
    measure: MeasureDefinition, points: list[tuple[str, float, float | None]]
) -> list[float | None] | None:
    return [d for _, _, d in points] if measure.denominator else None


def _view(
    measure: MeasureDefinition,
    options: ChartOptions,
    x: list[str],
    y: list[float | None],
    n: list[float | None] | None,
    cycles: list[CycleStart],
) -> ChartView:
    chart = options.chart or default_chart(measure.data_type.value)
    if not x:  # a measure defined but without data yet: an empty chart, not an error
        return ChartView(
            measure=measure, chart=chart, result=QicResult(chart=chart, points=(), parts=()), cycles=cycles
        )
    sizes = n if n and any(v is not None for v in n) else None
    result = qic(
        y, sizes, x=x, chart=chart, freeze=options.freeze, part=options.part, exclude=options.exclude
    )
    return ChartView(measure=measure, chart=chart, result=result, cycles=cycles)


def _cycles(tx: Tx, team_id: str) -> list[CycleStart]:
    rows = tx.fetchall(
        f"SELECT planned_period, title, stage FROM {CYCLE} WHERE team_id = ? ORDER BY planned_period, title",
        (team_id,),
    )
    return [CycleStart(period=p, title=t, stage=s) for p, t, s in rows]
