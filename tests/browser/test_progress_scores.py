"""Progress scores in a real browser: a team scores itself with the scale's levels beside
the form (a score sent without its reason is refused beside the field), its coach gives
the coach's score, the two are flagged a level and a half apart, and staff see it on the
collaborative's progress page. On a collaborative of its own, so the demo stays as it is."""

from __future__ import annotations

from datetime import date
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


def _team_with_a_coach(site: Site) -> tuple[UUID, UUID, UUID]:
    """A collaborative in its learning sessions, a team, and the person who coaches it."""
    engine = site.engine
    ctx = lambda: engine.context(Actor(id="browser-tests", role=Role.STAFF))  # noqa: E731
    focus = FocusFields(
        focus_area="Readiness", aim="Weigh in kg", starts_on=date(2026, 1, 5), ends_on=date(2026, 12, 18)
    )
    collaborative = engine.execute(CreateCollaborative(title="PRQC Cohort 6", focus=focus), ctx()).id
    engine.execute(
        AdvancePhase(collaborative_id=collaborative, to=Phase.REGISTRATION, override_reason="test"), ctx()
    )
    lead = NewMember(person={"name": "Lou Lakelead"}, discipline="nurse")
    team = engine.execute(RegisterTeam(collaborative_id=collaborative, name="Lakeside ED", organization="Lakeside",
                                       care_setting="community_ed", members=(lead,)), ctx()).id  # fmt: skip
    coach = engine.execute(RegisterParticipant(details={"name": "Casey Coachwell"}), ctx()).id
    engine.execute(AssignCoach(team_id=team, coach_id=coach), ctx())
    for to in (Phase.ORIENTATION, Phase.SESSIONS):
        engine.execute(AdvancePhase(collaborative_id=collaborative, to=to, override_reason="test"), ctx())
    return collaborative, team, coach


def test_a_team_scores_itself_its_coach_scores_it_and_staff_see_them_apart(page: Page, site: Site) -> None:
    collaborative, team, coach = _team_with_a_coach(site)
    sign_in(page, site.token(Role.TEAM, "lakeside-team", team_id=team), f"/ui/teams/{team}")
    page.get_by_role(
        "link", name="Progress scores: the team's, its coach's, and what the record suggests"
    ).click()
    page.wait_for_url(f"**/ui/teams/{team}/progress")
    scores = page.get_by_role("group", name="Score")
    assert "PDSA cycles are run and data on the key measures reported" in scores.inner_text()
    scores.get_by_label("2.5 Changes tested, no improvement").check()
    page.get_by_role("button", name="Save the score").click()
    rationale = page.get_by_label("Why this score", exact=True)
    assert rationale.get_attribute("aria-invalid") == "true"
    assert "say in a sentence why this score" in page.locator("#rationale-error").inner_text()
    assert (
        page.get_by_role("group", name="Score")
        .get_by_label("2.5 Changes tested, no improvement")
        .is_checked()
    )
    shot(page, "40-progress-score-refused")
    rationale.fill("Two cycles on the scales; no change on the chart yet")
    page.get_by_role("button", name="Save the score").click()
    page.wait_for_url(f"**/ui/teams/{team}/progress#scores")
    table = page.get_by_role("table").first.inner_text()
    assert "2.5 Changes tested, no improvement" in table and "Two cycles on the scales" in table

    page.context.clear_cookies()
    sign_in(page, site.token(Role.COACH, "casey-coach", participant_id=coach), f"/ui/teams/{team}/progress")
    assert "The coach's score" in page.locator("form[action$='/progress']").inner_text()
    page.get_by_role("group", name="Score").get_by_label("4 Significant improvement").check()
    page.get_by_label("Why this score", exact=True).fill("Weights in kg are up for four months running")
    page.get_by_role("button", name="Save the score").click()
    page.wait_for_url(f"**/ui/teams/{team}/progress#scores")
    assert "1.5: talk it over" in page.get_by_role("table").first.inner_text()
    shot(page, "41-progress-scores-apart")

    page.context.clear_cookies()
    sign_in(page, site.staff_token, f"/ui/collaboratives/{collaborative}/progress")
    apart = page.get_by_role("region", name="Where a team and its coach disagree").inner_text()
    assert "Lakeside ED" in apart and "the team 2.5, the coach 4" in apart
    assert "1 of 1 team at 4 or more" in page.get_by_role("status").inner_text()
    shot(page, "42-progress-across-teams")
