"""The default rule and the decisions, drawn: a run chart until twenty months, then the
measure's control chart with limits frozen on its baseline; a baseline, a new phase, a
month left out and a goal as people decided them; months on the calendar with gaps; and
marks beyond the data still on the axis."""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import median

import pytest

from aggregates.measure_chart import (
    BaselineSetting,
    ChartOwner,
    ChartTypeSetting,
    Decided,
    GoalSetting,
    MeasureChartState,
)
from aggregates.values import DataType, MeasureDefinition
from projections.chart_model import CycleStart, Mark
from projections.chart_plan import Extras, Series, build, months_between
from tests.unit.builders import WEIGHT

AT = datetime(2026, 3, 1, tzinfo=UTC)
COUNTS = MeasureDefinition(
    key="falls",
    name="Falls",
    kind="outcome",
    numerator="falls",
    data_type=DataType.COUNT,
    direction="decrease",
)


def months(first: str, count: int) -> list[str]:
    return months_between(first, "2100-12")[:count]


def series(values: list[float], first: str = "2024-01", n: float | None = 100) -> Series:
    return Series(months(first, len(values)), values, None if n is None else [n] * len(values))


def settings(**decided: object) -> MeasureChartState:
    return MeasureChartState(owner=ChartOwner.TEAM, owner_id="00000000-0000-4000-8000-000000000001",
                             collaborative_id="00000000-0000-4000-8000-000000000002", measure_key="weight-kg",
                             **decided)  # type: ignore[arg-type]  # fmt: skip


def made(reason: str) -> dict[str, object]:
    return {"by": "coach-lee", "role": "coach", "at": AT, "reason": reason}


STEADY = [50, 52, 48, 51, 49, 50, 53, 47, 50, 52, 48, 51, 49, 50, 51, 49, 50, 52, 48, 50]


def test_with_fewer_than_twenty_months_the_chart_is_a_run_chart_around_the_median_of_them_all() -> None:
    view = build(WEIGHT, series(STEADY[:12]), None)
    assert view.chart == "run" and "12 of the 20 months a baseline needs" in view.chart_reason
    assert view.baseline is None and view.percent
    assert view.slots[0].cl == pytest.approx(median(STEADY[:12]) / 100)


def test_from_twenty_months_the_control_chart_takes_its_limits_from_the_first_twenty() -> None:
    view = build(WEIGHT, series([*STEADY, 70, 72, 69, 71]), None)
    assert view.chart == "p" and "the first 20 months" in view.chart_reason
    assert view.baseline is not None and (view.baseline.points, view.baseline.through) == (20, "2025-08")
    assert view.slots[-1].cl == pytest.approx(sum(STEADY) / 2000)
    assert [s.period for s in view.slots if s.outside_limits] == ["2025-09", "2025-10", "2025-11", "2025-12"]
    assert all(s.baseline for s in view.slots[:20]) and not any(s.baseline for s in view.slots[20:])


def test_a_baseline_through_a_month_freezes_the_limits_on_the_months_up_to_it() -> None:
    chosen = settings(baseline=BaselineSetting(through="2024-12", **made("The year before")))
    view = build(WEIGHT, series([*STEADY, 70, 72, 69, 71]), chosen)
    assert (
        view.baseline is not None and view.baseline.points == 12 and view.baseline.reason == "The year before"
    )
    assert view.slots[0].cl == pytest.approx(sum(STEADY[:12]) / 1200)
    assert "the baseline decided below" in view.chart_reason


def test_a_new_phase_gets_its_own_centre_and_limits_and_its_reason_and_decider() -> None:
    split = settings(splits={"2025-09": Decided(**made("Change bundle adopted"))})
    view = build(WEIGHT, series([*STEADY, 70, 72, 69, 71]), split)
    first, second = view.phases
    assert (first.first_period, first.last_period, first.reason) == ("2024-01", "2025-08", None)
    assert (second.first_period, second.reason, second.decided_by, second.decided_role) == (
        "2025-09", "Change bundle adopted", "coach-lee", "coach",
    )  # fmt: skip
    assert view.slots[-1].cl == pytest.approx((70 + 72 + 69 + 71) / 400)
    assert not any(s.outside_limits for s in view.slots)


def test_a_month_left_out_is_still_drawn_with_its_reason_but_not_counted_in_the_centre() -> None:
    data = [*STEADY[:11], 95, *STEADY[12:]]
    left_out = settings(excluded={"2024-12": Decided(**made("EHR outage: only sick children weighed"))})
    view = build(WEIGHT, series(data), left_out)
    december = next(s for s in view.slots if s.period == "2024-12")
    assert december.excluded == "EHR outage: only sick children weighed" and december.y == 0.95
    assert december.outside_limits
    assert view.slots[0].cl == pytest.approx((sum(data[:20]) - 95) / 1900)


def test_a_chosen_chart_type_and_goal_are_drawn_and_no_goal_goes_back_to_the_measures_target() -> None:
    chosen = settings(chart=ChartTypeSetting(chart="pp", **made("Large denominators")),
                      goal=GoalSetting(goal=0.95, **made("Stretch")))  # fmt: skip
    view = build(WEIGHT, series(STEADY, n=20_000), chosen)
    assert view.chart == "pp" and view.chart_reason == "chosen because large denominators"
    assert view.goal == 0.95
    back = settings(goal=GoalSetting(goal=None, **made("Back to the target")))
    assert build(WEIGHT, series(STEADY), back).goal == WEIGHT.target


def test_months_without_data_are_gaps_and_marks_beyond_the_data_extend_the_axis() -> None:
    data = Series(["2025-01", "2025-02", "2025-05"], [50, 60, 70], [100, 100, 100])
    cycle = CycleStart(period="2025-07", title="Kg-only scale", stage="planned")
    note = Mark(period="2024-11", kind="annotation", label="Note", detail="New scales")
    view = build(WEIGHT, data, None, Extras(cycles=[cycle], marks=[note]))
    assert [s.period for s in view.slots] == months("2024-11", 9)
    assert [s.period for s in view.slots if s.y is not None] == ["2025-01", "2025-02", "2025-05"]
    assert [(m.kind, m.label) for m in view.marks] == [("annotation", "Note"), ("pdsa", "PDSA 1")]


def test_a_phase_change_of_the_collaborative_outside_the_data_does_not_stretch_the_axis() -> None:
    phase = Mark(period="2023-10", kind="phase", label="Registration")
    view = build(WEIGHT, series(STEADY[:3]), None, Extras(marks=[phase]))
    assert view.slots[0].period == "2024-01"


def test_a_count_measure_defaults_to_a_c_chart_and_its_values_are_not_percents() -> None:
    view = build(COUNTS, series([3, 1, 4, 1, 5, 9, 2, 6] * 3, n=None), None)
    assert view.chart == "c" and not view.percent and view.goal is None


def test_the_chart_says_in_words_which_rules_and_version_found_its_signals() -> None:
    view = build(WEIGHT, series([*STEADY, 70, 72, 69, 71]), None)
    assert view.rules is not None and view.rules.version in view.description
    assert "4 points outside the limits (Sep 2025, Oct 2025, Nov 2025, Dec 2025)" in view.description
