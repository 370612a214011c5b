"""Leader locks: one active follower per job (the relay of a topic, the digest recorder),
the others waiting as hot standbys instead of doing the work twice.

PostgreSQL holds a session advisory lock on a connection of its own; SQLite an
exclusive lock on a file beside the store. Either is released when its holder dies.
"""

from __future__ import annotations

import fcntl
from typing import Any, Protocol

import psycopg

from engine.settings import Settings


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
    """The lock that makes one holder of `name` active per store."""
    if settings.uses_postgres:
        return AdvisoryLock(settings.store, f"qi:{name}")
    return FileLock(f"{settings.store}.{name.replace(':', '-')}.lock")
