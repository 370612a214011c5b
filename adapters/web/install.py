"""Plug the pages into the API application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from adapters.http.errors import Problem
from adapters.web import (
    account_pages,
    audit_pages,
    chart_forms,
    chart_pages,
    collaborative_forms,
    credit_pages,
    data_forms,
    data_quality_pages,
    forms,
    instrument_pages,
    learner_ids_form,
    learning_pages,
    oidc,
    pages,
    progress_pages,
    report_pages,
    session_forms,
    side_by_side,
    sign_in,
    team_forms,
    toolkit_pages,
    training_pages,
)
from adapters.web.headers import PageHeaders
from adapters.web.session import SignInRequired, current, to_sign_in
from aggregates.tokens import Principal


def install_web(app: FastAPI) -> None:
    """Serve the pages at /ui/ beside the API, sharing its engine and read models."""
    app.include_router(sign_in.router)
    app.include_router(account_pages.router)
    app.include_router(oidc.router)
    app.include_router(pages.router)
    app.include_router(forms.router)
    app.include_router(data_forms.router)
    app.include_router(data_quality_pages.router)
    app.include_router(collaborative_forms.router)
    app.include_router(session_forms.router)
    app.include_router(learning_pages.router)
    app.include_router(toolkit_pages.router)
    app.include_router(team_forms.router)
    app.include_router(audit_pages.router)
    app.include_router(chart_pages.router)
    app.include_router(chart_forms.router)
    app.include_router(side_by_side.router)
    app.include_router(progress_pages.router)
    app.include_router(training_pages.router)
    app.include_router(report_pages.router)
    app.include_router(instrument_pages.router)
    app.include_router(credit_pages.router)
    app.include_router(learner_ids_form.router)
    app.mount("/ui/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.add_exception_handler(SignInRequired, to_sign_in)
    app.add_middleware(PageHeaders)
    app.state.render_problem = _problem_page


def _problem_page(request: Request, problem: Problem) -> HTMLResponse:
    return pages.error_page(request, _principal_or_none(request), problem)


def _principal_or_none(request: Request) -> Principal | None:
    """Who is signed in, for the error page's header; nobody when the store cannot say
    (the page reporting that the store is unavailable must still render)."""
    try:
        return current(request)
    except Exception:
        return None
