"""A reminder in a real browser and a real mailbox: a fireside chat is scheduled for
tomorrow while the mail server is down; the server notes the reminder and cannot send it,
and is restarted; once the mail server (aiosmtpd) is up, the team lead receives the
reminder exactly once, however many rounds follow; signed in, they find it on their home
page, follow it to the activities, and turn that kind of reminder off on their account
page, after which the home page shows it no more."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from adapters.app import create_app
from aggregates.activity import ActivityDetails
from aggregates.base import Actor, Role
from aggregates.phases import Phase
from aggregates.reminders import ReminderDue, ReminderKind
from aggregates.tokens import Grant, Principal
from aggregates.values import ActivityKind, FocusFields
from engine.application import QIEngine
from engine.commands.activity import ScheduleActivity
from engine.commands.collaborative import AdvancePhase, CreateCollaborative, NewMember, RegisterTeam
from engine.settings import Settings
from tests.browser.conftest import REPORT_VIOLATIONS, shot
from tests.browser.serving import serving_on
from tests.conftest import free_port
from tests.mailbox import Mailbox, link

Page = Any
PASSWORD = "kilograms every shift"
EMAIL = "lee.lakelead@lakeside.example"
STAFF = Principal.of_token(UUID(int=5, version=4), Grant(name="Ann (staff)", role=Role.STAFF))
SUBJECT = "Fireside chat: locking the scales starts"


def _settings(store: Path, smtp_port: int, url: str) -> Settings:
    return Settings(
        store=str(store), smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_starttls=False, public_url=url,
        mail_interval=0.1, reminder_interval=0.1, password_hashing="test-only-cheapest",
    )  # fmt: skip


def _a_team_lead_with_a_chat_tomorrow(engine: QIEngine) -> tuple[UUID, UUID]:
    """A collaborative begun this month (no month is due yet), its team's lead with an
    account, and a fireside chat 20 hours from now: the team and the chat."""
    ctx = lambda: engine.context(Actor(id="browser-tests", role=Role.STAFF))  # noqa: E731
    today = datetime.now(UTC).date()
    focus = FocusFields(focus_area="Readiness", aim="Weigh in kg", starts_on=today.replace(day=1),
                        ends_on=date(today.year + 1, 12, 18))  # fmt: skip
    collaborative = engine.execute(CreateCollaborative(title="PRQC Reminders", focus=focus), ctx()).id
    engine.execute(
        AdvancePhase(collaborative_id=collaborative, to=Phase.REGISTRATION, override_reason="test"), ctx()
    )
    lead = NewMember(person={"name": "Lee Lakelead"}, discipline="nurse")
    team = engine.execute(RegisterTeam(collaborative_id=collaborative, name="Lakeside ED", organization="Lakeside",
                                       care_setting="community_ed", members=(lead,)), ctx())  # fmt: skip
    for to in (Phase.ORIENTATION, Phase.SESSIONS):
        engine.execute(AdvancePhase(collaborative_id=collaborative, to=to, override_reason="test"), ctx())
    person = team.created["Participant"][0]
    account_id = engine.accounts.invite(
        STAFF, email=EMAIL, participant_id=person, team_id=team.id, discipline="nurse"
    )
    account = engine.accounts.account(account_id)
    assert account is not None
    engine.accounts.accept(engine.accounts.invitation_link(account) or "", PASSWORD)
    starts = (datetime.now(UTC) + timedelta(hours=20)).replace(second=0, microsecond=0)
    details = ActivityDetails(kind=ActivityKind.FIRESIDE_CHAT, title="Fireside chat: locking the scales",
                              starts_at=starts, duration_minutes=45)  # fmt: skip
    chat = engine.execute(ScheduleActivity(collaborative_id=collaborative, details=details), ctx()).id
    return team.id, chat


def _reminders(engine: QIEngine) -> list[ReminderDue]:
    topic = f"{ReminderDue.__module__}:{ReminderDue.__qualname__}"
    return [
        engine.read_mapper.to_domain_event(n)
        for n in engine.recorder.select_notifications(0, 1000, topics=[topic])
    ]


def _eventually(check: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "it did not happen in time"
        time.sleep(0.05)


@pytest.fixture
def tab(browser: object) -> Iterator[Any]:
    made: list[Any] = []

    def open_at(url: str) -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=url)  # type: ignore[attr-defined]
        context.add_init_script(REPORT_VIOLATIONS)
        made.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_at
    for context in made:
        context.close()


def test_a_reminder_noted_before_a_restart_reaches_the_mailbox_once_and_shows_until_turned_off(
    tmp_path: Path, tab: Any
) -> None:
    store, smtp_port, port = tmp_path / "qi.sqlite3", free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    first = QIEngine(_settings(store, smtp_port, url))
    team, chat = _a_team_lead_with_a_chat_tomorrow(first)
    with serving_on(create_app(first), port):  # the mail server is down: nothing can leave
        _eventually(lambda: len(_reminders(first)) == 1)
        time.sleep(0.5)  # a few of the outbox's rounds fail meanwhile
    (noted,) = _reminders(first)
    first.close()
    assert noted.occasion.kind is ReminderKind.SESSION_SOON and noted.occasion.activity_id == chat

    mailbox = Mailbox(smtp_port).start()
    again = QIEngine(_settings(store, smtp_port, url))
    try:
        with serving_on(create_app(again), port):
            message = mailbox.message_to(EMAIL, SUBJECT)
            time.sleep(1.0)  # ten more rounds of the scheduler and the outbox
            reminders = [m for m in mailbox.messages if m["Subject"].startswith(SUBJECT)]
            assert len(reminders) == 1 and len(_reminders(again)) == 1
            assert f"{noted.originator_id}-1" in message["Message-ID"]
            assert (
                link(message, "/ui/collaboratives/", url) == f"{noted.occasion.collaborative_id}#activities"
            )

            page = tab(url)
            page.goto("/ui/sign-in")
            page.get_by_label("Email").fill(EMAIL)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in", exact=True).click()
            page.wait_for_url(f"**/ui/teams/{team}")
            shown = page.locator("#my-reminders")
            assert (
                "Fireside chat: locking the scales (fireside chat, PRQC Reminders) starts"
                in shown.inner_text()
            )
            shot(page, "70-reminder-on-the-home-page")
            shown.get_by_role("link", name="See the activities").click()
            page.wait_for_url(f"**/ui/collaboratives/{noted.occasion.collaborative_id}#activities")
            assert "Fireside chat: locking the scales" in page.locator("#activities").inner_text()

            page.goto(f"/ui/teams/{team}")
            page.get_by_role("link", name="Choose which reminders you receive").click()
            page.wait_for_url("**/ui/account#reminders")
            page.get_by_label(
                "A learning session, fireside chat, office hours or coaching call starts within a day"
            ).uncheck()
            page.get_by_role("button", name="Save my reminder choices").click()
            page.wait_for_url("**/ui/account?reminders=saved#reminders")
            assert "Your reminder choices are saved." in page.locator("#reminders").inner_text()
            page.goto(f"/ui/teams/{team}")
            assert page.locator("#my-reminders").count() == 0
            assert len([m for m in mailbox.messages if m["Subject"].startswith(SUBJECT)]) == 1
    finally:
        again.close()
        mailbox.stop()
