"""Staff start a collaborative and set its focus from the pages; a bad field is refused
beside it in people's words, the values sent stay in the form, and nothing is stored."""

from __future__ import annotations

from uuid import UUID

from fastapi.testclient import TestClient

from aggregates.criteria import Criterion
from aggregates.phases import Phase
from engine.application import QIEngine
from tests.api.conftest import Api
from tests.web.pages import signed_in

FOCUS = {"focus_area": "Pediatric readiness", "aim": "Weigh 90% of children in kg", "starts_on": "2025-01-01",
         "ends_on": "2025-12-31"}  # fmt: skip


def test_staff_start_a_collaborative_with_its_focus_and_land_on_it(client: TestClient, staff: Api) -> None:
    page = signed_in(client, staff.token or "", "/ui/collaboratives")
    started = page.post(
        "/ui/collaboratives", data={"title": "Kg Collaborative", **FOCUS}, follow_redirects=False
    )
    assert started.status_code == 303 and started.headers["location"].startswith("/ui/collaboratives/")
    overview = page.get(started.headers["location"])
    assert "Kg Collaborative" in overview.text and "Weigh 90% of children in kg" in overview.text
    assert 'value="Pediatric readiness"' in overview.text  # the focus form holds what is set


def test_the_collaboratives_dates_read_as_people_write_them_under_its_title(
    client: TestClient, staff: Api
) -> None:
    page = signed_in(client, staff.token or "", "/ui/collaboratives")
    started = page.post("/ui/collaboratives", data={"title": "Kg", **FOCUS}, follow_redirects=False)
    overview = page.get(started.headers["location"]).text
    heading = overview[overview.index("<h1>") : overview.index('id="focus"')]
    assert "Pediatric readiness · 1 Jan 2025 to 31 Dec 2025 ·" in heading
    assert "2025-01-01" not in heading and "2025-12-31" not in heading


def test_a_bad_focus_is_refused_beside_its_fields_and_stores_nothing(
    client: TestClient, staff: Api, app_engine: QIEngine
) -> None:
    page = signed_in(client, staff.token or "", "/ui/collaboratives")
    before = app_engine.recorder.max_notification_id()
    refused = page.post("/ui/collaboratives", data={"title": "", **FOCUS, "ends_on": "2024-12-31"})
    assert refused.status_code == 422
    assert 'id="title-error"' in refused.text and "this cannot be empty" in refused.text
    assert 'aria-invalid="true"' in refused.text and 'value="Pediatric readiness"' in refused.text
    assert "String should" not in refused.text and "body." not in refused.text
    assert app_engine.recorder.max_notification_id() == before
    later = page.post("/ui/collaboratives", data={"title": "Kg", **FOCUS, "ends_on": "2024-12-31"})
    assert (
        later.status_code == 422
        and 'id="ends_on-error"' in later.text
        and "the end date must be after the start date" in later.text
    )


def test_staff_revise_the_focus_in_the_focus_phase_and_not_after(client: TestClient, staff: Api) -> None:
    page = signed_in(client, staff.token or "", "/ui/collaboratives")
    overview = page.post("/ui/collaboratives", data={"title": "Kg", **FOCUS}, follow_redirects=False).headers[
        "location"
    ]
    collaborative = overview.rsplit("/", 1)[1]
    page.get(overview)
    revised = page.post(
        f"/ui/collaboratives/{collaborative}/focus", data={**FOCUS, "aim": "Every child in kg"}
    )
    assert revised.status_code == 200 and "Every child in kg" in revised.text
    staff.ok(
        f"/collaboratives/{collaborative}/phase",
        {"to": "registration", "override_reason": "measures come later"},
    )
    after = page.get(overview)
    assert (
        "the collaborative is past it now" in after.text
        and f"/ui/collaboratives/{collaborative}/focus" not in after.text
    )
    refused = page.post(f"/ui/collaboratives/{collaborative}/focus", data=FOCUS)
    assert refused.status_code == 409 and "focus phase" in refused.text


