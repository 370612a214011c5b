"""The pages that compare the teams: every team's chart side by side with its sort form and
table, the funnel with its month and window and its outliers in words, the downloads, and
the links from the collaborative's page."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader

from adapters.charts.multiples import render_small_multiples
from adapters.charts.png import svg_to_png
from adapters.exports.across_teams import AcrossTeams, page_high, strips
from adapters.exports.toolkit import toolkit_pdf
from aggregates.base import Role
from engine.application import QIEngine
from projections.learning_view import ToolkitView
from tests.api.conftest import Api, issue
from tests.api.test_comparisons_api import OUTLIER, TEAMS, World, compared
from tests.conftest import Clock
from tests.unit.test_small_multiples import view
from tests.web.pages import PageClient, compile_toolkit, signed_in

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def world(staff: Api, clock: Clock) -> World:
    return compared(staff, clock)


@pytest.fixture
def page(client: TestClient, staff: Api) -> PageClient:
    return signed_in(client, str(staff.token))


def base(world: World, key: str = "weight-kg") -> str:
    return f"/ui/collaboratives/{world.flow.collaborative}/measures/{key}"


def rows(html: str) -> list[str]:
    """The table's team names, in order."""
    return re.findall(r'<tr id="team-[^"]+"><th scope="row">(?:<a href="[^"]+">)?([^<]+)', html)


def test_the_side_by_side_page_draws_every_team_and_lists_them_in_the_order_asked(
    world: World, page: PageClient
) -> None:
    html = page.get(f"{base(world)}/teams").text
    svg = ET.fromstring(html[html.index("<svg") : html.index("</svg>") + 6])
    assert len([g for g in svg.iter(f"{SVG_NS}g") if g.get("class") == "panel"]) == len(TEAMS)
    assert rows(html) == sorted(name for name, _, _ in TEAMS)
    for words in ("By name", "Latest value", "Signals first", "Furthest from goal"):
        assert f">{words}</option>" in html
    assert '<label for="sort">Order the teams</label>' in html and "<caption>" in html
    big_horn = world.teams[OUTLIER]
    assert f'<a href="/ui/teams/{big_horn}/measures/weight-kg/chart">{OUTLIER}</a>' in html
    assert (
        page.get(f"/ui/teams/{big_horn}/measures/weight-kg/chart").status_code == 200
    )  # the team's chart page
    assert "42% (13 of 31), Mar 2025" in html and "80% (8 of 10), Jan 2025" in html
    assert "no signal" in html
    by_goal = page.get(f"{base(world)}/teams?sort=goal").text
    assert rows(by_goal)[0] == OUTLIER and '<option value="goal" selected>' in by_goal
    assert "every team's chart, furthest from goal" in by_goal.lower()
    assert page.get(f"{base(world)}/teams?sort=size").status_code == 422


def test_the_downloads_are_attachments_an_svg_and_a_png(world: World, page: PageClient) -> None:
    html = page.get(f"{base(world)}/teams?sort=latest").text
    assert f'href="{base(world)}/teams.svg?sort=latest" download>Download SVG' in html
    svg = page.get(f"{base(world)}/teams.svg?sort=latest")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.headers["content-disposition"] == 'attachment; filename="weight-kg-every-team.svg"'
    panels = [g for g in ET.fromstring(svg.text).iter(f"{SVG_NS}g") if g.get("class") == "panel"]
    assert (panels[-1].findtext(f"{SVG_NS}title") or "").startswith(OUTLIER)
    png = page.get(f"{base(world)}/teams.png")
    assert png.headers["content-disposition"] == 'attachment; filename="weight-kg-every-team.png"'
    assert Image.open(io.BytesIO(png.content)).format == "PNG"
    funnel = page.get(f"{base(world)}/funnel.png?period=2025-03&months=3")
    assert funnel.headers["content-disposition"] == 'attachment; filename="weight-kg-funnel-2025-03.png"'
    assert Image.open(io.BytesIO(funnel.content)).format == "PNG"
    assert page.get(f"{base(world)}/teams.gif").status_code == 422
    assert page.get(f"{base(world)}/funnel.svg?period=2024-06").status_code == 404


def test_the_funnel_page_names_the_outlier_in_words_and_the_teams_without_data(
    world: World, page: PageClient
) -> None:
    html = page.get(f"{base(world)}/funnel").text
    assert '<h2 id="funnel-h">Mar 2025</h2>' in html and '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert f"<li>{OUTLIER}: 42% of 31, below the 99.8% limit</li>" in html
    assert "Teams with no data in Mar 2025</h3>" in html and "<li>Quiet Creek Clinic</li>" in html
    assert '<option value="2025-03" selected>Mar 2025</option>' in html and ">3 months</option>" in html
    assert f'href="{base(world)}/funnel.svg?period=2025-03&amp;months=1" download>Download SVG' in html
    window = page.get(f"{base(world)}/funnel?period=2025-03&months=3").text
    assert '<h2 id="funnel-h">Jan 2025 to Mar 2025</h2>' in window
    assert f"<li>{OUTLIER}: 68% of 93, below the 95% limit</li>" in window
    assert "Every team reported." in window
    january = page.get(f"{base(world)}/funnel?period=2025-01").text
    assert "Every team lies inside the 95% limits in Jan 2025." in january
    empty = page.get(f"{base(world)}/funnel?period=2024-06").text
    assert "No team reported Weight in kilograms in Jun 2024. Choose another month above." in empty


