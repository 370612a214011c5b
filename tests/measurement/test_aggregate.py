"""Collaborative-level series and the default chart per data type."""

from __future__ import annotations

from typing import Any

import pytest

from analytics import MeasureSeries, aggregate_by_period, default_chart, qic


def test_sums_numerators_and_denominators_per_period_in_period_order() -> None:
    total = aggregate_by_period(
        [
            {"x": ["2024-02", "2024-01"], "y": [3, 1], "n": [10, 20]},
            MeasureSeries(x=("2024-01", "2024-03"), y=(4, 2), n=(30, 5)),
        ]
    )
    assert total == MeasureSeries(x=("2024-01", "2024-02", "2024-03"), y=(5, 3, 2), n=(50, 10, 5))


def test_a_team_missing_half_of_a_ratio_is_left_out_of_that_period() -> None:
    total = aggregate_by_period(
        [
            {"x": [1, 2], "y": [3, None], "n": [10, 20]},
            {"x": [1, 2], "y": [4, 5], "n": [None, 25]},
        ]
    )
    assert (total.y, total.n) == ((3, 5), (10, 25))


def test_a_period_no_team_reported_stays_missing() -> None:
    total = aggregate_by_period([{"x": [1, 2], "y": [3, None], "n": [10, 20]}])
    assert (total.y, total.n) == ((3, None), (10, None))


def test_counts_without_denominators_are_summed() -> None:
    total = aggregate_by_period([{"x": [1, 2], "y": [3, 4]}, {"x": [2], "y": [1]}])
    assert (total.y, total.n) == ((3, 5), None)


def test_collaborative_p_chart_pools_the_teams() -> None:
    total = aggregate_by_period(
        [{"x": [1, 2], "y": [3, 4], "n": [10, 20]}, {"x": [1, 2], "y": [1, 2], "n": [10, 10]}]
    )
    chart = qic(total.y, total.n, x=total.x, chart="p")
    assert [point.y for point in chart.points] == [pytest.approx(4 / 20), pytest.approx(6 / 30)]
    assert chart.points[0].cl == pytest.approx(10 / 50)


@pytest.mark.parametrize(
    ("series_list", "message"),
    [
        ([], "no series to aggregate"),
        ([{"x": [1], "y": [1], "n": [2]}, {"x": [1], "y": [1]}], "some series have denominators"),
        ([{"x": [1, 1], "y": [1, 2]}], "x has repeated periods"),
        ([{"x": [1, 2], "y": [1]}], "one value per period"),
        ([{"x": [1], "y": [1]}, {"x": ["a"], "y": [1]}], "cannot be put in period order"),
    ],
)
def test_refuses_series_that_cannot_be_aggregated(series_list: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        aggregate_by_period(series_list)


@pytest.mark.parametrize(
    ("data_type", "chart"), [("proportion", "p"), ("rate", "u"), ("count", "c"), ("continuous", "i")]
)
def test_default_chart_follows_the_data_type(data_type: str, chart: str) -> None:
    assert default_chart(data_type) == chart


def test_default_chart_refuses_an_unknown_data_type() -> None:
    with pytest.raises(ValueError, match="unknown data type 'ratio'"):
        default_chart("ratio")
