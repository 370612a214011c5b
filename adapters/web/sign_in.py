"""Signing in and out of the pages: a server-side session per sign-in (see
adapters.web.session and engine.web_sessions), with a CSRF token on both forms."""

from __future__ import annotations

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

router = APIRouter(include_in_schema=False)
# No NUL in any field: PostgreSQL text cannot hold it (see adapters.http.schemas.common.NoNul).
Field = Annotated[str, Form(pattern=r"^[^\x00]*$")]


@router.get("/ui/sign-in")
def sign_in_page(request: Request, next: str = "/ui/") -> Response:
    """The sign-in form, with its double-submit CSRF token."""
    return _sign_in_form(request, next, None, 200)


def _sign_in_form(request: Request, next_url: str, error: str | None, status: int) -> Response:
    settings = engine_of(request).settings
    page = render(request, "sign_in.html", None, status, next=_local(next_url), error=error,
                  sign_in_csrf=sign_in_token(request),
                  oidc_name=settings.oidc_name if settings.oidc_issuer else None)  # fmt: skip
    return remember_sign_in(request, page)


@router.post("/ui/sign-in")
def sign_in(request: Request, token: Field = "", next: Field = "/ui/", csrf_token: Field = "") -> Response:
    """Start a server-side session for a valid token; the cookie holds only the session's secret."""
    try:
        check_sign_in_csrf(request, csrf_token)
    except FormExpired as expired:
        return _sign_in_form(request, next, expired.message, 403)
    secret = web_sessions.sign_in(engine_of(request), token.strip())
    if secret is None:
        error = "That token is unknown or revoked. Ask staff for a token (qi tokens create)."
        return _sign_in_form(request, next, error, 401)
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
    return target if target.startswith("/") and not target.startswith("//") else "/ui/"
