"""Reads of shared learning: the library and its files, the driver diagram, the teams'
shared projects, and toolkits; each scoped to the collaborative it belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from aggregates.collaborative import Collaborative
from aggregates.resource import Resource, StoredFile
from aggregates.team import Team
from aggregates.tokens import Principal
from engine import authorization
from engine.errors import NotFound
from engine.queries.base import Reader
from engine.read_models import ReadModels
from projections.change_ideas import DriverDiagramView
from projections.charts import ChartOptions, ChartView
from projections.learning_view import ResourceView, SharedProjectView, ToolkitView


@dataclass(frozen=True)
class Diagram:
    """The change package's diagram (empty, version 0, before it is started) and its collaborative."""

    view: DriverDiagramView
    collaborative: Collaborative


@dataclass(frozen=True)
class LibraryPage:
    """The library page: resources matching the search, tags, the teams' shared projects,
    and the caller's own team when it is a team of this collaborative."""

    collaborative: Collaborative
    resources: list[ResourceView]
    tags: list[tuple[str, int]]
    projects: list[SharedProjectView]
    own_team: Team | None
    read_models: ReadModels

    def chart(self, team_id: UUID, key: str) -> ChartView | None:
        """A chart of one of these shared projects: shared, it is shown to every reader of the library."""
        if all(p.team_id != team_id for p in self.projects):
            raise NotFound("shared project of team", team_id)
        return self.read_models.team_chart(team_id, key, ChartOptions())


class LearningQueries(Reader):
    def library(
        self, principal: Principal, collaborative_id: UUID, q: str | None = None, tag: str | None = None
    ) -> list[ResourceView]:
        """The library, newest first, matching every word of `q` and `tag`."""
        self._may_read_collaborative(principal, collaborative_id)
        self.engine.collaborative(collaborative_id)
        return self.read_models.library(collaborative_id, q, tag)

    def library_page(
        self, principal: Principal, collaborative_id: UUID, q: str | None = None, tag: str | None = None
    ) -> LibraryPage:
        """Everything the library page shows (its charts are read on demand: the page caps them)."""
        self._may_read_collaborative(principal, collaborative_id)
        collaborative = self.engine.collaborative(collaborative_id)
        own = authorization.own_team_in(principal, collaborative_id, self.engine)
        models = self.read_models
        projects = models.shared_projects(collaborative_id)
        resources = models.library(collaborative_id, q, tag)
        tags = models.library_tags(collaborative_id)
        return LibraryPage(collaborative, resources, tags, projects, own, models)

    def resource(self, principal: Principal, resource_id: UUID) -> ResourceView:
        """One library resource."""
        authorization.authorize_read(principal)
        found = self.read_models.resource(resource_id)
        if found is None:
            raise NotFound("resource", resource_id)
        self._may_read_collaborative(principal, found.collaborative_id)
        return found

    def resource_file(self, principal: Principal, resource_id: UUID) -> StoredFile:
        """Where an uploaded resource's file is stored, and its recorded SHA-256."""
        authorization.authorize_read(principal)
        resource = self.engine.get(Resource, resource_id)
        self._may_read_collaborative(principal, resource.state.collaborative_id)
        if resource.state.file is None:
            raise NotFound("uploaded file of resource", resource_id)
        return resource.state.file

    def driver_diagram(self, principal: Principal, collaborative_id: UUID) -> Diagram:
        """The change package as a tree with each change idea's figures."""
        self._may_read_collaborative(principal, collaborative_id)
        collaborative = self.engine.collaborative(collaborative_id)
        view = self.read_models.driver_diagram(collaborative_id) or DriverDiagramView(
            collaborative_id=collaborative_id, version=0, aim=collaborative.state.aim, aim_sources=[],
            as_of_position=None, primary_drivers=[],
        )  # fmt: skip
        return Diagram(view, collaborative)

    def shared_projects(self, principal: Principal, collaborative_id: UUID) -> list[SharedProjectView]:
        """Every team's shared project."""
        self._may_read_collaborative(principal, collaborative_id)
        self.engine.collaborative(collaborative_id)
        return self.read_models.shared_projects(collaborative_id)

    def toolkits(self, principal: Principal, collaborative_id: UUID) -> list[ToolkitView]:
        """The collaborative's toolkits, oldest first."""
        self._may_read_collaborative(principal, collaborative_id)
        self.engine.collaborative(collaborative_id)
        return self.read_models.toolkits(collaborative_id)

    def toolkit(self, principal: Principal, toolkit_id: UUID) -> ToolkitView:
        """One toolkit with its change ideas' figures and its resources."""
        authorization.authorize_read(principal)
        found = self.read_models.toolkit(toolkit_id)
        if found is None:
            raise NotFound("toolkit", toolkit_id)
        self._may_read_collaborative(principal, found.collaborative_id)
        return found
