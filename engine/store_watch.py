"""Fail fast while PostgreSQL is down.

eventsourcing retries an unreachable PostgreSQL for seconds (ten attempts, each waiting
up to QI_POSTGRES_CONNECT_TIMEOUT for a connection). One request may wait that out; the
ones queued behind it (on a command's turn, or on a cached aggregate's fast-forward lock)
should not each wait it out again. Once a read or a command has found the database
unreachable, everything fails at once for a moment (`UNREACHABLE_FOR`); the next try
after that asks the database again. The HTTP layer answers these failures 503.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import AggregateRecorder, EventStore, InterfaceError, Mapper, OperationalError

UNREACHABLE_FOR = 1.0  # seconds


class StoreWatch:
    """When PostgreSQL last failed to answer (SQLite is never 'unreachable': a locked
    file is busy for one request, not down for all)."""

    def __init__(self, active: bool) -> None:
        self.active = active
        self.failed_at = -UNREACHABLE_FOR

    def check(self) -> None:
        if self.active and time.monotonic() - self.failed_at < UNREACHABLE_FOR:
            raise OperationalError("the event store did not answer a moment ago; try again shortly")

    def failed(self) -> None:
        if self.active:
            self.failed_at = time.monotonic()


class WatchedEventStore(EventStore[UUID]):
    """The library's event store, failing fast while the watch says the database is down.
    Guarding here (not in the repository) also covers a read that waited on a cached
    aggregate's fast-forward lock while another thread met the outage."""

    def __init__(self, watch: StoreWatch, mapper: Mapper[UUID], recorder: AggregateRecorder) -> None:
        super().__init__(mapper=mapper, recorder=recorder)
        self.watch = watch

    def put(self, domain_events: Sequence[Any], **kwargs: Any) -> Any:
        self.watch.check()
        try:
            return super().put(domain_events, **kwargs)
        except (OperationalError, InterfaceError):
            self.watch.failed()
            raise

    def get(self, originator_id: UUID, **kwargs: Any) -> Iterator[Any]:
        self.watch.check()
        try:
            # Materialised here, so a failure while reading is seen (and noted) here.
            return iter(list(super().get(originator_id, **kwargs)))
        except (OperationalError, InterfaceError):
            self.watch.failed()
            raise
