"""What the API says about the teams compared: each team's chart in brief, and the funnel."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel

from adapters.charts.comparisons import outlier_words
from aggregates.values import MeasureDefinition
from analytics.funnel import FunnelPoint
from engine.queries import TeamCharts, TeamFunnel
from projections.charts import TeamChart
from projections.team_order import goal_gap, latest


class Signals(BaseModel):
    """How many of a chart's points are part of each signal (a point may be in two)."""

    outside_limits: int
    in_shift: int
    in_trend: int
    points: int  # points in any signal
    runs_signal: bool  # the last phase shows non-random variation by the Anhøj rules


class Progress(BaseModel):
    """The latest value against the goal, in the measure's own units (a proportion as 0 to 1)."""

    short_of_goal: float | None  # negative: past the goal
    goal_met: bool | None


class TeamChartSummary(BaseModel):
    id: UUID
    name: str
    care_setting: str
    chart: str
    latest_period: str | None
    latest_value: float | None
    signals: Signals
    goal: float | None
    progress: Progress

    @classmethod
    def of(cls, team: TeamChart) -> TeamChartSummary:
        view = team.view
        last = next((s for s in reversed(view.slots) if s.y is not None), None)
        slots = view.slots
        gap = goal_gap(view)
        signals = Signals(
            outside_limits=sum(s.outside_limits for s in slots), in_shift=sum(s.in_shift for s in slots),
            in_trend=sum(s.in_trend for s in slots), points=sum(s.outside_limits or s.in_shift or s.in_trend for s in slots),
            runs_signal=bool(view.phases and view.phases[-1].runs_signal),
        )  # fmt: skip
        return cls(
            id=team.team_id, name=team.name, care_setting=team.care_setting, chart=view.chart,
            latest_period=last.period if last else None, latest_value=latest(view), signals=signals,
            goal=view.goal, progress=Progress(short_of_goal=gap, goal_met=None if gap is None else gap <= 0),
        )  # fmt: skip


class TeamChartsPublic(BaseModel):
    """Every active team's chart of the measure, in the order asked for."""

    collaborative: str
    measure: MeasureDefinition
    sort: str
    teams: list[TeamChartSummary]

    @classmethod
    def of(cls, found: TeamCharts) -> TeamChartsPublic:
        teams = [TeamChartSummary.of(t) for t in found.teams]
        return cls(collaborative=found.title, measure=found.measure, sort=found.sort, teams=teams)


class Limits(BaseModel):
    lower_998: float
    lower_95: float
    upper_95: float
    upper_998: float


class FunnelTeam(BaseModel):
    id: UUID
    name: str
    numerator: float
    denominator: float
    value: float
    z: float | None
    band: str  # inside, or beyond 95% / 99.8%, high or low
    outlier: bool
    limits: Limits

    @classmethod
    def of(cls, p: FunnelPoint) -> FunnelTeam:
        limits = Limits(lower_998=p.limits.lower_998, lower_95=p.limits.lower_95, upper_95=p.limits.upper_95,
                        upper_998=p.limits.upper_998)  # fmt: skip
        return cls(id=UUID(p.id), name=p.label, numerator=p.numerator, denominator=p.denominator, value=p.value,
                   z=p.z, band=p.band.value, outlier=p.outlier, limits=limits)  # fmt: skip


class Outlier(BaseModel):
    id: UUID
    name: str
    band: str
    words: str  # e.g. "Big Horn Valley Hospital: 42% of 31 children seen, below the 99.8% limit"


class TeamName(BaseModel):
    id: UUID
    name: str


class FunnelPublic(BaseModel):
    """The funnel of a month or a window: target, limits' method, every team with its band and
    limits, the outliers (beyond 99.8% first), and the teams with no data (not plotted)."""

    collaborative: str
    measure: MeasureDefinition
    months: int
    window: list[str]  # the months summed, first to last; empty when no month has data
    periods: list[str]  # every month with data, to choose from
    target: float | None  # the pooled value of the teams plotted
    method: str | None  # exact (binomial or Poisson) or normal
    units: list[FunnelTeam]
    outliers: list[Outlier]
    no_data: list[TeamName]

    @classmethod
    def of(cls, found: TeamFunnel) -> FunnelPublic:
        drawn = found.funnel
        return cls(
            collaborative=found.title, measure=found.measure, months=found.months, window=list(found.window),
            periods=list(found.periods), target=drawn.target if drawn else None, method=drawn.method if drawn else None,
            units=[FunnelTeam.of(p) for p in drawn.points] if drawn else [],
            outliers=[Outlier(id=UUID(p.id), name=p.label, band=p.band.value, words=outlier_words(p, found))
                      for p in drawn.outliers] if drawn else [],
            no_data=[TeamName(id=t.team_id, name=t.name) for t in found.no_data],
        )  # fmt: skip
