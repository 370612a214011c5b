"""The pages' forms without a browser: the API's errors, nothing stored on a
refusal, escaping, and the session cookie."""

from __future__ import annotations

from uuid import UUID

from fastapi.testclient import TestClient

from aggregates.base import Role
from engine.application import QIEngine
from tests.api.conftest import Api, issue
from tests.api.flow import HttpFlow
from tests.conftest import Clock
from tests.web.pages import PageClient, signed_in


def test_the_session_cookie_is_http_only_and_strict(client: TestClient, staff: Api) -> None:
    page = PageClient(client)
    page.get("/ui/sign-in")
    response = page.post(
        "/ui/sign-in", data={"token": staff.token, "next": "//evil.example"}, follow_redirects=False
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert response.headers["location"] == "/ui/"


def test_a_refused_form_shows_the_apis_error_and_stores_nothing(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("sessions")
    team = flow.teams[0]
    page = signed_in(client, issue(app_engine, Role.TEAM, "mercy", team_id=flow.teams[0]))
    before = app_engine.recorder.max_notification_id()
    form = {
        "measure_key": "weight-kg",
        "period": "2025-02",
        "numerator": "30",
        "denominator": "20",
        "command_id": "c1",
    }
    response = page.post(f"/ui/teams/{team}/data", data=form)
    assert response.status_code == 409
    assert "numerator 30 exceeds denominator 20" in response.text and 'role="alert"' in response.text
    assert app_engine.recorder.max_notification_id() == before
    bad = page.post(f"/ui/teams/{team}/data", data=form | {"period": "Feb", "command_id": "c2"})
    assert bad.status_code == 422 and "period" in bad.text
    assert app_engine.recorder.max_notification_id() == before


def test_a_double_submitted_form_is_stored_once(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("sessions")
    page = signed_in(client, staff.token)  # type: ignore[arg-type]
    form = {
        "measure_key": "weight-kg",
        "period": "2025-02",
        "numerator": "3",
        "denominator": "4",
        "command_id": "once",
    }
    first = page.post(f"/ui/teams/{flow.teams[0]}/data", data=form, follow_redirects=False)
    after_first = app_engine.recorder.max_notification_id()
    second = page.post(f"/ui/teams/{flow.teams[0]}/data", data=form, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert app_engine.recorder.max_notification_id() == after_first


def test_going_back_after_a_save_and_sending_other_values_corrects_rather_than_fails(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("sessions")
    page = signed_in(client, staff.token)  # type: ignore[arg-type]
    team = flow.teams[0]
    form = {"measure_key": "weight-kg", "period": "2025-02", "numerator": "3", "denominator": "4",
            "command_id": "back"}  # fmt: skip
    assert page.post(f"/ui/teams/{team}/data", data=form, follow_redirects=False).status_code == 303
    again = page.post(f"/ui/teams/{team}/data", data=form | {"numerator": "4"}, follow_redirects=False)
    assert again.status_code == 303, again.text
    measure = next(
        m for m in staff.get(f"/teams/{team}").json()["measures"] if m["definition"]["key"] == "weight-kg"
    )
    assert [p["numerator"] for p in measure["data"] if p["period"] == "2025-02"] == [4]


def test_text_from_users_is_escaped_on_the_pages(client: TestClient, staff: Api, clock: Clock) -> None:
    flow = HttpFlow(staff, clock)
    flow.create()
    flow.advance("registration")
    member = {"person": {"name": "<img src=x onerror=alert(1)>"}, "discipline": "nurse"}
    body = {
        "name": "<script>alert(1)</script> ED",
        "organization": "O",
        "care_setting": "community_ed",
        "members": [member],
    }
    team = flow.ok(f"/collaboratives/{flow.collaborative}/teams", body)["id"]
    page = signed_in(client, staff.token)  # type: ignore[arg-type]
    for path in (f"/ui/collaboratives/{flow.collaborative}", f"/ui/teams/{team}"):
        html = page.get(path).text
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
        assert "<img src=x" not in html


def test_pages_need_a_session_and_the_right_role(client: TestClient, app_engine: QIEngine) -> None:
    response = client.get("/ui/audit", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/ui/sign-in?next=/ui/audit"
    page = signed_in(client, issue(app_engine, Role.TEAM, "t"))
    refused = page.get("/ui/audit")
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]


def test_staff_register_a_team_whose_first_member_has_an_email_and_leads_it(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("registration")
    page = signed_in(client, staff.token)  # type: ignore[arg-type]
    form = {"name": "Tri Valley ED", "care_setting": "community_ed", "member_name": "Ana Cruz",
            "member_credentials": "RN", "member_email": "ana@trivalley.example", "discipline": "nurse",
            "member_role": "team_lead"}  # fmt: skip
    sent = page.post(f"/ui/collaboratives/{flow.collaborative}/teams", data=form, follow_redirects=False)
    assert sent.status_code == 303
    teams = app_engine.collaborative(UUID(flow.collaborative)).state.teams
    (registered,) = [t for t in teams if app_engine.team(t).state.name == "Tri Valley ED"]
    (member,) = app_engine.team(registered).state.members.values()
    assert member.role.value == "team_lead"
    email = app_engine.participant(member.participant_id).state.details.email
    assert app_engine.open_personal(email) == "ana@trivalley.example"
