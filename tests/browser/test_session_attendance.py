"""A session's attendance in a real browser: from the collaborative's page to the session's
roster, typed in; then a Zoom report uploaded, previewed and confirmed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from aggregates.base import Actor, Role
from engine.commands.activity import ScheduleActivity
from engine.commands.collaborative import (
    AdvancePhase,
    ChangeTimeZone,
    CreateCollaborative,
    NewMember,
    RegisterTeam,
)
from tests.browser.conftest import Site, shot
from tests.browser.test_pages import sign_in

Page = Any
SETUP = Actor(id="browser-attendance", role=Role.SYSTEM)


def _held_session(site: Site) -> tuple[UUID, UUID, dict[str, UUID]]:
    """A collaborative in orientation, one team of three, and a session that started two hours ago."""
    engine = site.engine
    run = lambda command: engine.execute(command, engine.context(SETUP))  # noqa: E731
    collaborative = run(CreateCollaborative(title="Sepsis Recognition Cohort 2")).id
    run(ChangeTimeZone(collaborative_id=collaborative, time_zone="America/Denver"))
    run(AdvancePhase(collaborative_id=collaborative, to="registration", override_reason="browser test"))
    people = [
        ("Rosa Ramirez", "rosa@valley.example"),
        ("Omar Ode", "omar@valley.example"),
        ("Lena Lund", None),
    ]
    members = tuple(NewMember(person={"name": n, "email": e}, discipline="nurse") for n, e in people)
    team = run(RegisterTeam(collaborative_id=collaborative, name="Valley ED", organization="Valley Health",
                            care_setting="community_ed", members=members))  # fmt: skip
    run(AdvancePhase(collaborative_id=collaborative, to="orientation", override_reason="browser test"))
    starts = datetime.now(UTC) - timedelta(hours=2)
    details = {
        "kind": "learning_session",
        "title": "LS1 sepsis screening",
        "starts_at": starts,
        "duration_minutes": 60,
    }
    activity = run(ScheduleActivity(collaborative_id=collaborative, details=details)).id
    ids = dict(zip((n for n, _ in people), team.created["Participant"], strict=True))
    return collaborative, activity, ids


def _minutes(site: Site, activity: UUID) -> dict[UUID, int]:
    return {p: a.minutes for p, a in site.engine.activity(activity).state.attendance.items()}


def test_staff_type_a_sessions_roster_then_confirm_a_zoom_report(page: Page, site: Site) -> None:
    collaborative, activity, people = _held_session(site)
    sign_in(page, site.staff_token, f"/ui/collaboratives/{collaborative}")
    assert "shown in America/Denver time" in page.locator("#time-zone").inner_text()
    shot(page, "19-collaborative-with-a-session")
    page.get_by_role("link", name="Record attendance for LS1 sepsis screening").click()
    page.get_by_label("Lena Lund").fill("50")
    shot(page, "20-session-roster")
    page.get_by_role("button", name="Record attendance", exact=True).click()
    assert "Attendance recorded for 1 person." in page.get_by_role("status").inner_text()
    assert _minutes(site, activity) == {people["Lena Lund"]: 50}

    report = (
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n"
        "Rosa R,rosa@valley.example,,,40\nRosa R,ROSA@valley.example,,,15\n"
        "Guest phone,,,,20\nDr Visitor,visitor@elsewhere.example,,,60\n"
    )
    page.get_by_label("Attendance report (CSV)").set_input_files(
        files=[{"name": "zoom.csv", "mimeType": "text/csv", "buffer": report.encode()}]
    )
    page.get_by_role("button", name="Check the report").click()
    preview = page.locator("#preview").inner_text()
    assert "1 person matched by email, 2 rows not matched" in preview
    assert "55 minutes over 2 joins" in preview and "visitor@elsewhere.example" in preview
    shot(page, "21-session-report-preview")
    assert _minutes(site, activity) == {people["Lena Lund"]: 50}  # nothing stored by the preview
    page.get_by_role("button", name="Record attendance for the 1 matched").click()
    assert "Attendance recorded for 1 person." in page.get_by_role("status").inner_text()
    assert _minutes(site, activity) == {people["Lena Lund"]: 50, people["Rosa Ramirez"]: 55}
