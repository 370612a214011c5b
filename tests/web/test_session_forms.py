"""Recording a whole session's attendance from its page: the roster table sent once, and
a Zoom or Teams attendance report matched by email, previewed, then confirmed."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID, uuid4

from fastapi.testclient import TestClient

from adapters.web.attendance_reports import read_report
from aggregates.base import Actor, Role
from aggregates.participant import PersonDetails
from aggregates.tokens import Grant, Principal
from engine.application import QIEngine
from engine.commands.activity import UpdateParticipant
from tests.api.conftest import Api
from tests.api.flow import HttpFlow
from tests.conftest import Clock
from tests.web.pages import PageClient, signed_in

SETUP = Actor(id="session-forms-setup", role=Role.STAFF)
INVITER = Principal.of_token(uuid4(), Grant(name="Setup (staff)", role=Role.STAFF))
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


class Session:
    """A collaborative in its sessions phase with a second, 60-minute session just held;
    the two team leads have email addresses on their records, and a third member of Mercy
    ED has only her account's (she was invited)."""

    def __init__(self, client: TestClient, staff: Api, clock: Clock, engine: QIEngine) -> None:
        self.flow = HttpFlow(staff, clock)
        self.flow.up_to("sessions")
        self.engine, self.mercy, self.sky = engine, *self.flow.teams
        self.leads = {team: UUID(self.flow.members[team]) for team in self.flow.teams}
        for team, email in ((self.mercy, "mercy.lead@example.org"), (self.sky, "sky.lead@example.org")):
            details = PersonDetails(name=f"{self._team_name(team)} lead", credentials="RN", email=email)
            engine.execute(
                UpdateParticipant(participant_id=self.leads[team], details=details), engine.context(SETUP)
            )
        account = engine.accounts.invite(INVITER, email="Ivy.Invited@Example.org", name="Ivy Invited",
                                         team_id=UUID(self.mercy), discipline="nurse")  # fmt: skip
        invited = engine.accounts.account(account)
        assert invited is not None
        self.ivy = invited.state.participant_id
        starts = (clock.now + timedelta(hours=1)).isoformat()
        details = {
            "kind": "learning_session",
            "title": "LS2 kg workflows",
            "starts_at": starts,
            "duration_minutes": 60,
        }
        self.activity = self.flow.ok(
            f"/collaboratives/{self.flow.collaborative}/activities", {"details": details}
        )["id"]
        clock.advance(hours=3)
        self.path = f"/ui/collaboratives/{self.flow.collaborative}/sessions/{self.activity}/attendance"
        self.page = signed_in(client, staff.token or "", self.path)

    def _team_name(self, team: str) -> str:
        return "Mercy ED" if team == self.mercy else "Big Sky EMS"

    def minutes(self) -> dict[UUID, int]:
        return {p: a.minutes for p, a in self.engine.activity(UUID(self.activity)).state.attendance.items()}

    def stored(self) -> int:
        return self.engine.recorder.max_notification_id() or 0

    def field(self, participant: UUID | str) -> str:
        return f"minutes:{participant}"


def _session(client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine) -> Session:
    return Session(client, staff, clock, app_engine)


