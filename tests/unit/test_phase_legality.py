"""Which activity is allowed in which phase: the table, and every aggregate
command refused outside its phases with nothing recorded."""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

import pytest

from aggregates.activity import LearningActivity
from aggregates.base import QIAggregate
from aggregates.change_package import ChangePackage, NodeFields, NodeKind
from aggregates.errors import ActivityNotAllowed, RuleViolation
from aggregates.measure_chart import ChartOwner, MeasureChart, SplitPhase
from aggregates.monthly_report import MonthlyReport, ReportSections
from aggregates.phases import (
    ALLOWED_PHASES,
    PHASES,
    Activity,
    Phase,
    is_allowed,
    next_phase,
    require_allowed,
    require_next,
)
from aggregates.progress import Rater
from aggregates.resource import Resource, ResourceDetails
from aggregates.team import Team
from aggregates.training import ModuleDefinition, TrainingModule
from aggregates.values import (
    Assessment,
    AssessmentItem,
    AssessmentKind,
    Discipline,
    MemberSpec,
    OutputDetails,
    OutputKind,
    ProjectRef,
    ResourceKind,
    SharedProject,
)
from tests.unit.builders import (
    WEIGHT,
    collaborative_in,
    ctx,
    new_activity,
    new_team,
    plan,
    session_details,
)

F, R, OR, S, P, SH, C, X = PHASES

# DESIGN.md's table, written out independently of the code's.
EXPECTED: dict[Activity, set[Phase]] = {
    Activity.EDIT_FOCUS: {F},
    Activity.REGISTER_TEAM: {R},
    Activity.WITHDRAW_TEAM: {F, R, OR, S, P, SH, C},
    Activity.MANAGE_MEMBERS: {R, OR, S, P, SH, C},
    Activity.ASSIGN_COACH: {R, OR, S, P, SH, C},
    Activity.SUBMIT_ASSESSMENT: {OR, S, P, SH, C},
    Activity.SCHEDULE_ACTIVITY: {OR, S, P, SH, C},
    Activity.RECORD_ATTENDANCE: {OR, S, P, SH, C},
    Activity.DEFINE_MEASURE: {S, P, SH, C},
    Activity.SUBMIT_DATA: {S, P, SH, C},
    Activity.RUN_PDSA: {S, P, SH, C},
    Activity.COACH_TEAM: {S, P, SH, C},
    Activity.SHARE_PROJECT: {P, SH, C},
    Activity.RECORD_OUTPUT: {SH, C},
    Activity.JOIN_COMMUNITY: {C},
    Activity.SHARE_RESOURCE: {OR, S, P, SH, C},
    Activity.MAINTAIN_CHANGE_PACKAGE: {F, R, OR, S, P, SH, C},
    Activity.COMMENT_ON_PROJECT: {P, SH, C},
    Activity.TRY_SHARED_CHANGE: {P, SH, C},
    Activity.DECIDE_CHART: {S, P, SH, C},
    Activity.SCORE_PROGRESS: {S, P, SH, C},
    Activity.TRAIN: {OR, S, P, SH, C},
    Activity.REPORT_MONTHLY: {S, P, SH, C},
}

ALL = [(activity, phase) for activity in Activity for phase in Phase]


def test_every_activity_has_a_row_in_the_legality_table() -> None:
    assert set(ALLOWED_PHASES) == set(Activity) == set(EXPECTED)


@pytest.mark.parametrize(("activity", "phase"), ALL)
def test_legality_table_matches_the_design(activity: Activity, phase: Phase) -> None:
    assert is_allowed(activity, phase) == (phase in EXPECTED[activity])


@pytest.mark.parametrize(("activity", "phase"), [(a, p) for a, p in ALL if p not in EXPECTED[a]])
def test_refusal_names_the_activity_the_phase_and_where_it_is_allowed(
    activity: Activity, phase: Phase
) -> None:
    with pytest.raises(ActivityNotAllowed) as refused:
        require_allowed(activity, phase)
    assert activity.value in refused.value.message
    assert f"in the {phase.value} phase" in refused.value.message


