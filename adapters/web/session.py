"""Signing in to the pages: the bearer token is kept in an HttpOnly, SameSite=Strict
cookie (so scripts cannot read it and other sites cannot post with it)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse

from engine.application import QIEngine
from engine.tokens import Principal

COOKIE = "qi_session"


class SignInRequired(Exception):
    """The page needs a signed-in user; they are sent to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def engine_of(request: Request) -> QIEngine:
    engine: QIEngine = request.app.state.engine
    return engine


def signed_in(request: Request) -> Principal:
    """The user behind the session cookie, or SignInRequired."""
    token = request.cookies.get(COOKIE)
    principal = engine_of(request).authenticate(token) if token else None
    if principal is None:
        raise SignInRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return principal


def to_sign_in(_: Request, exc: Exception) -> RedirectResponse:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(f"/ui/sign-in?next={quote(exc.next_url)}", status_code=303)


def start_session(response: RedirectResponse, token: str, secure: bool) -> RedirectResponse:
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure, max_age=12 * 3600)
    return response


def end_session(response: RedirectResponse) -> RedirectResponse:
    response.delete_cookie(COOKIE)
    return response
