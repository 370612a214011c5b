"""API tokens: issued (stored hashed), authenticated, revoked; part of QIEngine.

A token is an aggregate (aggregates/tokens.py) saved on its own, not through a command:
issuing one is how a deployment lets its first caller in. (Not `engine/tokens.py`: that is
the old module of the token events, which stored topics still name; engine/topics.py.)
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, project_aggregate

from aggregates.base import CommandContext
from aggregates.errors import RuleViolation
from aggregates.tokens import PREFIX as TOKEN_PREFIX
from aggregates.tokens import ApiToken, Grant, Principal, TokenIssued, actor_id, token_id
from engine.aggregate_reads import AggregateReads
from engine.unit_of_work import load


class Tokens(AggregateReads):
    """The token methods of QIEngine, which supplies the clock."""

    clock: Callable[[], datetime]

    def issue_token(self, grant: Grant, ctx: CommandContext) -> str:
        """Store a new token (hashed) and return its secret, which is shown only once."""
        if grant.expires_at is not None and grant.expires_at <= ctx.at:
            raise RuleViolation(f"a token expiring at {grant.expires_at.isoformat()} would never be valid")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.save(ApiToken.issue(ctx, secret, grant))
        return secret

    def authenticate(self, secret: str) -> Principal | None:
        """The principal behind a token that is neither revoked nor expired, or None."""
        try:
            # Every request of a client presents the same token: while one thread brings the
            # cached token up to date, the others use it as it is instead of queueing
            # behind that query (a revocation is seen from the next request on).
            token: Any = self.repository.get(token_id(secret), fastforward_skipping=True)
        except AggregateNotFoundError:
            return None
        return token.principal() if isinstance(token, ApiToken) and token.valid_at(self.clock()) else None

    def token_still_valid(self, token: UUID) -> bool:
        """Whether a token is neither revoked nor expired, read from the store itself
        (not the cache), so a revocation by another process is seen at once."""
        aggregate: Any = project_aggregate(None, self.events.get(token))
        return isinstance(aggregate, ApiToken) and aggregate.valid_at(self.clock())

    def actor_names(self) -> dict[str, str]:
        """Each token's actor id with the token's name, for display beside the id."""
        return {actor_id(t.id): t.state.name for t in self.tokens()}

    def tokens(self) -> list[ApiToken]:
        return [load(self.repository, ApiToken, i) for i in self.created_ids(TokenIssued)]

    def revoke_token(self, token: UUID, ctx: CommandContext) -> None:
        aggregate = load(self.repository, ApiToken, token)
        aggregate.revoke(ctx)
        self.save(aggregate)
