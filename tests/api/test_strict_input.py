"""Command fields are strict over HTTP: the review's attacks replayed.

A team stored `javascript:` and `data:` storyboard links (rendered as links staff
open), shared a project listing 40,000 measure keys (the library page then took 43 s),
and recorded `"minutes": true` as one minute and `"60"` as a number. Each is now a 422
problem naming the field, and nothing is written.
"""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from adapters.http.schemas.teams import TeamPublic
from aggregates.base import Actor, Role
from aggregates.phases import Phase
from aggregates.values import SharedProject
from engine.application import QIEngine
from engine.settings import Settings
from tests.api.conftest import Api, issue
from tests.api.flow import HttpFlow
from tests.conftest import Clock

PROBLEM = "application/problem+json"
PROJECT = {"title": "Kg only", "summary": "What worked", "measure_keys": ["weight-kg"]}


@pytest.fixture
def flow(staff: Api, clock: Clock) -> HttpFlow:
    flow = HttpFlow(staff, clock)
    flow.up_to("sharing")
    return flow


@pytest.fixture
def team(flow: HttpFlow, client: TestClient, app_engine: QIEngine) -> Api:
    return Api(client, issue(app_engine, Role.TEAM, "mercy", team_id=UUID(flow.teams[0])))


def refused(api: Api, engine: QIEngine, path: str, body: Any) -> str:
    """POST `body`, expect a 422 problem that wrote nothing; its detail."""
    before = engine.recorder.max_notification_id()
    response = api.post(path, body, expect=422)
    assert response.headers["content-type"] == PROBLEM
    assert engine.recorder.max_notification_id() == before
    detail: str = response.json()["detail"]
    return detail


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        " JavaScript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "//evil.example/storyboard",
        "https://staff:secret@evil.example/",
    ],
)
def test_a_team_cannot_store_a_storyboard_link_that_runs_script_or_leaves_the_web(
    flow: HttpFlow, team: Api, app_engine: QIEngine, url: str
) -> None:
    path = f"/teams/{flow.teams[0]}/share"
    detail = refused(team, app_engine, path, {"project": PROJECT | {"storyboard_url": url}})

    assert "body.project.storyboard_url: the storyboard link must" in detail
    assert _shared(team, flow.teams[0]).storyboard_url is None


def test_a_team_can_share_a_genuine_web_storyboard(flow: HttpFlow, team: Api) -> None:
    url = "https://demo.qi.example/storyboards/Mercy%20ED.pdf?v=2"
    team.ok(f"/teams/{flow.teams[0]}/share", {"project": PROJECT | {"storyboard_url": url}})

    assert _shared(team, flow.teams[0]).storyboard_url == url


def _shared(api: Api, team_id: str) -> SharedProject:
    """The project the team shared, as GET /teams/{id} answers it."""
    shared = TeamPublic.model_validate(api.get(f"/teams/{team_id}").json()).shared
    assert shared is not None
    return shared


def test_library_links_and_outputs_take_only_web_addresses(
    flow: HttpFlow, staff: Api, app_engine: QIEngine
) -> None:
    link = {"details": {"kind": "article", "title": "Kg"}, "url": "javascript:alert(1)"}
    detail = refused(staff, app_engine, f"/collaboratives/{flow.collaborative}/resources", link)
    assert "body.url: the link must start with http:// or https://" in detail

    output = {"details": {"kind": "summative_paper", "title": "Kg", "url": "data:text/html,<b>x</b>"}}
    detail = refused(staff, app_engine, f"/collaboratives/{flow.collaborative}/outputs", output)
    assert "body.details.url: the output's link must start with http:// or https://" in detail


def test_forty_thousand_measure_keys_are_refused_at_once(
    flow: HttpFlow, team: Api, app_engine: QIEngine
) -> None:
    project = PROJECT | {"measure_keys": ["weight-kg"] * 40_000}
    started = time.perf_counter()

    detail = refused(team, app_engine, f"/teams/{flow.teams[0]}/share", {"project": project})

    assert "body.project.measure_keys: lists 40000 measure keys; at most 50" in detail
    assert time.perf_counter() - started < 5


