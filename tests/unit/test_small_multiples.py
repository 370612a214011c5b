"""Every team's chart side by side (adapters.charts.multiples): one panel per team on a
shared y scale and month axis, signals by shape and colour, gaps for missing months, one
legend, titles for assistive technology; the panel orderings; and 500 teams × 24 months
drawn within 300 ms."""

from __future__ import annotations

import random
import re
import time
import xml.etree.ElementTree as ET

import pytest

from adapters.charts.multiples import render_small_multiples, sort_panels
from adapters.charts.text import text_width
from aggregates.values import Direction, MeasureDefinition, MeasureKind
from analytics.models import QicResult
from projections.chart_model import ChartView, Slot

NS = "{http://www.w3.org/2000/svg}"
MEASURE = MeasureDefinition(
    key="weight-kg",
    name="Children weighed in kg",
    kind=MeasureKind.PROCESS,
    numerator="children weighed in kilograms",
    denominator="children seen",
    direction=Direction.INCREASE,
)


def months(first: int, count: int, year: int = 2024) -> list[str]:
    """count periods from month `first` (1-based) of year on."""
    return [f"{year + (first - 1 + k) // 12}-{(first - 1 + k) % 12 + 1:02d}" for k in range(count)]


def view(values, start: int = 1, goal: float | None = None, measure=MEASURE, **flags) -> ChartView:
    """A p-chart view of values (None: a month without data) from month `start` of 2024;
    flags name the slot indices that are outside the limits, in a shift or in a trend."""
    slots = [
        Slot(
            period=period,
            y=y,
            cl=0.5,
            lcl=0.2,
            ucl=0.8,
            outside_limits=i in flags.get("outside", ()),
            in_shift=i in flags.get("shift", ()),
            in_trend=i in flags.get("trend", ()),
        )
        for i, (period, y) in enumerate(zip(months(start, len(values)), values, strict=True))
    ]
    result = QicResult(chart="p", points=(), parts=())
    return ChartView(
        measure=measure,
        chart="p",
        chart_reason="default",
        result=result,
        cycles=[],
        slots=slots,
        goal=goal,
        percent=True,
    )


def drawn(panels, **kwargs) -> ET.Element:
    return ET.fromstring(render_small_multiples(panels, "Weight in kg: every team", **kwargs))


