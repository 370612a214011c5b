"""A monthly report in a real browser: the team writes and submits its month, its coach
answers with feedback, and the team reads the feedback on its report. On a collaborative
of its own, so the demo's data stays as other tests read it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from aggregates.base import Actor, Role
from aggregates.phases import Phase
from aggregates.values import FocusFields
from engine.commands.activity import RegisterParticipant
from engine.commands.collaborative import AdvancePhase, CreateCollaborative, NewMember, RegisterTeam
from engine.commands.team import AssignCoach
from tests.browser.conftest import Site, shot
from tests.browser.test_pages import sign_in

Page = Any


def _coached_team_in_sessions(site: Site) -> tuple[UUID, UUID]:
    """A team of a new collaborative in its sessions phase, and its coach (criteria overridden)."""
    engine = site.engine
    ctx = lambda: engine.context(Actor(id="browser-tests", role=Role.STAFF))  # noqa: E731
    focus = FocusFields(
        focus_area="Readiness", aim="Weigh in kg", starts_on=date(2026, 1, 5), ends_on=date(2027, 12, 18)
    )
    collaborative = engine.execute(CreateCollaborative(title="PRQC Reports", focus=focus), ctx()).id
    engine.execute(
        AdvancePhase(collaborative_id=collaborative, to=Phase.REGISTRATION, override_reason="test"), ctx()
    )
    lead = NewMember(person={"name": "Lee Lakelead"}, discipline="nurse")
    team = engine.execute(RegisterTeam(collaborative_id=collaborative, name="Lakeside ED", organization="Lakeside",
                                       care_setting="community_ed", members=(lead,)), ctx()).id  # fmt: skip
    coach = engine.execute(RegisterParticipant(details={"name": "Cal Reportcoach"}), ctx()).id
    engine.execute(AssignCoach(team_id=team, coach_id=coach), ctx())
    for to in (Phase.ORIENTATION, Phase.SESSIONS):
        engine.execute(AdvancePhase(collaborative_id=collaborative, to=to, override_reason="test"), ctx())
    return team, coach


def test_a_coach_answers_a_submitted_report_and_the_team_sees_the_feedback(page: Page, site: Site) -> None:
    team, coach = _coached_team_in_sessions(site)
    report = f"/ui/teams/{team}/reports/{datetime.now(UTC):%Y-%m}"
    sign_in(page, site.token(Role.TEAM, "lakeside-team", team_id=team), report)
    form = page.locator(f"form[action='{report}']")
    form.get_by_label("Successes (What went well this month)", exact=True).fill("Kg-only scales in both bays")
    form.get_by_label(
        "Help wanted (What you would like help with, from faculty or other teams)", exact=True
    ).fill("How did others lock the scales?")
    form.get_by_role("button", name="Save the draft").click()
    page.wait_for_url(f"**{report}#report")
    page.get_by_role("button", name="Submit the report to the coach").click()
    page.wait_for_url(f"**{report}#report")
    assert "Status: submitted" in page.locator("#status").inner_text()

    sign_in(page, site.token(Role.COACH, "lakeside-coach", participant_id=coach), report)
    assert "Kg-only scales in both bays" in page.locator("#report").inner_text()
    page.get_by_role("button", name="Send the feedback").click()  # empty: refused beside the field
    assert "write your feedback first" in page.locator("#feedback").inner_text()
    assert page.get_by_label("Your feedback", exact=True).get_attribute("aria-invalid") == "true"
    page.get_by_label("Your feedback", exact=True).fill("Ask Big Sky EMS: they locked theirs in a week")
    page.get_by_role("button", name="Send the feedback").click()
    page.wait_for_url(f"**{report}#feedback")
    shot(page, "60-report-answered")

    sign_in(page, site.token(Role.TEAM, "lakeside-team-again", team_id=team), report)
    assert "Status: answered" in page.locator("#status").inner_text()
    assert "Ask Big Sky EMS: they locked theirs in a week" in page.locator("#feedback").inner_text()
    assert page.get_by_role("button", name="Reopen the report to change it").is_visible()
