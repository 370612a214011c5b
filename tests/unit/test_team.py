"""The Team: given its history, when a command arrives, then these events."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from aggregates.datapoints import DataPoint
from aggregates.errors import RuleViolation
from aggregates.pdsa import Stage
from aggregates.phases import Phase
from aggregates.team import (
    AssessmentSubmitted,
    CoachAssigned,
    DataPointCorrected,
    DataPointSubmitted,
    MeasureDefined,
    PdsaActed,
    PdsaDone,
    PdsaPlanned,
    PdsaStudied,
    ProjectShared,
    Team,
    Withdrawn,
)
from aggregates.values import (
    Assessment,
    AssessmentItem,
    AssessmentKind,
    CareSetting,
    DataType,
    Direction,
    Discipline,
    MeasureDefinition,
    MeasureKind,
    MemberSpec,
    SharedProject,
    TeamProfile,
)
from tests.unit.builders import (
    ACT,
    DO,
    STUDY,
    WEIGHT,
    ctx,
    new_team,
    plan,
    team_with_acted_cycle,
    then_events,
)

S = Phase.SESSIONS
APRIL = datetime(2025, 4, 2, tzinfo=UTC)


def names(team: Team) -> list[str]:
    return [type(e).__name__ for e in then_events(team)]


def measured_team() -> Team:
    team = new_team()
    team.define_measure(ctx(), S, WEIGHT)
    team.collect_events()
    return team


def test_a_team_registers_with_its_members_and_collaborative() -> None:
    collaborative_id = uuid4()
    team = new_team(collaborative_id)
    assert team.collaborative_id == collaborative_id
    assert team.state.care_setting is CareSetting.COMMUNITY_ED
    assert len(team.state.members) == 1


def test_a_team_needs_distinct_members() -> None:
    profile = TeamProfile(name="A", organization="A", care_setting=CareSetting.EMS_AGENCY)
    with pytest.raises(RuleViolation, match="at least one member"):
        Team.register(ctx(), uuid4(), uuid4(), profile, ())
    member = MemberSpec(participant_id=uuid4(), discipline=Discipline.PARAMEDIC)
    with pytest.raises(RuleViolation, match="listed twice"):
        Team.register(ctx(), uuid4(), uuid4(), profile, (member, member))


def test_members_join_and_leave_but_the_last_one_stays() -> None:
    team = new_team()
    [only] = team.state.members
    newcomer = MemberSpec(participant_id=uuid4(), discipline=Discipline.EMT)
    team.add_member(ctx(), S, newcomer)
    team.add_member(ctx(), S, newcomer)
    team.remove_member(ctx(), S, newcomer.participant_id)
    assert names(team) == ["MemberAdded", "MemberRemoved"]
    with pytest.raises(RuleViolation, match="at least one member"):
        team.remove_member(ctx(), S, only)


def test_assigning_the_same_coach_twice_records_one_event() -> None:
    team, coach = new_team(), uuid4()
    team.assign_coach(ctx(), Phase.REGISTRATION, coach)
    team.assign_coach(ctx(), Phase.REGISTRATION, coach)
    assert [type(e) for e in then_events(team)] == [CoachAssigned]


def test_coaching_notes_keep_author_and_refuse_a_rewrite() -> None:
    team, note = new_team(), uuid4()
    team.add_coaching_note(ctx(), S, note, "Try a kg-only scale")
    team.add_coaching_note(ctx(), S, note, "Try a kg-only scale")
    assert names(team) == ["CoachingNoteAdded"]
    assert team.state.coaching_notes[note].author_id == "staff-ann"
    with pytest.raises(RuleViolation, match="other text"):
        team.add_coaching_note(ctx(), S, note, "Something else")


def test_assessments_record_item_scores_and_a_resubmission_is_a_new_assessment() -> None:
    team, assessment_id = new_team(), uuid4()
    scan = Assessment(
        kind=AssessmentKind.ENVIRONMENTAL_SCAN,
        items=(
            AssessmentItem(item="Kg scale", score=5, max_score=10),
            AssessmentItem(item="Policy", score=10, max_score=10),
        ),
    )
    team.submit_assessment(ctx(), Phase.ORIENTATION, assessment_id, scan)
    team.submit_assessment(ctx(), Phase.ORIENTATION, assessment_id, scan)
    assert [type(e) for e in then_events(team)] == [AssessmentSubmitted]
    assert team.state.assessments[assessment_id].score_percent == 75
    with pytest.raises(RuleViolation, match="already submitted"):
        team.submit_assessment(
            ctx(), Phase.ORIENTATION, assessment_id, scan.model_copy(update={"kind": "gap_analysis"})
        )


def test_an_item_score_cannot_exceed_its_maximum() -> None:
    with pytest.raises(ValueError, match="exceeds max_score"):
        AssessmentItem(item="Kg scale", score=11, max_score=10)


def test_a_measure_is_defined_once_and_a_changed_target_revises_it() -> None:
    team = new_team()
    team.define_measure(ctx(), S, WEIGHT)
    team.define_measure(ctx(), S, WEIGHT)
    team.define_measure(ctx(), S, WEIGHT.model_copy(update={"target": 0.95}))
    assert [type(e) for e in then_events(team)] == [MeasureDefined, MeasureDefined]
    assert team.state.measures["weight-kg"].definition.target == 0.95


def test_a_measure_with_data_keeps_its_data_type() -> None:
    team = measured_team()
    team.submit_data(ctx(at=APRIL), S, "weight-kg", "2025-03", 8, 10)
    with pytest.raises(RuleViolation, match="already has data"):
        team.define_measure(ctx(), S, WEIGHT.model_copy(update={"data_type": DataType.RATE}))


def test_a_resubmitted_month_corrects_the_value_and_keeps_the_old_one_in_the_history() -> None:
    team = measured_team()
    team.submit_data(ctx(at=APRIL), S, "weight-kg", "2025-03", 8, 10)
    team.submit_data(ctx(at=APRIL), S, "weight-kg", "2025-03", 8, 10)
    team.submit_data(ctx(at=APRIL), S, "weight-kg", "2025-03", 9, 10)
    events = then_events(team)
    assert [type(e) for e in events] == [DataPointSubmitted, DataPointCorrected]
    assert [e.numerator for e in events] == [8, 9]
    point = team.state.measures["weight-kg"].data["2025-03"]
    assert (point.current.numerator, point.corrections) == (9, 1)
    assert point.value == 0.9


def test_a_snapshot_that_kept_earlier_values_loads_as_their_count() -> None:
    kept = {"numerator": 8, "denominator": 10, "submitted_at": APRIL, "actor_id": "a"}
    point = DataPoint.model_validate({"current": kept, "corrections": [kept, kept]})
    assert point.corrections == 2


@pytest.mark.parametrize(
    ("numerator", "denominator", "period", "problem"),
    [
        (11, 10, "2025-03", "exceeds denominator"),
        (5, 0, "2025-03", "denominator above zero"),
        (5, None, "2025-03", "denominator above zero"),
        (-1, 10, "2025-03", "cannot be negative"),
        (float("nan"), 10, "2025-03", "finite"),
        (5, 10, "2025-05", "in the future"),
    ],
)
def test_refuses_impossible_data_and_records_nothing(
    numerator: float, denominator: float | None, period: str, problem: str
) -> None:
    team = measured_team()
    with pytest.raises(RuleViolation, match=problem):
        team.submit_data(ctx(at=APRIL), S, "weight-kg", period, numerator, denominator)
    assert then_events(team) == []


def test_count_measures_take_whole_numbers_and_no_denominator() -> None:
    team = new_team()
    falls = MeasureDefinition(
        key="falls",
        name="Falls",
        kind=MeasureKind.BALANCING,
        data_type=DataType.COUNT,
        numerator="falls",
        direction=Direction.DECREASE,
    )
    team.define_measure(ctx(), S, falls)
    with pytest.raises(RuleViolation, match="whole number"):
        team.submit_data(ctx(at=APRIL), S, "falls", "2025-03", 1.5, None)
    with pytest.raises(RuleViolation, match="takes no denominator"):
        team.submit_data(ctx(at=APRIL), S, "falls", "2025-03", 1, 4)
    team.submit_data(ctx(at=APRIL), S, "falls", "2025-03", 2, None)
    assert names(team)[-1] == "DataPointSubmitted"


def test_refuses_data_for_an_undefined_measure() -> None:
    with pytest.raises(RuleViolation, match="no measure 'missing'"):
        new_team().submit_data(ctx(at=APRIL), S, "missing", "2025-03", 1, 2)


def test_a_pdsa_cycle_runs_plan_do_study_act_in_order() -> None:
    team, cycle_id = new_team(), uuid4()
    team.plan_cycle(ctx(), S, cycle_id, plan())
    team.record_do(ctx(), S, cycle_id, DO)
    team.record_study(ctx(), S, cycle_id, STUDY)
    team.record_act(ctx(), S, cycle_id, ACT)
    assert [type(e) for e in then_events(team)] == [PdsaPlanned, PdsaDone, PdsaStudied, PdsaActed]
    assert team.state.cycles[cycle_id].stage is Stage.ACTED
    assert team.facts().has_completed_pdsa


def test_a_stage_cannot_be_skipped() -> None:
    team, cycle_id = new_team(), uuid4()
    team.plan_cycle(ctx(), S, cycle_id, plan())
    with pytest.raises(RuleViolation, match="must be done before it can be studied"):
        team.record_study(ctx(), S, cycle_id, STUDY)
    with pytest.raises(RuleViolation, match="must be studied before it can be acted"):
        team.record_act(ctx(), S, cycle_id, ACT)


def test_a_repeated_stage_is_a_no_op_and_a_changed_one_is_refused() -> None:
    team, cycle_id = team_with_acted_cycle()
    team.record_act(ctx(), S, cycle_id, ACT)
    assert then_events(team) == []
    with pytest.raises(RuleViolation, match="already has its acted stage"):
        team.record_act(ctx(), S, cycle_id, ACT.model_copy(update={"decision": "abandon"}))


def test_linked_cycles_form_a_ramp_after_the_parent_has_acted() -> None:
    team, parent = team_with_acted_cycle()
    child = uuid4()
    team.plan_cycle(ctx(), S, child, plan("Night shift", parent=parent))
    assert team.state.cycles[parent].ramp_children == [child]
    unfinished = uuid4()
    with pytest.raises(RuleViolation, match="whose act is decided"):
        team.plan_cycle(ctx(), S, uuid4(), plan("Too soon", parent=child))
    with pytest.raises(RuleViolation, match="not one of this team's"):
        team.plan_cycle(ctx(), S, uuid4(), plan("Stranger", parent=unfinished))


def test_a_plan_may_only_name_the_teams_own_measures() -> None:
    with pytest.raises(RuleViolation, match="has not defined"):
        new_team().plan_cycle(ctx(), S, uuid4(), plan().model_copy(update={"measure_keys": ("weight-kg",)}))


def test_sharing_a_project_links_only_the_teams_own_cycles_and_measures() -> None:
    team, cycle_id = team_with_acted_cycle(Phase.PROJECTS)
    project = SharedProject(title="Kg only", summary="What we learned", cycle_ids=(cycle_id,))
    team.share_project(ctx(), Phase.PROJECTS, project)
    team.share_project(ctx(), Phase.PROJECTS, project)
    assert [type(e) for e in then_events(team)] == [ProjectShared]
    with pytest.raises(RuleViolation, match="does not have"):
        team.share_project(ctx(), Phase.PROJECTS, project.model_copy(update={"cycle_ids": (uuid4(),)}))


def test_a_withdrawn_team_refuses_further_work() -> None:
    team = measured_team()
    team.withdraw(ctx(), S, "Staffing")
    team.withdraw(ctx(), S, "Staffing")
    assert [type(e) for e in then_events(team)] == [Withdrawn]
    with pytest.raises(RuleViolation, match="has withdrawn"):
        team.submit_data(ctx(at=APRIL), S, "weight-kg", "2025-03", 1, 2)


def test_team_facts_report_measures_without_data() -> None:
    team = measured_team()
    assert team.facts().measures_without_data == ("weight-kg",)
    team.submit_data(ctx(at=APRIL), S, "weight-kg", "2025-03", 1, 2)
    assert team.facts().measures_without_data == ()


def test_a_copied_team_shares_no_state_with_the_original() -> None:
    import copy

    team = measured_team()
    clone = copy.deepcopy(team)
    clone.submit_data(ctx(at=APRIL), S, "weight-kg", "2025-03", 1, 2)
    assert clone.state == clone.state.model_copy(deep=True) and clone.state != team.state
    assert team.state.measures["weight-kg"].data == {} and team.version == clone.version - 1
    assert team.pending_events == []
