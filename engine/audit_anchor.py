"""Where digests are kept and sent: the table of recorded digests (what `qi rebuild
audit` checks against), the API process's periodic recorder, and the sink it sends
each digest to (the Kafka one is adapters/kafka/digests.py).

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
from typing import Protocol
from weakref import WeakKeyDictionary

from engine.application import QIEngine
from engine.audit_digest import AuditDigest, head_of, sign, signature_problem
from engine.audit_key import SigningKey, signing_key
from engine.errors import NotConfigured
from engine.leader_locks import LeaderLock, leader_lock
from engine.readstore import ReadStore
from projections.audit import START, ChainHead

log = logging.getLogger("qi.audit")
TABLE = "qi_audit_digests"
DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (position BIGINT PRIMARY KEY, key_id TEXT NOT NULL, "
    "at TEXT NOT NULL, document TEXT NOT NULL)"
)


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


class DigestSink(Protocol):
    """Where recorded digests are sent: the Kafka topic in production (adapters.kafka)."""

    def publish(self, digest: AuditDigest) -> None:
        """Send `digest`; return once it is acknowledged, raise otherwise."""

    def close(self) -> None:
        """Let go of the connection; the next `publish` opens a fresh one."""


class DigestRecorder:
    """Every interval, records a digest when the head moved and publishes the last one not yet sent.
    One recorder per store is active (the relay's leader lock); the others stand by."""

    def __init__(
        self, engine: QIEngine, key: SigningKey, publisher: DigestSink | None, lock: LeaderLock
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
                        self.publisher.close()
        finally:
            self.close()

    def close(self) -> None:
        if self.publisher is not None:
            self.publisher.close()
        self.lock.release()
        if self.store is not None:
            self.store.close()


def start_inprocess(engine: QIEngine, publisher: DigestSink | None) -> Callable[[], None] | None:
    """Record digests in a thread of this process when QI_AUDIT_KEY is set (else log why not,
    once); send each to `publisher` when there is one. Returns the function that stops it."""
    settings = engine.settings
    try:
        key = signing_key(settings.audit_key)
    except NotConfigured as error:
        log.warning("the server records no audit digests: %s", error.message)
        return None
    recorder = DigestRecorder(engine, key, publisher, leader_lock(settings, "audit-digests"))
    stop = threading.Event()
    args = (stop, settings.audit_digest_interval)
    thread = threading.Thread(target=recorder.run, args=args, name="qi-audit-digests", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(timeout=settings.kafka_send_timeout + 5)

    return halt
