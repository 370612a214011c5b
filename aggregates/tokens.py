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

from pydantic import BaseModel, ConfigDict

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
        grant = Grant(
            name=s.name,
            role=s.role,
            team_id=s.team_id,
            participant_id=s.participant_id,
            expires_at=s.expires_at,
        )
        return Principal.of_token(self.id, grant)

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


class Principal(BaseModel):
    """Who is calling, as the rules see them: a person signed in to their account
    (engine.accounts builds it from the account, their teams and their coaching), or the
    holder of an API token (a service or a script: one role, scoped as its grant says)."""

    model_config = ConfigDict(frozen=True)

    name: str  # for display only
    role: Role  # the role their events record: the broadest they hold
    token_id: UUID | None = None
    account_id: UUID | None = None
    participant_id: UUID | None = None
    team_ids: tuple[UUID, ...] = ()  # the teams they act for as a member (a team token: its team)
    coaches: bool = False  # coaches teams (which ones, their Participant and the Teams say)
    staff: bool = False
    audits: tuple[UUID, ...] | None = ()  # the collaboratives they audit; None: every one
    expires_at: datetime | None = None

    @classmethod
    def of_token(cls, token: UUID, grant: Grant) -> Principal:
        role = grant.role
        return cls(
            name=grant.name, role=role, token_id=token, participant_id=grant.participant_id,
            team_ids=(grant.team_id,) if role is Role.TEAM and grant.team_id is not None else (),
            coaches=role is Role.COACH, staff=role is Role.STAFF,
            audits=None if role is Role.AUDITOR else (), expires_at=grant.expires_at,
        )  # fmt: skip

    @property
    def team_id(self) -> UUID | None:
        """Their one team, when they act for exactly one (a team token)."""
        return self.team_ids[0] if len(self.team_ids) == 1 else None

    @property
    def auditor(self) -> bool:
        return self.audits is None or bool(self.audits)

    def audits_collaborative(self, collaborative_id: UUID | None) -> bool:
        return self.audits is None or (collaborative_id is not None and collaborative_id in self.audits)

    @property
    def roles(self) -> frozenset[Role]:
        """Every role they hold (a person may be staff, a coach and a team member at once)."""
        held = {self.role}
        for role, holds in (
            (Role.STAFF, self.staff), (Role.COACH, self.coaches), (Role.TEAM, bool(self.team_ids)),
            (Role.AUDITOR, self.auditor),
        ):  # fmt: skip
            if holds:
                held.add(role)
        return frozenset(held)

    @property
    def actor(self) -> Actor:
        """Acts as the account, or the token: names need not be unique, and idempotency keys
        and derived ids are scoped to the actor; the name is for display only."""
        if self.account_id is not None:
            return Actor(id=f"account:{self.account_id}", role=self.role)
        assert self.token_id is not None
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
