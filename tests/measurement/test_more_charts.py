"""P′, U′, I′, G, T, Xbar and S charts and the multiply option, on small series worked by hand."""

from __future__ import annotations

import itertools
import math
import statistics
from typing import Any

import pytest

from analytics import QicResult, qic
from analytics.subgroups import a3, b3, b4, c4

approx = pytest.approx


def lines(chart: QicResult) -> list[tuple[Any, ...]]:
    """(cl, lcl, ucl) per point, typed loosely so they compare with pytest.approx."""
    return [(point.cl, point.lcl, point.ucl) for point in chart.points]


@pytest.mark.parametrize(
    ("n", "a3_table", "b3_table", "b4_table"),
    [(2, 2.659, 0.0, 3.267), (5, 1.427, 0.0, 2.089), (6, 1.287, 0.030, 1.970), (10, 0.975, 0.284, 1.716)],
)
def test_subgroup_factors_from_the_gamma_formula_agree_with_montgomerys_table(
    n: int, a3_table: float, b3_table: float, b4_table: float
) -> None:
    assert (a3(n), b3(n), b4(n)) == (
        approx(a3_table, abs=5e-4),
        approx(b3_table, abs=5e-4),
        approx(b4_table, abs=5e-4),
    )


def test_c4_is_exact_for_two_observations_and_undefined_for_one() -> None:
    assert c4(2) == approx(math.sqrt(2 / math.pi), rel=1e-15)
    assert (c4(1), a3(1), b3(1), b4(1)) == (None, None, None, None)


def test_xbar_chart_gathers_repeated_x_into_one_point_per_subgroup_in_order_of_appearance() -> None:
    chart = qic([5, 7, 1, 3, 6, 2], x=["b", "b", "a", "a", "b", "a"], chart="xbar")
    assert [(point.x, point.y, point.n) for point in chart.points] == [("b", 6.0, 3), ("a", 2.0, 3)]
    # One size throughout: sigma is the mean of the subgroup SDs (both 1 here).
    assert lines(chart) == [(4.0, approx(4 - a3(3)), approx(4 + a3(3)))] * 2


def test_xbar_chart_pools_the_sds_when_subgroup_sizes_vary() -> None:
    chart = qic([1, 3, 2, 4, 6, 8], x=[1, 1, 2, 2, 2, 2], chart="xbar")
    sds = [statistics.stdev([1, 3]), statistics.stdev([2, 4, 6, 8])]
    pooled = math.sqrt((1 * sds[0] ** 2 + 3 * sds[1] ** 2) / 4)
    cl = (2 * 2 + 4 * 5) / 6
    assert [point.n for point in chart.points] == [2, 4]
    assert lines(chart) == [
        (approx(cl), approx(cl - a3(2) * pooled), approx(cl + a3(2) * pooled)),
        (approx(cl), approx(cl - a3(4) * pooled), approx(cl + a3(4) * pooled)),
    ]


def test_xbar_chart_gives_a_subgroup_of_one_observation_no_limits() -> None:
    chart = qic([1, 3, 9, 2, 4], x=[1, 1, 2, 3, 3], chart="xbar")
    assert [point.n for point in chart.points] == [2, 1, 2]
    assert (chart.points[1].y, chart.points[1].lcl, chart.points[1].ucl) == (9.0, None, None)
    assert chart.points[0].lcl is not None


def test_xbar_chart_counts_an_empty_subgroup_as_qicharts2_does_when_pooling() -> None:
    chart = qic([1, 3, None, None, 2, 6], x=[1, 1, 2, 2, 3, 3], chart="xbar")
    assert [(point.y, point.n) for point in chart.points] == [(2.0, 2), (None, 0), (4.0, 2)]
    # qicharts2 pools with Σ(n − 1) over every subgroup, the empty one's −1 included: sqrt(10 / 1).
    assert chart.points[0].ucl == approx(3 + a3(2) * math.sqrt(10))
    assert (chart.points[1].lcl, chart.points[1].ucl) == (None, None)


