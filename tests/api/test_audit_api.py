"""The audit trail over HTTP and on the command line."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import timedelta

from fastapi.testclient import TestClient

from aggregates.base import Role
from aggregates.tokens import token_id
from engine.application import QIEngine
from tests.api.conftest import Api, issue
from tests.api.flow import HttpFlow
from tests.conftest import Clock


def test_staff_page_through_the_audit_trail_with_filters(staff: Api, clock: Clock) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("orientation")
    first = staff.get("/audit", limit=3).json()
    assert [r["position"] for r in first] == [1, 2, 3]
    assert first[0]["action"] == "TokenIssued" and first[1]["action"] == "CollaborativeCreated"
    assert staff.get("/audit", after=3, limit=2).json()[0]["position"] == 4
    advances = staff.get("/audit", collaborative=flow.collaborative, type="PhaseAdvanced").json()
    assert [a["payload"]["to_phase"] for a in advances] == ["registration", "orientation"]
    assert {a["actor_id"] for a in advances} == {f"token:{token_id(str(staff.token))}"}
    assert {a["actor_name"] for a in advances} == {"ann-staff"}
    team_rows = staff.get("/audit", aggregate=flow.teams[0]).json()
    assert {r["aggregate_id"] for r in team_rows} == {flow.teams[0]}
    later = (clock.now + timedelta(days=1)).isoformat()
    assert staff.get("/audit", since=later).json() == []
    assert len(staff.get("/audit", until=later, limit=1000).json()) == len(
        staff.get("/audit", limit=1000).json()
    )


def test_teams_cannot_read_the_audit_trail(client: TestClient, app_engine: QIEngine) -> None:
    team = Api(client, issue(app_engine, Role.TEAM, "t", team_id=None))
    assert team.get("/audit").status_code == 403
    assert team.get("/audit/verify").status_code == 403


def test_verify_names_the_first_altered_position(staff: Api, clock: Clock, app_engine: QIEngine) -> None:
    HttpFlow(staff, clock).up_to("registration")
    assert staff.get("/audit/verify").json() == {
        "ok": True,
        "checked": app_engine.recorder.max_notification_id(),
        "first_bad_position": None,
        "problem": None,
    }
    with sqlite3.connect(app_engine.settings.store) as conn:
        conn.execute("UPDATE stored_events SET state = ? WHERE rowid = 4", (b'{"title": "forged"}',))
    result = staff.get("/audit/verify").json()
    assert (result["ok"], result["first_bad_position"], result["checked"]) == (False, 4, 3)


def test_qi_audit_verify_exits_non_zero_naming_the_position(
    staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    HttpFlow(staff, clock).up_to("registration")
    env = os.environ | {"QI_STORE": app_engine.settings.store}
    ok = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "audit", "verify"], env=env, capture_output=True, text=True
    )
    assert ok.returncode == 0 and "audit chain intact" in ok.stdout
    with sqlite3.connect(app_engine.settings.store) as conn:
        conn.execute("DELETE FROM stored_events WHERE rowid = 5")
    bad = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "audit", "verify"], env=env, capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert "broken at position 5" in bad.stdout and "missing from the store" in bad.stdout
