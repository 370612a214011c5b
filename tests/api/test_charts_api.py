"""Measure charts over HTTP: JSON with signals, SVG that parses and marks them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.api.conftest import Api
from tests.api.flow import HttpFlow
from tests.conftest import Clock

SVG_NS = "{http://www.w3.org/2000/svg}"
# Twelve steady months, then one far outside the limits.
MONTHS = [(f"2024-{m:02d}", 50) for m in range(3, 13)] + [("2025-01", 50), ("2025-02", 50), ("2025-03", 98)]


@pytest.fixture
def flow(staff: Api, clock: Clock) -> HttpFlow:
    flow = HttpFlow(staff, clock)
    flow.up_to("sessions")
    plan = {"title": "Kg-only scale", "change_idea": "c", "objective": "o", "prediction": "p", "plan": "pl"}
    flow.ok(f"/teams/{flow.teams[0]}/pdsa", {"plan": plan})
    for team in flow.teams:
        for period, numerator in MONTHS:
            body = {"period": period, "numerator": numerator, "denominator": 100}
            flow.ok(f"/teams/{team}/measures/weight-kg/data", body)
    return flow


def test_a_team_chart_is_a_run_chart_until_twenty_months_give_a_baseline(flow: HttpFlow) -> None:
    body = flow.api.get(f"/teams/{flow.teams[0]}/measures/weight-kg/chart").json()
    assert body["chart"] == "run" and "13 of the 20 months" in body["chart_reason"]
    assert body["baseline"] is None and not any(s["outside_limits"] for s in body["slots"])


def test_a_p_chart_asked_for_flags_the_outlying_month(flow: HttpFlow) -> None:
    body = flow.api.get(f"/teams/{flow.teams[0]}/measures/weight-kg/chart", chart="p").json()
    assert body["chart"] == "p"
    points = body["result"]["points"]
    assert [p["x"] for p in points if p["sigma_signal"]] == ["2025-03"]
    assert points[0]["cl"] == pytest.approx((12 * 50 + 98) / 1300)
    assert [c["title"] for c in body["cycles"]] == ["Kg-only scale"]


def test_a_chart_type_can_be_asked_for_and_options_are_checked(flow: HttpFlow) -> None:
    run = flow.api.get(f"/teams/{flow.teams[0]}/measures/weight-kg/chart", chart="run").json()
    assert run["chart"] == "run" and run["result"]["points"][0]["ucl"] is None
    frozen = flow.api.get(f"/teams/{flow.teams[0]}/measures/weight-kg/chart", freeze=12).json()
    assert frozen["result"]["points"][0]["cl"] == pytest.approx(0.5)
    too_long = flow.api.get(f"/teams/{flow.teams[0]}/measures/weight-kg/chart", freeze=40)
    assert too_long.status_code == 422 and "cannot draw this chart" in too_long.json()["detail"]
    missing = flow.api.get(f"/teams/{flow.teams[0]}/measures/nothing/chart")
    assert missing.status_code == 404


def test_the_svg_parses_and_marks_the_signal_and_the_pdsa_cycle(flow: HttpFlow) -> None:
    response = flow.api.client.get(
        f"/teams/{flow.teams[0]}/measures/weight-kg/chart?chart=p",
        headers=flow.api.headers() | {"Accept": "image/svg+xml"},
    )
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.text)
    assert root.tag == f"{SVG_NS}svg" and root.get("role") == "img"

    def classed(*names: str) -> list[ET.Element]:
        return [e for e in root.iter() if set(names) <= set((e.get("class") or "").split())]

    outside = classed("point", "signal", "signal-outside")
    assert [s.get("data-period") for s in outside] == ["2025-03"]
    assert (outside[0].findtext(f"{SVG_NS}title") or "").startswith("Mar 2025: 98%")
    assert len(classed("point")) == len(MONTHS)
    notes = classed("mark", "pdsa")
    assert [g.findtext(f"{SVG_NS}text") for g in notes] == ["PDSA 1"]
    assert (notes[0].findtext(f"{SVG_NS}title") or "").endswith(": PDSA cycle 1: Kg-only scale (planned)")
    assert "1 point outside the limits (Mar 2025)" in (root.findtext(f"{SVG_NS}desc") or "")


def test_the_collaborative_chart_sums_the_teams_by_month(flow: HttpFlow) -> None:
    body = flow.api.get(f"/collaboratives/{flow.collaborative}/measures/weight-kg/chart").json()
    points = body["result"]["points"]
    assert [p["n"] for p in points] == [200] * len(MONTHS)
    assert points[-1]["y"] == pytest.approx(0.98)
    svg = flow.api.client.get(
        f"/collaboratives/{flow.collaborative}/measures/weight-kg/chart",
        headers=flow.api.headers() | {"Accept": "image/svg+xml"},
    )
    ET.fromstring(svg.text)


def test_a_measure_without_data_has_an_empty_chart(staff: Api, clock: Clock) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("sessions")
    body = staff.get(f"/teams/{flow.teams[0]}/measures/weight-kg/chart").json()
    assert (body["chart"], body["result"]["points"], body["result"]["parts"]) == ("run", [], [])
    svg = staff.client.get(
        f"/teams/{flow.teams[0]}/measures/weight-kg/chart",
        headers=staff.headers() | {"Accept": "image/svg+xml"},
    )
    assert svg.status_code == 200
    ET.fromstring(svg.text)
