"""Progress scores over HTTP: a team scores itself and its coach scores it each month, each
with a rationale; the team reads both beside the score its evidence suggests, and staff see
the collaborative's distribution and where a team and its coach disagree. Only the team
gives the team's score and only its coach (or staff) the coach's; a bad score changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine.application import QIEngine
from scripts.drills.world import World, build_world
from tests.fixtures import PLAN

# Sixteen months before the scoring: eight near 50%, then eight near 80% after a change.
MONTHS = [f"{2023 + (10 + i) // 12}-{(10 + i) % 12 + 1:02d}" for i in range(16)]
VALUES = [50, 52, 48, 51, 49, 50, 53, 47, 80, 82, 79, 81, 83, 78, 80, 84]


TEAM_A_NAME = "Progress Mercy ED"  # scripts.drills.world names teams after the title


@pytest.fixture
def world(client: TestClient, app_engine: QIEngine) -> World:
    world = build_world(client, app_engine, "sessions", "Progress")
    team = world.flow.teams[0]
    for period, value in zip(MONTHS, VALUES, strict=True):
        world.flow.ok(
            f"/teams/{team}/measures/weight-kg/data",
            {"period": period, "numerator": value, "denominator": 100},
        )
    cycle = world.flow.ok(f"/teams/{team}/pdsa", {"plan": PLAN | {"measure_keys": ["weight-kg"]}})["created"][
        "PdsaCycle"
    ][0]
    world.flow.ok(f"/teams/{team}/pdsa/{cycle}/do", {"do": {"observations": "Scales locked to kg"}})
    world.flow.ok(
        f"/teams/{team}/pdsa/{cycle}/study", {"study": {"results": "80% in kg", "prediction_confirmed": True}}
    )
    return world


def _score(world: World, who: str, rater: str, score: Any, month: str = "2025-02", team: int = 0) -> Any:
    body = {"month": month, "rater": rater, "score": score, "rationale": f"{who} says {score}"}
    return world.callers[who].request("POST", f"/teams/{world.flow.teams[team]}/progress-scores", json=body)


def test_a_team_and_its_coach_score_a_month_and_the_team_reads_both_beside_the_suggestion(
    world: World,
) -> None:
    assert _score(world, "team_a", "team", 2.5).status_code == 200
    assert _score(world, "coach_of_a", "coach", 4.0).status_code == 200

    progress = world.callers["team_a"].request("GET", f"/teams/{world.flow.teams[0]}/progress").json()
    (month,) = progress["months"]
    assert month["month"] == "2025-02" and month["apart"] == 1.5
    assert (month["team"]["score"], month["team"]["rationale"]) == (2.5, "team_a says 2.5")
    assert (month["coach"]["score"], month["coach"]["rationale"]) == (4.0, "coach_of_a says 4.0")
    assert [level["score"] for level in progress["scale"]][:3] == [1.0, 1.5, 2.0]

    suggestion = progress["suggestion"]
    assert suggestion["score"] == 3.0, suggestion  # a signal on a process measure; no outcome measure yet
    reached = {r["score"]: r for r in suggestion["rungs"] if r["reached"]}
    assert sorted(reached) == [1.0, 1.5, 2.0, 2.5, 3.0]
    (signal,) = reached[3.0]["found"]
    assert signal["label"] == "Weight in kilograms: a signal of improvement from 2024-07"
    assert signal["href"].endswith("/measures/weight-kg/chart")
    assert reached[2.5]["found"][0]["label"] == "cycle Kg-only scale, studied"


def test_staff_see_the_distribution_the_headline_and_the_disagreement(world: World) -> None:
    _score(world, "team_a", "team", 2.5)
    _score(world, "coach_of_a", "coach", 4.0)
    _score(world, "team_b", "team", 1.5, team=1)
    _score(world, "staff", "coach", 2.0, team=1)  # faculty give the coach's score where there is no coach
    _score(world, "team_b", "team", 1.0, month="2025-01", team=1)

    progress = (
        world.callers["staff"].request("GET", f"/collaboratives/{world.flow.collaborative}/progress").json()
    )
    assert [m["month"] for m in progress["months"]] == ["2025-01", "2025-02"]
    february = progress["months"][1]
    assert february["team_scores"] == [{"score": 1.5, "teams": 1}, {"score": 2.5, "teams": 1}]
    assert february["coach_scores"] == [{"score": 2.0, "teams": 1}, {"score": 4.0, "teams": 1}]
    assert (february["at_headline"], february["scored"], progress["headline"]) == (1, 2, 4.0)
    (apart,) = progress["disagreements"]
    assert (apart["month"], apart["team"], apart["coach"]) == ("2025-02", 2.5, 4.0)
    assert apart["team_name"] == TEAM_A_NAME
    courses = {c["team_id"]: c["scores"] for c in progress["teams"]}
    assert courses[world.flow.teams[1]] == {"2025-01": {"team": 1.0}, "2025-02": {"team": 1.5, "coach": 2.0}}


@pytest.mark.parametrize(
    ("who", "rater", "team", "says"),
    [
        ("team_a", "coach", 0, "only the team's coach, or staff, gives the coach's score"),
        ("coach_of_none", "coach", 0, "only the team's coach, or staff, gives the coach's score"),
        ("team_b", "team", 0, "may only score the progress of its own team"),
        ("coach_of_a", "team", 0, "a team scores its own progress"),
        ("auditor", "team", 0, "a team scores its own progress"),
    ],
)
def test_only_the_team_gives_its_own_score_and_only_its_coach_the_coachs(
    world: World, who: str, rater: str, team: int, says: str
) -> None:
    refused = _score(world, who, rater, 3.0, team=team)
    assert refused.status_code == 403 and says in refused.json()["detail"], refused.text
    assert (
        world.callers["staff"].request("GET", f"/teams/{world.flow.teams[0]}/progress").json()["months"] == []
    )


@pytest.mark.parametrize(
    ("score", "month", "status", "says"),
    [
        (4.2, "2025-02", 422, "multiple of 0.5"),
        (6, "2025-02", 422, "less than or equal to 5"),
        (3, "2025-13", 422, "month"),
        (3, "2026-01", 409, "2026-01 has not begun"),
    ],
)
def test_a_bad_score_is_refused_naming_the_problem_and_changes_nothing(
    world: World, score: Any, month: str, status: int, says: str
) -> None:
    refused = _score(world, "team_a", "team", score, month=month)
    assert refused.status_code == status and says in refused.text, refused.text
    assert (
        world.callers["staff"].request("GET", f"/teams/{world.flow.teams[0]}/progress").json()["months"] == []
    )


def test_subscribers_get_the_rationale_sealed(world: World) -> None:
    _score(world, "coach_of_a", "coach", 3.5)
    events = (
        world.callers["subscriber"]
        .request("GET", "/events", params={"after": 0, "limit": 1000})
        .json()["events"]
    )
    (scored,) = [e for e in events if e["type"] == "org.qi.ProgressScored"]
    assert scored["data"]["score"] == 3.5 and set(scored["data"]["rationale"]) == {"sealed", "key"}
