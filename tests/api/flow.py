"""A collaborative run over HTTP, phase by phase, meeting every exit criterion."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tests.api.conftest import Api
from tests.conftest import Clock
from tests.fixtures import FOCUS, PLAN, WEIGHT


@dataclass
class HttpFlow:
    api: Api
    clock: Clock
    collaborative: str = ""
    teams: list[str] = field(default_factory=list)
    members: dict[str, str] = field(default_factory=dict)
    cycles: dict[str, str] = field(default_factory=dict)
    session: str = ""

    def ok(self, path: str, body: Any, **kw: Any) -> dict[str, Any]:
        self.clock.advance(days=1)
        return self.api.ok(path, body, **kw)

    def advance(self, to: str, reason: str | None = None) -> dict[str, Any]:
        body = {"to": to, "override_reason": reason} if reason else {"to": to}
        return self.ok(f"/collaboratives/{self.collaborative}/phase", body)

    def create(self) -> str:
        body = {"title": "PRQC", "focus": FOCUS, "measures": [WEIGHT], "settings": {"min_teams": 2}}
        self.collaborative = self.ok("/collaboratives", body)["id"]
        return self.collaborative

    def register_teams(self) -> None:
        for name, setting, discipline in (
            ("Mercy ED", "community_ed", "nurse"),
            ("Big Sky EMS", "ems_agency", "paramedic"),
        ):
            member = {"person": {"name": f"{name} lead", "credentials": "RN"}, "discipline": discipline}
            body = {"name": name, "organization": name, "care_setting": setting, "members": [member]}
            result = self.ok(f"/collaboratives/{self.collaborative}/teams", body)
            self.teams.append(result["id"])
            self.members[result["id"]] = result["created"]["Participant"][0]

    def orient(self) -> None:
        items = [{"item": "Weight in kg", "score": 40}, {"item": "Policy", "score": 70}]
        for team in self.teams:
            self.ok(f"/teams/{team}/assessments", {"kind": "gap_analysis", "items": items})

    def hold_session(self) -> None:
        starts = (self.clock.now + timedelta(days=1)).isoformat()
        details = {
            "kind": "learning_session",
            "title": "LS1",
            "starts_at": starts,
            "duration_minutes": 90,
            "ce": {"credit_types": ["cme", "cne"], "max_hours": 1.5, "accrediting_body": "AAP"},
        }
        self.session = self.ok(f"/collaboratives/{self.collaborative}/activities", {"details": details})["id"]
        self.clock.advance(days=2)
        for team in self.teams:
            body = {"participant_id": self.members[team], "minutes": 90}
            self.ok(f"/activities/{self.session}/attendance", body)

    def define_measures(self) -> None:
        for team in self.teams:
            self.ok(f"/teams/{team}/measures", {"measure": WEIGHT})

    def work_projects(self) -> None:
        for team in self.teams:
            self.ok(
                f"/teams/{team}/measures/weight-kg/data",
                {"period": "2025-01", "numerator": 12, "denominator": 20},
            )
            cycle = self.ok(f"/teams/{team}/pdsa", {"plan": PLAN})["created"]["PdsaCycle"][0]
            self.cycles[team] = cycle
            self.ok(f"/teams/{team}/pdsa/{cycle}/do", {"do": {"observations": "Scales locked"}})
            study = {"results": "88%", "prediction_confirmed": False}
            self.ok(f"/teams/{team}/pdsa/{cycle}/study", {"study": study})
            self.ok(f"/teams/{team}/pdsa/{cycle}/act", {"act": {"decision": "adopt"}})

    def share(self) -> None:
        for team in self.teams:
            project = {"title": "Kg only", "summary": "What worked", "measure_keys": ["weight-kg"]}
            self.ok(f"/teams/{team}/share", {"project": project})

    def up_to(self, phase: str) -> None:
        steps = [
            ("focus", self.create),
            ("registration", lambda: (self.advance("registration"), self.register_teams())),
            ("orientation", lambda: (self.advance("orientation"), self.orient())),
            ("sessions", lambda: (self.advance("sessions"), self.hold_session(), self.define_measures())),
            ("projects", lambda: (self.advance("projects"), self.work_projects())),
            ("sharing", lambda: (self.advance("sharing"), self.share())),
        ]
        for name, step in steps:
            step()
            if name == phase:
                return
