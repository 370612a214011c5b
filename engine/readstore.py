"""The database that holds read models: the same SQLite file or PostgreSQL
database as the events, reached through its own connections.

SQL is written with `?` placeholders; on PostgreSQL they become `%s`.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from engine.settings import Settings


class _BufferedTx:
    """Writes are held and sent as `executemany` runs of consecutive identical
    statements: one call per run instead of one per row. Order is kept exactly;
    any read, and the commit, sends what is pending first, so reads see every write."""

    def __init__(self) -> None:
        self._sql: str | None = None
        self._rows: list[tuple[Any, ...]] = []

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        if sql != self._sql:
            self.flush()
            self._sql = sql
        self._rows.append(tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if sql != self._sql:
            self.flush()
            self._sql = sql
        self._rows.extend(tuple(params) for params in rows)

    def insert_rows(self, insert: str, rows: Sequence[Sequence[Any]], tail: str = "") -> None:
        """`insert` ("INSERT INTO t (a, b) VALUES"), a row, then `tail` (an ON CONFLICT clause, say),
        for every row: as `executemany` of the one-row statement would, in the same order."""
        if rows:
            self.executemany(f"{insert} {_marks(len(rows[0]))} {tail}".rstrip(), rows)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.flush()
        return self._fetchall(sql, tuple(params))

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        self.flush()
        return self._fetchone(sql, tuple(params))

    def flush(self) -> None:
        if self._sql is not None:
            sql, rows = self._sql, self._rows
            self._sql, self._rows = None, []
            self._send(sql, rows)

    def _send(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def _fetchall(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _fetchone(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        raise NotImplementedError


class SqliteTx(_BufferedTx):
    def __init__(self, connection: sqlite3.Connection) -> None:
        super().__init__()
        self._c = connection

    def _send(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if len(rows) == 1:
            self._c.execute(sql, rows[0])
        else:
            self._c.executemany(sql, rows)

    def _fetchall(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return list(self._c.execute(sql, params).fetchall())

    def _fetchone(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._c.execute(sql, params).fetchone()
        return row


class PostgresTx(_BufferedTx):
    def __init__(self, connection: Any) -> None:
        super().__init__()
        self._c = connection

    def insert_rows(self, insert: str, rows: Sequence[Sequence[Any]], tail: str = "") -> None:
        """Several rows a statement: each statement is a call of its own here, whatever its rows
        (on SQLite the one-row statement is the faster). Only for a plain insert, or one whose
        conflicts change nothing or could not meet twice in one statement (PostgreSQL refuses to
        update one row twice in a statement)."""
        if not rows:
            return
        width = len(rows[0])
        n = max(1, _PARAMETERS // width)
        full = len(rows) - len(rows) % n
        self.executemany(
            f"{insert} {', '.join([_marks(width)] * n)} {tail}".rstrip(),
            [[v for row in rows[i : i + n] for v in row] for i in range(0, full, n)],
        )
        super().insert_rows(insert, rows[full:], tail)

    def _send(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        with self._c.cursor() as cursor:
            cursor.executemany(_pg(sql), rows)

    def _fetchall(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return list(self._c.execute(_pg(sql), params).fetchall())

    def _fetchone(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._c.execute(_pg(sql), params).fetchone()
        return row


# psycopg parses a statement of more parameters than this afresh every time it is sent.
_PARAMETERS = 50


@functools.lru_cache(maxsize=64)
def _marks(width: int) -> str:
    return f"({', '.join('?' * width)})"


@functools.lru_cache(maxsize=512)
def _pg(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


class ReadStore:
    """Transactions on tables beside the events (the read models, the relay's position, the
    audit digests); `write=True` takes the write lock first. On SQLite the read models have
    a file of their own (Settings.read_models_store); what cannot be rebuilt from the events
    (the relay's position, the digests) stays in the events' file."""

    def __init__(self, settings: Settings, location: str | None = None) -> None:
        self.settings = settings
        self.location = location or settings.store  # a SQLite file (read models: settings.read_models_store)
        self.dialect = "postgres" if settings.uses_postgres else "sqlite"
        self._lock = threading.Lock()
        self._sqlite: sqlite3.Connection | None = None
        self._pool: Any = None
        if self.dialect == "postgres":
            from psycopg_pool import ConnectionPool

            url = self.location.replace("postgres://", "postgresql://", 1)
            # Wait as long as the event store's pool does, so an outage is a quick 503.
            self._pool = ConnectionPool(
                url,
                min_size=1,
                max_size=settings.postgres_pool_size,
                timeout=settings.postgres_connect_timeout,
                kwargs={"connect_timeout": settings.postgres_connect_timeout},
                open=True,
            )

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[SqliteTx | PostgresTx]:
        if self._pool is not None:
            # Pipeline mode: writes are sent without waiting for each reply, so a batch
            # of row changes costs a few round trips, not one per statement; a read
            # syncs the pipeline first, so it always sees the writes before it.
            with self._pool.connection() as conn, conn.transaction(), conn.pipeline():
                tx = PostgresTx(conn)
                yield tx
                tx.flush()
            return
        with self._lock:
            connection = self._sqlite_connection()
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                tx = SqliteTx(connection)
                yield tx
                tx.flush()
            except BaseException:
                connection.rollback()
                raise
            connection.commit()

    def _sqlite_connection(self) -> sqlite3.Connection:
        if self._sqlite is None:
            # One connection, serialised by the lock: FastAPI calls from its thread pool.
            self._sqlite = sqlite3.connect(
                self.location, timeout=30, isolation_level=None, check_same_thread=False
            )
            self._sqlite.execute("PRAGMA journal_mode=WAL")
        return self._sqlite

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
