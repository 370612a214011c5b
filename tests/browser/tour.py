"""A tour of every page for the accessibility, phone and navigation tests: the demo's
people (one for each kind of person, plus one on no team), each signed in with email and
password, and the pages each may open, by name."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from aggregates.accounts import Access
from aggregates.base import Role
from engine.application import QIEngine
from engine.commands.accounts import RevokeAccess
from scripts.demo import data, figures
from scripts.demo.accounts import DEMO_PASSWORD, ORGANISER, seed_accounts
from scripts.demo.steps import DEMO_COLLABORATIVE_ID, TOOLKIT_ID, demo_id, id_of_team

Page = Any
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
NOBODY = "nobody@demo.example"  # an account on no team and with no access
WIDTHS = (1280, 390)


@dataclass(frozen=True)
class Person:
    key: str  # names the screenshots: staff, auditor, lead, physician, coach, no-team, signed-out
    email: str | None  # None: nobody signed in


PEOPLE = (
    Person("staff", "staff@demo.example"),
    Person("auditor", "auditor@demo.example"),
    Person("lead", "lead@demo.example"),
    Person("physician", "physician@demo.example"),
    Person("coach", "coach@demo.example"),
    Person("no-team", NOBODY),
    Person("signed-out", None),
)


@dataclass(frozen=True)
class Tour:
    """The pages by name (path), and which of them each person may open."""

    pages: dict[str, str]
    public: dict[str, str]  # pages for nobody signed in, that a link sent by email opens

    def for_person(self, person: Person) -> dict[str, str]:
        if person.email is None:
            return self.public
        return {name: path for name, path in self.pages.items() if name in OPENS[person.key]}


c = f"/ui/collaboratives/{DEMO_COLLABORATIVE_ID}"
LEAD_TEAM = id_of_team(data.TEAMS[0])
READER = {"collaboratives", "overview", "as-of", "team", "report", "library", "driver-diagram", "toolkits", "toolkit",
          "progress", "team-progress", "instruments", "team-instruments", "instrument-assessment"}  # fmt: skip
ANYONE = {"account", "my-credit", "my-teams", "error"}  # with an account
OPENS = {
    "staff": READER
    | ANYONE
    | {"audit", "transcript", "people", "advance", "attendance", "reports", "credit-check"},
    "auditor": READER | ANYONE | {"audit", "transcript", "reports", "credit-check"},
    "lead": READER | ANYONE,
    "physician": (READER - {"team", "report", "team-progress", "team-instruments", "instrument-assessment"})
    | ANYONE,  # on another team than the lead's
    "coach": READER | ANYONE | {"reports"},  # who has reported: faculty's
    "no-team": ANYONE,
}


def tour_of(engine: QIEngine) -> Tour:
    """Make the people once (the demo's accounts, the person on no team, an invitation
    and a reset not yet used) and name every page."""
    seed_accounts(engine)
    _person_on_no_team(engine)
    member = next(iter(engine.team(LEAD_TEAM).state.members))
    pages = {
        "collaboratives": "/ui/collaboratives", "overview": c, "as-of": f"{c}/as-of?at=2025-03-01T00:00",
        "team": f"/ui/teams/{LEAD_TEAM}", "audit": "/ui/audit", "transcript": f"/ui/participants/{member}/transcript",
        "library": f"{c}/library", "driver-diagram": f"{c}/driver-diagram", "toolkits": f"{c}/toolkits",
        "toolkit": f"/ui/toolkits/{TOOLKIT_ID}", "people": "/ui/people", "account": "/ui/account",
        "my-teams": "/ui/my-teams", "my-credit": "/ui/my-credit", "credit-check": f"{c}/credit-check",
        "error": "/ui/teams/00000000-0000-4000-8000-000000000000", "advance": f"{c}/phase",
        "attendance": f"{c}/sessions/{_first_session()}/attendance",
        "progress": f"{c}/progress", "team-progress": f"/ui/teams/{LEAD_TEAM}/progress",
        "report": f"/ui/teams/{LEAD_TEAM}/reports/2025-06", "reports": f"{c}/reports?month=2025-06",
        "instruments": f"{c}/instruments", "team-instruments": f"/ui/teams/{LEAD_TEAM}/instruments",
        "instrument-assessment": f"/ui/teams/{LEAD_TEAM}/instrument-assessments/"
        f"{demo_id('instrument-assessment', data.TEAMS[0].key, 'follow-up')}",
    }  # fmt: skip
    public = {
        "sign-in": "/ui/sign-in", "forgot-password": "/ui/password-reset",
        "invitation": f"/ui/invitations/{_invitation(engine)}", "reset": f"/ui/password-reset/{_reset(engine)}",
        "error": "/ui/invitations/not-a-link-this-site-sent",
    }  # fmt: skip
    return Tour(pages, public)


def _first_session() -> UUID:
    """The demo's first learning session, whose roster staff fill in."""
    return demo_id("activity", next(iter(figures.sessions())).key)


def _person_on_no_team(engine: QIEngine) -> None:
    """Nell: invited with access that was then revoked, so she belongs to nothing."""
    if engine.accounts.by_email(NOBODY) is not None:
        return
    access = Access(role=Role.AUDITOR, collaborative_id=DEMO_COLLABORATIVE_ID)
    account_id = engine.accounts.invite(ORGANISER, email=NOBODY, name="Nell Nobody", access=access)
    account = engine.accounts.account(account_id)
    assert account is not None
    link = engine.accounts.invitation_link(account)
    assert link is not None
    engine.accounts.accept(link, DEMO_PASSWORD)
    engine.submit(ORGANISER, RevokeAccess(account_id=account_id, access=access))


def _invitation(engine: QIEngine) -> str:
    """The link of an invitation to the lead's team, not yet accepted."""
    fields = {"name": "Ivy Invited", "team_id": LEAD_TEAM, "discipline": "nurse"}
    account = engine.accounts.account(engine.accounts.invite(ORGANISER, email="ivy@demo.example", **fields))
    assert account is not None
    link = engine.accounts.invitation_link(account)
    assert link is not None
    return link


def _reset(engine: QIEngine) -> str:
    """The link of a password reset Nell asked for."""
    engine.accounts.ask_reset(NOBODY)
    deadline = time.monotonic() + 10
    while True:
        account = engine.accounts.by_email(NOBODY)
        link = engine.accounts.reset_link(account) if account else None
        if link is not None:
            return link
        assert time.monotonic() < deadline, "the reset was not recorded"
        time.sleep(0.05)


def sign_in(page: Page, person: Person) -> None:
    """Sign in through the form with the demo password (nothing for nobody)."""
    page.context.clear_cookies()
    if person.email is None:
        return
    page.goto("/ui/sign-in")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    assert "/ui/sign-in" not in page.url, f"{person.email} could not sign in"


def open_every_details(page: Page) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
