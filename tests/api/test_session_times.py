"""A session's actual times over HTTP: attendance may overrun the schedule by a margin
until staff record when the session really started and ended, then up to that length;
credit stays capped at the offered hours; zero or negative minutes are bad input."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aggregates.base import Role
from engine.application import QIEngine
from tests.api.conftest import Api, issue
from tests.api.flow import HttpFlow
from tests.conftest import Clock


@dataclass
class Session:
    """A 90-minute learning session offering 1.5 h of CNE, over by the time the test runs."""

    flow: HttpFlow
    activity: str
    starts: datetime

    @property
    def nurse(self) -> str:
        return self.flow.members[self.flow.teams[0]]

    def attend(self, minutes: Any, expect: int) -> Any:
        body = {"participant_id": self.nurse, "minutes": minutes}
        return self.flow.api.post(f"/activities/{self.activity}/attendance", body, expect=expect)

    def held(self, early: float, late: float, expect: int = 200, api: Api | None = None) -> Any:
        """Record it held from `early` minutes before its start to `late` minutes past its scheduled end."""
        times = {
            "started_at": (self.starts - timedelta(minutes=early)).isoformat(),
            "ended_at": (self.starts + timedelta(minutes=90 + late)).isoformat(),
        }
        return (api or self.flow.api).post(f"/activities/{self.activity}/held", times, expect=expect)


@pytest.fixture
def session(staff: Api, clock: Clock) -> Session:
    flow = HttpFlow(staff, clock)
    flow.up_to("orientation")
    starts = clock.now + timedelta(days=1)
    details = {"kind": "learning_session", "title": "LS1", "starts_at": starts.isoformat(), "duration_minutes": 90,
               "ce": {"credit_types": ["cne"], "max_hours": 1.5, "accrediting_body": "AAP"}}  # fmt: skip
    activity = flow.ok(f"/collaboratives/{flow.collaborative}/activities", {"details": details})["id"]
    clock.advance(days=2)
    return Session(flow, activity, starts)


def test_attendance_overruns_the_schedule_by_the_margin_until_the_actual_times_are_recorded(
    session: Session,
) -> None:
    session.attend(120, expect=200)
    refused = session.attend(121, expect=409).json()
    assert (
        "between 1 and 120: the activity's 90 scheduled minutes plus a 30-minute margin" in refused["detail"]
    )


def test_once_held_attendance_is_accepted_up_to_the_actual_length_and_refused_beyond(
    session: Session,
) -> None:
    assert session.held(early=10, late=35).json()["events"] == ["SessionHeld"]
    assert session.attend(135, expect=200).json()["events"] == ["AttendanceRecorded"]
    refused = session.attend(136, expect=409)
    assert refused.headers["content-type"] == "application/problem+json"
    assert (
        "minutes attended must be between 1 and the session's actual 135 minutes" in refused.json()["detail"]
    )
    public = session.flow.api.get(f"/activities/{session.activity}").json()
    assert public["longest_attendance_minutes"] == 135 and public["held"]["started_at"].startswith(
        (session.starts - timedelta(minutes=10)).date().isoformat()
    )
    assert [a["minutes"] for a in public["attendance"]] == [135]


def test_credit_for_an_overrun_stays_capped_at_the_offered_hours(session: Session) -> None:
    session.held(early=0, late=60)
    session.attend(150, expect=200)
    transcript = session.flow.api.get(f"/participants/{session.nurse}/transcript").json()
    [entry] = transcript["entries"]
    assert (entry["credit_type"], entry["amount"], entry["minutes"]) == ("cne", 1.5, 150)
    assert "capped at the 1.5 h offered" in entry["basis"]


@pytest.mark.parametrize("minutes", [0, -5])
def test_zero_or_negative_minutes_are_bad_input_naming_minutes(
    session: Session, app_engine: QIEngine, minutes: int
) -> None:
    before = app_engine.recorder.max_notification_id()
    problem = session.attend(minutes, expect=422)
    assert problem.headers["content-type"] == "application/problem+json"
    assert [e["loc"] for e in problem.json()["errors"]] == [["body", "minutes"]]
    assert "minutes" in problem.json()["detail"]
    assert app_engine.recorder.max_notification_id() == before


def test_recording_the_same_times_again_records_nothing(session: Session) -> None:
    session.held(early=5, late=10)
    assert session.held(early=5, late=10).json()["events"] == []


@pytest.mark.parametrize(
    ("times", "field"),
    [
        ({"started_at": 1740819600, "ended_at": "2025-03-01T09:00:00Z"}, "started_at"),
        ({"started_at": "2025-03-01T09:00:00Z", "ended_at": "2025-03-01T10:30:00"}, "ended_at"),
        ({"started_at": "2025-03-01T09:00:00Z", "ended_at": "9999-12-31T23:59:00-01:00"}, "ended_at"),
    ],
)
def test_held_times_not_written_as_iso_date_times_with_an_offset_are_bad_input(
    session: Session, app_engine: QIEngine, times: dict[str, Any], field: str
) -> None:
    before = app_engine.recorder.max_notification_id()
    problem = session.flow.api.post(f"/activities/{session.activity}/held", times, expect=422).json()
    assert [e["loc"] for e in problem["errors"]] == [["body", field]]
    assert app_engine.recorder.max_notification_id() == before


def test_held_times_that_contradict_the_schedule_or_the_attendance_are_refused(session: Session) -> None:
    backwards = session.held(early=-60, late=-60, expect=409).json()  # starts at +60 min, ends at +30
    assert "the session's end must be after its start" in backwards["detail"]
    far = session.held(early=7 * 60, late=-7 * 60, expect=409).json()
    assert "within 6 hours of the scheduled start" in far["detail"]
    long = session.held(early=60, late=180, expect=409).json()
    assert "lasts at most 210 minutes" in long["detail"]
    session.attend(110, expect=200)
    shorter = session.held(early=0, late=0, expect=409).json()
    assert "110 minutes recorded for participant" in shorter["detail"]


def test_a_session_not_yet_over_cannot_be_recorded_as_held(session: Session, clock: Clock) -> None:
    clock.now = session.starts + timedelta(minutes=60)
    refused = session.held(early=0, late=0, expect=409).json()
    assert "has not ended yet" in refused["detail"]


def test_only_staff_record_a_sessions_times(
    session: Session, app_engine: QIEngine, client: TestClient
) -> None:
    team = Api(client, issue(app_engine, Role.TEAM, "mercy", team_id=session.flow.teams[0]))
    assert (
        session.held(early=0, late=10, expect=403, api=team).headers["content-type"]
        == "application/problem+json"
    )
