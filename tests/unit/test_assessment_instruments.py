"""Assessment instruments, given their history: a definition holds together, publishing a
change makes a new version, a team's answers are checked item by item and scored (weights,
per domain, number targets, text unscored), the gap report runs heaviest first, and scores of
different versions are never compared as if equal."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError

from aggregates.assessment_instrument import (
    AnswersInvalid,
    AssessmentInstrument,
    InstrumentDefinition,
    InstrumentPublished,
    InstrumentRevised,
    InstrumentScore,
    compare,
    median_score,
)
from aggregates.errors import ActivityNotAllowed, RuleViolation
from aggregates.phases import Phase
from aggregates.team import InstrumentAssessed
from tests.unit.builders import ctx, new_team, then_events

ITEMS: list[dict[str, Any]] = [
    {"key": "pecc", "domain": "Coordination", "question": "A coordinator is named", "type": "yes_no", "weight": 3},
    {"key": "plan", "domain": "Coordination", "question": "QI plan covers children", "type": "choice",
     "weight": 1, "options": [{"label": "yes", "points": 4}, {"label": "partly", "points": 1},
                              {"label": "no", "points": 0}]},
    {"key": "kg", "domain": "Safety", "question": "Weighed in kg, %", "type": "number", "weight": 2,
     "target": 90, "unit": "%"},
    {"key": "lwbs", "domain": "Safety", "question": "Left without being seen, %", "type": "number",
     "weight": 1, "target": 2, "at_most": True},
    {"key": "notes", "domain": "Safety", "question": "Anything else", "type": "text", "weight": 5},
]  # fmt: skip
DEFINITION = InstrumentDefinition.model_validate(
    {"title": "Readiness", "kind": "readiness_assessment", "items": ITEMS}
)


def _published() -> AssessmentInstrument:
    instrument = AssessmentInstrument.define(ctx(), uuid4(), uuid4(), DEFINITION)
    instrument.collect_events()
    return instrument


def test_staff_define_an_instrument_as_its_version_1_with_the_whole_definition() -> None:
    instrument = AssessmentInstrument.define(ctx(), uuid4(), uuid4(), DEFINITION)
    (event,) = then_events(instrument)
    assert isinstance(event, InstrumentPublished) and (event.version, event.definition) == (1, DEFINITION)
    assert instrument.version_number == 1 and instrument.current == DEFINITION


def test_publishing_a_change_makes_a_new_version_and_keeps_the_old_one() -> None:
    instrument = _published()
    changed = DEFINITION.model_copy(update={"title": "Readiness, revised"})
    instrument.publish(ctx(), changed)
    (event,) = then_events(instrument)
    assert isinstance(event, InstrumentRevised) and event.version == 2
    assert (instrument.at(1), instrument.at(2)) == (DEFINITION, changed)


def test_publishing_the_same_definition_again_records_nothing() -> None:
    instrument = _published()
    instrument.publish(ctx(), DEFINITION)
    assert then_events(instrument) == []


def test_an_instrument_keeps_its_kind_across_versions() -> None:
    instrument = _published()
    with pytest.raises(RuleViolation, match="stays a readiness assessment"):
        instrument.publish(ctx(), DEFINITION.model_copy(update={"kind": "gap_analysis"}))
    assert then_events(instrument) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "choice", "options": [{"label": "a", "points": 1}]}, "at least two options"),
        (
            {"type": "choice", "options": [{"label": "a", "points": 0}, {"label": "b", "points": 0}]},
            "worth some",
        ),
        ({"type": "number"}, "needs a target"),
        ({"type": "yes_no", "target": 3}, "only a number item has a target"),
        (
            {"type": "text", "options": [{"label": "a", "points": 1}, {"label": "b", "points": 0}]},
            "only a choice",
        ),
    ],
)
def test_an_item_that_does_not_fit_its_type_is_refused_naming_the_item(
    change: dict[str, Any], message: str
) -> None:
    item = {"key": "odd", "domain": "D", "question": "Q"} | change
    with pytest.raises(ValidationError, match=message):
        InstrumentDefinition.model_validate({"title": "T", "kind": "gap_analysis", "items": [item]})


def test_an_instrument_of_text_alone_is_refused_as_it_could_score_nothing() -> None:
    with pytest.raises(ValidationError, match="at least one scored item"):
        InstrumentDefinition.model_validate({"title": "T", "kind": "gap_analysis", "items": [ITEMS[-1]]})


def test_the_score_is_weighted_per_domain_and_overall_out_of_100_and_text_counts_for_nothing() -> None:
    answers = DEFINITION.answers({"pecc": True, "plan": "partly", "kg": 90, "lwbs": 3, "notes": "long wait"})
    score = DEFINITION.score(answers)
    # Coordination: 3 of 3 + 1/4 of 1 = 3.25 of 4; Safety: kg met (2 of 2), lwbs 3 > 2 not met (0 of 1).
    assert [(d.domain, d.score) for d in score.domains] == [("Coordination", 81.2), ("Safety", 66.7)]
    assert score.overall == round(100 * 5.25 / 7, 1)


def test_a_number_meets_its_target_at_or_above_it_or_at_or_below_when_at_most() -> None:
    met = DEFINITION.score(DEFINITION.answers({"pecc": False, "plan": "no", "kg": 90.0, "lwbs": 2}))
    missed = DEFINITION.score(DEFINITION.answers({"pecc": False, "plan": "no", "kg": 89.9, "lwbs": 2.1}))
    assert (met.of("Safety"), missed.of("Safety")) == (100.0, 0.0)


def test_the_gap_report_lists_the_items_not_met_heaviest_first_and_never_text() -> None:
    answers = DEFINITION.answers({"pecc": False, "plan": "partly", "kg": 50, "lwbs": 1})
    gaps = DEFINITION.gaps(answers)
    assert [(g.key, g.weight) for g in gaps] == [("pecc", 3), ("kg", 2), ("plan", 1)]
    assert (gaps[1].answer, gaps[1].needed) == ("50 %", "at least 90 %")
    assert (gaps[2].needed, gaps[2].credit) == ("yes", 0.25)


def test_answers_missing_or_outside_their_item_are_refused_each_named() -> None:
    with pytest.raises(AnswersInvalid) as refused:
        DEFINITION.answers({"pecc": "yes", "plan": "sometimes", "kg": True, "extra": 1})
    assert refused.value.problems == {
        "extra": "this instrument has no such item",
        "pecc": "answer yes or no (true or false)",
        "plan": "choose one of: yes, partly, no",
        "kg": "give a number",
        "lwbs": "answer this item",
    }


def test_a_team_records_its_assessment_with_the_version_and_score() -> None:
    team = new_team()
    answers = DEFINITION.answers({"pecc": True, "plan": "yes", "kg": 95, "lwbs": 1})
    instrument_id, assessment_id = uuid4(), uuid4()
    team.complete_instrument(
        ctx(), Phase.SESSIONS, assessment_id, instrument_id, 2, answers, DEFINITION.score(answers)
    )
    (event,) = then_events(team)
    assert isinstance(event, InstrumentAssessed) and (event.version, event.score.overall) == (2, 100.0)
    assert team.state.instrument_assessments[assessment_id].instrument_id == instrument_id


def test_a_team_assesses_itself_only_once_orientation_has_begun() -> None:
    team = new_team()
    answers = DEFINITION.answers({"pecc": True, "plan": "yes", "kg": 95, "lwbs": 1})
    with pytest.raises(ActivityNotAllowed):
        team.complete_instrument(
            ctx(), Phase.REGISTRATION, uuid4(), uuid4(), 1, answers, DEFINITION.score(answers)
        )
    assert then_events(team) == []


def _score(overall: float, coordination: float) -> InstrumentScore:
    domains = [{"domain": "Coordination", "score": coordination}]
    return InstrumentScore.model_validate({"overall": overall, "domains": domains})


def test_scores_of_one_version_are_compared_per_domain() -> None:
    comparison = compare(1, _score(60, 75), 1, _score(40, 25))
    assert comparison.comparable and comparison.words == "version 1: like with like"
    assert [(c.domain, c.change) for c in comparison.changes] == [("overall", 20.0), ("Coordination", 50.0)]


def test_scores_of_different_versions_are_not_comparable() -> None:
    comparison = compare(2, _score(60, 75), 1, _score(40, 25))
    assert not comparison.comparable and comparison.changes == ()
    assert comparison.words == "version 2 vs version 1: not comparable"


def test_the_median_is_taken_per_domain() -> None:
    median = median_score([_score(10, 20), _score(50, 40), _score(90, 100)])
    assert median is not None and (median.overall, median.of("Coordination")) == (50.0, 40.0)
    assert median_score([]) is None
