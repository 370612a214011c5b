"""Reads of the credit ledger: a participant's transcript and a collaborative's
entries, both in ledger order (source position, then order within the event)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

import orjson

from projections.base import Tx
from projections.credits.schemas import CreditEntry, CreditRow, CreditTotal, Transcript
from projections.credits.tables import ACTIVITIES, ENTRIES, ENTRY_COLUMNS, PARTICIPANTS

_SELECT = (
    f"SELECT {', '.join(f'e.{c}' for c in ENTRY_COLUMNS)}, a.title, p.name, p.licences "
    f"FROM {ENTRIES} e LEFT JOIN {ACTIVITIES} a ON a.activity_id = e.activity_id "
    f"LEFT JOIN {PARTICIPANTS} p ON p.participant_id = e.participant_id "
)
_ORDER = " ORDER BY e.source_position, e.ordinal"


def transcript(tx: Tx, participant_id: UUID) -> Transcript | None:
    """A participant's net totals per credit type, awards and reversals; None if unknown."""
    person = tx.fetchone(
        f"SELECT name, licences FROM {PARTICIPANTS} WHERE participant_id = ?", (str(participant_id),)
    )
    if person is None:
        return None
    entries = as_entries(_entries(tx, "e.participant_id = ?", str(participant_id)))
    return Transcript(
        participant_id=participant_id,
        name=person[0],
        licences=orjson.loads(person[1]),
        totals=_totals(entries),
        entries=[e for e in entries if e.reverses is None],
        reversals=[e for e in entries if e.reverses is not None],
    )


def credit_rows(tx: Tx, collaborative_id: UUID) -> list[CreditRow]:
    """Every entry of a collaborative, awards and reversals, with the learner's name and ids."""
    return _entries(tx, "e.collaborative_id = ?", str(collaborative_id))


def _entries(tx: Tx, where: str, value: str) -> list[CreditRow]:
    rows = [_row(r) for r in tx.fetchall(_SELECT + "WHERE " + where + _ORDER, (value,))]
    reversed_by = {r.reverses: r.entry_id for r in rows if r.reverses}
    return [r.model_copy(update={"reversed_by": reversed_by.get(r.entry_id)}) for r in rows]


def _row(row: tuple[Any, ...]) -> CreditRow:
    values = dict(zip(ENTRY_COLUMNS, row, strict=False))
    title, name, licences = row[len(ENTRY_COLUMNS) :]
    return CreditRow.model_validate(
        values
        | {"activity_title": title, "learner_name": name or "", "licences": orjson.loads(licences or "[]")}
    )


def _totals(entries: list[CreditEntry]) -> list[CreditTotal]:
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for e in entries:
        sums[(e.credit_type.value, e.unit)] += e.amount
    return [
        CreditTotal.model_validate({"credit_type": t, "unit": u, "amount": round(amount, 4) + 0.0})
        for (t, u), amount in sorted(sums.items())
    ]


def as_entries(rows: list[CreditRow]) -> list[CreditEntry]:
    """The rows without the learner columns."""
    return [CreditEntry.model_validate(r.model_dump(exclude={"learner_name", "licences"})) for r in rows]
