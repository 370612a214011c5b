"""The outbox under kill -9: `qi serve` sends an invitation through a real mail server
(aiosmtpd on loopback), and is killed with SIGKILL at the two moments that matter.

- Killed while the mail server is down (its rounds failing): the invitation waits in
  the log, and the server started again sends it once the mail server is up; once.
- Killed after the mail server has the whole message but before `qi serve` heard it was
  accepted (the mail server holds its answer until the kill): the position never moved,
  so the server started again sends it again: a copy with the same Message-ID, never
  none. And killed as soon as the mail server has answered, as fast as the test can: the
  race between that answer and the position's save decides between one copy and two.

Each on SQLite and on a fresh PostgreSQL database.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest

from aggregates.accounts import Access
from aggregates.base import Role
from engine.application import QIEngine
from engine.settings import Settings
from scripts.drills.processes import (
    SHARED_POSTGRES,
    ApiServer,
    DrillSetupError,
    free_port,
    fresh_store,
    wait_until,
)
from tests.accounts.conftest import STAFF
from tests.mailbox import Mailbox, link
from tests.reliability.conftest import unavailable

INTERVAL = 0.2  # seconds between the outbox's rounds in the drilled server
PASSWORD = "correct horse battery staple"
FAILED = "sending mail failed"  # what the outbox logs when a round fails


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty store: a SQLite file, or a database of its own on the shared PostgreSQL."""
    server = request.getfixturevalue("postgres_server") if request.param == "postgres" else SHARED_POSTGRES
    try:
        with fresh_store(request.param, tmp_path / "store", server) as url:
            yield url
    except DrillSetupError as error:
        unavailable(str(error))


@pytest.fixture
def smtp_port() -> int:
    return free_port()  # nothing listens there until the test starts the mail server


@pytest.fixture
def api(store: str, smtp_port: int, tmp_path: Path) -> Iterator[ApiServer]:
    env = {
        "QI_STORE": store,
        "QI_SMTP_HOST": "127.0.0.1",
        "QI_SMTP_PORT": str(smtp_port),
        "QI_SMTP_STARTTLS": "false",
        "QI_MAIL_INTERVAL": str(INTERVAL),
    }
    server = ApiServer(env, tmp_path)
    yield server
    server.stop()


@pytest.fixture
def engine(store: str) -> Iterator[QIEngine]:
    """The test's own engine on the drilled server's store (there is no invitation route)."""
    engine = QIEngine(Settings(store=store))
    yield engine
    engine.close()


@pytest.fixture
def mailbox(smtp_port: int) -> Iterator[Mailbox]:
    box = Mailbox(smtp_port)  # started by the test, when it wants the mail server up
    yield box
    box.stop()


def start(api: ApiServer) -> None:
    api.start()
    try:
        api.wait_ready()
    except DrillSetupError as error:
        unavailable(str(error))


def invite(engine: QIEngine) -> UUID:
    return engine.accounts.invite(
        STAFF, email="dana@mercy.example", name="Dana Reyes", access=Access(role=Role.STAFF)
    )


def failed_rounds(api: ApiServer) -> int:
    return api.log_path.read_text(errors="replace").count(FAILED) if api.log_path.exists() else 0


def accepts(engine: QIEngine, api: ApiServer, mailbox: Mailbox, account_id: UUID) -> bool:
    """Whether the last message's link accepts the invitation (the link points at the server)."""
    secret = link(mailbox.messages[-1], "/ui/invitations/", api.base)
    return engine.accounts.accept(secret, PASSWORD).account.id == account_id


def settle(mailbox: Mailbox, rounds: int = 8) -> int:
    """How many messages arrived, after a few more of the server's rounds."""
    time.sleep(rounds * INTERVAL)
    return len(mailbox.messages)


@pytest.mark.slow
def test_qi_serve_killed_while_the_mail_server_is_down_sends_the_invitation_once_after_its_restart(
    api: ApiServer, engine: QIEngine, mailbox: Mailbox
) -> None:
    start(api)
    account_id = invite(engine)
    wait_until(lambda: failed_rounds(api) >= 2, 20, "the outbox to fail twice while the mail server is down")

    api.kill()
    mailbox.start()
    start(api)

    assert len(mailbox.wait_for(1, 20)) >= 1, f"the invitation never arrived:\n{api.log_tail()}"
    assert settle(mailbox) == 1  # nothing had left before the kill: exactly once
    assert mailbox.recipients == ["dana@mercy.example"]
    assert accepts(engine, api, mailbox, account_id)


@pytest.mark.slow
def test_qi_serve_killed_before_it_heard_the_mail_server_accept_the_invitation_sends_it_again_never_none(
    api: ApiServer, engine: QIEngine, mailbox: Mailbox
) -> None:
    mailbox.handler.hold = True  # the mail server keeps the message, and answers only once released
    mailbox.start()
    start(api)
    account_id = invite(engine)
    assert mailbox.handler.received.wait(20), (
        f"the invitation never reached the mail server:\n{api.log_tail()}"
    )

    api.kill()  # it has the whole message; qi serve never heard "250"
    mailbox.handler.release.set()
    start(api)

    assert len(mailbox.wait_for(2, 20)) >= 2, f"the invitation was not sent again:\n{api.log_tail()}"
    assert settle(mailbox) == 2  # at least once: one copy, and no more
    first, again = mailbox.messages
    assert first["Message-ID"] == again["Message-ID"]  # the same message, as the mailbox can tell
    assert accepts(engine, api, mailbox, account_id)


@pytest.mark.slow
def test_qi_serve_killed_as_soon_as_the_mail_server_accepted_the_invitation_has_sent_it_once_or_twice(
    api: ApiServer, engine: QIEngine, mailbox: Mailbox, capsys: pytest.CaptureFixture[str]
) -> None:
    mailbox.start()
    start(api)
    account_id = invite(engine)
    assert mailbox.handler.received.wait(20), (
        f"the invitation never reached the mail server:\n{api.log_tail()}"
    )

    api.kill()  # a race with the position's save, right after "250"
    start(api)

    copies = settle(mailbox, rounds=15)
    assert copies in (1, 2), (
        f"{copies} copies:\n{api.log_tail()}"
    )  # never none, never more than the kill explains
    assert len({m["Message-ID"] for m in mailbox.messages}) == 1
    assert accepts(engine, api, mailbox, account_id)
    with capsys.disabled():
        print(f"\n  killed right after the mail server's answer: {copies} cop{'y' if copies == 1 else 'ies'}")
