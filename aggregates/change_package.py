"""The ChangePackage: a collaborative's driver diagram, maintained by staff.

The tree: the aim; primary drivers; secondary drivers, each under one primary;
change ideas, each under exactly one secondary driver. Nothing is deleted: a
rename keeps the earlier names, a retired node stays (with the PDSA cycles that
tested it) but gets no children, and moving a change idea to another secondary
driver is its own event that keeps the earlier parent.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Self
from uuid import UUID, uuid5

from pydantic import BaseModel, Field

from aggregates.base import CommandContext, QIAggregate, QICreated, QIEvent, Value
from aggregates.errors import RuleViolation
from aggregates.phases import Activity, Phase, require_allowed
from aggregates.values import Name, Text

NAMESPACE = UUID("3d0c6f7e-8a41-4b2f-9e55-7c1a2b9d4e60")


def change_package_id(collaborative_id: UUID) -> UUID:
    """One change package per collaborative, so its id derives from the collaborative's."""
    return uuid5(NAMESPACE, f"change-package\x1f{collaborative_id}")


class NodeKind(StrEnum):
    PRIMARY_DRIVER = "primary_driver"
    SECONDARY_DRIVER = "secondary_driver"
    CHANGE_IDEA = "change_idea"


# The kind of node each kind hangs under (a primary driver hangs under the aim).
PARENT_KIND: dict[NodeKind, NodeKind | None] = {
    NodeKind.PRIMARY_DRIVER: None,
    NodeKind.SECONDARY_DRIVER: NodeKind.PRIMARY_DRIVER,
    NodeKind.CHANGE_IDEA: NodeKind.SECONDARY_DRIVER,
}


def label(kind: NodeKind) -> str:
    return kind.value.replace("_", " ")


class NodeFields(Value):
    name: Name
    description: Text | None = None


class Node(BaseModel):
    kind: NodeKind
    name: str
    description: str | None = None
    parent_id: UUID | None = None
    retired_at: datetime | None = None
    retired_reason: str | None = None
    earlier_names: list[str] = Field(default_factory=list)
    earlier_parents: list[UUID] = Field(default_factory=list)

    @property
    def retired(self) -> bool:
        return self.retired_at is not None


class ChangePackageState(BaseModel):
    collaborative_id: UUID
    aim: str
    earlier_aims: list[str] = Field(default_factory=list)
    nodes: dict[UUID, Node] = Field(default_factory=dict)


