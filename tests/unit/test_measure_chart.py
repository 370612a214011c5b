"""The MeasureChart aggregate, given events: decisions recorded once with their reasons,
proposals answered once, notes written and withdrawn, and every refusal recording nothing."""

from __future__ import annotations

from uuid import uuid4

import pytest

from aggregates.base import Actor, Role
from aggregates.errors import PermissionDenied, RuleViolation
from aggregates.measure_chart import (
    ChartAnnotated,
    ChartChangeProposed,
    ChartDecided,
    ChartOwner,
    ChartProposalDeclined,
    ExcludePoint,
    IncludePoint,
    JoinPhase,
    MeasureChart,
    SetBaseline,
    SetGoal,
    SplitPhase,
    measure_chart_id,
)
from aggregates.phases import Phase
from tests.unit.builders import ctx, then_events

S = Phase.SESSIONS
TEAM = Actor(id="team-mercy", role=Role.TEAM)
OTHER = Actor(id="team-other-member", role=Role.TEAM)
COACH = Actor(id="coach-lee", role=Role.COACH)


def a_chart() -> MeasureChart:
    owner = uuid4()
    chart = MeasureChart.start(ctx(), ChartOwner.TEAM, owner, uuid4(), "weight-kg", S)
    assert chart.id == measure_chart_id(owner, "weight-kg")
    then_events(chart)
    return chart


def test_a_decision_is_recorded_with_its_reason_and_the_same_decision_again_records_nothing() -> None:
    chart = a_chart()
    chart.decide(ctx(COACH), S, SplitPhase(starts="2025-09"), "Change bundle adopted")
    [event] = then_events(chart)
    assert isinstance(event, ChartDecided) and event.reason == "Change bundle adopted"
    assert chart.state.splits["2025-09"].by == "coach-lee" and chart.state.splits["2025-09"].role == "coach"
    chart.decide(ctx(COACH), S, SplitPhase(starts="2025-09"), "Again")
    assert then_events(chart) == []


def test_a_join_or_an_include_with_nothing_to_undo_is_refused_and_records_nothing() -> None:
    chart = a_chart()
    with pytest.raises(RuleViolation, match="nothing to join"):
        chart.decide(ctx(), S, JoinPhase(starts="2025-09"), "Undo")
    with pytest.raises(RuleViolation, match="not excluded"):
        chart.decide(ctx(), S, IncludePoint(period="2025-01"), "Back")
    with pytest.raises(RuleViolation, match="not both"):
        chart.decide(ctx(), S, SetBaseline(points=12, through="2024-12"), "Both")
    assert then_events(chart) == []


def test_undoing_a_split_and_an_exclusion_draws_the_chart_as_before() -> None:
    chart = a_chart()
    chart.decide(ctx(), S, SplitPhase(starts="2025-09"), "Rebase")
    chart.decide(ctx(), S, ExcludePoint(period="2025-03"), "EHR outage")
    chart.decide(ctx(), S, JoinPhase(starts="2025-09"), "Too early to rebase")
    chart.decide(ctx(), S, IncludePoint(period="2025-03"), "The outage was one day")
    assert chart.state.splits == {} and chart.state.excluded == {}
    assert len(then_events(chart)) == 4


def test_an_accepted_proposal_makes_the_decision_with_the_proposals_reason_and_keeps_the_answer() -> None:
    chart = a_chart()
    proposal = uuid4()
    chart.propose(ctx(TEAM), S, proposal, SetGoal(goal=0.9), "Our aim is 90%")
    chart.accept(ctx(COACH), S, proposal, "Agreed at the coaching call")
    proposed, decided = then_events(chart)
    assert isinstance(proposed, ChartChangeProposed) and isinstance(decided, ChartDecided)
    assert decided.reason == "Our aim is 90%" and decided.answer == "Agreed at the coaching call"
    assert chart.state.goal is not None and chart.state.goal.goal == 0.9
    answered = chart.state.proposals[proposal]
    assert (answered.status, answered.answered_by, answered.answer) == (
        "accepted",
        "coach-lee",
        "Agreed at the coaching call",
    )


def test_a_proposal_is_answered_once_the_same_answer_again_records_nothing_and_the_other_is_refused() -> None:
    chart = a_chart()
    proposal = uuid4()
    chart.propose(ctx(TEAM), S, proposal, SplitPhase(starts="2025-06"), "New scales")
    chart.decline(ctx(COACH), S, proposal, "Only two months of the new process")
    assert isinstance(then_events(chart)[-1], ChartProposalDeclined)
    chart.decline(ctx(), S, proposal, "Declined too")
    assert then_events(chart) == []
    with pytest.raises(RuleViolation, match="already declined; a new proposal asks again"):
        chart.accept(ctx(), S, proposal, "Changed my mind")
    with pytest.raises(RuleViolation, match="no proposal"):
        chart.accept(ctx(), S, uuid4(), "Which?")


def test_proposing_what_the_chart_already_shows_is_refused() -> None:
    chart = a_chart()
    chart.decide(ctx(), S, SplitPhase(starts="2025-06"), "Rebase")
    then_events(chart)
    with pytest.raises(RuleViolation, match="already drawn that way"):
        chart.propose(ctx(TEAM), S, uuid4(), SplitPhase(starts="2025-06"), "Rebase")
    assert then_events(chart) == []


def test_a_team_member_withdraws_only_their_own_note_and_a_withdrawn_note_stays_with_its_reason() -> None:
    chart = a_chart()
    mine, theirs = uuid4(), uuid4()
    chart.annotate(ctx(TEAM), S, mine, "2025-02", "New triage nurse")
    chart.annotate(ctx(COACH), S, theirs, "2025-03", "Coaching call")
    assert [type(e) for e in then_events(chart)] == [ChartAnnotated, ChartAnnotated]
    with pytest.raises(PermissionDenied, match="only your own notes"):
        chart.withdraw_note(ctx(OTHER), S, theirs, "Not ours")
    chart.withdraw_note(ctx(TEAM), S, mine, "Wrong month")
    chart.withdraw_note(ctx(COACH), S, mine, "Wrong month")  # already withdrawn: nothing more
    assert len(then_events(chart)) == 1
    assert (
        chart.state.notes[mine].withdrawn == "Wrong month"
        and chart.state.notes[mine].text == "New triage nurse"
    )


def test_nothing_about_a_chart_is_decided_before_the_sessions_phase() -> None:
    with pytest.raises(RuleViolation, match="allowed in: sessions"):
        MeasureChart.start(ctx(), ChartOwner.TEAM, uuid4(), uuid4(), "weight-kg", Phase.ORIENTATION)
    chart = a_chart()
    with pytest.raises(RuleViolation, match="orientation"):
        chart.decide(ctx(), Phase.ORIENTATION, SplitPhase(starts="2025-06"), "Rebase")
