"""People's accounts in headless Chromium, with mail through a real SMTP server the test
starts: staff invite a team lead from the team's page; the lead opens the emailed link,
chooses a password, lands on their team and enters a month's data; wrong passwords lock
the account for a while; a reset by email works and ends the sessions before it; a used
or expired invitation is refused clearly; a physician opens My credit and attests for MOC
Part 4."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from adapters.app import create_app
from aggregates.base import Actor, Role
from aggregates.phases import Phase
from aggregates.tokens import Grant
from engine.application import QIEngine
from engine.commands.team import DefineMeasure
from engine.settings import Settings
from tests.browser.conftest import shot
from tests.browser.serving import serving_on
from tests.conftest import Clock, free_port
from tests.mailbox import Mailbox, link
from tests.store.lifecycle import WEIGHT, Lifecycle

Page = Any
PASSWORD = "kilograms every shift"


@dataclass
class World:
    url: str
    engine: QIEngine
    clock: Clock
    mailbox: Mailbox
    staff_token: str
    life: Lifecycle

    @property
    def team(self) -> UUID:
        return self.life.teams[0]


class MovingClock(Clock):
    """Real time, moved ahead by hand: sessions started a moment apart are apart."""

    def __init__(self) -> None:
        super().__init__(datetime.now(UTC))
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> datetime:
        self.offset += timedelta(**delta)
        return self()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    mailbox = Mailbox(free_port()).start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    clock = MovingClock()
    settings = Settings(
        store=str(tmp_path_factory.mktemp("accounts") / "qi.sqlite3"), smtp_host="127.0.0.1", smtp_port=mailbox.port,
        smtp_starttls=False, mail_interval=0.1, public_url=url,
    )  # fmt: skip
    engine = QIEngine(settings, clock)
    life = Lifecycle(engine, clock)
    life.create()
    life.advance(Phase.REGISTRATION)
    life.register_teams()
    life.advance(Phase.ORIENTATION)
    life.orient()
    life.advance(Phase.SESSIONS, reason="sessions start before the first is held")
    for team_id in life.teams:
        life.run(DefineMeasure(team_id=team_id, measure=WEIGHT))
    staff = engine.issue_token(
        Grant(name="Ann (staff)", role=Role.STAFF), engine.context(Actor(id="t", role=Role.SYSTEM))
    )
    with serving_on(create_app(engine), port):
        yield World(url, engine, clock, mailbox, staff, life)
    mailbox.stop()
    engine.close()


@pytest.fixture
def tab(browser: object, world: World) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=world.url)  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def mailed(world: World, address: str, subject: str, path: str) -> str:
    """The path of the `path` link in the latest message to `address` about `subject`."""
    return path + link(world.mailbox.message_to(address, subject), path, world.url)


def staff_signs_in(page: Page, world: World, then: str) -> None:
    page.goto(f"/ui/sign-in?next={then}")
    page.get_by_text("Sign in with an API token instead").click()
    page.get_by_label("Your access token").fill(world.staff_token)
    page.get_by_role("button", name="Sign in with the token").click()
    page.wait_for_url(f"**{then}")


def invite(page: Page, world: World, people: str, discipline: str, role: str = "team_lead") -> None:
    staff_signs_in(page, world, f"/ui/teams/{world.team}")
    page.get_by_text("Invite people to this team").click()
    page.get_by_label("Name and email").fill(people)
    page.get_by_label("Discipline on the team", exact=True).select_option(discipline)
    page.get_by_label("Role on the team", exact=True).select_option(role)
    page.get_by_role("button", name="Send the invitations").click()
    page.wait_for_url("**invited=*")
    page.get_by_role("button", name="Sign out").click()


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/ui/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def accept(page: Page, link: str, password: str = PASSWORD) -> None:
    page.goto(link)
    page.get_by_label("New password").fill(password)
    page.get_by_label("The same password again").fill(password)
    page.get_by_role("button", name="Set my password and sign in").click()


def test_an_invited_team_lead_sets_a_password_lands_on_their_team_and_enters_a_month(
    tab: Page, world: World
) -> None:
    invite(tab, world, "Dana Reyes, dana@mercy.example", "nurse")
    message = world.mailbox.message_to("dana@mercy.example", "invitation")
    assert "Mercy ED" in str(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    invitation = "/ui/invitations/" + link(message, "/ui/invitations/", world.url)

    accept(tab, invitation)
    tab.wait_for_url(f"**/ui/teams/{world.team}")
    shot(tab, "accounts-01-landed-on-team")
    assert "Dana Reyes" in tab.locator(".who").inner_text()
    tab.get_by_text("Enter another month of Weight in kilograms").click()  # past the collaborative's end
    month = tab.get_by_role("form", name="Enter another month of Weight in kilograms")
    month.get_by_label("Month").fill("2026-03")
    month.get_by_label("Numerator").fill("8")
    month.get_by_label("Denominator").fill("10")
    month.get_by_role("button", name="Save the month").click()
    tab.wait_for_url(f"**/ui/teams/{world.team}*")
    assert "Dana Reyes" in tab.locator("#month-weight-kg-2026-03").inner_text()  # who entered it, by name

    tab.goto(invitation)  # the same link again
    assert "already used" in tab.get_by_role("alert").inner_text()


def test_five_wrong_passwords_lock_the_account_and_a_reset_by_email_unlocks_it_and_ends_old_sessions(
    tab: Page, browser: object, world: World
) -> None:
    invite(tab, world, "Sam Ortiz, sam@mercy.example", "physician", "member")
    accept(tab, mailed(world, "sam@mercy.example", "invitation", "/ui/invitations/"))
    tab.wait_for_url(f"**/ui/teams/{world.team}")
    other = browser.new_context(base_url=world.url).new_page()  # type: ignore[attr-defined]
    sign_in(other, "sam@mercy.example", PASSWORD)  # another computer, signed in before the reset
    other.wait_for_url(f"**/ui/teams/{world.team}")
    tab.get_by_role("button", name="Sign out").click()

    answers = []
    for _ in range(world.engine.settings.lockout_failures):
        sign_in(tab, "sam@mercy.example", "not my password at all")
        answers.append(tab.get_by_role("alert").inner_text())
    sign_in(tab, "sam@mercy.example", PASSWORD)  # the right one, while locked
    answers.append(tab.get_by_role("alert").inner_text())
    sign_in(tab, "nobody@mercy.example", PASSWORD)  # no such account
    answers.append(tab.get_by_role("alert").inner_text())
    assert len(set(answers)) == 1 and "do not match" in answers[0]
    shot(tab, "accounts-02-refused")

    tab.goto("/ui/sign-in")
    tab.get_by_role("link", name="Forgot your password?").click()
    tab.get_by_label("Email").fill("sam@mercy.example")
    tab.get_by_role("button", name="Send me a reset link").click()
    assert "If an account signs in with" in tab.get_by_role("status").inner_text()
    reset = mailed(world, "sam@mercy.example", "Reset", "/ui/password-reset/")
    tab.goto(reset)
    tab.get_by_label("New password").fill("a fresh passphrase")
    tab.get_by_label("The same password again").fill("a fresh passphrase")
    tab.get_by_role("button", name="Set my new password").click()
    tab.wait_for_url(f"**/ui/teams/{world.team}")

    other.goto(f"/ui/teams/{world.team}")
    assert "/ui/sign-in" in other.url  # the session from before the reset is over
    other.context.close()


def test_an_expired_invitation_is_refused_with_what_to_do(tab: Page, world: World) -> None:
    invite(tab, world, "Kim Late, kim@mercy.example", "nurse", "member")
    invitation = mailed(world, "kim@mercy.example", "invitation", "/ui/invitations/")
    world.clock.advance(days=world.engine.settings.invitation_days, seconds=1)
    try:
        tab.goto(invitation)
        alert = tab.get_by_role("alert").inner_text()
    finally:
        world.clock.advance(days=-world.engine.settings.invitation_days, seconds=-1)
    assert "expired" in alert and "ask the collaborative's staff" in alert


def test_a_physician_opens_my_credit_and_attests_for_moc_part_4(tab: Page, world: World) -> None:
    invite(tab, world, "Dr Lee Park, lee@mercy.example", "physician", "physician_champion")
    accept(tab, mailed(world, "lee@mercy.example", "invitation", "/ui/invitations/"))
    tab.wait_for_url(f"**/ui/teams/{world.team}")
    tab.get_by_role("link", name="My credit").click()
    moc = tab.locator("#moc")
    assert "Still to do" in moc.inner_text() and "has not attested" in moc.inner_text()

    moc.get_by_label("Your part in the project").fill("I led the kilogram-only scale change on nights.")
    moc.get_by_role("button", name="I attest to my part in this project").click()
    tab.wait_for_url("**/ui/my-credit*")
    assert "you attested" in tab.locator("#moc").inner_text()
    assert "has not attested" not in tab.locator("#moc").inner_text()
    shot(tab, "accounts-03-my-credit")


def test_a_bad_list_of_people_invites_nobody_and_names_each_bad_line(tab: Page, world: World) -> None:
    staff_signs_in(tab, world, f"/ui/teams/{world.team}")
    tab.get_by_text("Invite people to this team").click()
    tab.get_by_label("Name and email").fill("Ok Person, ok@mercy.example\nno email here\nAlso Bad; bad@x")
    tab.get_by_label("Discipline on the team", exact=True).select_option("nurse")
    tab.get_by_role("button", name="Send the invitations").click()
    alert = tab.get_by_role("alert").inner_text()
    assert "Nobody was invited" in alert and "line 2" in alert and "line 3" in alert
    assert world.engine.accounts.by_email("ok@mercy.example") is None
