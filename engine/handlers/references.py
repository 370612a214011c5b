"""Checks that a command's reference to another aggregate is to a live one."""

from __future__ import annotations

from uuid import UUID

from aggregates.change_package import ChangePackage, NodeKind, change_package_id
from engine.errors import UnknownReference
from engine.unit_of_work import UnitOfWork


def live_change_idea(uow: UnitOfWork, collaborative_id: UUID, idea_id: UUID) -> None:
    """Refuse a change idea that is not a live one of the collaborative's change package."""
    package_id = change_package_id(collaborative_id)
    if not uow.exists(ChangePackage, package_id):
        raise UnknownReference(f"no change idea {idea_id}: the collaborative has no change package yet")
    package = uow.read(ChangePackage, package_id)
    node = package.state.nodes.get(idea_id)
    if node is None or node.kind is not NodeKind.CHANGE_IDEA:
        raise UnknownReference(f"no change idea {idea_id} in the collaborative's change package")
    package.live_idea(idea_id)
