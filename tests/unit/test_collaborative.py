"""The Collaborative: given its history, when a command arrives, then these events."""

from __future__ import annotations

from itertools import pairwise
from uuid import uuid4

import pytest

from aggregates.base import Actor, Role
from aggregates.collaborative import (
    Collaborative,
    CollaborativeCreated,
    CommunityMemberJoined,
    OutputRecorded,
    PhaseAdvanced,
    TeamEnrolled,
    TeamWithdrawn,
    TimeZoneChanged,
)
from aggregates.criteria import Criterion, PhaseExitBlocked, TeamFacts
from aggregates.errors import PermissionDenied, RuleViolation
from aggregates.phases import PHASES, Phase
from aggregates.values import CareSetting, FocusFields, OutputDetails, OutputKind
from tests.unit.builders import (
    FULL_FOCUS,
    STAFF,
    WEIGHT,
    collaborative_in,
    ctx,
    new_collaborative,
    then_events,
)

READY_TEAM = TeamFacts(
    team_id=uuid4(),
    name="Mercy ED",
    has_assessment=True,
    has_completed_pdsa=True,
    measure_count=1,
    has_shared=True,
)
UNREADY_TEAM = TeamFacts(team_id=uuid4(), name="Big Sky EMS")
TRANSITIONS = list(pairwise(PHASES))


def test_a_new_collaborative_starts_in_focus_with_its_measures_and_actor() -> None:
    collaborative = Collaborative.create(ctx(), uuid4(), "PRQC", FULL_FOCUS, (WEIGHT,))
    [created] = then_events(collaborative)
    assert isinstance(created, CollaborativeCreated)
    assert (created.actor_id, created.actor_role) == ("staff-ann", Role.STAFF)
    assert created.collaborative_id == collaborative.id
    assert collaborative.phase is Phase.FOCUS
    assert collaborative.state.measures == {"weight-kg": WEIGHT}
    assert [c.to_phase for c in collaborative.state.phase_history] == [Phase.FOCUS]


def test_refuses_two_collaborative_measures_with_one_key() -> None:
    with pytest.raises(RuleViolation, match="keys must be unique"):
        Collaborative.create(ctx(), uuid4(), "PRQC", FULL_FOCUS, (WEIGHT, WEIGHT))


@pytest.mark.parametrize(("leaving", "to"), TRANSITIONS)
def test_advances_when_the_exit_criteria_hold(leaving: Phase, to: Phase) -> None:
    collaborative = collaborative_in(leaving)
    collaborative.advance_phase(ctx(), to, (READY_TEAM,), sessions_held=1)
    [advanced] = then_events(collaborative)
    assert isinstance(advanced, PhaseAdvanced)
    assert (advanced.from_phase, advanced.to_phase, advanced.unmet, advanced.override_reason) == (
        leaving,
        to,
        (),
        None,
    )
    assert collaborative.phase is to


FAILING_FACTS = [(f, t) for f, t in TRANSITIONS if f is not Phase.COMMUNITY_OF_PRACTICE]


@pytest.mark.parametrize(("leaving", "to"), FAILING_FACTS)
def test_refuses_to_advance_with_unmet_criteria_listed_and_records_nothing(leaving: Phase, to: Phase) -> None:
    collaborative = collaborative_in(leaving)
    collaborative.state.focus_area = None  # only focus reads its own fields
    with pytest.raises(PhaseExitBlocked) as refused:
        collaborative.advance_phase(ctx(), to, (), sessions_held=0)
    assert refused.value.unmet
    assert all(u.criterion.value in refused.value.message for u in refused.value.unmet)
    assert then_events(collaborative) == []
    assert collaborative.phase is leaving


@pytest.mark.parametrize(("leaving", "to"), FAILING_FACTS)
def test_staff_override_records_the_reason_and_the_unmet_criteria(leaving: Phase, to: Phase) -> None:
    collaborative = collaborative_in(leaving)
    collaborative.state.focus_area = None
    collaborative.advance_phase(ctx(), to, (), 0, override_reason="Board approved")
    [advanced] = then_events(collaborative)
    assert isinstance(advanced, PhaseAdvanced)
    assert advanced.override_reason == "Board approved"
    assert advanced.unmet
    assert collaborative.state.phase_history[-1].override_reason == "Board approved"


