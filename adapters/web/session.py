"""Signing in to the pages: a server-side session (engine.web_sessions) whose random
secret is the only thing the cookie holds, in an HttpOnly, SameSite=Strict cookie
(Secure over https, also behind a TLS proxy that forwards the scheme, or when
QI_COOKIE_SECURE=true).

Every form carries a CSRF token besides: the session's (an HMAC of its secret), or
before signing in (the sign-in, invitation and password reset forms) a double-submit
token that must equal the sign-in cookie's."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, TypeVar
from urllib.parse import quote

from fastapi import Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from aggregates.tokens import Principal
from engine import web_sessions
from engine.application import QIEngine
from engine.errors import Forbidden
from engine.web_sessions import COOKIE

SIGN_IN_COOKIE = "qi_sign_in"
EXPIRED = "this form has expired; reload the page and try again"
AnyResponse = TypeVar("AnyResponse", bound=Response)


class SignInRequired(Exception):
    """The page needs a signed-in user; they are sent to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class FormExpired(Forbidden):
    """A form came without this session's CSRF token: forged, or from an older session (403)."""

    def __init__(self) -> None:
        super().__init__(EXPIRED)


def engine_of(request: Request) -> QIEngine:
    engine: QIEngine = request.app.state.engine
    return engine


def current(request: Request) -> Principal | None:
    """Who the session cookie signs in, checked once per request; None without a valid session."""
    if not hasattr(request.state, "principal"):
        request.state.principal = None  # if the lookup fails (store down), the error page shows nobody
        secret = request.cookies.get(COOKIE)
        if secret:
            request.state.principal = web_sessions.principal_of(engine_of(request), secret)
    principal: Principal | None = request.state.principal
    return principal


def signed_in(request: Request) -> Principal:
    """The user behind the session cookie, or SignInRequired."""
    principal = current(request)
    if principal is None:
        raise SignInRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return principal


def to_sign_in(request: Request, exc: Exception) -> RedirectResponse:
    assert isinstance(exc, SignInRequired)
    response = RedirectResponse(f"/ui/sign-in?next={quote(exc.next_url)}", status_code=303)
    if COOKIE in request.cookies:  # ended, expired, or its token was revoked
        response.delete_cookie(COOKIE, path="/")
    return response


def csrf_of(request: Request) -> str:
    """The token this page's forms send back: the session's, else the sign-in cookie's."""
    if current(request) is not None:
        return web_sessions.csrf_token(request.cookies[COOKIE])
    return sign_in_token(request)


def sign_in_token(request: Request) -> str:
    """The double-submit token of the sign-in form; a new one is set as a cookie by `remember_sign_in`."""
    if not hasattr(request.state, "sign_in_token"):
        request.state.sign_in_token = request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)
    token: str = request.state.sign_in_token
    return token


def check_csrf(request: Request, sent: str) -> None:
    """Send a form without a session to sign in; refuse one without its session's token (FormExpired)."""
    signed_in(request)
    if not web_sessions.csrf_matches(request.cookies[COOKIE], sent):
        raise FormExpired


def csrf_protected(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
    """The dependency of every form route under /ui: the form's CSRF token is this session's."""
    check_csrf(request, csrf_token)


CSRF = [Depends(csrf_protected)]


def check_sign_in_csrf(request: Request, sent: str) -> None:
    expected = request.cookies.get(SIGN_IN_COOKIE)
    if not expected or not hmac.compare_digest(expected, sent):
        raise FormExpired


def secure(request: Request) -> bool:
    return request.url.scheme == "https" or engine_of(request).settings.cookie_secure


def remember_sign_in(request: Request, response: Response) -> Response:
    """Set the sign-in form's double-submit cookie, if the browser does not hold it yet."""
    if request.cookies.get(SIGN_IN_COOKIE) != sign_in_token(request):
        response.set_cookie(
            SIGN_IN_COOKIE, sign_in_token(request), httponly=True, samesite="strict", secure=secure(request),
            path="/ui/",
        )  # fmt: skip
    return response


def start_session(request: Request, response: AnyResponse, secret: str) -> AnyResponse:
    hours = engine_of(request).settings.session_hours
    response.set_cookie(
        COOKIE, secret, httponly=True, samesite="strict", secure=secure(request), max_age=int(hours * 3600), path="/"
    )  # fmt: skip
    response.delete_cookie(SIGN_IN_COOKIE, path="/ui/")
    return response


def end_session(response: RedirectResponse) -> RedirectResponse:
    response.delete_cookie(COOKIE, path="/")
    return response
