"""Assessment instruments over HTTP: staff define one for a collaborative and publish a new
version; teams of the collaborative read it and complete it, baseline and follow-up, and read
their scores per domain, gap report, change since last time and the collaborative's median
(same version only) and a PDF of their answers. Each refusal names its item, and changes nothing."""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from engine.application import QIEngine
from scripts.drills.world import World, build_world

DEFINITION: dict[str, Any] = {
    "title": "Readiness check",
    "kind": "readiness_assessment",
    "items": [
        {"key": "pecc", "domain": "Coordination", "question": "A pediatric coordinator is named",
         "type": "yes_no", "weight": 3},
        {"key": "qi-plan", "domain": "Coordination", "question": "The QI plan covers children",
         "type": "choice", "weight": 1, "options": [
             {"label": "in place", "points": 2}, {"label": "partly", "points": 1}, {"label": "no", "points": 0}]},
        {"key": "kg", "domain": "Safety", "question": "Children weighed in kg, %", "type": "number",
         "weight": 2, "target": 90, "unit": "%"},
        {"key": "notes", "domain": "Safety", "question": "Anything else", "type": "text"},
    ],
}  # fmt: skip
BASELINE = {"pecc": False, "qi-plan": "partly", "kg": 60, "notes": "Scales still in lb"}
FOLLOW_UP = {"pecc": True, "qi-plan": "partly", "kg": 92}


@pytest.fixture
def world(client: TestClient, app_engine: QIEngine) -> World:
    return build_world(client, app_engine, "sessions", "Instruments")


def _define(world: World, who: str = "staff", definition: dict[str, Any] = DEFINITION) -> Any:
    return world.callers[who].request(
        "POST", f"/collaboratives/{world.flow.collaborative}/instruments", json={"definition": definition}
    )


def _complete(
    world: World, instrument: str, answers: dict[str, Any], who: str = "team_a", team: int = 0
) -> Any:
    body = {"instrument_id": instrument, "answers": answers}
    return world.callers[who].request(
        "POST", f"/teams/{world.flow.teams[team]}/instrument-assessments", json=body
    )


def _assessments(world: World, who: str = "team_a", team: int = 0) -> list[dict[str, Any]]:
    response = world.callers[who].request("GET", f"/teams/{world.flow.teams[team]}/instrument-assessments")
    assert response.status_code == 200, response.text
    return response.json()


def test_staff_define_an_instrument_and_the_collaboratives_teams_read_it(world: World) -> None:
    response = _define(world)
    assert response.status_code == 201, response.text
    instrument = response.json()["id"]
    listed = world.callers["team_a"].request("GET", f"/collaboratives/{world.flow.collaborative}/instruments")
    assert [(i["title"], i["kind"], i["version"]) for i in listed.json()] == [
        ("Readiness check", "readiness_assessment", 1)
    ]
    read = world.callers["team_b"].request("GET", f"/instruments/{instrument}").json()
    assert read["version"] == 1 and [i["key"] for i in read["definition"]["items"]] == [
        "pecc",
        "qi-plan",
        "kg",
        "notes",
    ]


def test_only_staff_define_an_instrument_and_a_team_changes_nothing_trying(world: World) -> None:
    for who in ("team_a", "coach_of_a"):
        response = _define(world, who)
        assert response.status_code == 403, response.text
    listed = world.callers["staff"].request("GET", f"/collaboratives/{world.flow.collaborative}/instruments")
    assert listed.json() == []


@pytest.mark.parametrize(
    ("change", "names"),
    [
        (lambda d: d["items"][1].update(options=[{"label": "only", "points": 1}]), "at least two options"),
        (lambda d: d["items"][2].pop("target"), "needs a target"),
        (lambda d: d["items"].append(dict(d["items"][0])), "lists the item key 'pecc' twice"),
        (lambda d: d["items"][0].update(type="slider"), "items.0.type"),
        (lambda d: d["items"][0].update(weight="3"), "must be a number"),
    ],
)
def test_a_definition_that_does_not_hold_together_is_refused_naming_the_problem(
    world: World, change: Any, names: str
) -> None:
    definition = copy.deepcopy(DEFINITION)
    change(definition)
    response = _define(world, definition=definition)
    assert response.status_code == 422 and names in response.text, response.text
    listed = world.callers["staff"].request("GET", f"/collaboratives/{world.flow.collaborative}/instruments")
    assert listed.json() == []


