"""The CE credit ledger: append-only entries built from attendance, team work,
attestations and passed checks of enduring material, by the rules in `rules.py`.

Entries are never updated or deleted. A corrected attendance writes, at the
correcting event's position, a reversing entry (negative amount, `reverses` =
the reversed id; otherwise a copy of it: type, date, rule version) for each
live entry of that (participant, activity), then the new entries, even when
the amount is unchanged, so every entry points at the attendance it reflects. Ids derive from the source position ("42:cne", "42:reverses:17:cne",
"42:moc_part_4:<participant>"), so a rebuild writes identical rows.

A participant's discipline for an attendance is the one their latest membership of a
team of the activity's collaborative records, as known when the attendance is
projected (none known there: no entry), so another collaborative's team can never
change the credit type of this one's attendance; credit is never
recomputed afterwards, because entries are history, not a view of today.
MOC Part 4 is checked whenever an event could complete its conditions
(membership, an act decided, a new data month, an attestation) and awarded once
per (participant, team), at the event that completes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from aggregates.activity import AccreditorIdsRecorded, ActivityScheduled, AttendanceRecorded
from aggregates.participant import MocPart4Attested, ParticipantDetailsUpdated, ParticipantRegistered
from aggregates.team import (
    DataPointSubmitted,
    MemberAdded,
    MemberRemoved,
    PdsaActed,
    PdsaPlanned,
    TeamRegistered,
)
from aggregates.training import CheckTaken, ModuleAccreditorIdsRecorded, ModulePublished
from aggregates.values import CreditType, Discipline, MemberSpec
from projections.base import HoldingTx, Projection, Recorded, Tx, insert_rows, json_text, personal_text
from projections.credits import rules
from projections.credits.entries import EntryFor, reverse_live, write_entry
from projections.credits.memo import BatchMemo
from projections.credits.queries import credit_rows, has_moc4, moc_part4_status, team_facts, transcript
from projections.credits.tables import (
    ACTIVITIES,
    ACTIVITY_IDS,
    ATTENDANCE,
    ATTESTATIONS,
    CYCLES,
    DISCIPLINES,
    ENTRIES,
    ENTRY_COLUMNS,
    INDEXES,
    LEARNER_IDS,
    MEMBERS,
    MONTHS,
    PARTICIPANTS,
    TABLES,
)

__all__ = ["ENTRIES", "CreditLedger", "credit_rows", "moc_part4_status", "transcript"]

# People and activities --------------------------------------------------------


def _participant(b: Batch, r: Recorded) -> None:
    e: ParticipantRegistered | ParticipantDetailsUpdated = r.event
    learner = personal_text(e.details.learner) if e.details.learner is not None else None
    b.learner_ids.append((str(r.originator_id), r.position, e.timestamp.isoformat(), learner))
    b.tx.execute(  # all sealed (personal data): the queries open them for those who may read them
        f"INSERT INTO {PARTICIPANTS} (participant_id, name, licences, learner) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (participant_id) DO UPDATE SET name = excluded.name, licences = excluded.licences, "
        "learner = excluded.learner",
        (str(r.originator_id), personal_text(e.details.name), personal_text(e.details.licences), learner),
    )


def _activity(b: Batch, r: Recorded) -> None:
    e: ActivityScheduled = r.event
    ce = e.details.ce
    if ce is None:
        return  # no CE offering: attendance earns no credit
    collaborative_id, activity_date = _str(e.collaborative_id), e.details.starts_at.date().isoformat()
    credit_types = ",".join(t.value for t in ce.credit_types)
    accreditor = json_text(ce.accreditor.model_dump(mode="json")) if ce.accreditor else None
    b.activity_ids.append((str(r.originator_id), r.position, e.timestamp.isoformat(), accreditor))
    b.tx.execute(
        f"INSERT INTO {ACTIVITIES} (activity_id, collaborative_id, title, activity_date, credit_types, "
        "max_hours, accrediting_body, accreditor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (str(r.originator_id), collaborative_id, e.details.title, activity_date, credit_types, ce.max_hours,
         ce.accrediting_body, accreditor),
    )  # fmt: skip
    b.activity_added(
        str(r.originator_id),
        (collaborative_id, activity_date, credit_types, ce.max_hours, ce.accrediting_body),
    )


def _activity_ids(b: Batch, r: Recorded) -> None:
    e: AccreditorIdsRecorded | ModuleAccreditorIdsRecorded = r.event
    ids = json_text(e.ids.model_dump(mode="json"))
    b.activity_ids.append((str(r.originator_id), r.position, e.timestamp.isoformat(), ids))
    b.tx.execute(f"UPDATE {ACTIVITIES} SET accreditor = ? WHERE activity_id = ?", (ids, str(r.originator_id)))


# Live credit --------------------------------------------------------------------

_ATTENDANCE_COLUMNS = "activity_id, participant_id, source_position, minutes, recorded_at"
_ENTRY = f"INSERT INTO {ENTRIES} ({', '.join(ENTRY_COLUMNS)}) VALUES ({', '.join('?' * len(ENTRY_COLUMNS))})"


class Batch(BatchMemo):
    """The memo of the batch's facts, over a transaction that sends consecutive entries many rows
    a statement (`_Entries`), and the attendance it records: nothing while projecting reads
    those rows back, so they are written together at the batch's end."""

    def __init__(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        self._writes = _Entries(tx)
        super().__init__(self._writes, batch)
        self.attended: list[tuple[str, str, int, int, str]] = []
        self.learner_ids: list[tuple[str, int, str, str | None]] = []
        self.activity_ids: list[tuple[str, int, str, str | None]] = []

    def close(self) -> None:
        """Send what the batch still holds."""
        self._writes.flush()
        tx = self._writes.tx
        insert_rows(tx, f"INSERT INTO {ATTENDANCE} ({_ATTENDANCE_COLUMNS}) VALUES", self.attended)
        kept = "source_position, recorded_at"
        insert_rows(
            tx, f"INSERT INTO {LEARNER_IDS} (participant_id, {kept}, learner) VALUES", self.learner_ids
        )
        insert_rows(
            tx, f"INSERT INTO {ACTIVITY_IDS} (activity_id, {kept}, accreditor) VALUES", self.activity_ids
        )


class _Entries(HoldingTx):
    """The ledger's transaction, holding the rows of consecutive entries (plain inserts) until
    any other statement or read."""

    def __init__(self, tx: Tx) -> None:
        super().__init__(tx)
        self._rows: list[Sequence[Any]] = []

    def flush(self) -> None:
        rows, self._rows = self._rows, []
        insert_rows(self.tx, _ENTRY.partition(" VALUES")[0] + " VALUES", rows)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        if sql == _ENTRY:
            self._rows.append(params)
        else:
            super().execute(sql, params)


def _attendance(b: Batch, r: Recorded) -> None:
    e: AttendanceRecorded = r.event
    activity = b.activity(str(r.originator_id))
    if activity is None:
        return
    collaborative_id, activity_date, offered, max_hours, body = activity
    participant = str(e.participant_id)
    b.attended.append((str(r.originator_id), participant, r.position, e.minutes, e.timestamp.isoformat()))
    first = reverse_live(b, r, participant)
    offered_types = [CreditType(t) for t in offered.split(",")]
    discipline = _discipline(b, participant, collaborative_id)
    awards = rules.live_awards(discipline, offered_types, e.minutes, float(max_hours))
    source = EntryFor(
        participant, collaborative_id, str(r.originator_id), None, body, activity_date, e.minutes
    )
    for ordinal, award in enumerate(awards, start=first):
        write_entry(b, r, ordinal, source, award)


def _discipline(b: BatchMemo, participant: str, collaborative_id: str | None) -> Discipline | None:
    discipline = b.discipline(participant, collaborative_id) if collaborative_id else None
    return Discipline(discipline) if discipline else None


# Enduring material (QI training) ----------------------------------------------------


def _module(b: Batch, r: Recorded) -> None:
    e: ModulePublished = r.event
    credit = e.module.credit
    if credit is None:
        return  # no enduring-material credit: completing it earns none
    collaborative_id, published = _str(e.collaborative_id), e.timestamp.date().isoformat()
    credit_types = ",".join(t.value for t in credit.credit_types)
    accreditor = json_text(credit.accreditor.model_dump(mode="json")) if credit.accreditor else None
    b.activity_ids.append((str(r.originator_id), r.position, e.timestamp.isoformat(), accreditor))
    b.tx.execute(
        f"INSERT INTO {ACTIVITIES} (activity_id, collaborative_id, title, activity_date, credit_types, "
        "max_hours, accrediting_body, accreditor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (str(r.originator_id), collaborative_id, f"{e.module.title} (enduring material)", published,
         credit_types, credit.hours, credit.accrediting_body, accreditor),
    )  # fmt: skip
    b.activity_added(
        str(r.originator_id),
        (collaborative_id, published, credit_types, credit.hours, credit.accrediting_body),
    )


