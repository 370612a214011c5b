"""Handlers of shared learning: library resources, the change package, comments
and 'we are trying this' between teams, toolkits; and the PDSA link to a change
idea."""

from __future__ import annotations

from uuid import UUID

from aggregates.base import CommandContext
from aggregates.change_package import ChangePackage, NodeFields, NodeKind, change_package_id
from aggregates.collaborative import Collaborative
from aggregates.errors import RuleViolation
from aggregates.idempotency import derived_id
from aggregates.phases import Phase
from aggregates.resource import Resource, StoredFile
from aggregates.team import Team
from aggregates.toolkit import Toolkit, ToolkitSelection
from aggregates.values import DriverLevel, OutputDetails, OutputKind, ProjectRef
from engine.commands import Command
from engine.commands.learning import (
    AddChangeIdea,
    AddDriver,
    ChangePackageCommand,
    CommentOnProject,
    CompileToolkit,
    MoveChangeIdea,
    RenameNode,
    RetireNode,
    ReviseAim,
    ShareFile,
    ShareLink,
    TryChange,
)
from engine.errors import AlreadyExists, UnknownReference
from engine.handlers.handler import Handler
from engine.handlers.references import live_change_idea
from engine.handlers.team import team_and_phase
from engine.unit_of_work import UnitOfWork

# Library ---------------------------------------------------------------------


def share_link(uow: UnitOfWork, ctx: CommandContext, cmd: ShareLink) -> UUID:
    return _share(uow, ctx, cmd, url=cmd.url)


def share_file(uow: UnitOfWork, ctx: CommandContext, cmd: ShareFile) -> UUID:
    return _share(uow, ctx, cmd, file=cmd.file)


def _share(
    uow: UnitOfWork,
    ctx: CommandContext,
    cmd: ShareLink | ShareFile,
    url: str | None = None,
    file: StoredFile | None = None,
) -> UUID:
    collaborative = uow.read(Collaborative, cmd.collaborative_id)
    resource_id = cmd.resource_id or derived_id(ctx, "resource")
    if uow.exists(Resource, resource_id):
        raise AlreadyExists(f"resource {resource_id} already exists")
    uow.add(Resource.share(ctx, resource_id, collaborative.id, collaborative.phase, cmd.details, url, file))
    return resource_id


# Change package --------------------------------------------------------------


def _package(uow: UnitOfWork, ctx: CommandContext, cmd: ChangePackageCommand) -> tuple[ChangePackage, Phase]:
    """The collaborative's change package, started from the collaborative's aim on first use."""
    collaborative = uow.read(Collaborative, cmd.collaborative_id)
    package_id = change_package_id(collaborative.id)
    if uow.exists(ChangePackage, package_id):
        return uow.get(ChangePackage, package_id), collaborative.phase
    aim = cmd.aim if isinstance(cmd, ReviseAim) else collaborative.state.aim
    if not aim:
        raise RuleViolation("the collaborative has no aim yet: give the change package its aim first")
    package = ChangePackage.start(ctx, collaborative.id, collaborative.phase, aim)
    uow.add(package)
    return package, collaborative.phase


def revise_aim(uow: UnitOfWork, ctx: CommandContext, cmd: ReviseAim) -> UUID:
    package, phase = _package(uow, ctx, cmd)
    package.revise_aim(ctx, phase, cmd.aim)
    return package.id


def add_driver(uow: UnitOfWork, ctx: CommandContext, cmd: AddDriver) -> UUID:
    package, phase = _package(uow, ctx, cmd)
    primary = cmd.level is DriverLevel.PRIMARY
    kind = NodeKind.PRIMARY_DRIVER if primary else NodeKind.SECONDARY_DRIVER
    node_id = uow.mark_created("Driver", cmd.driver_id or derived_id(ctx, "driver"))
    fields = NodeFields(name=cmd.name, description=cmd.description)
    package.add_node(ctx, phase, node_id, kind, fields, cmd.primary_driver_id)
    return package.id


