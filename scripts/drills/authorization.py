"""The authorisation drill: every caller against every route, read and write.

Callers: each role and scope (scripts.drills.world.ROLES), a team of another
collaborative, and intruders with no token, a malformed one and a revoked staff token.
Routes: every operation of the live OpenAPI schema (plus the hidden event stream), so a
new route joins the drill by itself, and fails it until its expected access is declared
in scripts.drills.reads (reads) or scripts.drills.routes (writes).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient

from adapters.app import create_app
from aggregates.base import Role
from aggregates.tokens import Grant, token_id
from engine.application import QIEngine
from scripts.drills.reads import drill_reads
from scripts.drills.refusals import judge_refusal, private_markers
from scripts.drills.report import DrillReport
from scripts.drills.route import WRITE_METHODS, Route, operations, template_of
from scripts.drills.routes import ROUTES
from scripts.drills.world import SETUP, Caller, World, build_world, issue

PROVES = (
    "every role, a team of another collaborative, and callers with no, a malformed, a revoked or "
    "an expired token, against every route read and write: only the allowed get through; a refusal is 401/403 "
    "and names nothing of data the caller may not see; no refused request and no read writes an event; "
    "a team cannot enlist another collaborative's person nor see other teams' attendance; coaches reach "
    "only the collaboratives where they coach"
)


def run_authorization(engine: QIEngine, store: str = "sqlite") -> DrillReport:
    """Run the drill in process against `create_app(engine)`; see PROVES for what it shows."""
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:
        return drill_authorization(client, engine, store)


def drill_authorization(client: httpx.Client, engine: QIEngine, store: str = "sqlite") -> DrillReport:
    """The drill through any client of the API over `engine` (a TestClient or a server's URL)."""
    report = DrillReport("authorisation", PROVES, store)
    schema = client.get("/openapi.json").json()
    intruders = _intruders(client, engine)
    covered: set[tuple[str, str]] = set()
    for number, route in enumerate(ROUTES):
        covered.add(_drill_write(report, client, engine, route, intruders, f"W{number}"))
    writes = operations(schema, WRITE_METHODS)
    for method, path in sorted(writes - covered):
        report.check(False, f"{method} {path}: a write route the drill does not know; list it in ROUTES")
    drill_reads(report, client, engine, schema, intruders)
    return report


# Callers ------------------------------------------------------------------------------


def _intruders(client: httpx.Client, engine: QIEngine) -> dict[str, Caller]:
    """No token, a malformed one, a staff token revoked before use, and one that expired."""
    revoked = issue(engine, Role.STAFF, "drill-revoked")
    engine.revoke_token(token_id(revoked), engine.context(SETUP))
    return {
        "anonymous": Caller(client, None),
        "malformed": Caller(client, "qi_not-a-token' OR '1'='1"),
        "revoked": Caller(client, revoked),
        "expired": Caller(client, _expired_token(engine)),
    }


def _expired_token(engine: QIEngine) -> str:
    """A staff token that was valid for a moment and has expired: issued at a time just
    before its expiry, which is already past by the engine's clock."""
    now = engine.clock()
    ctx = engine.context(SETUP).model_copy(update={"at": now - timedelta(seconds=2)})
    return engine.issue_token(
        Grant(name="drill-expired", role=Role.STAFF, expires_at=now - timedelta(seconds=1)), ctx
    )


# Writes -------------------------------------------------------------------------------


def _drill_write(
    report: DrillReport,
    client: httpx.Client,
    engine: QIEngine,
    route: Route,
    intruders: dict[str, Caller],
    title: str,
) -> tuple[str, str]:
    world = build_world(client, engine, route.phase, title)
    route.prepare(world.flow)
    path = route.path(world.flow)
    callers = {**intruders, **world.callers}
    refused = [name for name in callers if name not in route.allowed]
    for name in [*refused, *sorted(route.allowed)]:
        before = engine.recorder.max_notification_id()
        response = callers[name].request(route.method, path, **_payload(route, world))
        report.count("write requests")
        label = f"{route.method} {path} ({route.name}) as {name}"
        if name in route.allowed:
            report.count(
                "writes allowed and accepted" if response.is_success else "writes allowed but refused"
            )
            report.check(
                response.is_success, f"{label}: allowed, but {response.status_code} {response.text[:200]}"
            )
        else:
            judge_refusal(report, response, name, label, private_markers(world))
            report.check(
                engine.recorder.max_notification_id() == before, f"{label}: refused, yet events were written"
            )
    templates = set(client.get("/openapi.json").json()["paths"])
    return route.method, template_of(path, templates) or path


def _payload(route: Route, world: World) -> dict[str, Any]:
    if route.files is not None:
        return {"data": route.body(world.flow), "files": route.files(world.flow)}
    if route.csv is not None:
        return {"content": route.csv(world.flow), "headers": {"Content-Type": "text/csv"}}
    if route.method == "DELETE":
        return {}
    return {"json": route.body(world.flow)}
