"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from adapters.http.errors import Problem, install_error_handlers
from adapters.http.limits import BodySizeLimit, RefuseNulInUrl
from adapters.http.responses import OrjsonResponse
from adapters.http.routers import (
    activities,
    audit,
    charts,
    collaboratives,
    contracts,
    credits,
    events,
    health,
    learning,
    teams,
)
from adapters.web.install import install_web
from engine.application import QIEngine
from engine.read_models import ReadModels
from engine.settings import Settings

NO_NUL = "^[^\\u0000]*$"


def create_app(engine: QIEngine, owns_engine: bool = False) -> FastAPI:
    """The HTTP API over `engine`. Its read-model connections close when the app shuts
    down, and the engine too when `owns_engine` (the app made it: see `app_from_settings`)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.read_models.close()
        if owns_engine:
            engine.close()

    app = FastAPI(
        title="QI Collaborative Engine",
        version="0.1.0",
        summary="Run Quality Improvement Collaboratives: every change an event.",
        default_response_class=OrjsonResponse,
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.read_models = ReadModels(engine)
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit)
    app.add_middleware(RefuseNulInUrl)
    for module in (
        collaboratives,
        teams,
        activities,
        charts,
        audit,
        credits,
        learning,
        events,
        contracts,
        health,
    ):
        app.include_router(module.router)
    install_web(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def app_from_settings() -> FastAPI:
    """The API over an engine configured from the environment (QI_*): the factory each
    uvicorn worker process calls (`qi serve --workers N`)."""
    return create_app(QIEngine(Settings()), owns_engine=True)


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
