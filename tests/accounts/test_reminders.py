"""Reminders, given the events, on both stores: a team's month of data and its monthly report
not in by the day they are due, a learning activity within a day, an invitation waiting;
each recorded once per occasion and person, however many rounds and processes look; left
out for the people who turned the kind off; sent by the outbox to a real mail server
(aiosmtpd) only while the occasion still holds, and shown on the person's home page."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import pytest

from aggregates.accounts import account_id
from aggregates.activity import ActivityDetails
from aggregates.base import Actor, Role
from aggregates.reminders import Reminder, ReminderDue, ReminderKind
from aggregates.values import ActivityKind
from engine.application import QIEngine
from engine.commands.activity import ScheduleActivity
from engine.commands.reminders import ChooseReminders
from engine.commands.reports import DraftReport, SubmitReport
from engine.commands.team import SubmitData
from engine.errors import Forbidden
from engine.outbox import Outbox
from engine.queries import Queries
from engine.read_models import ReadModels
from engine.reminders import ReminderScheduler
from tests.accounts.conftest import STAFF
from tests.accounts.test_outbox import body
from tests.conftest import Clock
from tests.mailbox import Mailbox, link
from tests.store.lifecycle import WEIGHT, Lifecycle

PASSWORD = "correct horse battery staple"


class AlwaysLeader:
    """A leader lock every process holds: what a lock that failed would allow, so the
    claims alone must keep a reminder to one."""

    def try_acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass


@pytest.fixture
def models(engine: QIEngine) -> Iterator[ReadModels]:
    made = ReadModels(engine)
    yield made
    made.close()


@pytest.fixture
def scheduler(engine: QIEngine, models: ReadModels) -> Iterator[ReminderScheduler]:
    made = ReminderScheduler(engine, models, AlwaysLeader())
    yield made
    made.close()


def with_account(engine: QIEngine, email: str, **invitation: object) -> UUID:
    """A person's account, invited and accepted (the invitation is not mailed here)."""
    made = engine.accounts.invite(STAFF, email=email, **invitation)
    account = engine.accounts.account(made)
    assert account is not None
    engine.accounts.accept(engine.accounts.invitation_link(account) or "", PASSWORD)
    return made


def leads(engine: QIEngine, life: Lifecycle) -> list[UUID]:
    """Each team's lead, with an account: Mercy's lead first, then Big Sky's."""
    found = [life.members[team][0] for team in life.teams]
    for number, (person, team, discipline) in enumerate(
        zip(found, life.teams, ("nurse", "paramedic"), strict=True)
    ):
        with_account(
            engine, f"lead{number}@teams.example", participant_id=person, team_id=team, discipline=discipline
        )
    return found


def reminders_of(engine: QIEngine) -> list[ReminderDue]:
    events = engine.recorder.select_notifications(0, 10_000, topics=[Reminder.__module__ + ":ReminderDue"])
    return [engine.read_mapper.to_domain_event(n) for n in events]


def kinds_for(engine: QIEngine, person: UUID) -> list[tuple[ReminderKind, str | None]]:
    return sorted(
        (e.occasion.kind, e.occasion.month) for e in reminders_of(engine) if e.participant_id == person
    )


def test_a_month_without_data_or_report_by_the_tenth_reminds_its_teams_members_once(
    engine: QIEngine, life: Lifecycle, clock: Clock, scheduler: ReminderScheduler
) -> None:
    mercy, big_sky = leads(engine, life)
    life.run(
        SubmitData(
            team_id=life.teams[1], measure_key=WEIGHT.key, period="2025-03", numerator=8, denominator=10
        )
    )
    life.run(DraftReport(team_id=life.teams[1], month="2025-03", successes="Kg-only scales"))
    life.run(SubmitReport(team_id=life.teams[1], month="2025-03"))
    clock.now = datetime(2025, 4, 9, 23, 59, tzinfo=UTC)
    assert scheduler.tick() == 0  # due on the 10th, not before

    clock.now = datetime(2025, 4, 10, 0, 0, tzinfo=UTC)
    assert scheduler.tick() == 2
    assert kinds_for(engine, mercy) == [
        (ReminderKind.DATA_DUE, "2025-03"),
        (ReminderKind.REPORT_DUE, "2025-03"),
    ]
    assert kinds_for(engine, big_sky) == []  # its data and report are in
    data_due = next(e for e in reminders_of(engine) if e.occasion.kind is ReminderKind.DATA_DUE)
    assert data_due.occasion.team_id == life.teams[0]
    assert data_due.occasion.due_at == datetime(2025, 4, 10, tzinfo=UTC)

    clock.advance(hours=1)
    assert scheduler.tick() == 0 and len(reminders_of(engine)) == 2  # once per occasion


