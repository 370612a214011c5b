"""Where digests are kept and sent: the table of recorded digests (what `qi rebuild
audit` checks against), the API process's periodic recorder, and its Kafka copy.

The table sits in the database, so it proves nothing alone; it is a convenience
for the engine. The proof is a digest held elsewhere: the Kafka topic
QI_AUDIT_DIGEST_TOPIC (one record per digest, CloudEvents type
`org.qi.AuditDigest`, key the signing key's id), or a file from `qi audit digest`.
A new digest continues the chain from the last recorded one this key signed, so
editing history below it cannot launder the next digest.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from weakref import WeakKeyDictionary

from engine.application import QIEngine
from engine.audit_digest import AuditDigest, head_of, sign, signature_problem
from engine.audit_key import SigningKey, signing_key
from engine.errors import NotConfigured
from engine.feed import CONTENT_TYPE, SPECVERSION
from engine.readstore import ReadStore
from engine.relay import LeaderLock, Producer, ProducerFactory, kafka_producer_factory, leader_lock
from engine.settings import Settings
from projections.audit import START, ChainHead

log = logging.getLogger("qi.audit")
TABLE = "qi_audit_digests"
DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (position BIGINT PRIMARY KEY, key_id TEXT NOT NULL, "
    "at TEXT NOT NULL, document TEXT NOT NULL)"
)
CE_TYPE = "org.qi.AuditDigest"


class DigestLog:
    """The recorded digests, one per position (the latest signature of it wins)."""

    def __init__(self, store: ReadStore) -> None:
        self.store = store
        with store.transaction(write=True) as tx:
            tx.execute(DDL)

    def record(self, digest: AuditDigest) -> None:
        with self.store.transaction(write=True) as tx:
            tx.execute(
                f"INSERT INTO {TABLE} (position, key_id, at, document) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (position) DO UPDATE SET key_id = excluded.key_id, at = excluded.at, "
                "document = excluded.document",
                (digest.position, digest.key_id, digest.at, digest.model_dump_json()),
            )

    def last(self) -> AuditDigest | None:
        """The digest of the highest position recorded, if any."""
        with self.store.transaction() as tx:
            row = tx.fetchone(f"SELECT document FROM {TABLE} ORDER BY position DESC LIMIT 1")
        return AuditDigest.model_validate_json(row[0]) if row else None

    def count(self) -> int:
        with self.store.transaction() as tx:
            row = tx.fetchone(f"SELECT COUNT(*) FROM {TABLE}")
        return int(row[0]) if row else 0


_LOGS: WeakKeyDictionary[ReadStore, DigestLog] = WeakKeyDictionary()


def digest_log(store: ReadStore) -> DigestLog:
    """The digest log over `store`, its table created on first use only."""
    found = _LOGS.get(store)
    if found is None:
        found = _LOGS[store] = DigestLog(store)
    return found


def _resume_from(last: AuditDigest | None, key: SigningKey) -> ChainHead | None:
    """Where the chain may continue: the last digest when this key signed it; None to start over."""
    if last is None or signature_problem(last, key.verifying) is not None:
        return None
    return last.head


def current_digest(engine: QIEngine, digests: DigestLog, key: SigningKey) -> AuditDigest:
    """The signed head of the chain now, without recording it."""
    start = _resume_from(digests.last(), key) or START
    return sign(head_of(engine, start), engine.clock(), key)


def record_digest(
    engine: QIEngine, digests: DigestLog, key: SigningKey, afresh: bool = False
) -> AuditDigest | None:
    """Record the digest of the head when it moved past the last one (None when it did not).
    `afresh` recomputes from the first event: after an override re-chained history."""
    start = None if afresh else _resume_from(digests.last(), key)
    if start is not None and start.position >= (engine.recorder.max_notification_id() or 0):
        return None
    digest = sign(head_of(engine, start or START), engine.clock(), key)
    digests.record(digest)
    return digest


def take_digest(engine: QIEngine, digests: DigestLog, key: SigningKey) -> AuditDigest:
    """The digest of the head now, recorded (or the last recorded one, which covers it)."""
    recorded = record_digest(engine, digests, key)
    last = recorded or digests.last()
    assert last is not None, "record_digest records unless a digest of this key covers the head"
    return last


class DigestPublisher:
    """Sends each recorded digest to QI_AUDIT_DIGEST_TOPIC, acknowledged by every replica."""

    def __init__(self, settings: Settings, factory: ProducerFactory | None = None) -> None:
        self.topic = settings.audit_digest_topic
        self.source = settings.event_source
        self.timeout = settings.kafka_send_timeout
        digests_topic = {"kafka_topic": self.topic, "kafka_partitions": 1}
        self._factory = factory or kafka_producer_factory(settings.model_copy(update=digests_topic))
        self._producer: Producer | None = None

    def publish(self, digest: AuditDigest) -> None:
        producer = self._producer = self._producer or self._factory()
        future = producer.send(
            self.topic, value=digest.model_dump_json().encode(), key=digest.key_id.encode(),
            headers=_headers(digest, self.source),
        )  # fmt: skip
        producer.flush(timeout=self.timeout + 1)
        future.get(timeout=0)

    def discard(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.close(timeout=0)


def _headers(digest: AuditDigest, source: str) -> list[tuple[str, bytes]]:
    attributes = {
        "ce_specversion": SPECVERSION,
        "ce_id": f"audit-digest:{digest.key_id}:{digest.position}",
        "ce_source": source,
        "ce_type": CE_TYPE,
        "ce_time": digest.at,
        "content-type": CONTENT_TYPE,
    }
    return [(name, value.encode()) for name, value in attributes.items()]


class DigestRecorder:
    """Every interval, records a digest when the head moved and publishes the last one not yet sent.
    One recorder per store is active (the relay's leader lock); the others stand by."""

    def __init__(
        self, engine: QIEngine, key: SigningKey, publisher: DigestPublisher | None, lock: LeaderLock
    ) -> None:
        self.engine = engine
        self.key = key
        self.publisher = publisher
        self.lock = lock
        self.store: ReadStore | None = None  # made on the first round: a short-lived app costs nothing
        self.published = -1

    def tick(self) -> AuditDigest | None:
        """One round: the digest recorded now, if any."""
        if not self.lock.try_acquire():
            return None
        self.store = self.store or ReadStore(self.engine.settings)
        digests = digest_log(self.store)
        recorded = record_digest(self.engine, digests, self.key)
        last = recorded or digests.last()
        if self.publisher is not None and last is not None and last.position > self.published:
            self.publisher.publish(last)
            self.published = last.position
        return recorded

    def run(self, stop: threading.Event, interval: float) -> None:
        """Tick every `interval` seconds until stopped; a failure is logged and retried next time."""
        try:
            while not stop.wait(interval):
                try:
                    self.tick()
                except Exception:  # database or broker: the next round tries again
                    log.warning("recording or publishing the audit digest failed", exc_info=True)
                    if self.publisher is not None:
                        self.publisher.discard()
        finally:
            self.close()

    def close(self) -> None:
        if self.publisher is not None:
            self.publisher.discard()
        self.lock.release()
        if self.store is not None:
            self.store.close()


def start_inprocess(engine: QIEngine) -> Callable[[], None] | None:
    """Record digests in a thread of this process when QI_AUDIT_KEY is set (else log why not,
    once); publish them when Kafka is configured. Returns the function that stops it."""
    settings = engine.settings
    try:
        key = signing_key(settings.audit_key)
    except NotConfigured as error:
        log.warning("the server records no audit digests: %s", error.message)
        return None
    publisher = DigestPublisher(settings) if settings.kafka_bootstrap else None
    recorder = DigestRecorder(engine, key, publisher, leader_lock(settings, "audit-digests"))
    stop = threading.Event()
    args = (stop, settings.audit_digest_interval)
    thread = threading.Thread(target=recorder.run, args=args, name="qi-audit-digests", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(timeout=settings.kafka_send_timeout + 5)

    return halt
