"""QI training over HTTP: staff publish a module with a knowledge check and enduring-material
credit; passing it earns the designated hours in the credit ledger under its own rule, a
failed attempt earns nothing and can be retaken; a person takes training only for
themselves, in a collaborative they work in; takers never see the right answers."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine.application import QIEngine
from scripts.drills.world import World, build_world

CHECK = {
    "pass_mark": 75,
    "questions": [
        {"prompt": "What does the S of PDSA stand for?", "options": ["Start", "Study", "Stop"], "correct": 1},
        {"prompt": "How many points on one side make a shift?", "options": ["4", "6", "10"], "correct": 1},
    ],
}
MODULE = {
    "title": "PDSA and measurement basics",
    "summary": "The model for improvement and reading a run chart",
    "topics": ["pdsa", "measurement"],
    "recording_url": "https://videos.example.org/ls1",
    "check": CHECK,
    "credit": {"credit_types": ["cme", "cne", "capce"], "hours": 1.0, "accrediting_body": "AAP"},
}


@pytest.fixture
def world(client: TestClient, app_engine: QIEngine) -> World:
    return build_world(client, app_engine, "orientation", "Training")


def _publish(world: World, module: dict[str, Any] = MODULE, who: str = "staff") -> Any:
    path = f"/collaboratives/{world.flow.collaborative}/training-modules"
    return world.callers[who].request("POST", path, json={"module": module})


def _take(world: World, module: str, person: str, answers: list[int], who: str = "staff") -> Any:
    body = {"participant_id": person, "answers": answers}
    return world.callers[who].request("POST", f"/training-modules/{module}/attempts", json=body)


def _entries(world: World, person: str) -> list[dict[str, Any]]:
    transcript = world.callers["staff"].request("GET", f"/participants/{person}/transcript").json()
    return [e for e in transcript["entries"] if e["rule_version"].endswith("-enduring/2026.12")]


def test_passing_the_check_earns_the_designated_hours_under_the_enduring_rule(world: World) -> None:
    module = _publish(world).json()["id"]
    nurse, paramedic = (world.flow.members[t] for t in world.flow.teams)
    assert _take(world, module, nurse, [1, 1]).status_code == 201
    (entry,) = _entries(world, nurse)
    assert (entry["credit_type"], entry["amount"], entry["rule_version"]) == (
        "cne",
        1.0,
        "cne-enduring/2026.12",
    )
    assert entry["activity_title"] == "PDSA and measurement basics (enduring material)"
    assert entry["basis"] == "knowledge check passed, 2 of 2 right: 1 h designated as enduring material"

    assert _take(world, module, paramedic, [0, 1]).status_code == 201  # half right: failed
    assert _entries(world, paramedic) == []
    assert _take(world, module, paramedic, [1, 1]).status_code == 201  # retaken, passed
    assert [(e["credit_type"], e["amount"]) for e in _entries(world, paramedic)] == [("capce", 1.0)]
    again = _take(world, module, paramedic, [1, 1])
    assert again.status_code == 409 and "nothing to retake" in again.json()["detail"]

    record = world.callers["staff"].request("GET", f"/participants/{paramedic}/training").json()
    assert record[module] == {"attempts": 2, "completed": True, "best": "2 of 2"}
    team = world.callers["team_a"].request("GET", f"/teams/{world.flow.teams[0]}/training").json()
    assert team == [
        {
            "participant_id": nurse,
            "completed": ["PDSA and measurement basics"],
            "basics": ["pdsa", "measurement"],
        }
    ]


def test_a_coach_takes_it_for_themselves_and_never_sees_the_right_answers(world: World) -> None:
    module = _publish(world).json()["id"]
    shown = world.callers["coach_of_a"].request("GET", f"/training-modules/{module}").json()
    assert {q["correct"] for q in shown["module"]["check"]["questions"]} == {0}
    staff_view = world.callers["staff"].request("GET", f"/training-modules/{module}").json()
    assert [q["correct"] for q in staff_view["module"]["check"]["questions"]] == [1, 1]

    coach = world.flow.members["coach"]
    assert _take(world, module, coach, [1, 1], who="coach_of_a").status_code == 201
    listed = (
        world.callers["coach_of_a"]
        .request("GET", f"/collaboratives/{world.flow.collaborative}/training-modules")
        .json()
    )
    assert listed[0]["mine"] == {"attempts": 1, "completed": True, "best": "2 of 2"}
    assert _entries(world, coach) == []  # a coach on no team has no discipline here: no credit


@pytest.mark.parametrize(
    ("who", "person", "says"),
    [
        ("coach_of_a", "nurse", "a person takes training only for themselves"),
        ("team_a", "nurse", "training is taken by a person, for themselves"),
        ("coach_of_none", "paramedic", "offered to the people of another collaborative"),
    ],
)
def test_nobody_takes_training_for_someone_else(world: World, who: str, person: str, says: str) -> None:
    module = _publish(world).json()["id"]
    people = {
        "nurse": world.flow.members[world.flow.teams[0]],
        "paramedic": world.flow.members[world.flow.teams[1]],
    }
    refused = _take(world, module, people[person], [1, 1], who=who)
    assert refused.status_code == 403 and says in refused.json()["detail"], refused.text
    assert world.callers["staff"].request("GET", f"/participants/{people[person]}/training").json() == {}


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"check": None}, 422, "enduring-material credit needs a knowledge check"),
        (
            {"readings": ["7d9f1c2e-0000-4000-8000-000000000001"]},
            422,
            "is not in this collaborative's library",
        ),
        ({"recording_url": "javascript:alert(1)"}, 422, "must start with http:// or https://"),
        ({"check": CHECK | {"pass_mark": 0}}, 422, "pass_mark"),
    ],
)
def test_a_module_that_cannot_work_is_refused_and_nothing_is_published(
    world: World, change: dict[str, Any], status: int, says: str
) -> None:
    refused = _publish(world, MODULE | change)
    assert refused.status_code == status and says in refused.text, refused.text
    assert (
        world.callers["staff"]
        .request("GET", f"/collaboratives/{world.flow.collaborative}/training-modules")
        .json()
        == []
    )


def test_only_staff_publish_modules(world: World) -> None:
    refused = _publish(world, who="coach_of_a")
    assert refused.status_code == 403 and "may not publish module" in refused.json()["detail"]
