"""Attacks on scope, replayed as issue 14 describes them: no caller reaches another
collaborative's people or credit, coaches read only where they coach, the audit names
each token by its id, and a revoked token's open event stream closes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from fastapi.testclient import TestClient

from aggregates.base import Role
from aggregates.phases import Phase
from aggregates.tokens import token_id
from engine.application import QIEngine
from scripts.drills.world import Caller, World, build_world, issue
from tests.api.conftest import SYSTEM
from tests.api.test_events_api import Stream
from tests.web.pages import signed_in

QI = [sys.executable, "-m", "adapters.cli"]
LINK = {"details": {"kind": "article", "title": "Kg"}, "url": "https://example.org/kg"}


def _lead(world: World, team: int = 0) -> str:
    return world.flow.members[world.flow.teams[team]]


def _cross_add(theirs: World, person: str, discipline: str = "physician") -> httpx.Response:
    """Team A of `theirs` lists `person` as its member with `discipline`."""
    body = {"member": {"participant_id": person, "discipline": discipline}}
    return theirs.callers["team_a"].request("POST", f"/teams/{theirs.flow.teams[0]}/members", json=body)


def _totals(staff: Caller, participant: str) -> list[tuple[str, float]]:
    """A transcript's net credit per type."""
    totals = staff.request("GET", f"/participants/{participant}/transcript").json()["totals"]
    return [(t["credit_type"], t["amount"]) for t in totals if t["amount"]]


# People and credit across collaboratives ------------------------------------------------


def test_a_team_of_another_collaborative_may_not_add_a_person_of_this_one_and_nothing_is_written(
    client: TestClient, app_engine: QIEngine
) -> None:
    ours = build_world(client, app_engine, "sessions", "One")
    theirs = build_world(client, app_engine, "sessions", "Two")
    nurse = _lead(ours)
    before = app_engine.recorder.max_notification_id()
    response = _cross_add(theirs, nurse)
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "another collaborative" in response.json()["detail"]
    assert app_engine.recorder.max_notification_id() == before
    ours.flow.ok(f"/activities/{ours.flow.session}/attendance", {"participant_id": nurse, "minutes": 60})
    assert _totals(ours.callers["staff"], nurse) == [("cne", 1.0)]


def test_registering_a_team_with_a_person_of_another_collaborative_is_staffs_call_and_keeps_her_credit(
    client: TestClient, app_engine: QIEngine
) -> None:
    ours = build_world(client, app_engine, "sessions", "One")
    theirs = build_world(client, app_engine, "registration", "Two")
    nurse = _lead(ours)
    member = {"participant_id": nurse, "discipline": "physician"}
    body = {
        "name": "Two Night ED",
        "organization": "Night",
        "care_setting": "community_ed",
        "members": [member],
    }
    theirs.flow.ok(f"/collaboratives/{theirs.flow.collaborative}/teams", body)
    ours.flow.ok(f"/activities/{ours.flow.session}/attendance", {"participant_id": nurse, "minutes": 60})
    assert _totals(ours.callers["staff"], nurse) == [("cne", 1.0)]


def test_a_team_may_still_add_a_person_of_its_own_collaborative(
    client: TestClient, app_engine: QIEngine
) -> None:
    ours = build_world(client, app_engine, "sessions", "One")
    response = _cross_add(ours, _lead(ours, team=1), discipline="paramedic")
    assert response.status_code == 200, response.text


def test_an_activity_read_by_a_team_token_lists_only_its_own_members_attendance(
    client: TestClient, app_engine: QIEngine
) -> None:
    world = build_world(client, app_engine, "sessions", "One")
    path = f"/activities/{world.flow.session}"
    seen = {a["participant_id"] for a in world.callers["team_a"].request("GET", path).json()["attendance"]}
    assert seen == {_lead(world)}
    everyone = {a["participant_id"] for a in world.callers["staff"].request("GET", path).json()["attendance"]}
    assert everyone == {_lead(world), _lead(world, team=1)}


def test_the_team_page_never_shows_the_name_of_a_person_of_another_collaborative(
    client: TestClient, app_engine: QIEngine
) -> None:
    ours = build_world(client, app_engine, "sessions", "One")
    theirs = build_world(client, app_engine, "sessions", "Two")
    _cross_add(theirs, _lead(ours))
    team = theirs.flow.teams[0]
    page = signed_in(client, str(theirs.callers["team_a"].token)).get(f"/ui/teams/{team}")
    assert page.status_code == 200
    assert "One Mercy ED lead" not in page.text
    assert _lead(ours) not in theirs.callers["team_a"].request("GET", f"/teams/{team}").text


# Coaches -------------------------------------------------------------------------------


def test_a_coach_reads_and_adds_to_only_the_collaboratives_of_the_teams_they_coach(
    client: TestClient, app_engine: QIEngine
) -> None:
    ours = build_world(client, app_engine, "orientation", "One")
    theirs = build_world(client, app_engine, "orientation", "Two")
    coach, elsewhere = ours.callers["coach_of_a"], theirs.flow.collaborative
    assert [c["id"] for c in coach.request("GET", "/collaboratives").json()] == [ours.flow.collaborative]
    for path in ("", "/dashboard", "/exit-criteria", "/resources", "/shared-projects", "/driver-diagram"):
        response = coach.request("GET", f"/collaboratives/{elsewhere}{path}")
        assert response.status_code == 403, f"{path}: {response.status_code}"
        assert "coach" in response.json()["detail"]
    assert signed_in(client, str(coach.token)).get(f"/ui/collaboratives/{elsewhere}").status_code == 403
    before = app_engine.recorder.max_notification_id()
    assert coach.request("POST", f"/collaboratives/{elsewhere}/resources", json=LINK).status_code == 403
    assert app_engine.recorder.max_notification_id() == before
    assert coach.request("POST", f"/collaboratives/{ours.flow.collaborative}/resources", json=LINK).is_success
    assert coach.request("GET", f"/collaboratives/{ours.flow.collaborative}/dashboard").status_code == 200


