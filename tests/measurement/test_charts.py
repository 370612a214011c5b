"""Centre lines and limits per chart type, and the freeze, part and exclude options."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from analytics import QicResult, qic

approx = pytest.approx


def lines(chart: QicResult) -> list[tuple[Any, ...]]:
    """(cl, lcl, ucl) per point, typed loosely so they compare with pytest.approx."""
    return [(point.cl, point.lcl, point.ucl) for point in chart.points]


def test_p_chart_limits_vary_with_subgroup_size() -> None:
    chart = qic([10, 10], [100, 400], chart="p")
    cl = 20 / 500
    assert [point.y for point in chart.points] == [0.1, 0.025]
    assert lines(chart) == [
        (approx(cl), 0.0, approx(cl + 3 * math.sqrt(cl * (1 - cl) / 100))),
        (
            approx(cl),
            approx(cl - 3 * math.sqrt(cl * (1 - cl) / 400)),
            approx(cl + 3 * math.sqrt(cl * (1 - cl) / 400)),
        ),
    ]
    assert [point.sigma_signal for point in chart.points] == [True, False]


def test_p_chart_limits_are_clipped_to_zero_and_one() -> None:
    chart = qic([1, 0], [1, 1], chart="p")
    assert lines(chart) == [(0.5, 0.0, 1.0), (0.5, 0.0, 1.0)]


def test_u_chart_lower_limit_is_clipped_at_zero() -> None:
    chart = qic([2, 3], [10, 10], chart="u")
    assert lines(chart)[0] == (0.25, 0.0, approx(0.25 + 3 * math.sqrt(0.25 / 10)))


def test_c_chart_centre_is_the_mean_count_with_poisson_limits() -> None:
    chart = qic([4, 9, 2, 25], chart="c")
    assert lines(chart)[0] == (10.0, approx(10 - 3 * math.sqrt(10)), approx(10 + 3 * math.sqrt(10)))
    assert [point.sigma_signal for point in chart.points] == [False, False, False, True]
    assert lines(qic([1, 2, 3], chart="c"))[0][1] == 0.0


def test_i_chart_screens_out_large_moving_ranges_before_estimating_sigma() -> None:
    # Ranges 1 ×7 and 30 ×2: the 30s exceed 3.267 × their mean (7.44), leaving a mean range of 1.
    chart = qic([10, 11, 10, 11, 10, 11, 10, 40, 10, 11], chart="i")
    assert lines(chart)[0] == (approx(13.4), approx(13.4 - 3 / 1.128), approx(13.4 + 3 / 1.128))
    assert chart.points[7].sigma_signal is True


def test_i_chart_of_a_constant_series_has_no_limits() -> None:
    # qicharts2's screening keeps only ranges below 3.267 × 0, none, so sigma is undefined.
    assert lines(qic([5, 5, 5], chart="i")) == [(5.0, None, None)] * 3


def test_i_chart_of_one_point_has_a_centre_but_no_limits() -> None:
    assert lines(qic([5], chart="i")) == [(5.0, None, None)]


def test_i_chart_takes_no_moving_range_across_a_missing_period() -> None:
    chart = qic([1, None, 3, 4], chart="i")
    assert lines(chart)[0] == (approx(8 / 3), approx(8 / 3 - 3 / 1.128), approx(8 / 3 + 3 / 1.128))


def test_mr_chart_restarts_moving_ranges_in_each_part() -> None:
    chart = qic([1, 3, 6, 10, 10, 11], chart="mr", part=[3])
    assert [point.y for point in chart.points] == [None, 2, 3, None, 0, 1]
    assert lines(chart) == [(2.5, 0.0, approx(3.267 * 2.5))] * 3 + [(0.5, 0.0, approx(3.267 * 0.5))] * 3


def test_mr_chart_never_raises_a_runs_signal() -> None:
    # Moving ranges: nine of 1, then three of 9, around their mean of 3.
    chart = qic([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 18, 27, 36], chart="mr")
    (summary,) = chart.parts
    assert (summary.longest_run, summary.longest_run_max) == (9, 7)
    assert summary.runs_signal is False


def test_zero_subgroup_size_is_a_missing_period_without_limits() -> None:
    chart = qic([5, 0, 9, 2], [50, 0, 60, 40], chart="p")
    zero = chart.points[1]
    assert (zero.y, zero.n, zero.lcl, zero.ucl, zero.sigma_signal) == (None, 0, None, None, False)
    assert zero.cl == approx(16 / 150)
    assert (chart.parts[0].n_obs, chart.parts[0].n_useful) == (4, 3)


def test_events_over_a_zero_denominator_stay_out_of_the_centre_line() -> None:
    chart = qic([3, 4], [10, 0], chart="u")
    assert [point.y for point in chart.points] == [0.3, None]
    assert chart.points[0].cl == approx(0.3)


def test_missing_period_is_listed_but_used_for_nothing() -> None:
    chart = qic([3, None, 5, 7])
    missing = chart.points[1]
    assert (missing.y, missing.cl, missing.sigma_signal, missing.include) == (None, 5, False, True)
    assert (chart.parts[0].n_obs, chart.parts[0].n_useful) == (4, 2)


@pytest.mark.parametrize(("y", "n"), [([5, None, 6], [50, 40, 60]), ([5, 4, 6], [50, None, 60])])
def test_a_period_missing_its_count_or_its_size_is_missing_altogether(
    y: list[int | None], n: list[int | None]
) -> None:
    chart = qic(y, n, chart="p")
    assert [(point.y, point.n) for point in chart.points][1] == (None, None)
    assert chart.points[1].ucl is None
    assert chart.points[0].cl == approx(11 / 110)


def test_excluded_point_is_left_out_of_the_centre_line_but_still_tested_against_the_limits() -> None:
    chart = qic([4, 5, 6, 5, 4, 30], chart="c", exclude=[6])
    excluded = chart.points[5]
    assert excluded.cl == approx(4.8)
    assert (excluded.include, excluded.sigma_signal) == (False, True)
    assert (chart.parts[0].n_obs, chart.parts[0].n_useful) == (5, 5)


def test_freeze_sets_the_centre_from_the_first_points_and_applies_it_to_all() -> None:
    chart = qic([1, 2, 3, 4, 5, 6, 7, 8], freeze=4)
    assert {point.cl for point in chart.points} == {2.5}
    assert [point.baseline for point in chart.points] == [True] * 4 + [False] * 4
    assert (chart.parts[0].n_useful, chart.parts[0].longest_run) == (8, 6)


def test_freeze_of_an_i_chart_takes_centre_and_sigma_from_the_baseline() -> None:
    chart = qic([10, 12, 11, 30, 31], chart="i", freeze=3)
    assert lines(chart) == [(11.0, approx(11 - 3 * 1.5 / 1.128), approx(11 + 3 * 1.5 / 1.128))] * 5
    assert [point.sigma_signal for point in chart.points] == [False, False, False, True, True]


def test_part_gives_each_part_its_own_centre_limits_and_runs_analysis() -> None:
    chart = qic([1, 2, 3, 10, 11, 12], part=[3])
    assert [point.part for point in chart.points] == [1, 1, 1, 2, 2, 2]
    assert [point.cl for point in chart.points] == [2, 2, 2, 11, 11, 11]
    assert [(summary.part, summary.n_obs, summary.n_useful) for summary in chart.parts] == [
        (1, 3, 2),
        (2, 3, 2),
    ]


def test_run_chart_with_subgroup_sizes_plots_ratios() -> None:
    chart = qic([1, 2, 3], [10, 10, 10])
    assert [point.y for point in chart.points] == [0.1, 0.2, 0.3]
    assert chart.points[0].cl == 0.2


def test_x_labels_keep_their_type_and_default_to_positions() -> None:
    months = [date(2024, month, 1) for month in (1, 2, 3)]
    assert [point.x for point in qic([1, 2, 3], x=months).points] == months
    assert [point.x for point in qic([1, 2, 3]).points] == [1, 2, 3]


def test_result_is_frozen_and_dumps_to_plain_dicts() -> None:
    chart = qic([1, 2, 3], chart="i")
    with pytest.raises(ValidationError):
        chart.points[0].y = 9  # type: ignore[misc]
    dumped = chart.model_dump()
    assert dumped["points"][0] == {
        "x": 1, "y": 1.0, "n": None, "cl": 2.0, "lcl": approx(2 - 3 / 1.128), "ucl": approx(2 + 3 / 1.128),
        "sigma_signal": False, "include": True, "baseline": True, "part": 1,
    }  # fmt: skip
    assert dumped["parts"][0]["shifts"] == ()
