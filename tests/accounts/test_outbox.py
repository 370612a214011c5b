"""The outbox against a real mail server (aiosmtpd on loopback): an invitation and a
password reset reach the person's mailbox with a link that works; a mail server that is
down delays a message and never loses it, and sends it once it is back; what would not
work any more (a replaced invitation) and anything to an erased person is not sent;
without a mail server each message is one .eml file, however often it is written;
STARTTLS is required when configured, and with it a sign-in works. On both stores."""

from __future__ import annotations

import smtplib
import sqlite3
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from uuid import UUID

import psycopg
import pytest

from adapters.mail import FolderSender, SmtpSender, sender_for
from aggregates.accounts import Access
from aggregates.base import Role
from engine.application import QIEngine
from engine.commands.activity import ErasePerson
from engine.log_position import POSITIONS, LogPosition
from engine.outbox import Message, Outbox, Sender
from engine.readstore import ReadStore
from engine.settings import Settings
from tests.accounts.conftest import STAFF
from tests.conftest import Clock, free_port
from tests.mailbox import Mailbox, link, password_check, self_signed, tls_context

SITE = "http://127.0.0.1:8000"
# A store that refuses the outbox's first write of its position (a trigger), then takes it.
REFUSE = {
    "sqlite": [
        f"CREATE TRIGGER qi_test_refuse BEFORE INSERT ON {POSITIONS} WHEN NEW.name = 'outbox' "
        "BEGIN SELECT RAISE(ABORT, 'the store refuses'); END"
    ],
    "postgres": [
        "CREATE FUNCTION qi_test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the store refuses'; END $$",
        f"CREATE TRIGGER qi_test_refuse BEFORE INSERT ON {POSITIONS} FOR EACH ROW "
        "WHEN (NEW.name = 'outbox') EXECUTE FUNCTION qi_test_refuse()",
    ],
}
TAKE = {
    "sqlite": ["DROP TRIGGER qi_test_refuse"],
    "postgres": [f"DROP TRIGGER qi_test_refuse ON {POSITIONS}", "DROP FUNCTION qi_test_refuse()"],
}
PASSWORD = "correct horse battery staple"

MakeOutbox = Callable[[Sender], Outbox]


@pytest.fixture
def mailboxes() -> Iterator[Callable[..., Mailbox]]:
    """Start mail servers (on a free port unless told), stopped when the test ends."""
    started: list[Mailbox] = []

    def start(port: int | None = None, **smtp: object) -> Mailbox:
        box = Mailbox(port or free_port(), **smtp)
        started.append(box)
        return box.start()

    yield start
    for box in started:
        box.stop()


@pytest.fixture
def mailbox(mailboxes: Callable[..., Mailbox]) -> Mailbox:
    return mailboxes()


@pytest.fixture
def outboxes(engine: QIEngine) -> Iterator[MakeOutbox]:
    """Outboxes on the engine, closed (their leader lock released) when the test ends."""
    made: list[Outbox] = []

    def make(sender: Sender) -> Outbox:
        outbox = Outbox(engine, sender, SITE)
        made.append(outbox)
        return outbox

    yield make
    for outbox in made:
        outbox.close()


def smtp(engine: QIEngine, port: int, **more: object) -> Settings:
    """Mail settings for a server on loopback: plain (aiosmtpd offers no STARTTLS) unless told."""
    fields: dict[str, object] = {"smtp_starttls": False, **more}
    return Settings(store=engine.settings.store, smtp_host="127.0.0.1", smtp_port=port, **fields)  # type: ignore[arg-type]


def invite(engine: QIEngine, email: str = "dana@mercy.example", name: str = "Dana Reyes") -> UUID:
    return engine.accounts.invite(STAFF, email=email, name=name, access=Access(role=Role.STAFF))


