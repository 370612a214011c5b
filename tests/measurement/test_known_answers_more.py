"""The cases qicharts2 0.8.1 computed itself (spc-more.json): P′, U′, G, T, Xbar, S, I′ and multiply.

Each case gives its R call as roles (which column is x, y and n) and args; call_of() maps them onto
qic() and fails on anything it does not know, so no case is skipped or half-read.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from analytics import QicResult, qic
from analytics.runs import anhoej, longest_run_max, n_crossings_min
from tests.measurement.known_answers import MORE_PATH, load_known_answers

RUNS_FIELDS = {
    "n.obs": "n_obs",
    "n.useful": "n_useful",
    "longest.run": "longest_run",
    "longest.run.max": "longest_run_max",
    "n.crossings": "n_crossings",
    "n.crossings.min": "n_crossings_min",
    "runs.signal": "runs_signal",
}
# qicharts2's chart names and ours; all the same today, listed so a new R name fails loudly.
CHARTS = {name: name for name in ("run", "i", "mr", "p", "u", "c", "pp", "up", "ip", "g", "t", "xbar", "s")}
OPTIONS = ("multiply", "freeze", "part", "exclude")  # R arguments with the same name and meaning in qic()
SUBGROUPED = ("xbar", "s")


@cache
def reference() -> dict[str, Any]:
    return load_known_answers(MORE_PATH)


def case_ids() -> list[str]:
    return [case["id"] for case in reference()["cases"]]


def known_case(case_id: str) -> dict[str, Any]:
    return next(case for case in reference()["cases"] if case["id"] == case_id)


def call_of(case: dict[str, Any]) -> dict[str, Any]:
    """qic()'s arguments for the case's R call; fails on an argument or chart with no mapping."""
    columns, roles, args = case["inputs"]["columns"], case["roles"], dict(case["args"])
    chart = args.pop("chart", "run")
    if chart not in CHARTS:
        pytest.fail(f"{case['id']}: no mapping for chart {chart!r}", pytrace=False)
    unknown = (set(args) - set(OPTIONS)) | (set(roles) - {"x", "y", "n"})
    if unknown:
        pytest.fail(f"{case['id']}: no mapping for {sorted(unknown)}", pytrace=False)
    if "part" in args:
        args.pop("freeze", None)  # qicharts2 ignores freeze beside part; qic() refuses the pair
    return {
        "y": columns[roles["y"]],
        "n": columns[roles["n"]] if "n" in roles else None,
        "x": columns[roles["x"]] if "x" in roles else None,
        "chart": CHARTS[chart],
        **{option: args[option] for option in OPTIONS if option in args},
    }


def computed(case_id: str) -> QicResult:
    return qic(**call_of(known_case(case_id)))


def r_call(case: dict[str, Any]) -> str:
    """The R call the roles and args describe, written as qicharts2's cases write it."""
    positional = [case["roles"][role] for role in ("x", "y", "n") if role in case["roles"]]
    named = [f"{name} = {r_value(value)}" for name, value in case["args"].items()]
    return f"qic({', '.join([*positional, 'data = d', *named])})"


def r_value(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list):
        return f"c({', '.join(map(str, value))})"
    return str(value)


def test_the_reference_file_holds_the_fourteen_cases_of_its_brief() -> None:
    assert len(case_ids()) == 14
    assert len(set(case_ids())) == 14
    assert {known_case(case_id)["chart"] for case_id in case_ids()} >= {
        "pp",
        "up",
        "g",
        "t",
        "xbar",
        "s",
        "ip",
    }


@pytest.mark.parametrize("case_id", case_ids())
def test_each_case_is_mapped_from_its_whole_r_call(case_id: str) -> None:
    case = known_case(case_id)
    assert r_call(case) == case["call"]
    assert call_of(case)["chart"] == CHARTS[case["chart"]]
    # Nothing beyond the roles and args: no facets, targets or options qic() would ignore.
    assert "r_options" not in case
    assert case["inputs"]["n_rows"] == len(call_of(case)["y"])


