"""A collaborative walked over HTTP to a given phase, with a token for every role:
the ground the hostile-input and authorisation drills stand on.

Works through any httpx client: a TestClient over the app in tests, or a client on
a running server's base URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from aggregates.base import Actor, Role
from aggregates.tokens import Grant
from engine.application import QIEngine

PHASES = ("focus", "registration", "orientation", "sessions", "projects", "sharing")
SETUP = Actor(id="drill-setup", role=Role.SYSTEM)
WEIGHT = {
    "key": "weight-kg",
    "name": "Weight in kilograms",
    "kind": "process",
    "numerator": "children weighed in kg only",
    "denominator": "children seen",
    "direction": "increase",
    "target": 0.9,
}
FOCUS = {
    "focus_area": "Pediatric readiness",
    "aim": "Weigh 90% of children in kg",
    "starts_on": "2025-01-01",
    "ends_on": "2025-12-31",
}
PLAN = {
    "title": "Kg-only scale",
    "change_idea": "Lock scales to kg",
    "objective": "Fewer lb entries",
    "prediction": "90% in kg",
    "plan": "Day shift, one week",
}


class SetupFailed(AssertionError):
    """A step that builds the world was refused: the drill cannot stand on it."""


def issue(engine: QIEngine, role: Role, name: str, **scope: Any) -> str:
    return engine.issue_token(Grant(name=name, role=role, **scope), engine.context(SETUP))


@dataclass
class Caller:
    """An HTTP client acting with one token (or none)."""

    client: httpx.Client
    token: str | None

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token is not None else {}

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = self.headers() | kw.pop("headers", {})
        return self.client.request(method, path, headers=headers, **kw)

    def ok(self, path: str, body: Any, method: str = "POST") -> dict[str, Any]:
        response = self.request(method, path, json=body)
        if response.status_code not in (200, 201):
            raise SetupFailed(f"{method} {path}: {response.status_code} {response.text[:300]}")
        result: dict[str, Any] = response.json()
        return result


@dataclass
class Flow:
    """One collaborative, walked phase by phase through the API by staff."""

    staff: Caller
    engine: QIEngine
    title: str = "PRQC"
    collaborative: str = ""
    teams: list[str] = field(default_factory=list)
    members: dict[str, str] = field(default_factory=dict)
    cycles: dict[str, str] = field(default_factory=dict)
    session: str = ""
    made: dict[str, str] = field(default_factory=dict)  # ids a route's preparation made for its path

    def ok(self, path: str, body: Any) -> dict[str, Any]:
        return self.staff.ok(path, body)

    def advance(self, to: str) -> None:
        self.ok(f"/collaboratives/{self.collaborative}/phase", {"to": to})

    def create(self) -> None:
        body = {"title": self.title, "focus": FOCUS, "measures": [WEIGHT], "settings": {"min_teams": 2}}
        self.collaborative = self.ok("/collaboratives", body)["id"]

    def register_teams(self) -> None:
        self.advance("registration")
        for name, setting, discipline in (
            (f"{self.title} Mercy ED", "community_ed", "nurse"),
            (f"{self.title} Big Sky EMS", "ems_agency", "paramedic"),
        ):
            member = {"person": {"name": f"{name} lead", "credentials": "RN"}, "discipline": discipline}
            body = {"name": name, "organization": name, "care_setting": setting, "members": [member]}
            result = self.ok(f"/collaboratives/{self.collaborative}/teams", body)
            self.teams.append(result["id"])
            self.members[result["id"]] = result["created"]["Participant"][0]

    def orient(self) -> None:
        self.advance("orientation")
        items = [{"item": "Weight in kg", "score": 40}, {"item": "Policy", "score": 70}]
        for team in self.teams:
            self.ok(f"/teams/{team}/assessments", {"kind": "gap_analysis", "items": items})

    def hold_session(self) -> None:
        self.advance("sessions")
        # Already under way, so attendance may be recorded whatever the engine's clock.
        starts = (self.engine.clock() - timedelta(hours=2)).isoformat()
        details = {"kind": "learning_session", "title": "LS1", "starts_at": starts, "duration_minutes": 90}
        details["ce"] = {"credit_types": ["cme", "cne"], "max_hours": 1.5, "accrediting_body": "AAP"}
        self.session = self.ok(f"/collaboratives/{self.collaborative}/activities", {"details": details})["id"]
        for team in self.teams:
            self.ok(
                f"/activities/{self.session}/attendance",
                {"participant_id": self.members[team], "minutes": 90},
            )
            self.ok(f"/teams/{team}/measures", {"measure": WEIGHT})

    def work_projects(self) -> None:
        self.advance("projects")
        for team in self.teams:
            self.ok(
                f"/teams/{team}/measures/weight-kg/data",
                {"period": "2025-01", "numerator": 12, "denominator": 20},
            )
            cycle = self.ok(f"/teams/{team}/pdsa", {"plan": PLAN})["created"]["PdsaCycle"][0]
            self.cycles[team] = cycle
            self.ok(f"/teams/{team}/pdsa/{cycle}/do", {"do": {"observations": "Scales locked"}})
            self.ok(
                f"/teams/{team}/pdsa/{cycle}/study",
                {"study": {"results": "88%", "prediction_confirmed": False}},
            )
            self.ok(f"/teams/{team}/pdsa/{cycle}/act", {"act": {"decision": "adopt"}})

    def share(self) -> None:
        self.advance("sharing")
        for team in self.teams:
            project = {"title": "Kg only", "summary": "What worked", "measure_keys": ["weight-kg"]}
            self.ok(f"/teams/{team}/share", {"project": project})

    def up_to(self, phase: str) -> None:
        steps = (
            self.create,
            self.register_teams,
            self.orient,
            self.hold_session,
            self.work_projects,
            self.share,
        )
        last = PHASES.index(phase if phase in PHASES else "sharing")
        for step in steps[: last + 1]:
            step()
        if phase == "community_of_practice":
            self.advance("community_of_practice")


@dataclass
class World:
    """A flow at a phase, a coach assigned to team A, and a caller per role and scope."""

    flow: Flow
    callers: dict[str, Caller] = field(default_factory=dict)


ROLES = ("staff", "coach_of_a", "coach_of_none", "team_a", "team_b", "auditor", "subscriber")


def build_world(client: httpx.Client, engine: QIEngine, phase: str, title: str = "PRQC") -> World:
    """A collaborative at `phase` and a caller for each name in ROLES."""
    staff = Caller(client, issue(engine, Role.STAFF, f"{title}-staff"))
    flow = Flow(staff, engine, title)
    flow.up_to(phase)
    coach = staff.ok("/participants", {"details": {"name": f"{title} Coach Cal"}})["id"]
    flow.members["coach"] = coach
    if flow.teams:
        staff.ok(f"/teams/{flow.teams[0]}/coach", {"coach_id": coach})
    team_a, team_b = ([*flow.teams, None, None])[:2]
    scopes: dict[str, tuple[Role, dict[str, Any]]] = {
        "coach_of_a": (Role.COACH, {"participant_id": coach}),
        # A coach, but of no team here: team B's lead has no team to coach.
        "coach_of_none": (Role.COACH, {"participant_id": flow.members[team_b] if team_b else None}),
        "team_a": (Role.TEAM, {"team_id": team_a}),
        "team_b": (Role.TEAM, {"team_id": team_b}),
        "auditor": (Role.AUDITOR, {}),
        "subscriber": (Role.SUBSCRIBER, {}),
    }
    world = World(flow, {"staff": staff})
    for name, (role, scope) in scopes.items():
        world.callers[name] = Caller(client, issue(engine, role, f"{title}-{name}", **scope))
    return world
