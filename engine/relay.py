"""The Kafka relay: follows the notification log from its tracked position and
publishes every event, in log order, to one topic (key: the collaborative id).

Delivery is at-least-once. A batch's position is recorded only after the broker
acknowledged every record of it (`acks=all`, flush, each future resolved); any
failure discards the producer, waits with exponential backoff and sends again
from the recorded position. An outage therefore delays events and may repeat
the last batch, but never skips one; consumers deduplicate by `ce_id`.

One relay per topic is active at a time: it holds a PostgreSQL advisory lock
(SQLite: a file lock) for as long as it runs, so extra replicas wait as hot
standbys instead of sending everything twice.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from engine.application import QIEngine
from engine.feed import FeedEvent, kafka_headers, kafka_value, read_feed
from engine.projection_runner import POSITIONS, POSITIONS_DDL
from engine.readstore import ReadStore
from engine.schema_lock import schema_lock
from engine.settings import Settings

log = logging.getLogger("qi.relay")
VERSION = 1
FIRST_BACKOFF = 0.5


class Producer(Protocol):
    def send(self, topic: str, value: bytes, key: bytes, headers: list[tuple[str, bytes]]) -> Any: ...
    def flush(self, timeout: float | None = None) -> None: ...
    def close(self, timeout: float | None = None) -> None: ...


ProducerFactory = Callable[[], Producer]


def kafka_producer_factory(settings: Settings) -> ProducerFactory:
    """Makes producers for `settings`; no client exists until the relay asks for one."""

    def create() -> Producer:
        from kafka import KafkaProducer  # type: ignore[import-untyped]

        ensure_topic(settings)
        timeout_ms = int(settings.kafka_send_timeout * 1000)
        producer: Producer = KafkaProducer(
            **_client_config(settings),
            acks="all",
            # Idempotence stays at kafka-python's default: on where the broker supports it,
            # quietly off where it does not. One request in flight means a retried batch
            # can never overtake the next one, with or without idempotence.
            max_in_flight_requests_per_connection=1,
            linger_ms=5,
            # Room for a whole relay batch per partition: kafka-python wakes its sender
            # (a socket write) whenever a record batch fills, which at the 16 KiB default
            # happened every few events and capped the relay near 2,500 events/s.
            batch_size=1024 * 1024,
            max_request_size=4 * 1024 * 1024,
            delivery_timeout_ms=timeout_ms + 10,
            max_block_ms=timeout_ms,
        )
        return producer

    return create


def ensure_topic(settings: Settings) -> None:
    """Create the topic with the configured partitions unless it exists."""
    from kafka.admin import KafkaAdminClient, NewTopic  # type: ignore[import-untyped]
    from kafka.errors import TopicAlreadyExistsError  # type: ignore[import-untyped]

    admin = KafkaAdminClient(**_client_config(settings))
    try:
        if settings.kafka_topic not in admin.list_topics():
            topic = NewTopic(settings.kafka_topic, settings.kafka_partitions, settings.kafka_replication)
            admin.create_topics([topic])
    except TopicAlreadyExistsError:
        pass  # another relay created it a moment ago
    finally:
        admin.close()


def _client_config(settings: Settings) -> dict[str, Any]:
    assert settings.kafka_bootstrap, "Kafka is off: set QI_KAFKA_BOOTSTRAP"
    timeout_ms = int(settings.kafka_send_timeout * 1000)
    return {
        "bootstrap_servers": [s.strip() for s in settings.kafka_bootstrap.split(",") if s.strip()],
        "client_id": "qi-relay",
        "request_timeout_ms": timeout_ms,
        "bootstrap_timeout_ms": timeout_ms,
        # The relay paces its own retries; the client should reconnect as soon as it is asked.
        "reconnect_backoff_max_ms": 1000,
    }


class RelayPosition:
    """The relay's row in qi_projection_positions; it only ever moves forward."""

    def __init__(self, store: ReadStore, name: str) -> None:
        self.store = store
        self.name = name

    def prepare(self) -> None:
        with schema_lock(self.store.settings), self.store.transaction(write=True) as tx:
            tx.execute(POSITIONS_DDL)
            tx.execute(
                f"INSERT INTO {POSITIONS} (name, position, version) VALUES (?, 0, ?) "
                "ON CONFLICT (name) DO NOTHING",
                (self.name, VERSION),
            )

    def get(self) -> int:
        with self.store.transaction() as tx:
            row = tx.fetchone(f"SELECT position FROM {POSITIONS} WHERE name = ?", (self.name,))
        return int(row[0]) if row else 0

    def save(self, position: int) -> None:
        with self.store.transaction(write=True) as tx:
            tx.execute(
                f"UPDATE {POSITIONS} SET position = ? WHERE name = ? AND position < ?",
                (position, self.name, position),
            )


