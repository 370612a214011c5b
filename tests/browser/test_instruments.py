"""An assessment instrument in a real browser: a team opens its instruments from the team
page, sends the form with an item left out (refused beside the item, the other answers
kept), completes it, reads its score per domain and its gap report heaviest first, and
downloads its answers as a PDF. On a collaborative of its own, so the demo stays as it is."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from pypdf import PdfReader

from aggregates.base import Actor, Role
from aggregates.phases import Phase
from aggregates.values import FocusFields
from engine.commands.collaborative import AdvancePhase, CreateCollaborative, NewMember, RegisterTeam
from engine.commands.instruments import DefineInstrument
from tests.api.test_instruments_api import DEFINITION
from tests.browser.conftest import Site, shot
from tests.browser.test_pages import sign_in

Page = Any


def _team_with_an_instrument(site: Site) -> UUID:
    engine = site.engine
    ctx = lambda: engine.context(Actor(id="browser-tests", role=Role.STAFF))  # noqa: E731
    focus = FocusFields(
        focus_area="Readiness",
        aim="Ready for children",
        starts_on=date(2026, 1, 5),
        ends_on=date(2026, 12, 18),
    )
    collaborative = engine.execute(CreateCollaborative(title="PRQC Readiness Cohort", focus=focus), ctx()).id
    engine.execute(
        AdvancePhase(collaborative_id=collaborative, to=Phase.REGISTRATION, override_reason="test"), ctx()
    )
    lead = NewMember(person={"name": "Rae Ridgelead"}, discipline="nurse")
    team = engine.execute(RegisterTeam(collaborative_id=collaborative, name="Ridgeway ED", organization="Ridgeway",
                                       care_setting="community_ed", members=(lead,)), ctx()).id  # fmt: skip
    engine.execute(
        AdvancePhase(collaborative_id=collaborative, to=Phase.ORIENTATION, override_reason="test"), ctx()
    )
    engine.execute(DefineInstrument(collaborative_id=collaborative, definition=DEFINITION), ctx())
    return team


def test_a_team_completes_an_assessment_sees_its_gap_report_and_downloads_the_pdf(
    page: Page, site: Site
) -> None:
    team = _team_with_an_instrument(site)
    sign_in(page, site.token(Role.TEAM, "ridgeway-team", team_id=team), f"/ui/teams/{team}")
    page.get_by_role(
        "link", name="Assessment instruments: fill one in, see the scores and gap reports"
    ).click()
    page.wait_for_url(f"**/ui/teams/{team}/instruments")
    form = page.get_by_role("form", name="Readiness check")
    form.get_by_role("group", name=re.compile("^The QI plan covers children")).get_by_label(
        "partly", exact=True
    ).check()
    form.get_by_label(re.compile("^Children weighed in kg")).fill("60")
    form.get_by_role("button", name="Submit the Readiness check").click()

    refused = page.get_by_role("form", name="Readiness check")
    assert "answer this item" in page.locator("#pecc-error").inner_text()
    assert "1 item needs another look" in refused.inner_text()
    assert refused.get_by_label("partly", exact=True).is_checked()
    assert refused.get_by_label(re.compile("^Children weighed in kg")).input_value() == "60"
    shot(page, "50-instrument-item-left-out")

    refused.get_by_role("group", name=re.compile("^A pediatric coordinator")).get_by_label(
        "no", exact=True
    ).check()
    refused.get_by_label(re.compile("^Anything else")).fill("Scales still show pounds")
    refused.get_by_role("button", name="Submit the Readiness check").click()
    page.wait_for_url(re.compile(r".*/instrument-assessments/[0-9a-f-]+$"))
    assert "Score: 8.3 out of 100" in page.get_by_role("heading", level=2).first.inner_text()
    gaps = page.locator("#gaps table tbody tr")
    assert [gaps.nth(i).locator("th").inner_text() for i in range(gaps.count())] == [
        "A pediatric coordinator is named",
        "Children weighed in kg, %",
        "The QI plan covers children",
    ]
    shot(page, "51-instrument-gap-report")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the answers as a PDF").click()
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(Path(download.value.path()).read_bytes())).pages
    )
    assert "Ridgeway ED" in text and "Gap report (3 items not met, heaviest first)" in text
    assert "Scales still show pounds" in text
