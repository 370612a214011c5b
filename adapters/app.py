"""The FastAPI application factory: the HTTP API over a runtime (adapters.bootstrap),
whose threads (projector, Kafka relay, audit digests) the app's lifespan starts and stops."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from adapters import bootstrap
from adapters.bootstrap import Runtime
from adapters.http.errors import Problem, install_error_handlers
from adapters.http.limits import BodySizeLimit, RefuseNulInUrl
from adapters.http.responses import OrjsonResponse
from adapters.http.routers import (
    accounts,
    activities,
    audit,
    chart_decisions,
    charts,
    collaboratives,
    comparisons,
    contracts,
    credits,
    data,
    events,
    health,
    instruments,
    learning,
    reports,
    teams,
    training,
)
from adapters.web.install import install_web
from engine.application import QIEngine

NO_NUL = "^[^\\u0000]*$"
ROUTERS = (
    collaboratives, teams, activities, charts, comparisons, chart_decisions, audit, credits, data, accounts, learning, training,
    reports, instruments, events, contracts, health,
)  # fmt: skip


def create_app(engine: QIEngine) -> FastAPI:
    """The HTTP API over an engine the caller made (and closes): the rest is built around it."""
    return app_for(bootstrap.around(engine))


def app_from_settings() -> FastAPI:
    """The API over a runtime configured from the environment (QI_*): the factory each
    uvicorn worker process calls (`qi serve --workers N`)."""
    return app_for(bootstrap.bootstrap())


def app_for(runtime: Runtime) -> FastAPI:
    """The HTTP API over `runtime`. Without its lifespan (a TestClient not entered) no
    thread runs and reads catch up themselves; with it, the runtime runs and is stopped."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime.start()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(runtime.stop)  # the relay may take a while to stop

    app = FastAPI(
        title="QI Collaborative Engine",
        version="0.1.0",
        summary="Run Quality Improvement Collaboratives: every change an event.",
        default_response_class=OrjsonResponse,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.engine = runtime.engine
    app.state.read_models = runtime.read_models
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit)
    app.add_middleware(RefuseNulInUrl)
    for module in ROUTERS:
        app.include_router(module.router)
    install_web(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated schema, plus the Problem schema the error responses refer to."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem.pop("$defs", {}))
    components["Problem"] = problem
    for operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            parameter["schema"] = _without_null(parameter["schema"])
            if parameter["in"] in ("path", "query"):
                _refuse_nul(parameter["schema"])
    app.openapi_schema = schema
    return schema


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    methods = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
    return [op for item in schema["paths"].values() for m, op in item.items() if m in methods]


def _refuse_nul(declared: dict[str, Any]) -> None:
    """Say that free text in a URL may not hold NUL: adapters.http.limits refuses it (422)."""
    text = declared.get("items", declared)
    if text.get("type") == "string" and not {"pattern", "format", "enum"} & text.keys():
        text["pattern"] = NO_NUL


def _without_null(declared: dict[str, Any]) -> dict[str, Any]:
    """A header, query or path value is text or absent, never JSON null: FastAPI writes an
    optional parameter as anyOf [its type, null], which tells clients to send "null"."""
    branches = [b for b in declared.get("anyOf", []) if b.get("type") != "null"]
    if len(branches) != 1 or len(branches) == len(declared.get("anyOf", [])):
        return declared
    extra = {k: v for k, v in declared.items() if k != "anyOf"}
    return {**branches[0], **extra}
