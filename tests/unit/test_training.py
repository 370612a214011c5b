"""QI training modules and a person's attempts, given their history: a check passed at its
mark completes the module, a failed one can be retaken, a passed one cannot; and the
enduring-material credit rule, beside the live rules it leaves as they are."""

from __future__ import annotations

from uuid import uuid4

import pytest
from pydantic import ValidationError

from aggregates.errors import ActivityNotAllowed, RuleViolation
from aggregates.phases import Phase
from aggregates.training import (
    CheckTaken,
    ModuleDefinition,
    TrainingModule,
    TrainingRecord,
    training_record_id,
)
from aggregates.values import CreditType, Discipline
from projections.credits import rules
from tests.unit.builders import ctx, then_events

S = Phase.SESSIONS
CHECK = {
    "pass_mark": 75,
    "questions": [
        {"prompt": "What does the S of PDSA stand for?", "options": ["Start", "Study", "Stop"], "correct": 1},
        {"prompt": "How many points make a shift?", "options": ["4", "6", "10"], "correct": 1},
        {"prompt": "Which chart for a proportion?", "options": ["P chart", "C chart"], "correct": 0},
        {"prompt": "A run chart's centre line is the", "options": ["mean", "median"], "correct": 1},
    ],
}
CREDIT = {"credit_types": ["cme", "cne"], "hours": 1.0, "accrediting_body": "AAP"}


def _module(**fields: object) -> TrainingModule:
    definition = ModuleDefinition.model_validate(
        {"title": "PDSA basics", "summary": "The model for improvement", "topics": ["pdsa"], "check": CHECK}
        | fields
    )
    module = TrainingModule.publish(ctx(), uuid4(), uuid4(), S, definition)
    module.collect_events()
    return module


def _record(module: TrainingModule) -> TrainingRecord:
    record = TrainingRecord.start(ctx(), uuid4(), module)
    record.collect_events()
    return record


def test_a_check_passed_at_its_mark_completes_the_module() -> None:
    module = _module()
    record = _record(module)
    record.take(ctx(), S, module.state.module, (1, 1, 0, 0))  # three of four right: 75%
    (event,) = then_events(record)
    assert isinstance(event, CheckTaken) and (event.right, event.asked, event.passed) == (3, 4, True)
    assert record.state.completed and record.id == training_record_id(record.state.participant_id, module.id)


def test_a_failed_check_earns_nothing_and_can_be_retaken_but_a_passed_one_cannot() -> None:
    module = _module()
    record = _record(module)
    record.take(ctx(), S, module.state.module, (0, 1, 0, 0))  # two of four: 50%
    assert not record.state.completed
    record.take(ctx(), S, module.state.module, (1, 1, 0, 1))
    assert [e.passed for e in then_events(record)] == [False, True]
    with pytest.raises(RuleViolation, match="already completed: there is nothing to retake"):
        record.take(ctx(), S, module.state.module, (1, 1, 0, 1))


@pytest.mark.parametrize(
    ("answers", "says"),
    [((1, 1, 0), "4 asked, 3 answered"), ((1, 1, 0, 5), "question 4 has 2 options")],
)
def test_an_attempt_that_does_not_answer_the_check_is_refused(answers: tuple[int, ...], says: str) -> None:
    module = _module()
    record = _record(module)
    with pytest.raises(RuleViolation, match=says):
        record.take(ctx(), S, module.state.module, answers)
    assert then_events(record) == []


def test_a_module_without_a_check_is_completed_by_taking_it() -> None:
    module = _module(check=None)
    record = _record(module)
    with pytest.raises(RuleViolation, match="has no knowledge check"):
        record.take(ctx(), S, module.state.module, (1,))
    record.take(ctx(), S, module.state.module, ())
    assert record.state.completed


def test_training_opens_with_orientation() -> None:
    definition = _module().state.module
    with pytest.raises(ActivityNotAllowed, match="publish or take QI training"):
        TrainingModule.publish(ctx(), uuid4(), uuid4(), Phase.REGISTRATION, definition)


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"check": None, "credit": CREDIT}, "enduring-material credit needs a knowledge check"),
        (
            {"credit": CREDIT | {"credit_types": ["moc_part_4"]}},
            "MOC Part 4 is earned by a team's improvement project",
        ),
        ({"credit": CREDIT | {"hours": 0.3}}, "multiple of 0.25"),
        (
            {"check": CHECK | {"questions": [{"prompt": "Q", "options": ["a", "b"], "correct": 2}]}},
            "must be one of its 2 options",
        ),
    ],
)
def test_a_module_that_cannot_work_is_refused_naming_why(fields: dict[str, object], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        _module(**fields)


def test_passing_enduring_material_earns_the_designated_hours_in_the_types_the_discipline_earns() -> None:
    offered = [CreditType.CME, CreditType.CNE]
    (award,) = rules.enduring_awards(Discipline.NURSE, offered, 1.0, 3, 4)
    assert (award.credit_type, award.amount, award.rule_version) == (
        CreditType.CNE,
        1.0,
        "cne-enduring/2026.12",
    )
    assert award.basis == "knowledge check passed, 3 of 4 right: 1 h designated as enduring material"
    assert rules.enduring_awards(Discipline.PARAMEDIC, offered, 1.0, 3, 4) == ()
    assert rules.RULE_VERSIONS[CreditType.CNE] == "cne/2025.1"  # the live rule is unchanged
