"""The assessment instruments: the default catalogue, and answers turned into an Assessment."""

from __future__ import annotations

import pytest

from aggregates.instruments import ENVIRONMENTAL_SCAN, GAP_ANALYSIS, INSTRUMENTS, AnswersRefused
from aggregates.values import AssessmentKind


def test_the_catalogue_has_one_instrument_per_kind_with_item_keys_unique_across_it() -> None:
    assert set(INSTRUMENTS) == set(AssessmentKind)
    keys = [item.key for instrument in INSTRUMENTS.values() for item in instrument.items]
    assert len(keys) == len(set(keys))


def test_the_gap_analysis_covers_the_six_readiness_domains() -> None:
    assert [domain for domain, _ in GAP_ANALYSIS.domains()] == [
        "Administration and coordination", "Staff competencies", "Quality improvement and patient safety",
        "Policies and procedures", "Family-centred care", "Equipment and supplies",
    ]  # fmt: skip


def test_answers_become_an_assessment_scored_by_each_answers_points() -> None:
    answers = {item.key: "yes" for item in GAP_ANALYSIS.items} | {
        "gap-weight-kg": "partly",
        "gap-disaster": "no",
    }
    assessment = GAP_ANALYSIS.assessment(answers)
    assert assessment.kind is AssessmentKind.GAP_ANALYSIS and len(assessment.items) == len(GAP_ANALYSIS.items)
    by_question = {i.item: i for i in assessment.items}
    weight = by_question["Children are weighed in kilograms and the weight is recorded in kilograms only"]
    assert (weight.score, weight.max_score) == (50, 100)
    assert assessment.score_percent == pytest.approx(100 * (12 * 100 + 50) / (14 * 100))
    assert [GAP_ANALYSIS.answer_given(i) for i in assessment.items].count("no") == 1


def test_every_item_left_unanswered_or_answered_off_its_scale_is_named() -> None:
    answers = {item.key: "in place" for item in ENVIRONMENTAL_SCAN.items}
    answers.pop("scan-leadership")
    answers["scan-restocking"] = "yes"
    with pytest.raises(AnswersRefused) as refused:
        ENVIRONMENTAL_SCAN.assessment(answers)
    assert refused.value.problems == {
        "scan-leadership": "choose an answer",
        "scan-restocking": "choose one of: in place, being set up, not yet",
    }


def test_an_item_of_another_scale_has_no_answer_on_this_instrument() -> None:
    [item] = GAP_ANALYSIS.assessment({i.key: "yes" for i in GAP_ANALYSIS.items}).items[:1]
    assert GAP_ANALYSIS.answer_given(item) == "yes"
    assert GAP_ANALYSIS.answer_given(item.model_copy(update={"max_score": 10, "score": 10})) is None
    assert ENVIRONMENTAL_SCAN.answer_given(item) is None