def test_a_coach_of_no_team_reads_no_collaborative(client: TestClient, app_engine: QIEngine) -> None:
    world = build_world(client, app_engine, "orientation", "One")
    idle = world.callers["coach_of_none"]
    assert idle.request("GET", "/collaboratives").json() == []
    assert idle.request("GET", f"/collaboratives/{world.flow.collaborative}").status_code == 403


def test_a_coach_assigned_before_coaching_was_recorded_on_the_person_still_reads_that_collaborative(
    client: TestClient, app_engine: QIEngine
) -> None:
    world = build_world(client, app_engine, "registration", "One")
    other = build_world(client, app_engine, "registration", "Two").flow.collaborative
    person = world.callers["staff"].ok("/participants", {"details": {"name": "Old Coach"}})["id"]
    team = app_engine.team(_uuid(world.flow.teams[1]))
    # History from before the change: the team records the coach, the person nothing.
    team.assign_coach(app_engine.context(SYSTEM), Phase.REGISTRATION, _uuid(person))
    app_engine.save(team)
    coach = Caller(client, issue(app_engine, Role.COACH, "old-coach", participant_id=person))
    assert coach.request("GET", f"/collaboratives/{world.flow.collaborative}").status_code == 200
    assert coach.request("GET", f"/collaboratives/{other}").status_code == 403


def test_a_coach_replaced_on_their_only_team_no_longer_reads_its_collaborative(
    client: TestClient, app_engine: QIEngine
) -> None:
    world = build_world(client, app_engine, "registration", "One")
    coach = world.callers["coach_of_a"]
    assert coach.request("GET", f"/collaboratives/{world.flow.collaborative}").status_code == 200
    successor = world.callers["staff"].ok("/participants", {"details": {"name": "New Coach"}})["id"]
    world.flow.ok(f"/teams/{world.flow.teams[0]}/coach", {"coach_id": successor})
    assert coach.request("GET", f"/collaboratives/{world.flow.collaborative}").status_code == 403


def _uuid(value: str) -> UUID:
    return UUID(value)


# Actors --------------------------------------------------------------------------------


def test_two_tokens_with_the_same_name_and_idempotency_key_create_two_things_told_apart_in_the_audit(
    client: TestClient, app_engine: QIEngine
) -> None:
    first, second = (issue(app_engine, Role.STAFF, "ann") for _ in range(2))
    body = {"title": "PRQC"}
    ids = []
    for secret in (first, second):
        headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "same-key"}
        response = client.post("/collaboratives", json=body, headers=headers)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    assert ids[0] != ids[1]
    staff = {"Authorization": f"Bearer {first}"}
    rows = client.get("/audit", params={"type": "CollaborativeCreated"}, headers=staff).json()
    actors = {f"token:{token_id(first)}", f"token:{token_id(second)}"}
    assert {r["actor_id"] for r in rows} == actors
    assert {r["actor_name"] for r in rows} == {"ann"}
    mine = client.get("/audit", params={"actor": f"token:{token_id(second)}"}, headers=staff).json()
    assert [r["aggregate_id"] for r in mine if r["action"] == "CollaborativeCreated"] == [ids[1]]


# The live stream -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """`qi serve` in a process of its own over a fresh SQLite store."""
    env = os.environ | {"QI_STORE": str(tmp_path / "qi.sqlite3")}
    port = _free_port()
    server = subprocess.Popen(
        [*QI, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            assert time.monotonic() < deadline, "qi serve did not start"
            try:
                httpx.get(f"{base}/healthz")
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        yield base, env
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_an_open_event_stream_closes_within_seconds_of_qi_tokens_revoke_in_another_process(
    served: tuple[str, dict[str, str]],
) -> None:
    base, env = served
    create = [*QI, "tokens", "create", "--role", "subscriber", "--name", "feed"]
    secret = subprocess.run(create, env=env, capture_output=True, text=True, check=True).stdout.strip()
    stream = Stream(f"{base}/events/stream", {"Authorization": f"Bearer {secret}"})
    stream.next_event()  # the token's own issue: the stream is live
    revoke = [*QI, "tokens", "revoke", str(token_id(secret))]
    subprocess.run(revoke, env=env, capture_output=True, check=True)
    revoked_at = time.monotonic()
    delivered = []
    try:
        while True:
            delivered.append(stream.next_event()[1]["type"])
    except AssertionError:  # the stream ended
        closed_after = time.monotonic() - revoked_at
    except httpx.ReadTimeout:  # still open, silent
        closed_after = float("inf")
    finally:
        stream.close()
    assert closed_after < 5, f"the stream stayed open {closed_after:.1f} s after the revocation"
    assert "org.qi.TokenRevoked" not in delivered
    assert httpx.get(f"{base}/events", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
