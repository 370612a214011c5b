"""A whole collaborative, every phase, over HTTP."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from adapters.http.schemas.teams import TeamPublic
from aggregates.tokens import token_id
from engine.application import QIEngine
from engine.read_models import ReadModels
from projections.dashboard_view import DashboardView
from tests.api.conftest import Api
from tests.api.flow import HttpFlow
from tests.conftest import Clock


def test_staff_and_teams_run_a_collaborative_through_every_phase_over_http(staff: Api, clock: Clock) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("sharing")
    output = {
        "details": {"kind": "summative_paper", "title": "Kg in every ED", "url": "https://example.org/p"}
    }
    flow.ok(f"/collaboratives/{flow.collaborative}/outputs", output)
    flow.advance("community_of_practice")
    flow.ok(
        f"/collaboratives/{flow.collaborative}/community", {"participant_id": flow.members[flow.teams[0]]}
    )
    flow.advance("closed")

    body = staff.get(f"/collaboratives/{flow.collaborative}").json()
    assert [c["to_phase"] for c in body["phase_history"]] == [
        "focus",
        "registration",
        "orientation",
        "sessions",
        "projects",
        "sharing",
        "community_of_practice",
        "closed",
    ]
    assert all(c["override_reason"] is None for c in body["phase_history"])
    assert [o["title"] for o in body["outputs"]] == ["Kg in every ED"]
    assert len(body["community"]) == 1
    listing = staff.get("/collaboratives").json()
    assert [(c["id"], c["phase"], c["active_teams"]) for c in listing] == [(flow.collaborative, "closed", 2)]


def test_a_team_reads_back_its_measures_cycles_and_shared_project(staff: Api, clock: Clock) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("sharing")
    team = staff.get(f"/teams/{flow.teams[0]}").json()
    [measure] = team["measures"]
    assert measure["data"][0] | {"submitted_at": None} == {
        "period": "2025-01",
        "numerator": 12,
        "denominator": 20,
        "value": 0.6,
        "submitted_at": None,
        "corrections": 0,
    }
    [cycle] = team["cycles"]
    assert (cycle["stage"], cycle["act"]["decision"]) == ("acted", "adopt")
    shared = TeamPublic.model_validate(team).shared
    assert shared is not None and shared.title == "Kg only"
    assert team["assessments"][0]["score_percent"] == 55


def test_the_exit_criteria_route_says_what_blocks_the_next_phase(staff: Api, clock: Clock) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("registration")
    flow.advance("orientation")
    status = staff.get(f"/collaboratives/{flow.collaborative}/exit-criteria").json()
    assert status["phase"] == "orientation" and status["next_phase"] == "sessions"
    assert [u["criterion"] for u in status["unmet"]] == ["assessments_complete"]


def test_a_collaborative_and_a_team_read_as_of_a_past_moment(staff: Api, clock: Clock) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("registration")
    before_orientation = clock.now + timedelta(hours=1)
    flow.advance("orientation")
    flow.orient()
    then = staff.get(f"/collaboratives/{flow.collaborative}", as_of=before_orientation.isoformat()).json()
    now = staff.get(f"/collaboratives/{flow.collaborative}").json()
    assert (then["phase"], now["phase"]) == ("registration", "orientation")
    team_then = staff.get(f"/teams/{flow.teams[0]}", as_of=before_orientation.isoformat()).json()
    assert team_then["assessments"] == []
    assert staff.get(f"/teams/{flow.teams[0]}", version=1).json()["version"] == 1


def test_writes_record_the_tokens_actor_and_role(staff: Api, clock: Clock, app_engine: QIEngine) -> None:
    flow = HttpFlow(staff, clock)
    flow.create()
    [event] = list(app_engine.events.get(UUID(flow.collaborative)))
    assert (event.actor_id, event.actor_role) == (f"token:{token_id(str(staff.token))}", "staff")  # type: ignore[attr-defined]


def test_the_dashboard_route_reflects_the_collaborative_as_it_runs(staff: Api, clock: Clock) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("projects")
    view = staff.get(f"/collaboratives/{flow.collaborative}/dashboard").json()
    assert (view["phase"], view["next_phase"], view["unmet_for_next_phase"]) == ("projects", "sharing", [])
    assert {t["name"]: t["cycles_by_decision"] for t in view["teams"]} == {
        "Mercy ED": {"adopt": 1},
        "Big Sky EMS": {"adopt": 1},
    }
    assert staff.get("/collaboratives/00000000-0000-4000-8000-000000000000/dashboard").status_code == 404


def test_the_dashboard_sent_serialised_once_is_the_model_the_openapi_document_names(
    staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("projects")
    path = f"/collaboratives/{flow.collaborative}/dashboard"
    first = staff.get(path)
    assert first.headers["content-type"] == "application/json"
    view = DashboardView.model_validate_json(first.content)
    assert view == ReadModels(app_engine).dashboard(UUID(flow.collaborative))
    assert staff.get(path).content == first.content  # the same bytes until the read model moves
    flow.ok(f"/teams/{flow.teams[0]}/measures/weight-kg/data", {"period": "2025-02", "numerator": 15,
                                                                  "denominator": 20})  # fmt: skip
    assert staff.get(path).content != first.content
    schema = staff.client.get("/openapi.json").json()["paths"]["/collaboratives/{collaborative_id}/dashboard"]
    assert schema["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/DashboardView"
    )
