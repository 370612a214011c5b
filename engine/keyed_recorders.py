"""The event store's recorders, writing new personal data keys in the events' transaction.

A person's data keys (engine.personal_data) are made when their first personal value is
sealed, which happens while the event store maps the events it is about to insert. The
mapper runs inside `DataKeys.deferred()` there (QIEngine's save), so the new keys wait in
memory, and these recorders insert them in the same transaction as the events: one write
per command, not two, and a key is stored exactly when the first value sealed under it
is. eventsourcing's factories build them from APPLICATION_RECORDER_TOPIC.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from engine.personal_data import INSERT, DataKeys


class SQLiteKeyedRecorder(SQLiteApplicationRecorder):
    data_keys: DataKeys | None = None  # QIEngine sets it; without it, the library's recorder

    def _insert_events(
        self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if self.data_keys is not None and (rows := self.data_keys.pending_rows()):
            c.executemany(INSERT, rows)
        return super()._insert_events(c, stored_events, **kwargs)


class PostgresKeyedRecorder(PostgresApplicationRecorder):
    data_keys: DataKeys | None = None

    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        if self.data_keys is not None and (rows := self.data_keys.pending_rows()):
            curs.executemany(INSERT.replace("?", "%s"), rows)
        super()._insert_events(curs, stored_events, **kwargs)


def recorder_topic(uses_postgres: bool) -> str:
    """APPLICATION_RECORDER_TOPIC for the store's kind."""
    cls = PostgresKeyedRecorder if uses_postgres else SQLiteKeyedRecorder
    return f"{cls.__module__}:{cls.__qualname__}"