@pytest.mark.parametrize("case_id", case_ids())
def test_points_match_qicharts2(case_id: str) -> None:
    case = known_case(case_id)
    points = computed(case_id).model_dump()["points"]
    expected_points = case["expected"]["points"]
    assert len(points) == case["expected"]["n_rows"] == len(expected_points)
    for actual, expected in zip(points, expected_points, strict=True):
        assert (expected["facet1"], expected["facet2"]) == (1, 1)
        for field in ("x", "include", "baseline", "part"):
            assert actual[field] == expected[field], (expected["x"], field)
        assert actual["sigma_signal"] is expected["sigma.signal"], (expected["x"], "sigma_signal")
        for field in ("y", "n", "cl", "lcl", "ucl"):
            wanted = expected_value(case, expected, field)
            assert actual[field] == (None if wanted is None else pytest.approx(wanted, abs=1e-9)), (
                expected["x"],
                field,
            )


def expected_value(case: dict[str, Any], expected: dict[str, Any], field: str) -> Any:
    if field == "n" and case["chart"] in SUBGROUPED:
        # qicharts2 leaves n empty on xbar and s charts and counts each subgroup's observations in
        # y.length; qic() reports that count as the point's n.
        assert expected["n"] is None
        return expected["y.length"]
    return expected[field]


@pytest.mark.parametrize("case_id", case_ids())
def test_sigma_signal_rows_match_qicharts2(case_id: str) -> None:
    points = computed(case_id).points
    signalled = [row for row, point in enumerate(points, start=1) if point.sigma_signal]
    assert signalled == known_case(case_id)["expected"]["sigma_signal_rows"]


@pytest.mark.parametrize("case_id", case_ids())
def test_runs_analysis_of_each_part_matches_qicharts2(case_id: str) -> None:
    chart = computed(case_id)
    expected_parts = known_case(case_id)["expected"]["parts"]
    assert [summary.part for summary in chart.parts] == [part["part"] for part in expected_parts]
    for summary, expected in zip(chart.parts, expected_parts, strict=True):
        assert sum(point.part == summary.part for point in chart.points) == expected["n_points"]
        actual = summary.model_dump()
        assert {r: actual[ours] for r, ours in RUNS_FIELDS.items()} == {r: expected[r] for r in RUNS_FIELDS}


def test_anhoej_table_matches_qicharts2_runs_analysis_for_every_row() -> None:
    table = reference()["anhoej_table"]
    assert table["columns"] == ["n_useful", "longest_run_max", "n_crossings_min"]
    rows = table["rows"]
    assert [row[0] for row in rows] == list(range(10, 101))
    assert [[n, longest_run_max(n), n_crossings_min(n)] for n, _, _ in rows] == rows


@pytest.mark.parametrize("row", reference()["anhoej_table"]["rows"], ids=lambda row: f"n{row[0]}")
def test_runs_analysis_of_an_alternating_series_gives_the_tables_limits(row: list[int]) -> None:
    n_useful, longest_max, crossings_min = row
    figures = anhoej([(-1) ** i for i in range(n_useful)])
    assert (figures.longest_run_max, figures.n_crossings_min) == (longest_max, crossings_min)
    assert (figures.longest_run, figures.n_crossings, figures.runs_signal) == (1, n_useful - 1, False)


@pytest.mark.parametrize(
    ("args", "roles", "message"),
    [
        ({"chart": "pareto"}, {"y": "v"}, "no mapping for chart 'pareto'"),
        ({"chart": "i", "agg.fun": "median"}, {"y": "v"}, r"no mapping for \['agg.fun'\]"),
        ({"chart": "i"}, {"y": "v", "facets": "ward"}, r"no mapping for \['facets'\]"),
    ],
)
def test_a_case_with_an_unmapped_chart_or_argument_fails_rather_than_runs(
    args: dict[str, Any], roles: dict[str, str], message: str
) -> None:
    case = {"id": "made_up", "args": args, "roles": roles, "inputs": {"columns": {"v": [1.0, 2.0]}}}
    with pytest.raises(pytest.fail.Exception, match=message):
        call_of(case)
