"""A read model that cannot apply an event fails alone, and says so.

The runner records the failure (which projection, the position and type of the event,
the error) in its own table and stops that projection just before the event; every
other projection keeps catching up and serving. Reads of the failed read model answer
`ReadModelUnavailable` (503) until someone resumes or rebuilds it, so nobody is shown
a view that silently stopped at some past moment.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError

from engine.errors import EngineError
from engine.log_position import POSITIONS
from projections.base import Tx

FAILURES = "qi_projection_failures"
FAILURES_DDL = (
    f"CREATE TABLE IF NOT EXISTS {FAILURES} ("
    "name TEXT PRIMARY KEY, position BIGINT NOT NULL, event_type TEXT NOT NULL, "
    "error TEXT NOT NULL, failed_at TEXT NOT NULL)"
)
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


@dataclass(frozen=True)
class Failure:
    """Where a read model stopped, and why."""

    projection: str
    position: int
    event_type: str
    error: str
    failed_at: str

    def describe(self) -> str:
        return (
            f"the {self.projection} read model stopped at event {self.position} "
            f"({self.event_type}): {self.error}"
        )


class ReadModelUnavailable(EngineError):
    """A read model stopped on an event it could not apply (503) until resumed or rebuilt."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(
            f"{failure.describe()}; the rest of the engine keeps working, and staff can resume or "
            f"rebuild it once the cause is fixed (qi projections resume {failure.projection})"
        )
        self.failure = failure


def is_outage(exc: BaseException) -> bool:
    """Whether `exc` says the store is unreachable or busy for now, rather than that it failed:
    the first database error in its chain decides (a PostgreSQL server down or restarting, a
    SQLite file another process holds locked); else eventsourcing's own outage errors."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        if isinstance(current, sqlite3.Error):
            return isinstance(current, sqlite3.OperationalError) and any(
                b in str(current) for b in _SQLITE_BUSY
            )
        if isinstance(current, psycopg.Error):
            return isinstance(current, psycopg.OperationalError | psycopg.InterfaceError)
        current = current.__cause__ or current.__context__
    return isinstance(exc, OperationalError | InterfaceError)  # e.g. eventsourcing's pool timing out


def record(tx: Tx, projection: str, position: int, event_type: str, exc: BaseException) -> Failure:
    failure = Failure(
        projection=projection,
        position=position,
        event_type=event_type,
        error=f"{type(exc).__name__}: {exc}"[:2000],
        failed_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    tx.execute(
        f"INSERT INTO {FAILURES} (name, position, event_type, error, failed_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET position = excluded.position, event_type = excluded.event_type, "
        "error = excluded.error, failed_at = excluded.failed_at",
        (failure.projection, failure.position, failure.event_type, failure.error, failure.failed_at),
    )
    return failure


def clear(tx: Tx, projection: str) -> None:
    tx.execute(f"DELETE FROM {FAILURES} WHERE name = ?", (projection,))


def failed(tx: Tx, projection: str) -> Failure | None:
    row = tx.fetchone(
        f"SELECT name, position, event_type, error, failed_at FROM {FAILURES} WHERE name = ?", (projection,)
    )
    return Failure(*row) if row else None


def standing(tx: Tx, projection: str) -> tuple[int, Failure | None]:
    """The projection's position and its failure if it stopped, in one statement (one round
    trip on PostgreSQL): what every cached read asks before it answers."""
    row = tx.fetchone(
        f"SELECT p.position, f.name, f.position, f.event_type, f.error, f.failed_at "
        f"FROM (SELECT CAST(? AS TEXT) AS name) asked "
        f"LEFT JOIN {POSITIONS} p ON p.name = asked.name LEFT JOIN {FAILURES} f ON f.name = asked.name",
        (projection,),
    )
    assert row is not None  # the outer row is always there
    position = int(row[0]) if row[0] is not None else 0
    return position, Failure(*row[1:]) if row[1] is not None else None


def all_failures(tx: Tx) -> dict[str, Failure]:
    rows = tx.fetchall(f"SELECT name, position, event_type, error, failed_at FROM {FAILURES}")
    return {row[0]: Failure(*row) for row in rows}
