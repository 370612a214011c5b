"""The chart and driver-diagram SVGs fit their text: nice axis ticks, titles that
wrap or ellipsise inside 820 px, and driver-diagram boxes sized to their wrapped
text, all measured from the font metrics the SVG declares."""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from uuid import uuid4

import pytest
from fpdf import FPDF

from adapters.charts.driver_diagram import render_driver_diagram
from adapters.charts.svg import NARROW, render_chart
from adapters.charts.text import FONT_FAMILY, text_width, wrap
from adapters.charts.ticks import nice_ticks
from aggregates.change_package import NodeKind
from projections.change_ideas import AdoptionResult, ChangeIdeaFigures, DiagramNode, DriverDiagramView
from projections.chart_model import Mark
from tests.unit.chart_views import qic_view
from tests.unit.svg_boxes import NS, Box, texts, view_box

LONG_TITLE = (
    "Pediatric Readiness Collaborative — Cohort 3 (EMS agencies, critical access hospitals and tribal "
    "clinics): children weighed in kilograms, every visit"
)
NICE = {1.0, 2.0, 2.5, 5.0}


def y_tick_labels(root: ET.Element) -> list[str]:
    axes = next(g for g in root.iter(f"{NS}g") if g.get("class") == "axes")
    return ["".join(t.itertext()) for t in axes.iter(f"{NS}text") if t.get("class") == "y-tick"]


def percent_chart(low: int, high: int) -> ET.Element:
    numerators = [low, high, *range(low + 1, high, 3)]
    view = qic_view("2024-01", numerators, [100] * len(numerators), chart="p")
    return ET.fromstring(render_chart(view, "Weight in kg"))


# Nice ticks


def test_the_issues_61_to_99_percent_chart_is_ticked_60_to_100_by_ten() -> None:
    # Data from 64 % to 96 %: padded by 8 % and cut in quarters it read 61, 70, 80, 89, 99 %.
    assert y_tick_labels(percent_chart(64, 96)) == ["60%", "70%", "80%", "90%", "100%"]


@pytest.mark.parametrize(
    ("low", "high"),
    [
        (0.61, 0.99), (0, 100), (0, 1), (3, 97), (0.001, 0.002), (1.0001, 1.0003), (-7.3, 4.2),
        (-120, -80), (12_345, 98_765), (0, 0.04), (2.2, 2.3), (1e-7, 3e-7), (-1, 1), (17, 18),
        (0, 7), (499, 501), (0.5, 95.5), (1e6, 1.0001e6),
    ],
)  # fmt: skip
def test_ticks_are_four_to_eight_nice_steps_covering_the_range(low: float, high: float) -> None:
    ticks = nice_ticks(low, high)
    assert 4 <= len(ticks.values) <= 8
    assert ticks.low <= low and ticks.high >= high
    mantissa = ticks.step / 10 ** math.floor(math.log10(ticks.step))
    assert round(mantissa, 9) in NICE
    gaps = [b - a for a, b in zip(ticks.values, ticks.values[1:], strict=False)]
    assert gaps == pytest.approx([ticks.step] * len(gaps))
    assert all(v / ticks.step == pytest.approx(round(v / ticks.step)) for v in ticks.values)


def test_percent_from_0_to_100_is_ticked_at_round_fifths_without_passing_100() -> None:
    assert nice_ticks(0, 100).values == (0, 20, 40, 60, 80, 100)


def test_a_single_value_gets_room_either_side_and_zero_gets_a_unit_above() -> None:
    assert nice_ticks(50, 50).values == (44, 46, 48, 50, 52, 54, 56)
    assert nice_ticks(0, 0).values == (0, 0.2, 0.4, 0.6, 0.8, 1)


@pytest.mark.parametrize("count", [0, 100])
def test_a_percent_chart_of_one_value_keeps_its_axis_between_0_and_100_percent(count: int) -> None:
    root = ET.fromstring(render_chart(qic_view("2025-01", [count] * 4, [100] * 4, chart="p"), "All or none"))
    values = [float(label.rstrip("%")) for label in y_tick_labels(root)]
    assert 0 <= values[0] < values[-1] <= 100 and count in values


def test_negative_and_tiny_ranges_keep_round_labels() -> None:
    negative = nice_ticks(-7.3, 4.2)
    assert negative.values == (-8, -6, -4, -2, 0, 2, 4, 6)
    assert [negative.label(v) for v in negative.values][:2] == ["-8", "-6"]
    tiny = nice_ticks(0.001, 0.002)
    assert [tiny.label(v) for v in tiny.values] == [
        "0.0010",
        "0.0012",
        "0.0014",
        "0.0016",
        "0.0018",
        "0.0020",
    ]
    quarter = nice_ticks(0, 1.7)
    assert quarter.label(quarter.values[1]) == "0.25" and quarter.label(0.5) == "0.50"


