"""A collaborative with two teams, staff to invite people to it, and a real mail server
(aiosmtpd) with an outbox sending to it, on both stores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.mail import SmtpSender
from aggregates.base import Role
from aggregates.phases import Phase
from aggregates.tokens import Grant, Principal
from engine.application import QIEngine
from engine.commands.team import DefineMeasure
from engine.outbox import Outbox
from engine.settings import Settings
from tests.conftest import Clock, free_port
from tests.mailbox import Mailbox
from tests.store.lifecycle import WEIGHT, Lifecycle

SITE = "http://127.0.0.1:8000"  # where the messages' links point
STAFF = Principal.of_token(
    __import__("uuid").UUID("00000000-0000-4000-8000-00000000057a"),
    Grant(name="Ann (staff)", role=Role.STAFF),
)


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> QIEngine:
    return request.getfixturevalue(f"{request.param}_engine")


@pytest.fixture
def life(engine: QIEngine, clock: Clock) -> Lifecycle:
    life = Lifecycle(engine, clock)
    life.create()
    life.advance(Phase.REGISTRATION)
    life.register_teams()
    life.advance(Phase.ORIENTATION)
    life.orient()
    life.advance(Phase.SESSIONS, reason="sessions start before the first is held")
    for team_id in life.teams:
        life.run(DefineMeasure(team_id=team_id, measure=WEIGHT))
    return life


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(free_port()).start()
    yield box
    box.stop()


@pytest.fixture
def outbox(engine: QIEngine, mailbox: Mailbox) -> Iterator[Outbox]:
    settings = Settings(
        store=engine.settings.store, smtp_host="127.0.0.1", smtp_port=mailbox.port, smtp_starttls=False
    )
    made = Outbox(engine, SmtpSender(settings), SITE)
    yield made
    made.close()
