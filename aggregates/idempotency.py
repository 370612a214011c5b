"""Idempotency on the store's own guarantee.

With a command's events, the engine saves a CommandRecord whose id derives from
the actor and the command id. A retry collides on (id, version 1), so it can
never write twice, and the stored record holds the first outcome to return.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self
from uuid import UUID, uuid5

from pydantic import BaseModel, Field

from aggregates.base import CommandContext, QIAggregate, QICreated

NAMESPACE = UUID("6f1c4b8e-2f57-4d3a-9a39-0c1f7d0e5a21")


class Outcome(BaseModel):
    """What a command did: the resource it addressed, its version, the events."""

    id: UUID
    version: int
    events: list[str] = Field(default_factory=list)
    created: dict[str, list[UUID]] = Field(default_factory=dict)


class CommandRecordState(BaseModel):
    collaborative_id: UUID | None
    command_type: str
    fingerprint: str
    outcome: Outcome


class CommandRecord(QIAggregate):
    State = CommandRecordState
    if TYPE_CHECKING:
        state: CommandRecordState

    @classmethod
    def accept(
        cls,
        ctx: CommandContext,
        command: BaseModel,
        fingerprint: str,
        outcome: Outcome,
        collaborative_id: UUID | None,
    ) -> Self:
        return cls._create_with(
            ctx,
            CommandAccepted,
            record_id(ctx),
            collaborative_id=collaborative_id,
            command_type=type(command).__name__,
            fingerprint=fingerprint,
            outcome=outcome,
        )


class CommandAccepted(QICreated):
    command_type: str
    fingerprint: str
    outcome: Outcome

    def apply(self, aggregate: CommandRecord) -> None:
        aggregate.state = CommandRecordState(
            collaborative_id=self.collaborative_id,
            command_type=self.command_type,
            fingerprint=self.fingerprint,
            outcome=self.outcome,
        )


def record_id(ctx: CommandContext) -> UUID:
    return uuid5(NAMESPACE, f"command\x1f{ctx.actor.id}\x1f{ctx.command_id}")


def derived_id(ctx: CommandContext, purpose: str) -> UUID:
    """An id for something a command creates, the same on every retry."""
    return uuid5(NAMESPACE, f"{purpose}\x1f{ctx.actor.id}\x1f{ctx.command_id}")
