"""Page sessions, kept on the server in the event store.

The browser holds only a random secret; the session's aggregate id derives from
the secret's SHA-256, so a presented cookie is one keyed read and the secret is
never stored. A session names the account (or the API token) it signed in as, and is
valid while it is neither ended, nor past its absolute expiry (QI_SESSION_HOURS), nor
idle longer than QI_SESSION_IDLE_MINUTES, and while its account may still sign in:
disabling or locking an account, or changing or resetting its password, ends every
session it started before (each moves the account's session generation, which a session
records when it starts; revoking a token ends its sessions too). Starting and ending are events, so
sign-ins and sign-outs are in the audit trail; they carry no secret.

Events rather than a table: sessions then share the event store's transactions,
backups, audit chain and Kafka feed, with no schema of their own to migrate.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from aggregates.tokens import ApiToken, Principal
from aggregates.web_sessions import WebSession, session_id

if TYPE_CHECKING:
    from engine.application import QIEngine

PREFIX = "qis_"
# The cookie that carries the session secret (the pages sign in with it; the live event
# stream accepts it too, since a browser's EventSource cannot send a header).
COOKIE = "qi_session"


def csrf_token(secret: str) -> str:
    """The session's CSRF token: only whoever holds the session secret can compute it."""
    return hmac.new(secret.encode(), b"qi-csrf-v1", hashlib.sha256).hexdigest()


def csrf_matches(secret: str, sent: str) -> bool:
    return hmac.compare_digest(csrf_token(secret), sent)


def sign_in(engine: QIEngine, token_secret: str) -> str | None:
    """Start a page session for a valid API token; its secret (for the cookie), or None."""
    principal = engine.authenticate(token_secret)
    if principal is None or principal.token_id is None:
        return None
    return _start(engine, principal, token=principal.token_id)


def start_for(engine: QIEngine, principal: Principal) -> str:
    """Start a page session for a person who just proved who they are (engine.accounts):
    always a new secret, so no session id known before signing in is ever signed in."""
    assert principal.account_id is not None
    account = engine.accounts.account(principal.account_id)
    assert account is not None
    return _start(engine, principal, account=account.id, generation=account.state.session_generation)


def _start(
    engine: QIEngine, principal: Principal, token: UUID | None = None, account: UUID | None = None,
    generation: int = 0,
) -> str:  # fmt: skip
    secret = PREFIX + secrets.token_urlsafe(32)
    ctx = engine.context(principal.actor)
    expires = ctx.at + timedelta(hours=engine.settings.session_hours)
    engine.save(WebSession.start(ctx, secret, expires, token=token, account=account, generation=generation))
    return secret


def principal_of(engine: QIEngine, secret: str) -> Principal | None:
    """Who a session acts as: None once it ended, expired or sat idle too long, or once its
    account may no longer sign in (disabled, locked, password changed since) or its token
    was revoked or expired."""
    session = _get(engine, session_id(secret))
    now = engine.clock()
    if not isinstance(session, WebSession) or not session.valid_at(now):
        return None
    if session.state.account_id is not None:
        account = engine.accounts.account(session.state.account_id)
        if account is None or not account.session_valid(session.state.account_generation, now):
            return None
        if not engine.accounts.still_active(session.id, session.state.started_at, now):
            return None
        return engine.accounts.principal(account)
    token = _get(engine, session.state.token_id) if session.state.token_id is not None else None
    if not isinstance(token, ApiToken) or not token.valid_at(now):
        return None
    return token.principal()


def sign_out(engine: QIEngine, secret: str) -> bool:
    """End the session for good: its cookie is refused from now on. False if it was not valid."""
    principal = principal_of(engine, secret)
    if principal is None:
        return False
    session = _get(engine, session_id(secret))
    session.end(engine.context(principal.actor), "signed out")
    engine.save(session)
    return True


def _get(engine: QIEngine, aggregate_id: UUID) -> Any:
    try:
        return engine.repository.get(aggregate_id)
    except AggregateNotFoundError:
        return None
