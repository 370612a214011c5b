"""Ids: the namespace a client chooses from, and claims that keep client-chosen ids unique.

Every id the engine derives is a version 5 UUID (`derived_id`, `change_package_id`), and
commands refuse version 5 ids from clients (`engine.commands.NewId`), so a client can never
take an id the engine will derive. Ids a client chooses are claimed in the same atomic save
as what they name: a second use anywhere, by any kind, is refused before it is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self
from uuid import UUID, uuid5

from pydantic import BaseModel

from aggregates.base import CommandContext, QIAggregate, QICreated


def named_id(namespace: UUID, name: str) -> UUID:
    """A fixed id for a name, outside the derived (version 5) namespace: the bits of
    uuid5(namespace, name) with the version set to 8 (RFC 9562's custom version)."""
    value = uuid5(namespace, name).int
    value &= ~(0xF << 76)
    value |= 8 << 76
    return UUID(int=value)


NAMESPACE = UUID("3d0f6a0e-8c4b-4b7e-9f51-2a6e1c9d7b35")


def claim_id(entity_id: UUID) -> UUID:
    """The id of the claim on `entity_id`: one per id, whatever kind of thing it names."""
    return uuid5(NAMESPACE, f"claim\x1f{entity_id}")


def is_client_chosen(entity_id: UUID) -> bool:
    """Derived ids are version 5; anything else reached the engine from a client."""
    return entity_id.version != 5


class IdClaimState(BaseModel):
    collaborative_id: UUID | None
    kind: str
    entity_id: UUID


class IdClaim(QIAggregate):
    """A client-chosen id, taken: saved with what it names, so a second use collides."""

    State = IdClaimState
    if TYPE_CHECKING:
        state: IdClaimState

    @classmethod
    def take(cls, ctx: CommandContext, kind: str, entity_id: UUID, collaborative_id: UUID | None) -> Self:
        return cls._create_with(
            ctx,
            IdClaimed,
            claim_id(entity_id),
            collaborative_id=collaborative_id,
            kind=kind,
            entity_id=entity_id,
        )


class IdClaimed(QICreated):
    kind: str
    entity_id: UUID

    def apply(self, aggregate: IdClaim) -> None:
        aggregate.state = IdClaimState(
            collaborative_id=self.collaborative_id, kind=self.kind, entity_id=self.entity_id
        )
