"""A refused form is as accessible as the page it is on: each page's form sent with a bad
value (the browser's own checks switched off, so the server's answer shows), its errors
shown, then checked by axe-core and photographed at 1280 and 390 px."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.browser.checks import PHONE, axe_violations, phone_problems
from tests.browser.conftest import Site, shot
from tests.browser.tour import PEOPLE, WIDTHS, Tour, open_every_details, sign_in

Page = Any
PERSON = {p.key: p for p in PEOPLE}
# What a refusal must never say: HTTP's name for it, field paths, pydantic's own sentences.
MACHINE_WORDS = re.compile(r"Unprocessable|\bbody\.|\b\w+_\w+:|String should|Input should|Value error", re.I)


@dataclass(frozen=True)
class Refusal:
    who: str
    page: str  # a page of the tour, by name; or a path with a bad query for a GET form
    button: str = ""  # the form's submit button; none: the page itself is the refusal
    fields: dict[str, str] = field(default_factory=dict)  # label -> the bad value typed

    @property
    def key(self) -> str:
        return f"{self.page}-{self.who}"


REFUSALS = (
    Refusal("signed-out", "sign-in", "Sign in", {"Email": "nobody@demo.example", "Password": "not it"}),
    Refusal("signed-out", "forgot-password", "Send me a reset link", {"Email": "not an email"}),
    Refusal("signed-out", "invitation", "Set my password and sign in", {"New password": "short", "The same password again": "other"}),
    Refusal("signed-out", "reset", "Set my new password", {"New password": "short", "The same password again": "other"}),
    Refusal("staff", "collaboratives", "Start the collaborative", {"Title": ""}),
    Refusal("staff", "overview", "Save the exit criteria", {"The fewest active teams to leave registration": "many"}),
    Refusal("staff", "people", "Send the invitation", {"Name": "", "Email": "not an email"}),
    Refusal("staff", "driver-diagram", "Retire", {"Reason": ""}),
    Refusal("staff", "toolkits", "Compile toolkit", {"Toolkit title": ""}),
    Refusal("lead", "team", "Save the month", {"Month": ""}),
    Refusal("lead", "library", "Share link", {"Link": "javascript:alert(1)", "Title": "A link"}),
    Refusal("physician", "my-credit", "I attest to my part in this project", {"Your part in the project (what you did, in a sentence or two)": " "}),
    Refusal("no-team", "account", "Change my password", {"Current password": "not it", "New password": "short"}),
    Refusal("auditor", "/ui/audit?since=yesterday&until=2025-13-45T99:99"),
    Refusal("auditor", "as-of?at=not-a-moment"),
)  # fmt: skip


@pytest.fixture(scope="module")
def tab(browser: Any, site: Site) -> Iterator[Page]:
    # axe-core is injected: the pages' Content-Security-Policy is bypassed for it, here only.
    context = browser.new_context(
        viewport={"width": WIDTHS[0], "height": 900}, base_url=site.url, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _path(tour: Tour, page: str) -> str:
    name, _, query = page.partition("?")
    path = {**tour.pages, **tour.public}.get(name, name)
    return f"{path.partition('?')[0]}?{query}" if query else path


def _refuse(tab: Page, refusal: Refusal) -> None:
    open_every_details(tab)
    button = tab.get_by_role("button", name=refusal.button, exact=True).first
    form = button.locator("xpath=ancestor::form")
    form.evaluate("f => { f.noValidate = true; }")
    for label, value in refusal.fields.items():
        form.get_by_label(label, exact=True).fill(value)
    button.click()
    tab.wait_for_load_state()


@pytest.mark.parametrize("refusal", REFUSALS, ids=[r.key for r in REFUSALS])
def test_a_refused_form_shows_its_errors_accessibly(tab: Page, tour: Tour, refusal: Refusal) -> None:
    sign_in(tab, PERSON[refusal.who])
    response = tab.goto(_path(tour, refusal.page))
    if refusal.button:
        _refuse(tab, refusal)
    shown = tab.locator("[role=alert], [aria-invalid=true], .field-error")
    assert shown.count() > 0, f"{refusal.key}: the refusal shows no error (status {response.status})"
    said = " ".join(shown.all_inner_texts())
    assert not MACHINE_WORDS.search(said), f"{refusal.key} answers in the machine's words: {said[:300]}"
    open_every_details(tab)
    violations = axe_violations(tab)
    problems: list[str] = []
    for width in WIDTHS:
        tab.set_viewport_size({"width": width, "height": 900})
        problems += phone_problems(tab) if width == PHONE else []
        shot(tab, f"a11y/refused-{refusal.key}-{width}")
    tab.set_viewport_size({"width": WIDTHS[0], "height": 900})
    assert not violations, f"axe-core on {refusal.key} with its errors shown:\n  " + "\n  ".join(violations)
    assert not problems, f"{refusal.key} with its errors shown, at {PHONE}px:\n  " + "\n  ".join(problems)
