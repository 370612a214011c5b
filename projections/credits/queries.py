"""Reads of the credit ledger: a participant's transcript and a collaborative's
entries, both in ledger order (source position, then order within the event)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from aggregates.personal import ERASED_PERSON
from aggregates.values import CreditType, Discipline
from projections.base import Opener, Tx
from projections.credits import rules
from projections.credits.schemas import CreditEntry, CreditRow, CreditTotal, MocPart4Status, Transcript
from projections.credits.tables import (
    ACTIVITIES,
    ATTESTATIONS,
    CYCLES,
    ENTRIES,
    ENTRY_COLUMNS,
    MEMBERS,
    MONTHS,
    PARTICIPANTS,
)

_SELECT = (
    f"SELECT {', '.join(f'e.{c}' for c in ENTRY_COLUMNS)}, a.title, p.name, p.licences "
    f"FROM {ENTRIES} e LEFT JOIN {ACTIVITIES} a ON a.activity_id = e.activity_id "
    f"LEFT JOIN {PARTICIPANTS} p ON p.participant_id = e.participant_id "
)
_ORDER = " ORDER BY e.source_position, e.ordinal"


def transcript(tx: Tx, participant_id: UUID, opener: Opener) -> Transcript | None:
    """A participant's net totals per credit type, awards and reversals; None if unknown.
    `opener` opens the learner's name and licences (sealed: personal data)."""
    person = tx.fetchone(
        f"SELECT name, licences FROM {PARTICIPANTS} WHERE participant_id = ?", (str(participant_id),)
    )
    if person is None:
        return None
    entries = as_entries(_entries(tx, "e.participant_id = ?", str(participant_id), opener))
    name, licences = _learner(person[0], person[1], opener)
    return Transcript(
        participant_id=participant_id,
        name=name,
        licences=licences,
        totals=_totals(entries),
        entries=[e for e in entries if e.reverses is None],
        reversals=[e for e in entries if e.reverses is not None],
    )


def transcript_at(transcript: Transcript, moment: datetime) -> Transcript:
    """The transcript as it stood at `moment`: the entries recorded by then, a reversal
    recorded later not yet applied, and the totals of those; re-made for a past moment it is
    the same whenever it is made."""
    reversals = [r for r in transcript.reversals if r.recorded_at <= moment]
    undone = {r.reverses: r.entry_id for r in reversals}
    entries = [
        e.model_copy(update={"reversed_by": undone.get(e.entry_id)})
        for e in transcript.entries if e.recorded_at <= moment
    ]  # fmt: skip
    return transcript.model_copy(
        update={"entries": entries, "reversals": reversals, "totals": _totals([*entries, *reversals])}
    )


def moc_part4_status(tx: Tx, participant_id: UUID) -> list[MocPart4Status]:
    """For each team the participant is a member of, how far its project is from earning them
    MOC Part 4 credit (the ledger's own rule: projections.credits.rules)."""
    found = []
    person = str(participant_id)
    for team, discipline in tx.fetchall(
        f"SELECT team_id, discipline FROM {MEMBERS} WHERE participant_id = ? ORDER BY team_id", (person,)
    ):
        linked, months, attested = team_facts(tx, team)
        facts = rules.MocPart4Facts(Discipline(discipline), linked, months, person in attested)
        status = MocPart4Status(
            team_id=UUID(team), discipline=discipline, linked_cycles=linked, data_months=months,
            attested=facts.attested, credited=has_moc4(tx, team, person), unmet=list(rules.moc_part4_unmet(facts)),
        )  # fmt: skip
        found.append(status)
    return found


def team_facts(tx: Tx, team: str) -> tuple[int, int, set[str]]:
    """A team's linked PDSA cycles, months with data, and who attested (MOC Part 4's facts)."""
    cycles = {
        UUID(c): rules.Cycle(UUID(p) if p else None, bool(a))
        for c, p, a in tx.fetchall(
            f"SELECT cycle_id, parent_id, acted FROM {CYCLES} WHERE team_id = ?", (team,)
        )
    }
    months = tx.fetchone(f"SELECT COUNT(*) FROM {MONTHS} WHERE team_id = ?", (team,))
    attested = tx.fetchall(f"SELECT participant_id FROM {ATTESTATIONS} WHERE team_id = ?", (team,))
    return rules.linked_cycle_count(cycles), int(months[0]) if months else 0, {a[0] for a in attested}


def has_moc4(tx: Tx, team: str, participant: str) -> bool:
    """Whether the participant was already credited MOC Part 4 for the team's project."""
    row = tx.fetchone(
        f"SELECT 1 FROM {ENTRIES} WHERE team_id = ? AND participant_id = ? AND credit_type = ?",
        (team, participant, CreditType.MOC_PART_4.value),
    )
    return row is not None


def credit_rows(tx: Tx, collaborative_id: UUID, opener: Opener) -> list[CreditRow]:
    """Every entry of a collaborative, awards and reversals, with the learner's name and ids."""
    return _entries(tx, "e.collaborative_id = ?", str(collaborative_id), opener)


def _learner(name: str | None, licences: str | None, opener: Opener) -> tuple[str, list[str]]:
    """The learner's name and licences ("ABP 123456 (MT)"), opened; "erased person" once erased."""
    opened_name = opener(orjson.loads(name)) if name else None
    opened = opener(orjson.loads(licences)) if licences else None
    return opened_name or ERASED_PERSON, [_licence(x) for x in opened or ()]


def _licence(licence: dict[str, Any]) -> str:
    issuer = f" ({licence['issuer']})" if licence.get("issuer") else ""
    return f"{licence['kind']} {licence['number']}{issuer}"


def _entries(tx: Tx, where: str, value: str, opener: Opener) -> list[CreditRow]:
    rows = [_row(r, opener) for r in tx.fetchall(_SELECT + "WHERE " + where + _ORDER, (value,))]
    reversed_by = {r.reverses: r.entry_id for r in rows if r.reverses}
    return [r.model_copy(update={"reversed_by": reversed_by.get(r.entry_id)}) for r in rows]


def _row(row: tuple[Any, ...], opener: Opener) -> CreditRow:
    values = dict(zip(ENTRY_COLUMNS, row, strict=False))
    title, name, licences = row[len(ENTRY_COLUMNS) :]
    learner, ids = _learner(name, licences, opener) if name is not None else ("", [])
    return CreditRow.model_validate(
        values | {"activity_title": title, "learner_name": learner, "licences": ids}
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
