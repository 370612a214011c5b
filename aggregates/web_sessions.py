"""A signed-in browser's page session, kept on the server in the event store.

The session's aggregate id derives from the SHA-256 of the random secret the
browser holds, so a presented cookie is one keyed read and the secret is never
stored. Starting and ending are events (with no secret in them), so sign-ins and
sign-outs are in the audit trail. How sessions are started, checked and ended:
engine/web_sessions.py.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Self
from uuid import UUID, uuid5

from pydantic import BaseModel

from aggregates.base import CommandContext, QIAggregate, QICreated, QIEvent

NAMESPACE = UUID("5d7c1f0e-9a41-4c3b-b2de-6f8e0a4c2b17")
EndReason = Literal["signed out", "idle"]


class WebSessionState(BaseModel):
    token_id: UUID | None = None  # signed in with an API token (scripts, services, the demo)
    account_id: UUID | None = None  # signed in to a person's account
    account_generation: int = 0  # the account's session generation when it signed in
    started_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None


class WebSession(QIAggregate):
    """A signed-in browser: which account (or token) it acts as, and until when."""

    State = WebSessionState
    if TYPE_CHECKING:
        state: WebSessionState

    @classmethod
    def start(
        cls,
        ctx: CommandContext,
        secret: str,
        expires_at: datetime,
        token: UUID | None = None,
        account: UUID | None = None,
        generation: int = 0,
    ) -> Self:
        if (token is None) == (account is None):
            raise ValueError("a session acts as one account or one token")
        return cls._create_with(
            ctx, SessionStarted, session_id(secret), collaborative_id=None, token_id=token,
            account_id=account, account_generation=generation, expires_at=expires_at,
        )  # fmt: skip

    def valid_at(self, now: datetime) -> bool:
        return self.state.ended_at is None and now < self.state.expires_at

    def end(self, ctx: CommandContext, reason: EndReason) -> None:
        if self.state.ended_at is None:
            self._record(ctx, SessionEnded, reason=reason)


class SessionStarted(QICreated):
    token_id: UUID | None = None
    account_id: UUID | None = None
    account_generation: int = 0
    expires_at: datetime

    def apply(self, aggregate: WebSession) -> None:
        aggregate.state = WebSessionState(
            token_id=self.token_id, account_id=self.account_id, account_generation=self.account_generation,
            started_at=self.timestamp, expires_at=self.expires_at,
        )  # fmt: skip


class SessionEnded(QIEvent):
    reason: EndReason

    def apply(self, aggregate: WebSession) -> None:
        aggregate.state.ended_at = self.timestamp


def session_id(secret: str) -> UUID:
    return uuid5(NAMESPACE, hashlib.sha256(secret.encode()).hexdigest())
