"""Sealing the personal values a store holds in plain text from before sealing existed.

A store written by an engine older than sealing (engine.personal_data) holds names,
emails and licence numbers in plain text in its events and snapshots, where no erasure
can reach them. This rewrites each such stored row once, with every personal value
sealed under its person's key exactly as the mapper seals new events (engine.sealing):
after it, the store is as if it had been sealed from the start. A value of a person
already erased is not sealed but replaced by its mark's erased value, so erasures
recorded before sealing take effect too.

It is the one place where stored events change: the audit chain, which hashes the
stored bytes, must be re-chained over them and the read models (which hold plain copies)
rebuilt. `qi keys seal-stored` does all of it and records who did it and why
(aggregates.stored_sealing). What left the engine before, through the feed or Kafka, is
beyond its reach.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.utils import resolve_topic

from aggregates.base import Actor, QISnapshot
from aggregates.stored_sealing import StoredSealing
from engine.application import QIEngine
from engine.readstore import ReadStore
from engine.sealing import fields_of, holds_plain, seal_state
from engine.settings import Settings

PAGE = 500


@dataclass
class PlainValues:
    """The stored rows found with personal values in plain text, by event type."""

    events: Counter[str] = field(default_factory=Counter)
    snapshots: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.events.values()) + sum(self.snapshots.values())

    def describe(self, verb: str = "hold") -> str:
        if not self.count:
            return "no stored event or snapshot holds a personal value in plain text"
        kinds = (self.events + self.snapshots).most_common()
        listed = ", ".join(f"{name} {n:,}" for name, n in kinds)
        return (
            f"{sum(self.events.values()):,} event(s) and {sum(self.snapshots.values()):,} snapshot(s) "
            f"{verb} personal values in plain text ({listed})"
        )


@dataclass(frozen=True)
class _Row:
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


def find_plain(engine: QIEngine) -> PlainValues:
    """What `seal_stored` would rewrite; nothing is changed."""
    return _walk(engine, write=False)


def seal_stored(engine: QIEngine) -> PlainValues:
    """Seal every personal value stored in plain text, in place, a page of rows per
    transaction (run it with no engine serving the store). What was rewritten is returned;
    running it again finds nothing."""
    return _walk(engine, write=True)


def _walk(engine: QIEngine, write: bool) -> PlainValues:
    found = PlainValues()
    store = ReadStore(engine.settings)
    try:
        for table, counter, rows in (
            (tables(engine)[0], found.events, _events(engine)),
            (tables(engine)[1], found.snapshots, _snapshots(engine, store)),
        ):
            page: list[tuple[bytes, str, int]] = []
            for row in rows:
                found_plain = _sealed(engine, row)
                if found_plain is None:
                    continue
                what, sealed = found_plain
                counter[what] += 1
                page.append((sealed, _id(engine, row.originator_id), row.originator_version))
                if write and len(page) >= PAGE:
                    _update(store, table, page)
                    page = []
            if write and page:
                _update(store, table, page)
    finally:
        store.close()
    return found


def record_sealing(engine: QIEngine, actor: Actor, reason: str, sealed: PlainValues) -> None:
    """Store the StoredValuesSealed event: who sealed how many rows, and why."""
    events, snapshots = sum(sealed.events.values()), sum(sealed.snapshots.values())
    engine.save(StoredSealing.record(engine.context(actor), reason, events, snapshots))


def tables(engine: QIEngine) -> tuple[str, str]:
    """The store's tables of events and of snapshots (eventsourcing names them per store)."""
    assert engine.snapshots is not None  # the engine always snapshots
    return engine.recorder.events_table_name, engine.snapshots.recorder.events_table_name  # type: ignore[attr-defined]


def compact(settings: Settings, event_tables: tuple[str, str]) -> None:
    """Rewrite the store's files so the space the plain rows and the old read models held
    keeps none of their bytes: VACUUM of both SQLite files (after a checkpoint of their
    write-ahead logs), VACUUM FULL of the event tables on PostgreSQL (the read models were
    dropped and made again by their rebuild). Backups taken before still hold them."""
    if settings.uses_postgres:
        import psycopg

        with psycopg.connect(settings.store, autocommit=True) as db:
            db.execute(f"VACUUM FULL {', '.join(event_tables)}")
        return
    for file in dict.fromkeys((settings.store, settings.read_models_store)):
        db = sqlite3.connect(file, isolation_level=None)
        try:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.execute("VACUUM")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()


def _sealed(engine: QIEngine, row: _Row) -> tuple[str, bytes] | None:
    """What the row is (an event's type, or "Kind snapshot"), and its state with its plain
    personal values sealed; None if it has none."""
    try:
        cls = resolve_topic(row.topic)
    except Exception:  # a topic no class answers to any more holds nothing this engine marks
        return None
    state = orjson.loads(row.state)
    fields = fields_of(cls, state)
    if not fields or not holds_plain(state, fields):
        return None
    at = datetime.fromisoformat(str(state["timestamp"]))
    seal_state(state, fields, row.originator_id, at, engine.sealer)
    what = cls.__name__
    if issubclass(cls, QISnapshot):
        what = f"{str(state['topic']).rpartition(':')[2]} snapshot"
    return what, engine.mapper.transcoder.encode(state)


def _events(engine: QIEngine) -> Iterator[_Row]:
    start = 1
    while True:
        page = engine.recorder.select_notifications(start=start, limit=PAGE)
        if not page:
            return
        for n in page:
            yield _Row(n.originator_id, n.originator_version, n.topic, n.state)
        start = page[-1].id + 1


def _snapshots(engine: QIEngine, store: ReadStore) -> Iterator[_Row]:
    with store.transaction() as tx:
        rows = tx.fetchall(f"SELECT originator_id, originator_version, topic, state FROM {tables(engine)[1]}")
    for originator_id, version, topic, state in rows:
        yield _Row(UUID(str(originator_id)), int(version), topic, bytes(state))


def _update(store: ReadStore, table: str, page: list[tuple[bytes, str, int]]) -> None:
    with store.transaction(write=True) as tx:
        tx.executemany(
            f"UPDATE {table} SET state = ? WHERE originator_id = ? AND originator_version = ?", page
        )


def _id(engine: QIEngine, originator_id: UUID) -> Any:
    """The originator id as the store's column holds it (hex text on SQLite, uuid on PostgreSQL)."""
    return originator_id if engine.settings.uses_postgres else originator_id.hex
