"""Anhøj runs analysis and the IHI shift and trend rules."""

from __future__ import annotations

from analytics import Pattern, qic
from analytics.runs import anhoej, shifts, trends


def figures_of(summary: object) -> tuple[object, ...]:
    fields = ("n_obs", "n_useful", "longest_run", "longest_run_max", "n_crossings", "n_crossings_min")
    return tuple(getattr(summary, field) for field in fields)


def test_all_points_on_the_median_leave_nothing_to_analyse() -> None:
    (summary,) = qic([5, 5, 5, 5]).parts
    assert figures_of(summary) == (4, 0, None, None, None, None)
    assert summary.runs_signal is False
    assert (summary.shifts, summary.trends) == ((), ())


def test_a_single_useful_point_gives_figures_but_no_signal() -> None:
    (summary,) = qic([1, 2, 2]).parts
    assert figures_of(summary) == (3, 1, 1, 3, 0, 0)
    assert summary.runs_signal is False


def test_a_single_point_lies_on_its_own_median() -> None:
    (summary,) = qic([7]).parts
    assert (summary.n_obs, summary.n_useful, summary.runs_signal) == (1, 0, False)


def test_points_on_the_centre_line_neither_break_nor_extend_a_run() -> None:
    # Median 2; sides without the points on it: − − − + + + −
    (summary,) = qic([1, 1, 2, 1, 3, 3, 2, 3, 1, 2]).parts
    assert figures_of(summary) == (10, 7, 3, 6, 2, 1)


def test_too_few_crossings_signal_even_when_no_run_is_too_long() -> None:
    (summary,) = qic([1] * 5 + [3] * 5 + [1] * 5 + [3] * 5).parts
    assert (summary.longest_run, summary.longest_run_max) == (5, 7)
    assert (summary.n_crossings, summary.n_crossings_min) == (3, 6)
    assert summary.runs_signal is True


def test_a_run_longer_than_the_limit_signals_even_with_enough_crossings() -> None:
    figures = anhoej([1] * 8 + [-1, 1] * 6)
    assert (figures.n_useful, figures.longest_run, figures.longest_run_max) == (20, 8, 7)
    assert (figures.n_crossings, figures.n_crossings_min) == (12, 6)
    assert figures.runs_signal is True


def test_a_random_looking_series_gives_no_runs_signal() -> None:
    figures = anhoej([1, -1, -1, 1, 1, 1, -1, 1, -1, -1, 1, -1])
    assert figures.runs_signal is False


def test_a_shift_needs_six_points_on_one_side_and_skips_points_on_the_median() -> None:
    sides = [(1, 1), (2, 1), (3, 1), (4, 0), (5, 1), (6, 1), (7, 1)]
    assert shifts(sides) == (Pattern(first=1, last=7, length=6, direction="above"),)
    assert shifts(sides[:6]) == ()


def test_a_point_on_the_other_side_breaks_a_shift() -> None:
    sides = [(1, -1), (2, -1), (3, -1), (4, 1), (5, -1), (6, -1), (7, -1)]
    assert shifts(sides) == ()
    assert shifts([(position, -1) for position in range(3, 9)]) == (
        Pattern(first=3, last=8, length=6, direction="below"),
    )


def test_a_trend_needs_five_points_and_skips_repeated_values() -> None:
    rising = [(1, 1.0), (2, 2.0), (3, 2.0), (4, 3.0), (5, 4.0), (6, 5.0)]
    assert trends(rising) == (Pattern(first=1, last=6, length=5, direction="up"),)
    assert trends(rising[:5]) == ()


def test_a_reversal_ends_one_trend_and_starts_the_next() -> None:
    values = [(position, float(value)) for position, value in enumerate([1, 2, 3, 4, 5, 4, 3, 2, 1], 1)]
    assert trends(values) == (
        Pattern(first=1, last=5, length=5, direction="up"),
        Pattern(first=5, last=9, length=5, direction="down"),
    )


def test_a_flat_series_has_no_trend() -> None:
    assert trends([(position, 3.0) for position in range(1, 10)]) == ()


def test_shifts_and_trends_are_found_per_part_at_series_positions() -> None:
    chart = qic([5, 5, 5, 5, 5, 5, 1, 2, 3, 4, 5], part=[6])
    assert chart.parts[0].trends == ()
    assert chart.parts[1].trends == (Pattern(first=7, last=11, length=5, direction="up"),)


def test_excluded_and_missing_points_are_skipped_by_the_ihi_rules() -> None:
    chart = qic([1, 2, None, 3, 0, 4, 5, 9, 9, 9, 9], exclude=[5])
    (summary,) = chart.parts
    assert summary.trends == (Pattern(first=1, last=8, length=6, direction="up"),)