def participant(engine: QIEngine, account_id: UUID) -> UUID:
    account = engine.accounts.account(account_id)
    assert account is not None
    return account.state.participant_id


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_an_invitation_reaches_the_invitees_mailbox_over_smtp_with_a_link_that_accepts_it(
    engine: QIEngine, mailbox: Mailbox, outboxes: MakeOutbox
) -> None:
    account_id = invite(engine)
    outbox = outboxes(SmtpSender(smtp(engine, mailbox.port)))

    assert outbox.tick() == 1

    [message] = mailbox.messages
    assert mailbox.recipients == ["dana@mercy.example"] and message["To"] == "dana@mercy.example"
    assert message["Subject"] == "Your invitation to the QI Collaborative"
    assert message["From"] == engine.settings.smtp_from
    assert "Hello Dana Reyes" in body(message) and "until 15 March 2025" in body(message)
    signed_in = engine.accounts.accept(link(message, "/ui/invitations/"), PASSWORD)
    assert signed_in.account.id == account_id and signed_in.principal.role is Role.STAFF
    assert outbox.tick() == 0 and len(mailbox.messages) == 1  # sent once: the position moved past it


def test_a_password_reset_request_is_mailed_with_a_link_that_sets_a_new_password(
    engine: QIEngine, mailbox: Mailbox, outboxes: MakeOutbox
) -> None:
    outbox = outboxes(SmtpSender(smtp(engine, mailbox.port)))
    account_id = invite(engine)
    outbox.tick()
    engine.accounts.accept(link(mailbox.messages[0], "/ui/invitations/"), PASSWORD)

    engine.accounts._ask_reset("Dana@Mercy.example")  # what ask_reset runs after answering

    assert outbox.tick() == 1
    reset = mailbox.messages[1]
    assert reset["To"] == "dana@mercy.example" and reset["Subject"] == "Reset your QI Collaborative password"
    assert f"for {engine.settings.reset_minutes} minutes" in body(reset)
    signed_in = engine.accounts.reset(link(reset, "/ui/password-reset/"), "a brand new passphrase")
    assert signed_in.account.id == account_id
    assert engine.accounts.sign_in("dana@mercy.example", "a brand new passphrase") is not None
    assert engine.accounts.sign_in("dana@mercy.example", PASSWORD) is None


def test_a_mail_server_that_is_down_delays_the_messages_and_never_loses_them(
    engine: QIEngine, mailboxes: Callable[..., Mailbox], outboxes: MakeOutbox
) -> None:
    port = free_port()  # nothing listens there yet
    invite(engine)
    invite(engine, "sam@bigsky.example", "Sam Ortiz")
    outbox = outboxes(SmtpSender(smtp(engine, port)))

    for _ in range(2):
        with pytest.raises(OSError):  # refused: the round fails loudly, and moves nothing
            outbox.tick()

    box = mailboxes(port)
    assert outbox.tick() == 2
    assert sorted(box.recipients) == ["dana@mercy.example", "sam@bigsky.example"]
    assert [outbox.tick() for _ in range(3)] == [0, 0, 0]
    assert len(box.messages) == 2


def test_an_address_the_mail_server_refuses_for_good_is_passed_over_and_a_refusal_for_now_is_kept(
    engine: QIEngine, mailbox: Mailbox, outboxes: MakeOutbox
) -> None:
    invite(engine, "gone@mercy.example", "Gone Away")
    invite(engine, "full@mercy.example", "Full Box")
    invite(engine)
    mailbox.handler.refuse = {
        "gone@mercy.example": "550 5.1.1 no such mailbox",
        "full@mercy.example": "452 4.2.2 mailbox full, try later",
    }
    outbox = outboxes(SmtpSender(smtp(engine, mailbox.port)))

    with pytest.raises(smtplib.SMTPRecipientsRefused):  # the full mailbox: held, and tried again
        outbox.tick()
    assert mailbox.recipients == []  # the refused-for-good one was passed over, up to the full one
    mailbox.handler.refuse.pop("full@mercy.example")
    assert outbox.tick() == 2
    assert sorted(mailbox.recipients) == ["dana@mercy.example", "full@mercy.example"]


def test_a_mail_server_restarted_between_rounds_does_not_fail_the_next_round(
    engine: QIEngine, mailboxes: Callable[..., Mailbox], outboxes: MakeOutbox
) -> None:
    first = mailboxes()
    outbox = outboxes(SmtpSender(smtp(engine, first.port)))
    invite(engine)
    assert outbox.tick() == 1
    first.stop()  # a restart of the mail server: any connection left open is gone
    second = mailboxes(first.port)

    invite(engine, "sam@bigsky.example", "Sam Ortiz")

    assert outbox.tick() == 1  # a fresh connection each round, not the dead one of the last
    assert second.recipients == ["sam@bigsky.example"]


