"""The demo's chart pages in a real browser, read as QI faculty read them: a handful of
signals on each chart (never a third of its months, none in a team's 2024 baseline, and at
least one somewhere), a baseline band and PDSA marks on every team's chart, a goal line,
and a key that lists what is drawn; screenshots of a team's chart page and the
collaborative's; a coach starting a new phase from the page and the chart redrawn with it;
and the page passing axe-core and fitting a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from scripts.demo import data
from scripts.demo.steps import DEMO_COLLABORATIVE_ID, id_of_team
from tests.browser.checks import PHONE, axe_violations, phone_problems
from tests.browser.conftest import Site, shot
from tests.browser.tour import PEOPLE, Tour, open_every_details, sign_in

Page = Any
KEY = data.WEIGHT_KG.key
COACH = next(p for p in PEOPLE if p.key == "coach")
STAFF = next(p for p in PEOPLE if p.key == "staff")
COACHED = data.TEAMS[0]  # the team the demo's coach account coaches
COLLABORATIVE_CHART = f"/ui/collaboratives/{DEMO_COLLABORATIVE_ID}/measures/{KEY}/chart"
# The key's words for what a chart draws (adapters/charts/legend.py), by the mark that draws it.
DRAWN = {
    "g.goal": "Goal", "g.baseline": "Baseline months", "g.mark.pdsa": "PDSA cycle", "g.mark.phase": "Phase change",
    "g.mark.annotation": "Annotation",
}  # fmt: skip
# A point is drawn in the shape of the first of its kinds (adapters/charts/glyphs.py POINT_KINDS).
SHAPES = {
    "excluded": "Left out of the limits",
    "signal-outside": "Outside the limits",
    "signal-shift": "Shift: 6+ on one side",
    "signal-trend": "Trend: 5+ up or down",
    "point": "Month's value",
}
FIRST_KINDS = """(gs, kinds) => [...new Set(gs.map(g => kinds.find(k => g.classList.contains(k))))]"""


def team_chart(team: Any) -> str:
    return f"/ui/teams/{id_of_team(team)}/measures/{KEY}/chart"


@pytest.fixture
def checked(browser: Any, site: Site) -> Iterator[Page]:
    """A tab axe-core can run in (the pages' policy refuses injected scripts: bypassed here only)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site.url, bypass_csp=True)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def signals(page: Page) -> dict[str, Any]:
    """What the full-width chart draws: its points, the signalled ones' months, and its marks."""
    chart = page.locator("svg.wide")
    return {
        "points": chart.locator("g.point").count(),
        "signalled": chart.locator("g.point.signal").evaluate_all("gs => gs.map(g => g.dataset.period)"),
        "drawn": {mark for mark in DRAWN if chart.locator(mark).count()},
        "shapes": set(chart.locator("g.point").evaluate_all(FIRST_KINDS, list(SHAPES))),
        "key": chart.locator("g.legend-item text").all_text_contents(),
    }


@pytest.fixture(scope="module")
def demo_charts(browser: Any, site: Site, tour: Tour) -> dict[str, dict[str, Any]]:
    """What every team's chart and the collaborative's draw, read once, before any test here changes one."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site.url)
    page = context.new_page()
    sign_in(page, STAFF)
    seen: dict[str, dict[str, Any]] = {}
    for team in data.TEAMS:
        assert page.goto(team_chart(team)).status == 200, team.name
        seen[team.name] = signals(page)
    assert page.goto(COLLABORATIVE_CHART).status == 200
    seen["All teams"] = signals(page)
    context.close()
    return seen


def test_every_chart_draws_a_goal_and_a_key_of_what_it_draws_team_charts_a_baseline_band_and_pdsa_marks(
    demo_charts: dict[str, dict[str, Any]],
) -> None:
    for name, found in demo_charts.items():
        assert found["points"] >= 20, (name, found["points"])
        assert "g.goal" in found["drawn"], f"{name}: no goal line"
        drawn = {DRAWN[m] for m in found["drawn"]} | {SHAPES[k] for k in found["shapes"]}
        assert drawn <= set(found["key"]), f"{name}: the key misses {drawn - set(found['key'])}"
        if name != "All teams":
            assert {"g.baseline", "g.mark.pdsa"} <= found["drawn"], (name, found["drawn"])
    assert any(found["signalled"] for found in demo_charts.values()), "no chart shows any signal"


def test_each_chart_signals_a_handful_of_months_and_no_team_chart_signals_its_2024_baseline(
    demo_charts: dict[str, dict[str, Any]],
) -> None:
    """What QI faculty expect of the demo: its improvement shows as a few signals after the
    baseline year, never as a third of a chart lit up, and the baseline itself is stable."""
    counts = {name: (len(found["signalled"]), found["points"]) for name, found in demo_charts.items()}
    print(f"\nsignalled months of each chart (signalled, points): {counts}")
    crowded = {name: n for name, n in counts.items() if n[0] > n[1] // 3}
    in_baseline = {
        name: [p for p in found["signalled"] if p.startswith("2024-")]
        for name, found in demo_charts.items()
        if name != "All teams" and any(p.startswith("2024-") for p in found["signalled"])
    }
    assert not crowded and not in_baseline, f"more than a third: {crowded}; in the baseline: {in_baseline}"


def test_a_team_chart_page_and_the_collaborative_chart_page_photographed(page: Page, tour: Tour) -> None:
    sign_in(page, COACH)
    page.goto(team_chart(COACHED))
    assert page.locator("svg.wide g.point").count() > 0
    shot(page, "charts/team-chart-page")
    page.goto(COLLABORATIVE_CHART)
    assert "All teams" in page.locator("svg.wide").inner_html()
    shot(page, "charts/collaborative-chart-page")


def test_a_coach_starts_a_new_phase_on_the_page_and_the_chart_is_redrawn_with_it(
    page: Page, tour: Tour
) -> None:
    sign_in(page, COACH)
    page.goto(team_chart(COACHED))
    before = page.locator("svg.wide g.mark.phase").count()
    page.get_by_text("Start a new phase (new limits from a month on)").click()
    form = page.get_by_role("form", name="Start a new phase")
    form.get_by_label("The new phase starts in").select_option("2025-05")
    form.get_by_label("Why (shown on the chart)").fill("Scales recalibrated")
    form.get_by_role("button", name="Start the new phase").click()
    page.wait_for_url("**saved=decision*")
    assert "Decided: the chart below is drawn that way now." in page.locator("[role=status]").inner_text()
    phases = page.locator("svg.wide g.mark.phase")
    assert phases.count() == before + 1
    titles = phases.locator("title").all_text_contents()
    assert any("Scales recalibrated" in t for t in titles), titles
    labels = phases.locator("text").all_text_contents()  # each cut to its room: "Phase 2: Scales…"
    assert any(re.fullmatch(r"Phase \d+: Scales( recalibrated|…| re\w*…)", label) for label in labels), labels
    assert "May 2025 to" in page.locator("#decisions").inner_text()
    shot(page, "charts/team-chart-new-phase")


@pytest.mark.parametrize("who", [COACH, STAFF], ids=lambda p: p.key)
def test_the_chart_pages_pass_axe_and_fit_a_phone(checked: Page, tour: Tour, who: Any) -> None:
    sign_in(checked, who)
    problems: dict[str, list[str]] = {}
    for name, path in (("team", team_chart(COACHED)), ("all teams", COLLABORATIVE_CHART)):
        checked.set_viewport_size({"width": 1280, "height": 900})
        assert checked.goto(path).status == 200
        open_every_details(checked)
        found = [f"at 1280px: {v}" for v in axe_violations(checked)]
        checked.set_viewport_size({"width": PHONE, "height": 900})
        found += [f"at {PHONE}px: {v}" for v in axe_violations(checked)] + phone_problems(checked)
        shot(checked, f"charts/{name.replace(' ', '-')}-{who.key}-{PHONE}")
        if found:
            problems[name] = found
    assert not problems, problems
