"""Measure charts from the read model: a team's series as data arrives (a correction
replaces its month), or the collaborative's, summed over its active teams by month;
drawn as the decisions about the chart say (`chart_settings.py`) or by the default
rule (`chart_plan.py`), with the team's PDSA cycles and the collaborative's phase
changes marked at their months.

A caller may also ask for a one-off view (another chart type, or a freeze, parts and
exclusions by 1-based position, as qicharts2 takes them) without deciding anything.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import UTC, datetime
from uuid import UUID

import orjson
from pydantic import BaseModel

from aggregates.measure_chart import BaselineSetting, ChartType, Decided, MeasureChartState
from aggregates.values import MeasureDefinition
from projections import chart_settings, dashboard_sums
from projections.base import Tx
from projections.chart_model import ChartView, CycleStart, Mark
from projections.chart_plan import Extras, Series, build
from projections.dashboard import series, series_of
from projections.dashboard_tables import COLLABORATIVE, CYCLE, MEASURE, POINT, TEAM

_PHASE_WORDS = {
    "focus": "Focus",
    "registration": "Registration",
    "orientation": "Orientation",
    "sessions": "Learning sessions",
    "projects": "Projects",
    "sharing": "Sharing",
    "community_of_practice": "Community of practice",
    "closed": "Closed",
}


class ChartOptions(BaseModel):
    """A one-off view: nothing here is recorded, and the chart's decisions stay as they are."""

    chart: ChartType | None = None
    freeze: int | None = None
    part: list[int] | None = None
    exclude: list[int] | None = None

    @property
    def positional(self) -> bool:
        return self.freeze is not None or bool(self.part) or bool(self.exclude)


def team_chart(tx: Tx, team_id: UUID, key: str, options: ChartOptions) -> ChartView | None:
    """A team measure's chart, or None if the team has no such measure."""
    row = tx.fetchone(
        f"SELECT m.definition, t.collaborative_id FROM {MEASURE} m JOIN {TEAM} t ON t.team_id = m.team_id "
        "WHERE m.team_id = ? AND m.measure_key = ?",
        (str(team_id), key),
    )
    if row is None:
        return None
    measure = MeasureDefinition.model_validate_json(row[0])
    points = series(tx, str(team_id), key)
    settings = chart_settings.settings_of(tx, str(team_id), key)
    extras = Extras(cycles=_cycles(tx, str(team_id)), marks=_phase_marks(tx, str(row[1])))
    return _view(measure, series_of(points, measure), settings, extras, options)


def collaborative_chart(tx: Tx, collaborative_id: UUID, key: str, options: ChartOptions) -> ChartView | None:
    """The measure across the collaborative's active teams: numerators and denominators summed
    by month, as the projection keeps them (`dashboard_sums.py`), so reading it costs the same
    at 50 teams or 5,000."""
    measure = dashboard_sums.definition(tx, str(collaborative_id), key)
    if measure is None:
        return None
    summed = dashboard_sums.summed(tx, str(collaborative_id), measure)
    settings = chart_settings.settings_of(tx, str(collaborative_id), key)
    extras = Extras(marks=_phase_marks(tx, str(collaborative_id)))
    return _view(measure, summed, settings, extras, options)


def _view(
    measure: MeasureDefinition,
    data: Series,
    settings: MeasureChartState | None,
    extras: Extras,
    options: ChartOptions,
) -> ChartView:
    """The chart as decided, or the one-off view the options ask for (ValueError when they cannot be drawn)."""
    if options.chart is not None:
        extras = Extras(cycles=extras.cycles, marks=extras.marks, chart_override=options.chart)
    if options.positional:
        settings = _positional(settings, data, options)
    return build(measure, data, settings, extras)


def _positional(settings: MeasureChartState | None, data: Series, options: ChartOptions) -> MeasureChartState:
    """The decisions with the one-off freeze, parts and exclusions (1-based positions) put in their place."""
    size = len(data.periods)
    for name, positions, high in (("part", options.part, size - 1), ("exclude", options.exclude, size)):
        for position in positions or ():
            if not 1 <= position <= high:
                raise ValueError(f"{name} position {position} is out of range; expected 1 to {high}")
    if options.freeze is not None and not 1 <= options.freeze <= size:
        raise ValueError(f"freeze is {options.freeze}; expected a point count from 1 to {size}")
    asked = Decided(by="this view", at=datetime.now(UTC), reason="asked for this view")
    base = settings or MeasureChartState.model_construct(splits={}, excluded={}, notes={}, proposals={})
    update: dict[str, object] = {}
    if options.freeze is not None:
        update["baseline"] = BaselineSetting(points=options.freeze, **asked.model_dump())
    if options.part:
        update["splits"] = {data.periods[p]: asked for p in options.part}
    if options.exclude:
        update["excluded"] = {data.periods[p - 1]: asked for p in options.exclude}
    return base.model_copy(update=update)


