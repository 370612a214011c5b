"""The audit trail: one row per stored event, chained by SHA-256 in the global
order, so any later change to stored history shows.

Each link hashes the previous link and the stored record itself (position,
originator id, version, topic, state bytes), not the decoded event, so an
upcast never breaks the chain.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import NamedTuple
from uuid import UUID

import orjson
from pydantic import BaseModel

from projections.audit_query import TABLE, AuditFilter, AuditRow, query
from projections.base import Projection, Recorded, Tx, UndecodableEvent, insert_rows

__all__ = ["TABLE", "AuditFilter", "AuditRow", "AuditTrail", "Verification", "query", "verify"]

GENESIS = bytes(32)


def iso_utc(moment: datetime) -> str:
    """Fixed-width UTC ISO-8601, so stored times compare correctly as text."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def link(
    previous: bytes, position: int, originator_id: UUID, version: int, topic: str, state: bytes
) -> bytes:
    """The chain link of one stored event."""
    topic_bytes = topic.encode()
    header = struct.pack(">QQI", position, version, len(topic_bytes))
    return hashlib.sha256(previous + header + originator_id.bytes + topic_bytes + state).digest()


class AuditTrail(Projection):
    name = "audit"
    version = 2  # 2: indexes for the explorer's filters by event type and aggregate type
    tables = {
        TABLE: (
            f"CREATE TABLE IF NOT EXISTS {TABLE} ("
            "position BIGINT PRIMARY KEY, recorded_at TEXT NOT NULL, actor_id TEXT, actor_role TEXT, "
            "action TEXT NOT NULL, aggregate_type TEXT NOT NULL, aggregate_id TEXT NOT NULL, "
            "aggregate_version BIGINT NOT NULL, collaborative_id TEXT, command_id TEXT, "
            "payload TEXT NOT NULL, hash TEXT NOT NULL)"
        )
    }
    indexes = (
        f"CREATE INDEX IF NOT EXISTS {TABLE}_collaborative ON {TABLE} (collaborative_id, position)",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_actor ON {TABLE} (actor_id, position)",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_aggregate ON {TABLE} (aggregate_id, position)",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_recorded_at ON {TABLE} (recorded_at)",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_action ON {TABLE} (action, position)",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_aggregate_type ON {TABLE} (aggregate_type, position)",
    )

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        """Chain and insert every record of the batch in one statement. The one projection
        without a handler table: it takes every record whatever its type, even one that no
        longer decodes, and each link needs the one before it."""
        row = tx.fetchone(f"SELECT hash FROM {TABLE} ORDER BY position DESC LIMIT 1")
        previous = bytes.fromhex(row[0]) if row else GENESIS
        rows = []
        for r in batch:
            previous = link(previous, r.position, r.originator_id, r.originator_version, r.topic, r.state)
            rows.append(_row(r, previous.hex()))
        insert_rows(
            tx,
            f"INSERT INTO {TABLE} (position, recorded_at, actor_id, actor_role, action, aggregate_type, "
            "aggregate_id, aggregate_version, collaborative_id, command_id, payload, hash) VALUES",
            rows,
        )


def _row(r: Recorded, chain: str) -> tuple[object, ...]:
    p = _provenance(r)
    return (
        r.position,
        p["recorded_at"],
        p["actor_id"],
        p["actor_role"],
        r.event_type,
        r.aggregate_type,
        str(r.originator_id),
        r.originator_version,
        p["collaborative_id"],
        p["command_id"],
        r.state.decode(errors="replace"),
        chain,
    )


def _provenance(r: Recorded) -> dict[str, str | None]:
    """Who, when and where from the decoded event; from the raw record, as far as it goes,
    when it no longer decodes: the trail and its chain never stop at a damaged event."""
    try:
        e = r.event
    except UndecodableEvent:
        return _raw_provenance(r.state)
    role = getattr(e, "actor_role", None)
    collaborative = getattr(e, "collaborative_id", None)
    return {
        "recorded_at": iso_utc(e.timestamp),
        "actor_id": getattr(e, "actor_id", None),
        "actor_role": role.value if role is not None else None,
        "collaborative_id": str(collaborative) if collaborative else None,
        "command_id": getattr(e, "command_id", None),
    }


def _raw_provenance(state: bytes) -> dict[str, str | None]:
    try:
        raw = orjson.loads(state)
    except orjson.JSONDecodeError:
        raw = None
    fields = raw if isinstance(raw, dict) else {}
    text = {k: v if isinstance(v, str) else None for k, v in fields.items()}
    moment = text.get("timestamp")
    try:
        recorded_at = iso_utc(datetime.fromisoformat(moment)) if moment else ""
    except (ValueError, OverflowError):
        recorded_at = ""
    keys = ("actor_id", "actor_role", "collaborative_id", "command_id")
    return {"recorded_at": recorded_at, **{k: text.get(k) for k in keys}}


class Verification(BaseModel):
    """The outcome of recomputing the chain from the event store."""

    ok: bool
    checked: int
    first_bad_position: int | None = None
    problem: str | None = None


StoredRecord = tuple[int, UUID, int, str, bytes]  # position, originator, version, topic, state
AuditedLink = tuple[int, str]  # position, hash hex


def verify(stored: Iterable[StoredRecord], audited: Iterable[AuditedLink]) -> Verification:
    """Recompute the chain over the store's records and compare with the audit rows.

    Both arrive in position order and are walked together, so memory stays flat;
    records the audit has not reached yet are not judged.
    """
    previous, checked = GENESIS, 0
    audit = iter(audited)
    for position, originator_id, version, topic, state in stored:
        entry = next(audit, None)
        if entry is None:
            break
        audited_position, audited_hash = entry
        if audited_position < position:
            return _bad(
                checked,
                audited_position,
                f"the event at position {audited_position} is missing from the store",
            )
        if audited_position > position:
            return _bad(checked, position, f"position {position} is in the store but was never audited")
        previous = link(previous, position, originator_id, version, topic, state)
        if previous.hex() != audited_hash:
            return _bad(checked, position, f"the stored event at position {position} no longer matches")
        checked += 1
    missing = next(audit, None)
    if missing is not None:
        return _bad(checked, missing[0], f"the event at position {missing[0]} is missing from the store")
    return Verification(ok=True, checked=checked)


class ChainHead(NamedTuple):
    """The chain at a position: its link there, and how many events it covers."""

    position: int
    hash: bytes
    events: int


START = ChainHead(0, GENESIS, 0)


def chain_through(
    stored: Iterable[StoredRecord], start: ChainHead = START, upto: int | None = None
) -> ChainHead:
    """Extend the chain from `start` over the store's records after it, up to `upto` (inclusive;
    the end when None). `stored` is consumed only as far as the first record beyond `upto`."""
    head = start
    for position, originator_id, version, topic, state in stored:
        if upto is not None and position > upto:
            break
        chained = link(head.hash, position, originator_id, version, topic, state)
        head = ChainHead(position, chained, head.events + 1)
    return head


def _bad(checked: int, position: int, problem: str) -> Verification:
    return Verification(ok=False, checked=checked, first_bad_position=position, problem=problem)


def audited_links(tx: Tx, after: int, limit: int) -> list[AuditedLink]:
    rows = tx.fetchall(
        f"SELECT position, hash FROM {TABLE} WHERE position > ? ORDER BY position LIMIT ?", (after, limit)
    )
    return [(int(p), str(h)) for p, h in rows]
