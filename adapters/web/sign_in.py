"""Signing in and out of the pages: with an email and password (engine.accounts), or,
for scripts and the demo, an API token; each sign-in starts a new server-side session
(adapters.web.session and engine.web_sessions). Both forms carry a CSRF token.

A wrong password, an unknown email, a locked or disabled account all get the same
answer (engine.accounts says why); a client sending many sign-ins is slowed down
(`Throttle`) before any password is checked."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from adapters.web.pages import render
from adapters.web.session import (
    COOKIE,
    FormExpired,
    check_csrf,
    check_sign_in_csrf,
    current,
    end_session,
    engine_of,
    remember_sign_in,
    sign_in_token,
    start_session,
)
from engine import web_sessions
from engine.accounts import WRONG

router = APIRouter(include_in_schema=False)
# No NUL in any field: PostgreSQL text cannot hold it (see adapters.http.schemas.common.NoNul).
Field = Annotated[str, Form(pattern=r"^[^\x00]*$")]


class Throttle:
    """At most `limit` sign-in attempts per client address in any `window` seconds (the
    accounts' own lockout stops guessing one password; this, trying many accounts)."""

    def __init__(self, limit: int = 20, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, client: str) -> int:
        """Seconds the client must wait before trying again (0: go ahead, and counted)."""
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 100_000:
                self._seen.clear()
            attempts = self._seen.setdefault(client, deque())
            while attempts and now - attempts[0] > self.window:
                attempts.popleft()
            if len(attempts) >= self.limit:
                return max(1, int(self.window - (now - attempts[0])) + 1)
            attempts.append(now)
            return 0


def throttle_of(request: Request) -> Throttle:
    """The app's throttle (one per serving process), at the settings' rate."""
    throttle = getattr(request.app.state, "sign_in_throttle", None)
    if throttle is None:
        throttle = request.app.state.sign_in_throttle = Throttle(
            engine_of(request).settings.sign_in_per_minute
        )
    return throttle


@router.get("/ui/sign-in")
def sign_in_page(request: Request, next: str = "/ui/") -> Response:
    """The sign-in form, with its double-submit CSRF token."""
    return _sign_in_form(request, next, None, 200)


def _sign_in_form(
    request: Request, next_url: str, error: str | None, status: int, email: str = "",
    field_errors: dict[str, str] | None = None, token_error: str | None = None,
) -> Response:  # fmt: skip
    settings = engine_of(request).settings
    page = render(request, "sign_in.html", None, status, next=_local(next_url), error=error, email=email,
                  field_errors=field_errors or {}, token_error=token_error, sign_in_csrf=sign_in_token(request),
                  oidc_name=settings.oidc_name if settings.oidc_issuer else None)  # fmt: skip
    return remember_sign_in(request, page)


@router.post("/ui/sign-in")
def sign_in(
    request: Request, email: Field = "", password: Field = "", token: Field = "", next: Field = "/ui/",
    csrf_token: Field = "",
) -> Response:  # fmt: skip
    """Start a server-side session for a person's email and password (or an API token);
    the cookie holds only the session's secret."""
    try:
        check_sign_in_csrf(request, csrf_token)
    except FormExpired as expired:
        return _sign_in_form(request, next, expired.message, 403, email)
    wait = throttle_of(request).wait(request.client.host if request.client else "unknown")
    if wait:
        page = _sign_in_form(
            request, next, f"Too many sign-in attempts from here; try again in {wait} seconds.", 429, email
        )
        page.headers["Retry-After"] = str(wait)
        return page
    engine = engine_of(request)
    if token.strip():
        secret = web_sessions.sign_in(engine, token.strip())
        if secret is None:
            error = "That token is unknown, expired or revoked. Ask staff for a new one."
            return _sign_in_form(request, next, None, 401, email, token_error=error)
        return start_session(request, RedirectResponse(_local(next), status_code=303), secret)
    errors = {}
    if "@" not in email:
        errors["email"] = "type the email address you were invited with (it has an @)"
    if not password:
        errors["password"] = "type your password"
    if errors:
        return _sign_in_form(request, next, None, 422, email, errors)
    signed_in = engine.accounts.sign_in(email, password)
    if signed_in is None:
        return _sign_in_form(request, next, WRONG, 401, email)
    secret = web_sessions.start_for(engine, signed_in.principal)
    return start_session(request, RedirectResponse(_local(next), status_code=303), secret)


@router.post("/ui/sign-out")
def sign_out(request: Request, csrf_token: Field = "") -> Response:
    """End the session on the server, so its cookie is refused from now on."""
    if current(request) is not None:
        check_csrf(request, csrf_token)
        web_sessions.sign_out(engine_of(request), request.cookies[COOKIE])
    return end_session(RedirectResponse("/ui/sign-in", status_code=303))


def _local(target: str) -> str:
    """Only redirect within this site after signing in."""
    local = target.startswith("/") and not target.startswith(("//", "/\\")) and "\\" not in target
    return target if local else "/ui/"