def _cycles(tx: Tx, team_id: str) -> list[CycleStart]:
    rows = tx.fetchall(
        f"SELECT planned_period, title, stage FROM {CYCLE} WHERE team_id = ? ORDER BY planned_period, title",
        (team_id,),
    )
    return [CycleStart(period=p, title=t, stage=s) for p, t, s in rows]


def _phase_marks(tx: Tx, collaborative_id: str) -> list[Mark]:
    """The collaborative's phase changes, at the months they happened."""
    row = tx.fetchone(f"SELECT history FROM {COLLABORATIVE} WHERE collaborative_id = ?", (collaborative_id,))
    if row is None:
        return []
    marks = []
    for change in orjson.loads(row[0]):
        if change.get("from_phase") is None:
            continue
        words = _PHASE_WORDS.get(change["to_phase"], change["to_phase"])
        marks.append(
            Mark(
                period=change["at"][:7], kind="phase", label=words, detail=f"The collaborative moved to {words}",
                who=change.get("actor_id"), role="staff", at=datetime.fromisoformat(change["at"]),
            )
        )  # fmt: skip
    return marks


class TeamData(BaseModel):
    """One active team's months of a measure as reported: what a funnel plot compares."""

    team_id: UUID
    name: str
    care_setting: str
    measure: MeasureDefinition
    data: list[tuple[str, float, float | None]]  # (period, numerator, denominator)


class TeamChart(BaseModel):
    """One team's chart of a measure, for every team side by side."""

    team_id: UUID
    name: str
    care_setting: str
    view: ChartView
    data: list[tuple[str, float, float | None]] = []  # (period, numerator, denominator) as reported


# A team's chart is rebuilt only when what it is drawn from changed: per team, that and the chart.
Built = dict[str, tuple[Hashable, ChartView]]


def team_data(tx: Tx, collaborative_id: UUID, key: str) -> list[TeamData]:
    """Every active team's months of the measure (in team name order), in two queries."""
    cid = str(collaborative_id)
    teams = tx.fetchall(
        f"SELECT t.team_id, t.name, t.care_setting, m.definition FROM {TEAM} t JOIN {MEASURE} m "
        "ON m.team_id = t.team_id WHERE t.collaborative_id = ? AND t.active = 1 AND m.measure_key = ? "
        "ORDER BY t.name, t.team_id",
        (cid, key),
    )
    points: dict[str, list[tuple[str, float, float | None]]] = {}
    for team_id, period, numerator, denominator in tx.fetchall(
        f"SELECT p.team_id, p.period, p.numerator, p.denominator FROM {POINT} p JOIN {TEAM} t "
        "ON t.team_id = p.team_id WHERE t.collaborative_id = ? AND t.active = 1 AND p.measure_key = ? "
        "ORDER BY p.team_id, p.period",
        (cid, key),
    ):
        points.setdefault(team_id, []).append(
            (str(period), float(numerator), None if denominator is None else float(denominator))
        )
    return [
        TeamData(team_id=UUID(team_id), name=name, care_setting=care_setting,
                 measure=MeasureDefinition.model_validate_json(definition), data=points.get(team_id, []))
        for team_id, name, care_setting, definition in teams
    ]  # fmt: skip


def team_charts(tx: Tx, collaborative_id: UUID, key: str, built: Built | None = None) -> list[TeamChart]:
    """Every active team's chart of the measure, as each is decided (in team name order);
    read in four queries whatever the number of teams. With `built` (the charts of the last
    call), a team whose months, decisions, cycles and phases are unchanged keeps its chart,
    and `built` is left holding this call's."""
    cid = str(collaborative_id)
    settings = chart_settings.settings_in(tx, cid, key)
    cycles: dict[str, list[CycleStart]] = {}
    for team_id, period, title, stage in tx.fetchall(
        f"SELECT c.team_id, c.planned_period, c.title, c.stage FROM {CYCLE} c JOIN {TEAM} t "
        "ON t.team_id = c.team_id WHERE t.collaborative_id = ? ORDER BY c.team_id, c.planned_period, c.title",
        (cid,),
    ):
        cycles.setdefault(team_id, []).append(CycleStart(period=period, title=title, stage=stage))
    phases = _phase_marks(tx, cid)
    phases_drawn = tuple(m.model_dump_json() for m in phases)
    before, now = built if built is not None else {}, {}
    out = []
    for team in team_data(tx, collaborative_id, key):
        team_id = str(team.team_id)
        decided, started = settings.get(team_id), cycles.get(team_id, [])
        inputs = (team.measure.model_dump_json(), tuple(team.data), decided.model_dump_json() if decided else None,
                  tuple((c.period, c.title, c.stage) for c in started), phases_drawn)  # fmt: skip
        kept = before.get(team_id)
        if kept is not None and kept[0] == inputs:
            view = kept[1]
        else:
            extras = Extras(cycles=started, marks=phases)
            view = build(team.measure, series_of(team.data, team.measure), decided, extras)
        now[team_id] = (inputs, view)
        out.append(TeamChart(team_id=team.team_id, name=team.name, care_setting=team.care_setting, view=view,
                             data=team.data))  # fmt: skip
    if built is not None:
        built.clear()
        built.update(now)
    return out
