"""Reading the audit trail's table: rows by filter, a page at a time in either direction
(keyset paging on the position, so a page costs the same deep in the trail as at its head),
and what the explorer offers to filter by (the event types and actors present).

The indexes that keep these reads short are the trail's own (projections.audit)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import orjson
from pydantic import BaseModel

from projections.base import Tx

TABLE = "rm_audit"
# The engine's own bookkeeping, not anybody's act: a command's idempotency receipt, the
# claims that keep chosen ids and email addresses unique (event types).
ENGINE_RECORDS = ("CommandAccepted", "IdClaimed", "EmailClaimed", "EmailReleased", "EmailRetaken")


class AuditRow(BaseModel):
    position: int
    recorded_at: str
    actor_id: str | None
    actor_role: str | None
    action: str
    aggregate_type: str
    aggregate_id: UUID
    aggregate_version: int
    collaborative_id: UUID | None
    command_id: str | None
    payload: dict[str, object]
    hash: str


class AuditFilter(BaseModel):
    collaborative: UUID | None = None
    collaboratives: tuple[UUID, ...] | None = None  # only these collaboratives' events (an auditor's scope)
    aggregate: UUID | None = None
    aggregate_type: str | None = None  # the aggregate's module: team, activity, ...
    actor: str | None = None
    actors: tuple[str, ...] | None = None  # any of these actor ids (a name typed matched them)
    action: str | None = None
    without_actions: tuple[str, ...] = ()  # event types left out (the engine's records)
    since: str | None = None  # ISO-8601, inclusive
    until: str | None = None  # ISO-8601, exclusive
    after: int = 0  # position: rows after it
    before: int | None = None  # position: rows before it
    newest_first: bool = False
    limit: int = 100


def _in(column: str, values: tuple[str, ...], clauses: list[str], params: list[Any]) -> None:
    clauses.append(f"{column} IN ({', '.join('?' for _ in values)})" if values else "1 = 0")
    params.extend(values)


def _where(f: AuditFilter) -> tuple[str, list[Any]]:
    clauses, params = ["position > ?"], [f.after]
    for column, value in (
        ("collaborative_id", f.collaborative and str(f.collaborative)),
        ("aggregate_id", f.aggregate and str(f.aggregate)),
        ("aggregate_type", f.aggregate_type),
        ("actor_id", f.actor),
        ("action", f.action),
    ):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    if f.actors is not None:
        _in("actor_id", f.actors, clauses, params)
    if f.collaboratives is not None:
        _in("collaborative_id", tuple(str(c) for c in f.collaboratives), clauses, params)
    if f.without_actions:
        clauses.append(f"action NOT IN ({', '.join('?' for _ in f.without_actions)})")
        params.extend(f.without_actions)
    for clause, value in (
        ("recorded_at >= ?", f.since),
        ("recorded_at < ?", f.until),
        ("position < ?", f.before),
    ):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    return " AND ".join(clauses), params


def query(tx: Tx, f: AuditFilter) -> list[AuditRow]:
    """Audit rows matching the filter, in position order (newest first when asked), a page at a time."""
    where, params = _where(f)
    order = "DESC" if f.newest_first else "ASC"
    rows = tx.fetchall(
        f"SELECT {', '.join(AuditRow.model_fields)} FROM {TABLE} WHERE {where} ORDER BY position {order} LIMIT ?",
        (*params, f.limit),
    )
    return [_audit_row(row) for row in rows]


def _audit_row(row: tuple[object, ...]) -> AuditRow:
    values = dict(zip(AuditRow.model_fields, row, strict=True))
    values["payload"] = orjson.loads(str(values["payload"]))
    return AuditRow.model_validate(values)


def _any(tx: Tx, f: AuditFilter) -> bool:
    where, params = _where(f)
    return tx.fetchone(f"SELECT 1 FROM {TABLE} WHERE {where} LIMIT 1", params) is not None


class AuditPage(BaseModel):
    """A page of the trail, newest first, with where the pages beside it start: `newer`
    (read with after=) and `older` (read with before=), None where there is none."""

    rows: list[AuditRow]
    newer: int | None
    older: int | None


def page(tx: Tx, f: AuditFilter, size: int, after: int | None = None) -> AuditPage:
    """The page of `size` rows newest first: the newest (before `f.before`, when set), or the
    page just newer than position `after`."""
    if after is not None:
        found = query(tx, f.model_copy(update={"after": max(after, f.after), "before": None,
                                                "newest_first": False, "limit": size + 1}))  # fmt: skip
        rows = list(reversed(found[:size]))
        newer = rows[0].position if len(found) > size else None
        older = (
            rows[-1].position
            if rows and _any(tx, f.model_copy(update={"before": rows[-1].position}))
            else None
        )
        return AuditPage(rows=rows, newer=newer, older=older)
    found = query(tx, f.model_copy(update={"newest_first": True, "limit": size + 1}))
    rows = found[:size]
    older = rows[-1].position if len(found) > size else None
    later = rows and _any(tx, f.model_copy(update={"after": max(rows[0].position, f.after), "before": None}))
    return AuditPage(rows=rows, newer=rows[0].position if later else None, older=older)


def first_position_from(tx: Tx, moment: str) -> int | None:
    """The position of the first event recorded at or after `moment` (None: none yet), to
    read the trail back from a date."""
    row = tx.fetchone(f"SELECT MIN(position) FROM {TABLE} WHERE recorded_at >= ?", (moment,))
    return int(row[0]) if row and row[0] is not None else None


def _scope(collaboratives: tuple[UUID, ...] | None) -> tuple[str, list[Any]]:
    if collaboratives is None:
        return "1 = 1", []
    clauses: list[str] = []
    params: list[Any] = []
    _in("collaborative_id", tuple(str(c) for c in collaboratives), clauses, params)
    return clauses[0], params


def actions_present(tx: Tx, collaboratives: tuple[UUID, ...] | None) -> list[str]:
    """Every event type in the trail (within these collaboratives' events when given)."""
    where, params = _scope(collaboratives)
    return [
        str(a)
        for (a,) in tx.fetchall(f"SELECT DISTINCT action FROM {TABLE} WHERE {where} ORDER BY action", params)
    ]


def actors_present(tx: Tx, collaboratives: tuple[UUID, ...] | None) -> list[tuple[str, str | None]]:
    """Every actor id in the trail with a role they acted in (within these collaboratives' events when given)."""
    where, params = _scope(collaboratives)
    found = tx.fetchall(
        f"SELECT actor_id, MAX(actor_role) FROM {TABLE} WHERE {where} AND actor_id IS NOT NULL GROUP BY actor_id",
        params,
    )
    return sorted((str(a), None if r is None else str(r)) for a, r in found)


def events_until(tx: Tx, collaborative_id: UUID, until: str) -> list[tuple[int, UUID, int]]:
    """(position, aggregate id, version) of a collaborative's events recorded at or before
    `until`, in position order: what to replay to see it as it was then."""
    rows = tx.fetchall(
        f"SELECT position, aggregate_id, aggregate_version FROM {TABLE} "
        "WHERE collaborative_id = ? AND recorded_at <= ? ORDER BY position",
        (str(collaborative_id), until),
    )
    return [(int(p), UUID(str(a)), int(v)) for p, a, v in rows]


def actions_since(tx: Tx, collaborative_id: UUID, since: str) -> dict[str, int]:
    """How many of each event type a collaborative had after `since` (exclusive)."""
    rows = tx.fetchall(
        f"SELECT action, COUNT(*) FROM {TABLE} WHERE collaborative_id = ? AND recorded_at > ? GROUP BY action",
        (str(collaborative_id), since),
    )
    return {str(a): int(n) for a, n in rows}
