"""The qicharts2 0.8.1 reference cases and the Anhøj critical-values table, reproduced."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from analytics import QicResult, qic
from analytics.runs import longest_run_max, n_crossings_min
from tests.measurement.known_answers import known_case, load_known_answers

RUNS_FIELDS = (
    "n_obs",
    "n_useful",
    "longest_run",
    "longest_run_max",
    "n_crossings",
    "n_crossings_min",
    "runs_signal",
)


@dataclass(frozen=True)
class Call:
    """How a case's R call maps onto qic(): the data fields for x, y and n, and the options."""

    x: str
    y: str
    chart: str
    n: str | None = None
    freeze: int | None = None


CALLS = {
    "qicharts2_cdi_run_chart_freeze24": Call(x="month", y="n", chart="run", freeze=24),
    "montgomery_ex6.5_I_chart_freeze20": Call(x="weeks", y="cost", chart="i", freeze=20),
    "montgomery_ex6.5_MR_chart_freeze20": Call(x="weeks", y="cost", chart="mr", freeze=20),
    "montgomery_tbl7.4_P_chart_variable_n": Call(x="sample", y="count", chart="p", n="size"),
    "montgomery_ex7.4_U_chart": Call(x="sample", y="count", chart="u", n="size"),
}


def computed(case: dict[str, Any]) -> QicResult:
    call, data = CALLS[case["id"]], case["data"]
    return qic(
        [row[call.y] for row in data],
        None if call.n is None else [row[call.n] for row in data],
        x=[row[call.x] for row in data],
        chart=call.chart,
        freeze=call.freeze,
    )


def expected_runs_by_part(expected: dict[str, Any]) -> dict[int, dict[str, Any]]:
    if "runs_by_part" in expected:
        return {int(part): figures for part, figures in expected["runs_by_part"].items()}
    return {1: {field: expected[field] for field in RUNS_FIELDS}}


def test_every_reference_case_is_reproduced_here() -> None:
    assert {case["id"] for case in load_known_answers()["cases"]} == set(CALLS)


@pytest.mark.parametrize("case_id", CALLS)
def test_each_case_is_called_as_its_reference_call(case_id: str) -> None:
    case, call = known_case(case_id), CALLS[case_id]
    fields = ", ".join(name for name in (call.x, call.y, call.n) if name)
    assert case["call"].startswith(f"qic({fields}, data = ")
    assert case["chart"] == call.chart
    assert ("chart = " in case["call"]) == (call.chart != "run")
    assert (f"freeze = {call.freeze}" in case["call"]) == (call.freeze is not None)


@pytest.mark.parametrize("case_id", CALLS)
def test_centre_lines_and_limits_match_qicharts2(case_id: str) -> None:
    case = known_case(case_id)
    points = computed(case).model_dump()["points"]
    expected_points = case["expected"].get("points")
    if expected_points is None:  # a published run chart gives its centre line only
        assert {point["cl"] for point in points} == {case["expected"]["cl"]}
        assert {(point["lcl"], point["ucl"]) for point in points} == {(None, None)}
        return
    assert len(points) == len(expected_points)
    for actual, expected in zip(points, expected_points, strict=True):
        for field in ("x", "n", "include", "baseline", "part"):
            assert actual[field] == expected[field], (expected["x"], field)
        for field in ("y", "cl", "lcl", "ucl"):
            wanted = None if expected[field] is None else pytest.approx(expected[field], abs=1e-9)
            assert actual[field] == wanted, (expected["x"], field)


@pytest.mark.parametrize("case_id", CALLS)
def test_sigma_signals_match_qicharts2(case_id: str) -> None:
    case = known_case(case_id)
    points = computed(case).points
    assert [point.x for point in points if point.sigma_signal] == case["expected"].get("sigma_signal_x", [])
    expected_points = case["expected"].get("points")
    if expected_points is not None:
        assert [point.sigma_signal for point in points] == [
            point["sigma_signal"] for point in expected_points
        ]


@pytest.mark.parametrize("case_id", CALLS)
def test_runs_analysis_matches_qicharts2(case_id: str) -> None:
    case = known_case(case_id)
    parts = {summary.part: summary.model_dump() for summary in computed(case).parts}
    expected = expected_runs_by_part(case["expected"])
    assert parts.keys() == expected.keys()
    for number, figures in expected.items():
        assert {field: parts[number][field] for field in RUNS_FIELDS} == figures


def test_cdi_run_chart_finds_the_published_run_of_fifteen_below_the_baseline_median() -> None:
    published = known_case("qicharts2_cdi_run_chart_freeze24")["expected_published_text"]
    chart = computed(known_case("qicharts2_cdi_run_chart_freeze24"))
    assert chart.points[0].cl == published["baseline_median"]
    assert chart.parts[0].runs_signal is published["runs_signal"]
    longest = max(chart.parts[0].shifts, key=lambda shift: shift.length)
    assert (longest.length, longest.direction) == (published["longest_run"], published["longest_run_side"])


def test_anhoej_critical_values_match_the_published_table_for_every_row() -> None:
    table = load_known_answers()["anhoej_critical_values"]
    assert table["columns"] == ["n_useful", "longest_run_upper_limit", "crossings_lower_limit"]
    rows = table["rows"]
    assert [row[0] for row in rows] == list(range(10, 101))
    computed_rows = [[n, longest_run_max(n), n_crossings_min(n)] for n, _, _ in rows]
    assert computed_rows == rows


def test_known_answers_path_can_be_overridden(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    copy = tmp_path / "spc.json"
    copy.write_text(json.dumps({"cases": [], "anhoej_critical_values": {}}), encoding="utf-8")
    monkeypatch.setenv("QI_KNOWN_ANSWERS", str(copy))
    assert load_known_answers()["cases"] == []


def test_a_missing_known_answers_file_fails_rather_than_skips(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("QI_KNOWN_ANSWERS", str(tmp_path / "absent.json"))
    with pytest.raises(
        pytest.fail.Exception, match=r"known answers not found at .*absent\.json; .*QI_KNOWN_ANSWERS"
    ):
        load_known_answers()
