"""The chart for people who do not read the drawing: its description says which chart
and why, the months, the baseline, each phase's centre, the signals (or that there
are none) and the goal; and the data table beside it lists every month with its
limits, its signals in words and what happened that month."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader

import adapters.web
from adapters.web.chart_filters import register
from adapters.web.formats import install_formats
from aggregates.values import Direction
from projections.chart_model import ChartView, Mark, Phase, Slot
from projections.chart_words import describe, month_label, value_words
from tests.unit.builders import WEIGHT
from tests.unit.chart_views import hand_view, months_from, qic_view

LOW, HIGH = [30, 33, 31, 34, 30, 32, 31, 33, 30], [60, 63, 61, 64, 62, 65, 61, 64, 62]
FALLS = [5, 6, 4, 5, 6, 5, 4, 6, 5, 5, 20, 5, 4, 6, 21, 5]  # May 2025 on: spikes in Mar and Jul 2026
TRENDING = [50, 52, 49, 51, 50, 60, 57, 55, 53, 48, 52, 50]  # Jan 2025 on: Jun to Oct falling
STEADY = [5, 6, 5, 7, 4, 6, 5, 6, 4, 7]
TEMPLATES = Path(adapters.web.__file__).parent / "templates"


# Words and numbers


@pytest.mark.parametrize(
    ("value", "percent", "shown"),
    [(0.85, True, "85%"), (0.8575, True, "85.8%"), (1.0, True, "100%"), (4.5, False, "4.5"), (62.5, False, "62.5"),
     (0.25, False, "0.25"), (0.0012, False, "0.0012"), (1234.4, False, "1,234"), (7.0, False, "7"), (None, False, "—")],
)  # fmt: skip
def test_values_read_as_the_chart_labels_them(value: float | None, percent: bool, shown: str) -> None:
    assert value_words(value, percent) == shown


def test_months_read_as_people_write_them() -> None:
    assert month_label("2025-06") == "Jun 2025" and month_label("week 3") == "week 3"


# The description


def test_it_names_the_chart_the_reason_and_the_months_with_and_without_data() -> None:
    view = qic_view("2025-01", [50, 52, 49, None, 51, 50, 53, 48], [100] * 8)
    assert describe(view).startswith(
        "P chart of Weight recorded in kilograms: the default for a proportion measure. "
        "Jan 2025 to Aug 2025: 7 months with data, 1 without. Centre line 50.4%."
    )


def test_a_shift_to_the_latest_month_is_a_shift_since_its_first() -> None:
    said = describe(qic_view("2024-09", LOW + HIGH, chart="run"))
    assert "Median 47." in said
    assert "a shift of 9 points above the median since Jun 2025" in said
    assert "a shift of 9 points below the median from Sep 2024 to May 2025" in said


def test_points_outside_the_limits_are_counted_and_named_by_month() -> None:
    said = describe(qic_view("2025-05", FALLS, chart="c"))
    assert "2 points outside the limits (Mar 2026, Jul 2026)" in said


def test_a_trend_is_named_by_its_direction_and_its_last_month() -> None:
    said = describe(qic_view("2025-01", TRENDING, chart="run"))
    assert said.endswith("Median 51.5. Signals: a trend of 5 points down ending Oct 2025.")


def test_a_chart_without_signals_says_its_variation_is_common_cause() -> None:
    said = describe(qic_view("2025-01", STEADY, chart="c"))
    assert said.endswith("Centre line 5.5. No signals: only common-cause variation.")


def test_a_runs_signal_without_a_shift_says_which_rule_and_the_limit_chance_allows() -> None:
    slots = [Slot(period=p, y=1.0, cl=0.5) for p in months_from("2025-01", 12)]
    phase = Phase(number=1, first_period="2025-01", last_period="2025-12", runs_signal=True,
                  longest_run=12, longest_run_max=8, n_crossings=0, n_crossings_min=3)  # fmt: skip
    said = describe(hand_view(slots, phases=[phase], chart="run"))
    assert "a run of 12 points on one side of the median, longer than the 8 chance allows" in said
    assert "0 crossings of the median, fewer than the 3 chance allows" in said


def test_each_phase_has_its_span_its_reason_and_its_centre() -> None:
    view = qic_view("2024-09", LOW + HIGH, chart="run", part=[9], reasons={2: "weighing at triage."})
    said = describe(view)
    assert "Phase 1 (Sep 2024 to May 2025): median 31; " in said
    assert "phase 2 (Jun 2025 to Feb 2026), after weighing at triage: median 62." in said


def test_a_frozen_baseline_says_how_many_points_and_through_which_month() -> None:
    said = describe(qic_view("2025-05", FALLS, chart="c", freeze=8))
    assert "The centre line and limits come from the baseline of the first 8 points, through Dec 2025" in said


@pytest.mark.parametrize(
    ("direction", "verdict"),
    [(Direction.INCREASE, "does not meet it yet"), (Direction.DECREASE, "meets it")],
)
def test_the_goal_is_met_or_not_by_the_latest_month_as_the_measures_direction_says(
    direction: Direction, verdict: str
) -> None:
    measure = WEIGHT.model_copy(update={"direction": direction})
    view = qic_view("2025-01", [50, 52, 49, 51, 50, 53, 48], [100] * 7, goal=0.6, measure=measure)
    better = "higher" if direction is Direction.INCREASE else "lower"
    assert describe(view).endswith(
        f"The goal is 60% ({better} is better); the latest month, Jul 2025 at 48%, {verdict}."
    )


# The data table


class Table(HTMLParser):
    """The header cells (with their scope) and the body rows of a rendered table."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[tuple[str, str]] = []
        self.rows: list[list[str]] = []
        self.row_classes: list[str] = []
        self.caption = ""
        self._cell: list[str] | None = None
        self._scope, self._in_head, self._in_caption = "", False, False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "thead":
            self._in_head = True
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and not self._in_head:
            self.rows.append([])
            self.row_classes.append(found.get("class") or "")
        elif tag in ("th", "td"):
            self._cell, self._scope = [], found.get("scope") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("th", "td") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if self._in_head:
                self.headers.append((text, self._scope))
            else:
                self.rows[-1].append(text)
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._in_caption:
            self.caption += data


