"""Every page, as every kind of person sees it, checked by axe-core (with every <details>
open, and with a form's errors shown), photographed at 1280 and 390 px, and measured at
390 px: no sideways scrolling, chart text of 11 px or more, controls a thumb can use,
tables as cards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.browser.checks import PHONE, axe_violations, phone_problems
from tests.browser.conftest import Site, shot
from tests.browser.tour import PEOPLE, WIDTHS, Person, Tour, open_every_details, sign_in

Page = Any


@dataclass
class Findings:
    """What a person's tour found, page by page."""

    statuses: dict[str, int] = field(default_factory=dict)
    axe: dict[str, list[str]] = field(default_factory=dict)
    phone: dict[str, list[str]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def tab(browser: Any, site: Site) -> Iterator[Page]:
    # The pages' Content-Security-Policy refuses injected scripts, axe-core's too: bypassed
    # here only (tests/browser/conftest.py's page fixture checks the policy everywhere else).
    context = browser.new_context(
        viewport={"width": WIDTHS[0], "height": 900}, base_url=site.url, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="module")
def findings(tab: Page, tour: Tour) -> Callable[[Person], Findings]:
    """Each person's tour, taken once (the first test that asks for it)."""
    taken: dict[str, Findings] = {}

    def of(person: Person) -> Findings:
        if person.key not in taken:
            taken[person.key] = _take(tab, tour, person)
        return taken[person.key]

    return of


def _take(tab: Page, tour: Tour, person: Person) -> Findings:
    sign_in(tab, person)
    found = Findings()
    for page_name, path in tour.for_person(person).items():
        found.statuses[page_name] = tab.goto(path).status
        open_every_details(tab)
        found.axe[page_name], found.phone[page_name] = _check_at_each_width(tab, f"{page_name}-{person.key}")
    return found


def _check_at_each_width(tab: Page, name: str) -> tuple[list[str], list[str]]:
    """axe-core's violations at each width (a phone shows other things: its charts, cards),
    screenshots, and what is wrong at phone width."""
    violations: dict[str, None] = {}
    problems: list[str] = []
    for width in WIDTHS:
        tab.set_viewport_size({"width": width, "height": 900})
        violations |= dict.fromkeys(f"at {width}px: {v}" for v in axe_violations(tab))
        if width == PHONE:
            problems += phone_problems(tab)
        else:  # nothing pushes a desktop page sideways either (a select as wide as its longest option)
            wide = tab.evaluate("document.documentElement.scrollWidth")
            problems += [f"at {width}px the page is {wide}px wide"] if wide > width else []
        shot(tab, f"a11y/{name}-{width}")
    tab.set_viewport_size({"width": WIDTHS[0], "height": 900})
    return list(violations), problems


def _report(by_page: dict[str, list[str]]) -> str:
    return "\n".join(f"{page}:\n  " + "\n  ".join(found) for page, found in by_page.items() if found)


PEOPLE_IDS = [p.key for p in PEOPLE]


@pytest.mark.parametrize("person", PEOPLE, ids=PEOPLE_IDS)
def test_every_page_a_person_may_open_opens(person: Person, findings: Callable[[Person], Findings]) -> None:
    statuses = findings(person).statuses
    wrong = {
        page: status
        for page, status in statuses.items()
        if (status >= 400) != (page == "error")  # the error page is the one that is not found
    }
    assert not wrong, f"pages that answered wrongly for {person.key}: {wrong}"


@pytest.mark.parametrize("person", PEOPLE, ids=PEOPLE_IDS)
def test_no_page_has_a_serious_or_critical_accessibility_violation(
    person: Person, findings: Callable[[Person], Findings]
) -> None:
    report = _report(findings(person).axe)
    assert not report, f"axe-core found serious or critical violations for {person.key}:\n{report}"


@pytest.mark.parametrize("person", PEOPLE, ids=PEOPLE_IDS)
def test_every_page_fits_a_phone_and_its_controls_a_thumb(
    person: Person, findings: Callable[[Person], Findings]
) -> None:
    report = _report(findings(person).phone)
    assert not report, f"at {PHONE}px (and wider), for {person.key}:\n{report}"
