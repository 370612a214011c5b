"""Stored XSS through a URL: a link is drawn only for http(s) URLs; anything else
already in the history (javascript:, data:, ...) is shown as inert text, on the
team, library and toolkit pages alike."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from adapters.safe_urls import safe_url
from aggregates.base import Actor, Role
from aggregates.resource import Resource, ResourceDetails
from aggregates.values import SharedProject
from engine.application import QIEngine
from tests.api.conftest import Api
from tests.api.flow import HttpFlow
from tests.conftest import Clock
from tests.web.pages import compile_toolkit, signed_in

HOSTILE = [
    "javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", "\x01javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)", "//evil.example/x", "/ui/sign-out", "https:alert(1)", "http://", "file:///etc/passwd",
]  # fmt: skip
SAFE = ["https://example.org/storyboard.pdf", "http://example.org/a?b=c&d=e#f", "HTTPS://Example.org/"]
ATTACKER = Actor(id="history", role=Role.TEAM)


@pytest.mark.parametrize("url", HOSTILE)
def test_the_filter_refuses_every_url_that_is_not_http_or_https(url: str) -> None:
    assert safe_url(url) is None


@pytest.mark.parametrize("url", SAFE)
def test_the_filter_keeps_http_and_https_urls(url: str) -> None:
    assert safe_url(url) == url


def _store_share(engine: QIEngine, team_id: str, url: str) -> None:
    """As stored history: the event written through the domain, without the command's URL check."""
    team = engine.team(UUID(team_id))
    phase = engine.collaborative(team.state.collaborative_id).phase
    project = SharedProject.model_construct(title="Kg only", summary="What worked", storyboard_url=url,
                                            measure_keys=("weight-kg",), cycle_ids=())  # fmt: skip
    team.share_project(engine.context(ATTACKER), phase, project)
    engine.save(team)


def _store_link(engine: QIEngine, collaborative_id: str, url: str) -> None:
    collaborative = engine.collaborative(UUID(collaborative_id))
    details = ResourceDetails(kind="article", title="Evil link")
    engine.save(
        Resource.share(engine.context(ATTACKER), uuid4(), collaborative.id, collaborative.phase, details, url)
    )


@pytest.mark.parametrize(
    "url", ["javascript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>"]
)
def test_a_stored_hostile_url_is_inert_text_on_the_team_library_and_toolkit_pages(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine, url: str
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("sharing")
    _store_share(app_engine, flow.teams[0], url)
    _store_link(app_engine, flow.collaborative, url)
    resource = staff.get(f"/collaboratives/{flow.collaborative}/resources").json()[0]["resource_id"]
    toolkit = compile_toolkit(flow, [resource])
    page = signed_in(client, str(staff.token))
    scheme = url.split(":")[0]
    for path in (f"/ui/teams/{flow.teams[0]}", f"/ui/collaboratives/{flow.collaborative}/library",
                 f"/ui/toolkits/{toolkit}", f"/ui/toolkits/{toolkit}.html"):  # fmt: skip
        html = page.get(path).text
        assert f'href="{scheme}' not in html.lower() and f"href='{scheme}" not in html.lower(), path
        assert 'class="inert-url"' in html, path


def test_an_http_storyboard_is_still_a_link(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("sharing")
    _store_share(app_engine, flow.teams[0], "https://example.org/storyboard")
    html = signed_in(client, str(staff.token)).get(f"/ui/teams/{flow.teams[0]}").text
    assert '<a href="https://example.org/storyboard" rel="noopener noreferrer">Storyboard</a>' in html