class LeaderLock(Protocol):
    def try_acquire(self) -> bool: ...
    def release(self) -> None: ...


class FileLock:
    """SQLite: an exclusive lock on a file beside the store, released when the process ends."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._file: Any = None

    def try_acquire(self) -> bool:
        if self._file is None:
            handle = open(self.path, "a+")  # noqa: SIM115  (held open for as long as the lock)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                return False
            self._file = handle
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class AdvisoryLock:
    """PostgreSQL: a session advisory lock on a connection of its own, released if the relay dies."""

    def __init__(self, url: str, key: str) -> None:
        self.url = url.replace("postgres://", "postgresql://", 1)
        self.key = key
        self._connection: Any = None

    def try_acquire(self) -> bool:
        import psycopg

        if self._connection is None:
            connection = psycopg.connect(self.url, autocommit=True)
            row = connection.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (self.key,)).fetchone()
            if not (row and row[0]):
                connection.close()
                return False
            self._connection = connection
        return True

    def release(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def leader_lock(settings: Settings, name: str) -> LeaderLock:
    if settings.uses_postgres:
        return AdvisoryLock(settings.store, f"qi:{name}")
    return FileLock(f"{settings.store}.{name.replace(':', '-')}.lock")


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
    def __init__(
        self,
        engine: QIEngine,
        producer_factory: ProducerFactory,
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
        self.send_timeout = settings.kafka_send_timeout
        self.backoff_max = settings.relay_backoff_max
        self.position = RelayPosition(store, f"relay:{self.topic}")
        self.position.prepare()
        self.lock = lock or leader_lock(settings, self.position.name)
        self._factory = producer_factory
        self._producer: Producer | None = None
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
            self._publish(batch)
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
        self._discard_producer()
        self.lock.release()
        if self._own_store:
            self.store.close()

    def _publish(self, batch: Sequence[FeedEvent]) -> None:
        producer = self._producer or self._connect()
        futures = [
            producer.send(
                self.topic, value=kafka_value(e), key=e.partitionkey.encode(), headers=kafka_headers(e)
            )
            for e in batch
        ]
        producer.flush(timeout=self.send_timeout + 1)
        for future in futures:
            future.get(timeout=0)  # raises the broker's error for any record not acknowledged

    def _record(self, position: int) -> None:
        self.position.save(position)

    def _connect(self) -> Producer:
        self._producer = self._factory()
        return self._producer

    def _failed(self, error: Exception) -> float:
        self._discard_producer()
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

    def _discard_producer(self) -> None:
        # A failed producer may hold expired batches or a fenced producer id: start afresh.
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.close(timeout=0)
            except Exception:  # closing a broken client must not hide the original failure
                log.debug("closing the Kafka producer failed", exc_info=True)


def start_inprocess(engine: QIEngine) -> Callable[[], None] | None:
    """Start the relay in a thread of this process when Kafka is configured and QI_RELAY=inprocess;
    returns the function that stops it."""
    settings = engine.settings
    if not settings.kafka_bootstrap or settings.relay != "inprocess":
        return None
    relay = Relay(engine, kafka_producer_factory(settings))
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), name="qi-relay", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(timeout=settings.kafka_send_timeout + 5)

    return halt
