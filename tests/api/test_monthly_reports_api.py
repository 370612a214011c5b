"""Monthly team reports over HTTP: a team drafts its month, with the month's data and PDSA
activity filled in from its record; it submits, its coach answers, the team reopens and
submits again; faculty see who has not reported; each summary is a PDF. Every nonsense
step is refused naming the problem, and changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from engine.application import QIEngine
from scripts.drills.world import World, build_world
from tests.fixtures import PLAN

MONTH = "2025-03"  # the tests' clock stands at 1 Mar 2025
WRITTEN = {"successes": "Kg-only scales in both bays", "help_wanted": "How did others lock the scales?"}


@pytest.fixture
def world(client: TestClient, app_engine: QIEngine) -> World:
    world = build_world(client, app_engine, "sessions", "Reports")
    team = world.flow.teams[0]
    for period, value in (("2025-02", 40), (MONTH, 62)):
        world.flow.ok(
            f"/teams/{team}/measures/weight-kg/data",
            {"period": period, "numerator": value, "denominator": 100},
        )
    cycle = world.flow.ok(f"/teams/{team}/pdsa", {"plan": PLAN})["created"]["PdsaCycle"][0]
    world.flow.ok(f"/teams/{team}/pdsa/{cycle}/do", {"do": {"observations": "Scales locked to kg"}})
    return world


def _send(world: World, who: str, step: str, body: Any = None, month: str = MONTH, team: int = 0) -> Any:
    path = f"/teams/{world.flow.teams[team]}/reports/{month}" + (f"/{step}" if step != "draft" else "")
    return world.callers[who].request("POST", path, json=body if body is not None else {})


def _ok(world: World, who: str, step: str, body: Any = None, team: int = 0) -> None:
    sent = _send(world, who, step, body, team=team)
    assert sent.status_code == 200, sent.text


def _read(world: World, who: str = "staff", team: int = 0, month: str = MONTH) -> dict[str, Any]:
    read = world.callers[who].request("GET", f"/teams/{world.flow.teams[team]}/reports/{month}")
    assert read.status_code == 200, read.text
    report: dict[str, Any] = read.json()
    return report


def _listing(world: World, who: str = "staff", month: str = MONTH) -> Any:
    return world.callers[who].request(
        "GET", f"/collaboratives/{world.flow.collaborative}/reports", params={"month": month}
    )


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_team_drafts_its_month_and_reads_it_with_its_data_and_pdsa_activity_filled_in(world: World) -> None:
    _ok(world, "team_a", "draft", WRITTEN)
    report = _read(world, "team_a")
    assert (report["status"], report["successes"], report["barriers"]) == ("draft", WRITTEN["successes"], "")
    (value,) = report["data"]
    assert (value["measure_name"], value["numerator"], value["value"]) == ("Weight in kilograms", 62, 0.62)
    assert report["pdsa"] == {
        "planned": ["Kg-only scale"],
        "done": ["Kg-only scale"],
        "studied": [],
        "acted": [],
    }


def test_the_team_submits_its_coach_answers_and_the_team_reopens_and_submits_again(world: World) -> None:
    _ok(world, "team_a", "draft", WRITTEN)
    _ok(world, "team_a", "submit")
    assert _read(world)["status"] == "submitted"
    _ok(world, "coach_of_a", "answer", {"feedback": "Ask Big Sky EMS: they locked theirs in a week"})
    answered = _read(world, "team_a")
    assert (answered["status"], answered["feedback"]) == (
        "answered",
        "Ask Big Sky EMS: they locked theirs in a week",
    )
    _ok(world, "team_a", "reopen")
    _ok(world, "team_a", "draft", WRITTEN | {"learned": "EMS used a vendor setting"})
    _ok(world, "team_a", "submit")
    again = _read(world, "team_a")
    assert (again["status"], again["learned"], again["submissions"]) == (
        "submitted",
        "EMS used a vendor setting",
        2,
    )


def test_faculty_see_which_teams_have_not_reported_for_the_month(world: World) -> None:
    _ok(world, "team_a", "draft", WRITTEN)
    _ok(world, "team_a", "submit")
    listing = _listing(world).json()
    statuses = {row["team_name"]: row["status"] for row in listing["teams"]}
    assert statuses == {"Reports Mercy ED": "submitted", "Reports Big Sky EMS": "not started"}
    assert listing["not_reported"] == ["Reports Big Sky EMS"]
    coach = _listing(world, "coach_of_a").json()  # a coach sees the teams they coach
    assert [row["team_name"] for row in coach["teams"]] == ["Reports Mercy ED"]
    refused = _listing(world, "team_a")
    assert refused.status_code == 403 and "only staff, auditors and coaches" in refused.json()["detail"]


def test_the_senior_leader_summary_and_the_collaboratives_summary_are_pdfs_with_the_month_in_them(
    world: World,
) -> None:
    _ok(world, "team_a", "draft", WRITTEN)
    _ok(world, "team_a", "submit")
    _ok(world, "coach_of_a", "answer", {"feedback": "Ask Big Sky EMS"})
    team_pdf = world.callers["team_a"].request(
        "GET", f"/teams/{world.flow.teams[0]}/reports/{MONTH}/summary.pdf"
    )
    assert team_pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(team_pdf.content))
    text = _pdf_text(team_pdf.content)
    assert len(reader.pages) == 1
    for shown in ("Reports Mercy ED: March 2025", "Weight in kilograms: 62.0% (62 of 100)", "1 planned, 1 carried out",
                  "Kg-only scales in both bays", "How did others lock the scales?", "Ask Big Sky EMS"):  # fmt: skip
        assert shown in text, text
    summary = world.callers["staff"].request(
        "GET", f"/collaboratives/{world.flow.collaborative}/reports/summary.pdf", params={"month": MONTH}
    )
    text = _pdf_text(summary.content)
    for shown in ("1 of 2 teams have reported", "Reports Mercy ED (answered)", "Highlights: Kg-only scales",
                  "Help wanted: How did others lock", "Not reported yet", "Reports Big Sky EMS"):  # fmt: skip
        assert shown in text, text


@pytest.mark.parametrize(
    ("who", "step", "body", "month", "status", "says"),
    [
        ("team_a", "submit", None, MONTH, 409, "no report for 2025-03 yet: draft it first"),
        ("team_a", "draft", WRITTEN, "2025-04", 409, "2025-04 has not begun"),
        ("team_a", "draft", WRITTEN, "2025-13", 422, "month"),
        ("team_b", "draft", WRITTEN, MONTH, 403, "may only write the monthly reports of its own team"),
        ("coach_of_a", "draft", WRITTEN, MONTH, 403, "a team writes its own monthly report"),
        ("coach_of_none", "answer", {"feedback": "Fine"}, MONTH, 403, "the teams they coach"),
        ("team_a", "answer", {"feedback": "Fine"}, MONTH, 403, "the team's coach, or staff, answers"),
        ("team_a", "draft", {"successes": 5}, MONTH, 422, "successes"),
    ],
)
def test_nonsense_is_refused_naming_the_problem_and_changes_nothing(
    world: World, who: str, step: str, body: Any, month: str, status: int, says: str
) -> None:
    refused = _send(world, who, step, body, month=month)
    assert refused.status_code == status and says in refused.text, refused.text
    assert _read(world)["status"] == "not started"


def test_an_empty_report_is_refused_on_submission_and_stays_a_draft(world: World) -> None:
    _ok(world, "team_a", "draft", {"successes": "  "})
    refused = _send(world, "team_a", "submit")
    assert (
        refused.status_code == 409
        and "is empty: write at least one of its sections" in refused.json()["detail"]
    )
    assert _read(world)["status"] == "draft"


@pytest.mark.parametrize("step", ["answer", "reopen"])
def test_a_draft_is_neither_answered_nor_reopened(world: World, step: str) -> None:
    _ok(world, "team_a", "draft", WRITTEN)
    refused = _send(
        world,
        "coach_of_a" if step == "answer" else "team_a",
        step,
        {"feedback": "Hi"} if step == "answer" else None,
    )
    assert refused.status_code == 409 and "is draft, not submitted" in refused.json()["detail"], refused.text
    report = _read(world)
    assert (report["status"], report["feedback"], report["version"]) == ("draft", "", 2)


def test_a_submitted_report_is_reopened_before_it_changes(world: World) -> None:
    _ok(world, "team_a", "draft", WRITTEN)
    _ok(world, "team_a", "submit")
    refused = _send(world, "team_a", "draft", {"successes": "Something else"})
    assert refused.status_code == 409 and "reopen it to change it" in refused.json()["detail"]
    assert _read(world)["successes"] == WRITTEN["successes"]


def test_subscribers_get_the_reports_text_sealed(world: World) -> None:
    _ok(world, "team_a", "draft", WRITTEN)
    events = (
        world.callers["subscriber"]
        .request("GET", "/events", params={"after": 0, "limit": 1000})
        .json()["events"]
    )
    (drafted,) = [e for e in events if e["type"] == "org.qi.ReportDrafted"]
    assert set(drafted["data"]["successes"]) == {"sealed", "key"} and drafted["data"]["barriers"] is None
