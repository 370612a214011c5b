"""The library and the toolkits name who shared a resource or compiled a toolkit, never
their actor id (`token:…`), and a chart of a shared project is titled by its measure's
name, not its key."""

from __future__ import annotations

import re
from uuid import UUID

from fastapi.testclient import TestClient

from aggregates.base import Actor, Role
from engine.application import QIEngine
from engine.commands.learning import AddChangeIdea, AddDriver
from tests.api.conftest import Api
from tests.api.flow import HttpFlow
from tests.conftest import Clock
from tests.web.pages import signed_in


def _change_idea(engine: QIEngine, collaborative: UUID) -> UUID:
    ctx = lambda: engine.context(Actor(id="setup", role=Role.SYSTEM))  # noqa: E731
    primary = engine.execute(AddDriver(collaborative_id=collaborative, level="primary", name="Kg"), ctx())
    secondary = engine.execute(AddDriver(collaborative_id=collaborative, level="secondary", name="Scales",
                                         primary_driver_id=primary.created["Driver"][0]), ctx())  # fmt: skip
    idea = AddChangeIdea(
        collaborative_id=collaborative, name="Lock scales", secondary_driver_id=secondary.created["Driver"][0]
    )
    created: UUID = engine.execute(idea, ctx()).created["ChangeIdea"][0]
    return created


def test_the_library_and_the_toolkit_name_staff_and_title_charts_by_measure_name(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("sharing")
    idea = _change_idea(app_engine, UUID(flow.collaborative))
    library = f"/ui/collaboratives/{flow.collaborative}/library"
    page = signed_in(client, str(staff.token), library)
    shared = page.post(
        f"{library}/links", data={"url": "https://example.org/kg", "title": "Kg poster", "kind": "article"}
    )
    assert shared.status_code in (200, 303), shared.text
    text = page.get(library).text
    assert "shared by ann-staff (staff)" in text and "token:" not in text
    charts = re.findall(r'aria-label="([^"]*)"|<figcaption>([^<]*)</figcaption>', text)
    named = ["".join(c) for c in charts if "Weight in" in "".join(c) or "weight-kg" in "".join(c)]
    assert named and all("Weight in kilograms" in c and "weight-kg" not in c for c in named), named

    resource = re.search(
        r'name="resource_ids" value="([^"]+)"',
        page.get(f"/ui/collaboratives/{flow.collaborative}/toolkits").text,
    )
    assert resource is not None
    compiled = page.post(
        f"/ui/collaboratives/{flow.collaborative}/toolkits",
        data={"title": "Kg toolkit", "resource_ids": resource[1], "change_idea_ids": str(idea)},
    )
    assert compiled.status_code in (200, 303), compiled.text
    toolkits = page.get(f"/ui/collaboratives/{flow.collaborative}/toolkits").text
    assert "by ann-staff (staff)" in toolkits and "token:" not in toolkits
    toolkit = re.search(r'href="(/ui/toolkits/[0-9a-f-]+)"', toolkits)
    assert toolkit is not None
    article = page.get(toolkit[1]).text
    assert "compiled by ann-staff (staff)" in article and "shared by ann-staff (staff)" in article
    assert "token:" not in article


def test_a_toolkit_without_a_title_or_a_change_idea_is_refused_beside_those_fields_and_keeps_the_choices(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("sharing")
    toolkits = f"/ui/collaboratives/{flow.collaborative}/toolkits"
    page = signed_in(client, str(staff.token), f"/ui/collaboratives/{flow.collaborative}/library")
    page.post(
        f"/ui/collaboratives/{flow.collaborative}/library/links",
        data={"url": "https://example.org/kg", "title": "Kg poster", "kind": "article"},
    )
    resource = re.search(r'name="resource_ids" value="([^"]+)"', page.get(toolkits).text)
    assert resource is not None
    before = app_engine.recorder.max_notification_id()
    refused = page.post(toolkits, data={"title": "", "resource_ids": resource[1]})
    assert refused.status_code == 422
    assert 'id="title-error"' in refused.text and 'id="change_idea_ids-error"' in refused.text
    assert "Unprocessable" not in refused.text and "change_idea_ids:" not in refused.text
    assert f'value="{resource[1]}" checked' in refused.text  # the choice sent is kept
    assert app_engine.recorder.max_notification_id() == before
