"""The team page's PDSA plan form links a cycle to a live change idea of the
collaborative's change package, through the same PlanCycle the API runs."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from aggregates.base import Role
from engine.application import QIEngine
from tests.api.conftest import Api, issue
from tests.api.flow import HttpFlow
from tests.conftest import Clock
from tests.web.pages import PageClient, signed_in

PLAN = {"title": "Kg box on the triage card", "change_idea": "Print a kg box on the card",
        "objective": "Prompt a kilogram weight", "prediction": "90% in kg", "plan": "Day shift, two weeks"}  # fmt: skip


class Package:
    """A collaborative in its sessions phase whose change package has two ideas, one retired."""

    def __init__(self, staff: Api, clock: Clock) -> None:
        self.flow = HttpFlow(staff, clock)
        self.flow.up_to("sessions")
        base = f"/collaboratives/{self.flow.collaborative}/driver-diagram"
        primary = self._add(f"{base}/drivers", {"level": "primary", "name": "Reliable weights"}, "Driver")
        records = self._add(f"{base}/drivers", {"level": "secondary", "name": "Weight on every record",
                                                "primary_driver_id": primary}, "Driver")  # fmt: skip
        self.card = self._add(f"{base}/change-ideas", {"name": "Kg box on the triage card",
                                                       "secondary_driver_id": records}, "ChangeIdea")  # fmt: skip
        self.chart = self._add(f"{base}/change-ideas", {"name": "Conversion wall chart",
                                                        "secondary_driver_id": records}, "ChangeIdea")  # fmt: skip
        self.flow.ok(f"{base}/nodes/{self.chart}/retire", {"reason": "Estimates are not weights"})

    def _add(self, path: str, body: dict[str, str], kind: str) -> str:
        return str(self.flow.ok(path, body)["created"][kind][0])


@pytest.fixture
def package(staff: Api, clock: Clock) -> Package:
    return Package(staff, clock)


def _team_page(client: TestClient, engine: QIEngine, team: str) -> PageClient:
    return signed_in(client, issue(engine, Role.TEAM, "mercy", team_id=team))


def test_the_plan_form_offers_only_live_change_ideas_under_their_driver(
    client: TestClient, app_engine: QIEngine, package: Package
) -> None:
    team = package.flow.teams[0]
    html = _team_page(client, app_engine, team).get(f"/ui/teams/{team}").text
    select = re.search(r'<select id="plan-change-idea-id" name="change_idea_id">(.*?)</select>', html, re.S)
    assert select is not None
    assert '<optgroup label="Weight on every record">' in select[1]
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select[1])
    assert options == [("", "(none)"), (package.card, "Kg box on the triage card")]


def test_a_cycle_planned_with_an_idea_through_the_form_is_linked_to_it(
    client: TestClient, app_engine: QIEngine, package: Package
) -> None:
    team = package.flow.teams[0]
    page = _team_page(client, app_engine, team)
    form = PLAN | {"change_idea_id": package.card, "command_id": "plan-with-idea"}
    response = page.post(f"/ui/teams/{team}/pdsa", data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/ui/teams/{team}#pdsa"
    [cycle] = app_engine.team(UUID(team)).state.cycles.values()
    assert cycle.plan.change_idea_id == UUID(package.card)
    html = page.get(f"/ui/teams/{team}").text
    link = f'href="/ui/collaboratives/{package.flow.collaborative}/driver-diagram#idea-{package.card}"'
    assert f'<dt>Tests</dt><dd class="linked-idea"><a {link}>Kg box on the triage card</a>' in html
    [primary] = package.flow.api.get(f"/collaboratives/{package.flow.collaborative}/driver-diagram").json()[
        "primary_drivers"
    ]
    card = next(i for i in primary["children"][0]["children"] if i["node_id"] == package.card)
    assert (card["figures"]["teams_tested"], card["figures"]["cycles"]) == (1, 1)


def test_a_cycle_planned_without_an_idea_is_not_linked(
    client: TestClient, app_engine: QIEngine, package: Package
) -> None:
    team = package.flow.teams[0]
    page = _team_page(client, app_engine, team)
    form = PLAN | {"change_idea_id": "", "command_id": "plan-without-idea"}
    assert page.post(f"/ui/teams/{team}/pdsa", data=form, follow_redirects=False).status_code == 303
    [cycle] = app_engine.team(UUID(team)).state.cycles.values()
    assert cycle.plan.change_idea_id is None
    assert "<dt>Tests</dt>" not in page.get(f"/ui/teams/{team}").text


def test_a_retired_idea_sent_by_the_form_is_refused_and_nothing_is_stored(
    client: TestClient, app_engine: QIEngine, package: Package
) -> None:
    team = package.flow.teams[0]
    page = _team_page(client, app_engine, team)
    before = app_engine.recorder.max_notification_id()
    form = PLAN | {"change_idea_id": package.chart, "command_id": "plan-retired-idea"}
    response = page.post(f"/ui/teams/{team}/pdsa", data=form)
    assert response.status_code == 409 and "is retired" in response.text and 'role="alert"' in response.text
    assert app_engine.recorder.max_notification_id() == before
    assert 'value="Kg box on the triage card"' in response.text  # the values sent are shown again
