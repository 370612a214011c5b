"""The auditor's pages over HTTP: the audit explorer reads newest first, pages both ways and
jumps to a date; every filter narrows by names people know; people, teams and collaboratives
are named, never shown as ids; the engine's own records stay out unless asked for; payloads
read as lists of fields; a bad date is refused beside its field. The as-of view shows the
dashboard then beside today's and what changed between; before the collaborative existed it
says so. An auditor of one collaborative sees nothing of another's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from adapters.web import audit_pages
from aggregates.accounts import Access
from aggregates.base import Role
from aggregates.personal import ERASED_TEXT
from engine.application import QIEngine
from tests.api.conftest import Api
from tests.api.flow import HttpFlow
from tests.conftest import Clock
from tests.fixtures import FOCUS, WEIGHT
from tests.web.pages import PageClient, signed_in
from tests.web.test_account_pages import PASSWORD, STAFF

POSITION = re.compile(r"<tr><td>(\d+)</td>")
LINK = re.compile(r'<a href="(/ui/audit\?[^"]*)"[^>]*>{}</a>')


@dataclass
class World:
    flow: HttpFlow
    beta: str
    beta_team: str


@pytest.fixture
def world(staff: Api, clock: Clock) -> World:
    """Collaborative PRQC run to its projects phase; Beta Sepsis, with Birchwood Clinic."""
    flow = HttpFlow(staff, clock)
    flow.up_to("projects")
    body = {"title": "Beta Sepsis", "focus": FOCUS, "measures": [WEIGHT], "settings": {"min_teams": 1}}
    beta = flow.ok("/collaboratives", body)["id"]
    flow.ok(f"/collaboratives/{beta}/phase", {"to": "registration"})
    member = {"person": {"name": "Bertha Birchlead", "credentials": "RN"}, "discipline": "nurse"}
    team = {
        "name": "Birchwood Clinic",
        "organization": "Birchwood",
        "care_setting": "community_ed",
        "members": [member],
    }
    beta_team = flow.ok(f"/collaboratives/{beta}/teams", team)["id"]
    return World(flow, beta, beta_team)


def staff_page(client: TestClient, staff: Api) -> PageClient:
    return signed_in(client, staff.token or "", "/ui/audit")


def positions(html: str) -> list[int]:
    return [int(p) for p in POSITION.findall(html)]


def link(html: str, text: str) -> str | None:
    found = re.search(LINK.pattern.format(re.escape(text)), html)
    return found[1].replace("&amp;", "&") if found else None


def test_the_trail_reads_newest_first_and_pages_to_older_events_and_back(
    client: TestClient, staff: Api, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_pages, "AUDIT_PAGE", 5)
    page = staff_page(client, staff)
    first = page.get("/ui/audit").text
    newest = positions(first)
    assert len(newest) == 5 and newest == sorted(newest, reverse=True)
    assert link(first, "Newer events") is None
    older_url = link(first, "Older events")
    assert older_url is not None
    older = page.get(older_url).text
    assert positions(older) and max(positions(older)) < min(newest)
    newer_url = link(older, "Newer events")
    assert newer_url is not None
    assert positions(page.get(newer_url).text) == newest


def test_a_date_jumped_to_reads_back_from_the_end_of_that_day(
    client: TestClient, staff: Api, world: World, app_engine: QIEngine
) -> None:
    page = staff_page(client, staff)
    jumped = page.get("/ui/audit", params={"on": "2025-03-05"})
    assert jumped.status_code == 200
    days = re.findall(r'<time datetime="([^"]+)"', jumped.text)
    assert days and all(d < "2025-03-06" for d in days) and days[0] >= "2025-03-05"
    assert link(jumped.text, "Newer events") is not None
    assert 'value="2025-03-05"' in jumped.text  # the field keeps the date


def test_the_filters_narrow_by_collaborative_team_type_and_person_chosen_by_name(
    client: TestClient, staff: Api, world: World
) -> None:
    page = staff_page(client, staff)
    everything = page.get("/ui/audit").text
    assert '<option value="' + world.beta + '">Beta Sepsis</option>' in everything
    assert ">Birchwood Clinic (Beta Sepsis)</option>" in everything
    assert ">PDSA acted</option>" in everything and ">ann-staff</option>" in everything
    beta = page.get("/ui/audit", params={"collaborative": world.beta}).text
    assert "Beta Sepsis" in beta and "Mercy ED" not in beta.split("<table")[1]
    assert f'<option value="{world.beta}" selected>' in beta
    team = page.get("/ui/audit", params={"team": world.flow.teams[0], "type": "PdsaActed"}).text
    assert len(positions(team)) == 1 and "Mercy ED" in team.split("<table")[1]
    assert "Big Sky EMS</a>" not in team.split("<table")[1]
    by_name = page.get("/ui/audit", params={"who": "ann", "type": "PhaseAdvanced"}).text
    assert len(positions(by_name)) == 5  # PRQC's four advances and Beta's one
    nobody = page.get("/ui/audit", params={"who": "no such person"}).text
    assert positions(nobody) == [] and "No events match these filters" in nobody
    chosen = page.get("/ui/audit", params={"person": "test-setup"}).text
    assert positions(chosen) and "Test Setup" in chosen.split("<table")[1]
    typed = page.get("/ui/audit", params={"who": "test setup"}).text  # no account: named from its id
    assert positions(typed) == positions(chosen)
    activities = page.get("/ui/audit", params={"aggregate_type": "activity"}).text
    assert "Attendance recorded" in activities and "Phase advanced" not in activities.split("<table")[1]


def test_rows_name_the_actor_team_and_collaborative_with_links_never_ids(
    client: TestClient, staff: Api, world: World
) -> None:
    page = staff_page(client, staff)
    trail = page.get("/ui/audit", params={"type": "DataPointSubmitted"}).text
    table = trail.split("<table")[1]
    assert "ann-staff" in table and "token:" not in table and "account:" not in table
    assert f'<a href="/ui/teams/{world.flow.teams[0]}">Mercy ED</a>' in table
    assert f'<a href="/ui/collaboratives/{world.flow.collaborative}">PRQC</a>' in table
    assert re.search(r"\d{1,2} Mar 2025, \d\d:\d\d UTC", table)


def test_the_engines_own_records_are_hidden_unless_asked_for(
    client: TestClient, staff: Api, world: World
) -> None:
    page = staff_page(client, staff)
    assert "Command accepted</td>" not in page.get("/ui/audit").text
    shown = page.get("/ui/audit", params={"engine": "1"}).text
    assert "Command accepted</td>" in shown and 'name="engine" value="1" checked' in shown


def test_a_payload_reads_as_fields_and_values_with_personal_data_opened(
    client: TestClient, staff: Api, world: World
) -> None:
    page = staff_page(client, staff)
    registered = page.get("/ui/audit", params={"type": "TeamRegistered", "collaborative": world.beta}).text
    details = registered.split("<details>")[1].split("</details>")[0]
    assert '<dl class="payload">' in details and "<dt>Care setting</dt><dd>community ed</dd>" in details
    assert "Bertha Birchlead" in details  # the member's sealed name, opened for staff
    assert '{"' not in details and "Originator" not in details
    attended = page.get("/ui/audit", params={"type": "AttendanceRecorded"}).text
    assert "<dt>Participant id</dt><dd>Mercy ED lead</dd>" in attended  # a person by name


@pytest.mark.parametrize(
    ("field", "value"), [("on", "2025-02-30"), ("since", "yesterday"), ("until", "2025-13-01T10:00")]
)
def test_a_bad_date_is_refused_beside_its_field_and_kept(
    client: TestClient, staff: Api, world: World, field: str, value: str
) -> None:
    refused = staff_page(client, staff).get("/ui/audit", params={field: value, "who": "ann"})
    assert refused.status_code == 422
    assert f'id="{field}-error"' in refused.text and f'aria-describedby="{field}-error"' in refused.text
    assert refused.text.count('class="field-error"') == 1 and "ISO" not in refused.text
    assert f'value="{value}"' in refused.text and 'value="ann"' in refused.text


def test_the_chain_verification_still_reports_an_intact_chain(
    client: TestClient, staff: Api, world: World
) -> None:
    verified = staff_page(client, staff).get("/ui/audit", params={"verify": "true"}).text
    assert "The audit chain is intact" in verified


def test_as_of_shows_the_dashboard_then_beside_today_and_what_changed(
    client: TestClient, staff: Api, world: World, app_engine: QIEngine
) -> None:
    prqc = world.flow.collaborative
    history = app_engine.collaborative(UUID(prqc)).state.phase_history
    sessions = next(h.at for h in history if h.to_phase.value == "sessions")
    at = f"{sessions:%Y-%m-%dT%H:%M}"
    page = signed_in(client, staff.token or "", f"/ui/collaboratives/{prqc}/as-of")
    shown = page.get(f"/ui/collaboratives/{prqc}/as-of", params={"at": at}).text
    then, now = shown.split('id="then-h"')[1].split('id="now-h"')
    assert "sessions" in then and "projects" not in then and "Weight in kilograms: no data then" in then
    assert "Mercy ED" in then and "Big Sky EMS" in then  # the teams' table then
    assert "projects" in now and "<svg" in now  # today's chart has the entered data
    changes = shown.split('id="changes-h"')[1].split("</section>")[0]
    assert "Advanced to projects" in changes and "2 data points entered" in changes
    assert "2 PDSA cycles decided" in changes
    assert f"/ui/audit?collaborative={prqc}&amp;since=" in changes


def test_as_of_a_moment_before_the_collaborative_existed_says_so(
    client: TestClient, staff: Api, world: World
) -> None:
    prqc = world.flow.collaborative
    page = signed_in(client, staff.token or "", f"/ui/collaboratives/{prqc}/as-of")
    shown = page.get(f"/ui/collaboratives/{prqc}/as-of", params={"at": "2024-01-03T10:00"})
    assert shown.status_code == 200
    assert "PRQC did not exist yet on 3 Jan 2024, 10:00 UTC; it was created on 2 Mar 2025" in shown.text


def test_a_bad_as_of_moment_is_refused_beside_its_field(client: TestClient, staff: Api, world: World) -> None:
    prqc = world.flow.collaborative
    page = signed_in(client, staff.token or "", f"/ui/collaboratives/{prqc}/as-of")
    refused = page.get(f"/ui/collaboratives/{prqc}/as-of", params={"at": "soon"})
    assert refused.status_code == 422 and 'id="at-error"' in refused.text and 'value="soon"' in refused.text


def auditor_of(app_engine: QIEngine, client: TestClient, collaborative: str) -> PageClient:
    accounts = app_engine.accounts
    access = Access(role=Role.AUDITOR, collaborative_id=UUID(collaborative))
    account_id = accounts.invite(STAFF, email="avery@audit.example", name="Avery Auditor", access=access)
    account = accounts.account(account_id)
    assert account is not None
    accounts.accept(accounts.invitation_link(account) or "", PASSWORD)
    page = PageClient(client)
    page.get("/ui/sign-in")
    signed = page.post("/ui/sign-in", data={"email": "avery@audit.example", "password": PASSWORD})
    assert signed.status_code == 200
    return page


def test_an_auditor_of_one_collaborative_sees_no_row_or_name_of_another(
    client: TestClient, app_engine: QIEngine, world: World
) -> None:
    page = auditor_of(app_engine, client, world.flow.collaborative)
    trail = page.get("/ui/audit", params={"engine": "1"}).text
    assert "PRQC" in trail and "Mercy ED" in trail
    assert all(name not in trail for name in ("Beta Sepsis", "Birchwood Clinic", "Bertha Birchlead"))
    rows = page.get("/ui/audit", params={"team": world.beta_team}).text
    assert positions(rows) == []
    assert page.get("/ui/audit", params={"collaborative": world.beta}).status_code == 403


def test_an_erased_persons_fields_read_as_erased_in_the_payload(
    client: TestClient, staff: Api, world: World
) -> None:
    team = world.flow.teams[0]
    member = {"person": {"name": "Quinn Erasable", "credentials": "MD"}, "discipline": "physician"}
    person = world.flow.ok(f"/teams/{team}/members", {"member": member})["created"]["Participant"][0]
    page = staff_page(client, staff)
    before = page.get("/ui/audit", params={"type": "ParticipantRegistered", "who": "ann"}).text
    assert "<dt>Name</dt><dd>Quinn Erasable</dd>" in before
    erased = staff.post(f"/participants/{person}/erasure", {"reason": "asked by email"})
    assert erased.status_code == 200, erased.text
    after = page.get("/ui/audit", params={"type": "ParticipantRegistered", "who": "ann"}).text
    assert (
        "Quinn Erasable" not in after and f"<dt>Name</dt><dd>{ERASED_TEXT}</dd>" in after
    )  # as the engine reads it
