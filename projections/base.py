"""What every read model is: tables, and one handler per event type it reads,
listed in one table (`handlers`). The engine's runner supplies the transaction
and keeps the position; a projection never commits or tracks anything itself.

SQL here is portable between SQLite and PostgreSQL: `?` placeholders, TEXT,
BIGINT, DOUBLE PRECISION, and `INSERT ... ON CONFLICT` upserts; the row helpers
at the end write it for the handlers.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol
from uuid import UUID

import orjson
from pydantic import BaseModel


class Tx(Protocol):
    """The open transaction a projection writes in."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None: ...


class UndecodableEvent(Exception):
    """A stored record that does not decode to an event (altered in the database, or of a
    type this code no longer knows): the projections that need it fail on it, alone."""


@dataclass(frozen=True)
class Recorded:
    """One stored event at its position in the global order, raw and decoded."""

    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes
    decoded: Any  # the event, or the UndecodableEvent met decoding it

    @property
    def event(self) -> Any:
        """The decoded event; raises UndecodableEvent if the stored record cannot be decoded."""
        if isinstance(self.decoded, UndecodableEvent):
            raise UndecodableEvent(*self.decoded.args)  # a fresh one: tracebacks never pile up
        return self.decoded

    @property
    def event_type(self) -> str:
        return self.topic.rsplit(":", 1)[-1].rsplit(".", 1)[-1]

    @property
    def aggregate_type(self) -> str:
        return self.topic.split(":", 1)[0].rsplit(".", 1)[-1]


# How a projection handles one event: (what it writes through, the recorded event), where
# what it writes through is the batch's transaction, or what `open_batch` made of it.
Handler = Callable[[Any, Recorded], None]


class Projection(ABC):
    """A read model: its tables, and the handler of each event type that changes their rows."""

    name: ClassVar[str]
    # Bump when the tables or the way rows are made change: the runner rebuilds it.
    version: ClassVar[int] = 1
    tables: ClassVar[dict[str, str]]  # table name -> CREATE TABLE statement
    indexes: ClassVar[tuple[str, ...]] = ()
    handlers: ClassVar[Mapping[type[Any], Handler]]  # event class -> its handler

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        """Write the rows these events imply, each by its type's handler, in log order;
        runs inside the runner's transaction."""
        handlers, writer = self.handlers_by_type(), self.open_batch(tx, batch)
        for recorded in batch:
            # Looked up by the stored type's name first: a record this read model does not
            # handle is never decoded here, so a damaged one stops only the read models that need it.
            handler = handlers.get(recorded.event_type)
            if handler is not None:
                handler(writer, recorded)
        self.close_batch(tx, batch)

    @classmethod
    def handlers_by_type(cls) -> Mapping[str, Handler]:
        """The handlers by the event class's name, as a stored record's topic ends."""
        found = cls.__dict__.get("_by_type")
        if found is None:
            found = {event.__name__: handler for event, handler in cls.handlers.items()}
            assert len(found) == len(cls.handlers), f"{cls.__name__}: two handled event classes share a name"
            cls._by_type = found  # type: ignore[attr-defined]
        return found

    def open_batch(self, tx: Tx, batch: Sequence[Recorded]) -> Any:
        """What the handlers write through: the transaction itself, unless a projection
        fetches in bulk what the batch's handlers will look up."""
        return tx

    def close_batch(self, tx: Tx, batch: Sequence[Recorded]) -> None:  # noqa: B027 - optional hook
        """Write what is cheaper once per batch than once per event."""

    def settle(self, tx: Tx) -> None:  # noqa: B027 - optional hook, most projections need none
        """Finish work deferred while catching up: the runner calls this in the same
        transaction as a batch that reached the head of the log, so costly derived
        rows are computed once per catch-up instead of once per batch."""


def ddl(table: str, columns: str) -> str:
    """A read-model table's CREATE statement (portable SQL, idempotent)."""
    return f"CREATE TABLE IF NOT EXISTS {table} ({columns})"


def json_text(value: Any) -> str:
    """A value as the JSON text a TEXT column keeps."""
    return orjson.dumps(value).decode()


# Opens a personal value as a read model keeps it (JSON: sealed, or plain), giving the open
# value, or None once it is erased. The engine hands its own to the queries that need one:
# projections never hold keys, so what they store stays sealed (aggregates.personal).
Opener = Callable[[Any], Any]


def personal_text(value: Any) -> str:
    """A personal value of an event (sealed, or open) as the JSON text a column keeps."""
    if isinstance(value, BaseModel):
        return json_text(value.model_dump(mode="json"))
    if isinstance(value, tuple | list):
        return json_text([v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value])
    return json_text(value)


def upsert(tx: Tx, table: str, key: tuple[str, ...], row: dict[str, Any]) -> None:
    """Insert a row, or update its other columns where one with the same `key` exists."""
    columns = ", ".join(row)
    updates = ", ".join(f"{c} = excluded.{c}" for c in row if c not in key) or f"{key[0]} = excluded.{key[0]}"
    tx.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(row))}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}",
        tuple(row.values()),
    )


def insert_rows(tx: Tx, insert: str, rows: Sequence[Sequence[Any]], tail: str = "") -> None:
    """`insert` ("INSERT INTO t (a, b) VALUES") + a row + `tail`, for every row: through the
    store's own `insert_rows` (several rows a statement on PostgreSQL), where it has one."""
    by_the_store = getattr(tx, "insert_rows", None)
    if by_the_store is not None:
        by_the_store(insert, rows, tail)
    elif rows:
        tx.executemany(f"{insert} ({', '.join('?' * len(rows[0]))}) {tail}".rstrip(), rows)


class HoldingTx:
    """A transaction that holds rows back to send them many a statement: a subclass says how
    in `flush`, which runs before any other statement or read, so the order of statements holds."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def flush(self) -> None:
        raise NotImplementedError

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.flush()
        self.tx.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.flush()
        self.tx.executemany(sql, rows)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.flush()
        return self.tx.fetchall(sql, params)

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        self.flush()
        return self.tx.fetchone(sql, params)


def insert_once(tx: Tx, table: str, row: dict[str, Any]) -> None:
    """Insert a row; a replayed event finds it there and changes nothing."""
    tx.execute(
        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))}) ON CONFLICT DO NOTHING",
        tuple(row.values()),
    )


def update(tx: Tx, table: str, where: dict[str, Any], **values: Any) -> None:
    """Set `values` on the rows matching every column of `where`."""
    assignments = ", ".join(f"{c} = ?" for c in values)
    condition = " AND ".join(f"{c} = ?" for c in where)
    tx.execute(f"UPDATE {table} SET {assignments} WHERE {condition}", (*values.values(), *where.values()))