def test_s_chart_plots_subgroup_sds_against_b3_and_b4_limits() -> None:
    chart = qic([1, 3, 2, 6, 10, 14], x=[1, 1, 1, 2, 2, 2], chart="s")
    assert [point.y for point in chart.points] == [1.0, 4.0]
    assert lines(chart) == [(2.5, 0.0, approx(b4(3) * 2.5))] * 2
    assert [point.sigma_signal for point in chart.points] == [False, False]


def test_freeze_and_exclude_count_subgroups_on_subgrouped_charts() -> None:
    observations = [1, 3, 2, 4, 20, 24]
    chart = qic(observations, x=[1, 1, 2, 2, 3, 3], chart="xbar", freeze=2, exclude=[1])
    assert [(point.baseline, point.include) for point in chart.points] == [
        (True, False),
        (True, True),
        (False, True),
    ]
    assert chart.points[0].cl == 3.0  # from the second subgroup alone
    assert chart.points[2].sigma_signal is True


def test_g_chart_shows_the_median_but_takes_its_limits_from_the_mean() -> None:
    chart = qic([2, 4, 6, 30], chart="g")
    mean = 10.5
    assert lines(chart)[0] == (5.0, 0.0, approx(mean + 3 * math.sqrt(mean * (mean + 1))))
    assert chart.parts[0].n_useful == 4  # points on either side of the median, none on it


def test_t_chart_is_an_i_chart_of_the_transformed_times_raised_back() -> None:
    times = [10, 40, 5, 70, 20, 35]
    transformed = [time ** (1 / 3.6) for time in times]
    centre = statistics.fmean(transformed)
    sigma = statistics.fmean(abs(b - a) for a, b in itertools.pairwise(transformed)) / 1.128
    chart = qic(times, chart="t")
    assert [point.y for point in chart.points] == times
    assert lines(chart)[0] == (
        approx(centre**3.6),
        approx((centre - 3 * sigma) ** 3.6) if centre > 3 * sigma else 0.0,
        approx((centre + 3 * sigma) ** 3.6),
    )


def test_t_chart_lower_limit_below_zero_after_the_transform_becomes_zero() -> None:
    chart = qic([1, 300, 2, 400, 1, 350], chart="t")
    assert chart.points[0].lcl == 0.0
    assert chart.points[0].ucl > 400


def test_pp_chart_widens_the_p_limits_by_the_spread_of_the_z_scores() -> None:
    counts, sizes = [500, 560, 470, 530], [1000] * 4
    cl = sum(counts) / sum(sizes)
    sigma = math.sqrt(cl * (1 - cl) / 1000)
    z = [(count / 1000 - cl) / sigma for count in counts]
    sigma_z = statistics.fmean(abs(b - a) for a, b in itertools.pairwise(z)) / 1.128
    chart = qic(counts, sizes, chart="pp")
    assert lines(chart)[0] == (approx(cl), approx(cl - 3 * sigma * sigma_z), approx(cl + 3 * sigma * sigma_z))
    assert sigma_z > 1  # over-dispersed: wider than the p chart's limits
    assert chart.points[0].ucl > qic(counts, sizes, chart="p").points[0].ucl


def screened(values: list[float], factor: float) -> list[float]:
    """The values below factor × their mean: Nelson's screening, worked independently."""
    return [value for value in values if value < factor * statistics.fmean(values)]


def test_pp_chart_screens_out_large_moving_ranges_of_the_z_scores() -> None:
    counts, sizes = [500, 502, 500, 502, 500, 502, 500, 700, 500, 502], [1000] * 10
    cl = sum(counts) / sum(sizes)
    sigma = math.sqrt(cl * (1 - cl) / 1000)
    z = [(count / 1000 - cl) / sigma for count in counts]
    ranges = [abs(b - a) for a, b in itertools.pairwise(z)]
    kept = screened(ranges, 3.267)
    assert len(kept) == len(ranges) - 2  # the jump to 700 and back
    sigma_z = statistics.fmean(kept) / 1.128
    assert qic(counts, sizes, chart="pp").points[0].ucl == approx(cl + 3 * sigma * sigma_z)