@pytest.mark.parametrize(("current", "to"), [(a, b) for a in Phase for b in Phase if a != b])
def test_phases_advance_forward_one_at_a_time(current: Phase, to: Phase) -> None:
    if next_phase(current) == to:
        require_next(current, to)
    else:
        with pytest.raises(RuleViolation, match="forward one at a time"):
            require_next(current, to)


def test_closed_is_the_last_phase() -> None:
    assert next_phase(Phase.CLOSED) is None
    assert [next_phase(p) for p in PHASES[:-1]] == list(PHASES[1:])


# Every aggregate command guarded by a phase, invoked for real.

Prepared = tuple[QIAggregate, Callable[[], object]]
Invoke = Callable[[Phase], Prepared]


def _on_collaborative(call: Callable[..., None]) -> Invoke:
    def prepare(phase: Phase) -> Prepared:
        collaborative = collaborative_in(phase)
        return collaborative, lambda: call(collaborative)

    return prepare


def _on_team(call: Callable[..., None]) -> Invoke:
    def prepare(phase: Phase) -> Prepared:
        team = new_team()
        team.define_measure(ctx(), Phase.SESSIONS, WEIGHT)
        team.collect_events()
        return team, lambda: call(team, phase)

    return prepare


def _schedule(phase: Phase) -> Prepared:
    calendar = collaborative_in(phase)  # only so there is an aggregate to inspect
    return calendar, lambda: LearningActivity.schedule(ctx(), uuid4(), uuid4(), phase, session_details())


def _attend(phase: Phase) -> Prepared:
    activity = new_activity()
    return activity, lambda: activity.record_attendance(ctx(), phase, uuid4(), 60)


def _share_resource(phase: Phase) -> Prepared:
    library = collaborative_in(phase)  # only so there is an aggregate to inspect
    details = ResourceDetails(kind=ResourceKind.ARTICLE, title="Kg-only weights")
    return library, lambda: Resource.share(ctx(), uuid4(), uuid4(), phase, details, url="https://example.org")


def _add_driver(phase: Phase) -> Prepared:
    package = ChangePackage.start(ctx(), uuid4(), Phase.FOCUS, "Weigh in kg")
    package.collect_events()
    fields = NodeFields(name="Reliable weights")
    return package, lambda: package.add_node(ctx(), phase, uuid4(), NodeKind.PRIMARY_DRIVER, fields, None)


def _project_of(team: Team) -> ProjectRef:
    return ProjectRef(team_id=uuid4(), collaborative_id=team.state.collaborative_id, shared=True)


def _try_change(phase: Phase) -> Prepared:
    team = new_team()
    cycle_id = uuid4()
    team.plan_cycle(ctx(), Phase.SESSIONS, cycle_id, plan())
    team.collect_events()
    return team, lambda: team.try_shared_change(ctx(), phase, _project_of(team), cycle_id)


def _decide_chart(phase: Phase) -> Prepared:
    chart = MeasureChart.start(ctx(), ChartOwner.TEAM, uuid4(), uuid4(), "weight-kg", Phase.SESSIONS)
    chart.collect_events()
    return chart, lambda: chart.decide(ctx(), phase, SplitPhase(starts="2025-03"), "Change bundle adopted")


TRAINING = ModuleDefinition(title="PDSA basics", summary="The model for improvement")


def _train(phase: Phase) -> Prepared:
    calendar = collaborative_in(phase)  # only so there is an aggregate to inspect
    return calendar, lambda: TrainingModule.publish(ctx(), uuid4(), uuid4(), phase, TRAINING)


def _report_monthly(phase: Phase) -> Prepared:
    report = MonthlyReport.start(ctx(), uuid4(), uuid4(), "2025-02", Phase.SESSIONS)
    report.collect_events()
    return report, lambda: report.draft(ctx(), phase, ReportSections(successes="Kg scales in every bay"))