def test_only_staff_may_override_exit_criteria() -> None:
    collaborative = collaborative_in(Phase.REGISTRATION)
    coach = Actor(id="coach-cal", role=Role.COACH)
    with pytest.raises(PermissionDenied):
        collaborative.advance_phase(ctx(coach), Phase.ORIENTATION, (), 0, override_reason="Please")
    assert then_events(collaborative) == []


def test_an_override_reason_is_not_recorded_when_nothing_was_unmet() -> None:
    collaborative = collaborative_in(Phase.SESSIONS)
    collaborative.advance_phase(ctx(), Phase.PROJECTS, (READY_TEAM,), 1, override_reason="just in case")
    [advanced] = then_events(collaborative)
    assert isinstance(advanced, PhaseAdvanced) and advanced.override_reason is None


def test_advancing_to_the_current_phase_again_is_a_no_op() -> None:
    collaborative = collaborative_in(Phase.SESSIONS)
    collaborative.advance_phase(ctx(), Phase.SESSIONS, (), 0)
    assert then_events(collaborative) == []


def test_refuses_to_skip_a_phase_or_go_back() -> None:
    collaborative = collaborative_in(Phase.ORIENTATION)
    for to in (Phase.PROJECTS, Phase.REGISTRATION, Phase.CLOSED):
        with pytest.raises(RuleViolation, match="forward one at a time"):
            collaborative.advance_phase(ctx(), to, (READY_TEAM,), 1)


def test_a_closed_collaborative_goes_nowhere_and_takes_no_new_criteria() -> None:
    collaborative = collaborative_in(Phase.CLOSED)
    with pytest.raises(RuleViolation, match="it is closed"):
        collaborative.advance_phase(ctx(), Phase.FOCUS, (), 0)
    with pytest.raises(RuleViolation, match="closed"):
        collaborative.change_exit_criteria(
            ctx(), collaborative.state.settings.model_copy(update={"min_teams": 9})
        )


def test_focus_fields_are_revised_in_focus_and_an_identical_revision_is_a_no_op() -> None:
    collaborative = new_collaborative()
    collaborative.revise_focus(ctx(), FULL_FOCUS)
    assert then_events(collaborative) == []
    collaborative.revise_focus(ctx(), FULL_FOCUS.model_copy(update={"aim": "Weigh 95% in kg"}))
    assert [type(e).__name__ for e in then_events(collaborative)] == ["FocusRevised"]
    assert collaborative.state.aim == "Weigh 95% in kg"


def test_focus_dates_must_run_forward() -> None:
    with pytest.raises(ValueError, match="ends_on must be after starts_on"):
        FocusFields(starts_on=FULL_FOCUS.ends_on, ends_on=FULL_FOCUS.starts_on)


def test_enrolls_a_team_during_registration_and_refuses_a_duplicate_name() -> None:
    collaborative = collaborative_in(Phase.REGISTRATION)
    team_id = uuid4()
    collaborative.enroll_team(ctx(), team_id, "Mercy ED", CareSetting.COMMUNITY_ED)
    [enrolled] = then_events(collaborative)
    assert isinstance(enrolled, TeamEnrolled) and enrolled.team_id == team_id
    with pytest.raises(RuleViolation, match="already registered"):
        collaborative.enroll_team(ctx(), uuid4(), "mercy ed", CareSetting.COMMUNITY_ED)
    assert collaborative.active_team_ids() == [team_id]


def test_withdrawing_a_team_keeps_it_on_the_roster_and_a_repeat_is_a_no_op() -> None:
    collaborative = collaborative_in(Phase.REGISTRATION)
    team_id = uuid4()
    collaborative.enroll_team(ctx(), team_id, "Mercy ED", CareSetting.COMMUNITY_ED)
    collaborative.withdraw_team(ctx(), team_id, "Lost staff")
    assert [type(e) for e in then_events(collaborative)] == [TeamEnrolled, TeamWithdrawn]
    collaborative.withdraw_team(ctx(), team_id, "Lost staff")
    assert then_events(collaborative) == []
    assert collaborative.active_team_ids() == [] and not collaborative.state.teams[team_id].active


