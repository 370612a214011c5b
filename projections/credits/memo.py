"""What the ledger reads while projecting a batch, fetched in bulk at the start of
the batch and kept up to date by the ledger's own writes, so a batch costs a few
queries instead of several per event (on PostgreSQL each is a round trip).

Only facts the ledger itself writes are remembered, and only for one batch, inside
the batch's transaction: nothing else can change them meanwhile."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aggregates.activity import AttendanceRecorded
from aggregates.team import DataPointSubmitted, PdsaActed
from projections.base import Recorded, Tx
from projections.credits.tables import ACTIVITIES, DISCIPLINES, ENTRIES, ENTRY_COLUMNS, MEMBERS

Row = tuple[Any, ...]
ActivityRow = tuple[str | None, str, str, float, str]  # collaborative, date, credit types, max hours, body
MemberRow = tuple[str, str, str | None]  # participant, discipline, collaborative
_ACTIVITY_ID, _PARTICIPANT_ID = ENTRY_COLUMNS.index("activity_id"), ENTRY_COLUMNS.index("participant_id")
_CHUNK = 400  # ids per IN (...) list: well inside SQLite's and PostgreSQL's parameter limits


class BatchMemo:
    """The ledger's transaction, plus the facts its handlers look up."""

    def __init__(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        self.tx = tx
        attendance = [(str(r.originator_id), str(r.event.participant_id)) for r in batch
                      if isinstance(r.event, AttendanceRecorded)]  # fmt: skip
        activity_ids = sorted({a for a, _ in attendance})
        self._activities: dict[str, ActivityRow | None] = dict.fromkeys(activity_ids)
        for row in _select_in(tx, "activity_id, collaborative_id, activity_date, credit_types, max_hours, "
                              f"accrediting_body FROM {ACTIVITIES}", "activity_id", activity_ids):  # fmt: skip
            self._activities[row[0]] = (row[1], row[2], row[3], float(row[4]), row[5])
        participants = sorted({p for _, p in attendance})
        # Every collaborative's discipline of the batch's attendees: a key missing for them is none known.
        self._fetched = set(participants)
        self._disciplines: dict[tuple[str, str], str | None] = {}
        for participant, collaborative, discipline in _select_in(
            tx,
            f"participant_id, collaborative_id, discipline FROM {DISCIPLINES}",
            "participant_id",
            participants,
        ):
            self._disciplines[(participant, collaborative)] = discipline
        self._entries: dict[tuple[str, str], list[Row]] = {pair: [] for pair in attendance}
        wanted = set(attendance)
        for row in _select_in(tx, f"{', '.join(ENTRY_COLUMNS)} FROM {ENTRIES}", "activity_id", activity_ids):
            pair = (row[_ACTIVITY_ID], row[_PARTICIPANT_ID])
            if pair in wanted:
                self._entries[pair].append(tuple(row))
        teams = sorted(
            {str(r.originator_id) for r in batch if isinstance(r.event, DataPointSubmitted | PdsaActed)}
        )
        self._members: dict[str, dict[str, MemberRow]] = {t: {} for t in teams}
        for team, participant, discipline, collaborative in _select_in(
            tx, f"team_id, participant_id, discipline, collaborative_id FROM {MEMBERS}", "team_id", teams
        ):
            self._members[team][participant] = (participant, discipline, collaborative)

    # Activities offering CE
    def activity(self, activity_id: str) -> ActivityRow | None:
        if activity_id not in self._activities:
            row = self.tx.fetchone(
                f"SELECT collaborative_id, activity_date, credit_types, max_hours, accrediting_body "
                f"FROM {ACTIVITIES} WHERE activity_id = ?",
                (activity_id,),
            )
            self._activities[activity_id] = (
                None if row is None else (row[0], row[1], row[2], float(row[3]), row[4])
            )
        return self._activities[activity_id]

    def activity_added(self, activity_id: str, row: ActivityRow) -> None:
        self._activities[activity_id] = row

    # Disciplines, per collaborative
    def discipline(self, participant: str, collaborative: str) -> str | None:
        key = (participant, collaborative)
        if key not in self._disciplines and participant not in self._fetched:
            row = self.tx.fetchone(
                f"SELECT discipline FROM {DISCIPLINES} WHERE participant_id = ? AND collaborative_id = ?", key
            )
            self._disciplines[key] = None if row is None else row[0]
        return self._disciplines.get(key)

    def discipline_set(self, participant: str, collaborative: str, discipline: str) -> None:
        self._disciplines[(participant, collaborative)] = discipline

    # Entries of one attendance, reversals included
    def attendance_entries(self, activity_id: str, participant: str) -> list[Row]:
        pair = (activity_id, participant)
        if pair not in self._entries:
            self._entries[pair] = self.tx.fetchall(
                f"SELECT {', '.join(ENTRY_COLUMNS)} FROM {ENTRIES} WHERE activity_id = ? AND participant_id = ?",
                pair,
            )
        return self._entries[pair]

    def entry_added(self, row: Row) -> None:
        pair = (row[_ACTIVITY_ID], row[_PARTICIPANT_ID])
        if pair in self._entries:
            self._entries[pair].append(row)

    # Team members
    def members(self, team: str) -> list[MemberRow]:
        if team not in self._members:
            rows = self.tx.fetchall(
                f"SELECT participant_id, discipline, collaborative_id FROM {MEMBERS} WHERE team_id = ?",
                (team,),
            )
            self._members[team] = {p: (p, d, c) for p, d, c in rows}
        return sorted(self._members[team].values())

    def member_joined(self, team: str, participant: str, discipline: str, collaborative: str | None) -> None:
        if team in self._members:
            old = self._members[team].get(participant)
            # The upsert keeps the first collaborative and takes the new discipline.
            self._members[team][participant] = (participant, discipline, old[2] if old else collaborative)

    def member_left(self, team: str, participant: str) -> None:
        if team in self._members:
            self._members[team].pop(participant, None)


def _select_in(tx: Tx, select: str, column: str, values: Sequence[str]) -> list[Row]:
    rows: list[Row] = []
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        rows += tx.fetchall(f"SELECT {select} WHERE {column} IN ({', '.join('?' * len(chunk))})", chunk)
    return rows
