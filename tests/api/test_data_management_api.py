"""Data management over HTTP: the data-quality findings on a team's months (on save and on
demand), a finding confirmed with a reason, the CSV exports field by field, and the CSV
import that stores every row or none, naming each refused row and column."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine.application import QIEngine
from scripts.drills.world import World, build_world

FALLS = {
    "key": "falls", "name": "Falls per patient day", "kind": "outcome", "data_type": "rate",
    "numerator": "falls", "denominator": "patient days", "direction": "decrease",
}  # fmt: skip
MINUTES = {
    "key": "door-to-weight", "name": "Minutes door to weight", "kind": "process", "data_type": "continuous",
    "numerator": "minutes from arrival to weight", "direction": "decrease", "plausible_min": 1, "plausible_max": 240,
}  # fmt: skip


@pytest.fixture
def world(client: TestClient, app_engine: QIEngine) -> World:
    world = build_world(client, app_engine, "sessions", "Quality")
    team = world.flow.teams[0]
    world.flow.ok(f"/teams/{team}/measures", {"measure": FALLS})
    world.flow.ok(f"/teams/{team}/measures", {"measure": MINUTES})
    return world


def _team(world: World, n: int = 0) -> str:
    return world.flow.teams[n]


def _save(world: World, key: str, period: str, numerator: float, denominator: float | None = None) -> Any:
    body = {"period": period, "numerator": numerator} | ({"denominator": denominator} if denominator else {})
    response = world.callers["team_a"].request(
        "POST", f"/teams/{_team(world)}/measures/{key}/data", json=body
    )
    assert response.status_code == 200, response.text
    return response.json()


def _quality(world: World, who: str = "team_a", **params: Any) -> Any:
    response = world.callers[who].request("GET", f"/teams/{_team(world)}/data-quality", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_saving_a_month_answers_with_that_months_findings(world: World) -> None:
    assert _save(world, "falls", "2025-01", 3, 900)["findings"] == []
    saved = _save(world, "falls", "2025-02", 950, 900)
    (above,) = saved["findings"]
    assert above["rule"] == "numerator-above-denominator"
    assert (above["month"], above["measure"], above["status"]) == ("2025-02", "Falls per patient day", "open")
    assert above["detail"] == "The numerator 950 is above the denominator 900."


def test_the_team_reads_its_findings_by_rule_with_the_rule_table_and_thresholds(world: World) -> None:
    _save(world, "falls", "2024-11", 3, 900)
    _save(world, "falls", "2025-01", 2, 2000)
    _save(world, "door-to-weight", "2025-01", 600)
    _save(world, "door-to-weight", "2025-02", 30)
    found = _quality(world)
    assert found["rules_version"] == 1 and found["outlier_limit"] == 3.14 and found["jump_factor"] == 2
    assert found["last_month"] == "2025-02"
    assert found["rules"][0]["rule"] == "missing-month"
    got = {(f["measure_key"], f["rule"], f["month"]) for f in found["findings"]}
    assert got == {
        ("falls", "missing-month", "2024-12"),
        ("falls", "missing-month", "2025-02"),
        ("falls", "denominator-jump", "2025-01"),
        ("door-to-weight", "outside-plausible-range", "2025-01"),
    }
    assert found["open"] == 4 and found["confirmed"] == 0
    assert {f["rule"] for f in _quality(world, jump_factor=5)["findings"]} == {
        "missing-month",
        "outside-plausible-range",
    }


def test_a_confirmed_finding_is_shown_confirmed_with_its_reason_and_a_correction_reopens_it(
    world: World,
) -> None:
    _save(world, "door-to-weight", "2025-02", 600)
    body = {"measure_key": "door-to-weight", "period": "2025-02", "rule": "outside-plausible-range",
            "reason": "Child arrived before scales were fixed"}  # fmt: skip
    sent = world.callers["team_a"].request(
        "POST", f"/teams/{_team(world)}/data-quality/confirmations", json=body
    )
    assert sent.status_code == 200, sent.text
    assert sent.json()["events"] == ["DataFindingConfirmed"]
    (finding,) = _quality(world, who="coach_of_a")["findings"]
    assert finding["status"] == "confirmed"
    assert finding["confirmation"]["reason"] == "Child arrived before scales were fixed"
    assert finding["confirmation"]["numerator"] == 600 and finding["confirmation"]["confirmed_by"]
    _save(world, "door-to-weight", "2025-02", 700)
    (finding,) = _quality(world)["findings"]
    assert finding["status"] == "open" and finding["confirmation"] is None


def test_confirming_a_month_that_has_no_data_for_the_rule_is_refused_and_changes_nothing(
    world: World,
) -> None:
    body = {"measure_key": "falls", "period": "2025-01", "rule": "outlier", "reason": "Fine"}
    sent = world.callers["team_a"].request(
        "POST", f"/teams/{_team(world)}/data-quality/confirmations", json=body
    )
    assert sent.status_code == 409
    assert "2025-01 of measure 'falls' has no data to confirm" in sent.json()["detail"]
    other = world.callers["team_b"].request(
        "POST", f"/teams/{_team(world)}/data-quality/confirmations", json=body
    )
    assert other.status_code == 403


def test_a_measures_data_exports_as_csv_field_by_field_and_imports_back_unchanged(world: World) -> None:
    _save(world, "falls", "2025-01", 3, 900)
    _save(world, "falls", "2025-01", 4, 900)  # a correction
    _save(world, "falls", "2025-02", 2, 800)
    response = world.callers["team_a"].request("GET", f"/teams/{_team(world)}/measures/falls/data.csv")
    rows = _csv(response)
    assert response.text.splitlines()[0] == (
        "team,organization,measure,measure_key,month,numerator,denominator,value,corrections,entered_at"
    )
    first = rows[0]
    assert {k: first[k] for k in list(first)[:9]} == {
        "team": "Quality Mercy ED", "organization": "Quality Mercy ED", "measure": "Falls per patient day",
        "measure_key": "falls", "month": "2025-01", "numerator": "4", "denominator": "900",
        "value": str(4 / 900), "corrections": "1",
    }  # fmt: skip
    assert first["entered_at"].startswith("2025-03-01T09:00")
    assert [r["month"] for r in rows] == ["2025-01", "2025-02"]
    back = world.callers["team_a"].request(
        "POST", f"/teams/{_team(world)}/measures/falls/data.csv", content=response.content,
        headers={"Content-Type": "text/csv"},
    )  # fmt: skip
    assert back.status_code == 200, back.text
    assert back.json()["events"] == []


def test_an_import_with_a_refused_row_names_each_row_and_column_and_stores_nothing(world: World) -> None:
    body = "month,numerator,denominator\n2024-11,3,900\nDecember 2024,x,900\n2025-01,,\n"
    sent = world.callers["team_a"].request(
        "POST",
        f"/teams/{_team(world)}/measures/falls/data.csv",
        content=body,
        headers={"Content-Type": "text/csv"},
    )
    assert sent.status_code == 422
    problem = sent.json()
    assert sent.headers["content-type"].startswith("application/problem+json")
    assert [e["loc"] for e in problem["errors"]] == [
        ["body", 3, "numerator"], ["body", 4, "numerator"], ["body", 4, "denominator"],
    ]  # fmt: skip
    assert "“x” is not a number" in problem["errors"][0]["msg"]
    assert "nothing was stored" in problem["detail"]
    rows = _csv(world.callers["team_a"].request("GET", f"/teams/{_team(world)}/measures/falls/data.csv"))
    assert rows == []


def test_an_import_the_team_refuses_names_the_row_and_stores_nothing(world: World) -> None:
    body = "month,numerator\n2025-01,12\n2025-02,-3\n2025-07,4\n"
    sent = world.callers["team_a"].request(
        "POST", f"/teams/{_team(world)}/measures/door-to-weight/data.csv", content=body,
        headers={"Content-Type": "text/csv"},
    )  # fmt: skip
    assert sent.status_code == 422
    assert [e["loc"] for e in sent.json()["errors"]] == [["body", 4, "month"]]
    assert (
        _csv(world.callers["staff"].request("GET", f"/teams/{_team(world)}/measures/door-to-weight/data.csv"))
        == []
    )


def test_a_good_import_stores_every_row_in_one_command_and_answers_with_its_findings(world: World) -> None:
    body = "Month,Numerator,Denominator\nOct 2024,3,900\n2024-11,2,950\n2024-12,5,2400\n2025-01,4,1000\n2025-02,1,980\n"
    sent = world.callers["team_a"].request(
        "POST",
        f"/teams/{_team(world)}/measures/falls/data.csv",
        content=body,
        headers={"Content-Type": "text/csv"},
    )
    assert sent.status_code == 200, sent.text
    saved = sent.json()
    assert saved["events"] == ["DataPointSubmitted"] * 5
    assert {(f["rule"], f["month"]) for f in saved["findings"]} == {
        ("denominator-jump", "2024-12"),
        ("denominator-jump", "2025-01"),
    }
    rows = _csv(world.callers["coach_of_a"].request("GET", f"/teams/{_team(world)}/measures/falls/data.csv"))
    assert (rows[0]["month"], rows[0]["numerator"], rows[0]["denominator"]) == ("2024-10", "3", "900")
    assert len(rows) == 5


def test_another_teams_member_can_neither_import_nor_export(world: World) -> None:
    path = f"/teams/{_team(world)}/measures/falls/data.csv"
    other = world.callers["team_b"]
    assert other.request("GET", path).status_code == 403
    body = "month,numerator,denominator\n2025-01,1,10\n"
    assert other.request("POST", path, content=body, headers={"Content-Type": "text/csv"}).status_code == 403


def test_the_collaboratives_data_assessments_and_dictionary_export_as_csv(world: World) -> None:
    _save(world, "falls", "2025-01", 3, 900)
    world.flow.ok(
        f"/teams/{_team(world, 1)}/measures/weight-kg/data",
        {"period": "2025-01", "numerator": 5, "denominator": 10},
    )
    collaborative = world.flow.collaborative
    staff = world.callers["staff"]
    data = _csv(staff.request("GET", f"/collaboratives/{collaborative}/data.csv"))
    assert [(r["team"], r["measure"], r["month"], r["value"]) for r in data] == [
        ("Quality Big Sky EMS", "Weight in kilograms", "2025-01", "0.5"),
        ("Quality Mercy ED", "Falls per patient day", "2025-01", str(3 / 900)),
    ]
    assessments = _csv(staff.request("GET", f"/collaboratives/{collaborative}/assessments.csv"))
    assert list(assessments[0]) == [
        "team", "organization", "assessment", "submitted_at", "item", "score", "max_score", "assessment_percent",
    ]  # fmt: skip
    assert [
        (r["team"], r["item"], r["score"], r["max_score"], r["assessment_percent"]) for r in assessments
    ] == [
        ("Quality Big Sky EMS", "Weight in kg", "40", "100", "55"),
        ("Quality Big Sky EMS", "Policy", "70", "100", "55"),
        ("Quality Mercy ED", "Weight in kg", "40", "100", "55"),
        ("Quality Mercy ED", "Policy", "70", "100", "55"),
    ]
    dictionary = _csv(
        world.callers["team_a"].request("GET", f"/collaboratives/{collaborative}/data-dictionary.csv")
    )
    measures = [r for r in dictionary if r["section"] == "measure"]
    assert [(r["key"], r["defined_by"]) for r in measures] == [
        ("weight-kg", "Quality"), ("door-to-weight", "Quality Mercy ED"), ("falls", "Quality Mercy ED"),
    ]  # fmt: skip
    minutes = measures[1]
    assert (minutes["data_type"], minutes["plausible_min"], minutes["plausible_max"], minutes["denominator"]) == (
        "continuous", "1", "240", "",
    )  # fmt: skip
    questions = [r for r in dictionary if r["section"] == "instrument"]
    assert questions and all(r["answers"] and r["domain"] and r["version"] for r in questions)
    assert {r["kind"] for r in questions} == {"gap_analysis", "environmental_scan"}