def panels_of(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{NS}g") if g.get("class") == "panel"]


def with_class(element: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in element.iter() if name in e.get("class", "").split()]


def test_draws_one_titled_panel_per_team_in_the_order_given():
    root = drawn([("ED B", view([0.4, 0.5])), ("ED A", view([0.6, 0.7]))])
    panels = panels_of(root)
    assert [p.find(f"{NS}title").text.split(":")[0] for p in panels] == ["ED B", "ED A"]
    assert panels[0].find(f"{NS}title").text == "ED B: latest 50% (2024-02); no signal"
    assert root.get("role") == "img" and root.find(f"{NS}title").text == "Weight in kg: every team"


def test_a_long_team_name_is_ellipsised_to_fit_its_panel_and_kept_whole_in_the_title():
    name = (
        "Critical Access Hospital of the Northern Plains Tribal Health Consortium, Pediatric Emergency Care"
    )
    root = drawn([(name, view([0.4]))], columns=4, width=980)
    heading = with_class(root, "panel-heading")[0].text
    panel_width = (980 - 2 * 16 - 3 * 12) / 4
    assert heading.endswith("…") and text_width(heading, 12, bold=True) <= panel_width - 12
    assert panels_of(root)[0].find(f"{NS}title").text.startswith(name + ":")


def point_positions(panel: ET.Element) -> list[tuple[float, float]]:
    return [
        (float(e.get("cx")), float(e.get("cy"))) if e.tag == f"{NS}circle" else _path_centre(e.get("d"))
        for e in panel.iter()
        if "point" in e.get("class", "").split()
    ]


def _path_centre(d: str) -> tuple[float, float]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return numbers[0], (numbers[1] + numbers[5]) / 2  # a diamond: top vertex, then bottom vertex


def test_panels_share_one_y_scale_so_one_value_sits_at_one_height_in_every_panel():
    root = drawn([("Low", view([0.1, 0.3])), ("High", view([0.3, 0.95]))])
    low, high = (point_positions(p) for p in panels_of(root))
    assert low[1][1] == high[0][1]  # 30% in both
    grids = {p.find(f"{NS}path").get("d") for p in panels_of(root)}
    assert len(grids) == 1


def test_panels_share_one_month_axis_from_the_earliest_to_the_latest_month():
    early, late = view([0.5] * 12), view([0.5] * 12, start=7)  # 2024-01..12 and 2024-07..2025-06
    root = drawn([("Early", early), ("Late", late)])
    first, second = (point_positions(p) for p in panels_of(root))
    assert second[0][0] == first[6][0]  # both at 2024-07
    labels = [e.text for e in with_class(root, "ticks")[0].iter(f"{NS}text") if (e.text or "")[:3].isalpha()]
    assert labels == ["Jan 2024", "Jun 2025"]


def test_a_month_without_data_is_a_gap_in_the_line():
    root = drawn([("Gappy", view([0.4, 0.5, None, 0.6, 0.5]))])
    series = with_class(root, "series")[0].get("d")
    assert series.count("M") == 2 and series.count("L") == 2
    assert len(point_positions(panels_of(root)[0])) == 4


def test_signals_are_drawn_by_shape_and_colour_outside_limits_before_a_shift_before_a_trend():
    chart = view([0.5, 0.9, 0.6, 0.6, 0.7], outside=[1], shift=[1, 2], trend=[3])
    root = drawn([("Signals", chart)])
    outside, shift, trend = (with_class(root, name) for name in ("outside", "shift", "trend"))
    assert len(outside) == 1 and len(shift) == 1 and len(trend) == 1  # slot 1 is drawn once, as outside
    assert outside[0].tag == shift[0].tag == trend[0].tag == f"{NS}path"
    assert outside[0].get("fill") != shift[0].get("fill") == trend[0].get("fill")
    assert outside[0].get("d") != shift[0].get("d")
    assert "1 outside the limits, 2 in a shift, 1 in a trend" in panels_of(root)[0].find(f"{NS}title").text


def test_the_goal_is_a_line_only_in_panels_with_a_goal_and_there_is_one_legend():
    root = drawn([("With", view([0.5], goal=0.9)), ("Without", view([0.5]))])
    with_goal, without = panels_of(root)
    assert len(with_class(with_goal, "goal")) == 1 and not with_class(without, "goal")
    assert len(with_class(root, "legend")) == 1


def test_the_description_counts_the_teams_and_names_those_with_a_signal():
    root = drawn([("Quiet", view([0.5, 0.5])), ("Loud", view([0.5, 0.9], outside=[1]))])
    desc = root.find(f"{NS}desc").text
    assert "one chart per team for 2 teams, from Jan 2024 to Feb 2024" in desc
    assert desc.endswith("1 team shows a signal: Loud.")


def test_refuses_fewer_than_one_column():
    with pytest.raises(ValueError, match="at least 1 column"):
        render_small_multiples([("A", view([0.5]))], "t", columns=0)


PANELS = [
    ("Bravo", view([0.2, 0.6], goal=0.9)),  # 0.3 short of its goal
    ("alpha", view([0.5, 0.8], goal=0.85, outside=[1], shift=[0, 1])),  # two points signal; 0.05 short
    ("Charlie", view([0.7, 0.95], goal=0.9, trend=[0])),  # one point signals; past its goal
    ("Delta", view([None, None])),  # no data
]


def names(panels) -> list[str]:
    return [name for name, _ in panels]


def test_sorts_panels_by_name_ignoring_case():
    assert names(sort_panels(PANELS, "name")) == ["alpha", "Bravo", "Charlie", "Delta"]


def test_sorts_panels_by_latest_value_highest_first_with_no_data_last():
    assert names(sort_panels(PANELS, "latest")) == ["Charlie", "alpha", "Bravo", "Delta"]


def test_sorts_panels_with_a_signal_first_then_by_how_many_points_signal():
    assert names(sort_panels(PANELS, "signal")) == ["alpha", "Charlie", "Bravo", "Delta"]


def test_sorts_panels_furthest_from_goal_first_respecting_the_measures_direction():
    assert names(sort_panels(PANELS, "goal")) == ["Bravo", "alpha", "Charlie", "Delta"]
    lower = MEASURE.model_copy(update={"direction": Direction.DECREASE})
    falls = [("Near", view([0.3], goal=0.2, measure=lower)), ("Far", view([0.6], goal=0.2, measure=lower))]
    assert names(sort_panels(falls, "goal")) == ["Far", "Near"]


def test_refuses_an_unknown_sort():
    with pytest.raises(ValueError, match="not 'size'"):
        sort_panels(PANELS, "size")  # type: ignore[arg-type]


def test_draws_500_teams_of_24_months_within_300_ms():
    rng = random.Random(7)
    panels = [
        (
            f"Critical Access Hospital {i} of the Northern Plains" if i % 3 else f"ED {i}",
            view(
                [None if rng.random() < 0.05 else rng.uniform(0.2, 0.9) for _ in range(24)],
                goal=0.9,
                outside=[rng.randrange(24)],
                shift=range(rng.randrange(24), 24) if i % 4 == 0 else (),
            ),
        )
        for i in range(500)
    ]
    timings = []
    for _ in range(3):  # the best of three: the machine is shared
        start = time.perf_counter()
        svg = render_small_multiples(panels, "Weight in kg: every team")
        timings.append(time.perf_counter() - start)
    assert len(panels_of(ET.fromstring(svg))) == 500
    assert min(timings) < 0.3, f"500 panels took {min(timings) * 1000:.0f} ms"
