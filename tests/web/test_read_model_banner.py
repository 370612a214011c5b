"""While a read model is stopped on an event, every page says which views are unavailable,
and a page that needs it says so instead of failing; the other pages keep working."""

from __future__ import annotations

from uuid import UUID

from fastapi.testclient import TestClient

from aggregates.base import Actor, Role
from aggregates.pdsa import PdsaPlan
from aggregates.phases import Phase
from engine.application import QIEngine
from tests.api.conftest import Api
from tests.api.flow import HttpFlow
from tests.conftest import Clock
from tests.web.pages import signed_in


def _poison_credits(engine: QIEngine, flow: HttpFlow) -> int:
    team_a = engine.team(UUID(flow.teams[0]))
    plan = PdsaPlan(title="Same id", change_idea="x", objective="o", prediction="p", plan="pl")
    intruder = engine.context(Actor(id="intruder", role=Role.TEAM))
    team_a.plan_cycle(intruder, Phase.PROJECTS, UUID(flow.cycles[flow.teams[1]]), plan)
    engine.save(team_a)
    return engine.recorder.max_notification_id() or 0


def test_pages_name_the_unavailable_views_and_the_rest_keep_working(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("projects")
    pages = signed_in(client, str(staff.token))
    assert "are unavailable" not in pages.get(f"/ui/collaboratives/{flow.collaborative}").text
    position = _poison_credits(app_engine, flow)

    overview = pages.get(f"/ui/collaboratives/{flow.collaborative}")
    member = flow.members[flow.teams[0]]
    transcript = pages.get(f"/ui/participants/{member}/transcript")

    assert overview.status_code == 200
    assert (
        f"Credit transcripts and credit exports are unavailable: they stopped at event {position}"
        in overview.text
    )
    assert "qi projections resume" in overview.text
    assert pages.get(f"/ui/teams/{flow.teams[1]}").status_code == 200
    assert transcript.status_code == 503
    assert "the credits read model stopped at event" in transcript.text
    assert "Credit transcripts and credit exports are unavailable" in transcript.text