def test_an_invitation_replaced_by_a_newer_one_before_sending_is_not_sent_only_the_newer_link(
    engine: QIEngine, mailbox: Mailbox, outboxes: MakeOutbox
) -> None:
    account_id = invite(engine)
    first = engine.accounts.invitation_link(engine.accounts.account(account_id))  # type: ignore[arg-type]
    engine.accounts.invite(
        STAFF, email="dana@mercy.example", participant_id=participant(engine, account_id),
        access=Access(role=Role.STAFF),
    )  # fmt: skip
    account = engine.accounts.account(account_id)
    assert account is not None

    assert outboxes(SmtpSender(smtp(engine, mailbox.port))).tick() == 1

    [message] = mailbox.messages
    secret = link(message, "/ui/invitations/")
    assert secret == engine.accounts.invitation_link(account) != first
    assert engine.accounts.accept(secret, PASSWORD).account.id == account_id


def test_an_invitation_that_expired_before_it_could_be_sent_is_not_sent(
    engine: QIEngine, clock: Clock, mailbox: Mailbox, outboxes: MakeOutbox
) -> None:
    invite(engine)
    clock.advance(days=engine.settings.invitation_days, seconds=1)  # the mail server was down that long

    assert outboxes(SmtpSender(smtp(engine, mailbox.port))).tick() == 0  # its link would not work

    assert mailbox.messages == []


def test_nothing_is_sent_to_an_erased_person(
    engine: QIEngine, mailbox: Mailbox, outboxes: MakeOutbox
) -> None:
    outbox = outboxes(SmtpSender(smtp(engine, mailbox.port)))
    invited = invite(engine, "sam@bigsky.example", "Sam Ortiz")
    engine.submit(STAFF, ErasePerson(participant_id=participant(engine, invited), reason="their request"))
    dana = invite(engine)
    outbox.tick()
    engine.accounts.accept(link(mailbox.messages[0], "/ui/invitations/"), PASSWORD)
    engine.accounts._ask_reset("dana@mercy.example")
    engine.submit(STAFF, ErasePerson(participant_id=participant(engine, dana), reason="their request"))

    assert outbox.tick() == 0  # neither Sam's invitation nor Dana's reset, asked before her erasure

    assert mailbox.recipients == ["dana@mercy.example"]  # only the invitation sent before
    assert len(mailbox.messages) == 1


def test_an_erasure_does_not_hold_up_the_outbox_of_a_process_started_after_it(
    engine: QIEngine, mailbox: Mailbox, outboxes: MakeOutbox
) -> None:
    sam = invite(engine, "sam@bigsky.example", "Sam Ortiz")
    engine.submit(STAFF, ErasePerson(participant_id=participant(engine, sam), reason="their request"))
    invite(engine)
    restarted = QIEngine(engine.settings, engine.clock)  # reads the store afresh: nothing cached
    try:
        outbox = Outbox(restarted, SmtpSender(smtp(engine, mailbox.port)), SITE)
        try:
            assert outbox.tick() == 1
        finally:
            outbox.close()
    finally:
        restarted.close()

    assert mailbox.recipients == ["dana@mercy.example"]


def test_an_outbox_whose_first_round_could_not_write_its_position_still_sends_each_message_once(
    engine: QIEngine, mailbox: Mailbox, outboxes: MakeOutbox
) -> None:
    kind = "postgres" if engine.settings.uses_postgres else "sqlite"
    store = ReadStore(engine.settings)
    LogPosition(store, "erasures").prepare()  # the erasure sweep's: the positions' table is there

    def run(statements: list[str]) -> None:
        with store.transaction(write=True) as tx:
            for statement in statements:
                tx.execute(statement)

    invite(engine)
    outbox = outboxes(SmtpSender(smtp(engine, mailbox.port)))
    run(REFUSE[kind])
    try:
        with pytest.raises((sqlite3.Error, psycopg.Error), match="the store refuses"):
            outbox.tick()
    finally:
        run(TAKE[kind])
        store.close()

    assert [outbox.tick() for _ in range(3)] == [1, 0, 0]  # its position moves, once it has one
    assert len(mailbox.messages) == 1


