"""A store's plain personal values sealed in place: who did it, why, and how many rows.

Stored events change only here, once, for a store written before personal data was
sealed (how: engine/stored_sealing.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self
from uuid import UUID, uuid5

from pydantic import BaseModel, Field

from aggregates.base import CommandContext, QIAggregate, QICreated

NAMESPACE = UUID("9b4c1f0e-2d7a-4e55-8c3b-71a6d2e9f014")


class StoredSealingState(BaseModel):
    collaborative_id: UUID | None = None
    reason: str
    events: int
    snapshots: int


class StoredSealing(QIAggregate):
    """One sealing of a store's plain personal values, by someone, for a reason."""

    State = StoredSealingState
    if TYPE_CHECKING:
        state: StoredSealingState

    @classmethod
    def record(cls, ctx: CommandContext, reason: str, events: int, snapshots: int) -> Self:
        return cls._create_with(
            ctx,
            StoredValuesSealed,
            uuid5(NAMESPACE, ctx.command_id),
            collaborative_id=None,
            reason=reason,
            events=events,
            snapshots=snapshots,
        )


class StoredValuesSealed(QICreated):
    """The personal values that events and snapshots held in plain text were sealed in place."""

    reason: str = Field(min_length=1, max_length=2000)
    events: int = Field(ge=0, description="stored events rewritten")
    snapshots: int = Field(ge=0, description="stored snapshots rewritten")

    def apply(self, aggregate: StoredSealing) -> None:
        aggregate.state = StoredSealingState(reason=self.reason, events=self.events, snapshots=self.snapshots)
