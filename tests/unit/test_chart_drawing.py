"""The chart drawing reads as QI faculty expect: months on the x axis with gaps that
break the line, phases labelled with their reasons, PDSA cycles and annotations at
their months, the goal and baseline, each signal by its own shape, a key that lists
exactly what is drawn, and every label inside the chart at both widths."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from adapters.charts.legend import ORDER
from adapters.charts.svg import NARROW, WIDTH, render_chart
from projections.chart_model import ChartView, Mark, Phase, Slot
from projections.chart_words import month_label
from tests.unit.chart_views import hand_view, months_from, qic_view
from tests.unit.svg_boxes import NS, texts, view_box

PDSA_IN_A_GAP = Mark(
    period="2025-04", kind="pdsa", label="PDSA 1", detail="Scales set to kg only (Do)", who="Ann Lee",
    at=datetime(2025, 4, 2, 15, 0, tzinfo=UTC),
)  # fmt: skip
NOTE_IN_A_GAP = Mark(
    period="2025-04", kind="annotation", label="Note", detail="EHR down for two weeks", who="Bo"
)
PHASE_CHANGE = Mark(
    period="2025-10", kind="phase", label="Phase 2", detail="Agreed at the learning session", who="Cy"
)
# Jan 2025 to Sep 2026 with April 2025 missing; the first 9 months one phase, then a new triage form.
WEIGHED = [40, 55, 61, None, 52, 48, 66, 71, 59, 62, 75, 80, 82, 85, 83, 86, 88, 84, 90, 87, 91]


def busy_view(marks: tuple[Mark, ...] = (PDSA_IN_A_GAP, NOTE_IN_A_GAP, PHASE_CHANGE)) -> ChartView:
    return qic_view(
        "2025-01", WEIGHED, [100] * len(WEIGHED), part=[9], exclude=[6],
        reasons={2: "New triage form in every bay, with the scale beside the desk"}, marks=marks, goal=0.9,
        description="A P chart of weight in kilograms.",
    )  # fmt: skip


def draw(view: ChartView, width: int = WIDTH) -> ET.Element:
    return ET.fromstring(render_chart(view, "Team A: weight recorded in kilograms", width=width))


def classes(element: ET.Element) -> set[str]:
    return set((element.get("class") or "").split())


def having(root: ET.Element, *names: str) -> list[ET.Element]:
    """The elements carrying every one of these classes."""
    return [e for e in root.iter() if set(names) <= classes(e)]


def title_of(element: ET.Element) -> str:
    return element.findtext(f"{NS}title") or ""


def month_labels(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{NS}text") if t.get("class") == "x-tick"]


def point_x(point: ET.Element) -> float:
    shape = next(iter(point))
    if shape.tag == f"{NS}circle":
        return float(shape.get("cx", 0))
    if shape.tag == f"{NS}rect":
        return float(shape.get("x", 0)) + float(shape.get("width", 0)) / 2
    xs = [float(pair.split(",")[0]) for pair in (shape.get("points") or "").split()]
    return (min(xs) + max(xs)) / 2


def slot(period: str, y: float | None, **flags: object) -> Slot:
    return Slot(period=period, y=y, cl=5.0, lcl=1.0, ucl=9.0, **flags)  # type: ignore[arg-type]


# Time on the x axis


def test_a_month_without_data_keeps_its_place_and_breaks_the_line() -> None:
    root = draw(busy_view())
    series = having(root, "series")[0].get("d") or ""
    assert len(re.findall("M", series)) == 2  # Jan to Mar, then May on
    xs = [point_x(p) for p in having(root, "point")]
    steps = [round(b - a, 1) for a, b in itertools.pairwise(xs)]
    month = steps[0]
    assert steps[2] == pytest.approx(2 * month, abs=0.2)  # March to May: two months apart
    assert all(s == pytest.approx(month, abs=0.2) for i, s in enumerate(steps) if i != 2)
    [gap] = having(root, "gap")
    assert title_of(gap) == "Apr 2025: no data"


def test_months_are_labelled_as_people_write_them_every_other_month_when_21_fit_in_820_px() -> None:
    labels = month_labels(draw(busy_view()))
    assert labels[:3] == ["Jan 2025", "Mar 2025", "May 2025"] and labels[-1] == "Sep 2026"


@pytest.mark.parametrize(
    ("months", "width", "expected"),
    [
        (12, WIDTH, [month_label(p) for p in months_from("2025-01", 12)]),
        (36, WIDTH, [f"{m} {y}" for y in (2024, 2025, 2026) for m in ("Jan", "Apr", "Jul", "Oct")]),
        (12, NARROW, ["Jan 2025", "Jul 2025"]),
        (60, NARROW, ["Jan 2022", "Jan 2024", "Jan 2026"]),
    ],
)
def test_crowded_months_are_labelled_by_calendar_quarter_half_or_year(
    months: int, width: int, expected: list[str]
) -> None:
    first = {12: "2025-01", 36: "2024-01", 60: "2022-01"}[months]
    view = qic_view(first, [50 + (k % 7) for k in range(months)], [100] * months)
    root = draw(view, width)
    assert month_labels(root) == expected
    boxes = sorted((b for b in texts(root, {"font-size": "12"}) if b.text in expected), key=lambda b: b.left)
    assert all(a.right + 8 <= b.left for a, b in itertools.pairwise(boxes))  # no two labels touch


# Levels: centre, limits, goal, baseline


def test_each_phase_has_its_own_centre_line_orange_where_its_runs_signal() -> None:
    root = draw(busy_view())
    centres = having(root, "centre")
    assert len(centres) == 2
    assert ["runs-signal" in classes(c) for c in centres] == [False, True]
    assert centres[1].get("stroke") == "#ef6c00"
    assert all(limit.get("stroke-dasharray") for limit in having(root, "limit"))


def test_the_goal_is_a_green_line_labelled_with_its_percent_inside_the_axis() -> None:
    view = qic_view("2025-01", [40, 45, 42, 44, 41, 43], [100] * 6, goal=0.9)
    root = draw(view)
    [goal] = having(root, "goal")
    assert goal.find(f"{NS}line").get("stroke") == "#2e7d32"  # type: ignore[union-attr]
    [label] = having(root, "goal-label")
    assert "".join(label.itertext()) == "Goal 90%" and title_of(goal) == "Goal 90%"
    ticks = [t.text or "" for t in root.iter(f"{NS}text") if t.get("class") == "y-tick"]
    assert float(ticks[-1].rstrip("%")) >= 90  # the axis reaches the goal though no month does


def test_a_frozen_baseline_is_a_band_behind_its_months_named_under_the_axis() -> None:
    view = qic_view("2025-01", [5, 6, 4, 5, 6, 5, 4, 6, 5, 5, 20, 5], chart="c", freeze=8)
    root = draw(view)
    [band] = having(root, "baseline")
    rect = band.find(f"{NS}rect")
    assert rect is not None
    points = having(root, "point")
    left, right = float(rect.get("x", 0)), float(rect.get("x", 0)) + float(rect.get("width", 0))
    inside = [left < point_x(p) < right for p in points]
    assert inside == [True] * 8 + [False] * 4
    label = "".join(band.find(f"{NS}text").itertext())  # type: ignore[union-attr]
    assert label == "Baseline: 8 points" and "through Aug 2025" in title_of(band)
    assert "baseline" in title_of(points[0]) and "baseline" not in title_of(points[-1])


# Phases and marks


def test_a_phase_boundary_is_labelled_with_its_reason_and_tells_all_of_it_in_its_title() -> None:
    root = draw(busy_view())
    [phase] = having(root, "mark", "phase")  # the phase-change mark of that month joins the boundary
    label = "".join(phase.find(f"{NS}text").itertext())  # type: ignore[union-attr]
    assert label.startswith("Phase 2: New triage form")
    said = title_of(phase)
    assert said.startswith(
        "Phase 2 from Oct 2025: New triage form in every bay, with the scale beside the desk"
    )
    assert "Agreed at the learning session" in said and "by Cy" in said
    line_x = float(phase.find(f"{NS}line").get("x1", 0))  # type: ignore[union-attr]
    october = next(p for p in having(root, "point") if p.get("data-period") == "2025-10")
    september = next(p for p in having(root, "point") if p.get("data-period") == "2025-09")
    assert point_x(september) < line_x < point_x(october)


def test_pdsa_cycles_and_annotations_are_drawn_at_their_month_even_without_data() -> None:
    root = draw(busy_view())
    [gap] = having(root, "gap")
    gap_x = float(gap.find(f"{NS}circle").get("cx", 0))  # type: ignore[union-attr]
    [pdsa] = having(root, "mark", "pdsa")
    line = pdsa.find(f"{NS}line")
    assert line is not None and float(line.get("x1", 0)) == gap_x and line.get("stroke-dasharray")
    assert "".join(pdsa.find(f"{NS}text").itertext()) == "PDSA 1"  # type: ignore[union-attr]
    assert title_of(pdsa) == "PDSA 1, Apr 2025: Scales set to kg only (Do); by Ann Lee, 2 Apr 2025"
    [note] = having(root, "mark", "annotation")
    assert (
        note.find(f"{NS}polygon") is not None
        and title_of(note) == "Note, Apr 2025: EHR down for two weeks; by Bo"
    )


def test_a_mark_outside_the_charts_months_is_not_drawn() -> None:
    later = Mark(period="2027-01", kind="pdsa", label="PDSA 9")
    assert having(draw(busy_view((later,))), "mark", "pdsa") == []


# Points and signals


def test_each_signal_has_its_own_shape_and_classes_and_a_title_in_words() -> None:
    view = hand_view(
        [
            slot("2025-01", 4.5),
            slot("2025-02", 9.5, outside_limits=True),
            slot("2025-03", 6.0, in_shift=True),
            slot("2025-04", 7.0, in_trend=True),
            slot("2025-05", 9.8, outside_limits=True, in_shift=True),
            slot("2025-06", 3.0, excluded="wrong denominator entered"),
        ]
    )
    root = draw(view)
    shapes = {
        p.get("data-period"): (next(iter(p)).tag.removeprefix(NS), classes(p)) for p in having(root, "point")
    }
    assert shapes == {
        "2025-01": ("circle", {"point"}),
        "2025-02": ("polygon", {"point", "signal", "signal-outside"}),
        "2025-03": ("rect", {"point", "signal", "signal-shift"}),
        "2025-04": ("polygon", {"point", "signal", "signal-trend"}),
        "2025-05": ("polygon", {"point", "signal", "signal-outside", "signal-shift"}),
        "2025-06": ("circle", {"point", "excluded"}),
    }
    corners = {
        p.get("data-period"): len(next(iter(p)).get("points", "").split()) for p in having(root, "signal")
    }
    assert corners["2025-02"] == 4 and corners["2025-04"] == 3  # a diamond, a triangle
    excluded = having(root, "excluded")[0]
    assert (
        next(iter(excluded)).get("fill") == "#ffffff" and excluded.find(f"{NS}path") is not None
    )  # hollow, crossed
    titles = [title_of(p) for p in having(root, "point")]
    assert titles[0] == "Jan 2025: 4.5"
    assert titles[1] == "Feb 2025: 9.5; outside the limits"
    assert titles[4] == "May 2025: 9.8; outside the limits, part of a shift"
    assert titles[5] == "Jun 2025: 3; excluded from the limits: wrong denominator entered"
    assert len(having(root, "signal")) == 4


def test_a_percent_charts_points_say_the_percent_and_its_numerator_of_n() -> None:
    root = draw(busy_view())
    titles = {p.get("data-period"): title_of(p) for p in having(root, "point")}
    assert titles["2025-01"] == "Jan 2025: 40% (40 of 100); outside the limits"
    assert titles["2025-02"] == "Feb 2025: 55% (55 of 100)"
    assert "2025-04" not in titles


def test_a_count_charts_points_say_the_count() -> None:
    root = draw(qic_view("2025-01", [3, 9, 4, 12, 5], chart="c"))
    assert title_of(having(root, "point")[1]) == "Feb 2025: 9"


def test_a_signalled_point_from_qic_carries_signal_and_its_kind() -> None:
    root = draw(busy_view())
    kinds = {p.get("data-period"): classes(p) - {"point", "signal"} for p in having(root, "signal")}
    assert kinds["2025-01"] == {"signal-outside"}  # 40% under its phase's lower limit
    assert kinds["2025-11"] == {"signal-trend"}  # 62, 75, 80, 82, 85: five up
    assert kinds["2026-06"] == {"signal-shift"}  # eight above phase 2's centre line


# The key


def drawn_keys(root: ET.Element) -> set[str]:
    """What the plot shows, named as the key names it."""
    plot = [e for e in root.iter() if not any("legend" in c for c in classes(e))]
    found = set()
    for point in (e for e in plot if "point" in classes(e)):
        found.add(
            next(
                k
                for k in ("excluded", "signal-outside", "signal-shift", "signal-trend", "point")
                if k in classes(point)
            )
        )
    for key, names in {
        "gap": {"gap"}, "centre": {"centre"}, "limit": {"limit"}, "goal": {"goal"}, "baseline": {"baseline"},
        "pdsa": {"mark", "pdsa"}, "phase": {"mark", "phase"}, "annotation": {"mark", "annotation"},
    }.items():  # fmt: skip
        if any(names <= classes(e) and "runs-signal" not in classes(e) for e in plot):
            found.add(key)
    if any({"centre", "runs-signal"} <= classes(e) for e in plot):
        found.add("centre-runs")
    return found


def legend_keys(root: ET.Element) -> list[str]:
    return [e.get("data-key") or "" for e in having(root, "legend-item")]


@pytest.mark.parametrize(
    "view",
    [
        busy_view(),
        qic_view("2025-01", [3, 4, 3, 5, 4], chart="run"),
        qic_view("2025-01", [5, 6, 4, 5, 6, 5, 4, 6, 5, 5, 20, 5], chart="c", freeze=8),
        hand_view([slot("2025-01", 4.5), slot("2025-02", 6.0, in_shift=True)], goal=8.0),
    ],
    ids=["busy", "plain run chart", "baseline and outside", "hand-made shift and goal"],
)
def test_the_key_lists_exactly_what_is_drawn_in_its_order(view: ChartView) -> None:
    root = draw(view)
    keys = legend_keys(root)
    assert set(keys) == drawn_keys(root)
    assert keys == [k for k in ORDER if k in keys]


def test_a_plain_run_chart_keys_only_its_points_and_median() -> None:
    root = draw(qic_view("2025-01", [3, 4, 3, 5, 4], chart="run"))
    texts_of = ["".join(t.itertext()) for t in having(root, "legend")[0].iter(f"{NS}text")]
    assert texts_of == ["Month's value", "Median"]


def test_the_key_wraps_onto_more_rows_at_phone_width() -> None:
    def rows(width: int) -> int:
        items = having(draw(busy_view(), width), "legend-item")
        return len({item.find(f"{NS}text").get("y") for item in items})  # type: ignore[union-attr]

    assert rows(WIDTH) < rows(NARROW)


# Fitting and accessibility


@pytest.mark.parametrize("width", [WIDTH, NARROW])
def test_every_label_of_a_busy_chart_stays_inside_it(width: int) -> None:
    root = draw(busy_view(), width)
    frame = view_box(root)
    assert frame.right == width
    assert [box.text for box in texts(root, {"font-size": "12"}) if not box.inside(frame)] == []


def test_the_chart_is_an_image_named_by_its_title_and_described_by_the_views_words() -> None:
    root = draw(busy_view())
    assert root.get("role") == "img" and root.findtext(f"{NS}title") == "Team A: weight recorded in kilograms"
    assert root.findtext(f"{NS}desc") == "A P chart of weight in kilograms."


def test_a_view_without_a_description_is_described_in_words() -> None:
    view = busy_view().model_copy(update={"description": ""})
    assert (draw(view).findtext(f"{NS}desc") or "").startswith("P chart of Weight recorded in kilograms")


def test_phases_given_by_hand_draw_a_boundary_with_a_reason() -> None:
    slots = [slot(p, 5.0, part=1 if p < "2025-04" else 2) for p in months_from("2025-01", 6)]
    phases = [
        Phase(number=1, first_period="2025-01", last_period="2025-03"),
        Phase(number=2, first_period="2025-04", last_period="2025-06", reason="new form", decided_by="Dee"),
    ]
    root = draw(hand_view(slots, phases=phases))
    [boundary] = having(root, "mark", "phase")
    assert title_of(boundary) == "Phase 2 from Apr 2025: new form; by Dee"