def test_without_a_mail_server_each_message_is_one_eml_file_in_the_outbox_folder_however_often_sent(
    engine: QIEngine, outboxes: MakeOutbox, tmp_path: Path
) -> None:
    folder = {"mail_folder": str(tmp_path / "outbox")} if engine.settings.uses_postgres else {}
    settings = Settings(store=engine.settings.store, smtp_host=None, **folder)  # type: ignore[arg-type]
    assert settings.mail_outbox == tmp_path / "outbox"  # on SQLite: beside the store
    sender = sender_for(settings)
    assert isinstance(sender, FolderSender)
    account_id = invite(engine)
    outbox = outboxes(sender)

    assert outbox.tick() == 1
    [written] = list(settings.mail_outbox.iterdir())
    first = message_from_bytes(written.read_bytes(), policy=policy.default)
    outbox.close()
    store = ReadStore(engine.settings)
    with store.transaction(write=True) as tx:  # as if it had crashed between sending and moving on
        tx.execute(f"UPDATE {POSITIONS} SET position = 0 WHERE name = ?", ("outbox",))
    store.close()
    assert outboxes(sender_for(settings)).tick() == 1

    assert list(settings.mail_outbox.iterdir()) == [written]  # sent twice: still one file
    assert written.name == f"{account_id}-1.eml"
    again = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert again["To"] == "dana@mercy.example"
    assert (
        again["Message-ID"] == first["Message-ID"] == f"<{account_id}-1@qi-collaborative>"
    )  # the same message
    assert engine.accounts.accept(link(again, "/ui/invitations/"), PASSWORD).account.id == account_id


def test_with_starttls_required_a_server_that_offers_none_fails_the_round_and_keeps_the_message(
    engine: QIEngine, mailbox: Mailbox, outboxes: MakeOutbox
) -> None:
    invite(engine)
    careful = outboxes(SmtpSender(smtp(engine, mailbox.port, smtp_starttls=True)))

    with pytest.raises(smtplib.SMTPNotSupportedError):
        careful.tick()

    assert mailbox.messages == []  # nothing went in the clear
    careful.close()
    assert outboxes(SmtpSender(smtp(engine, mailbox.port))).tick() == 1  # still there to send
    assert mailbox.recipients == ["dana@mercy.example"]


def test_with_starttls_and_a_sign_in_the_message_goes_encrypted_and_signed_in_and_a_wrong_password_keeps_it(
    engine: QIEngine,
    mailboxes: Callable[..., Mailbox],
    outboxes: MakeOutbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts the test's certificate, and checks it
    box = mailboxes(
        tls_context=tls_context(cert, key),
        require_starttls=True,
        auth_require_tls=True,
        authenticator=password_check("qi-mailer", "s3cret mail password"),
    )
    invite(engine)

    def signing_in(password: str) -> Outbox:
        settings = smtp(engine, box.port, smtp_starttls=True, smtp_user="qi-mailer", smtp_password=password)
        return outboxes(SmtpSender(settings))

    wrong = signing_in("not it")
    with pytest.raises(smtplib.SMTPAuthenticationError):
        wrong.tick()
    wrong.close()
    assert box.messages == []  # kept for later

    assert signing_in("s3cret mail password").tick() == 1

    [received] = box.handler.messages
    assert received.tls and received.authenticated
    assert received.rcpt_tos == ["dana@mercy.example"]


@pytest.mark.parametrize("length", [40, 70, 74, 78, 120])
def test_a_subject_of_any_length_reads_back_as_written_with_no_leading_space(
    tmp_path: Path, length: int
) -> None:
    words = "Fireside chat: locking the scales starts Friday 4 December 2026 at 03:52 UTC and more words"
    subject = (words * 2)[:length].strip()
    FolderSender(tmp_path, "qi@example.org").send(
        Message(id="m1", to="lee@example.org", subject=subject, body="Hi.")
    )
    read = message_from_bytes((tmp_path / "m1.eml").read_bytes(), policy=policy.default)
    assert read["Subject"] == subject
