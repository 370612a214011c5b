"""Dependencies the routes declare: the engine, the caller, a command runner, and the queries."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from adapters.http.errors import InvalidInput
from adapters.http.responses import VARY_ACCEPT
from adapters.http.schemas.common import CommandResult
from aggregates.tokens import Principal
from engine.application import QIEngine
from engine.commands import Command
from engine.errors import Unauthenticated
from engine.queries import Queries
from engine.read_models import ReadModels

_bearer = HTTPBearer(auto_error=False, description="a token from `qi tokens create`")
# A version number, bare or as an entity tag (strong or weak): what the server accepts is
# what the OpenAPI document declares, one pattern for both.
IF_MATCH_PATTERN = r'^(?:W/)?(?:"[0-9]{1,12}"|[0-9]{1,12})$'
_IF_MATCH = re.compile(IF_MATCH_PATTERN)


# The dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in
# its thread pool, and each such hop costs more than the dependency itself. What touches
# the store (the route; the caller's token, read in the route's own thread: Caller) stays
# `def`, off the event loop.


async def get_engine(request: Request) -> QIEngine:
    """The engine, or 503 at once while its store watch knows PostgreSQL is down (its
    probe, a query, runs off the event loop)."""
    engine: QIEngine = request.app.state.engine
    if engine.watch.down:
        await run_in_threadpool(engine.watch.check)
    return engine


EngineDep = Annotated[QIEngine, Depends(get_engine)]


async def get_read_models(request: Request) -> ReadModels:
    read_models: ReadModels = request.app.state.read_models
    return read_models


ReadModelsDep = Annotated[ReadModels, Depends(get_read_models)]


class Caller:
    """The bearer of a token, authenticated when first asked who they are: in the route's
    own thread, so a route that touches the store anyway makes one thread-pool hop, not
    two (a `def` dependency is a hop of its own; the hop costs more than the token's query)."""

    def __init__(self, engine: QIEngine, secret: str) -> None:
        self._engine = engine
        self._secret = secret
        self._principal: Principal | None = None

    @classmethod
    def known(cls, engine: QIEngine, principal: Principal) -> Caller:
        """A caller already authenticated (a page's signed-in person)."""
        caller = cls(engine, "")
        caller._principal = principal
        return caller

    @property
    def principal(self) -> Principal:
        """Who they are; Unauthenticated (401) for a token unknown, revoked or expired."""
        if self._principal is None:
            principal = self._engine.authenticate(self._secret)
            if principal is None:
                raise Unauthenticated("the bearer token is unknown or revoked")
            self._principal = principal
        return self._principal


async def get_caller(
    engine: EngineDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Caller:
    if credentials is None:
        raise Unauthenticated("send Authorization: Bearer <token>")
    return Caller(engine, credentials.credentials)


CallerDep = Annotated[Caller, Depends(get_caller)]


def get_principal(caller: CallerDep) -> Principal:
    """The caller, authenticated before the route runs (for a route that is `async def`, or
    that asks who is calling before it touches the store)."""
    return caller.principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


class Runner:
    """Runs the caller's command once per Idempotency-Key, against their If-Match; the
    engine authorises it for the caller, who is authenticated in the route's thread."""

    def __init__(
        self, engine: QIEngine, caller: Caller, command_id: str | None, expected_version: int | None
    ) -> None:
        self.engine = engine
        self.caller = caller
        self.command_id = command_id
        self.expected_version = expected_version

    @property
    def principal(self) -> Principal:
        return self.caller.principal

    def __call__(self, command: Command) -> CommandResult:
        return self.engine.submit(self.principal, command, self.command_id, self.expected_version)


def _expected_version(if_match: object) -> int:
    """The version an If-Match names; refused, in words, unless it matches IF_MATCH_PATTERN."""
    text = if_match.strip() if isinstance(if_match, str) else ""
    if not _IF_MATCH.match(text):
        raise PydanticCustomError("if_match", 'If-Match must be a version number, e.g. "3"')
    return int(text.removeprefix("W/").strip('"'))


IfMatch = Annotated[
    int,
    BeforeValidator(_expected_version),
    WithJsonSchema({"type": "string", "pattern": IF_MATCH_PATTERN, "examples": ['"3"']}),
]


async def get_runner(
    engine: EngineDep,
    caller: CallerDep,
    idempotency_key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", min_length=1, max_length=200, description="retry-safe command id"),
    ] = None,
    if_match: Annotated[
        IfMatch | None, Header(alias="If-Match", description="the version you last read")
    ] = None,
) -> Runner:
    return Runner(engine, caller, _command_id(idempotency_key), if_match)


RunDep = Annotated[Runner, Depends(get_runner)]


def _command_id(key: str | None) -> str | None:
    if key is None:
        return None
    if not key.isprintable() or not key.strip():
        raise InvalidInput(["header", "Idempotency-Key"], "Idempotency-Key must be printable text")
    return key


async def varies_by_accept(response: Response) -> None:
    """Mark a JSON answer of a route that would have sent another representation for another Accept."""
    response.headers.update(VARY_ACCEPT)


VariesByAccept = Depends(varies_by_accept)


def get_queries(request: Request) -> Queries:
    """The read side for this app's engine and read models; each query authorises its caller."""
    return Queries(request.app.state.engine, request.app.state.read_models)


async def _queries(request: Request) -> Queries:
    return get_queries(request)


QueriesDep = Annotated[Queries, Depends(_queries)]
