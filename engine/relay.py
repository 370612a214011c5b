"""The relay runner: follows the notification log from its tracked position and hands
every event, in log order and in pages, to a `Publisher` (in production the Kafka
one in adapters.kafka: one topic, key the collaborative id).

Delivery is at-least-once. A page's position is recorded only after the publisher
returned, which it does once every event of it is acknowledged (on Kafka: `acks=all`,
flush, each future resolved); any failure closes the publisher's connection, waits
with exponential backoff and sends again from the recorded position. An outage
therefore delays events and may repeat the last page, but never skips one;
consumers deduplicate by `ce_id`.

One relay per topic is active at a time: it holds a leader lock (engine.leader_locks)
for as long as it runs, so extra replicas wait as hot standbys instead of sending
everything twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from engine.application import QIEngine
from engine.feed import FeedEvent, read_feed
from engine.leader_locks import LeaderLock, leader_lock
from engine.log_position import LogPosition
from engine.readstore import ReadStore

log = logging.getLogger("qi.relay")
VERSION = 1
FIRST_BACKOFF = 0.5


class Publisher(Protocol):
    """Where the relay delivers: Kafka in production (adapters.kafka), anything in a test."""

    def publish(self, events: Sequence[FeedEvent]) -> None:
        """Deliver every event of the page, in order; return only once all are acknowledged,
        raise otherwise (the relay then retries the page from its recorded position)."""

    def close(self) -> None:
        """Let go of the connection; the next `publish` opens a fresh one."""


@dataclass
class RelayStatus:
    position: int
    head: int
    delivered: int  # by this relay since it started
    failures: int  # consecutive failed attempts; 0 once delivering again
    last_error: str | None

    @property
    def lag(self) -> int:
        """Positions not yet delivered (an upper bound: log ids may skip numbers)."""
        return max(self.head - self.position, 0)


class Relay:
    """Delivers the log to one publisher, page by page, from its recorded position."""

    def __init__(
        self,
        engine: QIEngine,
        publisher: Publisher,
        store: ReadStore | None = None,
        lock: LeaderLock | None = None,
    ) -> None:
        settings = engine.settings
        self.engine = engine
        self._own_store = store is None
        store = store or ReadStore(settings)
        self.store = store
        self.topic = settings.kafka_topic
        self.batch_size = settings.relay_batch
        self.backoff_max = settings.relay_backoff_max
        self.position = LogPosition(store, f"relay:{self.topic}")
        self.position.prepare()
        self.lock = lock or leader_lock(settings, self.position.name)
        self.publisher = publisher
        self.delivered = 0
        self.failures = 0
        self.last_error: str | None = None

    def acquire(self, stop: threading.Event, poll: float = 1.0) -> bool:
        """Wait until this relay is the active one (False if stopped first)."""
        standing_by = False
        while not stop.is_set():
            if self.lock.try_acquire():
                return True
            if not standing_by:
                log.info("another relay to %s is active; standing by", self.topic)
                standing_by = True
            stop.wait(poll)
        return False

    def run_batch(self) -> int:
        """Publish the next batch and record its position once acknowledged; returns its size."""
        batch = read_feed(self.engine, self.position.get(), self.batch_size)
        if batch:
            self.publisher.publish(batch)
            self._record(batch[-1].position)
            self.delivered += len(batch)
            log.debug("relayed %d events to %s up to position %d", len(batch), self.topic, batch[-1].position)
        return len(batch)

    def catch_up(self) -> int:
        total = 0
        while sent := self.run_batch():
            total += sent
        return total

    def follow(self, stop: threading.Event, interval: float = 0.2) -> None:
        """Relay until `stop` is set: poll when idle, back off while the broker fails."""
        while not stop.is_set():
            try:
                sent = self.catch_up()
            except Exception as error:  # broker, network or database: wait and retry, never skip
                stop.wait(self._failed(error))
                continue
            self._recovered()
            if not sent:
                stop.wait(interval)

    def run(self, stop: threading.Event, interval: float = 0.2) -> None:
        """Wait to be the active relay, follow until stopped, then let go."""
        try:
            if self.acquire(stop):
                self.follow(stop, interval)
        finally:
            self.close()

    def status(self) -> RelayStatus:
        head = self.engine.recorder.max_notification_id() or 0
        return RelayStatus(self.position.get(), head, self.delivered, self.failures, self.last_error)

    def close(self) -> None:
        self._discard_connection()
        self.lock.release()
        if self._own_store:
            self.store.close()

    def _record(self, position: int) -> None:
        self.position.save(position)

    def _failed(self, error: Exception) -> float:
        self._discard_connection()
        self.failures += 1
        self.last_error = f"{type(error).__name__}: {error}"
        delay = min(FIRST_BACKOFF * 2.0 ** (self.failures - 1), self.backoff_max)
        status = self.status()
        log.warning(
            "relay to %s failed (%s); %d events waiting after position %d; retrying in %.1f s",
            self.topic, self.last_error, status.lag, status.position, delay,
        )  # fmt: skip
        return delay

    def _recovered(self) -> None:
        if self.failures:
            log.info("relay to %s delivering again after %d failed attempts", self.topic, self.failures)
            self.failures = 0

    def _discard_connection(self) -> None:
        # A failed client may hold expired batches or a fenced producer id: start afresh.
        try:
            self.publisher.close()
        except Exception:  # closing a broken client must not hide the original failure
            log.debug("closing the publisher failed", exc_info=True)


def run_in_thread(relay: Relay) -> Callable[[], None]:
    """Follow the log in a daemon thread of this process; returns the function that stops it."""
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), name="qi-relay", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(timeout=relay.engine.settings.kafka_send_timeout + 5)

    return halt
