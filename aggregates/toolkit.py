"""A Toolkit: an implementation toolkit staff compile from selected change ideas
and library resources. The engine records it as one of the collaborative's
outputs in the same save; its evidence is read, as of the moment it was
compiled, from the events."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Self
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from aggregates.base import CommandContext, QIAggregate, QICreated, Value
from aggregates.phases import Activity, Phase, require_allowed
from aggregates.values import Name, Text


class ToolkitSelection(Value):
    title: Name
    introduction: Text | None = None
    change_idea_ids: tuple[UUID, ...] = Field(min_length=1, max_length=200)
    resource_ids: tuple[UUID, ...] = Field(default=(), max_length=500)

    @model_validator(mode="after")
    def _each_once(self) -> ToolkitSelection:
        for name, ids in (("change_idea_ids", self.change_idea_ids), ("resource_ids", self.resource_ids)):
            if len(set(ids)) != len(ids):
                raise ValueError(f"{name} lists an item twice")
        return self


class ToolkitState(BaseModel):
    collaborative_id: UUID
    selection: ToolkitSelection
    compiled_by: str
    compiled_at: datetime


class Toolkit(QIAggregate):
    State = ToolkitState
    if TYPE_CHECKING:
        state: ToolkitState

    @classmethod
    def compile(
        cls,
        ctx: CommandContext,
        toolkit_id: UUID,
        collaborative_id: UUID,
        phase: Phase,
        selection: ToolkitSelection,
    ) -> Self:
        """A toolkit is an output, so it is compiled when outputs may be recorded."""
        require_allowed(Activity.RECORD_OUTPUT, phase)
        return cls._create_with(
            ctx, ToolkitCompiled, toolkit_id, collaborative_id=collaborative_id, selection=selection
        )


class ToolkitCompiled(QICreated):
    selection: ToolkitSelection

    def apply(self, aggregate: Toolkit) -> None:
        assert self.collaborative_id is not None
        aggregate.state = ToolkitState(
            collaborative_id=self.collaborative_id,
            selection=self.selection,
            compiled_by=self.actor_id,
            compiled_at=self.timestamp,
        )