def test_refuses_to_withdraw_a_team_it_does_not_have() -> None:
    with pytest.raises(RuleViolation, match="not registered"):
        collaborative_in(Phase.SESSIONS).withdraw_team(ctx(), uuid4(), "?")


def test_records_an_output_once_and_refuses_other_details_under_the_same_id() -> None:
    collaborative = collaborative_in(Phase.SHARING)
    output_id = uuid4()
    toolkit = OutputDetails(kind=OutputKind.TOOLKIT, title="Weigh in kg toolkit")
    collaborative.record_output(ctx(), output_id, toolkit)
    collaborative.record_output(ctx(), output_id, toolkit)
    assert [type(e) for e in then_events(collaborative)] == [OutputRecorded]
    with pytest.raises(RuleViolation, match="other details"):
        collaborative.record_output(ctx(), output_id, toolkit.model_copy(update={"title": "Other"}))


def test_community_membership_is_recorded_once() -> None:
    collaborative = collaborative_in(Phase.COMMUNITY_OF_PRACTICE)
    person = uuid4()
    collaborative.add_community_member(ctx(), person)
    collaborative.add_community_member(ctx(), person)
    assert [type(e) for e in then_events(collaborative)] == [CommunityMemberJoined]


def test_unmet_exit_criteria_can_be_read_without_advancing() -> None:
    collaborative = collaborative_in(Phase.ORIENTATION)
    unmet = collaborative.unmet_exit_criteria((UNREADY_TEAM,), 0)
    assert [u.criterion for u in unmet] == [Criterion.ASSESSMENTS_COMPLETE]
    assert then_events(collaborative) == []


def test_every_event_carries_actor_command_and_collaborative() -> None:
    collaborative = new_collaborative()
    context = ctx(STAFF)
    collaborative.advance_phase(context, Phase.REGISTRATION, (), 0)
    [event] = then_events(collaborative)
    assert (event.actor_id, event.command_id, event.collaborative_id, event.timestamp) == (
        STAFF.id,
        context.command_id,
        collaborative.id,
        context.at,
    )


@pytest.mark.parametrize("text", ["Pediatric\x00Readiness", "\x00"])
def test_names_and_texts_refuse_the_nul_character_in_the_domain_itself(text: str) -> None:
    from pydantic import TypeAdapter, ValidationError

    from aggregates.values import Name, Text

    for kind in (Name, Text):
        with pytest.raises(ValidationError, match="pattern"):
            TypeAdapter(kind).validate_python(text)


def test_a_collaborative_keeps_its_times_in_utc_until_staff_choose_a_zone() -> None:
    collaborative = new_collaborative()
    assert collaborative.state.time_zone == "UTC"
    collaborative.change_time_zone(ctx(), "America/Chicago")
    [changed] = then_events(collaborative)
    assert isinstance(changed, TimeZoneChanged) and changed.time_zone == "America/Chicago"
    assert collaborative.state.time_zone == "America/Chicago"


def test_choosing_the_zone_it_already_has_records_nothing() -> None:
    collaborative = new_collaborative()
    collaborative.change_time_zone(ctx(), "Europe/London")
    then_events(collaborative)
    collaborative.change_time_zone(ctx(), "Europe/London")
    assert then_events(collaborative) == []


def test_a_closed_collaborative_keeps_its_zone() -> None:
    closed = collaborative_in(Phase.CLOSED)
    with pytest.raises(RuleViolation, match="closed"):
        closed.change_time_zone(ctx(), "America/Denver")


def test_the_time_zone_command_takes_only_iana_zone_names() -> None:
    from pydantic import ValidationError

    from engine.commands.collaborative import ChangeTimeZone

    assert (
        ChangeTimeZone(collaborative_id=uuid4(), time_zone="America/Chicago").time_zone == "America/Chicago"
    )
    for wrong in ("America/Chicgo", "CST", "../etc/passwd", ""):
        with pytest.raises(ValidationError, match="is not a time zone name"):
            ChangeTimeZone(collaborative_id=uuid4(), time_zone=wrong)
