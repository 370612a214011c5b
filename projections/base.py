"""What every read model is: tables, and a function from a batch of recorded
events to row changes. The engine's runner supplies the transaction and keeps
the position; a projection never commits or tracks anything itself.

SQL here is portable between SQLite and PostgreSQL: `?` placeholders, TEXT,
BIGINT, DOUBLE PRECISION, and `INSERT ... ON CONFLICT` upserts.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol
from uuid import UUID


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


class Projection(ABC):
    """A read model: its tables, and how a batch of events changes their rows."""

    name: ClassVar[str]
    # Bump when the tables or the way rows are made change: the runner rebuilds it.
    version: ClassVar[int] = 1
    tables: ClassVar[dict[str, str]]  # table name -> CREATE TABLE statement
    indexes: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        """Write the rows these events imply; runs inside the runner's transaction."""

    def settle(self, tx: Tx) -> None:  # noqa: B027 - optional hook, most projections need none
        """Finish work deferred while catching up: the runner calls this in the same
        transaction as a batch that reached the head of the log, so costly derived
        rows are computed once per catch-up instead of once per batch."""
