"""One schema creation at a time per database.

PostgreSQL's `CREATE TABLE IF NOT EXISTS` (and eventsourcing's `CREATE TYPE`) are not
safe against themselves: two processes starting at once on a fresh database can both
find a table missing, and the second fails with UniqueViolation on
pg_type_typname_nsp_index. Holding one advisory lock around every start-up DDL makes
the second starter wait, then find everything already there.

SQLite takes its own database-wide write lock for DDL, so nothing is needed there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from eventsourcing.persistence import OperationalError

from engine.settings import Settings

# hashtext() of a name, as the relay's leader lock does: one key space for qi's locks.
LOCK_NAME = "qi:schema"


@contextmanager
def schema_lock(settings: Settings) -> Iterator[None]:
    """Hold the database's schema lock while the body creates tables (a no-op on SQLite)."""
    if not settings.uses_postgres:
        yield
        return
    import psycopg

    url = settings.store.replace("postgres://", "postgresql://", 1)
    try:
        # A connection of its own: a session lock, released however this process ends.
        connection = psycopg.connect(url, autocommit=True, connect_timeout=settings.postgres_connect_timeout)
    except psycopg.OperationalError as error:
        raise OperationalError(f"PostgreSQL did not answer while creating the schema: {error}") from error
    with connection:
        connection.execute("SELECT pg_advisory_lock(hashtext(%s))", (LOCK_NAME,))
        yield
