"""The whole collaborative through the pages only: what a staff member does, click by click
and field by field, from starting the collaborative to its community of practice. Every
step ends on the page the form leads to, refusal-free, and is photographed at 1280 px."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aggregates.instruments import GAP_ANALYSIS
from tests.browser.conftest import shot
from tests.browser.whole_values import (
    COMMUNITY,
    DO,
    FOCUS,
    INVITED,
    MEASURE,
    MIN_TEAMS,
    NEXT_STEPS,
    OUTPUT,
    PLAN,
    ROSTER,
    SESSION,
    SHARE,
    STORYBOARD,
    STUDY,
    TEAMS,
    TITLE,
    ZONE,
    ZOOM_MINUTES,
    Team,
    months_csv,
    zoom_report,
)  # fmt: skip

Page = Any
UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


class Pages:
    """One staff member's browser tab on the served app, numbering its screenshots."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.step = 0
        self.collaborative = ""

    # -- helpers ------------------------------------------------------------------------
    def shot(self, what: str) -> None:
        self.step += 1
        shot(self.page, f"whole/{self.step:02d}-{what}")

    def submit(self, click: Callable[[], None]) -> None:
        """Send a form and wait for the page it leads to, which must show no refusal."""
        with self.page.expect_navigation(wait_until="load"):
            click()
        refusals = self.page.locator("#error, .field-error, [role=alert]")
        assert refusals.count() == 0, f"refused at {self.page.url}: {refusals.all_inner_texts()}"

    def overview(self, section: str = "") -> None:
        self.page.goto(f"/ui/collaboratives/{self.collaborative}{section}")

    def team_page(self, team: str) -> None:
        self.overview("#teams")
        with self.page.expect_navigation():
            self.page.locator("#teams").get_by_role("link", name=team, exact=True).click()

    def form(self, action_end: str) -> Any:
        return self.page.locator(f"form[action$='{action_end}']")

    def open(self, summary: str) -> None:
        self.page.locator("summary", has_text=summary).first.click()

    # -- signing in -----------------------------------------------------------------------
    def sign_in(self, token: str) -> None:
        self.page.goto("/ui/sign-in?next=/ui/collaboratives")
        self.page.get_by_text("Sign in with an API token instead").click()
        self.page.get_by_label("Your access token").fill(token)
        self.page.get_by_role("button", name="Sign in with the token").click()
        self.page.wait_for_url("**/ui/collaboratives")

    # -- focus ----------------------------------------------------------------------------
    def create(self) -> str:
        page = self.page
        page.get_by_label("Title").fill(TITLE)
        page.get_by_label("Focus area").fill(FOCUS["focus_area"])
        page.get_by_label("Aim").fill(FOCUS["aim"])
        page.get_by_label("Starts on").fill(FOCUS["starts_on"])
        page.get_by_label("Ends on").fill(FOCUS["ends_on"])
        self.shot("start-the-collaborative")
        self.submit(lambda: page.get_by_role("button", name="Start the collaborative").click())
        found = re.search(UUID_RE, page.url)
        assert found, page.url
        self.collaborative = found.group(0)
        return self.collaborative

    def set_zone_measure_and_criteria(self) -> None:
        page = self.page
        self.open("Change the time zone")
        page.get_by_label("Time zone (IANA name").fill(ZONE)
        self.submit(lambda: page.get_by_role("button", name="Save the time zone").click())
        assert f"shown in {ZONE} time" in page.locator("#time-zone").inner_text()
        self.open("Define a collaborative measure")
        form = self.form("/measures")
        form.get_by_label("Name").fill(MEASURE["name"])
        form.get_by_label("Kind").select_option(MEASURE["kind"])
        form.get_by_label("Each month's value is").select_option(MEASURE["data_type"])
        form.get_by_label("Numerator: what is counted").fill(MEASURE["numerator"])
        form.get_by_label("Denominator: out of what").fill(MEASURE["denominator"])
        form.get_by_label("Better is").select_option(MEASURE["direction"])
        form.get_by_label("Goal").fill(MEASURE["target"])
        self.submit(lambda: form.get_by_role("button", name="Define the measure").click())
        assert MEASURE["name"] in page.locator("#measures").inner_text()
        self.open("Change the exit criteria")
        page.get_by_label("The fewest active teams to leave registration").fill(str(MIN_TEAMS))
        self.submit(lambda: page.get_by_role("button", name="Save the exit criteria").click())
        self.shot("focus-defined")

    # -- the phases -----------------------------------------------------------------------
    def advance(self, to: str) -> None:
        """Through the confirmation page, which must say every exit criterion is met."""
        page = self.page
        self.overview("#phase")
        with page.expect_navigation():
            page.get_by_role("link", name=f"Advance to {to}…").click()
        assert "Every exit criterion" in page.locator("#advance").inner_text(), page.locator(
            "#advance"
        ).inner_text()
        self.shot(f"advance-to-{to.replace(' ', '-')}")
        self.submit(lambda: page.get_by_role("button", name=f"Advance to {to}").click())
        assert f"Phase: {to}" in page.locator("#phase-h").inner_text()

    # -- registration ---------------------------------------------------------------------
    def register(self, team: Team) -> None:
        self.overview("#teams")
        form = self.form("/teams")
        form.get_by_label("Team name").fill(team.name)
        form.get_by_label("Organization").fill(team.organization)
        form.get_by_label("Care setting").select_option(team.care_setting)
        form.get_by_label("First member's name").fill(team.lead.name)
        form.get_by_label("Credentials").fill(team.lead.credentials)
        form.get_by_label("Discipline").select_option(team.lead.discipline)
        self.submit(lambda: form.get_by_role("button", name="Register team").click())
        assert team.name in self.page.locator("#teams table").inner_text()

    def invite(self, team: Team) -> None:
        """The first team's physician, invited from the team's page by name and email."""
        page = self.page
        self.team_page(team.name)
        self.open("Invite people to this team")
        page.get_by_label("Name and email").fill(f"{INVITED.name}, {INVITED.email}")
        page.get_by_label("Discipline on the team", exact=True).select_option(INVITED.discipline)
        page.get_by_label("Role on the team", exact=True).select_option(INVITED.role)
        self.submit(lambda: page.get_by_role("button", name="Send the invitations").click())
        assert INVITED.name in page.locator("#members .people").inner_text()
        self.shot("team-with-an-invited-physician")

    # -- orientation ----------------------------------------------------------------------
    def gap_analysis(self, team: Team) -> None:
        page = self.page
        self.team_page(team.name)
        page.get_by_text("Fill in the pediatric readiness gap analysis").click()
        form = page.get_by_role("form", name="Pediatric readiness gap analysis")
        for item, answer in zip(GAP_ANALYSIS.items, team.answers, strict=True):
            form.get_by_role("group", name=item.question).get_by_label(answer, exact=True).check()
        self.submit(
            lambda: form.get_by_role("button", name="Submit the pediatric readiness gap analysis").click()
        )
        assert "Pediatric readiness gap analysis:" in page.locator("#assessments").inner_text()

    def schedule_session(self) -> None:
        page = self.page
        self.overview("#activities")
        self.open("Schedule an activity")
        form = self.form("/activities")
        form.get_by_label("Kind").select_option(SESSION["kind"])
        form.get_by_label("Title").fill(SESSION["title"])
        form.get_by_label(f"Starts ({ZONE} time)").fill(SESSION["starts_at"])
        form.get_by_label("Minutes").fill(SESSION["duration_minutes"])
        for credit in SESSION["credit_types"]:
            form.get_by_label(credit.upper(), exact=True).check()
        form.get_by_label("Max hours").fill(SESSION["max_hours"])
        form.get_by_label("Accrediting body").fill(SESSION["accrediting_body"])
        self.shot("schedule-the-learning-session")
        self.submit(lambda: form.get_by_role("button", name="Schedule").click())
        assert "10 Mar 2026, 09:00 CDT" in page.locator("#activities").inner_text()

    # -- sessions -------------------------------------------------------------------------
    def attendance(self) -> None:
        """The roster typed in for the two members without an email, then the Zoom report
        for the one with an email, matched by it."""
        page = self.page
        self.overview("#activities")
        with page.expect_navigation():
            page.get_by_role("link", name=f"Record attendance for {SESSION['title']}").click()
        for person, minutes in ROSTER.items():
            page.get_by_label(person, exact=True).fill(str(minutes))
        self.shot("session-roster")
        self.submit(lambda: page.get_by_role("button", name="Record attendance", exact=True).click())
        page.get_by_label("Attendance report (CSV)").set_input_files(
            files=[{"name": "zoom.csv", "mimeType": "text/csv", "buffer": zoom_report().encode()}]
        )
        with page.expect_navigation():
            page.get_by_role("button", name="Check the report").click()
        preview = page.locator("#preview").inner_text()
        assert "1 person matched by email" in preview and f"{ZOOM_MINUTES} minutes over 2 joins" in preview
        self.shot("session-report-preview")
        self.submit(lambda: page.get_by_role("button", name="Record attendance for the 1 matched").click())
        assert "Attendance recorded for 1 person." in page.get_by_role("status").inner_text()

    def report_measure_and_upload(self, team: Team) -> None:
        page = self.page
        self.team_page(team.name)
        self.submit(lambda: page.get_by_role("button", name=f"Report {MEASURE['name']} too").click())
        self.open("Upload months from a file")
        page.get_by_label("File of months").set_input_files(
            files=[{"name": "months.csv", "mimeType": "text/csv", "buffer": months_csv(team).encode()}]
        )
        with page.expect_navigation():
            page.get_by_role("button", name="Check the file").click()
        assert "Every row can be stored: 12 months to store" in page.locator("#upload-data").inner_text()
        self.shot(f"upload-preview-{team.name.lower().replace(' ', '-')}")
        self.submit(lambda: page.get_by_role("button", name="Store the 12 months").click())
        assert "Stored 12 months from the file." in page.locator("#measures [role=status]").inner_text()

    # -- projects -------------------------------------------------------------------------
    def pdsa(self, team: Team) -> None:
        page = self.page
        self.team_page(team.name)
        self.open("Plan a new cycle")
        plan = self.form("/pdsa")
        plan.get_by_label("Title").fill(PLAN["title"])
        plan.get_by_label("Change idea", exact=True).fill(PLAN["change_idea"])
        plan.get_by_label("Objective").fill(PLAN["objective"])
        plan.get_by_label("Prediction").fill(PLAN["prediction"])
        plan.get_by_label(re.compile(r"^Plan \(who")).fill(PLAN["plan"])
        self.submit(lambda: plan.get_by_role("button", name="Plan cycle").click())
        stage = lambda name: page.get_by_role("form", name=f"Record the {name} stage of {PLAN['title']}")  # noqa: E731
        stage("do").get_by_label("What happened").fill(DO)
        self.submit(lambda: stage("do").get_by_role("button", name="Record do").click())
        stage("study").get_by_label("Results").fill(STUDY["results"])
        stage("study").get_by_label("Did the prediction hold?").select_option(STUDY["prediction_confirmed"])
        stage("study").get_by_label("What we learned").fill(STUDY["learning"])
        self.submit(lambda: stage("study").get_by_role("button", name="Record study").click())
        stage("act").get_by_label("Decision").select_option(team.decision)
        stage("act").get_by_label("Next steps").fill(NEXT_STEPS)
        self.submit(lambda: stage("act").get_by_role("button", name="Record act").click())
        assert team.decision in page.locator("#pdsa .badge.decision").inner_text()

    # -- sharing --------------------------------------------------------------------------
    def share(self, team: Team) -> None:
        page = self.page
        self.team_page(team.name)
        self.open("Share the project")
        form = self.form("/share")
        form.get_by_label("Title").fill(SHARE["title"])
        form.get_by_label("Summary").fill(SHARE["summary"])
        form.get_by_label("Storyboard").set_input_files(
            files=[{"name": "storyboard.pdf", "mimeType": "application/pdf", "buffer": STORYBOARD}]
        )
        self.submit(lambda: form.get_by_role("button", name="Share the project").click())
        assert f"Shared project: {SHARE['title']}" in page.locator("#shared").inner_text()

    def record_output(self) -> None:
        page = self.page
        self.overview("#outputs")
        self.open("Record an output")
        form = self.form("/outputs")
        form.get_by_label("Kind").select_option(OUTPUT["kind"])
        form.get_by_label("Title").fill(OUTPUT["title"])
        form.get_by_label("Description").fill(OUTPUT["description"])
        self.submit(lambda: form.get_by_role("button", name="Record the output").click())
        assert OUTPUT["title"] in page.locator("#outputs").inner_text()

    # -- community of practice ------------------------------------------------------------
    def join_community(self) -> None:
        page = self.page
        self.overview("#community")
        page.get_by_label("Person").select_option(label=f"{COMMUNITY} ({TEAMS[0].name})")
        self.submit(lambda: page.get_by_role("button", name="Add to the community").click())
        assert COMMUNITY in page.locator("#community").inner_text()
        self.shot("community-of-practice")