def test_up_chart_is_the_u_chart_widened_the_same_way() -> None:
    counts, sizes = [50, 90, 40, 80], [1000] * 4
    cl = sum(counts) / sum(sizes)
    sigma = math.sqrt(cl / 1000)
    z = [(count / 1000 - cl) / sigma for count in counts]
    sigma_z = statistics.fmean(abs(b - a) for a, b in itertools.pairwise(z)) / 1.128
    chart = qic(counts, sizes, chart="up")
    assert lines(chart)[0] == (
        approx(cl),
        approx(max(0.0, cl - 3 * sigma * sigma_z)),
        approx(cl + 3 * sigma * sigma_z),
    )


def test_ip_chart_normalises_the_limits_by_each_points_size() -> None:
    totals, sizes = [50.0, 66.0, 52.0], [5, 6, 4]
    means = [total / size for total, size in zip(totals, sizes, strict=True)]
    cl = sum(totals) / sum(sizes)
    s = [
        math.sqrt(math.pi / 2) * abs(means[i + 1] - means[i]) / math.sqrt(1 / sizes[i] + 1 / sizes[i + 1])
        for i in range(2)
    ]
    spread = statistics.fmean(s)
    chart = qic(totals, sizes, chart="ip")
    assert [point.y for point in chart.points] == approx(means)
    for point, size in zip(chart.points, sizes, strict=True):
        sigma = spread * math.sqrt(1 / size)
        assert (point.cl, point.lcl, point.ucl) == (
            approx(cl),
            approx(cl - 3 * sigma),
            approx(cl + 3 * sigma),
        )


def test_ip_chart_screens_out_neighbour_sigmas_of_3_2665_times_their_mean_or_more() -> None:
    totals, sizes = [50.0, 51.0, 50.0, 51.0, 50.0, 51.0, 50.0, 90.0, 50.0, 51.0], [5] * 10
    means = [total / 5 for total in totals]
    s = [math.sqrt(math.pi / 2) * abs(b - a) / math.sqrt(1 / 5 + 1 / 5) for a, b in itertools.pairwise(means)]
    kept = screened(s, 3.2665)
    assert len(kept) == len(s) - 2
    sigma = statistics.fmean(kept) * math.sqrt(1 / 5)
    chart = qic(totals, sizes, chart="ip")
    assert chart.points[0].ucl == approx(sum(totals) / 50 + 3 * sigma)


def test_ip_chart_takes_its_spread_from_every_point_of_the_part_even_when_frozen() -> None:
    totals, sizes = [50.0, 52.0, 49.0, 80.0], [5, 5, 5, 5]
    frozen, whole = qic(totals, sizes, chart="ip", freeze=3), qic(totals, sizes, chart="ip")
    assert frozen.points[0].cl == approx(151 / 15)
    # As qicharts2: the jump after the baseline widens the frozen limits too.
    assert frozen.points[0].ucl - frozen.points[0].cl == approx(whole.points[0].ucl - whole.points[0].cl)


def test_multiply_scales_values_and_lines_but_not_the_runs_analysis() -> None:
    counts, sizes = [3, 5, 2, 8, 4, 6], [40, 50, 40, 60, 50, 50]
    plain, percent = qic(counts, sizes, chart="p"), qic(counts, sizes, chart="p", multiply=100)
    for one, hundred in zip(plain.points, percent.points, strict=True):
        assert (hundred.y, hundred.cl, hundred.lcl, hundred.ucl) == (
            approx(one.y * 100),
            approx(one.cl * 100),
            approx(one.lcl * 100),
            approx(one.ucl * 100),
        )
        assert hundred.n == one.n
    assert percent.parts == plain.parts


def test_multiply_scales_the_plotted_moving_ranges_and_subgroup_sds_too() -> None:
    series, labels = [3.0, 5.5, 2.25, 8.0, 4.0, 6.0], [1, 1, 2, 2, 3, 3]
    for chart, x in (("mr", None), ("s", labels), ("xbar", labels)):
        plain, scaled = qic(series, x=x, chart=chart), qic(series, x=x, chart=chart, multiply=10)
        assert [point.y for point in scaled.points] == [
            None if p.y is None else approx(p.y * 10) for p in plain.points
        ]
        assert lines(scaled) == [
            tuple(None if v is None else approx(v * 10) for v in line) for line in lines(plain)
        ]