def test_a_team_scores_per_domain_out_of_100_with_its_gaps_heaviest_first_and_a_pdf(world: World) -> None:
    instrument = _define(world).json()["id"]
    assert _complete(world, instrument, BASELINE).status_code == 201
    (report,) = _assessments(world)
    # Coordination: pecc 0 of 3, qi-plan half of 1 -> 0.5/4; Safety: kg 0 of 2 (text unscored).
    assert report["score"] == {
        "overall": round(100 * 0.5 / 6, 1),
        "domains": [{"domain": "Coordination", "score": 12.5}, {"domain": "Safety", "score": 0.0}],
    }
    assert [(g["key"], g["weight"]) for g in report["gaps"]] == [("pecc", 3), ("kg", 2), ("qi-plan", 1)]
    assert report["gaps"][1]["needed"] == "at least 90 %" and report["gaps"][1]["answer"] == "60 %"
    assert report["previous"] is None
    assert report["median"]["overall"] == report["score"]["overall"] and report["median_teams"] == 1
    assert {a["key"]: a["answer"] for a in report["answers"]}["notes"] == "Scales still in lb"

    pdf = world.callers["team_a"].request(
        "GET", f"/teams/{world.flow.teams[0]}/instrument-assessments/{report['assessment_id']}.pdf"
    )
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Gap report (3 items not met" in text and "Scales still in lb" in text


def test_a_follow_up_is_compared_with_the_baseline_and_the_median_on_the_same_version(world: World) -> None:
    instrument = _define(world).json()["id"]
    _complete(world, instrument, BASELINE)
    _complete(world, instrument, {"pecc": True, "qi-plan": "in place", "kg": 95}, who="team_b", team=1)
    assert _complete(world, instrument, FOLLOW_UP).status_code == 201
    latest, baseline = _assessments(world)
    assert latest["score"]["domains"] == [
        {"domain": "Coordination", "score": 87.5}, {"domain": "Safety", "score": 100.0}
    ]  # fmt: skip
    assert [g["key"] for g in latest["gaps"]] == ["qi-plan"]
    previous = latest["previous"]
    assert previous["comparable"] and previous["words"] == "version 1: like with like"
    assert {c["domain"]: c["change"] for c in previous["changes"]} == {
        "overall": round(latest["score"]["overall"] - baseline["score"]["overall"], 1),
        "Coordination": 75.0,
        "Safety": 100.0,
    }
    # The median: each team's latest on version 1 (team A's follow-up, team B's).
    assert latest["median_teams"] == 2
    assert latest["median"]["domains"][0] == {"domain": "Coordination", "score": 93.8}


def test_scores_of_a_new_version_are_not_compared_with_the_old_one(world: World) -> None:
    instrument = _define(world).json()["id"]
    _complete(world, instrument, BASELINE)
    revised = copy.deepcopy(DEFINITION)
    revised["items"][2]["target"] = 95
    response = world.callers["staff"].request(
        "POST", f"/instruments/{instrument}/versions", json={"definition": revised}
    )
    assert response.status_code == 200, response.text
    assert world.callers["team_a"].request("GET", f"/instruments/{instrument}").json()["version"] == 2
    _complete(world, instrument, FOLLOW_UP)
    latest, baseline = _assessments(world)
    assert (latest["version"], baseline["version"]) == (2, 1)
    assert latest["previous"]["comparable"] is False and latest["previous"]["changes"] == []
    assert latest["previous"]["words"] == "version 2 vs version 1: not comparable"
    assert latest["median_teams"] == 1  # the baseline, on version 1, is not in version 2's median
    assert [g["key"] for g in latest["gaps"]] == ["kg", "qi-plan"]  # 92 no longer meets 95


@pytest.mark.parametrize(
    ("answers", "item", "problem"),
    [
        ({"qi-plan": "partly", "kg": 60}, "pecc", "answer this item"),
        ({**BASELINE, "pecc": "yes"}, "pecc", "answer yes or no"),
        ({**BASELINE, "qi-plan": "maybe"}, "qi-plan", "choose one of: in place, partly, no"),
        ({**BASELINE, "kg": "sixty"}, "kg", "give a number"),
        ({**BASELINE, "extra": True}, "extra", "this instrument has no such item"),
    ],
)
def test_answers_that_do_not_fit_are_refused_naming_the_item_and_nothing_is_recorded(
    world: World, answers: dict[str, Any], item: str, problem: str
) -> None:
    instrument = _define(world).json()["id"]
    response = _complete(world, instrument, answers)
    assert response.status_code == 422, response.text
    errors = {e["loc"][-1]: e["msg"] for e in response.json()["errors"]}
    assert problem in errors[item], errors
    assert _assessments(world) == []


def test_a_team_completes_only_its_own_teams_assessment_and_only_its_collaboratives_instrument(
    world: World, client: TestClient, app_engine: QIEngine
) -> None:
    instrument = _define(world).json()["id"]
    assert _complete(world, instrument, BASELINE, who="team_b").status_code == 403
    other = build_world(client, app_engine, "sessions", "Elsewhere")
    foreign = (
        other.callers["staff"]
        .request(
            "POST", f"/collaboratives/{other.flow.collaborative}/instruments", json={"definition": DEFINITION}
        )
        .json()["id"]
    )
    response = _complete(world, foreign, BASELINE)
    assert response.status_code == 422 and "in the team's collaborative" in response.text
    assert world.callers["team_a"].request("GET", f"/instruments/{foreign}").status_code == 403
    assert _assessments(world) == []


def test_a_new_version_is_staffs_alone_keeps_the_kind_and_a_refusal_changes_nothing(world: World) -> None:
    instrument = _define(world).json()["id"]
    path = f"/instruments/{instrument}/versions"
    revised = DEFINITION | {"title": "Readiness check, revised"}
    assert world.callers["team_a"].request("POST", path, json={"definition": revised}).status_code == 403
    other_kind = world.callers["staff"].request(
        "POST", path, json={"definition": DEFINITION | {"kind": "gap_analysis"}}
    )
    assert other_kind.status_code == 409 and "stays a readiness assessment" in other_kind.text
    unknown = world.callers["staff"].request(
        "POST", "/instruments/6f1c0a3e-1b2d-4c5e-8f90-123456789abc/versions", json={"definition": revised}
    )
    assert unknown.status_code == 404
    read = world.callers["staff"].request("GET", f"/instruments/{instrument}").json()
    assert read["version"] == 1 and read["definition"]["title"] == "Readiness check"
    same = world.callers["staff"].request("POST", path, json={"definition": DEFINITION})
    assert same.status_code == 200
    assert world.callers["staff"].request("GET", f"/instruments/{instrument}").json()["version"] == 1
