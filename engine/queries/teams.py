"""Reads of teams, learning activities and participants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from aggregates.activity import LearningActivity
from aggregates.change_package import ChangePackage, Node, change_package_id
from aggregates.collaborative import Collaborative
from aggregates.participant import Participant
from aggregates.team import Team
from aggregates.tokens import Principal
from engine import authorization
from engine.errors import NotFound
from engine.queries.base import Reader
from projections.charts import ChartOptions, ChartView


@dataclass(frozen=True)
class ActivityRead:
    """An activity, and whose attendance the caller sees (None: everyone's)."""

    activity: LearningActivity
    attendance_of: frozenset[UUID] | None


@dataclass(frozen=True)
class TeamPage:
    """Everything a team's page shows: the team, a chart per measure (by key), its
    members' names, its collaborative, and the change package's nodes to plan from."""

    team: Team
    charts: dict[str, ChartView | None]
    names: dict[UUID, str]
    collaborative: Collaborative
    nodes: dict[UUID, Node]


@dataclass(frozen=True)
class LatestValue:
    measure: str
    period: str  # YYYY-MM
    numerator: float
    denominator: float | None
    months: int  # months with data


@dataclass(frozen=True)
class MyTeam:
    """One team on a person's home: how they work with it, its latest data and its cycles."""

    team_id: UUID
    name: str
    collaborative_id: UUID
    collaborative: str
    as_coach: bool
    latest: list[LatestValue]
    cycles: dict[str, int]  # stage -> how many cycles are at it


class TeamQueries(Reader):
    def my_teams(self, principal: Principal) -> list[MyTeam]:
        """The teams a signed-in person is a member of, then those they coach."""
        if principal.participant_id is None:
            return []
        person = self.engine.participant(principal.participant_id)
        found = [(t, False) for t in person.state.teams] + [
            (t, True) for t in person.state.coaching if t not in person.state.teams
        ]
        return [self._my_team(principal, team_id, as_coach) for team_id, as_coach in found]

    def _my_team(self, principal: Principal, team_id: UUID, as_coach: bool) -> MyTeam:
        team = self.team(principal, team_id)
        latest = []
        for series in team.state.measures.values():
            if series.data:
                period = max(series.data)
                value = series.data[period].current
                latest.append(
                    LatestValue(
                        series.definition.name, period, value.numerator, value.denominator, len(series.data)
                    )
                )
        cycles: dict[str, int] = {}
        for cycle in team.state.cycles.values():
            cycles[cycle.stage.value] = cycles.get(cycle.stage.value, 0) + 1
        collaborative = self.engine.collaborative(team.collaborative_id)
        return MyTeam(
            team.id, team.state.name, collaborative.id, collaborative.state.title, as_coach, latest, cycles
        )

    def team(self, principal: Principal, team_id: UUID, as_of: datetime | int | None = None) -> Team:
        """One team now, as of a moment (datetime) or at a version (int); scoped by its current state."""
        authorization.authorize_team_read(principal, self.engine.team(team_id))
        return self.engine.team(team_id, as_of=as_of)

    def team_page(self, principal: Principal, team_id: UUID) -> TeamPage:
        """The team's page: charts with default options, names, and what PlanCycle may link to."""
        team = self.team(principal, team_id)
        charts = {
            key: self.read_models.team_chart(team_id, key, ChartOptions()) for key in team.state.measures
        }
        names = {m: self.engine.participant(m).state.details.name for m in team.state.members}
        collaborative = self.engine.collaborative(team.collaborative_id)
        return TeamPage(team, charts, names, collaborative, self._change_package_nodes(team.collaborative_id))

    def _change_package_nodes(self, collaborative_id: UUID) -> dict[UUID, Node]:
        """The change package's nodes as PlanCycle checks them: from the aggregate, not a read model."""
        try:
            return self.engine.get(ChangePackage, change_package_id(collaborative_id)).state.nodes
        except NotFound:
            return {}

    def activity(self, principal: Principal, activity_id: UUID) -> ActivityRead:
        """A learning activity of a collaborative the caller reads; a team token sees its own members' attendance."""
        activity = self.engine.activity(activity_id)
        self._may_read_collaborative(principal, activity.collaborative_id)
        return ActivityRead(activity, authorization.attendance_scope(principal, self.engine))

    def participant(self, principal: Principal, participant_id: UUID) -> Participant:
        """A participant's details (staff, and auditors within what they audit)."""
        self._staff_about(principal, participant_id, "read participants' details")
        return self.engine.participant(participant_id)