def test_a_chart_axis_runs_from_its_first_tick_to_its_last() -> None:
    root = ET.fromstring(render_chart(qic_view("2025-01", [3, 9, 4, 12, 5], chart="c"), "Falls"))
    labels = y_tick_labels(root)
    values = [float(v) for v in labels]
    assert values[0] <= 0 and values[-1] >= 15  # the limits (0 and 6.6 + 3√6.6 ≈ 14.3) and the data
    assert round(values[1] - values[0], 9) in {1, 2, 2.5, 5, 10}


# Text measured, not guessed


def test_widths_are_fpdf2s_helvetica_metrics_in_pixels() -> None:
    pdf = FPDF(unit="pt")
    for bold in (False, True):
        pdf.set_font("Helvetica", "B" if bold else "", size=15)
        for line in ("Weight in kilograms", "WWW iii 100% (retired)"):
            assert text_width(line, 15, bold) == pytest.approx(pdf.get_string_width(line))
    assert text_width("adopt 1 · abandon 0 — 55% → 92%", 12) > text_width(
        "adopt 1 · abandon 0 - 55% - 92%", 12
    )


def test_wrapped_lines_fit_and_the_last_allowed_line_ends_in_an_ellipsis() -> None:
    lines = wrap(LONG_TITLE, 300, 15, bold=True, max_lines=2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(text_width(line, 15, True) <= 300 for line in lines)
    assert wrap("x" * 80, 100, 12) == ["x" * 16, "x" * 16, "x" * 16, "x" * 16, "x" * 16]


def test_the_svgs_declare_the_font_they_are_measured_in() -> None:
    chart = ET.fromstring(render_chart(qic_view("2025-01", [1, 2, 3], chart="run"), "t"))
    diagram = ET.fromstring(render_driver_diagram(diagram_of("short"), "t"))
    assert chart.get("font-family") == diagram.get("font-family") == FONT_FAMILY
    assert FONT_FAMILY.startswith("Helvetica, Arial")


# The chart title


def test_a_160_character_collaborative_title_stays_inside_820_px_and_is_whole_in_its_title() -> None:
    title = (LONG_TITLE + " " + LONG_TITLE)[:160]
    notes = [Mark(period="2025-12", kind="pdsa", label="PDSA 12", detail="the last month")]
    view = qic_view("2025-01", [40, 55, 61, 70, 52, 48, 66, 71, 59, 62, 75, 80], [100] * 12, marks=notes)
    root = ET.fromstring(render_chart(view, title))
    frame = view_box(root)
    assert frame.right == 820
    outside = [box for box in texts(root, {"font-size": "12"}) if not box.inside(frame)]
    assert outside == []
    assert root.findtext(f"{NS}title") == title and root.get("aria-label") == title
    heading = ["".join(t.itertext()) for t in root.iter(f"{NS}text") if t.get("class") == "title"]
    assert len(heading) == 2 and " ".join(heading) == " ".join(title.split())


def test_the_phones_chart_is_320_px_wide_with_its_text_inside_and_a_label_a_year_for_two_years() -> None:
    title = (LONG_TITLE + " " + LONG_TITLE)[:160]
    notes = [Mark(period="2025-12", kind="pdsa", label="PDSA 12", detail="the last month")]
    view = qic_view("2024-01", list(range(40, 64)), [100] * 24, marks=notes)
    root = ET.fromstring(render_chart(view, title, width=NARROW))
    frame = view_box(root)
    assert frame.right == NARROW == 320 and root.get("width") == "320"
    assert [box for box in texts(root, {"font-size": "12"}) if not box.inside(frame)] == []
    months = ["".join(t.itertext()) for t in root.iter(f"{NS}text") if t.get("class") == "x-tick"]
    assert months == ["Jan 2024", "Jan 2025"]  # 24 months in 230 px: a label a year, not 24 crowded
    assert root.findtext(f"{NS}title") == title


def test_a_title_longer_than_two_lines_ends_in_an_ellipsis_inside_the_chart() -> None:
    title = " ".join([LONG_TITLE] * 4)
    root = ET.fromstring(render_chart(qic_view("2025-01", [1, 2, 3], chart="run"), title))
    heading = [box for box in texts(root, {"font-size": "12"}) if box.top < 50]
    assert len(heading) == 2 and heading[-1].text.endswith("…")
    assert all(box.inside(view_box(root)) for box in heading)
    assert root.findtext(f"{NS}title") == title


def test_a_short_title_is_one_line_and_not_cut() -> None:
    root = ET.fromstring(render_chart(qic_view("2025-01", [1, 2, 3], chart="run"), "Team A: weight in kg"))
    heading = [t for t in root.iter(f"{NS}text") if t.get("class") == "title"]
    assert ["".join(t.itertext()) for t in heading] == ["Team A: weight in kg"]


# The driver diagram


def node(kind: NodeKind, name: str, children: list[DiagramNode] | None = None, **more: object) -> DiagramNode:
    fields = {"description": None, "parent_id": None, "retired": False, "retired_reason": None, "history": []}
    return DiagramNode(node_id=uuid4(), kind=kind, name=name, children=children or [], **(fields | more))  # type: ignore[arg-type]


def figures(measure_key: str) -> ChangeIdeaFigures:
    result = AdoptionResult(team_id=uuid4(), team_name="Team A", measure_key=measure_key, measure_name="m",
                            data_type="proportion", direction="increase", adopted_period="2025-03",
                            before_median=0.55, after_median=0.925, before_points=3, after_points=3, change=0.375,
                            improved=True, sources=[])  # fmt: skip
    return ChangeIdeaFigures(teams_tested=12, cycles=31, adopt=9, adapt=2, abandon=1, results=[result])


def diagram_of(name: str, ideas: int = 1, aim: str = "Weigh every child in kg") -> DriverDiagramView:
    idea_nodes = [
        node(NodeKind.CHANGE_IDEA, f"{i} {name}", figures=figures("weight-" + "kg" * 28))
        for i in range(ideas)
    ]
    secondaries = [
        node(NodeKind.SECONDARY_DRIVER, f"Secondary {name}", idea_nodes),
        node(NodeKind.SECONDARY_DRIVER, f"Childless {name}", retired=True, retired_reason="merged"),
    ]
    return DriverDiagramView(collaborative_id=uuid4(), version=1, aim=aim, aim_sources=[], as_of_position=None,
                             primary_drivers=[node(NodeKind.PRIMARY_DRIVER, f"Primary {name}", secondaries),
                                              node(NodeKind.PRIMARY_DRIVER, "Short")])  # fmt: skip


def boxes(root: ET.Element) -> list[tuple[str, Box, list[Box]]]:
    """(column, rect, its text lines) for every node of the diagram."""
    found = []
    for group in root.iter(f"{NS}g"):
        if "node" not in (group.get("class") or "").split():
            continue
        rect = group.find(f"{NS}rect")
        assert rect is not None
        x, y, w, h = (float(rect.get(k, 0)) for k in ("x", "y", "width", "height"))
        column = (group.get("class") or "").split()[1]
        found.append((column, Box(x, y, x + w, y + h), list(texts(group, {"font-size": "12"}))))
    return found


LONGEST = "Scales that show kilograms only and lock out pounds at every triage desk " * 3


@pytest.mark.parametrize("ideas", [1, 3])
def test_every_driver_diagram_box_holds_its_measured_text_for_200_character_names(ideas: int) -> None:
    name = LONGEST[:190].strip()
    view = diagram_of(name, ideas, aim="By December 2025, weigh every child in kilograms " * 12)
    root = ET.fromstring(render_driver_diagram(view, "Driver diagram: " + LONG_TITLE))
    spilled = [
        (column, line.text) for column, rect, lines in boxes(root) for line in lines if not line.inside(rect)
    ]
    assert spilled == []
    frame = view_box(root)
    assert [box.text for box in texts(root, {"font-size": "12"}) if not box.inside(frame)] == []
    shown = [" ".join(line.text for line in lines) for _, _, lines in boxes(root)]
    assert any(text.startswith(f"0 {name} 12 teams · 31 PDSA cycles") for text in shown)  # the whole name
    assert f"Secondary {name}" in shown and f"Childless {name} (retired)" in shown


def test_driver_diagram_boxes_line_up_with_the_rows_they_span_and_never_overlap() -> None:
    root = ET.fromstring(render_driver_diagram(diagram_of(LONGEST[:150], 3), "Driver diagram"))
    found = boxes(root)
    for column in ("primary_driver", "secondary_driver", "change_idea"):
        rects = sorted((rect for c, rect, _ in found if c == column), key=lambda r: r.top)
        assert all(a.bottom < b.top for a, b in itertools.pairwise(rects)), column
    ideas = [rect for c, rect, _ in found if c == "change_idea"]
    driver = next(
        rect for c, rect, lines in found if c == "secondary_driver" and "Secondary" in lines[0].text
    )
    assert driver.top == ideas[0].top and driver.bottom == ideas[-1].bottom
    aim = next(rect for c, rect, _ in found if c == "aim")
    assert aim.top == min(r.top for _, r, _ in found) and aim.bottom == max(r.bottom for _, r, _ in found)


def test_the_diagram_title_is_whole_in_its_title_element() -> None:
    title = "Driver diagram: " + LONG_TITLE + " " + LONG_TITLE
    root = ET.fromstring(render_driver_diagram(diagram_of("x"), title))
    assert root.findtext(f"{NS}title") == title and root.get("aria-label") == title