def add_change_idea(uow: UnitOfWork, ctx: CommandContext, cmd: AddChangeIdea) -> UUID:
    package, phase = _package(uow, ctx, cmd)
    idea_id = uow.mark_created("ChangeIdea", cmd.change_idea_id or derived_id(ctx, "change-idea"))
    fields = NodeFields(name=cmd.name, description=cmd.description)
    package.add_node(ctx, phase, idea_id, NodeKind.CHANGE_IDEA, fields, cmd.secondary_driver_id)
    return package.id


def rename_node(uow: UnitOfWork, ctx: CommandContext, cmd: RenameNode) -> UUID:
    package, phase = _package(uow, ctx, cmd)
    fields = NodeFields(name=cmd.name, description=cmd.description)
    package.rename(ctx, phase, cmd.node_id, fields)
    return package.id


def retire_node(uow: UnitOfWork, ctx: CommandContext, cmd: RetireNode) -> UUID:
    package, phase = _package(uow, ctx, cmd)
    package.retire(ctx, phase, cmd.node_id, cmd.reason)
    return package.id


def move_change_idea(uow: UnitOfWork, ctx: CommandContext, cmd: MoveChangeIdea) -> UUID:
    package, phase = _package(uow, ctx, cmd)
    package.move_idea(ctx, phase, cmd.change_idea_id, cmd.secondary_driver_id)
    return package.id


# All teach, all learn ----------------------------------------------------------


def _project(uow: UnitOfWork, team_id: UUID) -> ProjectRef:
    other = uow.read(Team, team_id)
    return ProjectRef(
        team_id=other.id, collaborative_id=other.state.collaborative_id, shared=bool(other.state.shared)
    )


def comment_on_project(uow: UnitOfWork, ctx: CommandContext, cmd: CommentOnProject) -> UUID:
    team, phase = team_and_phase(uow, cmd.team_id)
    project = _project(uow, cmd.project_team_id)
    comment_id = uow.mark_created("Comment", cmd.comment_id or derived_id(ctx, "comment"))
    team.comment_on_project(ctx, phase, comment_id, project, cmd.text)
    return team.id


def try_change(uow: UnitOfWork, ctx: CommandContext, cmd: TryChange) -> UUID:
    team, phase = team_and_phase(uow, cmd.team_id)
    team.try_shared_change(ctx, phase, _project(uow, cmd.project_team_id), cmd.cycle_id)
    return team.id


# Toolkits ---------------------------------------------------------------------


def compile_toolkit(uow: UnitOfWork, ctx: CommandContext, cmd: CompileToolkit) -> UUID:
    collaborative = uow.collaborative(cmd.collaborative_id)
    for idea_id in cmd.change_idea_ids:
        live_change_idea(uow, collaborative.id, idea_id)
    for resource_id in cmd.resource_ids:
        _require_resource_of(uow, resource_id, collaborative.id)
    toolkit_id = cmd.toolkit_id or derived_id(ctx, "toolkit")
    if uow.exists(Toolkit, toolkit_id):
        raise AlreadyExists(f"toolkit {toolkit_id} already exists")
    selection = ToolkitSelection(
        **cmd.model_dump(include={"title", "introduction", "change_idea_ids", "resource_ids"})
    )
    uow.add(Toolkit.compile(ctx, toolkit_id, collaborative.id, collaborative.phase, selection))
    output = OutputDetails(
        kind=OutputKind.TOOLKIT, title=cmd.title, url=f"/toolkits/{toolkit_id}", description=cmd.introduction
    )
    collaborative.record_output(ctx, toolkit_id, output)
    return toolkit_id


def _require_resource_of(uow: UnitOfWork, resource_id: UUID, collaborative_id: UUID) -> None:
    if (
        not uow.exists(Resource, resource_id)
        or uow.read(Resource, resource_id).collaborative_id != collaborative_id
    ):
        raise UnknownReference(f"no resource {resource_id} in the collaborative's library")


HANDLERS: dict[type[Command], Handler] = {
    ShareLink: share_link,
    ShareFile: share_file,
    ReviseAim: revise_aim,
    AddDriver: add_driver,
    AddChangeIdea: add_change_idea,
    RenameNode: rename_node,
    RetireNode: retire_node,
    MoveChangeIdea: move_change_idea,
    CommentOnProject: comment_on_project,
    TryChange: try_change,
    CompileToolkit: compile_toolkit,
}
