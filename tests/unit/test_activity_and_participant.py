"""Learning activities with CE offerings and attendance; participants."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from pydantic import ValidationError

from aggregates.activity import AttendanceRecorded, LearningActivity
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


@pytest.mark.parametrize("minutes", [0, -5, 91])
def test_refuses_minutes_outside_the_activity(minutes: int) -> None:
    activity = new_activity()
    with pytest.raises(RuleViolation, match="between 1 and"):
        activity.record_attendance(ctx(at=LATER), S, uuid4(), minutes)
    assert then_events(activity) == []


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
