"""The pages in a real browser, on the demo data: what staff, teams and auditors do."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from adapters.web.session import COOKIE
from aggregates.base import Actor, Role
from aggregates.criteria import ExitCriteriaSettings
from aggregates.tokens import token_id
from aggregates.values import FocusFields, MeasureDefinition
from engine.commands.collaborative import AdvancePhase, CreateCollaborative
from tests.browser.conftest import Site, shot

Page = Any


def sign_in(page: Page, token: str, then: str = "/ui/") -> None:
    page.goto(f"/ui/sign-in?next={then}")
    page.get_by_text("Sign in with an API token instead").click()
    page.get_by_label("Your access token").fill(token)
    page.get_by_role("button", name="Sign in with the token").click()
    page.wait_for_url(f"**{then}")


def test_signing_in_shows_the_collaboratives_and_signing_out_ends_the_session(page: Page, site: Site) -> None:
    page.goto("/ui/")
    assert "/ui/sign-in" in page.url
    shot(page, "01-sign-in")
    sign_in(page, site.staff_token)
    assert page.get_by_role("link", name=re.compile("Pediatric Readiness")).is_visible()
    shot(page, "02-collaboratives")
    [stolen] = [c for c in page.context.cookies() if c["name"] == COOKIE]
    assert stolen["value"] != site.staff_token and stolen["httpOnly"] and stolen["sameSite"] == "Strict"
    page.get_by_role("button", name="Sign out").click()
    page.goto("/ui/")
    assert "/ui/sign-in" in page.url
    page.context.add_cookies([stolen])  # the cookie replayed after signing out
    page.goto("/ui/")
    assert "/ui/sign-in" in page.url


def test_a_bad_token_is_refused_clearly(page: Page) -> None:
    page.goto("/ui/sign-in")
    page.get_by_text("Sign in with an API token instead").click()
    page.get_by_label("Your access token").fill("qi_wrong")
    page.get_by_role("button", name="Sign in with the token").click()
    assert "unknown, expired or revoked" in page.get_by_role("alert").inner_text()


def _registration_collaborative(site: Site) -> UUID:
    engine = site.engine
    ctx = engine.context(Actor(id="browser-setup", role=Role.SYSTEM))
    measure = MeasureDefinition(key="weight-kg", name="Weight in kg", kind="process", numerator="kg",
                                denominator="all", direction="increase")  # fmt: skip
    focus = FocusFields(
        focus_area="Pediatric readiness",
        aim="Weigh in kg",
        starts_on=date(2026, 1, 5),
        ends_on=date(2026, 12, 18),
    )
    created = engine.execute(CreateCollaborative(title="PRQC Cohort 4", focus=focus, measures=(measure,),
                                                 settings=ExitCriteriaSettings(min_teams=8)), ctx)  # fmt: skip
    engine.execute(AdvancePhase(collaborative_id=created.id, to="registration"), engine.context(ctx.actor))
    return created.id


def test_staff_see_unmet_criteria_then_override_them_with_a_reason(page: Page, site: Site) -> None:
    collaborative = _registration_collaborative(site)
    sign_in(page, site.staff_token, f"/ui/collaboratives/{collaborative}")
    advance = page.get_by_role("link", name="Advance to orientation…")
    box, card = advance.bounding_box(), page.locator("#phase").bounding_box()
    assert box and card and box["width"] < card["width"] / 2  # a normal-sized button, not the card's width
    advance.click()
    assert "0 active team(s) registered; at least 8 needed" in page.locator("#advance").inner_text()
    page.get_by_role("button", name="Advance to orientation").click()
    assert "give the reason for advancing anyway" in page.locator("#override_reason-error").inner_text()
    shot(page, "03-phase-refused")
    assert site.engine.collaborative(collaborative).phase.value == "registration"
    page.get_by_label(re.compile("Reason for advancing")).fill("Teams sign up in the first orientation month")
    page.get_by_role("button", name="Advance to orientation").click()
    page.wait_for_url(f"**/ui/collaboratives/{collaborative}*")
    assert "Teams sign up in the first orientation month" in page.locator("#phase").inner_text()
    shot(page, "04-phase-overridden")


def _points(page: Page) -> int:
    return page.locator("#measures figure svg.wide g.point").count()


def test_a_team_enters_a_month_and_sees_its_chart_change(page: Page, site: Site) -> None:
    team_id = next(iter(site.engine.collaborative(site.demo).state.teams))
    token = site.token(Role.TEAM, "heartland-team", team_id=team_id)
    sign_in(page, token, f"/ui/teams/{team_id}")
    before = _points(page)
    shot(page, "05-team-before")
    measure = "Children weighed and recorded in kilograms only"
    # The demo's months run to February 2026: March is the next row, empty, to fill in place.
    page.get_by_label(f"{measure}, numerator, Mar 2026").fill("19")
    page.get_by_label(f"{measure}, denominator, Mar 2026").fill("20")
    page.get_by_role("button", name=f"Save Mar 2026 of {measure}").click()
    page.wait_for_url(f"**/ui/teams/{team_id}*")
    assert _points(page) == before + 1
    assert "Mar 2026: 95%" in page.locator("#measures").inner_html()
    shot(page, "06-team-after-data")


def test_a_team_records_a_pdsa_stage_and_staff_find_it_in_the_audit_explorer(page: Page, site: Site) -> None:
    team_id = list(site.engine.collaborative(site.demo).state.teams)[1]
    token = site.token(Role.TEAM, "mountain-west-team", team_id=team_id)
    sign_in(page, token, f"/ui/teams/{team_id}")
    page.get_by_text("Plan a new cycle").click()
    plan = page.locator("form[action$='/pdsa']")
    plan.get_by_label("Title").fill("Weight on the triage card")
    plan.get_by_label("Change idea").fill("Print a kg box on the triage card")
    plan.get_by_label("Objective").fill("See if the card prompts kg")
    plan.get_by_label("Prediction").fill("95% in kg")
    plan.get_by_label(re.compile("Plan \\(who")).fill("Night shift, two weeks")
    plan.get_by_role("button", name="Plan cycle").click()
    page.get_by_role("form", name="Record the do stage of Weight on the triage card").get_by_label(
        "What happened"
    ).fill("Cards printed; two nurses forgot the box")
    page.get_by_role("button", name="Record do").first.click()
    assert "Cards printed; two nurses forgot the box" in page.locator("#pdsa").inner_text()
    shot(page, "07-pdsa-recorded")
    page.context.clear_cookies()
    sign_in(page, site.staff_token, "/ui/audit")
    page.get_by_label("Event type").select_option(label="PDSA done")
    page.get_by_label("Person").select_option(label="mountain-west-team")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.audit tbody tr")
    assert rows.count() == 1 and "PDSA done" in rows.first.inner_text()
    assert "mountain-west-team" in rows.first.inner_text()  # the token's name, never its id
    assert f"token:{token_id(token)}" not in rows.first.inner_text()
    page.get_by_role("button", name="Verify the hash chain").click()
    assert "The audit chain is intact" in page.get_by_role("status").inner_text()
    rows.first.locator("summary").click()
    assert "Cards printed; two nurses forgot the box" in rows.first.locator("dl.payload").first.inner_text()
    shot(page, "08-audit-explorer")


def test_the_as_of_view_shows_the_collaborative_as_it_was(page: Page, site: Site) -> None:
    sign_in(page, site.staff_token, f"/ui/collaboratives/{site.demo}/as-of")
    page.get_by_label("Moment (UTC)").fill("2025-03-01T00:00")
    page.get_by_role("button", name="Show").click()
    then = page.locator(".compare .card").first.inner_text()
    assert (
        "sessions" in then and "community of practice" in page.locator(".compare .card").nth(1).inner_text()
    )
    shot(page, "09-as-of")


def test_the_overview_works_on_a_tablet(page: Page, site: Site) -> None:
    page.set_viewport_size({"width": 820, "height": 1180})
    sign_in(page, site.staff_token, f"/ui/collaboratives/{site.demo}")
    assert page.locator("#teams table").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 820
    shot(page, "10-overview-tablet")


def test_staff_open_a_members_transcript_and_download_it_as_csv(page: Page, site: Site) -> None:
    team_id = next(iter(site.engine.collaborative(site.demo).state.teams))
    sign_in(page, site.staff_token, f"/ui/teams/{team_id}")
    page.locator(".people a").first.click()
    page.wait_for_url("**/transcript")
    assert page.get_by_role("heading", level=1).inner_text().startswith("CE / MOC transcript")
    assert page.locator("table tbody tr").count() >= 1
    shot(page, "11-transcript")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    path = download.value.path()
    text = Path(path).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("Learner Name,Licence/Board ID")
    assert len(text.splitlines()) >= 2
