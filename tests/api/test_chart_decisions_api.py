"""Decisions about a chart over HTTP: staff and the team's coach decide, teams propose,
everyone who works on the chart annotates; each decision changes the chart drawn and
shows its reason, and a refused one changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine.application import QIEngine
from scripts.drills.world import World, build_world

# Twenty-four months: a steady baseline near 50%, then the change lifts it to about 70%.
MONTHS = [f"{2023 + i // 12}-{i % 12 + 1:02d}" for i in range(24)]
VALUES = [50, 52, 48, 51, 49, 50, 53, 47, 50, 52, 48, 51, 49, 50, 51, 49, 50, 52, 48, 50, 70, 72, 69, 71]


@pytest.fixture
def world(client: TestClient, app_engine: QIEngine) -> World:
    world = build_world(client, app_engine, "sessions", "Charts")
    for period, value in zip(MONTHS, VALUES, strict=True):
        body = {"period": period, "numerator": value, "denominator": 100}
        world.flow.ok(f"/teams/{world.flow.teams[0]}/measures/weight-kg/data", body)
    return world


def _chart(world: World, who: str = "staff") -> dict[str, Any]:
    response = world.callers[who].request("GET", f"{_path(world)}")
    assert response.status_code == 200, response.text
    return response.json()


def _path(world: World) -> str:
    return f"/teams/{world.flow.teams[0]}/measures/weight-kg/chart"


def test_with_twenty_months_the_default_is_a_p_chart_with_limits_frozen_on_the_first_twenty(
    world: World,
) -> None:
    chart = _chart(world)
    assert chart["chart"] == "p" and chart["baseline"]["points"] == 20
    assert chart["baseline"]["through"] == "2024-08"
    assert chart["result"]["points"][0]["cl"] == pytest.approx(sum(VALUES[:20]) / 2000)
    outside = [s["period"] for s in chart["slots"] if s["outside_limits"]]
    assert outside == MONTHS[20:]
    assert chart["rules"]["version"] and "Anhøj" in chart["rules"]["summary"]


def test_the_coach_splits_a_phase_with_its_reason_and_the_new_phase_gets_its_own_limits(world: World) -> None:
    decision = {"decision": {"kind": "split", "starts": "2024-09"}, "reason": "Change bundle adopted"}
    world.callers["coach_of_a"].ok(f"{_path(world)}/decisions", decision)
    chart = _chart(world)
    assert [(p["first_period"], p["reason"]) for p in chart["phases"]] == [
        ("2023-01", None),
        ("2024-09", "Change bundle adopted"),
    ]
    assert chart["slots"][-1]["cl"] == pytest.approx(sum(VALUES[20:]) / 400)
    assert not any(s["outside_limits"] for s in chart["slots"])


def test_a_team_member_may_only_propose_and_the_coach_accepts_it(world: World) -> None:
    team = world.callers["team_a"]
    exclude = {"decision": {"kind": "exclude", "period": "2023-07"}, "reason": "EHR outage that month"}
    refused = team.request("POST", f"{_path(world)}/decisions", json=exclude)
    assert refused.status_code == 403 and "teams propose" in refused.json()["detail"]
    proposed = team.ok(f"{_path(world)}/proposals", exclude)
    proposal_id = proposed["created"]["ChartProposal"][0]
    assert [p["status"] for p in _chart(world)["proposals"]] == ["open"]
    answer = {"accept": True, "reason": "Agreed: the outage halved the weighings"}
    world.callers["coach_of_a"].ok(f"{_path(world)}/proposals/{proposal_id}/answer", answer)
    chart = _chart(world)
    assert [s["excluded"] for s in chart["slots"] if s["period"] == "2023-07"] == ["EHR outage that month"]
    assert [p["status"] for p in chart["proposals"]] == ["accepted"]


def test_an_annotation_is_drawn_at_a_month_without_data_and_listed_with_who_and_when(world: World) -> None:
    note = {"period": "2025-02", "text": "New triage nurse started"}
    world.callers["team_a"].ok(f"{_path(world)}/annotations", note)
    chart = _chart(world)
    marks = [m for m in chart["marks"] if m["kind"] == "annotation"]
    assert [(m["period"], m["detail"]) for m in marks] == [("2025-02", "New triage nurse started")]
    assert marks[0]["who"] and marks[0]["at"]
    assert chart["slots"][-1]["period"] == "2025-02" and chart["slots"][-1]["y"] is None


def test_bad_decisions_are_refused_with_the_problem_named_and_nothing_recorded(
    world: World, app_engine: QIEngine
) -> None:
    staff = world.callers["staff"]
    before = app_engine.recorder.max_notification_id()
    cases = [
        ({"decision": {"kind": "goal", "goal": 90}, "reason": "Aim"}, 409, "between 0 and 1"),
        (
            {"decision": {"kind": "baseline", "points": 3}, "reason": "Short"},
            422,
            "greater than or equal to 8",
        ),
        (
            {"decision": {"kind": "exclude", "period": "2022-01"}, "reason": "Odd"},
            409,
            "no value for 2022-01",
        ),
        ({"decision": {"kind": "join", "starts": "2024-09"}, "reason": "Undo"}, 409, "nothing to join"),
        ({"decision": {"kind": "chart_type", "chart": "xbar"}, "reason": "Try"}, 409, "Xbar"),
        ({"decision": {"kind": "split", "starts": "2024-09"}, "reason": ""}, 422, "reason"),
    ]
    for body, status, words in cases:
        response = staff.request("POST", f"{_path(world)}/decisions", json=body)
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert words in response.text, (words, response.text)
    assert app_engine.recorder.max_notification_id() == before


def test_only_staff_decide_a_collaborative_chart_and_a_coach_there_may_propose(world: World) -> None:
    path = f"/collaboratives/{world.flow.collaborative}/measures/weight-kg/chart"
    goal = {"decision": {"kind": "goal", "goal": 0.8}, "reason": "The collaborative's aim"}
    refused = world.callers["coach_of_a"].request("POST", f"{path}/decisions", json=goal)
    assert refused.status_code == 403 and "only staff" in refused.json()["detail"]
    assert world.callers["coach_of_a"].request("POST", f"{path}/proposals", json=goal).status_code == 201
    assert world.callers["team_a"].request("POST", f"{path}/proposals", json=goal).status_code == 403
    world.callers["staff"].ok(f"{path}/decisions", goal)
    assert world.callers["staff"].request("GET", path).json()["goal"] == 0.8
