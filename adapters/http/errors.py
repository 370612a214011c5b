"""Every error, mapped once, to `application/problem+json` (RFC 9457).

422 bad input (with the failing fields), 401/403 who may act, 404 missing,
409 a domain rule or a conflict, 412 a stale If-Match, 503 with Retry-After while
the store cannot be reached or is busy (nothing was written; send it again).
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError as StoreInterfaceError
from eventsourcing.persistence import OperationalError as StoreOperationalError
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from adapters.http.responses import ProblemResponse
from aggregates.assessment_instrument import AnswersInvalid
from aggregates.criteria import PhaseExitBlocked, UnmetCriterion
from aggregates.errors import DomainError, PermissionDenied
from engine.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    EngineError,
    Forbidden,
    IdempotencyKeyReused,
    LeftOut,
    NotConfigured,
    NotFound,
    StaleVersion,
    Unauthenticated,
    UnknownReference,
)
from engine.projection_failures import ReadModelUnavailable
from engine.projection_failures import is_outage as store_outage
from engine.projector import ReadModelsBehind

log = logging.getLogger(__name__)


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    rule: str | None = None
    unmet: list[UnmetCriterion] | None = None
    errors: list[FieldError] | None = None
    read_model: str | None = None  # the read model a 503 is about, when one stopped on an event
    left_out: list[str] | None = None  # who and what an accreditor's file would leave out, and why


class StoreUnavailable(Exception):
    """The event store was found unreachable moments ago and still does not answer (503)."""


class InvalidInput(Exception):
    """Input the request schema cannot express as invalid (e.g. a malformed header)."""

    def __init__(self, loc: list[str | int], msg: str) -> None:
        super().__init__(msg)
        self.errors = [FieldError(loc=loc, msg=msg, type="value_error")]


TITLES = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
# The store's own words for "not now": a PostgreSQL server that is down, restarting or
# out of connections, or a SQLite file another process holds locked. Anything else the
# store raises (a missing table, bad SQL) is a defect and stays a 500.
OUTAGES = (
    StoreUnavailable,
    StoreOperationalError,
    StoreInterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")

ENGINE_STATUS: dict[type[EngineError], int] = {
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    AlreadyExists: 409,
    ConcurrencyConflict: 409,
    StaleVersion: 412,
    UnknownReference: 422,
    IdempotencyKeyReused: 422,
    NotConfigured: 503,
    ReadModelsBehind: 503,
}


def problem_of(exc: Exception) -> Problem | None:
    """The problem an expected error stands for; None for anything unexpected."""
    if isinstance(exc, RequestValidationError | ValidationError):
        errors = _field_errors(exc.errors())
        detail = "; ".join(f"{'.'.join(map(str, e.loc))}: {e.msg}" for e in errors)
        return _problem(422, f"invalid input: {detail}", errors=errors)
    if isinstance(exc, InvalidInput):
        return _problem(422, str(exc), errors=exc.errors)
    if isinstance(exc, AnswersInvalid):  # each item's problem, as a field error of the body
        errors = [
            FieldError(loc=["body", "answers", k], msg=m, type="value_error") for k, m in exc.problems.items()
        ]
        return _problem(422, f"invalid answers: {exc.message}", rule=exc.rule, errors=errors)
    if isinstance(exc, PermissionDenied):
        return _problem(403, exc.message, rule=exc.rule)
    if isinstance(exc, DomainError):
        unmet = exc.unmet if isinstance(exc, PhaseExitBlocked) else None
        return _problem(409, exc.message, rule=exc.rule, unmet=unmet)
    if isinstance(exc, LeftOut):
        return _problem(409, exc.message, rule=exc.rule, left_out=exc.left_out)
    if isinstance(exc, ReadModelUnavailable):
        return _problem(503, exc.message, read_model=exc.failure.projection)
    if isinstance(exc, EngineError):
        status = next((s for kind, s in ENGINE_STATUS.items() if isinstance(exc, kind)), 500)
        return _problem(status, exc.message, rule=exc.rule)
    return None


def refusal_of(exc: Exception) -> Problem:
    """The problem a refused command stands for, for a page to show; anything unexpected
    is raised again (a page never shows an internal error as a refusal)."""
    problem = problem_of(exc)
    if problem is None:
        raise exc
    return problem


def is_outage(exc: BaseException) -> bool:
    """Whether `exc` says the store is unreachable or busy for now (the engine's rule), or the
    store gate already knows it is down."""
    return isinstance(exc, StoreUnavailable) or store_outage(exc)


def _problem(status: int, detail: str, **extra: Any) -> Problem:
    return Problem(title=TITLES.get(status, "Error"), status=status, detail=detail, **extra)


def respond(body: Problem) -> ProblemResponse:
    headers = {"WWW-Authenticate": "Bearer"} if body.status == 401 else None
    return ProblemResponse(body.model_dump(mode="json", exclude_none=True), body.status, headers=headers)


def problem(status: int, detail: str, **extra: Any) -> ProblemResponse:
    return respond(_problem(status, detail, **extra))


def _field_errors(errors: Any) -> list[FieldError]:
    return [
        FieldError(
            loc=[str(p) if not isinstance(p, int) else p for p in e["loc"]], msg=e["msg"], type=e["type"]
        )
        for e in errors
    ]


async def _expected(request: Request, exc: Exception) -> Response:
    body = problem_of(exc)
    assert body is not None
    response = _for_pages(request, body) or respond(body)
    if isinstance(exc, ReadModelsBehind):  # catching up: the same read succeeds shortly
        response.headers["Retry-After"] = str(request.app.state.engine.settings.retry_after)
    return response


def _for_pages(request: Request, body: Problem) -> Response | None:
    """Web pages show errors as a page; `adapters.web` registers how."""
    render = getattr(request.app.state, "render_problem", None)
    if render is not None and request.url.path.startswith("/ui/"):
        response: Response = render(request, body)
        return response
    return None


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    # Starlette's 400 is a body it could not parse (too deeply nested, not UTF-8): bad
    # syntax, which this API answers 422 like every other malformed input.
    status = 422 if exc.status_code == 400 else exc.status_code
    body = _problem(status, str(exc.detail))
    response = _for_pages(request, body) or respond(body)
    response.headers.update(exc.headers or {})
    if status == 405:
        response.headers["Allow"] = allowed_methods(request)
    return response


def allowed_methods(request: Request) -> str:
    """Every method some route answers at the request's path (RFC 9110 Allow). Starlette
    names only the first route it matched, and GET and POST of one path are two routes."""
    allowed = [method for method in METHODS if _routed(request, method)]
    return ", ".join(allowed)


def _routed(request: Request, method: str) -> bool:
    scope = {**request.scope, "method": method}
    return any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes)


async def _unavailable_or_unexpected(request: Request, exc: Exception) -> Response:
    if not is_outage(exc):
        return await _unexpected(request, exc)
    log.warning("the store is unavailable on %s %s: %s", request.method, request.url.path, exc)
    request.app.state.engine.watch.failed()  # later requests fail fast until a probe answers
    retry_after = str(request.app.state.engine.settings.retry_after)
    body = _problem(
        503, "the event store is unavailable for now; send the request again (with the same Idempotency-Key)"
    )
    response = _for_pages(request, body) or respond(body)
    response.headers["Retry-After"] = retry_after
    return response


async def _unexpected(request: Request, exc: Exception) -> ProblemResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "an unexpected error occurred; nothing was changed")


def install_error_handlers(app: FastAPI) -> None:
    for expected in (RequestValidationError, ValidationError, InvalidInput, DomainError, EngineError):
        app.add_exception_handler(expected, _expected)
    app.add_exception_handler(HTTPException, _http)
    for store_error in (*OUTAGES, sqlite3.OperationalError):
        app.add_exception_handler(store_error, _unavailable_or_unexpected)
    app.add_exception_handler(Exception, _unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations of the problem responses a route may give."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        status: {"description": TITLES[status], "content": {"application/problem+json": {"schema": schema}}}
        for status in statuses
    }


READ_ERRORS = problem_responses(401, 403, 404, 422)
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422)