def test_staff_define_a_measure_whose_definitions_teams_read_and_a_bad_one_is_named_beside_its_field(
    client: TestClient, staff: Api, app_engine: QIEngine
) -> None:
    page = signed_in(client, staff.token or "", "/ui/collaboratives")
    overview = page.post("/ui/collaboratives", data={"title": "Kg", **FOCUS}, follow_redirects=False).headers[
        "location"
    ]
    page.get(overview)
    measure = {"measure_name": "Children weighed in kg", "measure_kind": "process", "data_type": "proportion",
               "numerator_definition": "children weighed in kg only", "denominator_definition": "children seen",
               "direction": "increase", "target": "90%"}  # fmt: skip
    before = app_engine.recorder.max_notification_id()
    refused = page.post(
        f"{overview}/measures", data={**measure, "denominator_definition": "", "measure_kind": ""}
    )
    assert refused.status_code == 422 and app_engine.recorder.max_notification_id() == before
    assert 'id="measure_kind-error"' in refused.text and "choose one from the list" in refused.text
    assert 'value="Children weighed in kg"' in refused.text  # what was typed stays
    defined = page.post(f"{overview}/measures", data=measure)
    assert (
        defined.status_code == 200
        and "children weighed in kg only" in defined.text
        and "target 90%" in defined.text
    )
    collaborative = app_engine.collaborative(UUID(overview.rsplit("/", 1)[1]))
    [stored] = collaborative.state.measures.values()
    assert stored.key == "children-weighed-in-kg" and stored.target == 0.9
    missing = page.post(
        f"{overview}/measures", data={**measure, "measure_name": "Doses", "denominator_definition": ""}
    )
    assert missing.status_code == 422 and 'id="denominator_definition-error"' in missing.text
    assert "needs a denominator definition" in missing.text


def test_staff_change_the_exit_criteria_with_a_box_per_criterion_and_phase(
    client: TestClient, staff: Api, app_engine: QIEngine
) -> None:
    page = signed_in(client, staff.token or "", "/ui/collaboratives")
    overview = page.post("/ui/collaboratives", data={"title": "Kg", **FOCUS}, follow_redirects=False).headers[
        "location"
    ]
    shown = page.get(overview).text
    assert 'name="criterion:registration:min_teams" value="on" checked' in shown  # the defaults, ticked
    before = app_engine.recorder.max_notification_id()
    refused = page.post(
        f"{overview}/exit-criteria", data={"min_teams": "none", "criterion:focus:focus_defined": "on"}
    )
    assert refused.status_code == 422 and 'id="min_teams-error"' in refused.text
    assert app_engine.recorder.max_notification_id() == before
    saved = page.post(f"{overview}/exit-criteria", data={"min_teams": "2", "criterion:focus:focus_defined": "on",
                                                          "criterion:sessions:session_held": "on"})  # fmt: skip
    assert saved.status_code == 200
    settings = app_engine.collaborative(UUID(overview.rsplit("/", 1)[1])).state.settings
    assert settings.min_teams == 2 and settings.for_phase(Phase.FOCUS) == (Criterion.FOCUS_DEFINED,)
    assert settings.for_phase(Phase.REGISTRATION) == ()  # unticked: none to leave registration
    forged = client.post(f"{overview}/exit-criteria", data={"min_teams": "1"})
    assert forged.status_code == 403


def test_staff_take_a_person_off_a_team_from_its_page(
    client: TestClient, staff: Api, app_engine: QIEngine
) -> None:
    from tests.api.flow import HttpFlow
    from tests.conftest import Clock

    flow = HttpFlow(staff, Clock(app_engine.clock()))
    flow.create()
    flow.advance("registration", "teams first")
    flow.register_teams()
    team = flow.teams[0]
    added = staff.ok(
        f"/teams/{team}/members", {"member": {"person": {"name": "Kim Extra"}, "discipline": "emt"}}
    )
    kim = added["created"]["Participant"][0]
    page = signed_in(client, staff.token or "", f"/ui/teams/{team}")
    assert "Take Kim Extra off the team" in page.get(f"/ui/teams/{team}").text
    removed = page.post(f"/ui/teams/{team}/members/{kim}/removal", follow_redirects=False)
    assert removed.status_code == 303
    assert UUID(kim) not in app_engine.team(UUID(team)).state.members
    assert UUID(team) not in app_engine.participant(UUID(kim)).state.teams  # their teams, kept on them