def _check_taken(b: BatchMemo, r: Recorded) -> None:
    e: CheckTaken = r.event
    module = b.activity(str(e.module_id))
    if module is None or not e.passed:
        return  # no credit offered, or a failed check: nothing earned
    collaborative_id, _, offered, hours, body = module
    participant = str(e.participant_id)
    discipline = _discipline(b, participant, collaborative_id)
    awards = rules.enduring_awards(
        discipline, [CreditType(t) for t in offered.split(",")], hours, e.right, e.asked
    )
    source = EntryFor(
        participant, collaborative_id, str(e.module_id), None, body, e.timestamp.date().isoformat()
    )
    for ordinal, award in enumerate(awards):
        write_entry(b, r, ordinal, source, award)


# MOC Part 4 ------------------------------------------------------------------------


def _team_registered(b: BatchMemo, r: Recorded) -> None:
    e: TeamRegistered = r.event
    for member in e.members:
        _join(b, r.originator_id, member, e.collaborative_id)
    _check_moc4(b, r, r.originator_id)


def _member_added(b: BatchMemo, r: Recorded) -> None:
    e: MemberAdded = r.event
    _join(b, r.originator_id, e.member, e.collaborative_id)
    _check_moc4(b, r, r.originator_id, e.member.participant_id)


def _join(b: BatchMemo, team_id: UUID, member: MemberSpec, collaborative_id: UUID | None) -> None:
    participant, discipline = str(member.participant_id), member.discipline.value
    b.tx.execute(
        f"INSERT INTO {MEMBERS} (team_id, participant_id, discipline, collaborative_id) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (team_id, participant_id) DO UPDATE SET discipline = excluded.discipline",
        (str(team_id), participant, discipline, _str(collaborative_id)),
    )
    b.member_joined(str(team_id), participant, discipline, _str(collaborative_id))
    if collaborative_id is None:
        return
    b.tx.execute(
        f"INSERT INTO {DISCIPLINES} (participant_id, collaborative_id, discipline) VALUES (?, ?, ?) "
        "ON CONFLICT (participant_id, collaborative_id) DO UPDATE SET discipline = excluded.discipline",
        (participant, str(collaborative_id), discipline),
    )
    b.discipline_set(participant, str(collaborative_id), discipline)


