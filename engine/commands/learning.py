"""Commands of shared learning: the resource library, the change package (driver
diagram), all teach all learn between teams, and toolkits."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from aggregates.change_package import change_package_id
from aggregates.values import DriverLevel, Name, Text
from engine.commands import Command, NewId
from engine.commands.fields import HttpUrl, Items
from engine.commands.inputs import ResourceDetailsIn, StoredFileIn
from engine.commands.team import TeamCommand


class ShareLink(Command):
    """Add a link to the collaborative's library."""

    target_field = "collaborative_id"
    collaborative_id: UUID
    resource_id: NewId | None = None
    details: ResourceDetailsIn
    url: Annotated[str, HttpUrl("the link")]


class ShareFile(Command):
    """Add a file to the library; the upload route stores it first and sends what the store holds."""

    target_field = "collaborative_id"
    collaborative_id: UUID
    resource_id: NewId | None = None
    details: ResourceDetailsIn
    file: StoredFileIn


class ChangePackageCommand(Command):
    """A command on a collaborative's change package, which If-Match versions refer to."""

    collaborative_id: UUID

    def target_id(self) -> UUID:
        return change_package_id(self.collaborative_id)


class ReviseAim(ChangePackageCommand):
    aim: Text


class AddDriver(ChangePackageCommand):
    driver_id: NewId | None = None
    level: DriverLevel
    name: Name
    description: Text | None = None
    primary_driver_id: UUID | None = None


class AddChangeIdea(ChangePackageCommand):
    change_idea_id: NewId | None = None
    secondary_driver_id: UUID
    name: Name
    description: Text | None = None


class RenameNode(ChangePackageCommand):
    """Rename a driver or change idea; the earlier name stays in its history."""

    node_id: UUID
    name: Name
    description: Text | None = None


class RetireNode(ChangePackageCommand):
    """Retire a driver or change idea; it stays in the history and gets no children."""

    node_id: UUID
    reason: Text


class MoveChangeIdea(ChangePackageCommand):
    change_idea_id: UUID
    secondary_driver_id: UUID


class CommentOnProject(TeamCommand):
    """A team (`team_id`, the commenter) comments on a shared project."""

    project_team_id: UUID
    comment_id: NewId | None = None
    text: Text


class TryChange(TeamCommand):
    """'We are trying this': one of the team's PDSA cycles tests another team's shared change."""

    project_team_id: UUID
    cycle_id: UUID


class CompileToolkit(Command):
    target_field = "collaborative_id"
    collaborative_id: UUID
    toolkit_id: NewId | None = None
    title: Name
    introduction: Text | None = None
    change_idea_ids: Annotated[tuple[UUID, ...], Items(200, "change idea", least=1)]
    resource_ids: Annotated[tuple[UUID, ...], Items(500, "resource")] = ()
