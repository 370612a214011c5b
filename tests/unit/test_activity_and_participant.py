"""Learning activities with CE offerings and attendance; participants."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4

import pytest
from pydantic import ValidationError

from aggregates.activity import ATTENDANCE_MARGIN_MINUTES, AttendanceRecorded, LearningActivity, SessionHeld
from aggregates.errors import RuleViolation
from aggregates.participant import Participant, ParticipantDetailsUpdated, PersonDetails
from aggregates.phases import Phase
from aggregates.values import ActivityKind, CEOffering, Licence
from engine.serialization import upcast
from tests.unit.builders import T0, ctx, new_activity, session_details, then_events

S = Phase.SESSIONS
LATER = T0 + timedelta(hours=2)


def test_an_activity_offers_credit_up_to_its_length_and_its_maximum() -> None:
    activity = new_activity()
    assert activity.state.details.max_credit_hours == 1.5
    assert session_details().model_copy(update={"duration_minutes": 60}).max_credit_hours == 1.0


def test_a_coaching_call_names_its_team() -> None:
    with pytest.raises(RuleViolation, match="names the team"):
        LearningActivity.schedule(ctx(), uuid4(), uuid4(), S, session_details(ActivityKind.COACHING_CALL))


def test_a_ce_offering_needs_a_credit_type_and_positive_hours() -> None:
    with pytest.raises(ValidationError):
        CEOffering(credit_types=(), max_hours=1, accrediting_body="AAP")
    with pytest.raises(ValidationError):
        CEOffering(credit_types=("cme",), max_hours=0, accrediting_body="AAP")


def test_attendance_is_recorded_in_minutes_and_a_new_figure_corrects_it() -> None:
    activity, person = new_activity(), uuid4()
    activity.record_attendance(ctx(at=LATER), S, person, 60)
    activity.record_attendance(ctx(at=LATER), S, person, 60)
    activity.record_attendance(ctx(at=LATER), S, person, 90)
    assert [type(e) for e in then_events(activity)] == [AttendanceRecorded, AttendanceRecorded]
    attendance = activity.state.attendance[person]
    assert (attendance.minutes, attendance.previous_minutes) == (90, [60])
    assert activity.held_with_attendance


@pytest.mark.parametrize("minutes", [0, -5, 90 + ATTENDANCE_MARGIN_MINUTES + 1])
def test_refuses_minutes_outside_the_activity(minutes: int) -> None:
    activity = new_activity()
    with pytest.raises(RuleViolation, match="between 1 and 120: the activity's 90 scheduled minutes plus"):
        activity.record_attendance(ctx(at=LATER), S, uuid4(), minutes)
    assert then_events(activity) == []


def test_until_its_times_are_recorded_attendance_may_overrun_the_schedule_by_the_margin() -> None:
    activity, person = new_activity(), uuid4()
    activity.record_attendance(ctx(at=LATER), S, person, 90 + ATTENDANCE_MARGIN_MINUTES)
    [event] = then_events(activity)
    assert isinstance(event, AttendanceRecorded) and event.minutes == 120


def test_a_held_session_records_its_actual_start_and_end() -> None:
    activity = new_activity()
    start, end = T0 - timedelta(minutes=10), T0 + timedelta(minutes=125)
    activity.record_held(ctx(at=LATER + timedelta(minutes=30)), S, start, end)
    [event] = then_events(activity)
    assert isinstance(event, SessionHeld) and (event.started_at, event.ended_at) == (start, end)
    assert activity.state.held is not None and activity.state.held.minutes == 135


def test_once_held_attendance_is_accepted_up_to_the_actual_length_and_no_more() -> None:
    activity, person = new_activity(), uuid4()
    activity.record_held(
        ctx(at=LATER + timedelta(hours=1)), S, T0 - timedelta(minutes=10), T0 + timedelta(minutes=125)
    )
    activity.record_attendance(ctx(at=LATER + timedelta(hours=1)), S, person, 135)
    assert [type(e) for e in then_events(activity)] == [SessionHeld, AttendanceRecorded]
    with pytest.raises(RuleViolation, match="between 1 and the session's actual 135 minutes"):
        activity.record_attendance(ctx(at=LATER + timedelta(hours=1)), S, person, 136)
    assert then_events(activity) == []


def test_recording_the_same_times_again_records_nothing_and_new_times_correct_them() -> None:
    activity, at = new_activity(), ctx(at=LATER + timedelta(hours=1))
    activity.record_held(at, S, T0, T0 + timedelta(minutes=100))
    activity.record_held(at, S, T0, T0 + timedelta(minutes=100))
    activity.record_held(at, S, T0, T0 + timedelta(minutes=95))
    assert [type(e) for e in then_events(activity)] == [SessionHeld, SessionHeld]
    assert activity.state.held is not None and activity.state.held.minutes == 95


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        (T0, T0 + timedelta(hours=13), "has not ended yet"),  # recorded at T0 + 12 h
        (T0 + timedelta(minutes=30), T0, "must be after its start"),
        (T0 + timedelta(hours=7), T0 + timedelta(hours=8), "within 6 hours of the scheduled start"),
        (T0 - timedelta(hours=7), T0 - timedelta(hours=6), "within 6 hours of the scheduled start"),
        (T0 - timedelta(hours=1), T0 + timedelta(minutes=151), "at most 210 minutes"),
    ],
)
def test_refuses_held_times_that_cannot_be_true(start: datetime, end: datetime, reason: str) -> None:
    activity = new_activity()
    with pytest.raises(RuleViolation, match=reason):
        activity.record_held(ctx(at=T0 + timedelta(hours=12)), S, start, end)
    assert then_events(activity) == [] and activity.state.held is None


def test_refuses_held_times_shorter_than_attendance_already_recorded() -> None:
    activity, person = new_activity(), uuid4()
    activity.record_attendance(ctx(at=LATER), S, person, 110)
    then_events(activity)
    with pytest.raises(RuleViolation, match="110 minutes recorded for participant"):
        activity.record_held(ctx(at=LATER), S, T0, T0 + timedelta(minutes=100))
    assert then_events(activity) == []


def test_held_times_are_recorded_only_when_attendance_may_be() -> None:
    with pytest.raises(RuleViolation, match="record attendance"):
        new_activity().record_held(ctx(at=LATER), Phase.FOCUS, T0, T0 + timedelta(minutes=90))


def test_refuses_attendance_before_the_activity_starts() -> None:
    with pytest.raises(RuleViolation, match="before the activity starts"):
        new_activity().record_attendance(ctx(at=T0 - timedelta(minutes=1)), S, uuid4(), 30)


def test_version_1_attendance_in_hours_upcasts_to_minutes() -> None:
    state = upcast(AttendanceRecorded, {"participant_id": "x", "hours": 1.25})
    assert state == {"participant_id": "x", "minutes": 75}


def test_a_participant_updates_details_only_when_they_change() -> None:
    details = PersonDetails(name="Dana Reyes", credentials="RN, CPEN", email="dana@example.org")
    person = Participant.register(ctx(), uuid4(), details)
    person.collect_events()
    person.update_details(ctx(), details)
    licenced = details.model_copy(update={"licences": (Licence(kind="RN", number="123", issuer="MT"),)})
    person.update_details(ctx(), licenced)
    assert [type(e) for e in then_events(person)] == [ParticipantDetailsUpdated]
    assert person.collaborative_id is None


def test_refuses_an_invalid_email() -> None:
    with pytest.raises(ValidationError, match="email"):
        PersonDetails(name="Dana", email="not-an-email")
