"""Over HTTP and the command line: a read model stopped on a poison event is named, its
reads answer 503, and everything else keeps working for every collaborative."""

from __future__ import annotations

import subprocess
import sys
from uuid import UUID

import pytest

from aggregates.base import Actor, Role
from aggregates.pdsa import PdsaPlan
from aggregates.phases import Phase
from engine.application import QIEngine
from tests.api.conftest import Api
from tests.api.flow import HttpFlow
from tests.conftest import Clock

QI = [sys.executable, "-m", "adapters.cli"]


@pytest.fixture
def poisoned(staff: Api, clock: Clock, app_engine: QIEngine) -> tuple[HttpFlow, int]:
    """A collaborative in its projects phase, and a cycle planned by one team under the
    other team's cycle id, written past the commands' checks; returns its position."""
    flow = HttpFlow(staff, clock)
    flow.up_to("projects")
    team_a = app_engine.team(UUID(flow.teams[0]))
    plan = PdsaPlan(title="Same id", change_idea="x", objective="o", prediction="p", plan="pl")
    intruder = app_engine.context(Actor(id="intruder", role=Role.TEAM))
    team_a.plan_cycle(intruder, Phase.PROJECTS, UUID(flow.cycles[flow.teams[1]]), plan)
    app_engine.save(team_a)
    return flow, app_engine.recorder.max_notification_id() or 0


def test_reads_of_the_stopped_read_model_answer_503_naming_it(
    poisoned: tuple[HttpFlow, int], staff: Api
) -> None:
    flow, position = poisoned

    response = staff.get(f"/collaboratives/{flow.collaborative}/credits")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["read_model"] == "credits"
    assert f"stopped at event {position} (PdsaPlanned)" in problem["detail"]


def test_every_other_read_and_every_write_keeps_working(poisoned: tuple[HttpFlow, int], staff: Api) -> None:
    flow, _ = poisoned
    data = {"period": "2025-02", "numerator": 15, "denominator": 20}

    staff.ok(f"/teams/{flow.teams[1]}/measures/weight-kg/data", data)

    for path in ("dashboard", "shared-projects", "resources"):
        assert staff.get(f"/collaboratives/{flow.collaborative}/{path}").status_code == 200, path
    assert staff.get("/audit", collaborative=flow.collaborative).status_code == 200
    assert staff.get("/audit/verify").json()["ok"] is True
    chart = staff.get(f"/teams/{flow.teams[1]}/measures/weight-kg/chart")
    assert chart.status_code == 200 and "2025-02" in chart.text


def test_health_names_the_stopped_read_model_and_its_position(
    poisoned: tuple[HttpFlow, int], staff: Api
) -> None:
    _, position = poisoned
    staff.get(f"/collaboratives/{poisoned[0].collaborative}/dashboard")  # catches the read models up

    health = staff.get("/healthz").json()

    assert health["status"] == "degraded"
    stopped = [m for m in health["read_models"] if not m["serving"]]
    assert [(m["name"], m["position"], m["failure"]["position"]) for m in stopped] == [
        ("credits", position - 1, position)
    ]
    assert health["events"] >= position


def test_the_command_line_names_the_stopped_read_model_and_rebuilds_the_others(
    poisoned: tuple[HttpFlow, int], staff: Api, app_engine: QIEngine
) -> None:
    flow, position = poisoned
    staff.get(f"/collaboratives/{flow.collaborative}/dashboard")
    env = {"QI_STORE": app_engine.settings.store, "PATH": "/usr/bin:/bin"}
    run = lambda *args: subprocess.run([*QI, *args], env=env, capture_output=True, text=True)  # noqa: E731

    status = run("projections", "status")
    rebuilt = run("rebuild")
    verified = run("audit", "verify")
    resumed = run("projections", "resume", "credits")

    assert status.returncode == 1 and f"stopped at event {position} (PdsaPlanned)" in status.stdout
    assert rebuilt.returncode == 1 and "the credits read model stopped at event" in rebuilt.stdout
    assert verified.returncode == 0, verified.stdout
    assert resumed.returncode == 1 and f"stopped at event {position}" in resumed.stdout
