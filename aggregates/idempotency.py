"""Idempotency on the store's own guarantee.

With a command's events, the engine saves a CommandRecord whose id derives from
the actor and the command id. A retry collides on (id, version 1), so it can
never write twice, and the stored record holds the first outcome to return.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict, Field

from aggregates.base import CommandContext, QIAggregate, QICreated

NAMESPACE = UUID("6f1c4b8e-2f57-4d3a-9a39-0c1f7d0e5a21")


class CommandResult(BaseModel):
    """What a write did: the resource it addressed, its new version, the events."""

    # Every result carries all four (the defaults only read records that lacked one), so
    # the schema of what the API and the stored record give says so.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    id: UUID
    version: int
    events: list[str] = Field(default_factory=list)
    created: dict[str, list[UUID]] = Field(default_factory=dict)


class CommandRecordState(BaseModel):
    collaborative_id: UUID | None
    command_type: str
    fingerprint: str
    outcome: CommandResult


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
        outcome: CommandResult,
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
    outcome: CommandResult

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
