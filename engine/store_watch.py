"""Fail fast while PostgreSQL is down: one watch for the event store and the HTTP API.

eventsourcing retries an unreachable PostgreSQL for seconds (ten attempts, each waiting
up to QI_POSTGRES_CONNECT_TIMEOUT for a connection). One request may wait that out; the
ones queued behind it (on a command's turn, on a cached aggregate's fast-forward lock, or
just arriving) should not each wait it out again. Once anything found the database
unreachable, everything fails at once; at most every `PROBE_EVERY` seconds one caller
asks the database directly (a bare connection, one second at most), and when it answers
everyone goes through again. The HTTP layer answers these failures 503 with Retry-After.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import AggregateRecorder, EventStore, InterfaceError, Mapper, OperationalError

PROBE_EVERY = 0.5  # seconds


class StoreUnreachable(OperationalError):
    """The event store did not answer a moment ago and has not answered since (an outage: 503)."""


class StoreWatch:
    """Whether PostgreSQL is known to be down (SQLite is never 'unreachable': a locked
    file is busy for one request, not down for all, so the watch is inactive there)."""

    def __init__(self, store: str) -> None:
        self.active = store.startswith(("postgresql://", "postgres://"))
        self.url = store.replace("postgres://", "postgresql://", 1)
        self.probed_at = -PROBE_EVERY
        self._down = False
        self._probing = threading.Lock()

    @property
    def down(self) -> bool:
        return self._down

    def failed(self) -> None:
        """Something met the outage: fail fast from now until the database answers a probe
        (the failed attempt counts as the first probe)."""
        if self.active and not self._down:
            self.probed_at = time.monotonic()
            self._down = True

    def check(self) -> None:
        """Raise StoreUnreachable while the store is known to be down; probe it when due."""
        if not self._down:
            return
        if time.monotonic() - self.probed_at >= PROBE_EVERY and self._probing.acquire(blocking=False):
            try:  # one caller probes; the others fail at once meanwhile
                self.probed_at = time.monotonic()
                self._down = not self.answers()
            finally:
                self._probing.release()
        if self._down:
            raise StoreUnreachable("the event store did not answer a moment ago; try again shortly")

    def answers(self) -> bool:
        """Whether PostgreSQL accepts a connection now."""
        try:
            psycopg.connect(self.url, connect_timeout=1).close()
        except psycopg.Error:
            return False
        return True


class WatchedEventStore(EventStore[UUID]):
    """The library's event store, failing fast while the watch says the database is down.
    Guarding here (not in the repository) also covers a read that waited on a cached
    aggregate's fast-forward lock while another thread met the outage."""

    def __init__(self, watch: StoreWatch, mapper: Mapper[UUID], recorder: AggregateRecorder) -> None:
        super().__init__(mapper=mapper, recorder=recorder)
        self.watch = watch

    def put(self, domain_events: Sequence[Any], **kwargs: Any) -> Any:
        return self._watched(lambda: super(WatchedEventStore, self).put(domain_events, **kwargs))

    def get(self, originator_id: UUID, **kwargs: Any) -> Iterator[Any]:
        # Materialised here, so a failure while reading is seen (and noted) here.
        return iter(self._watched(lambda: list(super(WatchedEventStore, self).get(originator_id, **kwargs))))

    def _watched(self, call: Callable[[], Any]) -> Any:
        self.watch.check()
        try:
            return call()
        except (OperationalError, InterfaceError):
            self.watch.failed()
            raise
