"""The monthly report pages: a team writes its month on its report page (the month's data
and PDSA activity already there), saves and submits it; its coach finds it waiting on My
teams and answers; the team reads the feedback and may reopen it; faculty see who has not
reported. A refusal is shown beside its field, or at the top, and changes nothing."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from engine.application import QIEngine
from scripts.drills.world import World, build_world
from tests.web.pages import PageClient, signed_in

MONTH = "2025-03"  # the tests' clock stands at 1 Mar 2025


@pytest.fixture
def world(client: TestClient, app_engine: QIEngine) -> World:
    world = build_world(client, app_engine, "sessions", "Pages")
    team = world.flow.teams[0]
    world.flow.ok(
        f"/teams/{team}/measures/weight-kg/data", {"period": MONTH, "numerator": 7, "denominator": 10}
    )
    return world


def _as(client: TestClient, world: World, who: str) -> PageClient:
    token = world.callers[who].token
    assert token is not None
    return signed_in(TestClient(client.app), token)


def _report(world: World) -> str:
    return f"/ui/teams/{world.flow.teams[0]}/reports/{MONTH}"


def _drafted(page: PageClient, world: World, **sections: str) -> None:
    page.get(_report(world))
    sent = page.post(_report(world), data=sections, follow_redirects=False)
    assert sent.status_code == 303, sent.text


def test_a_team_writes_its_report_with_the_months_data_beside_it_and_submits_it(
    client: TestClient, world: World
) -> None:
    team = _as(client, world, "team_a")
    page = team.get(_report(world))
    assert (
        "Status: not started" in page.text
        and "Weight in kilograms" in page.text
        and "70.0% (7 of 10)" in page.text
    )
    _drafted(team, world, successes="Kg scales in both bays", help_wanted="Vendor settings")
    page = team.get(_report(world))
    assert "Status: draft" in page.text and "Kg scales in both bays</textarea>" in page.text
    submitted = team.post(f"{_report(world)}/submit", follow_redirects=True)
    assert "Status: submitted" in submitted.text and "waiting for the coach" in submitted.text
    assert "Save the draft" not in submitted.text and "Reopen the report" in submitted.text
    listing = team.get(f"/ui/teams/{world.flow.teams[0]}")
    assert "Monthly reports" in listing.text and f'href="{_report(world)}"' in listing.text


def test_an_empty_report_is_refused_at_the_top_and_stays_a_draft(client: TestClient, world: World) -> None:
    team = _as(client, world, "team_a")
    _drafted(team, world, successes="")
    refused = team.post(f"{_report(world)}/submit", follow_redirects=False)
    assert refused.status_code == 409 and "is empty: write at least one of its sections" in refused.text
    assert "Status: draft" in team.get(_report(world)).text


def test_the_coach_finds_the_report_waiting_answers_it_and_the_team_reads_the_feedback(
    client: TestClient, world: World
) -> None:
    team, coach = _as(client, world, "team_a"), _as(client, world, "coach_of_a")
    _drafted(team, world, successes="Kg scales in both bays")
    team.post(f"{_report(world)}/submit")
    waiting = coach.get("/ui/my-teams")
    assert "Reports waiting for your feedback" in waiting.text and "Pages Mercy ED: Mar 2025" in waiting.text
    coach.get(_report(world))
    blank = coach.post(f"{_report(world)}/answer", data={"feedback": " "}, follow_redirects=False)
    assert blank.status_code == 422 and 'id="feedback-error">write your feedback first' in blank.text
    sent = coach.post(
        f"{_report(world)}/answer", data={"feedback": "Ask Big Sky EMS"}, follow_redirects=False
    )
    assert sent.status_code == 303
    read = team.get(_report(world))
    assert "Status: answered" in read.text and "Ask Big Sky EMS" in read.text
    assert "Send the feedback" not in read.text
    assert "Reports waiting for your feedback" not in coach.get("/ui/my-teams").text


def test_the_team_reopens_its_report_changes_it_and_a_coach_elsewhere_may_not_answer(
    client: TestClient, world: World
) -> None:
    team = _as(client, world, "team_a")
    _drafted(team, world, successes="Kg scales")
    team.post(f"{_report(world)}/submit")
    other = _as(client, world, "coach_of_none")
    assert other.get(_report(world)).status_code == 403
    reopened = team.post(f"{_report(world)}/reopen", follow_redirects=True)
    assert "Status: reopened" in reopened.text and "Save the draft" in reopened.text


def test_faculty_see_who_has_not_reported_and_teams_do_not(client: TestClient, world: World) -> None:
    team = _as(client, world, "team_a")
    _drafted(team, world, successes="Kg scales")
    team.post(f"{_report(world)}/submit")
    staff = _as(client, world, "staff")
    overview = staff.get(f"/ui/collaboratives/{world.flow.collaborative}")
    link = f"/ui/collaboratives/{world.flow.collaborative}/reports?month={MONTH}"
    assert f'href="{link}">Reports for Mar 2025</a>' in overview.text
    listing = staff.get(link)
    assert "Reports for March 2025" in listing.text
    missing = listing.text.split('id="missing-h"')[1].split("</section>")[0]
    assert "Pages Big Sky EMS" in missing and "Pages Mercy ED" not in missing
    pdf = staff.get(f"/ui/collaboratives/{world.flow.collaborative}/reports/summary.pdf?month={MONTH}")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "1 of 2 teams have reported" in text and "Highlights: Kg scales" in text
    assert team.get(link).status_code == 403
    assert "Reports for" not in team.get(f"/ui/collaboratives/{world.flow.collaborative}").text
