"""The shared-learning pages in a real browser, on the demo collaborative (in its
community-of-practice phase): the library with uploads, search and download;
the driver diagram that staff build and that shows what teams found; comments
and 'we are trying this' between teams; a toolkit downloaded as PDF."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any
from uuid import UUID

from pypdf import PdfReader

from aggregates.base import Actor, Role
from aggregates.change_package import ChangePackage, change_package_id
from aggregates.pdsa import PdsaAct, PdsaDo, PdsaPlan, PdsaStudy
from aggregates.resource import ResourceDetails
from engine.commands import Command
from engine.commands.learning import AddChangeIdea, AddDriver, ShareLink
from engine.commands.team import PlanCycle, RecordAct, RecordDo, RecordStudy
from tests.browser.conftest import Site, shot
from tests.browser.test_pages import sign_in

Page = Any
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _run(site: Site, command: Command) -> Any:
    return site.engine.execute(command, site.engine.context(Actor(id="browser-setup", role=Role.SYSTEM)))


def _team(site: Site, index: int) -> UUID:
    return list(site.engine.collaborative(site.demo).state.teams)[index]


def _adopt(site: Site, team: UUID, idea: UUID, title: str) -> UUID:
    plan = PdsaPlan(
        title=title, change_idea="c", change_idea_id=idea, objective="o", prediction="p", plan="pl"
    )
    cycle: UUID = _run(site, PlanCycle(team_id=team, plan=plan)).created["PdsaCycle"][0]
    _run(site, RecordDo(team_id=team, cycle_id=cycle, do=PdsaDo(observations="done")))
    _run(
        site,
        RecordStudy(team_id=team, cycle_id=cycle, study=PdsaStudy(results="r", prediction_confirmed=True)),
    )
    _run(site, RecordAct(team_id=team, cycle_id=cycle, act=PdsaAct(decision="adopt")))
    return cycle


def _node_id(site: Site, name: str) -> UUID:
    package = site.engine.get(ChangePackage, change_package_id(site.demo))
    return next(node_id for node_id, node in package.state.nodes.items() if node.name == name)


def _add(page: Page, action: str, **fields: str) -> None:
    form = page.locator(f"form[action$='/driver-diagram/{action}']")
    for label, value in fields.items():
        control = form.get_by_label(re.compile(label))
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    form.get_by_role("button").click()
    page.wait_for_url("**/driver-diagram*")


def _svg_text(page: Page) -> str:
    return str(page.locator("#diagram svg").evaluate("e => e.textContent"))


def test_staff_build_the_driver_diagram_and_it_shows_what_teams_found(page: Page, site: Site) -> None:
    sign_in(page, site.staff_token, f"/ui/collaboratives/{site.demo}/driver-diagram")
    _add(page, "drivers", Level="primary driver", **{"Driver name": "Reliable weights in kg"})
    for name in ("Scales that show kilograms only", "Weight on every record"):
        _add(
            page,
            "drivers",
            Level="secondary driver",
            **{"Driver name": name, "Under primary": "Reliable weights in kg"},
        )
    _add(
        page,
        "change-ideas",
        **{"Change idea": "Lock scales to kilograms", "Under secondary": "Scales that show kilograms only"},
    )
    _add(
        page,
        "change-ideas",
        **{"Change idea": "Kg box on the triage card", "Under secondary": "Weight on every record"},
    )
    idea = _node_id(site, "Lock scales to kilograms")
    _adopt(site, _team(site, 4), idea, "Locked scales at Sweetgrass")
    page.reload()
    text = _svg_text(page)
    assert (
        "Lock scales to kilograms" in text
        and "1 team · 1 PDSA cycle" in text
        and "adopt 1 · adapt 0 · abandon 0" in text
    )
    row = page.locator(f"#idea-{idea}")
    assert "Sweetgrass County Hospital" in row.inner_text()
    shot(page, "learning-01-driver-diagram")
    _add(
        page,
        "rename",
        Rename="Kg box on the triage card (change idea)",
        **{"New name": "Kg box printed on the triage card"},
    )
    _add(
        page,
        "retire",
        Retire="Kg box printed on the triage card (change idea)",
        Reason="Cards are going electronic",
    )
    # The demo's own retired idea is in the diagram too: pick the one retired here.
    retired = page.locator("#diagram svg g.retired title", has_text="Kg box printed").text_content() or ""
    assert retired.startswith("Kg box printed on the triage card — retired: Cards are going electronic")
    history = page.locator("#history").inner_text()
    assert (
        "renamed as “Kg box printed on the triage card”" in history
        and "retired (Cards are going electronic)" in history
    )
    form = page.locator("form[action$='/driver-diagram/retire']")
    form.get_by_label("Retire").select_option(label="Scales that show kilograms only (secondary driver)")
    form.get_by_label("Reason").fill("Merged")
    form.get_by_role("button").click()
    assert "still has live children (Lock scales to kilograms)" in page.get_by_role("alert").inner_text()
    shot(page, "learning-02-driver-diagram-refused")


def test_a_team_uploads_a_file_finds_it_by_text_and_tag_and_downloads_it(page: Page, site: Site) -> None:
    team = _team(site, 2)
    sign_in(
        page, site.token(Role.TEAM, "cedar-bluff", team_id=team), f"/ui/collaboratives/{site.demo}/library"
    )
    page.get_by_text("Upload a file").click()
    form = page.get_by_role("form", name="Upload a file")
    form.get_by_label(re.compile("^File")).set_input_files(
        files=[{"name": "kg-policy.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    form.get_by_label("Title").fill("Cedar Bluff kilogram policy")
    form.get_by_label("Kind").select_option("tool_or_template")
    form.get_by_label(re.compile("^Tags")).fill("kg policy, weight in kg")
    form.get_by_label("community ed").check()
    form.get_by_role("button", name="Upload file").click()
    page.wait_for_url("**/library*")
    assert "Cedar Bluff kilogram policy" in page.locator("#resources").inner_text()
    page.get_by_role("searchbox", name="Search").fill("kilogram policy")
    page.get_by_role("button", name="Search").click()
    assert (
        page.locator("li.resource").count() == 1 and "1 resource found" in page.locator("#found").inner_text()
    )
    shot(page, "learning-03-library-search")
    page.get_by_role("link", name="kg policy").first.click()
    assert "Cedar Bluff kilogram policy" in page.locator("li.resource").first.inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Cedar Bluff kilogram policy").click()
    assert Path(download.value.path()).read_bytes() == PDF


def test_an_upload_that_is_not_what_its_name_says_is_refused_clearly(page: Page, site: Site) -> None:
    sign_in(page, site.staff_token, f"/ui/collaboratives/{site.demo}/library")
    page.get_by_text("Upload a file").click()
    form = page.get_by_role("form", name="Upload a file")
    form.get_by_label(re.compile("^File")).set_input_files(
        files=[
            {"name": "slides.pptx", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00 a program"}
        ]
    )
    form.get_by_label("Title").fill("Not really slides")
    form.get_by_role("button", name="Upload file").click()
    alert = page.get_by_role("alert").inner_text()
    assert "upload refused" in alert and "judged by content, not by the file name" in alert
    assert "Not really slides" not in page.locator("#resources ul.resources").inner_text()
    shot(page, "learning-04-upload-refused")


def test_a_team_comments_on_and_tries_another_teams_shared_project(page: Page, site: Site) -> None:
    big_horn, cedar = _team(site, 3), _team(site, 2)
    sign_in(
        page, site.token(Role.TEAM, "big-horn", team_id=big_horn), f"/ui/collaboratives/{site.demo}/library"
    )
    project = page.locator(f"#project-{cedar}")
    project.get_by_label(re.compile("Your comment")).fill("How did you get night shift on board?")
    project.get_by_role("button", name="Post comment").click()
    page.wait_for_url("**/library*")
    project = page.locator(f"#project-{cedar}")
    assert "Big Horn Valley Hospital" in project.locator(".comments").inner_text()
    assert "How did you get night shift on board?" in project.locator(".comments").inner_text()
    project.get_by_role("button", name="We are trying this").click()
    page.wait_for_url("**/library*")
    assert "We are trying this: Big Horn Valley Hospital" in page.locator(f"#project-{cedar}").inner_text()
    page.locator(f"#project-{cedar}").scroll_into_view_if_needed()
    shot(page, "learning-05-shared-project")


def test_staff_compile_a_toolkit_and_download_it_as_pdf(page: Page, site: Site) -> None:
    primary = _run(
        site, AddDriver(collaborative_id=site.demo, level="primary", name="Family partnership")
    ).created
    secondary = _run(site, AddDriver(collaborative_id=site.demo, level="secondary", name="Family presence",
                                     primary_driver_id=primary["Driver"][0])).created  # fmt: skip
    _run(site, AddChangeIdea(collaborative_id=site.demo, name="Family at the bedside in resuscitation",
                             secondary_driver_id=secondary["Driver"][0]))  # fmt: skip
    details = ResourceDetails(kind="article", title="Family presence evidence review")
    _run(site, ShareLink(collaborative_id=site.demo, details=details, url="https://example.org/family"))
    sign_in(page, site.staff_token, f"/ui/collaboratives/{site.demo}/toolkits")
    form = page.get_by_role("form", name="Compile a toolkit")
    form.get_by_label("Toolkit title").fill("Family presence toolkit")
    form.get_by_label("Family at the bedside in resuscitation").check()
    form.get_by_label("Family presence evidence review").check()
    form.get_by_role("button", name="Compile toolkit").click()
    page.get_by_role("link", name="Family presence toolkit").click()
    article = page.locator("article.toolkit").inner_text()
    assert (
        "Family at the bedside in resuscitation" in article and "Family presence evidence review" in article
    )
    shot(page, "learning-06-toolkit")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    reader = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Family at the bedside in resuscitation" in text and "Lock scales" not in text
