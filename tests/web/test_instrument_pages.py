"""Assessment instruments through the pages: staff publish one on the collaborative's page
(the definition pasted as JSON, every problem named beside it, nothing stored); a member
fills it in item by item on the team's page and sees the score per domain, the gap report,
the comparisons and a link to the PDF; an item left out or a number that is not one is
marked beside its item, the answers kept, and nothing stored."""

from __future__ import annotations

import copy
import io
import json

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from engine.application import QIEngine
from tests.api.conftest import Api
from tests.api.test_instruments_api import DEFINITION
from tests.conftest import Clock
from tests.web.test_team_forms import Scene, main, phase


@pytest.fixture
def at() -> str:
    return "orientation"


@pytest.fixture
def scene(client: TestClient, app_engine: QIEngine, staff: Api, clock: Clock, at: str) -> Scene:
    return Scene(client, app_engine, staff, clock, at)


def _collaborative(scene: Scene) -> str:
    return str(scene.flow.collaborative)


def _publish(scene: Scene, definition: object = DEFINITION, instrument_id: str = "", page=None):  # type: ignore[no-untyped-def]
    page = page or scene.staff()
    page.get(f"/ui/collaboratives/{_collaborative(scene)}/instruments")
    text = definition if isinstance(definition, str) else json.dumps(definition)
    body = {"definition": text, "instrument_id": instrument_id}
    return page.post(f"/ui/collaboratives/{_collaborative(scene)}/instruments", body, follow_redirects=False)


@phase("orientation")
def test_staff_publish_an_instrument_and_see_it_listed_with_its_version(scene: Scene) -> None:
    assert _publish(scene).status_code == 303
    shown = main(scene.staff().get(f"/ui/collaboratives/{_collaborative(scene)}/instruments").text)
    assert (
        "Readiness check" in shown
        and "readiness assessment" in shown
        and "version 2 of Readiness check" in shown
    )


@phase("orientation")
def test_a_definition_with_problems_is_refused_with_each_named_beside_it_and_nothing_stored(
    scene: Scene,
) -> None:
    broken = copy.deepcopy(DEFINITION)
    broken["items"][1]["options"] = [{"label": "only", "points": 1}]
    broken["items"][2].pop("target")
    staff = scene.staff()
    before = scene.stored()
    refused = _publish(scene, broken, page=staff)
    assert refused.status_code == 422
    shown = main(refused.text)
    assert 'id="definition-error"' in shown
    assert "item 2 (qi-plan): choice item &#39;qi-plan&#39; needs at least two options" in shown
    assert "item 3 (kg): number item &#39;kg&#39; needs a target" in shown
    assert "&#34;only&#34;" in shown  # the pasted definition is kept to correct
    assert scene.stored() == before
    assert "not JSON" in main(_publish(scene, "{not json").text)


@phase("sessions")
def test_a_member_fills_in_the_instrument_and_sees_scores_gaps_comparisons_and_the_pdf(scene: Scene) -> None:
    _publish(scene)
    member = scene.member()
    form = main(member.get(f"/ui/teams/{scene.team}/instruments").text)
    assert "Fill in the Readiness check" in form and "Coordination" in form and "met at at least 90 %" in form
    action = form.split('action="', 2)[1].split('"', 1)[0]
    done = member.post(action, {"pecc": "no", "qi-plan": "partly", "kg": "60", "notes": "Scales in lb"},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303, done.text
    report = main(member.get(done.headers["location"]).text)
    assert "Score: 8.3 out of 100" in report and "12.5" in report
    gaps = report.split('id="gaps-h"', 1)[1]
    assert (
        gaps.index("A pediatric coordinator is named")
        < gaps.index("Children weighed in kg")
        < gaps.index("The QI plan covers children")
    )
    assert "first assessment on this instrument" in report and "Scales in lb" in report
    pdf_link = done.headers["location"] + ".pdf"
    assert f'href="{pdf_link}"' in report
    pdf = member.get(pdf_link)
    assert pdf.headers["content-type"] == "application/pdf"
    assert "Gap report (3 items" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()

    again = member.post(action, {"pecc": "yes", "qi-plan": "partly", "kg": "95"}, follow_redirects=False)
    follow_up = main(member.get(again.headers["location"]).text)
    assert "Since the previous assessment: overall" in follow_up and "+75 (from 12.5)" in follow_up
    listing = main(member.get(f"/ui/teams/{scene.team}/instruments").text)
    assert listing.count("(version 1)") == 2


@phase("sessions")
def test_an_item_left_out_or_a_number_that_is_not_one_is_marked_beside_it_and_nothing_stored(
    scene: Scene,
) -> None:
    _publish(scene)
    member = scene.member()
    form = main(member.get(f"/ui/teams/{scene.team}/instruments").text)
    action = form.split('action="', 2)[1].split('"', 1)[0]
    before = scene.stored()
    refused = member.post(action, {"qi-plan": "partly", "kg": "lots"})
    assert refused.status_code == 422
    shown = main(refused.text)
    assert '<p class="field-error" id="pecc-error">answer this item' in shown
    assert '<p class="field-error" id="kg-error">give a number' in shown
    assert 'value="partly" checked' in shown and 'value="lots"' in shown
    assert "2 items need another look" in shown
    assert scene.stored() == before


@phase("sessions")
def test_a_new_version_is_not_compared_with_the_old_one_on_the_report(scene: Scene) -> None:
    _publish(scene)
    member = scene.member()
    action = (
        main(member.get(f"/ui/teams/{scene.team}/instruments").text).split('action="', 2)[1].split('"', 1)[0]
    )
    member.post(action, {"pecc": "no", "qi-plan": "partly", "kg": "60"})
    instrument_id = action.rsplit("/", 1)[1]
    revised = copy.deepcopy(DEFINITION)
    revised["items"][2]["target"] = 95
    assert _publish(scene, revised, instrument_id).status_code == 303
    again = member.post(action, {"pecc": "yes", "qi-plan": "partly", "kg": "95"}, follow_redirects=False)
    report = main(member.get(again.headers["location"]).text)
    assert "version 2 vs version 1: not comparable" in report and "(from" not in report


@phase("orientation")
def test_the_collaboratives_page_shows_each_instruments_items_and_staff_its_definition_to_revise(
    scene: Scene,
) -> None:
    _publish(scene)
    shown = main(scene.member().get(f"/ui/collaboratives/{scene.flow.collaborative}/instruments").text)
    assert "The items of Readiness check (version 1)" in shown
    assert "choice: in place (2), partly (1), no (0)" in shown and "at least 90 %" in shown
    assert "text, not scored" in shown and "Publish an instrument" not in shown and "definition" not in shown
    staff = main(scene.staff().get(f"/ui/collaboratives/{scene.flow.collaborative}/instruments").text)
    assert "To publish version 2" in staff and "&#34;key&#34;: &#34;pecc&#34;" in staff
