"""A person's data keys are written in the transaction of the first events sealed under
them: a registration is one write, a failed write leaves no key behind, and a key another
process made meanwhile fails the transaction instead of being replaced. On both stores."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from aggregates.base import Actor, CommandContext, Role
from aggregates.participant import Participant, PersonDetails
from aggregates.personal import Keep
from engine.application import QIEngine
from engine.commands.activity import RegisterParticipant
from engine.personal_data import DataKeys, key_id

AT = datetime(2026, 12, 1, tzinfo=UTC)
STAFF = Actor(id="staff-1", role=Role.STAFF)


def _key_rows(engine: QIEngine, subject: object) -> int:
    return len(engine.data_keys.rows(subject))  # type: ignore[arg-type]


def _details() -> PersonDetails:
    return PersonDetails(name="Dana Reyes", email="dana@example.org")


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> QIEngine:
    return request.getfixturevalue(f"{request.param}_engine")


def test_registering_a_person_stores_their_keys_with_their_events_in_one_write(engine: QIEngine) -> None:
    transactions = []
    original = engine.data_keys.store.transaction

    def counted(write: bool = False):  # type: ignore[no-untyped-def]
        transactions.append(write)
        return original(write)

    engine.data_keys.store.transaction = counted  # type: ignore[method-assign]
    person = engine.execute(RegisterParticipant(details=_details()), engine.context(STAFF)).id

    assert True not in transactions  # no write transaction of the keys' own
    assert {row.keep for row in engine.data_keys.rows(person)} == set(Keep)
    other = QIEngine(engine.settings)  # another process, no key in memory
    try:
        assert other.participant(person).state.details.name == "Dana Reyes"
    finally:
        other.close()


def test_a_write_that_fails_leaves_no_key_behind_and_keeps_none_in_memory(engine: QIEngine) -> None:
    person = uuid4()
    ctx = CommandContext(actor=STAFF, command_id="c-1", at=AT)
    first = Participant.register(ctx, person, _details())
    engine.save(first)
    clash = Participant.register(ctx, person, _details())  # version 1 again
    again = uuid4()
    brand_new = Participant.register(ctx, again, _details())

    with pytest.raises(IntegrityError):
        engine._save_sealed(brand_new, clash)

    assert _key_rows(engine, again) == 0
    assert engine.data_keys._in_memory(key_id(again, Keep.AT_ONCE)) is None


def test_a_key_another_process_made_meanwhile_fails_the_transaction_and_is_then_used(
    engine: QIEngine,
) -> None:
    subject = uuid4()
    elsewhere = DataKeys(engine.settings)
    try:
        with pytest.raises(IntegrityError), engine.data_keys.deferred():
            mine = engine.data_keys.key_for(subject, Keep.AT_ONCE, AT)  # none stored: made, pending
            theirs = elsewhere.key_for(subject, Keep.AT_ONCE, AT)  # the other process stores its own
            engine.recorder.insert_events([])  # the pending key goes in with the events: refused

        assert mine is not None and theirs is not None and mine[1] != theirs[1]
        assert engine.data_keys.key_for(subject, Keep.AT_ONCE, AT) == theirs
    finally:
        elsewhere.close()
