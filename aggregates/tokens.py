"""API tokens, stored hashed in the event store.

A token's aggregate id derives from the SHA-256 of its secret, so checking a
presented token is one keyed read; the secret itself is never stored. Issuing
and revoking are events, so the audit trail shows who could act, and since when.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Self
from uuid import UUID, uuid5

from pydantic import BaseModel

from aggregates.base import Actor, CommandContext, QIAggregate, QICreated, QIEvent, Role

NAMESPACE = UUID("0b8f2d61-3c4e-4f0a-8a57-9d2b1e6c7f40")
PREFIX = "qi_"


class TokenState(BaseModel):
    collaborative_id: UUID | None = None
    name: str
    role: Role
    team_id: UUID | None = None
    participant_id: UUID | None = None
    issued_at: datetime
    revoked_at: datetime | None = None
    expires_at: datetime | None = None


class ApiToken(QIAggregate):
    State = TokenState
    if TYPE_CHECKING:
        state: TokenState

    @classmethod
    def issue(cls, ctx: CommandContext, secret: str, grant: Grant) -> Self:
        return cls._create_with(ctx, TokenIssued, token_id(secret), collaborative_id=None, grant=grant)

    @property
    def active(self) -> bool:
        """Not revoked (whether it has expired depends on the time: see `valid_at`)."""
        return self.state.revoked_at is None

    def valid_at(self, now: datetime) -> bool:
        expires_at = self.state.expires_at
        return self.active and (expires_at is None or now < expires_at)

    def principal(self) -> Principal:
        s = self.state
        return Principal(
            token_id=self.id,
            name=s.name,
            role=s.role,
            team_id=s.team_id,
            participant_id=s.participant_id,
            expires_at=s.expires_at,
        )

    def revoke(self, ctx: CommandContext) -> None:
        if self.active:
            self._record(ctx, TokenRevoked)


class Grant(BaseModel):
    """What a token may act as: a role, scoped to a team or a person where it applies,
    until `expires_at` when given (never, otherwise; revoking ends any token)."""

    name: str
    role: Role
    team_id: UUID | None = None
    participant_id: UUID | None = None
    expires_at: datetime | None = None


class Principal(Grant):
    """The caller behind a presented token, who acts as `actor`."""

    token_id: UUID

    @property
    def actor(self) -> Actor:
        """Acts as the token's id: names need not be unique, and idempotency keys and
        derived ids are scoped to the actor; the name is for display only."""
        return Actor(id=actor_id(self.token_id), role=self.role)


def actor_id(token: UUID) -> str:
    """The actor id of the events a token's holder causes."""
    return f"token:{token}"


class TokenIssued(QICreated):
    grant: Grant

    def apply(self, aggregate: ApiToken) -> None:
        aggregate.state = TokenState(**self.grant.model_dump(), issued_at=self.timestamp)


class TokenRevoked(QIEvent):
    def apply(self, aggregate: ApiToken) -> None:
        aggregate.state.revoked_at = self.timestamp


def token_id(secret: str) -> UUID:
    return uuid5(NAMESPACE, hashlib.sha256(secret.encode()).hexdigest())
