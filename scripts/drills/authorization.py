"""The authorisation drill: every caller against every route, read and write.

Callers: each role and scope (scripts.drills.world.ROLES), a team of another
collaborative, and intruders with no token, a malformed one and a revoked staff token.
Routes: every operation of the live OpenAPI schema (plus the hidden event stream), so a
new route joins the drill by itself, and fails it until its expected access is declared
here (reads) or in scripts.drills.routes (writes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx

from aggregates.base import Role
from aggregates.tokens import Grant, token_id
from engine.application import QIEngine
from scripts.drills.report import DrillReport
from scripts.drills.routes import ROUTES, WRITE_METHODS, Route, operations, template_of
from scripts.drills.world import ROLES, SETUP, Caller, World, build_world, issue

PROVES = (
    "every role, a team of another collaborative, and callers with no, a malformed, a revoked or "
    "an expired token, against every route read and write: only the allowed get through; a refusal is 401/403 "
    "and names nothing of data the caller may not see; no refused request and no read writes an event; "
    "a team cannot enlist another collaborative's person nor see other teams' attendance; coaches reach "
    "only the collaboratives where they coach"
)
READERS = frozenset({"staff", "auditor", "coach_of_a", "coach_of_none", "team_a", "team_b"})
# A collaborative's pages: coach_of_none coaches no team there.
IN_COLLABORATIVE = READERS - {"coach_of_none"}
TEAM_A_READERS = frozenset({"staff", "auditor", "coach_of_a", "team_a"})
STAFF_AUDITOR = frozenset({"staff", "auditor"})
FEED = frozenset({"staff", "auditor", "subscriber"})
INTRUDERS = ("anonymous", "malformed", "revoked", "expired")
PUBLIC = frozenset({*ROLES, "team_other", *INTRUDERS})
OUTSIDERS = ("team_other", "coach_of_none")  # allowed some reads, never the read world's data

# Who may read each GET route; the path parameters come from the read world.
READS: dict[str, frozenset[str]] = {
    # A team token lists only its own collaborative, a coach only where they coach:
    # team_other and coach_of_none see none of the read world's.
    "/collaboratives": READERS | {"team_other"},
    "/collaboratives/{collaborative_id}": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/exit-criteria": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/dashboard": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/measures/{measure_key}/chart": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/resources": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/driver-diagram": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/shared-projects": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/toolkits": IN_COLLABORATIVE,
    "/activities/{activity_id}": IN_COLLABORATIVE,
    "/resources/{resource_id}": IN_COLLABORATIVE,
    "/resources/{resource_id}/file": IN_COLLABORATIVE,
    "/toolkits/{toolkit_id}": IN_COLLABORATIVE,
    "/toolkits/{toolkit_id}.pdf": IN_COLLABORATIVE,
    "/toolkits/{toolkit_id}.html": IN_COLLABORATIVE,
    "/teams/{team_id}": TEAM_A_READERS,
    "/teams/{team_id}/measures/{measure_key}/chart": TEAM_A_READERS,
    "/participants/{participant_id}": STAFF_AUDITOR,
    "/participants/{participant_id}/transcript": STAFF_AUDITOR,
    "/collaboratives/{collaborative_id}/credits": STAFF_AUDITOR,
    "/collaboratives/{collaborative_id}/credits.csv": STAFF_AUDITOR,
    "/audit": STAFF_AUDITOR,
    "/audit/verify": STAFF_AUDITOR,
    "/audit/digest": STAFF_AUDITOR,
    "/audit/digest/public-key": STAFF_AUDITOR,
    "/events": FEED,
    "/schemas/events": PUBLIC,
    "/asyncapi.json": PUBLIC,
    "/healthz": PUBLIC,
}
# Routes the schema leaves out: only refusals are sent (an allowed stream never ends).
HIDDEN_READS = {"/events/stream": FEED}
PDF = b"%PDF-1.4\n%%EOF\n"


def run_authorization(engine: QIEngine, store: str = "sqlite") -> DrillReport:
    """Run the drill in process against `create_app(engine)`; see PROVES for what it shows."""
    from fastapi.testclient import TestClient

    from adapters.http.app import create_app

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
    _drill_reads(report, client, engine, schema, intruders)
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
            _refused(report, response, name, label, _markers(world))
            report.check(
                engine.recorder.max_notification_id() == before, f"{label}: refused, yet events were written"
            )
    templates = set(client.get("/openapi.json").json()["paths"])
    return route.method, template_of(path, templates) or path


def _payload(route: Route, world: World) -> dict[str, Any]:
    if route.files is not None:
        return {"data": route.body(world.flow), "files": route.files(world.flow)}
    if route.method == "DELETE":
        return {}
    return {"json": route.body(world.flow)}


def _refused(
    report: DrillReport, response: httpx.Response, name: str, label: str, markers: Iterable[str]
) -> None:
    expected = 401 if name in INTRUDERS else 403
    report.count(f"refused with {response.status_code}")
    if response.status_code >= 500:
        report.count("5xx seen")
    if response.status_code != expected:
        report.check(False, f"{label}: expected {expected}, got {response.status_code} {response.text[:120]}")
        return
    report.check(
        response.headers.get("content-type", "").startswith("application/problem+json"),
        f"{label}: a refusal that is not problem+json",
    )
    leaked = [m for m in markers if m in response.text]
    report.check(not leaked, f"{label}: the refusal names {leaked}")


def _markers(world: World) -> list[str]:
    """Strings that only someone allowed to read the world's teams may see."""
    flow = world.flow
    return [
        f"{flow.title} Mercy ED",
        f"{flow.title} Big Sky EMS",
        *(flow.members.get(t, "") for t in flow.teams),
    ]


