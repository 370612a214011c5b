"""How the ledger writes an entry: an award for someone at an event's position, or the
reversal of a live entry that a corrected attendance replaces. Both go to the table
and to the batch's memo, so later events of the same batch see them."""

from __future__ import annotations

from dataclasses import dataclass

from projections.base import Recorded
from projections.credits import rules
from projections.credits.memo import BatchMemo
from projections.credits.tables import ENTRIES, ENTRY_COLUMNS

_INSERT_ENTRY = (
    f"INSERT INTO {ENTRIES} ({', '.join(ENTRY_COLUMNS)}) VALUES ({', '.join('?' * len(ENTRY_COLUMNS))})"
)
_POSITION, _ORDINAL, _ENTRY_ID, _REVERSES = (
    ENTRY_COLUMNS.index(c) for c in ("source_position", "ordinal", "entry_id", "reverses")
)


@dataclass(frozen=True)
class EntryFor:
    """Whom and what an entry is for, besides the award itself."""

    participant: str
    collaborative_id: str | None
    activity_id: str | None
    team_id: str | None
    accrediting_body: str
    credit_date: str
    minutes: int | None = None


def write_entry(
    b: BatchMemo, r: Recorded, ordinal: int, f: EntryFor, award: rules.Award, suffix: str = ""
) -> None:
    entry_id = f"{r.position}:{award.credit_type.value}{suffix}"
    row = (
        *(entry_id, r.position, ordinal, f.participant, f.collaborative_id, f.activity_id, f.team_id),
        *(f.accrediting_body, award.credit_type.value, award.unit, award.amount, f.credit_date),
        *(r.event.timestamp.isoformat(), award.rule_version, f.minutes, award.basis, None),
    )
    b.tx.execute(_INSERT_ENTRY, row)
    b.entry_added(row)


def reverse_live(b: BatchMemo, r: Recorded, participant: str) -> int:
    """Reverse every live entry of this (participant, activity); the next ordinal."""
    rows = b.attendance_entries(str(r.originator_id), participant)
    reversed_ids = {row[_REVERSES] for row in rows if row[_REVERSES] is not None}
    live = sorted(
        (row for row in rows if row[_REVERSES] is None and row[_ENTRY_ID] not in reversed_ids),
        key=lambda row: (row[_POSITION], row[_ORDINAL]),
    )
    for ordinal, row in enumerate(live):
        old = dict(zip(ENTRY_COLUMNS, row, strict=True))
        old |= {
            "entry_id": f"{r.position}:reverses:{old['entry_id']}",
            "source_position": r.position,
            "ordinal": ordinal,
            "amount": -float(old["amount"]),
            "recorded_at": r.event.timestamp.isoformat(),
            "basis": f"attendance corrected to {r.event.minutes} minutes",
            "reverses": old["entry_id"],
        }
        row = tuple(old[c] for c in ENTRY_COLUMNS)
        b.tx.execute(_INSERT_ENTRY, row)
        b.entry_added(row)
    return len(live)