def _member_removed(b: BatchMemo, r: Recorded) -> None:
    e: MemberRemoved = r.event
    b.tx.execute(
        f"DELETE FROM {MEMBERS} WHERE team_id = ? AND participant_id = ?",
        (str(r.originator_id), str(e.participant_id)),
    )
    b.member_left(str(r.originator_id), str(e.participant_id))


def _planned(b: BatchMemo, r: Recorded) -> None:
    e: PdsaPlanned = r.event
    b.tx.execute(
        f"INSERT INTO {CYCLES} (cycle_id, team_id, parent_id, acted) VALUES (?, ?, ?, 0)",
        (str(e.cycle_id), str(r.originator_id), _str(e.plan.ramp_parent_id)),
    )


def _acted(b: BatchMemo, r: Recorded) -> None:
    e: PdsaActed = r.event
    b.tx.execute(f"UPDATE {CYCLES} SET acted = 1 WHERE cycle_id = ?", (str(e.cycle_id),))
    _check_moc4(b, r, r.originator_id)


def _data(b: BatchMemo, r: Recorded) -> None:
    e: DataPointSubmitted = r.event
    b.tx.execute(
        f"INSERT INTO {MONTHS} (team_id, period) VALUES (?, ?) ON CONFLICT (team_id, period) DO NOTHING",
        (str(r.originator_id), e.period),
    )
    _check_moc4(b, r, r.originator_id)


