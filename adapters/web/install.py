"""Plug the pages into the API application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from adapters.http.errors import Problem
from adapters.web import forms, learning_pages, pages
from adapters.web.session import COOKIE, SignInRequired, engine_of, to_sign_in


def install_web(app: FastAPI) -> None:
    """Serve the pages at /ui/ beside the API, sharing its engine and read models."""
    app.include_router(pages.router)
    app.include_router(forms.router)
    app.include_router(learning_pages.router)
    app.mount("/ui/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.add_exception_handler(SignInRequired, to_sign_in)
    app.state.render_problem = _problem_page


def _problem_page(request: Request, problem: Problem) -> HTMLResponse:
    token = request.cookies.get(COOKIE)
    principal = engine_of(request).authenticate(token) if token else None
    return pages.error_page(request, principal, problem)
