"""The database that holds read models: the same SQLite file or PostgreSQL
database as the events, reached through its own connections.

SQL is written with `?` placeholders; on PostgreSQL they become `%s`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from engine.settings import Settings


class SqliteTx:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._c = connection

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._c.execute(sql, tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._c.executemany(sql, [tuple(r) for r in rows])

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._c.execute(sql, tuple(params)).fetchall())

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._c.execute(sql, tuple(params)).fetchone()
        return row


class PostgresTx:
    def __init__(self, connection: Any) -> None:
        self._c = connection

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._c.execute(_pg(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._c.cursor() as cursor:
            cursor.executemany(_pg(sql), [tuple(r) for r in rows])

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._c.execute(_pg(sql), tuple(params)).fetchall())

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._c.execute(_pg(sql), tuple(params)).fetchone()
        return row


def _pg(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


class ReadStore:
    """Transactions on the read-model database; `write=True` takes the write lock first."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dialect = "postgres" if settings.uses_postgres else "sqlite"
        self._lock = threading.Lock()
        self._sqlite: sqlite3.Connection | None = None
        self._pool: Any = None
        if self.dialect == "postgres":
            from psycopg_pool import ConnectionPool

            url = settings.store.replace("postgres://", "postgresql://", 1)
            self._pool = ConnectionPool(url, min_size=1, max_size=settings.postgres_pool_size, open=True)

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[SqliteTx | PostgresTx]:
        if self._pool is not None:
            with self._pool.connection() as conn, conn.transaction():
                yield PostgresTx(conn)
            return
        with self._lock:
            connection = self._sqlite_connection()
            connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield SqliteTx(connection)
            except BaseException:
                connection.rollback()
                raise
            connection.commit()

    def _sqlite_connection(self) -> sqlite3.Connection:
        if self._sqlite is None:
            # One connection, serialised by the lock: FastAPI calls from its thread pool.
            self._sqlite = sqlite3.connect(
                self.settings.store, timeout=30, isolation_level=None, check_same_thread=False
            )
            self._sqlite.execute("PRAGMA journal_mode=WAL")
        return self._sqlite

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
