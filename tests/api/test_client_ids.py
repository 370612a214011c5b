"""Ids a client chooses are unique everywhere, and can never be ids the engine derives.

Replays the review's attacks: a team planning a PDSA cycle under another team's cycle
id (which broke the credit ledger and overwrote the other team's dashboard row), and a
resource taking the change package's derived id (which blocked the driver diagram).
"""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from eventsourcing.utils import get_topic
from fastapi.testclient import TestClient

from aggregates.base import Role
from aggregates.change_package import change_package_id
from aggregates.ids import IdClaimed
from engine.application import QIEngine
from tests.api.conftest import Api, issue
from tests.api.flow import HttpFlow
from tests.conftest import Clock
from tests.fixtures import PLAN

LINK = {"details": {"kind": "article", "title": "Weigh in kg"}, "url": "https://example.org/kg"}


@pytest.fixture
def flow(staff: Api, clock: Clock) -> HttpFlow:
    flow = HttpFlow(staff, clock)
    flow.up_to("projects")
    return flow


def team_api(client: TestClient, engine: QIEngine, team: str) -> Api:
    return Api(client, issue(engine, Role.TEAM, f"team {team}", team_id=UUID(team)))


def test_a_team_cannot_plan_a_cycle_under_another_teams_chosen_cycle_id(
    flow: HttpFlow, client: TestClient, app_engine: QIEngine
) -> None:
    a, b = (team_api(client, app_engine, t) for t in flow.teams)
    chosen = str(uuid4())
    b.ok(f"/teams/{flow.teams[1]}/pdsa", {"plan": PLAN, "cycle_id": chosen})
    before = flow.api.get(f"/collaboratives/{flow.collaborative}/dashboard").json()

    refused = a.post(f"/teams/{flow.teams[0]}/pdsa", {"plan": PLAN, "cycle_id": chosen}, expect=409)

    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["rule"] == "ids_are_unique"
    assert chosen in refused.json()["detail"]
    assert flow.api.get(f"/collaboratives/{flow.collaborative}/dashboard").json() == before
    for path in ("credits", "shared-projects", "resources"):
        assert flow.api.get(f"/collaboratives/{flow.collaborative}/{path}").status_code == 200
    assert flow.api.get("/audit/verify").json()["ok"] is True


def test_a_team_cannot_reuse_an_engine_derived_cycle_id(
    flow: HttpFlow, client: TestClient, app_engine: QIEngine
) -> None:
    a = team_api(client, app_engine, flow.teams[0])
    derived = flow.cycles[flow.teams[1]]
    assert UUID(derived).version == 5

    refused = a.post(f"/teams/{flow.teams[0]}/pdsa", {"plan": PLAN, "cycle_id": derived}, expect=422)

    assert "version 5" in refused.json()["detail"]


def test_a_resource_cannot_take_the_change_packages_derived_id(flow: HttpFlow) -> None:
    package = change_package_id(UUID(flow.collaborative))
    link = LINK

    flow.api.post(
        f"/collaboratives/{flow.collaborative}/resources", link | {"resource_id": str(package)}, expect=422
    )
    driver = {"level": "primary", "name": "Reliable weights"}

    assert flow.api.ok(f"/collaboratives/{flow.collaborative}/driver-diagram/drivers", driver)["id"] == str(
        package
    )


def test_a_chosen_id_is_refused_for_a_different_kind_of_thing(flow: HttpFlow) -> None:
    chosen = str(uuid4())
    link = LINK
    flow.api.ok(f"/collaboratives/{flow.collaborative}/resources", link | {"resource_id": chosen})

    refused = flow.api.post(f"/teams/{flow.teams[0]}/pdsa", {"plan": PLAN, "cycle_id": chosen}, expect=409)

    assert "already in use" in refused.json()["detail"]


def test_a_chosen_id_that_names_an_aggregate_stored_before_claims_existed_is_refused(
    flow: HttpFlow, app_engine: QIEngine
) -> None:
    older = str(uuid4())
    flow.api.ok(f"/collaboratives/{flow.collaborative}/resources", LINK | {"resource_id": older})
    _forget_claims(app_engine)

    refused = flow.api.post(f"/teams/{flow.teams[0]}/pdsa", {"plan": PLAN, "cycle_id": older}, expect=409)

    assert refused.json()["rule"] == "ids_are_unique"


def _forget_claims(engine: QIEngine) -> None:
    """Make the store look like history written before claims: no IdClaimed events."""
    topic = get_topic(IdClaimed)
    with engine.factory.datastore.transaction(commit=True) as cursor:
        cursor.execute(f"DELETE FROM {engine.recorder.events_table_name} WHERE topic = ?", (topic,))
    engine.repository.cache = None
    assert not engine.recorder.select_notifications(None, 10, topics=[topic])


def test_a_retried_command_with_a_chosen_id_returns_its_first_result(flow: HttpFlow) -> None:
    chosen = str(uuid4())
    body = {"plan": PLAN, "cycle_id": chosen}
    first = flow.api.ok(f"/teams/{flow.teams[0]}/pdsa", body, key="plan-once")

    again = flow.api.ok(f"/teams/{flow.teams[0]}/pdsa", body, key="plan-once")

    assert again == first
    assert first["created"]["PdsaCycle"] == [chosen]
