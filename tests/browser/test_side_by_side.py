"""Faculty compare the demo's teams in a real browser: from the collaborative's page to every
team's chart side by side, ordered another way with the sort form, then to the funnel plot
and another window of months; each page checked by axe-core and photographed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.checks import axe_violations
from tests.browser.conftest import Site, shot
from tests.browser.tour import PEOPLE, Tour, sign_in

Page = Any
STAFF = next(p for p in PEOPLE if p.key == "staff")
MEASURE = "Children weighed and recorded in kilograms only"


@pytest.fixture
def tab(browser: Any, site: Site) -> Iterator[Page]:
    # axe-core is injected: the pages' Content-Security-Policy is bypassed for it, here only.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def teams_in_table(tab: Page) -> list[str]:
    return [name.strip() for name in tab.locator("#teams tbody th[scope=row]").all_inner_texts()]


def test_faculty_open_every_team_side_by_side_change_the_order_and_open_the_funnel(
    tab: Page, site: Site, tour: Tour
) -> None:
    assert tour.pages  # the tour seeds the demo's people, who sign in with the demo password
    sign_in(tab, STAFF)
    tab.goto(f"/ui/collaboratives/{site.demo}")
    tab.get_by_role("link", name="every team's chart side by side").first.click()
    tab.wait_for_url("**/measures/weight-kg/teams")
    assert tab.get_by_role("heading", level=1).inner_text() == f"{MEASURE}: every team"
    panels = tab.locator("#charts svg.small-multiples g.panel")
    by_name = teams_in_table(tab)
    assert panels.count() == len(by_name) >= 8 and by_name == sorted(by_name, key=str.casefold)
    assert not axe_violations(tab), axe_violations(tab)
    shot(tab, "side-by-side/01-by-name")

    tab.get_by_label("Order the teams").select_option(label="Furthest from goal")
    tab.get_by_role("button", name="Show in this order").click()
    tab.wait_for_url("**/teams?sort=goal")
    by_goal = teams_in_table(tab)
    assert sorted(by_goal) == sorted(by_name) and by_goal != by_name
    assert tab.get_by_label("Order the teams").input_value() == "goal"
    assert tab.get_by_role("link", name="Download PNG").get_attribute("href").endswith("/teams.png?sort=goal")
    shot(tab, "side-by-side/02-furthest-from-goal")

    tab.get_by_role("link", name="Funnel plot across the teams").click()
    tab.wait_for_url("**/measures/weight-kg/funnel")
    assert tab.locator("#funnel svg.funnel").count() == 1
    latest = tab.get_by_label("Month", exact=True).input_value()
    assert (
        tab.locator("#funnel-h").inner_text()
        == tab.get_by_label("Month", exact=True).locator("option:checked").inner_text()
    )
    assert tab.get_by_role("heading", name="Teams outside the limits").is_visible()
    assert not axe_violations(tab), axe_violations(tab)
    shot(tab, "side-by-side/03-funnel")

    tab.get_by_label("Months summed").select_option(label="3 months")
    tab.get_by_role("button", name="Show this funnel").click()
    tab.wait_for_url(f"**/funnel?period={latest}&months=3")
    assert " to " in tab.locator("#funnel-h").inner_text()  # e.g. "Dec 2025 to Feb 2026"
    assert tab.get_by_label("Months summed").input_value() == "3"
    assert tab.get_by_label("Last month of the window").input_value() == latest
    assert not axe_violations(tab), axe_violations(tab)
    shot(tab, "side-by-side/04-funnel-three-months")
