"""Reads of collaboratives: the list, one collaborative (also as of a moment or a
version), what its phase still needs, its dashboard and its overview page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from aggregates.collaborative import Collaborative
from aggregates.criteria import UnmetCriterion
from aggregates.phases import Phase, next_phase
from aggregates.tokens import Principal
from engine import authorization
from engine.errors import NotFound
from engine.handlers.collaborative import phase_facts
from engine.queries.base import Reader
from engine.unit_of_work import UnitOfWork
from projections.charts import ChartOptions, ChartView
from projections.dashboard_view import CollaborativeListed, DashboardView


@dataclass(frozen=True)
class PhaseExit:
    """What stands between a collaborative and its next phase."""

    phase: Phase
    next_phase: Phase | None
    unmet: list[UnmetCriterion]


@dataclass(frozen=True)
class Overview:
    """A collaborative's overview page: the collaborative, its dashboard (None while the
    read model has not seen it yet), a chart per measure, and who may attend (staff)."""

    collaborative: Collaborative
    dashboard: DashboardView | None
    charts: list[tuple[str, ChartView | None]]
    attendees: list[tuple[UUID, str, str]]


class CollaborativeQueries(Reader):
    def collaboratives(self, principal: Principal) -> list[CollaborativeListed]:
        """Every collaborative the caller may read, oldest first, from the dashboard's tables."""
        authorization.authorize_read(principal)
        return [
            c for c in self._listed() if authorization.may_read_collaborative(principal, c.id, self.engine)
        ]

    def collaborative(
        self, principal: Principal, collaborative_id: UUID, as_of: datetime | int | None = None
    ) -> Collaborative:
        """One collaborative now, as of a moment (datetime) or at a version (int)."""
        self._may_read_collaborative(principal, collaborative_id)
        return self.engine.collaborative(collaborative_id, as_of=as_of)

    def phase_exit(self, principal: Principal, collaborative_id: UUID) -> PhaseExit:
        """The criteria of the current phase still unmet, gathered as AdvancePhase gathers them."""
        self._may_read_collaborative(principal, collaborative_id)
        uow = UnitOfWork(self.engine.repository, None, None)
        collaborative = uow.collaborative(collaborative_id)
        teams, sessions = phase_facts(uow, collaborative)
        return PhaseExit(
            phase=collaborative.phase,
            next_phase=next_phase(collaborative.phase),
            unmet=collaborative.unmet_exit_criteria(teams, sessions),
        )

    def dashboard(self, principal: Principal, collaborative_id: UUID) -> DashboardView:
        """The collaborative's dashboard; NotFound when the read model has no such collaborative."""
        self._may_read_collaborative(principal, collaborative_id)
        view = self.read_models.dashboard(collaborative_id)
        if view is None:
            raise NotFound("collaborative", collaborative_id)
        return view

    def dashboard_json(self, principal: Principal, collaborative_id: UUID) -> bytes:
        """The dashboard as the API sends it, serialised once per change of the read model."""
        self._may_read_collaborative(principal, collaborative_id)
        body = self.read_models.dashboard_json(collaborative_id)
        if body is None:
            raise NotFound("collaborative", collaborative_id)
        return body

    def overview(self, principal: Principal, collaborative_id: UUID) -> Overview:
        """Everything the collaborative's overview page shows."""
        self._may_read_collaborative(principal, collaborative_id)
        collaborative = self.engine.collaborative(collaborative_id)
        models = self.read_models
        dashboard = models.dashboard(collaborative_id)
        charts = [
            (m.name, models.collaborative_chart(collaborative_id, m.key, ChartOptions()))
            for m in collaborative.state.measures.values()
        ]
        attendees = self._attendees(collaborative) if principal.staff else []
        return Overview(collaborative, dashboard, charts, attendees)

    def _attendees(self, collaborative: Collaborative) -> list[tuple[UUID, str, str]]:
        """(participant id, name, team) for every member of an active team: who may attend."""
        people = []
        for team_id, entry in collaborative.state.teams.items():
            if entry.active:
                for member in self.engine.team(team_id).state.members.values():
                    name = self.engine.participant(member.participant_id).state.details.name
                    people.append((member.participant_id, name, entry.name))
        return sorted(people, key=lambda p: (p[2], p[1]))

    def _listed(self) -> list[CollaborativeListed]:
        return self.read_models.collaboratives()
