"""The team page's assessment and share forms in a real browser: radio groups found by
their question, an unanswered question refused beside it, and a storyboard file sent with
the project. On a collaborative of its own, so the demo's data stays as other tests read it."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from aggregates.base import Actor, Role
from aggregates.instruments import GAP_ANALYSIS
from aggregates.phases import Phase
from aggregates.values import FocusFields
from engine.commands.collaborative import AdvancePhase, CreateCollaborative, NewMember, RegisterTeam
from tests.browser.conftest import Site, shot
from tests.browser.test_pages import sign_in

Page = Any
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _team_in_projects(site: Site) -> UUID:
    """A team of a new collaborative moved on to its projects phase (criteria overridden)."""
    engine = site.engine
    ctx = lambda: engine.context(Actor(id="browser-tests", role=Role.STAFF))  # noqa: E731
    focus = FocusFields(
        focus_area="Readiness", aim="Weigh in kg", starts_on=date(2026, 1, 5), ends_on=date(2026, 12, 18)
    )
    collaborative = engine.execute(CreateCollaborative(title="PRQC Cohort 5", focus=focus), ctx()).id
    engine.execute(
        AdvancePhase(collaborative_id=collaborative, to=Phase.REGISTRATION, override_reason="test"), ctx()
    )
    lead = NewMember(person={"name": "Rae Riverlead"}, discipline="nurse")
    team = engine.execute(RegisterTeam(collaborative_id=collaborative, name="Riverside ED", organization="Riverside",
                                       care_setting="community_ed", members=(lead,)), ctx()).id  # fmt: skip
    for to in (Phase.ORIENTATION, Phase.SESSIONS, Phase.PROJECTS):
        engine.execute(AdvancePhase(collaborative_id=collaborative, to=to, override_reason="test"), ctx())
    return team


def test_a_team_fills_in_its_gap_analysis_and_shares_its_project_with_a_storyboard(
    page: Page, site: Site
) -> None:
    team = _team_in_projects(site)
    sign_in(page, site.token(Role.TEAM, "riverside-team", team_id=team), f"/ui/teams/{team}")
    page.get_by_text("Fill in the pediatric readiness gap analysis").click()
    form = page.get_by_role("form", name="Pediatric readiness gap analysis")
    skipped = GAP_ANALYSIS.items[4]
    for item in GAP_ANALYSIS.items:
        if item is not skipped:
            form.get_by_role("group", name=item.question).get_by_label("partly").check()
    form.get_by_role("button", name="Submit the pediatric readiness gap analysis").click()
    group = page.get_by_role("group", name=skipped.question)
    assert "choose an answer" in group.inner_text()
    assert group.get_by_label("yes").get_attribute("aria-invalid") == "true"
    assert page.get_by_role("group", name=GAP_ANALYSIS.items[0].question).get_by_label("partly").is_checked()
    shot(page, "20-gap-analysis-refused")
    group.get_by_label("yes").check()
    page.get_by_role("button", name="Submit the pediatric readiness gap analysis").click()
    page.wait_for_url(f"**/ui/teams/{team}#assessments")
    assert (
        "Pediatric readiness gap analysis: 54% across 14 items" in page.locator("#assessments").inner_text()
    )

    page.locator("summary", has_text="Share the project").click()
    share = page.locator(f"form[action='/ui/teams/{team}/share']")
    share.get_by_label("Title").fill("Kilograms at triage")
    share.get_by_label("Summary").fill("Scales locked to kg; 95% of children weighed in kg by March.")
    share.get_by_label("Storyboard").set_input_files(files=[{"name": "storyboard.pdf", "mimeType": "application/pdf",
                                                             "buffer": PDF}])  # fmt: skip
    share.get_by_role("button", name="Share the project").click()
    page.wait_for_url(f"**/ui/teams/{team}#shared")
    shared = page.locator("#shared")
    assert "Shared project: Kilograms at triage" in shared.inner_text()
    with page.expect_download() as download:
        shared.get_by_role("link", name="Storyboard").click()
    assert download.value.suggested_filename == "storyboard.pdf"
    shot(page, "21-project-shared")
