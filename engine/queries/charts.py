"""Measure charts: a team's, or a collaborative's across its active teams."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from aggregates.tokens import Principal
from engine import authorization
from engine.errors import NotFound
from engine.queries.base import Reader
from projections.charts import ChartOptions, ChartView


@dataclass(frozen=True)
class Chart:
    """A chart and whose it is (the team's name or the collaborative's title), for its title."""

    view: ChartView
    of: str


class ChartQueries(Reader):
    def team_chart(self, principal: Principal, team_id: UUID, key: str, options: ChartOptions) -> Chart:
        """A team measure's chart; ValueError when the options cannot draw it, NotFound without the measure."""
        team = self.engine.team(team_id)
        authorization.authorize_team_read(principal, team)
        view = self.read_models.team_chart(team_id, key, options)
        if view is None:
            raise NotFound(f"measure {key!r} of team", team_id)
        return Chart(view, team.state.name)

    def collaborative_chart(
        self, principal: Principal, collaborative_id: UUID, key: str, options: ChartOptions
    ) -> Chart:
        """A measure summed by month over the collaborative's active teams; errors as `team_chart`."""
        self._may_read_collaborative(principal, collaborative_id)
        collaborative = self.engine.collaborative(collaborative_id)
        view = self.read_models.collaborative_chart(collaborative_id, key, options)
        if view is None:
            raise NotFound(f"measure {key!r} in any team of collaborative", collaborative_id)
        return Chart(view, collaborative.state.title)