def test_a_bad_month_or_a_count_measure_is_refused_in_words(world: World, page: PageClient) -> None:
    bad = page.get(f"{base(world)}/funnel?period=June")
    assert bad.status_code == 422 and "not one this site makes" in bad.text
    assert page.get(f"{base(world)}/funnel?months=40").status_code == 422
    count = page.get(f"{base(world, 'falls')}/funnel")
    assert count.status_code == 422 and "Falls is a count measure" in count.text
    assert page.get(f"{base(world, 'falls')}/funnel.svg").status_code == 422
    side = page.get(f"{base(world, 'falls')}/teams").text
    assert "Funnel plot across the teams" not in side  # a count has no funnel to link to


def test_the_collaborative_page_links_each_measure_to_its_comparisons(world: World, page: PageClient) -> None:
    html = page.get(f"/ui/collaboratives/{world.flow.collaborative}").text
    assert f'<a href="{base(world)}/teams">every team\'s chart side by side</a>' in html
    assert f'<a href="{base(world)}/funnel">funnel plot across the teams</a>' in html


def test_a_member_reads_the_comparison_but_links_only_to_their_own_team(
    world: World, client: TestClient, app_engine: QIEngine
) -> None:
    token = issue(app_engine, Role.TEAM, "aspen", team_id=world.teams["Aspen Ward"])
    member = signed_in(TestClient(client.app), token)
    html = member.get(f"{base(world)}/teams").text
    aspen, big_horn = world.teams["Aspen Ward"], world.teams[OUTLIER]
    assert f'<a href="/ui/teams/{aspen}/measures/weight-kg/chart">' in html
    assert f"/ui/teams/{big_horn}/measures" not in html and OUTLIER in html


def test_the_toolkit_shows_the_results_across_teams_in_its_html_and_its_pdf(
    world: World, client: TestClient, staff: Api
) -> None:
    for to in ("projects", "sharing"):
        world.flow.advance(to, "the test's toolkit")
    toolkit = compile_toolkit(world.flow)
    page = signed_in(client, str(staff.token))  # after the days the flow moved the clock on
    html = page.get(f"/ui/toolkits/{toolkit}.html").text
    section = html[html.index('<h2 id="across-teams">Results across teams</h2>') :]
    assert "Weight in kilograms: every team (7)" in section
    multiples = ET.fromstring(section[section.index("<svg") : section.index("</svg>") + 6])
    assert len([g for g in multiples.iter(f"{SVG_NS}g") if g.get("class") == "panel"]) == len(TEAMS)
    assert 'class="funnel"' in section and "Funnel plot across the teams, Mar 2025" in section
    assert f"<li>{OUTLIER}: 42% of 31, below the 99.8% limit</li>" in section
    assert "No data in Mar 2025: Quiet Creek Clinic." in section
    assert "Results across teams" in page.get(f"/ui/toolkits/{toolkit}").text
    pdf = PdfReader(io.BytesIO(page.get(f"/ui/toolkits/{toolkit}.pdf").content))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "Results across teams" in text and "Weight in kilograms: every team (7)" in text
    assert f"{OUTLIER}: 42% of 31, below the 99.8% limit" in " ".join(text.split())
    images = [image for p in pdf.pages for image in p.images]
    assert len(images) == 2  # seven teams' charts fit one strip, and the funnel


def test_hundreds_of_teams_are_cut_into_page_high_strips_between_rows_of_panels() -> None:
    png = io.BytesIO()
    Image.new("RGB", (980, 100 + 50 * 162 + 16), "white").save(png, format="PNG")
    pieces = strips(png.getvalue(), teams=200, scale=1.0, most=1250)
    heights = [Image.open(io.BytesIO(p)).height for p in pieces]
    assert sum(heights) == 100 + 50 * 162 + 16 and max(heights) <= 1250
    assert all((h - 100) % 162 == 0 for h in heights[:1]) and all(h % 162 == 0 for h in heights[1:-1])


def test_a_hundred_and_twenty_teams_fill_several_pdf_pages_each_strip_within_its_page() -> None:
    panels = [(f"Team {n:03d}", view([0.5 + 0.01 * (n % 9)] * 12)) for n in range(120)]
    multiples = render_small_multiples(panels, "Children weighed in kg: every team")
    toolkit = ToolkitView(toolkit_id=uuid4(), collaborative_id=uuid4(), title="Kg toolkit", introduction=None,
                          compiled_by="Sam Staffer", compiled_at=datetime(2025, 6, 1, tzinfo=UTC), position=7,
                          aim=None, change_ideas=[], resources=[])  # fmt: skip
    across = AcrossTeams("Children weighed in kg", 120, multiples)
    pdf = PdfReader(io.BytesIO(toolkit_pdf(toolkit, [across])))
    strips_drawn = [image for page in pdf.pages for image in page.images]
    assert len(pdf.pages) >= 4 and len(strips_drawn) >= 4
    assert (
        sum(Image.open(io.BytesIO(s.data)).height for s in strips_drawn)
        == Image.open(io.BytesIO(svg_to_png(multiples, 1.0))).height
    )
    letter = FPDF(format="Letter")
    letter.set_auto_page_break(True, margin=18)  # as the toolkit's PDF is laid out
    most = page_high(letter, 1.0)  # 120 teams are drawn at 1 pixel per point
    assert max(Image.open(io.BytesIO(s.data)).height for s in strips_drawn) <= most