# Reads --------------------------------------------------------------------------------


@dataclass
class ReadWorld:
    world: World
    params: dict[str, str] = field(default_factory=dict)


def _read_world(client: httpx.Client, engine: QIEngine) -> tuple[ReadWorld, World]:
    """A collaborative in its sharing phase with a file, a toolkit, credits; and a team elsewhere."""
    world = build_world(client, engine, "sharing", "R")
    flow, staff = world.flow, world.callers["staff"]
    base = f"/collaboratives/{flow.collaborative}"
    upload = staff.request(
        "POST",
        f"{base}/resources/files",
        data={"kind": "tool_or_template", "title": "Policy"},
        files={"file": ("policy.pdf", PDF, "application/pdf")},
    )
    primary, secondary, idea = (str(uuid4()) for _ in range(3))
    staff.ok(f"{base}/driver-diagram/drivers", {"driver_id": primary, "level": "primary", "name": "Weights"})
    driver = {"driver_id": secondary, "level": "secondary", "name": "Scales", "primary_driver_id": primary}
    staff.ok(f"{base}/driver-diagram/drivers", driver)
    change = {"change_idea_id": idea, "name": "Lock scales", "secondary_driver_id": secondary}
    staff.ok(f"{base}/driver-diagram/change-ideas", change)
    toolkit = staff.ok(f"{base}/toolkits", {"title": "Kit", "change_idea_ids": [idea]})["id"]
    params = {
        "collaborative_id": flow.collaborative,
        "team_id": flow.teams[0],
        "activity_id": flow.session,
        "participant_id": flow.members[flow.teams[0]],
        "measure_key": "weight-kg",
        "resource_id": upload.json()["id"],
        "toolkit_id": toolkit,
    }
    elsewhere = build_world(client, engine, "registration", "X")
    return ReadWorld(world, params), elsewhere


def _drill_reads(
    report: DrillReport,
    client: httpx.Client,
    engine: QIEngine,
    schema: dict[str, Any],
    intruders: dict[str, Caller],
) -> None:
    reads, elsewhere = _read_world(client, engine)
    callers = {**intruders, **reads.world.callers, "team_other": elsewhere.callers["team_a"]}
    before = engine.recorder.max_notification_id()
    for template in undeclared_reads(schema):
        report.check(False, f"GET {template}: a read route the drill does not know; declare who may read it")
    for _, template in sorted(operations(schema, frozenset({"get"}))):
        allowed = READS.get(template)
        if allowed is None:
            continue
        markers = [*_markers(reads.world), reads.world.flow.collaborative]
        _read_route(report, callers, _fill(template, reads.params), allowed, markers)
    for template, allowed in HIDDEN_READS.items():
        refused = {n: c for n, c in callers.items() if n not in allowed}
        _read_route(report, refused, template, allowed, _markers(reads.world))
    report.check(engine.recorder.max_notification_id() == before, "reads wrote events")
    _drill_people(report, engine, reads.world, elsewhere)


def _read_route(
    report: DrillReport, callers: dict[str, Caller], path: str, allowed: frozenset[str], markers: list[str]
) -> None:
    for name, caller in callers.items():
        response = caller.request("GET", path)
        report.count("read requests")
        label = f"GET {path} as {name}"
        if name in allowed:
            leaked = [m for m in markers if m in response.text] if name in OUTSIDERS else []
            report.check(not leaked, f"{label}: shows another collaborative's {leaked}")
            report.count(
                "reads allowed and served" if response.status_code == 200 else "reads allowed but refused"
            )
            report.check(
                response.status_code == 200,
                f"{label}: allowed, but {response.status_code} {response.text[:200]}",
            )
        else:
            _refused(report, response, name, label, markers)


def _drill_people(report: DrillReport, engine: QIEngine, world: World, elsewhere: World) -> None:
    """A team of another collaborative enlists this one's nurse as a physician (which would
    change her credit and show her name): refused, nothing written; and a team reads only
    its own members' attendance."""
    nurse, path = world.flow.members[world.flow.teams[0]], f"/activities/{world.flow.session}"
    before = engine.recorder.max_notification_id()
    enlist = {"member": {"participant_id": nurse, "discipline": "physician"}}
    label = f"POST /teams/{elsewhere.flow.teams[0]}/members (another collaborative's person) as team_other"
    response = elsewhere.callers["team_a"].request(
        "POST", f"/teams/{elsewhere.flow.teams[0]}/members", json=enlist
    )
    report.count(
        "cross-collaborative enlistments refused" if response.status_code == 403 else "enlistments let in"
    )
    # The refusal may repeat the id the caller sent, never more of the person.
    _refused(report, response, "team_other", label, [m for m in _markers(world) if m != nurse])
    report.check(
        engine.recorder.max_notification_id() == before, f"{label}: refused, yet events were written"
    )
    seen = {a["participant_id"] for a in world.callers["team_a"].request("GET", path).json()["attendance"]}
    report.count("attendance lists read by a team")
    report.check(seen == {nurse}, f"GET {path} as team_a: lists other teams' attendance {seen - {nurse}}")


def _fill(template: str, params: dict[str, str]) -> str:
    path = template
    for key, value in params.items():
        path = path.replace("{" + key + "}", value)
    return path


def undeclared_reads(schema: dict[str, Any]) -> list[str]:
    """GET routes of the schema with no entry in READS."""
    return sorted(t for _, t in operations(schema, frozenset({"get"})) if t not in READS)
