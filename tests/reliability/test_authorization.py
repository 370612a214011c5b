"""Authorisation: every caller against every route, read and write; nothing leaks to,
and nothing is written by, anyone without the right."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from aggregates.base import Role
from aggregates.errors import RuleViolation
from engine.application import QIEngine
from engine.web_sessions import sign_in
from scripts.drills.authorization import run_authorization
from scripts.drills.reads import READS, undeclared_reads
from scripts.drills.world import build_world, issue
from tests.conftest import Clock
from tests.store.backends import OnPostgreSQL, OnSQLite


class AuthorizationDrill:
    def test_every_caller_gets_only_what_its_role_and_scope_allow_and_refusals_write_nothing(
        self, engine: QIEngine
    ) -> None:
        report = run_authorization(engine)
        assert report.held, "\n".join(report.failures[:20])
        counts = report.counts
        assert counts["writes allowed and accepted"] >= 50 and counts["refused with 403"] > 250
        assert counts["refused with 401"] > 150 and counts["reads allowed and served"] > 100
        assert not any(key.endswith("but refused") for key in counts)
        assert counts["cross-collaborative enlistments refused"] == 1 and "enlistments let in" not in counts
        assert counts["attendance lists read by a team"] == 1


class TestAuthorizationOnSQLite(OnSQLite, AuthorizationDrill):
    pass


@pytest.mark.slow
class TestAuthorizationOnPostgreSQL(OnPostgreSQL, AuthorizationDrill):
    pass


def test_a_read_route_nobody_declared_fails_the_drill(sqlite_engine: QIEngine) -> None:
    app = create_app(sqlite_engine)

    @app.get("/secrets")
    def secrets() -> dict[str, str]:
        return {}

    schema = TestClient(app).get("/openapi.json").json()
    assert undeclared_reads(schema) == ["/secrets"]
    assert set(READS) >= {p for p, ops in schema["paths"].items() if "get" in ops} - {"/secrets"}


def test_a_team_token_lists_and_reads_only_its_own_collaborative(sqlite_engine: QIEngine) -> None:
    client = TestClient(create_app(sqlite_engine))
    ours = build_world(client, sqlite_engine, "registration", "A")
    theirs = build_world(client, sqlite_engine, "focus", "B").flow.collaborative
    team = ours.callers["team_a"]
    assert [c["id"] for c in team.request("GET", "/collaboratives").json()] == [ours.flow.collaborative]
    assert team.request("GET", f"/collaboratives/{theirs}/dashboard").status_code == 403
    assert (
        team.request(
            "GET",
            f"/ui/collaboratives/{theirs}",
            headers={"Cookie": f"qi_session={sign_in(sqlite_engine, str(team.token))}"},
        ).status_code
        == 403
    )
    assert team.request("GET", f"/collaboratives/{ours.flow.collaborative}/dashboard").status_code == 200


def test_a_token_is_refused_once_it_expires_and_not_before(sqlite_engine: QIEngine, clock: Clock) -> None:
    token = issue(sqlite_engine, Role.STAFF, "expiring", expires_at=clock.now + timedelta(hours=1))
    client = TestClient(create_app(sqlite_engine))
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/collaboratives", headers=headers).status_code == 200
    clock.advance(hours=1)
    response = client.get("/collaboratives", headers=headers)
    assert response.status_code == 401


def test_a_token_that_would_never_be_valid_is_not_issued(sqlite_engine: QIEngine, clock: Clock) -> None:
    before = sqlite_engine.recorder.max_notification_id()
    with pytest.raises(RuleViolation, match="never be valid"):
        issue(sqlite_engine, Role.STAFF, "stillborn", expires_at=clock.now)
    assert sqlite_engine.recorder.max_notification_id() == before
