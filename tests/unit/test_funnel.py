"""The funnel plot's numbers and its drawing: Spiegelhalter's (2005) limits, normal and exact (binomial or
Poisson with his interpolation), checked against values worked by hand and against a
brute-force reference summed with math.comb in exact fractions; the bands, outliers, units
without data, and the refusals; then the SVG, parsed as XML."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest

from adapters.charts.funnel import render_funnel
from analytics.funnel import Band, FunnelUnit, funnel, limits, window_totals


def unit(label: str, numerator: float, denominator: float) -> FunnelUnit:
    return FunnelUnit(id=label.lower(), label=label, numerator=numerator, denominator=denominator)


def reference_binomial_limit(p: float, n: int, theta: Fraction, upper: bool) -> float:
    """(r_p − α)/n, or (r_p + 1 − α)/n for an upper limit, from the binomial distribution
    summed term by term in exact fractions."""
    cdf, below = Fraction(0), Fraction(0)
    for r in range(n + 1):
        below, cdf = cdf, cdf + math.comb(n, r) * theta**r * (1 - theta) ** (n - r)
        if cdf >= Fraction(p):
            return float((r + upper - (cdf - Fraction(p)) / (cdf - below)) / n)
    raise AssertionError("the cdf reaches 1")


def exact_tail(r: int, n: int, theta: Fraction, upper: bool) -> Fraction:
    """P(R ≥ r) (upper) or P(R ≤ r) for R ~ Binomial(n, θ), in exact fractions."""
    counts = range(r, n + 1) if upper else range(r + 1)
    return sum((math.comb(n, k) * theta**k * (1 - theta) ** (n - k) for k in counts), Fraction(0))


def test_normal_limits_at_p_one_tenth_and_n_one_hundred_are_target_plus_or_minus_z_times_three_hundredths():
    bounds = limits(100, 0.1, "proportion", "normal")
    assert bounds.lower_95 == pytest.approx(0.1 - 1.959964 * 0.03, abs=1e-7)
    assert bounds.upper_95 == pytest.approx(0.1 + 1.959964 * 0.03, abs=1e-7)
    assert bounds.lower_998 == pytest.approx(0.1 - 3.090232 * 0.03, abs=1e-7)
    assert bounds.upper_998 == pytest.approx(0.1 + 3.090232 * 0.03, abs=1e-7)


def test_normal_limits_of_a_rate_use_the_poisson_variance_target_over_exposure():
    bounds = limits(400, 0.25, "rate", "normal")  # sd = sqrt(0.25 / 400) = 0.025
    assert bounds.upper_95 == pytest.approx(0.25 + 1.959964 * 0.025, abs=1e-7)
    assert bounds.lower_998 == pytest.approx(0.25 - 3.090232 * 0.025, abs=1e-7)


def test_exact_upper_95_limit_for_ten_patients_at_one_tenth_matches_the_hand_worked_interpolation():
    # Binomial(10, 0.1): F(2) = 0.9298091736, F(3) = 0.9872048016, so r = 3 and
    # α = (0.9872048016 − 0.975) / (0.9872048016 − 0.9298091736) = 0.2126434; (3 + 1 − α)/10.
    assert limits(10, 0.1, "proportion").upper_95 == pytest.approx(0.37873566, abs=1e-8)


def test_exact_lower_95_limit_for_forty_patients_at_one_half_matches_the_hand_worked_interpolation():
    # Binomial(40, 0.5): F(13) = 0.0192387, F(14) = 0.0403452, so r = 14 and
    # α = (0.0403452 − 0.025) / 0.0211065 = 0.7270356; (14 − α)/40.
    assert limits(40, 0.5, "proportion").lower_95 == pytest.approx((14 - 0.7270356) / 40, abs=1e-7)


def test_exact_lower_limit_below_zero_is_clipped_to_zero_for_a_small_denominator():
    bounds = limits(10, 0.1, "proportion")
    assert bounds.lower_95 == 0.0 and bounds.lower_998 == 0.0


@pytest.mark.parametrize(("n", "theta"), [(1, "1/2"), (7, "3/10"), (25, "1/20"), (100, "1/10"), (240, "7/8")])
def test_exact_binomial_limits_equal_the_brute_force_reference(n: int, theta: str):
    exact = Fraction(theta)
    bounds = limits(n, float(exact), "proportion")
    tails = ((0.001, False), (0.025, False), (0.975, True), (0.999, True))
    expected = [max(0.0, min(1.0, reference_binomial_limit(p, n, exact, upper))) for p, upper in tails]
    got = [bounds.lower_998, bounds.lower_95, bounds.upper_95, bounds.upper_998]
    assert got == pytest.approx(expected, abs=1e-9)


def test_exact_poisson_upper_95_limit_for_an_expected_two_events_matches_the_hand_worked_interpolation():
    # Poisson(2): F(4) = 7e⁻² = 0.9473470 < 0.975 ≤ F(5) = (7 + 4/15)e⁻² = 0.9834364, so r = 5
    # and α = (F(5) − 0.975) / P(5), with P(5) = (4/15)e⁻²: α = 0.2337636, limit (5 + 1 − α) / 50.
    f5, p5 = (7 + 4 / 15) * math.exp(-2), 4 / 15 * math.exp(-2)
    alpha = (f5 - 0.975) / p5
    assert alpha == pytest.approx(0.2337636, abs=1e-7)
    assert limits(50, 0.04, "rate").upper_95 == pytest.approx((5 + 1 - alpha) / 50, abs=1e-12)


@pytest.mark.parametrize(("n", "theta"), [(10, "1/10"), (12, "1/3"), (30, "1/20"), (64, "9/10")])
def test_a_unit_is_beyond_an_exact_limit_exactly_when_its_exact_one_sided_p_value_is_below_the_tail(
    n: int, theta: str
):
    exact = Fraction(theta)
    bounds = limits(n, float(exact), "proportion")
    for r in range(n + 1):
        high, low = exact_tail(r, n, exact, upper=True), exact_tail(r, n, exact, upper=False)
        assert (r / n > bounds.upper_95) == (high < Fraction(25, 1000)), r
        assert (r / n > bounds.upper_998) == (high < Fraction(1, 1000)), r
        assert (r / n < bounds.lower_95) == (low < Fraction(25, 1000)), r
        assert (r / n < bounds.lower_998) == (low < Fraction(1, 1000)), r


def test_exact_and_normal_limits_converge_for_a_large_denominator():
    exact, normal = limits(20000, 0.3, "proportion"), limits(20000, 0.3, "proportion", "normal")
    assert exact.upper_998 == pytest.approx(normal.upper_998, abs=2e-4)
    assert exact.lower_95 == pytest.approx(normal.lower_95, abs=2e-4)


def test_exact_limits_for_a_denominator_of_a_hundred_thousand_are_finite_and_ordered():
    bounds = limits(100_000, 0.5, "proportion")
    assert 0 < bounds.lower_998 < bounds.lower_95 < 0.5 < bounds.upper_95 < bounds.upper_998 < 1


def test_target_is_the_pooled_value_unless_given():
    units = [unit("A", 3, 10), unit("B", 10, 100), unit("C", 40, 200)]
    assert funnel(units, "proportion").target == pytest.approx(53 / 310)
    given = funnel(units, "proportion", target=0.2)
    assert given.target == 0.2 and given.target_given


def test_units_are_banded_against_their_own_limits_and_listed_as_outliers_worst_first():
    units = [
        unit("Big low", 6, 100),
        unit("Small", 1, 5),
        unit("Big high", 45, 100),
        unit("Mid high", 12, 50),
    ]
    result = funnel(units, "proportion", target=0.15)
    bands = {p.label: p.band for p in result.points}
    assert bands == {
        "Big low": Band.LOW_95,  # 0.06: below the exact 95% limit (0.078), above the 99.8% one (0.045)
        "Small": Band.INSIDE,
        "Big high": Band.HIGH_998,  # 0.45, z = 8.4
        "Mid high": Band.INSIDE,  # 0.24: just under the upper 95% limit at 50 (0.246)
    }
    assert [p.label for p in result.outliers] == ["Big high", "Big low"]


def test_z_score_is_the_distance_from_target_in_standard_errors():
    point = funnel([unit("A", 16, 100)], "proportion", target=0.1).points[0]
    assert point.z == pytest.approx(0.06 / 0.03)


def test_units_with_a_zero_denominator_are_listed_as_no_data_and_not_plotted():
    result = funnel([unit("A", 3, 30), unit("Quiet", 0, 0)], "proportion")
    assert [u.label for u in result.no_data] == ["Quiet"]
    assert [p.label for p in result.points] == ["A"]


def test_limit_curves_run_from_the_smallest_to_past_the_largest_denominator_and_narrow():
    result = funnel([unit("A", 1, 4), unit("B", 30, 300)], "proportion")
    dens = [c.denominator for c in result.curve]
    assert dens[0] == 4 and dens[-1] >= 300 and dens == sorted(dens)
    widths = [c.upper_998 - c.lower_998 for c in result.curve]
    assert widths[-1] < widths[0] / 4


def test_a_window_is_summed_per_unit():
    rows = [unit("A", 1, 10), unit("B", 2, 5), unit("A", 3, 20)]
    assert [(u.label, u.numerator, u.denominator) for u in window_totals(rows)] == [("A", 4, 30), ("B", 2, 5)]


@pytest.mark.parametrize(
    ("units", "kwargs", "message"),
    [
        ([unit("A", 11, 10)], {}, "numerator \\(11\\) exceeds its denominator"),
        ([unit("A", -1, 10)], {}, "cannot be negative"),
        ([unit("A", 1.5, 10)], {}, "numerator must be whole"),
        ([unit("A", 1, 0)], {}, "events with a denominator of 0"),
        ([unit("A", 0, 0)], {}, "no unit has a denominator above 0"),
        ([unit("A", 1, 10), unit("A", 2, 10)], {}, "appears twice"),
        ([unit("A", 1, 10)], {"target": 1.5}, "between 0 and 1"),
        ([unit("A", 1, 10)], {"method": "wilson"}, "'exact' or 'normal'"),
        ([], {}, "at least one unit"),
    ],
)
def test_refuses_bad_input_naming_the_problem(units, kwargs, message):
    with pytest.raises(ValueError, match=message):
        funnel(units, "proportion", **kwargs)


def test_refuses_a_count_measure_which_has_no_denominator():
    with pytest.raises(ValueError, match="not 'count'"):
        funnel([unit("A", 1, 10)], "count")


def test_a_rate_may_exceed_one_and_have_fractional_exposure():
    result = funnel([unit("A", 12, 7.5), unit("B", 3, 10.25)], "rate")
    assert result.points[0].value == pytest.approx(1.6)
    assert result.target == pytest.approx(15 / 17.75)


# The drawing (adapters.charts.funnel), parsed as XML.

NS = "{http://www.w3.org/2000/svg}"


def drawn(result, title: str = "Children weighed in kg", **kwargs) -> ET.Element:
    return ET.fromstring(render_funnel(result, title, **kwargs))


def with_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in e.get("class", "").split()]


def sample():
    units = [
        unit("Big low", 6, 100),
        unit("Small", 1, 5),
        unit("Big high", 45, 100),
        unit("Mid high", 12, 50),
    ]
    return funnel([*units, unit("Quiet ED", 0, 0)], "proportion", target=0.15)


def test_funnel_svg_is_an_image_with_a_title_and_a_description_naming_the_outliers_by_label():
    root = drawn(sample(), "Weighed <in> kg & more")
    assert root.get("role") == "img" and root.find(f"{NS}title").text == "Weighed <in> kg & more"
    desc = root.find(f"{NS}desc").text
    assert "Beyond the 99.8% limits: Big high (high, 45.0% of 100)" in desc
    assert "Beyond the 95% limits only: Big low (low, 6.0% of 100)" in desc
    assert "No data (denominator 0): Quiet ED" in desc and "target 15.0% (given)" in desc


def test_funnel_svg_draws_one_unit_per_plotted_point_and_marks_outliers_by_shape_and_label():
    root = drawn(sample())
    units = with_class(root, "unit")
    assert len(units) == 4  # the unit without data is not plotted
    outliers = with_class(root, "outlier")
    assert {e.find(f"{NS}title").text.split(":")[0] for e in outliers} == {"Big high", "Big low"}
    assert all(e.tag == f"{NS}path" for e in outliers)  # square or diamond, never the inside circle
    assert {e.tag for e in units if e not in outliers} == {f"{NS}circle"}
    assert with_class(root, "high-998")[0].get("fill") != with_class(root, "low-95")[0].get("fill")
    assert sorted(e.text for e in with_class(root, "outlier-label")) == ["Big high", "Big low"]


def test_funnel_svg_has_two_curves_per_limit_in_distinct_dashes_a_target_line_and_one_legend():
    root = drawn(sample())
    limit95, limit998 = with_class(root, "limit-95"), with_class(root, "limit-998")
    assert len(limit95) == 2 and len(limit998) == 2
    assert limit95[0].get("stroke-dasharray") != limit998[0].get("stroke-dasharray")
    assert len(with_class(root, "target")) == 1 and len(with_class(root, "legend")) == 1


def test_funnel_svg_upper_curves_lie_above_the_target_and_lower_curves_below():
    root = drawn(sample())
    target_y = float(with_class(root, "target")[0].get("y1"))

    def ys(element: ET.Element) -> list[float]:
        return [float(pair.split(",")[1]) for pair in element.get("d")[1:].split("L")]

    assert all(y <= target_y for e in with_class(root, "upper_998") for y in ys(e))
    assert all(y >= target_y for e in with_class(root, "lower_95") for y in ys(e))


def test_funnel_svg_shows_a_proportion_in_percent_and_a_rate_as_is():
    def ticks(root: ET.Element) -> list[str]:
        return [e.text for e in with_class(root, "y-tick")]

    assert all(t.endswith("%") for t in ticks(drawn(sample())))
    rate = funnel([unit("A", 12, 7.5), unit("B", 3, 10.25)], "rate")
    assert not any(t.endswith("%") for t in ticks(drawn(rate)))


def test_funnel_svg_x_axis_covers_every_denominator_with_nice_ticks():
    root = drawn(sample())
    values = [float(e.text) for e in with_class(root, "x-tick")]
    assert values[0] == 0 and values[-1] >= 100 and len(values) <= 8
