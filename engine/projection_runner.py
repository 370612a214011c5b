"""Runs projections: each follows the notification log from its own position,
and writes a batch of rows and its new position in one transaction, so a crash
or a re-delivery never double-counts.

The position row is locked first (SQLite: BEGIN IMMEDIATE; PostgreSQL: SELECT
... FOR UPDATE), so two runners of one projection serialise instead of racing.
eventsourcing's own ProjectionRunner commits once per event (~1,200 events/s on
PostgreSQL here); a 500-event page per transaction is what makes catch-up fast.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from engine import projection_failures as failures
from engine.application import QIEngine
from engine.log_position import POSITIONS, POSITIONS_DDL
from engine.readstore import ReadStore
from projections.base import Projection, Recorded, Tx, UndecodableEvent

Progress = Callable[[str, int, int], None]  # projection name, position, head
log = logging.getLogger(__name__)


class ProjectionRunner:
    def __init__(
        self, engine: QIEngine, store: ReadStore, projections: Sequence[Projection], batch_size: int = 500
    ) -> None:
        self.engine = engine
        self.store = store
        self.projections = {p.name: p for p in projections}
        self.batch_size = batch_size
        self._locks = {name: threading.Lock() for name in self.projections}
        self._prepared = False

    def prepare(self) -> None:
        """Create the tables; rebuild any projection whose version changed."""
        with self.store.transaction(write=True) as tx:
            tx.execute(POSITIONS_DDL)
            tx.execute(failures.FAILURES_DDL)
            for projection in self.projections.values():
                row = tx.fetchone(f"SELECT version FROM {POSITIONS} WHERE name = ?", (projection.name,))
                if row is None or row[0] != projection.version:
                    # Unknown or outdated: start from empty tables of the current shape.
                    _reset(tx, projection)
        self._prepared = True

    def position(self, name: str) -> int:
        with self.store.transaction() as tx:
            row = tx.fetchone(f"SELECT position FROM {POSITIONS} WHERE name = ?", (name,))
        return int(row[0]) if row else 0

    def head(self) -> int:
        return self.engine.recorder.max_notification_id() or 0

    def run_batch(self, name: str, page: Page | None = None) -> int:
        """Project the next batch of events; returns how many were processed.

        `page` is a batch already read (after some position at or before this
        projection's), so several projections can share one read and decode. A
        projection that cannot apply an event stops just before it, with the failure
        recorded (see engine.projection_failures); it processes nothing more until
        resumed or rebuilt, and never holds the others back."""
        projection = self.projections[name]
        with self._locks[name]:
            try:
                return self._apply_page(projection, page)
            except Exception as exc:
                if failures.is_outage(exc):
                    raise
                return self._apply_one_by_one(projection, page)

    def _apply_page(self, projection: Projection, page: Page | None) -> int:
        with self.store.transaction(write=True) as tx:
            if failures.failed(tx, projection.name) is not None:
                return 0
            position = _locked_position(tx, projection, self.store.dialect)
            if page is None or page.start > position:
                page = self._read_after(position)
            batch = [r for r in page.events if r.position > position]
            if batch:
                projection.apply(tx, batch)
                _save_position(tx, projection, batch[-1].position)
            if page.at_head:
                projection.settle(tx)  # reached the head: finish what the catch-up deferred
            return len(batch)

    def _apply_one_by_one(self, projection: Projection, page: Page | None) -> int:
        """After a page failed: apply its events one per transaction, so every event
        before the one that fails is kept, and that one is recorded as the failure."""
        position = self.position(projection.name)
        if page is None or page.start > position:
            page = self._read_after(position)
        applied = 0
        for recorded in (r for r in page.events if r.position > position):
            if not self._apply_alone(projection, recorded, lambda tx, r=recorded: projection.apply(tx, [r])):
                return applied
            applied += 1
        if page.at_head and page.events:
            self._apply_alone(projection, page.events[-1], projection.settle, settling=True)
        return applied

    def _apply_alone(
        self, projection: Projection, recorded: Recorded, step: Callable[[Tx], None], settling: bool = False
    ) -> bool:
        try:
            with self.store.transaction(write=True) as tx:
                step(tx)
                if not settling:
                    _save_position(tx, projection, recorded.position)
            return True
        except Exception as exc:
            if failures.is_outage(exc):
                raise
            what = "settling (after the last event)" if settling else recorded.event_type
            with self.store.transaction(write=True) as tx:
                failure = failures.record(tx, projection.name, recorded.position, what, exc)
            log.error("%s", failure.describe(), exc_info=exc)
            return False

    def failures(self) -> dict[str, failures.Failure]:
        """The read models that stopped on an event, by name."""
        with self.store.transaction() as tx:
            return failures.all_failures(tx)

    def resume(self, name: str) -> failures.Failure | None:
        """Forget a recorded failure, so the read model tries the event it stopped at again
        (after the cause was fixed); returns the failure it cleared, if any."""
        with self._locks[name], self.store.transaction(write=True) as tx:
            cleared = failures.failed(tx, name)
            failures.clear(tx, name)
        return cleared

    def catch_up(self, progress: Progress | None = None) -> dict[str, int]:
        """Run every projection until it reaches the head of the log. Projections
        share each page of events: read and decoded once, applied by each in its own
        transaction (one projection's failure never holds back another's rows). A page
        that reached the head ends it: each projection settled there, so no empty pass
        of write transactions follows."""
        if not self._prepared:
            self.prepare()
        done = dict.fromkeys(self.projections, 0)
        while positions := self._positions():
            page = self._read_after(min(positions.values()))
            processed = {name: self.run_batch(name, page) for name in positions}
            for name, count in processed.items():
                done[name] += count
                if count and progress:
                    progress(name, page.events[-1].position, self.head())
            if page.at_head or not any(processed.values()):
                break
        return done

    def rebuild(self, name: str, progress: Progress | None = None) -> int:
        """Drop a read model's rows and replay it from the first event."""
        return self.rebuild_all([name], progress)[name]

    def rebuild_all(
        self, names: Sequence[str] | None = None, progress: Progress | None = None
    ) -> dict[str, int]:
        """Drop the rows of these read models (all by default) and replay them together."""
        chosen = list(names or self.projections)
        for name in chosen:
            with self._locks[name], self.store.transaction(write=True) as tx:
                _reset(tx, self.projections[name])
        totals = dict.fromkeys(chosen, 0)
        while True:
            positions = self._positions()
            page = self._read_after(min((positions[n] for n in chosen if n in positions), default=0))
            processed = {name: self.run_batch(name, page) for name in chosen}
            for name, count in processed.items():
                totals[name] += count
                if count and progress:
                    progress(name, page.events[-1].position, self.head())
            if not any(processed.values()):
                return totals

    def _positions(self) -> dict[str, int]:
        """Where each read model that is not stopped on a failure stands."""
        with self.store.transaction() as tx:
            rows = dict(tx.fetchall(f"SELECT name, position FROM {POSITIONS}"))
            stopped = failures.all_failures(tx)
        return {name: int(rows.get(name, 0)) for name in self.projections if name not in stopped}

    def _read_after(self, position: int) -> Page:
        notifications = self.engine.recorder.select_notifications(
            position, self.batch_size, inclusive_of_start=False
        )
        events = [
            Recorded(
                position=n.id,
                originator_id=n.originator_id if isinstance(n.originator_id, UUID) else UUID(n.originator_id),
                originator_version=n.originator_version,
                topic=n.topic,
                state=n.state,
                decoded=self._decode(n),
            )
            for n in notifications
        ]
        return Page(start=position, events=events, at_head=len(events) < self.batch_size)

    def _decode(self, notification: Any) -> Any:
        try:
            return self.engine.read_mapper.to_domain_event(notification)
        except Exception as exc:  # whatever a damaged record raises, it is that record's fault
            return UndecodableEvent(f"the stored event cannot be decoded: {type(exc).__name__}: {exc}")


@dataclass(frozen=True)
class Page:
    """Events read after `start`, decoded; `at_head` when the log had no more."""

    start: int
    events: list[Recorded]
    at_head: bool


def _create(tx: Tx, projection: Projection) -> None:
    for ddl in projection.tables.values():
        tx.execute(ddl)
    for ddl in projection.indexes:
        tx.execute(ddl)


def _reset(tx: Tx, projection: Projection) -> None:
    failures.clear(tx, projection.name)
    for table in projection.tables:
        tx.execute(f"DROP TABLE IF EXISTS {table}")
    _create(tx, projection)
    _save_position(tx, projection, 0)


def _locked_position(tx: Tx, projection: Projection, dialect: str) -> int:
    # SQLite's BEGIN IMMEDIATE already holds the write lock; PostgreSQL locks the row.
    suffix = " FOR UPDATE" if dialect == "postgres" else ""
    row = tx.fetchone(f"SELECT position FROM {POSITIONS} WHERE name = ?{suffix}", (projection.name,))
    return int(row[0]) if row else 0


def _save_position(tx: Tx, projection: Projection, position: int) -> None:
    tx.execute(
        f"INSERT INTO {POSITIONS} (name, position, version) VALUES (?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET position = excluded.position, version = excluded.version",
        (projection.name, position, projection.version),
    )
