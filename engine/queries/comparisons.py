"""Every team's chart of a measure side by side, and the funnel plot across the teams: what
faculty compare. Whoever may read the collaborative reads both (the rule of its chart).

The funnel compares one month, or a window of months summed per team, of a proportion or a
rate: each active team's events against its patients or exposure (analytics.funnel). Exact
limits need whole events (and, for a proportion, whole patients); a measure reported with
fractions is drawn with the normal approximation instead, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from aggregates.tokens import Principal
from aggregates.values import DataType, MeasureDefinition
from analytics.funnel import Funnel, FunnelUnit, Method, funnel, window_totals
from engine.errors import NotFound
from engine.queries.base import Reader
from projections.charts import TeamChart, TeamData
from projections.team_order import SORT_KEYS, ordered

MAX_MONTHS = 36


@dataclass(frozen=True)
class TeamCharts:
    """The collaborative's title, the measure, and each active team's chart in the order asked."""

    title: str
    measure: MeasureDefinition
    teams: list[TeamChart]
    sort: str


@dataclass(frozen=True)
class TeamFunnel:
    """The funnel of `months` ending at `through` (None: no month has data), the teams whose
    window has no data (listed, not plotted), and every month with data (to choose from)."""

    title: str
    measure: MeasureDefinition
    months: int
    window: tuple[str, ...]  # the months summed, first to last; empty without data
    funnel: Funnel | None
    no_data: list[TeamData]
    periods: tuple[str, ...]

    @property
    def through(self) -> str | None:
        return self.window[-1] if self.window else None


class ComparisonQueries(Reader):
    def team_charts(
        self, principal: Principal, collaborative_id: UUID, key: str, sort: str = "name"
    ) -> TeamCharts:
        """Every active team's chart of the measure, sorted by name, latest, signal or goal."""
        if sort not in SORT_KEYS:
            raise ValueError(f"teams sort by {', '.join(SORT_KEYS)}, not {sort!r}")
        title, charts = self._charts(principal, collaborative_id, key)
        teams = ordered(charts, sort, name=lambda t: t.name, view=lambda t: t.view)
        return TeamCharts(title, charts[0].view.measure, teams, sort)

    def funnel(
        self,
        principal: Principal,
        collaborative_id: UUID,
        key: str,
        period: str | None = None,
        through: str | None = None,
        months: int = 1,
    ) -> TeamFunnel:
        """The funnel of one month (`period`), or of `months` summed per team ending at `through`
        (default: the latest month with data); ValueError for a count or continuous measure."""
        if not 1 <= months <= MAX_MONTHS:
            raise ValueError(f"a window is 1 to {MAX_MONTHS} months, not {months}")
        if period is not None and (through is not None or months != 1):
            raise ValueError("give one month (period), or a window's last month (through) and its length")
        self._may_read_collaborative(principal, collaborative_id)
        title = self.engine.collaborative(collaborative_id).state.title
        teams = self.read_models.team_data(collaborative_id, key)
        if not teams:
            raise NotFound(f"measure {key!r} in any team of collaborative", collaborative_id)
        measure = teams[0].measure
        if measure.data_type not in (DataType.PROPORTION, DataType.RATE):
            raise ValueError(
                f"{measure.name} is a {measure.data_type.value} measure: a funnel plot compares proportions "
                "or rates, whose denominators differ between teams"
            )
        periods = tuple(sorted({p for team in teams for p, _, _ in team.data}))
        last = period or through or (periods[-1] if periods else None)
        if last is None:
            return TeamFunnel(title, measure, months, (), None, teams, periods)
        window = months_ending(last, months)
        units = window_totals(unit for team in teams for unit in _units(team, set(window)))
        plotted = {u.id for u in units if u.denominator > 0}
        no_data = [t for t in teams if str(t.team_id) not in plotted]
        drawn = funnel(units, measure.data_type.value, method=_method(units, measure)) if plotted else None
        return TeamFunnel(title, measure, months, window, drawn, no_data, periods)

    def _charts(self, principal: Principal, collaborative_id: UUID, key: str) -> tuple[str, list[TeamChart]]:
        self._may_read_collaborative(principal, collaborative_id)
        collaborative = self.engine.collaborative(collaborative_id)
        charts = self.read_models.team_charts(collaborative_id, key)
        if not charts:
            raise NotFound(f"measure {key!r} in any team of collaborative", collaborative_id)
        return collaborative.state.title, charts


def months_ending(last: str, months: int) -> tuple[str, ...]:
    """The `months` calendar months up to and including `last` (YYYY-MM), first to last."""
    year, month = int(last[:4]), int(last[5:7])
    index = year * 12 + month - 1 - (months - 1)
    return tuple(f"{(index + i) // 12:04d}-{(index + i) % 12 + 1:02d}" for i in range(months))


def _units(team: TeamData, window: set[str]) -> list[FunnelUnit]:
    """The team's months in the window as funnel units (one of denominator 0 when it has none)."""
    rows = [
        FunnelUnit(id=str(team.team_id), label=team.name, numerator=n, denominator=d or 0.0)
        for p, n, d in team.data
        if p in window
    ]
    return rows or [FunnelUnit(id=str(team.team_id), label=team.name, numerator=0, denominator=0)]


def _method(units: list[FunnelUnit], measure: MeasureDefinition) -> Method:
    """Exact limits count events (and patients): whole numbers; anything else is drawn normal."""
    whole = all(float(u.numerator).is_integer() for u in units)
    if measure.data_type is DataType.PROPORTION:
        whole = whole and all(float(u.denominator).is_integer() for u in units)
    return "exact" if whole else "normal"
