"""Erasure: destroying the data keys of people whose personal data was erased.

The erasure itself is an event (`PersonalDataErased`, by `ErasePerson`); what makes it
true everywhere is destroying the person's key (engine.personal_data), since every copy
of their data, in the events, the snapshots, the read models, the feed and Kafka, is
sealed under it. The engine does that at once after storing an erasure, and this
follower does it again from the log on every round (`sweep`), so an erasure stored just
before a crash is never left half done. The key that seals what a CE record keeps (name
and licences) is held, openable by CE records only, until the retention period ends;
the round that finds it due records `RetainedDataErased` and destroys it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.utils import get_topic

from aggregates.accounts import account_id
from aggregates.base import Actor, CommandContext, Role
from aggregates.participant import PersonalDataErased
from aggregates.personal import Keep
from engine.log_position import LogPosition
from engine.personal_data import DataKeys
from engine.readstore import ReadStore
from engine.settings import Settings

log = logging.getLogger(__name__)
SWEEPER = Actor(id="erasure-sweep", role=Role.SYSTEM)
PAGE = 1000


class Engine(Protocol):
    """What the sweep uses of the engine (QIEngine is one)."""

    settings: Settings
    recorder: Any
    read_mapper: Any
    data_keys: DataKeys
    accounts: Any

    def clock(self) -> datetime: ...
    def context(self, actor: Actor, command_id: str | None = None) -> CommandContext: ...
    def execute(self, command: Any, ctx: CommandContext, expected_version: int | None = None) -> Any: ...


class Erasures:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._store: ReadStore | None = None
        self._position: LogPosition | None = None
        self._lock = threading.Lock()

    def _follower(self) -> LogPosition:
        if self._position is None:
            self._store = self._store or ReadStore(
                self.engine.settings
            )  # beside the events: it cannot be rebuilt
            position = LogPosition(self._store, "erasures")
            position.prepare()
            self._position = position  # kept only once its row exists: else the next round prepares again
        return self._position

    def apply_stored(self) -> list[UUID]:
        """Destroy the keys of every erasure stored since the last round; the people erased."""
        with self._lock:
            position = self._follower()
            recorder, mapper = self.engine.recorder, self.engine.read_mapper
            erased: list[UUID] = []
            after = position.get()
            topics = [get_topic(PersonalDataErased)]
            while page := recorder.select_notifications(after, PAGE, topics=topics, inclusive_of_start=False):
                for notification in page:
                    event = mapper.to_domain_event(notification)
                    assert isinstance(event, PersonalDataErased)
                    self.destroy(event.originator_id, event)
                    erased.append(event.originator_id)
                after = page[-1].id
            if erased:  # the last erasure seen, never the head: one stored meanwhile is not skipped
                position.save(after)
            return erased

    def destroy(self, participant_id: UUID, event: PersonalDataErased) -> None:
        """The person's key for what goes at once is destroyed; the CE record's is held until
        the retention period ends, for CE records only."""
        keys = self.engine.data_keys
        keys.erase(participant_id, Keep.AT_ONCE, event.timestamp)
        keys.schedule(participant_id, Keep.CE_RECORD, event.retained_until, event.timestamp)
        self.engine.accounts.passwords.forget(account_id(participant_id))  # their account is disabled

    def end_retentions(self) -> list[UUID]:
        """Erase what CE records kept of the people whose retention period has ended."""
        from engine.commands.activity import EndRetention

        now = self.engine.clock()
        ended = []
        for row in self.engine.data_keys.due(now):
            self.engine.execute(EndRetention(participant_id=row.subject_id), self.engine.context(SWEEPER))
            self.engine.data_keys.erase(row.subject_id, row.keep, now)
            ended.append(row.subject_id)
        return ended

    def sweep(self) -> tuple[list[UUID], list[UUID]]:
        """One round: the erasures stored since the last, then the retention periods ended."""
        return self.apply_stored(), self.end_retentions()

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = self._position = None


def start_inprocess(engine: Any, interval: float) -> Callable[[], None]:
    """Sweep every `interval` seconds on a thread; returns what stops it."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(interval):
            try:
                engine.erasures.sweep()
            except Exception:  # an outage: the next round tries again
                log.exception("the erasure sweep failed; it tries again in %s s", interval)

    thread = threading.Thread(target=run, name="qi-erasures", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(10)

    return halt