def test_a_measure_key_listed_twice_is_refused_by_name(
    flow: HttpFlow, team: Api, app_engine: QIEngine
) -> None:
    project = PROJECT | {"measure_keys": ["weight-kg", "weight-kg"]}
    detail = refused(team, app_engine, f"/teams/{flow.teams[0]}/share", {"project": project})
    assert "lists the measure key 'weight-kg' twice" in detail


@pytest.mark.parametrize(
    ("minutes", "message"),
    [(True, "must be a whole number, not true"), ("60", 'must be a whole number, not the text "60"')],
)
def test_minutes_sent_as_true_or_as_text_are_refused_and_attendance_is_unchanged(
    staff: Api, clock: Clock, app_engine: QIEngine, minutes: Any, message: str
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("sessions")
    member = flow.members[flow.teams[0]]
    body = {"participant_id": member, "minutes": minutes}

    detail = refused(staff, app_engine, f"/activities/{flow.session}/attendance", body)

    assert f"body.minutes: {message}" in detail
    attendance = staff.get(f"/activities/{flow.session}").json()["attendance"]
    assert {a["participant_id"]: a["minutes"] for a in attendance}[member] == 90


def test_a_numerator_sent_as_text_or_true_is_refused_and_a_real_number_is_kept(
    flow: HttpFlow, team: Api, app_engine: QIEngine
) -> None:
    path = f"/teams/{flow.teams[0]}/measures/weight-kg/data"
    detail = refused(team, app_engine, path, {"period": "2025-02", "numerator": "12", "denominator": 20})
    assert 'body.numerator: must be a number, not the text "12"' in detail
    detail = refused(team, app_engine, path, {"period": "2025-02", "numerator": 12, "denominator": True})
    assert "body.denominator: must be a number, not true" in detail

    team.ok(path, {"period": "2025-02", "numerator": 12, "denominator": 20})
    team.ok(path, {"period": "2025-03", "numerator": 12.5, "denominator": 20.0})
    [measure] = team.get(f"/teams/{flow.teams[0]}").json()["measures"]
    values = {d["period"]: (d["numerator"], d["denominator"]) for d in measure["data"]}
    assert values["2025-02"] == (12, 20) and values["2025-03"] == (12.5, 20)


def test_a_prediction_is_confirmed_with_true_or_false_only(
    staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("sessions")
    flow.advance("projects")
    team = flow.teams[0]
    plan = {"title": "Kg", "change_idea": "Lock", "objective": "o", "prediction": "p", "plan": "q"}
    cycle = flow.ok(f"/teams/{team}/pdsa", {"plan": plan})["created"]["PdsaCycle"][0]
    flow.ok(f"/teams/{team}/pdsa/{cycle}/do", {"do": {"observations": "Scales locked"}})

    study = {"results": "88%", "prediction_confirmed": "yes"}
    detail = refused(staff, app_engine, f"/teams/{team}/pdsa/{cycle}/study", {"study": study})

    assert 'body.study.prediction_confirmed: must be true or false, not "yes"' in detail


def test_history_stored_before_these_rules_still_loads(
    flow: HttpFlow, app_engine: QIEngine, clock: Clock, tmp_path: Any
) -> None:
    # What the old, lenient commands let through, written straight to the store as it was.
    team = app_engine.team(UUID(flow.teams[0]))
    old = SharedProject(
        title="Old", summary="Before", storyboard_url="javascript:alert(1)", measure_keys=("weight-kg",) * 300
    )
    team.share_project(app_engine.context(Actor(id="then", role=Role.TEAM)), Phase.SHARING, old)
    app_engine.save(team)

    fresh = QIEngine(Settings(store=app_engine.settings.store), clock=clock)
    try:
        assert fresh.team(team.id).state.shared == old
    finally:
        fresh.close()
