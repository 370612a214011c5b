"""Every team's chart side by side and the funnel across teams, over HTTP: JSON with each
team's figures, SVG with a panel per team, PNG that decodes, the sort orders, the funnel's
bands on teams where one lies far below the others, refusals in words, and who may read."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from aggregates.base import Role
from engine.application import QIEngine
from tests.api.conftest import Api, issue
from tests.api.flow import HttpFlow
from tests.conftest import Clock
from tests.fixtures import FOCUS, WEIGHT

SVG_NS = "{http://www.w3.org/2000/svg}"
PROBLEM = "application/problem+json"
OUTLIER = "Big Horn Valley Hospital"
# (name, children seen a month, weighed in kg in Jan, Feb, Mar); Quiet Creek reports January only.
TEAMS = [
    ("Aspen Ward", 20, (16, 16, 16)),
    ("Birch Clinic", 40, (32, 32, 32)),
    ("Cedar ED", 60, (48, 48, 48)),
    ("Dogwood EMS", 80, (64, 64, 64)),
    ("Elm County Hospital", 200, (160, 160, 160)),
    (OUTLIER, 31, (25, 25, 13)),
    ("Quiet Creek Clinic", 10, (8,)),
]
COUNT = {"key": "falls", "name": "Falls", "kind": "outcome", "data_type": "count",
         "numerator": "falls in the month", "direction": "decrease"}  # fmt: skip


@dataclass
class World:
    flow: HttpFlow
    teams: dict[str, str] = field(default_factory=dict)

    def path(self, what: str, key: str = "weight-kg") -> str:
        return f"/collaboratives/{self.flow.collaborative}/measures/{key}/{what}"

    def get(self, what: str, accept: str | None = None, key: str = "weight-kg", **params: object) -> object:
        headers = self.flow.api.headers() | ({"Accept": accept} if accept else {})
        return self.flow.api.client.get(self.path(what, key), params=params, headers=headers)


def register(flow: HttpFlow, names: list[str]) -> dict[str, str]:
    teams = {}
    for name in names:
        member = {"person": {"name": f"{name} lead"}, "discipline": "nurse"}
        body = {"name": name, "organization": name, "care_setting": "community_ed", "members": [member]}
        teams[name] = flow.ok(f"/collaboratives/{flow.collaborative}/teams", body)["id"]
    return teams


@pytest.fixture
def world(staff: Api, clock: Clock) -> World:
    return compared(staff, clock)


def compared(staff: Api, clock: Clock) -> World:
    """TEAMS in their sessions phase with their months of WEIGHT, and a count measure on Aspen Ward."""
    flow = HttpFlow(staff, clock)
    flow.create()
    flow.advance("registration")
    w = World(flow, register(flow, [name for name, _, _ in TEAMS]))
    for to in ("orientation", "sessions"):
        flow.advance(to, "the test's collaborative")
    for name, seen, weighed in TEAMS:
        team = w.teams[name]
        flow.ok(f"/teams/{team}/measures", {"measure": WEIGHT})
        for month, numerator in enumerate(weighed, start=1):
            body = {"period": f"2025-{month:02d}", "numerator": numerator, "denominator": seen}
            flow.ok(f"/teams/{team}/measures/weight-kg/data", body)
    flow.ok(f"/teams/{w.teams['Aspen Ward']}/measures", {"measure": COUNT})
    return w


def test_the_teams_json_gives_each_team_its_latest_value_signals_goal_and_progress(world: World) -> None:
    body = world.get("teams").json()
    assert body["measure"]["key"] == "weight-kg" and body["collaborative"] == "PRQC"
    by_name = {t["name"]: t for t in body["teams"]}
    assert list(by_name) == sorted(name for name, _, _ in TEAMS)
    big_horn = by_name[OUTLIER]
    assert (big_horn["id"], big_horn["care_setting"], big_horn["chart"]) == (
        world.teams[OUTLIER],
        "community_ed",
        "run",
    )
    assert (big_horn["latest_period"], big_horn["latest_value"]) == ("2025-03", pytest.approx(13 / 31))
    assert big_horn["goal"] == 0.9 and big_horn["progress"]["short_of_goal"] == pytest.approx(0.9 - 13 / 31)
    assert big_horn["progress"]["goal_met"] is False
    assert set(big_horn["signals"]) == {"outside_limits", "in_shift", "in_trend", "points", "runs_signal"}
    assert by_name["Quiet Creek Clinic"]["latest_period"] == "2025-01"


def test_the_sort_orders_put_the_teams_in_the_order_each_names(world: World) -> None:
    def order(sort: str) -> list[str]:
        return [t["name"] for t in world.get("teams", sort=sort).json()["teams"]]

    assert order("name") == sorted(name for name, _, _ in TEAMS)
    latest = order("latest")  # every team at 80% but Big Horn (42%)
    assert latest[-1] == OUTLIER and set(latest[:-1]) == {name for name, _, _ in TEAMS} - {OUTLIER}
    goal = order("goal")  # furthest from the 90% goal first
    assert goal[0] == OUTLIER
    # Three months make a run chart without a signal: signals first leaves the name order.
    assert all(t["signals"]["points"] == 0 for t in world.get("teams").json()["teams"])
    assert order("signal") == order("name")
    assert world.get("teams", sort="size").status_code == 422


def test_the_teams_svg_has_one_panel_per_team_and_the_png_decodes(world: World) -> None:
    svg = world.get("teams", accept="image/svg+xml", sort="latest")
    assert svg.headers["content-type"].startswith("image/svg+xml") and "accept" in svg.headers["vary"].lower()
    root = ET.fromstring(svg.text)
    panels = [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "panel"]
    assert len(panels) == len(TEAMS)
    assert (panels[-1].findtext(f"{SVG_NS}title") or "").startswith(f"{OUTLIER}: latest 42%")
    png = world.get("teams", accept="image/png")
    assert png.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert image.format == "PNG" and image.width == 2 * int(float(root.get("width") or 0))


def test_the_funnel_of_the_latest_month_puts_big_horn_below_the_998_limit(world: World) -> None:
    body = world.get("funnel").json()
    assert (body["window"], body["months"], body["method"]) == (["2025-03"], 1, "exact")
    assert body["target"] == pytest.approx((16 + 32 + 48 + 64 + 160 + 13) / (20 + 40 + 60 + 80 + 200 + 31))
    units = {u["name"]: u for u in body["units"]}
    assert set(units) == {name for name, _, _ in TEAMS} - {"Quiet Creek Clinic"}
    big_horn = units[OUTLIER]
    assert big_horn["band"] == "beyond 99.8% low" and big_horn["outlier"] is True
    assert big_horn["value"] < big_horn["limits"]["lower_998"] < big_horn["limits"]["lower_95"]
    assert all(u["band"] == "inside" for name, u in units.items() if name != OUTLIER)
    assert body["outliers"] == [{"id": world.teams[OUTLIER], "name": OUTLIER, "band": "beyond 99.8% low",
                                 "words": f"{OUTLIER}: 42% of 31, below the 99.8% limit"}]  # fmt: skip
    assert body["no_data"] == [{"id": world.teams["Quiet Creek Clinic"], "name": "Quiet Creek Clinic"}]
    assert body["periods"] == ["2025-01", "2025-02", "2025-03"]


def test_a_window_of_months_sums_each_team_and_a_chosen_month_is_that_month(world: World) -> None:
    window = world.get("funnel", months=3).json()
    assert window["window"] == ["2025-01", "2025-02", "2025-03"] and window["no_data"] == []
    units = {u["name"]: u for u in window["units"]}
    assert (units[OUTLIER]["numerator"], units[OUTLIER]["denominator"]) == (63, 93)
    assert units[OUTLIER]["band"] == "beyond 95% low"
    assert units["Quiet Creek Clinic"]["denominator"] == 10
    january = world.get("funnel", period="2025-01").json()
    assert january["window"] == ["2025-01"] and january["outliers"] == []
    empty = world.get("funnel", period="2024-06").json()
    assert (empty["window"], empty["units"], empty["target"]) == (["2024-06"], [], None)
    assert len(empty["no_data"]) == len(TEAMS)
    assert world.get("funnel", accept="image/svg+xml", period="2024-06").status_code == 404


def test_the_funnel_svg_names_the_outlier_and_the_png_decodes(world: World) -> None:
    svg = world.get("funnel", accept="image/svg+xml")
    root = ET.fromstring(svg.text)
    assert root.findtext(f"{SVG_NS}title") == "Weight in kilograms, Mar 2025"
    assert f"{OUTLIER} (low, 41.9% of 31)" in (root.findtext(f"{SVG_NS}desc") or "")
    outliers = [e for e in root.iter() if "outlier" in (e.get("class") or "").split()]
    assert len(outliers) == 1
    png = world.get("funnel", accept="image/png", months=2)
    assert Image.open(io.BytesIO(png.content)).format == "PNG"


@pytest.mark.parametrize(
    ("params", "name", "words"),
    [
        ({"period": "2025-13"}, "period", "'2025-13' is not a month: give it as YYYY-MM, e.g. 2025-06"),
        ({"period": "June"}, "period", "'June' is not a month"),
        ({"months": 0}, "months", "greater than or equal to 1"),
        ({"months": 37}, "months", "less than or equal to 36"),
        ({"months": "three"}, "months", "valid integer"),
    ],
)
def test_a_bad_month_or_window_is_a_422_naming_the_parameter(
    world: World, params: dict[str, object], name: str, words: str
) -> None:
    response = world.get("funnel", **params)
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM), response.text
    problem = response.json()
    assert problem["errors"][0]["loc"] == ["query", name] and words in problem["detail"]


def test_a_count_measure_has_no_funnel_and_says_why(world: World) -> None:
    response = world.get("funnel", key="falls")
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    assert (
        "Falls is a count measure: a funnel plot compares proportions or rates" in response.json()["detail"]
    )
    assert world.get("teams", key="falls").status_code == 200  # side by side, a count is fine


def test_a_measure_no_team_has_is_404(world: World) -> None:
    assert world.get("teams", key="nothing").status_code == 404
    assert world.get("funnel", key="nothing").status_code == 404


def test_a_team_token_of_another_collaborative_is_refused_and_its_own_team_reads(
    world: World, client: TestClient, app_engine: QIEngine, clock: Clock
) -> None:
    other = HttpFlow(world.flow.api, clock)
    other.api.ok("/collaboratives", {"title": "Other", "focus": FOCUS, "measures": [WEIGHT]})
    other.collaborative = other.api.get("/collaboratives").json()[-1]["id"]
    other.advance("registration")
    [stranger] = register(other, ["Stranger Clinic"]).values()
    outsider = Api(client, issue(app_engine, Role.TEAM, "outsider", team_id=stranger))
    insider = Api(client, issue(app_engine, Role.TEAM, "insider", team_id=world.teams["Aspen Ward"]))
    for what in ("teams", "funnel"):
        refused = outsider.get(world.path(what))
        assert (refused.status_code, refused.headers["content-type"]) == (403, PROBLEM), refused.text
        assert OUTLIER not in refused.text
        assert insider.get(world.path(what)).status_code == 200


def test_the_openapi_document_declares_json_svg_and_png_varying_by_accept_and_each_is_served(
    world: World, client: TestClient
) -> None:
    schema = client.get("/openapi.json").json()
    for what in ("teams", "funnel"):
        operation = schema["paths"][f"/collaboratives/{{collaborative_id}}/measures/{{measure_key}}/{what}"][
            "get"
        ]
        assert operation["tags"] == ["measurement"]
        ok = operation["responses"]["200"]
        assert (
            set(ok["content"]) == {"application/json", "image/svg+xml", "image/png"}
            and "Vary" in ok["headers"]
        )
        assert {"403", "404", "422"} <= set(operation["responses"])
        for media_type in ok["content"]:
            response = world.get(what, accept=media_type)
            assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
    declared = {p["name"]: p for p in schema["paths"]["/collaboratives/{collaborative_id}/measures/{measure_key}/funnel"]["get"]["parameters"]}  # fmt: skip
    assert declared["period"]["schema"]["pattern"] == r"^\d{4}-(0[1-9]|1[0-2])$"
    assert (declared["months"]["schema"]["minimum"], declared["months"]["schema"]["maximum"]) == (1, 36)


def test_after_a_change_only_the_changed_teams_chart_is_drawn_again(world: World, client: TestClient) -> None:
    models = client.app.state.read_models  # type: ignore[attr-defined]
    cid = UUID(world.flow.collaborative)
    before = {str(t.team_id): t.view for t in models.team_charts(cid, "weight-kg")}
    aspen = world.teams["Aspen Ward"]
    world.flow.ok(
        f"/teams/{aspen}/measures/weight-kg/data", {"period": "2025-04", "numerator": 19, "denominator": 20}
    )
    after = {str(t.team_id): t.view for t in models.team_charts(cid, "weight-kg")}
    assert [s.y for s in after[aspen].slots][-1] == pytest.approx(0.95) and after[aspen] is not before[aspen]
    assert all(after[team] is before[team] for team in before if team != aspen)
    plan = {"title": "Kg scale", "change_idea": "c", "objective": "o", "prediction": "p", "plan": "pl"}
    world.flow.ok(f"/teams/{world.teams[OUTLIER]}/pdsa", {"plan": plan})
    planned = {str(t.team_id): t.view for t in models.team_charts(cid, "weight-kg")}
    assert [c.title for c in planned[world.teams[OUTLIER]].cycles] == ["Kg scale"]
    assert planned[world.teams[OUTLIER]] is not after[world.teams[OUTLIER]] and planned[aspen] is after[aspen]


def test_a_rate_is_compared_by_its_events_over_exposure_with_exact_poisson_limits(world: World) -> None:
    rate = {"key": "errors", "name": "Dose errors", "kind": "outcome", "data_type": "rate",
            "numerator": "dose errors", "denominator": "doses given", "direction": "decrease"}  # fmt: skip
    for name, errors, doses in (("Aspen Ward", 2, 1000), ("Birch Clinic", 3, 1500), ("Cedar ED", 30, 1000)):
        team = world.teams[name]
        world.flow.ok(f"/teams/{team}/measures", {"measure": rate})
        body = {"period": "2025-03", "numerator": errors, "denominator": doses}
        world.flow.ok(f"/teams/{team}/measures/errors/data", body)
    found = world.get("funnel", key="errors").json()
    assert (found["method"], found["target"]) == ("exact", pytest.approx(35 / 3500))
    # Cedar's errors pull the pooled rate up to 1%: the others fall below it, Cedar far above.
    assert found["outliers"][0]["words"] == "Cedar ED: 0.03 (30 over 1000), above the 99.8% limit"
    assert [(o["name"], o["band"]) for o in found["outliers"][1:]] == [
        ("Birch Clinic", "beyond 99.8% low"),  # 3 where 15 were expected: P(R <= 3) < 0.001
        ("Aspen Ward", "beyond 95% low"),  # 2 where 10 were expected: P(R <= 2) = 0.003
    ]