def test_two_processes_looking_at_once_record_each_reminder_once(
    engine: QIEngine, life: Lifecycle, clock: Clock
) -> None:
    leads(engine, life)
    clock.now = datetime(2025, 4, 12, 8, 0, tzinfo=UTC)
    engines = [QIEngine(engine.settings, clock) for _ in range(3)]
    models = [ReadModels(e) for e in engines]
    schedulers = [ReminderScheduler(e, m, AlwaysLeader()) for e, m in zip(engines, models, strict=True)]
    for m in models:
        m.wait_for()
    counts: list[int] = []
    threads = [threading.Thread(target=lambda s=s: counts.append(s.tick())) for s in schedulers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for m, e in zip(models, engines, strict=True):
        m.close()
        e.close()
    assert sum(counts) == 4  # two teams' leads, data and report: whichever process won each
    assert len(reminders_of(engine)) == 4
    assert len({e.originator_id for e in reminders_of(engine)}) == 4


def test_a_person_who_turned_a_kind_off_gets_none_of_it(
    engine: QIEngine, life: Lifecycle, clock: Clock, scheduler: ReminderScheduler
) -> None:
    mercy, _ = leads(engine, life)
    signed = engine.accounts.sign_in("lead0@teams.example", PASSWORD)
    assert signed is not None
    engine.submit(
        signed.principal, ChooseReminders(account_id=account_id(mercy), off=(ReminderKind.DATA_DUE,))
    )
    clock.now = datetime(2025, 4, 10, 9, 0, tzinfo=UTC)
    scheduler.tick()
    assert kinds_for(engine, mercy) == [(ReminderKind.REPORT_DUE, "2025-03")]


def test_a_person_chooses_only_their_own_reminders(engine: QIEngine, life: Lifecycle) -> None:
    mercy, big_sky = leads(engine, life)
    signed = engine.accounts.sign_in("lead0@teams.example", PASSWORD)
    assert signed is not None
    with pytest.raises(Forbidden, match="their own reminders"):
        engine.submit(signed.principal, ChooseReminders(account_id=account_id(big_sky), off=()))
    with pytest.raises(Forbidden, match="their own reminders"):
        engine.submit(STAFF, ChooseReminders(account_id=account_id(mercy), off=()))


def sessions_reminded(engine: QIEngine) -> list[UUID]:
    return [e.participant_id for e in reminders_of(engine) if e.occasion.kind is ReminderKind.SESSION_SOON]


def test_an_activity_within_a_day_reminds_its_people_and_the_coach(
    engine: QIEngine, life: Lifecycle, clock: Clock, scheduler: ReminderScheduler
) -> None:
    mercy, big_sky = leads(engine, life)
    made = with_account(engine, "cora@coach.example", name="Cora Coach", team_id=life.teams[0], as_coach=True)
    coach = engine.accounts.account(made).state.participant_id  # type: ignore[union-attr]
    # Entered in Denver's offset: the window is judged by the instant, not by the text.
    starts = (clock.now + timedelta(hours=30)).astimezone(timezone(timedelta(hours=-7)))
    details = ActivityDetails(kind=ActivityKind.FIRESIDE_CHAT, title="Fireside: scales", starts_at=starts,
                              duration_minutes=60)  # fmt: skip
    assert life.collaborative_id is not None
    engine.execute(ScheduleActivity(collaborative_id=life.collaborative_id, details=details),
                   engine.context(Actor(id="staff-ann", role=Role.STAFF)))  # fmt: skip
    clock.now = starts - timedelta(hours=25)
    scheduler.tick()  # February's data and reports are due too, by now
    assert sessions_reminded(engine) == []
    clock.now = starts - timedelta(hours=23)
    assert scheduler.tick() == 3
    assert sorted(sessions_reminded(engine)) == sorted([mercy, big_sky, coach])
    clock.now = starts + timedelta(minutes=1)
    assert scheduler.tick() == 0 and len(sessions_reminded(engine)) == 3


def test_the_outbox_sends_a_reminder_once_and_not_after_the_data_came_in(
    engine: QIEngine, life: Lifecycle, clock: Clock, scheduler: ReminderScheduler,
    outbox: Outbox, mailbox: Mailbox,
) -> None:  # fmt: skip
    leads(engine, life)
    assert outbox.tick() == 0  # the invitations were accepted before the outbox's round
    clock.now = datetime(2025, 4, 10, 9, 0, tzinfo=UTC)
    assert scheduler.tick() == 4
    life.run(
        SubmitData(
            team_id=life.teams[1], measure_key=WEIGHT.key, period="2025-03", numerator=8, denominator=10
        )
    )

    assert outbox.tick() == 3  # Big Sky's data is in since: its reminder is not sent
    reminders = mailbox.messages
    subjects = sorted(m["Subject"] for m in reminders)
    assert subjects == [
        "Big Sky EMS: the monthly report for March 2025 is due",
        "Mercy ED: the March 2025 data is due",
        "Mercy ED: the monthly report for March 2025 is due",
    ]
    data = next(m for m in reminders if "data is due" in m["Subject"])
    assert data["To"] == "lead0@teams.example"
    assert "Mercy ED's March 2025 data was due on 10 April 2025; no value yet for: " in body(data)
    assert link(data, "/ui/teams/") == f"{life.teams[0]}#measures"
    assert "/ui/account#reminders" in body(data)
    assert outbox.tick() == 0 and scheduler.tick() == 0 and len(mailbox.messages) == 3


def test_an_invitation_waiting_three_days_is_sent_again_with_a_link_that_works(
    engine: QIEngine, life: Lifecycle, clock: Clock, scheduler: ReminderScheduler,
    outbox: Outbox, mailbox: Mailbox,
) -> None:  # fmt: skip
    engine.accounts.invite(STAFF, email="nia@mercy.example", name="Nia Nurse", team_id=life.teams[0],
                           discipline="nurse")  # fmt: skip
    assert outbox.tick() == 1
    clock.advance(days=2, hours=23)
    assert scheduler.tick() == 0
    clock.advance(hours=1)
    assert scheduler.tick() == 1
    assert outbox.tick() == 1
    again = mailbox.messages[-1]
    assert again["Subject"] == "Your invitation to the QI Collaborative is waiting"
    secret = link(again, "/ui/invitations/")
    assert secret == link(mailbox.messages[0], "/ui/invitations/")
    engine.accounts.accept(secret, PASSWORD)  # the reminded link works
    clock.advance(days=1)
    scheduler.tick()  # now a member, Nia is reminded of February's data and report
    waiting = [e for e in reminders_of(engine) if e.occasion.kind is ReminderKind.INVITATION_WAITING]
    assert len(waiting) == 1


def test_the_home_page_lists_what_is_still_due_in_words(
    engine: QIEngine, life: Lifecycle, clock: Clock, scheduler: ReminderScheduler, models: ReadModels
) -> None:
    leads(engine, life)
    clock.now = datetime(2025, 4, 10, 9, 0, tzinfo=UTC)
    scheduler.tick()
    signed = engine.accounts.sign_in("lead0@teams.example", PASSWORD)
    assert signed is not None
    queries = Queries(engine, models)
    shown = queries.my_reminders(signed.principal)
    assert [(r.subject, r.link) for r in shown] == [
        ("Mercy ED: the March 2025 data is due", f"/ui/teams/{life.teams[0]}#measures"),
        ("Mercy ED: the monthly report for March 2025 is due", f"/ui/teams/{life.teams[0]}/reports/2025-03"),
    ]
    life.run(
        SubmitData(
            team_id=life.teams[0], measure_key=WEIGHT.key, period="2025-03", numerator=8, denominator=10
        )
    )
    assert [r.kind for r in queries.my_reminders(signed.principal)] == [ReminderKind.REPORT_DUE]
    choices = queries.reminder_choices(signed.principal)
    assert [(c.kind, c.on) for c in choices] == [
        (ReminderKind.DATA_DUE, True), (ReminderKind.REPORT_DUE, True), (ReminderKind.SESSION_SOON, True),
    ]  # fmt: skip
