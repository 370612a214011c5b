"""The OpenAPI document says what the server does: the methods a path allows, the If-Match
it accepts, the moments it reads, and that a negotiated response varies by Accept."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Api
from tests.api.flow import FOCUS, HttpFlow
from tests.conftest import Clock

PROBLEM = "application/problem+json"
MOMENTS = (("/audit", "since"), ("/audit", "until"), ("/collaboratives/{collaborative_id}", "as_of"))
SVG = "image/svg+xml"


def parameter(schema: dict[str, Any], path: str, name: str, method: str = "get") -> dict[str, Any]:
    """The declared schema of one parameter (FastAPI writes an optional one as anyOf [it, null])."""
    [found] = [p for p in schema["paths"][path][method]["parameters"] if p["name"] == name]
    declared: dict[str, Any] = found["schema"]
    return next((s for s in declared.get("anyOf", []) if s.get("type") != "null"), declared)


@pytest.fixture
def flow(staff: Api, clock: Clock) -> HttpFlow:
    flow = HttpFlow(staff, clock)
    flow.create()
    return flow


def test_a_method_a_path_does_not_offer_is_405_with_allow_naming_every_method_it_does(
    staff: Api,
) -> None:
    for method, path, allowed in (
        ("DELETE", "/collaboratives", {"GET", "POST"}),
        ("TRACE", "/healthz", {"GET"}),
        ("PATCH", "/participants/00000000-0000-4000-8000-000000000000", {"GET", "PUT"}),
    ):
        response = staff.client.request(method, path, headers=staff.headers())
        assert (response.status_code, response.headers["content-type"]) == (405, PROBLEM), path
        assert {m.strip() for m in response.headers["allow"].split(",")} == allowed, path


def test_the_if_match_header_is_declared_with_the_pattern_the_server_accepts(
    client: TestClient, flow: HttpFlow
) -> None:
    declared = parameter(client.get("/openapi.json").json(), "/collaboratives/{collaborative_id}/focus",
                         "If-Match", "post")  # fmt: skip
    pattern = re.compile(declared["pattern"])
    path = f"/collaboratives/{flow.collaborative}/focus"
    for value in ("1", '"1"', 'W/"1"', "0" * 40, "yesterday", '"1', "1.0", "-1", "1e3", ""):
        response = flow.api.client.post(
            path, json={"focus": FOCUS}, headers=flow.api.headers() | {"If-Match": value}
        )
        if pattern.search(value):
            assert response.status_code in (200, 412), f"{value!r}: {response.text}"
        else:
            assert response.status_code == 422, f"{value!r} matches no declared pattern: {response.text}"
            assert response.json()["errors"][0]["loc"] == ["header", "If-Match"]
            assert 'If-Match must be a version number, e.g. "3"' in response.json()["detail"]


@pytest.mark.parametrize("value", ["-169", "0.5", "1700000000", "20250301", "2025-03-01", "soon"])
@pytest.mark.parametrize(("path", "name"), MOMENTS)
def test_a_moment_that_is_not_an_iso_8601_date_time_is_a_422_naming_the_parameter(
    flow: HttpFlow, path: str, name: str, value: str
) -> None:
    response = flow.api.get(path.format(collaborative_id=flow.collaborative), **{name: value})
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM), response.text
    problem = response.json()
    assert problem["errors"][0]["loc"] == ["query", name]
    assert f"{name}: {value!r} is not an ISO 8601 date-time" in problem["detail"]


def test_an_iso_8601_date_time_is_still_read_with_or_without_its_offset(flow: HttpFlow) -> None:
    for value in ("2025-03-01T09:00:00+00:00", "2025-03-01T09:00:00Z", "2025-03-01T09:00"):
        assert flow.api.get("/audit", until=value).status_code == 200, value


@pytest.mark.parametrize(("path", "name"), MOMENTS)
def test_every_moment_parameter_is_declared_a_date_time(client: TestClient, path: str, name: str) -> None:
    declared = parameter(client.get("/openapi.json").json(), path, name)
    assert (declared["type"], declared["format"]) == ("string", "date-time")


def test_a_chart_and_the_driver_diagram_vary_by_accept_in_json_and_in_svg(
    client: TestClient, staff: Api, clock: Clock
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("projects")
    negotiated = (
        f"/teams/{flow.teams[0]}/measures/weight-kg/chart",
        f"/collaboratives/{flow.collaborative}/measures/weight-kg/chart",
        f"/collaboratives/{flow.collaborative}/driver-diagram",
    )
    schema = client.get("/openapi.json").json()
    for path in negotiated:
        for accept, media_type in (("application/json", "application/json"), (SVG, SVG)):
            response = client.get(path, headers=staff.headers() | {"Accept": accept})
            assert response.status_code == 200, response.text
            assert response.headers["content-type"].startswith(media_type)
            assert "accept" in response.headers["vary"].lower(), f"{path} as {accept}"
    for template in ("/teams/{team_id}/measures/{measure_key}/chart", "/collaboratives/{collaborative_id}/driver-diagram"):  # fmt: skip
        assert "Vary" in schema["paths"][template]["get"]["responses"]["200"]["headers"]


@pytest.mark.parametrize("value", [0, 19000, 1.5, "20250301"])
def test_a_focus_date_that_is_a_number_is_a_422_naming_the_field(staff: Api, value: Any) -> None:
    body = {"title": "PRQC", "focus": FOCUS | {"starts_on": value}}
    response = staff.post("/collaboratives", body)
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM), response.text
    assert response.json()["errors"][0]["loc"] == ["body", "focus", "starts_on"]
    assert staff.get("/collaboratives").json() == []