def _attested(b: BatchMemo, r: Recorded) -> None:
    e: MocPart4Attested = r.event
    b.tx.execute(
        f"INSERT INTO {ATTESTATIONS} (team_id, participant_id) VALUES (?, ?) "
        "ON CONFLICT (team_id, participant_id) DO NOTHING",
        (str(e.team_id), str(r.originator_id)),
    )
    _check_moc4(b, r, e.team_id, r.originator_id)


def _check_moc4(b: BatchMemo, r: Recorded, team_id: UUID, only: UUID | None = None) -> None:
    """Award MOC Part 4 to each member (or `only` one) for whom this event completes it."""
    team = str(team_id)
    members = b.members(team)
    candidates = [m for m in members if only is None or m[0] == str(only)]
    if not any(m[1] == Discipline.PHYSICIAN.value for m in candidates):
        return
    linked, months, attested = team_facts(b.tx, team)
    credit_date = r.event.timestamp.date().isoformat()
    for ordinal, (participant, discipline, collaborative_id) in enumerate(candidates):
        facts = rules.MocPart4Facts(Discipline(discipline), linked, months, participant in attested)
        award = rules.moc_part4_award(facts)
        if award is None or has_moc4(b.tx, team, participant):
            continue
        source = EntryFor(participant, collaborative_id, None, team, rules.MOC_PART4_BODY, credit_date)
        write_entry(b, r, ordinal, source, award, suffix=f":{participant}")


def _str(value: UUID | None) -> str | None:
    return str(value) if value is not None else None


class CreditLedger(Projection):
    name = "credits"
    # 2: disciplines per collaborative; 3: the learner's name and licences kept sealed;
    # 4: enduring material (QI training modules); 5: the learner's ids for the accreditors
    # (sealed), each activity's accreditor ids and its attendance, for the credit check;
    # 6: every version of those ids, so a report as of a past moment names them as they were
    version = 6
    tables = TABLES
    indexes = INDEXES
    handlers = {
        ParticipantRegistered: _participant,
        ParticipantDetailsUpdated: _participant,
        ActivityScheduled: _activity,
        AccreditorIdsRecorded: _activity_ids,
        ModuleAccreditorIdsRecorded: _activity_ids,
        AttendanceRecorded: _attendance,
        TeamRegistered: _team_registered,
        MemberAdded: _member_added,
        MemberRemoved: _member_removed,
        PdsaPlanned: _planned,
        PdsaActed: _acted,
        DataPointSubmitted: _data,
        MocPart4Attested: _attested,
        ModulePublished: _module,
        CheckTaken: _check_taken,
    }

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        """Each event by its type's handler, in log order, looking up through a memo of the
        batch's facts fetched in bulk (`Batch`); then the batch's attendance rows."""
        handlers, b = self.handlers_by_type(), Batch(tx, batch)
        for recorded in batch:
            # By the stored type's name, as the base class does: a record the ledger does not
            # handle is never decoded here.
            handler = handlers.get(recorded.event_type)
            if handler is not None:
                handler(b, recorded)
        b.close()
