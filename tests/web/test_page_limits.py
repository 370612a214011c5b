"""Pages cap what they draw from history that is already stored (a shared project
with 40,000 measure keys), and a date the clock cannot hold is a clear error
beside its field, not a 500."""

from __future__ import annotations

import re
import time
from uuid import UUID

from fastapi.testclient import TestClient

from aggregates.base import Actor, Role
from aggregates.team import ProjectShared
from aggregates.values import SharedProject
from engine.application import QIEngine
from tests.api.conftest import Api
from tests.api.flow import HttpFlow
from tests.conftest import Clock
from tests.web.pages import signed_in

HUGE = 40_000


def _store_huge_share(engine: QIEngine, team_id: str) -> None:
    """As old history holds it: one event naming 40,000 measures (the command now refuses that)."""
    team = engine.team(UUID(team_id))
    keys = ("weight-kg", *(f"m{i:05d}" for i in range(HUGE - 1)))
    project = SharedProject.model_construct(
        title="Huge", summary="s", storyboard_url=None, measure_keys=keys, cycle_ids=()
    )
    team._record(engine.context(Actor(id="history", role=Role.TEAM)), ProjectShared, project=project)
    engine.save(team)


def test_a_shared_project_with_40000_measures_renders_the_library_quickly_and_small(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("sharing")
    _store_huge_share(app_engine, flow.teams[0])
    page = signed_in(client, str(staff.token))
    page.get(f"/ui/collaboratives/{flow.collaborative}/library")  # catch the read models up first
    started = time.perf_counter()
    response = page.get(f"/ui/collaboratives/{flow.collaborative}/library")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    print(f"library page with {HUGE:,} measure keys: {elapsed:.2f} s, {len(response.content):,} bytes")
    assert elapsed < 2.0 and len(response.content) < 400_000, (elapsed, len(response.content))
    project = response.text[response.text.index(f'id="project-{flow.teams[0]}"') :]
    assert "and 39,994 more measures" in project and project.count("<figure>") == 6


def test_a_date_beyond_what_the_clock_holds_is_an_error_beside_its_field(
    client: TestClient, staff: Api
) -> None:
    page = signed_in(client, str(staff.token))
    for field, value in (("until", "9999-12-31T23:59-01:00"), ("since", "0001-01-01T00:00:00+01:00")):
        response = page.get("/ui/audit", params={field: value})
        assert response.status_code == 422, response.text
        error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', response.text)
        assert error and value[:10] in error[1] and "outside the years 1 to 9999" in error[1], field
        assert f'aria-describedby="{field}-error"' in response.text


def test_an_as_of_moment_beyond_what_the_clock_holds_is_a_clear_error(
    client: TestClient, staff: Api, clock: Clock
) -> None:
    flow = HttpFlow(staff, clock)
    flow.create()
    page = signed_in(client, str(staff.token))
    response = page.get(
        f"/ui/collaboratives/{flow.collaborative}/as-of", params={"at": "9999-12-31T23:59-01:00"}
    )
    assert response.status_code == 422 and "outside the years 1 to 9999" in response.text
    assert re.search(r'<p class="field-error" id="at-error">[^<]*9999-12-31T23:59', response.text)