class ChangePackage(QIAggregate):
    State = ChangePackageState
    if TYPE_CHECKING:
        state: ChangePackageState

    @classmethod
    def start(cls, ctx: CommandContext, collaborative_id: UUID, phase: Phase, aim: str) -> Self:
        require_allowed(Activity.MAINTAIN_CHANGE_PACKAGE, phase)
        package_id = change_package_id(collaborative_id)
        return cls._create_with(
            ctx, ChangePackageStarted, package_id, collaborative_id=collaborative_id, aim=aim
        )

    def revise_aim(self, ctx: CommandContext, phase: Phase, aim: str) -> None:
        require_allowed(Activity.MAINTAIN_CHANGE_PACKAGE, phase)
        if aim != self.state.aim:
            self._record(ctx, ChangePackageAimRevised, aim=aim)

    def add_node(
        self,
        ctx: CommandContext,
        phase: Phase,
        node_id: UUID,
        kind: NodeKind,
        fields: NodeFields,
        parent_id: UUID | None,
    ) -> None:
        """Add a driver or change idea under a live parent of the kind it belongs under."""
        require_allowed(Activity.MAINTAIN_CHANGE_PACKAGE, phase)
        existing = self.state.nodes.get(node_id)
        if existing is not None:
            same = (existing.kind, existing.name, existing.description, existing.parent_id)
            if same == (kind, fields.name, fields.description, parent_id):
                return
            raise RuleViolation(f"{label(existing.kind)} {node_id} already exists as {existing.name!r}")
        self._require_parent(kind, parent_id)
        self._require_unique_name(kind, fields.name)
        event = ChangeIdeaAdded if kind is NodeKind.CHANGE_IDEA else DriverAdded
        self._record(ctx, event, node_id=node_id, kind=kind, fields=fields, parent_id=parent_id)

    def rename(self, ctx: CommandContext, phase: Phase, node_id: UUID, fields: NodeFields) -> None:
        require_allowed(Activity.MAINTAIN_CHANGE_PACKAGE, phase)
        node = self._live(node_id, "renamed")
        if (node.name, node.description) == (fields.name, fields.description):
            return
        if fields.name.casefold() != node.name.casefold():
            self._require_unique_name(node.kind, fields.name)
        self._record(ctx, ChangePackageNodeRenamed, node_id=node_id, fields=fields)

    def retire(self, ctx: CommandContext, phase: Phase, node_id: UUID, reason: str) -> None:
        """Retire a node; it stays in the history. Its live children go first."""
        require_allowed(Activity.MAINTAIN_CHANGE_PACKAGE, phase)
        node = self.node(node_id)
        if node.retired:
            return
        children = [n.name for n in self.state.nodes.values() if n.parent_id == node_id and not n.retired]
        if children:
            raise RuleViolation(
                f"{label(node.kind)} {node.name!r} still has live children ({', '.join(children)}); "
                "retire or move them first"
            )
        self._record(ctx, ChangePackageNodeRetired, node_id=node_id, reason=reason)

    def move_idea(self, ctx: CommandContext, phase: Phase, idea_id: UUID, secondary_driver_id: UUID) -> None:
        """Move a change idea to another secondary driver; it belongs to one at a time."""
        require_allowed(Activity.MAINTAIN_CHANGE_PACKAGE, phase)
        idea = self.live_idea(idea_id)
        if idea.parent_id == secondary_driver_id:
            return
        self._require_parent(NodeKind.CHANGE_IDEA, secondary_driver_id)
        self._record(ctx, ChangeIdeaMoved, node_id=idea_id, from_id=idea.parent_id, to_id=secondary_driver_id)

    def node(self, node_id: UUID) -> Node:
        try:
            return self.state.nodes[node_id]
        except KeyError:
            raise RuleViolation(f"the change package has no driver or change idea {node_id}") from None

    def live_idea(self, idea_id: UUID) -> Node:
        """A change idea teams may still test and toolkits may still recommend."""
        node = self.node(idea_id)
        if node.kind is not NodeKind.CHANGE_IDEA:
            raise RuleViolation(f"{node.name!r} is a {label(node.kind)}, not a change idea")
        if node.retired:
            raise RuleViolation(f"change idea {node.name!r} is retired: {node.retired_reason}")
        return node

    def _live(self, node_id: UUID, what: str) -> Node:
        node = self.node(node_id)
        if node.retired:
            raise RuleViolation(f"{label(node.kind)} {node.name!r} is retired and cannot be {what}")
        return node

    def _require_parent(self, kind: NodeKind, parent_id: UUID | None) -> None:
        wanted = PARENT_KIND[kind]
        if wanted is None:
            if parent_id is not None:
                raise RuleViolation("a primary driver hangs under the aim, not under another node")
            return
        if parent_id is None:
            raise RuleViolation(f"a {label(kind)} belongs under exactly one {label(wanted)}")
        parent = self.node(parent_id)
        if parent.kind is not wanted:
            raise RuleViolation(
                f"a {label(kind)} belongs under a {label(wanted)}; {parent.name!r} is a {label(parent.kind)}"
            )
        if parent.retired:
            raise RuleViolation(f"{label(parent.kind)} {parent.name!r} is retired: it gets no new children")

    def _require_unique_name(self, kind: NodeKind, name: str) -> None:
        for node in self.state.nodes.values():
            if node.kind is kind and not node.retired and node.name.casefold() == name.casefold():
                where = f" under {self.state.nodes[node.parent_id].name!r}" if node.parent_id else ""
                raise RuleViolation(
                    f"a live {label(kind)} named {node.name!r} already exists{where}; "
                    + ("move it instead" if kind is NodeKind.CHANGE_IDEA else "rename one of them")
                )


# Events ---------------------------------------------------------------------


class ChangePackageStarted(QICreated):
    aim: str

    def apply(self, aggregate: ChangePackage) -> None:
        assert self.collaborative_id is not None
        aggregate.state = ChangePackageState(collaborative_id=self.collaborative_id, aim=self.aim)


class ChangePackageAimRevised(QIEvent):
    aim: str

    def apply(self, aggregate: ChangePackage) -> None:
        aggregate.state.earlier_aims.append(aggregate.state.aim)
        aggregate.state.aim = self.aim


class DriverAdded(QIEvent):
    """A primary driver (under the aim) or a secondary driver (under a primary)."""

    node_id: UUID
    kind: NodeKind
    fields: NodeFields
    parent_id: UUID | None = None

    def apply(self, aggregate: ChangePackage) -> None:
        aggregate.state.nodes[self.node_id] = Node(
            kind=self.kind, **self.fields.model_dump(), parent_id=self.parent_id
        )


class ChangeIdeaAdded(DriverAdded):
    """A change idea under one secondary driver."""


class ChangePackageNodeRenamed(QIEvent):
    node_id: UUID
    fields: NodeFields

    def apply(self, aggregate: ChangePackage) -> None:
        node = aggregate.state.nodes[self.node_id]
        if node.name != self.fields.name:
            node.earlier_names.append(node.name)
        node.name, node.description = self.fields.name, self.fields.description


class ChangePackageNodeRetired(QIEvent):
    node_id: UUID
    reason: str

    def apply(self, aggregate: ChangePackage) -> None:
        node = aggregate.state.nodes[self.node_id]
        node.retired_at, node.retired_reason = self.timestamp, self.reason


class ChangeIdeaMoved(QIEvent):
    node_id: UUID
    from_id: UUID | None
    to_id: UUID

    def apply(self, aggregate: ChangePackage) -> None:
        node = aggregate.state.nodes[self.node_id]
        if node.parent_id is not None:
            node.earlier_parents.append(node.parent_id)
        node.parent_id = self.to_id
