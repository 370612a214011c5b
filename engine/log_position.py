"""How far a follower of the log (the relay, the erasure sweep) has acted: a row of
qi_projection_positions beside the events, never in the read models' file, since it
cannot be rebuilt from the events."""

from __future__ import annotations

from engine.readstore import ReadStore
from engine.schema_lock import schema_lock
from engine.settings import Settings

# Every follower of the log keeps its position here: the projections (in the read models
# file) and the relay and erasure sweep (beside the events).
POSITIONS = "qi_projection_positions"
POSITIONS_DDL = (
    f"CREATE TABLE IF NOT EXISTS {POSITIONS} ("
    "name TEXT PRIMARY KEY, position BIGINT NOT NULL, version INTEGER NOT NULL)"
)
VERSION = 1


class LogPosition:
    """A follower's row in qi_projection_positions (the relay's, the erasure sweep's): how far
    along the log it has acted; it only ever moves forward."""

    def __init__(self, store: ReadStore, name: str) -> None:
        self.store = store  # beside the events (not the read models' file: it cannot be rebuilt)
        self.name = name

    @classmethod
    def of(cls, settings: Settings) -> LogPosition:
        """The position of the relay of `settings`' topic, in a store of its own."""
        return cls(ReadStore(settings), f"relay:{settings.kafka_topic}")

    def prepare(self) -> None:
        with schema_lock(self.store.settings), self.store.transaction(write=True) as tx:
            tx.execute(POSITIONS_DDL)
            tx.execute(
                f"INSERT INTO {POSITIONS} (name, position, version) VALUES (?, 0, ?) "
                "ON CONFLICT (name) DO NOTHING",
                (self.name, VERSION),
            )

    def get(self) -> int:
        with self.store.transaction() as tx:
            row = tx.fetchone(f"SELECT position FROM {POSITIONS} WHERE name = ?", (self.name,))
        return int(row[0]) if row else 0

    def save(self, position: int) -> None:
        with self.store.transaction(write=True) as tx:
            tx.execute(
                f"UPDATE {POSITIONS} SET position = ? WHERE name = ? AND position < ?",
                (position, self.name, position),
            )