def test_the_session_page_lists_every_active_team_member_by_name_and_team(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    s = _session(client, staff, clock, app_engine)
    page = s.page.get(s.path)
    assert page.status_code == 200
    for name, team in (
        ("Mercy ED lead", "Mercy ED"),
        ("Ivy Invited", "Mercy ED"),
        ("Big Sky EMS lead", "Big Sky EMS"),
    ):
        assert re.search(rf">{name}</label></td><td[^>]*>{team}</td>", page.text), name
    assert "At most 90: the activity&#39;s 60 scheduled minutes plus a 30-minute margin" in page.text
    ids = re.findall(r'\sid="([^"]+)"', page.text)
    assert len(ids) == len(set(ids))  # every label finds its own field
    prefilled = s.page.get(f"{s.path}?prefill=full")
    assert f'name="{s.field(s.ivy)}" inputmode="numeric" size="5" value="60"' in prefilled.text


def test_staff_record_a_whole_sessions_attendance_in_one_send(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    s = _session(client, staff, clock, app_engine)
    sent = {
        s.field(s.leads[s.mercy]): "60",
        s.field(s.ivy): "45",
        s.field(s.leads[s.sky]): "",
        "command_id": "ls2",
    }
    response = s.page.post(s.path, data=sent, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"{s.path}?recorded=2"
    assert s.minutes() == {s.leads[s.mercy]: 60, s.ivy: 45}  # blank: absent
    shown = s.page.get(response.headers["location"])
    assert "Attendance recorded for 2 people." in shown.text
    assert f'name="{s.field(s.ivy)}" inputmode="numeric" size="5" value="45"' in shown.text


def test_a_double_submitted_roster_is_stored_once(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    s = _session(client, staff, clock, app_engine)
    sent = {s.field(s.leads[s.mercy]): "60", s.field(s.ivy): "30", "command_id": "twice"}
    assert s.page.post(s.path, data=sent, follow_redirects=False).status_code == 303
    after_first = s.stored()
    assert s.page.post(s.path, data=sent, follow_redirects=False).status_code == 303
    assert s.stored() == after_first


def test_bad_minutes_are_refused_beside_each_persons_field_and_nothing_is_stored(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    s = _session(client, staff, clock, app_engine)
    before = s.stored()
    sent = {
        s.field(s.leads[s.mercy]): "an hour",
        s.field(s.ivy): "500",
        s.field(s.leads[s.sky]): "²",  # a digit to str.isdigit, no number to int()
        "command_id": "bad",
    }
    response = s.page.post(s.path, data=sent)
    assert response.status_code == 422 and s.stored() == before and s.minutes() == {}
    wrong = (
        (s.leads[s.mercy], "as a whole number"),
        (s.ivy, "between 1 and 90 minutes"),
        (s.leads[s.sky], "whole"),
    )
    for participant, words in wrong:
        field = s.field(participant)
        assert f'aria-invalid="true" aria-describedby="{field}-error"' in response.text
        assert re.search(rf'id="{field}-error">[^<]*{words}', response.text)
    assert 'value="an hour"' in response.text and 'value="500"' in response.text  # kept as typed
    assert "Unprocessable" not in response.text and "body." not in response.text


def test_a_roster_with_no_minutes_says_what_to_do_and_stores_nothing(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    s = _session(client, staff, clock, app_engine)
    before = s.stored()
    response = s.page.post(s.path, data={"command_id": "empty"})
    assert response.status_code == 422 and s.stored() == before
    assert "Enter the minutes attended for at least one person" in response.text


ZOOM = """Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest
Mercy Lead,mercy.lead@example.org,06/02/2025 03:00:10 PM,06/02/2025 03:30:00 PM,30,No
Mercy Lead,MERCY.LEAD@example.org,06/02/2025 03:35:00 PM,06/02/2025 04:00:00 PM,25,No
Ivy,ivy.invited@example.org,06/02/2025 02:40:00 PM,06/02/2025 04:20:00 PM,100,No
Sam Stranger,stranger@example.org,06/02/2025 03:00:00 PM,06/02/2025 04:00:00 PM,60,Yes
Dial-in caller,,06/02/2025 03:00:00 PM,06/02/2025 03:10:00 PM,10,Yes
"""


def _upload(s: Session, content: bytes, name: str = "zoom.csv") -> object:
    return s.page.post(f"{s.path}/report", files={"report": (name, content, "text/csv")})


def test_a_zoom_report_is_previewed_with_matched_and_unmatched_rows_and_nothing_is_stored(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    s = _session(client, staff, clock, app_engine)
    before = s.stored()
    preview = _upload(s, ZOOM.encode())
    assert preview.status_code == 200 and s.stored() == before and s.minutes() == {}  # type: ignore[attr-defined]
    text = preview.text  # type: ignore[attr-defined]
    assert "2 people matched by email, 2 rows not matched" in text
    ids = re.findall(r'\sid="([^"]+)"', text)
    assert len(ids) == len(set(ids))
    assert "Mercy ED lead" in text and "55 minutes over 2 joins" in text  # both joins, one person
    assert "100 minutes" in text and "90 minutes" in text and "the most this session allows" in text  # capped
    assert "stranger@example.org" in text and "no one on the roster has this email address" in text
    assert "Dial-in caller" in text and "no email address in the report" in text
    assert "Big Sky EMS lead</td>" not in text  # not in the report: not matched


def test_confirming_a_report_stores_the_matched_people_once(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    s = _session(client, staff, clock, app_engine)
    preview = _upload(s, ZOOM.encode()).text  # type: ignore[attr-defined]
    confirm = preview[preview.index('<section id="preview"') : preview.index('<section id="roster"')]
    fields = dict(HIDDEN.findall(confirm))
    assert fields[s.field(s.leads[s.mercy])] == "55" and fields[s.field(s.ivy)] == "90"
    response = s.page.post(s.path, data=fields, follow_redirects=False)
    assert response.status_code == 303
    assert s.minutes() == {s.leads[s.mercy]: 55, s.ivy: 90}
    after = s.stored()
    assert s.page.post(s.path, data=fields, follow_redirects=False).status_code == 303  # a double confirm
    assert s.stored() == after


TEAMS = (
    "1. Summary\nMeeting title\tLS2 kg workflows\nAttended participants\t2\n\n"
    "2. Participants\nName\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n"
    "Big Sky Lead\t6/2/25, 3:01:00 PM\t6/2/25, 3:50:00 PM\t48m 30s\tsky.lead@example.org\tsky.lead@example.org\tAttendee\n"
    "Ivy Invited\t6/2/25, 3:00:00 PM\t6/2/25, 4:00:00 PM\t1h 2s\tivy.invited@example.org\tivy@x\tAttendee\n"
    "\n3. In-Meeting Activities\nName\tJoin Time\tLeave Time\tDuration\tEmail\tRole\n"
)


def test_a_teams_report_in_utf_16_with_its_summary_section_is_read_too() -> None:
    report = read_report(TEAMS.encode("utf-16"))
    assert [(line.email, line.minutes) for line in report.lines] == [
        ("sky.lead@example.org", 49), ("ivy.invited@example.org", 61)
    ]  # fmt: skip


def test_a_report_without_durations_is_summed_from_join_and_leave_times() -> None:
    csv = "Name,Email,Join time,Leave time\nA,a@example.org,2025-06-02 15:00:00,2025-06-02 15:20:00\n"
    csv += "A,a@example.org,2025-06-02 15:30:00,2025-06-02 15:45:30\n"
    assert [(line.email, line.minutes, line.joins) for line in read_report(csv.encode()).lines] == [
        ("a@example.org", 36, 2)
    ]


def test_a_file_that_is_no_attendance_report_is_refused_beside_the_upload(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    s = _session(client, staff, clock, app_engine)
    before = s.stored()
    for content, words in (
        (b"%PDF-1.4\n%%EOF\n", "has no email column"),
        (b"", "choose the attendance report file"),
    ):
        response = _upload(s, content, "poster.pdf")
        assert response.status_code == 422 and s.stored() == before  # type: ignore[attr-defined]
        assert 'aria-invalid="true" aria-describedby="report-error"' in response.text  # type: ignore[attr-defined]
        assert words in response.text  # type: ignore[attr-defined]


def test_a_session_not_yet_started_says_when_attendance_can_be_recorded(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    s = _session(client, staff, clock, app_engine)
    later = (clock.now + timedelta(days=3)).isoformat()
    details = {"kind": "office_hours", "title": "Office hours", "starts_at": later, "duration_minutes": 30}
    upcoming = s.flow.api.ok(f"/collaboratives/{s.flow.collaborative}/activities", {"details": details})["id"]
    page = s.page.get(f"/ui/collaboratives/{s.flow.collaborative}/sessions/{upcoming}/attendance")
    assert page.status_code == 200 and "Attendance can be recorded once the session has started" in page.text
    assert "<form" not in page.text.split("<main", 1)[1]


def test_a_session_of_another_collaborative_is_not_found_under_this_one(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    s = _session(client, staff, clock, app_engine)
    other = staff.ok("/collaboratives", {"title": "Another"})["id"]
    page = PageClient(s.page.client)
    assert page.get(f"/ui/collaboratives/{other}/sessions/{s.activity}/attendance").status_code == 404
