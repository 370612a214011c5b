"""Accreditor ids over the API. A participant's: staff record a physician's first and last
name, birthday, NPI, board id and state licences; they are stored sealed (no NPI in the
store's bytes) and read back open; a mistyped NPI, a made-up state or a 31 April is refused
as problem+json naming the field, and changes nothing. A CE activity's: its ACPE UAN and
CAPCE course number read back as scheduled; one out of shape is refused the same way."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine.application import QIEngine
from scripts.drills.world import build_world
from tests.api.conftest import Api

LEARNER = {
    "first_name": "Priya",
    "last_name": "Patel",
    "birth_day": {"month": 2, "day": 29},
    "npi": "1234567893",
    "boards": [{"board": "ABP", "number": "123456"}],
    "state_licences": [{"state": "mt", "number": "MD-4471"}, {"state": "WY", "number": "9931"}],
}


def _person(staff: Api) -> str:
    return str(staff.ok("/participants", {"details": {"name": "Dr Priya Patel"}})["id"])


def _update(staff: Api, person: str, learner: Any) -> Any:
    body = {"details": {"name": "Dr Priya Patel", "learner": learner}}
    return staff.client.put(f"/participants/{person}", json=body, headers=staff.headers())


def test_staff_record_a_physicians_accreditor_ids_and_read_them_back_sealed_at_rest(
    staff: Api, app_engine: QIEngine
) -> None:
    person = _person(staff)
    assert _update(staff, person, LEARNER).status_code == 200
    read = staff.get(f"/participants/{person}").json()["details"]["learner"]
    assert read["npi"] == "1234567893" and read["birth_day"] == {"month": 2, "day": 29}
    assert [lic["state"] for lic in read["state_licences"]] == ["MT", "WY"]
    assert read["boards"] == [{"board": "ABP", "number": "123456"}]
    stored = b"".join(n.state for n in app_engine.recorder.select_notifications(0, 10_000))
    assert b"1234567893" not in stored and b"MD-4471" not in stored  # sealed under the person's key


@pytest.mark.parametrize(
    ("change", "where", "says"),
    [
        ({"npi": "1234567890"}, "npi", "its last digit does not check"),
        ({"state_licences": [{"state": "Montana", "number": "1"}]}, "state", "not a US state or territory"),
        ({"birth_day": {"month": 4, "day": 31}}, "birth_day", "month 4 has no day 31"),
        ({"birth_day": {"month": "4", "day": 30}}, "month", ""),
        ({"boards": [{"board": "ABP", "number": "1"}, {"board": "ABP", "number": "2"}]}, "boards", "twice"),
    ],
)
def test_a_mistyped_accreditor_id_is_refused_naming_the_field_and_changes_nothing(
    staff: Api, change: dict[str, Any], where: str, says: str
) -> None:
    person = _person(staff)
    assert _update(staff, person, LEARNER).status_code == 200
    before = staff.get(f"/participants/{person}").json()
    refused = _update(staff, person, LEARNER | change)
    assert refused.status_code == 422 and refused.headers["content-type"].startswith(
        "application/problem+json"
    )
    problem = refused.json()
    assert where in refused.text and says in refused.text, problem
    assert staff.get(f"/participants/{person}").json() == before


def _chat(ids: dict[str, Any]) -> dict[str, Any]:
    ce = {"credit_types": ["acpe", "capce"], "max_hours": 1, "accrediting_body": "ACPE", "accreditor": ids}
    return {"kind": "fireside_chat", "title": "Weighing in kg", "starts_at": "2026-03-02T18:00:00Z",
            "duration_minutes": 60, "ce": ce}  # fmt: skip


def test_an_activity_s_accreditor_ids_are_scheduled_with_it_and_one_out_of_shape_is_refused(
    client: TestClient, app_engine: QIEngine
) -> None:
    world = build_world(client, app_engine, "orientation", "Ids")
    staff, path = world.callers["staff"], f"/collaboratives/{world.flow.collaborative}/activities"
    ids = {
        "acpe_uan": "1234-0000-26-001-l01-p",
        "capce_course_number": "26-QI-F1-0001",
        "commercial_support": False,
    }
    made = staff.request("POST", path, json={"details": _chat(ids)})
    assert made.status_code == 201, made.text
    read = staff.request("GET", f"/activities/{made.json()['id']}").json()["details"]["ce"]["accreditor"]
    assert read == {"pars_activity_id": None, "acpe_uan": "1234-0000-26-001-L01-P",
                    "capce_course_number": "26-QI-F1-0001", "commercial_support": False}  # fmt: skip
    for wrong, field in (
        ({"acpe_uan": "1234-0000-26-001"}, "acpe_uan"),
        ({"commercial_support": "no"}, "commercial_support"),
    ):
        refused = staff.request("POST", path, json={"details": _chat(wrong)})
        assert refused.status_code == 422 and field in refused.text, refused.text


def test_staff_record_an_activity_s_ids_once_the_accreditors_assign_them_and_nobody_else_may(
    client: TestClient, app_engine: QIEngine
) -> None:
    world = build_world(client, app_engine, "orientation", "Later ids")
    staff, team = world.callers["staff"], world.callers["team_a"]
    made = staff.request("POST", f"/collaboratives/{world.flow.collaborative}/activities",
                         json={"details": _chat({})})  # fmt: skip
    activity = made.json()["id"]
    path = f"/activities/{activity}/accreditor-ids"
    ids = {
        "pars_activity_id": "202512345",
        "acpe_uan": "JA0000001-0000-26-001-L04-P",
        "commercial_support": True,
    }
    assert staff.request("PUT", path, json={"ids": ids}).status_code == 200
    read = staff.request("GET", f"/activities/{activity}").json()["details"]["ce"]["accreditor"]
    assert read == ids | {"capce_course_number": None}
    before = staff.request("GET", f"/activities/{activity}").json()
    refused = staff.request("PUT", path, json={"ids": {"acpe_uan": "not-a-uan"}})
    assert refused.status_code == 422 and "acpe_uan" in refused.text
    assert team.request("PUT", path, json={"ids": {"pars_activity_id": "1"}}).status_code == 403
    assert staff.request("GET", f"/activities/{activity}").json() == before
    plain = staff.request("POST", f"/collaboratives/{world.flow.collaborative}/activities",
                          json={"details": _chat({}) | {"ce": None}}).json()["id"]  # fmt: skip
    no_credit = staff.request("PUT", f"/activities/{plain}/accreditor-ids", json={"ids": ids})
    assert no_credit.status_code == 409 and "offers no CE credit" in no_credit.text


def test_a_training_module_s_ids_as_enduring_material_are_recorded_the_same_way(
    client: TestClient, app_engine: QIEngine
) -> None:
    world = build_world(client, app_engine, "orientation", "Module ids")
    staff = world.callers["staff"]
    check = {
        "questions": [{"prompt": "S of PDSA?", "options": ["Study", "Stop"], "correct": 0}],
        "pass_mark": 100,
    }
    module = {"title": "PDSA basics", "summary": "The model", "check": check,
              "credit": {"credit_types": ["cme"], "hours": 1, "accrediting_body": "AAP"}}  # fmt: skip
    made = staff.request("POST", f"/collaboratives/{world.flow.collaborative}/training-modules",
                         json={"module": module})  # fmt: skip
    assert made.status_code == 201, made.text
    module_id = made.json()["id"]
    ids = {"pars_activity_id": "202500100", "commercial_support": False}
    assert (
        staff.request("PUT", f"/activities/{module_id}/accreditor-ids", json={"ids": ids}).status_code == 200
    )
    read = staff.request("GET", f"/training-modules/{module_id}").json()
    assert read["module"]["credit"]["accreditor"]["pars_activity_id"] == "202500100", read
    plain = staff.request("POST", f"/collaboratives/{world.flow.collaborative}/training-modules",
                          json={"module": {"title": "Reading", "summary": "No credit"}}).json()["id"]  # fmt: skip
    refused = staff.request("PUT", f"/activities/{plain}/accreditor-ids", json={"ids": ids})
    assert refused.status_code == 409 and "designates no CE credit" in refused.text
