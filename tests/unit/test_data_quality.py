"""Data-quality rules on a team's monthly data, given the team's events: each rule finds
what it looks for and nothing else, a confirmation is an event that marks the finding
confirmed, and a later correction of the month opens the finding again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregates.datapoints import FindingRule
from aggregates.errors import ActivityNotAllowed, RuleViolation
from aggregates.phases import Phase
from aggregates.team import DataFindingConfirmed, DataPointCorrected, DataPointSubmitted, Team
from aggregates.values import DataType, MeasureDefinition
from projections.data_quality import (
    OUTLIER_LIMIT,
    RULES,
    RULES_VERSION,
    Thresholds,
    check_measure,
    previous_month,
)
from tests.unit.builders import WEIGHT, ctx, new_team, then_events

S = Phase.SESSIONS
LATER = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
FALLS = MeasureDefinition(
    key="falls", name="Falls per patient day", kind="outcome", data_type=DataType.RATE,
    numerator="falls", denominator="patient days", direction="decrease",
)  # fmt: skip
MINUTES = MeasureDefinition(
    key="door-to-weight", name="Minutes door to weight", kind="process", data_type=DataType.CONTINUOUS,
    numerator="minutes from arrival to weight", direction="decrease", plausible_min=1, plausible_max=240,
)  # fmt: skip


def given(measure: MeasureDefinition, months: dict[str, tuple[float, float | None]]) -> Team:
    """A team that defined `measure` and submitted `months` (period -> numerator, denominator)."""
    team = new_team()
    team.define_measure(ctx(), S, measure)
    for period, (numerator, denominator) in months.items():
        team.submit_data(ctx(at=LATER), S, measure.key, period, numerator, denominator)
    then_events(team)
    return team


def findings(team: Team, key: str, last_month: str = "2025-02", **thresholds: float) -> list[tuple[str, str]]:
    series = team.state.measures[key]
    found = check_measure(
        series.definition, series.data, last_month, team.state.confirmed_findings, Thresholds(**thresholds)
    )
    return [(f.rule.value, f.period) for f in found]


def steady(n: int, start: str = "2024-01") -> dict[str, tuple[float, float | None]]:
    months, period = {}, start
    for i in range(n):
        months[period] = (50 + (i % 3), 100)
        period = f"{int(period[:4]) + int(period[5:]) // 12:04d}-{int(period[5:]) % 12 + 1:02d}"
    return months


def test_the_rule_table_is_versioned_and_names_every_rule_once() -> None:
    assert RULES_VERSION == 1
    assert [r.rule for r in RULES] == list(FindingRule)


def test_clean_steady_months_through_last_month_have_no_finding() -> None:
    team = given(WEIGHT, steady(14))  # 2024-01 .. 2025-02
    assert findings(team, "weight-kg") == []


def test_a_gap_between_months_and_the_months_after_the_latest_through_last_month_are_missing() -> None:
    team = given(WEIGHT, {"2024-10": (50, 100), "2024-12": (52, 100)})
    assert findings(team, "weight-kg") == [
        ("missing-month", "2024-11"),
        ("missing-month", "2025-01"),
        ("missing-month", "2025-02"),
    ]


def test_a_measure_without_data_has_no_missing_month_yet() -> None:
    team = given(WEIGHT, {})
    assert findings(team, "weight-kg") == []


def test_a_rate_with_more_events_than_units_is_found_but_a_proportion_is_refused_on_entry() -> None:
    team = given(FALLS, {"2025-01": (3, 900), "2025-02": (950, 900)})
    assert findings(team, "falls") == [("numerator-above-denominator", "2025-02")]
    with pytest.raises(RuleViolation, match="exceeds denominator"):
        given(WEIGHT, {"2025-02": (120, 100)})


def test_a_value_outside_the_measures_plausible_range_is_found_and_the_range_is_optional() -> None:
    team = given(MINUTES, {"2024-12": (30, None), "2025-01": (0.5, None), "2025-02": (600, None)})
    assert findings(team, "door-to-weight") == [
        ("outside-plausible-range", "2025-01"),
        ("outside-plausible-range", "2025-02"),
    ]
    assert WEIGHT.plausible_min is None and WEIGHT.plausible_max is None  # definitions from before


def test_a_plausible_minimum_above_the_maximum_is_refused() -> None:
    with pytest.raises(ValueError, match="plausible minimum 9 is above the plausible maximum 3"):
        MeasureDefinition.model_validate(MINUTES.model_dump() | {"plausible_min": 9, "plausible_max": 3})


def test_a_value_beyond_the_limit_of_median_moving_ranges_is_an_outlier_and_the_limit_is_a_parameter() -> (
    None
):
    months = steady(14)
    months["2024-07"] = (95, 100)
    team = given(WEIGHT, months)
    assert findings(team, "weight-kg") == [("outlier", "2024-07")]
    series = team.state.measures["weight-kg"]
    (finding,) = check_measure(series.definition, series.data, "2025-02")
    assert finding.threshold == OUTLIER_LIMIT and "the limit is 3.14" in finding.detail
    assert findings(team, "weight-kg", outlier_limit=100) == []


def test_an_improvement_that_holds_is_a_shift_not_outliers_but_a_newest_month_far_from_the_last_is_one() -> (
    None
):
    months = steady(14)
    for period in list(months)[7:]:
        numerator, denominator = months[period]
        months[period] = (numerator + 35, denominator)  # from about 51% to about 86%, and it holds
    assert findings(given(WEIGHT, months), "weight-kg") == []
    months["2025-03"] = (20, 100)
    team = given(WEIGHT, months)
    assert findings(team, "weight-kg", last_month="2025-03") == [("outlier", "2025-03")]


def test_too_few_months_make_no_outlier() -> None:
    months = steady(5, start="2024-10")
    months["2024-12"] = (99, 100)
    assert findings(given(WEIGHT, months), "weight-kg") == []


def test_a_denominator_more_than_twice_or_under_half_the_month_befores_is_a_sudden_change() -> None:
    team = given(FALLS, {"2024-12": (3, 900), "2025-01": (2, 2000), "2025-02": (2, 800)})
    assert findings(team, "falls") == [("denominator-jump", "2025-01"), ("denominator-jump", "2025-02")]
    assert findings(team, "falls", jump_factor=3) == []


def test_confirming_a_finding_records_the_value_and_reason_and_shows_it_confirmed() -> None:
    team = given(FALLS, {"2025-01": (3, 900), "2025-02": (950, 900)})
    team.confirm_data_finding(
        ctx(), S, "falls", "2025-02", FindingRule.NUMERATOR_ABOVE_DENOMINATOR, "Norovirus ward"
    )
    (event,) = then_events(team)
    assert isinstance(event, DataFindingConfirmed)
    assert (event.period, event.rule, event.numerator, event.denominator, event.reason) == (
        "2025-02", FindingRule.NUMERATOR_ABOVE_DENOMINATOR, 950, 900, "Norovirus ward",
    )  # fmt: skip
    series = team.state.measures["falls"]
    (finding,) = check_measure(series.definition, series.data, "2025-02", team.state.confirmed_findings)
    assert finding.confirmed and finding.confirmation is not None
    assert finding.confirmation.reason == "Norovirus ward"


def test_the_same_confirmation_sent_again_records_nothing() -> None:
    team = given(FALLS, {"2025-02": (950, 900)})
    team.confirm_data_finding(ctx(), S, "falls", "2025-02", FindingRule.NUMERATOR_ABOVE_DENOMINATOR, "Right")
    then_events(team)
    team.confirm_data_finding(ctx(), S, "falls", "2025-02", FindingRule.NUMERATOR_ABOVE_DENOMINATOR, "Right")
    assert then_events(team) == []


def test_a_correction_after_a_confirmation_opens_the_finding_again() -> None:
    team = given(FALLS, {"2025-02": (950, 900)})
    team.confirm_data_finding(ctx(), S, "falls", "2025-02", FindingRule.NUMERATOR_ABOVE_DENOMINATOR, "Right")
    team.submit_data(ctx(), S, "falls", "2025-02", 990, 900)
    assert isinstance(then_events(team)[-1], DataPointCorrected)
    series = team.state.measures["falls"]
    (finding,) = check_measure(series.definition, series.data, "2025-02", team.state.confirmed_findings)
    assert not finding.confirmed


def test_a_missing_month_is_confirmed_as_having_no_data_and_a_month_with_data_cannot_be() -> None:
    team = given(WEIGHT, {"2025-01": (50, 100)})
    team.confirm_data_finding(ctx(), S, "weight-kg", "2025-02", FindingRule.MISSING_MONTH, "ED closed")
    (event,) = then_events(team)
    assert event.numerator is None  # type: ignore[attr-defined]
    assert findings(team, "weight-kg") == [("missing-month", "2025-02")]
    series = team.state.measures["weight-kg"]
    assert all(
        f.confirmed
        for f in check_measure(series.definition, series.data, "2025-02", team.state.confirmed_findings)
    )
    with pytest.raises(RuleViolation, match="2025-01 of measure 'weight-kg' has data: it is not missing"):
        team.confirm_data_finding(ctx(), S, "weight-kg", "2025-01", FindingRule.MISSING_MONTH, "No")
    with pytest.raises(RuleViolation, match="has no data to confirm"):
        team.confirm_data_finding(ctx(), S, "weight-kg", "2024-06", FindingRule.OUTLIER, "No")


def test_confirmation_is_data_entry_and_follows_its_phases() -> None:
    team = given(WEIGHT, {"2025-01": (50, 100)})
    with pytest.raises(ActivityNotAllowed):
        team.confirm_data_finding(
            ctx(), Phase.ORIENTATION, "weight-kg", "2025-02", FindingRule.MISSING_MONTH, "x"
        )
    with pytest.raises(RuleViolation, match="period 2025-04 is in the future"):
        team.confirm_data_finding(ctx(), S, "weight-kg", "2025-04", FindingRule.MISSING_MONTH, "x")
    with pytest.raises(RuleViolation, match="no measure 'nope'"):
        team.confirm_data_finding(ctx(), S, "nope", "2025-02", FindingRule.MISSING_MONTH, "x")


def test_an_import_stores_every_month_or_none_naming_the_refused_row() -> None:
    team = given(WEIGHT, {"2025-01": (50, 100)})
    with pytest.raises(RuleViolation, match=r"row 2 \(2024-12\): numerator 130 exceeds denominator 100"):
        team.import_data(ctx(), S, "weight-kg", [("2024-11", 40, 100), ("2024-12", 130, 100)])
    team = given(WEIGHT, {"2025-01": (50, 100)})
    team.import_data(ctx(), S, "weight-kg", [("2024-12", 45, 100), ("2025-01", 55, 100)])
    events = then_events(team)
    assert [type(e) for e in events] == [DataPointSubmitted, DataPointCorrected]


def test_last_month_of_january_is_the_december_before() -> None:
    assert previous_month("2025-01") == "2024-12" and previous_month("2025-03") == "2025-02"
