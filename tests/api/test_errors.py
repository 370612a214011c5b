"""Every error is problem+json with a readable detail, and changes nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from aggregates.base import Role
from engine.application import QIEngine
from tests.api.conftest import Api, issue
from tests.api.flow import FOCUS, HttpFlow
from tests.conftest import Clock

PROBLEM = "application/problem+json"


def events(engine: QIEngine) -> int:
    return engine.recorder.max_notification_id() or 0


@pytest.fixture
def flow(staff: Api, clock: Clock) -> HttpFlow:
    flow = HttpFlow(staff, clock)
    flow.create()
    return flow


def test_no_token_is_401_with_a_bearer_challenge(anonymous: Api, app_engine: QIEngine) -> None:
    before = events(app_engine)
    response = anonymous.post("/collaboratives", {"title": "X"})
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"] == "send Authorization: Bearer <token>"
    assert events(app_engine) == before


def test_an_unknown_or_revoked_token_is_401(client: TestClient, app_engine: QIEngine) -> None:
    token = issue(app_engine, Role.STAFF, "temp")
    [issued] = app_engine.tokens()
    app_engine.revoke_token(issued.id, app_engine.context(issued.principal().actor))
    for bearer in (token, "qi_not-a-token"):
        response = Api(client, bearer).get("/collaboratives")
        assert response.status_code == 401
        assert "unknown or revoked" in response.json()["detail"]


def test_a_revoked_token_is_401_on_routes_that_authenticate_in_their_own_thread(
    flow: HttpFlow, client: TestClient, app_engine: QIEngine
) -> None:
    """The dashboard, the charts and every command authenticate inside the route (deps.Caller),
    not in a dependency: a revoked token is still refused there, before anything is read or stored."""
    token = issue(app_engine, Role.STAFF, "soon revoked")
    revoked = next(t for t in app_engine.tokens() if t.state.name == "soon revoked")
    app_engine.revoke_token(revoked.id, app_engine.context(revoked.principal().actor))
    flow.advance("registration")
    flow.register_teams()
    cid, team = flow.collaborative, flow.teams[0]
    gone = Api(client, token)
    before = events(app_engine)
    answers = [
        gone.get(f"/collaboratives/{cid}/dashboard"),
        gone.get(f"/collaboratives/{cid}/measures/weight-kg/chart"),
        gone.post(
            f"/teams/{team}/measures/weight-kg/data", {"period": "2026-01", "numerator": 1, "denominator": 2}
        ),
        gone.post("/collaboratives", {"title": "X"}),
    ]
    for answer in answers:
        assert (answer.status_code, answer.headers["content-type"]) == (401, PROBLEM), answer.text
        assert answer.json()["detail"] == "the bearer token is unknown or revoked"
    assert events(app_engine) == before


def test_a_wrong_role_is_403_and_stores_nothing(client: TestClient, app_engine: QIEngine) -> None:
    auditor = Api(client, issue(app_engine, Role.AUDITOR, "audrey"))
    before = events(app_engine)
    response = auditor.post("/collaboratives", {"title": "X"})
    assert (response.status_code, response.headers["content-type"]) == (403, PROBLEM)
    assert response.json()["detail"] == "the auditor role may not create collaborative"
    assert events(app_engine) == before


def test_a_missing_resource_is_404_naming_it(staff: Api) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    response = staff.get(f"/collaboratives/{missing}")
    assert response.status_code == 404
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": f"no collaborative with id {missing}",
    }
    assert staff.get("/no-such-route").status_code == 404


def test_a_broken_rule_is_409_naming_the_rule(flow: HttpFlow, app_engine: QIEngine) -> None:
    before = events(app_engine)
    member = {"person": {"name": "Lee"}, "discipline": "nurse"}
    body = {"name": "Early", "organization": "Early", "care_setting": "community_ed", "members": [member]}
    response = flow.api.post(f"/collaboratives/{flow.collaborative}/teams", body)
    problem = response.json()
    assert (response.status_code, problem["rule"]) == (409, "activity_not_allowed_in_phase")
    assert "cannot register a team while the collaborative is in the focus phase" in problem["detail"]
    assert events(app_engine) == before


def test_a_blocked_phase_is_409_listing_the_unmet_criteria(flow: HttpFlow, app_engine: QIEngine) -> None:
    flow.advance("registration")
    before = events(app_engine)
    response = flow.api.post(f"/collaboratives/{flow.collaborative}/phase", {"to": "orientation"})
    problem = response.json()
    assert (response.status_code, problem["rule"]) == (409, "phase_exit_criteria_unmet")
    assert problem["unmet"] == [
        {"criterion": "min_teams", "detail": "0 active team(s) registered; at least 2 needed"}
    ]
    assert events(app_engine) == before


def test_a_stale_if_match_is_412(flow: HttpFlow, app_engine: QIEngine) -> None:
    path = f"/collaboratives/{flow.collaborative}/focus"
    revised = {"focus": FOCUS | {"aim": "Weigh 95% in kg"}}
    response = flow.api.post(path, revised, if_match=7)
    assert response.status_code == 412
    assert "not the expected version 7" in response.json()["detail"]
    assert flow.api.post(path, revised, if_match=1).json()["version"] == 2


def test_bad_input_is_422_naming_the_failing_fields_and_stores_nothing(
    staff: Api, app_engine: QIEngine
) -> None:
    before = events(app_engine)
    response = staff.post("/collaboratives", {"focus": {"starts_on": "soon"}, "settings": {"min_teams": 0}})
    problem = response.json()
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    failing = {tuple(e["loc"]) for e in problem["errors"]}
    assert {("body", "title"), ("body", "focus", "starts_on"), ("body", "settings", "min_teams")} <= failing
    assert "body.title" in problem["detail"]
    assert events(app_engine) == before


def test_a_malformed_if_match_is_422(flow: HttpFlow) -> None:
    response = flow.api.client.post(
        f"/collaboratives/{flow.collaborative}/focus",
        json={"focus": FOCUS},
        headers=flow.api.headers() | {"If-Match": "yesterday"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["header", "If-Match"]


def test_a_retried_idempotency_key_returns_the_first_response_and_writes_nothing(
    staff: Api, app_engine: QIEngine
) -> None:
    body = {"title": "PRQC", "focus": FOCUS}
    first = staff.post("/collaboratives", body, key="create-prqc-1")
    before = events(app_engine)
    again = staff.post("/collaboratives", body, key="create-prqc-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert events(app_engine) == before
    assert len(staff.get("/collaboratives").json()) == 1


def test_the_same_idempotency_key_with_a_different_body_is_422(staff: Api, app_engine: QIEngine) -> None:
    staff.post("/collaboratives", {"title": "PRQC"}, key="k-1", expect=201)
    before = events(app_engine)
    response = staff.post("/collaboratives", {"title": "Other"}, key="k-1")
    assert response.status_code == 422
    assert "already used" in response.json()["detail"]
    assert events(app_engine) == before


def test_a_number_too_large_to_store_is_422_not_a_crash(staff: Api, app_engine: QIEngine) -> None:
    before = events(app_engine)
    missing = "00000000-0000-4000-8000-000000000000"
    response = staff.post(f"/activities/{missing}/attendance", {"participant_id": missing, "minutes": 10**40})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "minutes"]
    assert events(app_engine) == before
