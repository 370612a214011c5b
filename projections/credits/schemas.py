"""What the credit ledger answers with: entries, transcripts, and the CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel

from aggregates.values import CreditType


class CreditEntry(BaseModel):
    """One ledger entry: an award (positive) or a reversal of one (negative)."""

    entry_id: str
    participant_id: UUID
    collaborative_id: UUID | None
    activity_id: UUID | None
    activity_title: str | None
    team_id: UUID | None
    accrediting_body: str
    credit_type: CreditType
    unit: Literal["hours", "points"]
    amount: float
    credit_date: date
    recorded_at: datetime
    rule_version: str
    source_position: int
    minutes: int | None
    basis: str
    reverses: str | None = None
    reversed_by: str | None = None


class CreditTotal(BaseModel):
    credit_type: CreditType
    unit: Literal["hours", "points"]
    amount: float


class Transcript(BaseModel):
    """A participant's credit: net totals per credit type, awards, and reversals."""

    participant_id: UUID
    name: str
    licences: list[str]
    totals: list[CreditTotal]
    entries: list[CreditEntry]
    reversals: list[CreditEntry]


class MocPart4Status(BaseModel):
    """Where a member stands for MOC Part 4 credit on one team's improvement project."""

    team_id: UUID
    discipline: str
    linked_cycles: int
    data_months: int
    attested: bool
    credited: bool
    unmet: list[str]  # the conditions not yet met, in words; empty once credit is due

    @property
    def may_attest(self) -> bool:
        """Whether attesting is what this member can do now: a physician who has not yet."""
        return not self.attested and self.discipline == "physician"


class CreditRow(CreditEntry):
    """A ledger entry with the learner's name and ids, as a collaborative exports it."""

    learner_name: str
    licences: list[str]


# The ledger's own export (the accreditors' files are adapters/exports/accreditors): who,
# which ids, what activity, what credit. The learner's id tells apart two people of the same
# name with no licence on record.
CSV_COLUMNS = (
    "Learner Name",
    "Licence/Board ID",
    "Learner ID",
    "Activity ID",
    "Activity Title",
    "Accrediting Body",
    "Credit Type",
    "Credit Unit",
    "Amount",
    "Completion Date",
    "Entry ID",
    "Reverses Entry",
    "Rule Version",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def to_csv(rows: Iterable[CreditRow]) -> str:
    """The export: a header row, then one row per ledger entry in ledger order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_cells(row) for row in rows)
    return out.getvalue()


def _cells(row: CreditRow) -> tuple[str, ...]:
    return (
        _text(row.learner_name),
        _text("; ".join(row.licences)),
        str(row.participant_id),
        str(row.activity_id or ""),
        _text(row.activity_title or ""),
        _text(row.accrediting_body),
        row.credit_type.value,
        row.unit,
        f"{row.amount:g}",
        row.credit_date.isoformat(),
        row.entry_id,
        row.reverses or "",
        row.rule_version,
    )


def _text(value: str) -> str:
    """Free text, defused so a spreadsheet never runs it as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value
