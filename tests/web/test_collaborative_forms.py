"""Staff's forms on the collaborative page: its time zone (times shown and entered in it),
learning activities, outputs, the community of practice, each only in the phases that
allow it; and advancing the phase, which asks first."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from uuid import UUID

from fastapi.testclient import TestClient

from engine.application import QIEngine
from tests.api.conftest import Api
from tests.api.flow import HttpFlow
from tests.conftest import Clock
from tests.fixtures import PLAN
from tests.web.pages import PageClient, signed_in


def _staff_page(client: TestClient, staff: Api, clock: Clock, phase: str) -> tuple[HttpFlow, PageClient, str]:
    flow = HttpFlow(staff, clock)
    flow.up_to(phase)
    url = f"/ui/collaboratives/{flow.collaborative}"
    return flow, signed_in(client, staff.token or "", url), url


def _advance(staff: Api, flow: HttpFlow, to: str, reason: str | None = None) -> None:
    """Advance over the API without moving the clock on (the page's session stays fresh)."""
    body = {"to": to, "override_reason": reason} if reason else {"to": to}
    staff.ok(f"/collaboratives/{flow.collaborative}/phase", body)


def _stored(engine: QIEngine) -> int:
    return engine.recorder.max_notification_id() or 0


def test_staff_set_the_time_zone_and_the_api_and_pages_show_it(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow, page, url = _staff_page(client, staff, clock, "sessions")
    assert staff.get(f"/collaboratives/{flow.collaborative}").json()["time_zone"] == "UTC"
    sent = page.post(
        f"{url}/time-zone", data={"time_zone": "America/Chicago", "command_id": "tz"}, follow_redirects=False
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"{url}#time-zone"
    assert staff.get(f"/collaboratives/{flow.collaborative}").json()["time_zone"] == "America/Chicago"
    shown = page.get(url).text
    assert "shown in <strong>America/Chicago</strong> time" in shown
    assert "Starts (America/Chicago time)" in shown and "When (America/Chicago)" in shown
    assert re.search(r"<td[^>]*>\d+ \w{3} \d{4}, \d\d:\d\d C[SD]T</td><td[^>]*>LS1</td>", shown)


def test_a_wrong_time_zone_is_refused_beside_its_field_and_nothing_is_stored(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    _flow, page, url = _staff_page(client, staff, clock, "registration")
    before = _stored(app_engine)
    refused = page.post(f"{url}/time-zone", data={"time_zone": "America/Chicgo", "command_id": "tz"})
    assert refused.status_code == 422 and _stored(app_engine) == before
    assert 'aria-invalid="true" aria-describedby="time_zone-error"' in refused.text
    assert "is not a time zone name: use one such as America/Chicago" in refused.text
    assert (
        'value="America/Chicgo"' in refused.text
        and "<details open><summary>Change the time zone" in refused.text
    )
    assert "Value error" not in refused.text and "body." not in refused.text


def test_staff_enter_a_sessions_start_in_the_collaboratives_zone(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow, page, url = _staff_page(client, staff, clock, "sessions")
    page.post(f"{url}/time-zone", data={"time_zone": "America/Chicago", "command_id": "tz"})
    session = {"kind": "learning_session", "title": "LS2 summer", "starts_at": "2025-06-02T15:00",
               "duration_minutes": "60", "command_id": "ls2"}  # fmt: skip
    assert page.post(f"{url}/activities", data=session, follow_redirects=False).status_code == 303
    [scheduled] = [
        a for a in (app_engine.activity(i) for i in app_engine.collaborative(UUID(flow.collaborative)).state.activities)
        if a.state.details.title == "LS2 summer"
    ]  # fmt: skip
    assert scheduled.state.details.starts_at == datetime(2025, 6, 2, 20, 0, tzinfo=UTC)  # 15:00 CDT
    assert re.search(r"<td[^>]*>2 Jun 2025, 15:00 CDT</td><td[^>]*>LS2 summer</td>", page.get(url).text)


def test_a_session_without_a_title_is_refused_beside_its_field_and_keeps_its_values(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    _flow, page, url = _staff_page(client, staff, clock, "sessions")
    before = _stored(app_engine)
    session = {"kind": "fireside_chat", "title": " ", "starts_at": "2025-06-02T15:00", "duration_minutes": "45",
               "command_id": "untitled"}  # fmt: skip
    refused = page.post(f"{url}/activities", data=session)
    assert refused.status_code == 422 and _stored(app_engine) == before
    assert (
        'id="title" name="title" required value=" " aria-invalid="true" aria-describedby="title-error"'
        in refused.text
    )
    assert 'value="fireside_chat" selected' in refused.text and 'value="2025-06-02T15:00"' in refused.text
    undated = page.post(
        f"{url}/activities", data=session | {"title": "Chat", "starts_at": "", "command_id": "undated"}
    )
    assert undated.status_code == 422 and _stored(app_engine) == before
    assert re.search(r'id="starts_at-error">a date and time, like 2 Jun 2025 at 15:00<', undated.text)
    assert "Input should" not in undated.text


def test_outputs_are_recorded_from_the_sharing_phase_and_listed(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow, page, url = _staff_page(client, staff, clock, "projects")
    early = page.get(url).text
    assert 'action="' + url + '/outputs"' not in early
    assert (
        "recorded from the sharing phase to the community of practice phase; the collaborative is in the projects phase"
        in early
    )
    _advance(staff, flow, "sharing")
    paper = {"output_kind": "summative_paper", "output_title": "Kilograms only: what 2 teams learned",
             "output_url": "https://example.org/paper", "output_description": "For the journal", "command_id": "o1"}  # fmt: skip
    assert page.post(f"{url}/outputs", data=paper, follow_redirects=False).status_code == 303
    listed = page.get(url).text
    assert (
        '<a href="https://example.org/paper" rel="noopener noreferrer">Kilograms only: what 2 teams learned</a>'
        in listed
    )
    assert "summative paper, recorded" in listed


def test_a_bad_output_is_refused_beside_its_fields_and_nothing_is_stored(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    _flow, page, url = _staff_page(client, staff, clock, "sharing")
    before = _stored(app_engine)
    bad = {
        "output_kind": "toolkit",
        "output_title": "",
        "output_url": "javascript:alert(1)",
        "command_id": "o2",
    }
    refused = page.post(f"{url}/outputs", data=bad)
    assert refused.status_code == 422 and _stored(app_engine) == before
    for field in ("output_title", "output_url"):
        assert f'aria-invalid="true" aria-describedby="{field}-error"' in refused.text, field
    assert (
        'value="javascript:alert(1)"' in refused.text
        and "<details open><summary>Record an output" in refused.text
    )


def test_people_join_the_community_of_practice_in_its_phase_only(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow, page, url = _staff_page(client, staff, clock, "sharing")
    assert "People join the community of practice in the community of practice phase" in page.get(url).text
    assert 'action="' + url + '/community"' not in page.get(url).text
    _advance(staff, flow, "community_of_practice")
    lead = flow.members[flow.teams[0]]
    form = page.get(url).text
    assert f'<option value="{lead}">Mercy ED lead (Mercy ED)</option>' in form
    joined = page.post(
        f"{url}/community", data={"community_participant": lead, "command_id": "j1"}, follow_redirects=False
    )
    assert joined.status_code == 303
    shown = page.get(url).text
    community = shown[shown.index('id="community"') :]
    assert "<li>Mercy ED lead <span" in community and f'<option value="{lead}">' not in community


def test_the_overview_links_to_a_confirmation_instead_of_advancing_at_once(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    _flow, page, url = _staff_page(client, staff, clock, "registration")
    overview = page.get(url).text
    phase = overview[overview.index('id="phase"') : overview.index('id="time-zone"')]
    assert f'<a class="button" href="{url}/phase">Advance to orientation…</a>' in phase
    assert "<form" not in phase and "override_reason" not in phase


def test_the_confirmation_says_what_advancing_ends_and_needs_a_reason_only_when_criteria_are_unmet(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    _flow, page, url = _staff_page(client, staff, clock, "focus")
    met = page.get(f"{url}/phase").text
    assert "Advance PRQC to registration?" in met and "Every exit criterion of the focus phase is met." in met
    assert "Edit the focus area, aim, dates or collaborative measures" in met  # ends with the focus phase
    assert "Register a team" in met and "override_reason" not in met
    assert (
        page.post(
            f"{url}/phase", data={"to": "registration", "command_id": "a1"}, follow_redirects=False
        ).status_code
        == 303
    )
    unmet = page.get(f"{url}/phase").text
    assert "Exit criteria still unmet" in unmet and "0 active team(s) registered; at least 2 needed" in unmet
    assert '<textarea id="override_reason" name="override_reason" rows="3" required>' in unmet


def test_advancing_with_unmet_criteria_and_no_reason_is_refused_beside_the_reason(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow, page, url = _staff_page(client, staff, clock, "focus")
    _advance(staff, flow, "registration")
    before = _stored(app_engine)
    refused = page.post(
        f"{url}/phase", data={"to": "orientation", "override_reason": "  ", "command_id": "a2"}
    )
    assert refused.status_code == 409 and _stored(app_engine) == before
    assert 'aria-invalid="true" aria-describedby="override_reason-error"' in refused.text
    assert "some criteria are unmet: give the reason for advancing anyway" in refused.text
    form = {"to": "orientation", "override_reason": "Teams sign up in the first month", "command_id": "a3"}
    assert page.post(f"{url}/phase", data=form, follow_redirects=False).status_code == 303
    after = _stored(app_engine)
    assert page.post(f"{url}/phase", data=form, follow_redirects=False).status_code == 303  # a double confirm
    assert _stored(app_engine) == after
    assert app_engine.collaborative(UUID(flow.collaborative)).phase.value == "orientation"
    assert "Teams sign up in the first month" in page.get(url).text


def test_closing_says_it_is_final_and_what_can_no_longer_be_done(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow, page, url = _staff_page(client, staff, clock, "sharing")
    _advance(staff, flow, "community_of_practice")
    assert "Close the collaborative…" in page.get(url).text
    confirm = page.get(f"{url}/phase").text
    assert "Close PRQC?" in confirm and "Closing ends the collaborative for good" in confirm
    for ended in (
        "Record attendance",
        "Record an output",
        "Join the community of practice",
        "Submit measure data",
    ):
        assert f"<li>{ended}</li>" in confirm, ended
    assert '<button type="submit">Close the collaborative</button>' in confirm


def test_forms_the_phase_does_not_allow_are_replaced_by_when_they_are(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow, page, url = _staff_page(client, staff, clock, "registration")
    shown = page.get(url).text
    assert 'action="' + url + '/activities"' not in shown
    assert (
        "Learning activities are scheduled from the orientation phase to the community of practice phase"
        in shown
    )
    assert "Attendance is recorded from the orientation phase" in shown
    _advance(staff, flow, "orientation", "the test moves on")
    later = page.get(url).text
    assert 'action="' + url + '/activities"' in later and "Teams register in the registration phase" in later


def test_the_team_page_shows_its_days_in_the_collaboratives_zone(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow, page, url = _staff_page(client, staff, clock, "sessions")
    page.post(f"{url}/time-zone", data={"time_zone": "Pacific/Honolulu", "command_id": "tz"})
    clock.advance(hours=(27 - clock.now.hour) % 24)  # 03:00 UTC: the evening before in Honolulu
    staff.ok(f"/teams/{flow.teams[0]}/pdsa", {"plan": PLAN})
    team = (
        signed_in(client, staff.token or "", f"/ui/teams/{flow.teams[0]}")
        .get(f"/ui/teams/{flow.teams[0]}")
        .text
    )
    utc_day, honolulu_day = clock.now, clock.now - timedelta(days=1)
    assert f"planned {honolulu_day.day} {honolulu_day:%b %Y}" in team
    assert f"planned {utc_day.day} {utc_day:%b %Y}" not in team


def _repeated_ids(html: str) -> list[str]:
    ids = re.findall(r'\sid="([^"]+)"', html)
    return sorted({i for i in ids if ids.count(i) > 1})


def test_no_id_repeats_on_the_collaborative_page_or_its_confirmation(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow, page, url = _staff_page(client, staff, clock, "sharing")
    _advance(staff, flow, "community_of_practice")
    for path in (url, f"{url}/phase"):
        html = page.get(path).text
        assert 'id="community_participant"' in html or path.endswith("/phase")
        assert _repeated_ids(html) == [], path