def table_of(view: ChartView) -> Table:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    install_formats(env)
    register(env)
    parsed = Table()
    parsed.feed(env.get_template("_chart_table.html").render(view=view))
    return parsed


def test_the_table_has_a_caption_and_a_scoped_header_per_column() -> None:
    table = table_of(qic_view("2025-05", FALLS, chart="c"))
    assert " ".join(table.caption.split()) == (
        "Weight recorded in kilograms, month by month: the values the chart draws, May 2025 to Aug 2026"
    )
    assert table.headers == [
        (name, "col")
        for name in ("Month", "Value", "n", "Centre", "Lower limit", "Upper limit", "Signals", "Note")
    ]


def test_a_signal_row_says_its_signal_in_words_and_a_count_chart_shows_counts() -> None:
    table = table_of(qic_view("2025-05", FALLS, chart="c"))
    march = table.rows[10]
    assert march[0] == "Mar 2026" and table.row_classes[10] == "signal"
    assert march[1] == "20" and march[6].startswith("Outside the limits")
    assert (
        table.row_classes[0] == "signal" and table.rows[0][6] == "Part of a shift"
    )  # ten below the inflated mean


def test_a_percent_tables_rows_show_percents_and_the_month_without_data_says_so() -> None:
    view = qic_view("2025-01", [50, 52, 49, None, 51, 50, 53, 48], [100] * 8, exclude=[6])
    rows = table_of(view).rows
    assert rows[0][:4] == ["Jan 2025", "50%", "100", "50.5%"]  # June left out of the centre line
    assert rows[0][4].endswith("%") and rows[0][5].endswith("%")
    assert rows[3][:3] == ["Apr 2025", "no data", ""]
    assert rows[5][7] == "Excluded: left out of the centre line and limits"


def test_the_note_names_the_phase_that_begins_and_the_marks_of_that_month() -> None:
    marks = [
        Mark(period="2025-06", kind="pdsa", label="PDSA 2", detail="Scale at triage (Do)"),
        Mark(period="2025-06", kind="phase", label="Phase 2", detail="agreed by the team"),
        Mark(period="2025-07", kind="annotation", label="Note", detail="New staff"),
    ]
    view = qic_view(
        "2024-09", LOW + HIGH, chart="run", part=[9], reasons={2: "weighing at triage"}, marks=marks
    )
    rows = table_of(view).rows
    assert (
        rows[9][0] == "Jun 2025"
        and rows[9][7] == "Phase 2 begins: weighing at triage; PDSA 2: Scale at triage (Do)"
    )
    assert rows[10][7] == "Note: New staff"
    assert [name for name, _ in table_of(view).headers][3] == "Median"
