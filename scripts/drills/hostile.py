"""The hostile-input drill: malformed, oversized, out-of-range and malicious bodies
against every write route, Schemathesis against every route, and the web pages
rendering whatever was stored.

Every request is judged the same way: never a 5xx; a refusal is a 4xx problem+json
and writes no event; an accepted injection string comes back byte-identical from the
event feed, and no web page shows it unescaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from adapters.app import create_app
from aggregates.base import Role
from aggregates.personal import is_sealed
from engine.application import QIEngine
from engine.web_sessions import sign_in
from scripts.drills.bending import INJECTIONS, Send, variants
from scripts.drills.report import DrillReport
from scripts.drills.routes import ROUTES
from scripts.drills.world import World, build_world, issue

PROVES = (
    "no request, however malformed, oversized, out of range or malicious, gets a 5xx; every refusal "
    "is a 4xx problem+json that writes nothing (413 before the body is read when it is too large); "
    "an accepted injection string is stored and returned byte-identical, and escaped on every web page"
)
PAGES = (
    "/ui/collaboratives/{c}",
    "/ui/collaboratives/{c}/as-of",
    "/ui/teams/{t}",
    "/ui/collaboratives/{c}/library",
    "/ui/collaboratives/{c}/driver-diagram",
    "/ui/collaboratives/{c}/toolkits",
    "/ui/audit",
)


@dataclass
class Stored:
    """Injection strings accepted, and the worlds whose pages must show them escaped."""

    strings: set[str] = field(default_factory=set)
    worlds: list[World] = field(default_factory=list)


def run_hostile_input(engine: QIEngine, examples: int = 25, store: str = "sqlite") -> DrillReport:
    """Run the drill in process against `create_app(engine)`: Schemathesis with `examples` per
    route, then the hand-made hostile inputs; see PROVES for what it shows."""
    app = create_app(engine)
    report = DrillReport("hostile input", PROVES, store)
    with TestClient(app, raise_server_exceptions=False) as client:
        drill_hostile_input(report, client, engine)
        if examples:
            fuzz(report, app, engine, examples)
    return report


def drill_hostile_input(report: DrillReport, client: httpx.Client, engine: QIEngine) -> None:
    """The hand-made hostile inputs through any client of the API over `engine`."""
    stored = Stored()
    for number, route in enumerate(r for r in ROUTES if "staff" in r.allowed):
        world = build_world(client, engine, route.phase, f"H{number}")
        route.prepare(world.flow)
        stored.worlds.append(world)
        for label, send in variants(route, world):
            _judge(report, engine, world, f"{route.name}: {label}", send, stored)
    _check_pages(report, client, stored, engine)
    _bend_queries(report, client, engine, stored.worlds[-1])


# Query strings -------------------------------------------------------------------------

QUERY_VALUES = (
    ("NUL", "a\x00b"),
    ("SQL", "'; DROP TABLE stored_events; --"),
    ("markup", "<script>alert(1)</script>"),
    ("very long", "q" * 5000),
    ("RTL override", "\u202eevil"),
    ("huge number", "1" * 400),
)


def _bend_queries(report: DrillReport, client: httpx.Client, engine: QIEngine, world: World) -> None:
    """Every query parameter of every GET route, given each hostile value: a 4xx or an
    inert 200, never a 5xx, and nothing written."""
    staff = world.callers["staff"]
    flow = world.flow
    ids = {"collaborative_id": flow.collaborative, "team_id": flow.teams[0], "activity_id": flow.session or flow.collaborative,
           "participant_id": next(iter(flow.members.values()), flow.collaborative), "measure_key": "weight-kg"}  # fmt: skip
    schema = client.get("/openapi.json").json()
    before = engine.recorder.max_notification_id()
    for template, operations in sorted(schema["paths"].items()):
        query = [p["name"] for p in operations.get("get", {}).get("parameters", []) if p["in"] == "query"]
        path = template
        for name, value in ids.items():
            path = path.replace("{" + name + "}", value)
        if "{" in path:
            continue  # an id the drill's world has no value for
        for parameter in query:
            for label, value in QUERY_VALUES:
                response = staff.request("GET", path, params={parameter: value})
                report.count("inputs tried")
                report.count("query strings bent")
                status = response.status_code
                report.count("5xx seen" if status >= 500 else "4xx seen" if status >= 400 else "2xx seen")
                report.check(
                    status < 500, f"GET {template}?{parameter}={label}: {status} {response.text[:200]}"
                )
    report.check(
        engine.recorder.max_notification_id() == before, "a GET with a bent query string wrote events"
    )


# Judging ------------------------------------------------------------------------------


def _judge(
    report: DrillReport, engine: QIEngine, world: World, label: str, send: Send, stored: Stored
) -> None:
    staff = world.callers["staff"]
    text, raw = send.pop("text", None), send.pop("raw", None)
    headers = {"Content-Type": "application/json"} if "content" in send else {}
    before = engine.recorder.max_notification_id()
    response = staff.request(send.pop("method"), send.pop("url"), headers=headers, **send)
    after = engine.recorder.max_notification_id()
    report.count("inputs tried")
    status = response.status_code
    report.count("5xx seen" if status >= 500 else "4xx seen" if status >= 400 else "2xx seen")
    if status >= 500:
        report.check(False, f"{label}: {status} {response.text[:200]}")
    elif status >= 400:
        _refusal(report, label, response, before == after, raw)
    elif isinstance(text, str) and text in INJECTIONS and not response.json().get("events"):
        report.count("injections accepted as a no-op (nothing new to record)")
    elif isinstance(text, str) and text in INJECTIONS:
        report.count("injections stored")
        stored.strings.add(text)
        report.check(
            _returned_intact(world, before, text), f"{label}: stored, but not returned byte-identical"
        )


def _refusal(
    report: DrillReport, label: str, response: httpx.Response, unchanged: bool, raw: str | None
) -> None:
    report.check(unchanged, f"{label}: refused with {response.status_code}, yet events were written")
    report.check(
        response.headers.get("content-type", "").startswith("application/problem+json"),
        f"{label}: a {response.status_code} that is not problem+json",
    )
    if raw is not None and raw.startswith("oversized"):
        report.count(
            "oversized bodies refused with 413" if response.status_code == 413 else "oversized bodies"
        )
        report.check(response.status_code == 413, f"{label}: {response.status_code}, not 413")


def _returned_intact(world: World, before: int, text: str) -> bool:
    """The string comes back, byte for byte, in an event the request wrote (read from the feed;
    personal values, sealed there, opened as staff read them)."""
    page = world.callers["staff"].request("GET", "/events", params={"after": before, "limit": 1000})
    engine = world.flow.engine
    return page.status_code == 200 and any(_contains(e["data"], text, engine) for e in page.json()["events"])


def _contains(data: Any, text: str, engine: QIEngine) -> bool:
    if is_sealed(data):
        return _contains(engine.open_personal(data), text, engine)
    if isinstance(data, dict):
        return any(_contains(v, text, engine) for v in data.values())
    if isinstance(data, list):
        return any(_contains(v, text, engine) for v in data)
    return data == text


# Pages --------------------------------------------------------------------------------


def _check_pages(report: DrillReport, client: httpx.Client, stored: Stored, engine: QIEngine) -> None:
    """Every page that may show a stored string: a 200, escaped markup, never the raw markup."""
    markup = [s for s in stored.strings if "<" in s or '"' in s]
    escaped = {s: html.escape(s, quote=False) for s in markup}
    shown: set[str] = set()
    for world in stored.worlds:
        flow = world.flow
        cookie = {"Cookie": f"qi_session={sign_in(engine, str(world.callers['staff'].token))}"}
        for page in PAGES:
            path = page.format(c=flow.collaborative, t=flow.teams[0] if flow.teams else "")
            if "{t}" in page and not flow.teams:
                continue
            response = client.get(path, headers=cookie)
            report.count("pages rendered")
            report.check(response.status_code == 200, f"{path}: {response.status_code} {response.text[:200]}")
            for text in markup:
                report.check(text not in response.text, f"{path}: shows {text!r} unescaped")
                if escaped[text] in response.text or html.escape(text) in response.text:
                    shown.add(text)
    report.count("stored markup strings shown escaped on a page", len(shown))


# Schemathesis ---------------------------------------------------------------------------


def fuzz(report: DrillReport, app: Any, engine: QIEngine, examples: int) -> None:
    """Schemathesis cases for every operation of the schema, as staff: no 5xx, no write refused."""
    import schemathesis

    headers = {"Authorization": f"Bearer {issue(engine, Role.STAFF, 'drill-fuzz')}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def judge(case: Any) -> None:
            before = engine.recorder.max_notification_id()
            response = case.call(headers=headers)
            unchanged = engine.recorder.max_notification_id() == before
            label = f"schemathesis {case.method} {case.formatted_path}"
            report.count("schemathesis cases")
            report.count("inputs tried")
            status = response.status_code
            report.count("5xx seen" if status >= 500 else "4xx seen" if status >= 400 else "2xx seen")
            report.check(status < 500, f"{label}: {status} {response.text[:200]}")
            report.check(
                status < 400 or unchanged, f"{label}: refused with {status}, yet events were written"
            )

        judge()