SCORES = Assessment(kind=AssessmentKind.GAP_ANALYSIS, items=(AssessmentItem(item="Weight", score=10),))
OUTPUT = OutputDetails(kind=OutputKind.TOOLKIT, title="Toolkit")
INVOKERS: dict[Activity, Invoke] = {
    Activity.EDIT_FOCUS: _on_collaborative(
        lambda c: c.define_measure(ctx(), WEIGHT.model_copy(update={"key": "new"}))
    ),
    Activity.REGISTER_TEAM: _on_collaborative(
        lambda c: c.enroll_team(ctx(), uuid4(), "New team", "tribal_clinic")
    ),
    Activity.WITHDRAW_TEAM: _on_team(lambda t, p: t.withdraw(ctx(), p, "moved on")),
    Activity.MANAGE_MEMBERS: _on_team(
        lambda t, p: t.add_member(ctx(), p, MemberSpec(participant_id=uuid4(), discipline=Discipline.EMT))
    ),
    Activity.ASSIGN_COACH: _on_team(lambda t, p: t.assign_coach(ctx(), p, uuid4())),
    Activity.SUBMIT_ASSESSMENT: _on_team(lambda t, p: t.submit_assessment(ctx(), p, uuid4(), SCORES)),
    Activity.SCHEDULE_ACTIVITY: _schedule,
    Activity.RECORD_ATTENDANCE: _attend,
    Activity.DEFINE_MEASURE: _on_team(
        lambda t, p: t.define_measure(ctx(), p, WEIGHT.model_copy(update={"key": "other"}))
    ),
    Activity.SUBMIT_DATA: _on_team(lambda t, p: t.submit_data(ctx(), p, "weight-kg", "2025-01", 1, 2)),
    Activity.RUN_PDSA: _on_team(lambda t, p: t.plan_cycle(ctx(), p, uuid4(), plan())),
    Activity.COACH_TEAM: _on_team(lambda t, p: t.add_coaching_note(ctx(), p, uuid4(), "Good start")),
    Activity.SHARE_PROJECT: _on_team(
        lambda t, p: t.share_project(ctx(), p, SharedProject(title="Kg only", summary="We weigh in kg"))
    ),
    Activity.RECORD_OUTPUT: _on_collaborative(lambda c: c.record_output(ctx(), uuid4(), OUTPUT)),
    Activity.JOIN_COMMUNITY: _on_collaborative(lambda c: c.add_community_member(ctx(), uuid4())),
    Activity.SHARE_RESOURCE: _share_resource,
    Activity.MAINTAIN_CHANGE_PACKAGE: _add_driver,
    Activity.COMMENT_ON_PROJECT: _on_team(
        lambda t, p: t.comment_on_project(ctx(), p, uuid4(), _project_of(t), "We tried this too")
    ),
    Activity.TRY_SHARED_CHANGE: _try_change,
    Activity.DECIDE_CHART: _decide_chart,
    Activity.TRAIN: _train,
    Activity.SCORE_PROGRESS: _on_team(
        lambda t, p: t.score_progress(ctx(), p, "2025-01", Rater.TEAM, 2.0, "Planning")
    ),
    Activity.REPORT_MONTHLY: _report_monthly,
}


@pytest.mark.parametrize(("activity", "phase"), [(a, p) for a, p in ALL if p not in EXPECTED[a]])
def test_every_command_is_refused_outside_its_phases_and_records_nothing(
    activity: Activity, phase: Phase
) -> None:
    aggregate, command = INVOKERS[activity](phase)
    version = aggregate.version
    with pytest.raises(ActivityNotAllowed):
        command()
    assert aggregate.collect_events() == []
    assert aggregate.version == version


@pytest.mark.parametrize(("activity", "phase"), [(a, p) for a, p in ALL if p in EXPECTED[a]])
def test_every_command_is_accepted_in_its_phases(activity: Activity, phase: Phase) -> None:
    aggregate, command = INVOKERS[activity](phase)
    result = command()
    recorded = result.collect_events() if isinstance(result, QIAggregate) else aggregate.collect_events()
    assert len(recorded) == 1


def test_every_activity_has_a_command_invoker() -> None:
    assert set(INVOKERS) == set(Activity)
