"""Reads about one person: everything the engine holds about them (a subject-access
export), and what an erasure kept of them and until when. Staff read them for the person;
the person's own access comes with their account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from aggregates.accounts import account_id
from aggregates.personal import ERASED_PERSON, ERASED_TEXT, Keep, opened
from aggregates.tokens import Principal
from engine.queries.base import Reader
from engine.sealing import open_everywhere
from projections.audit import AuditFilter
from projections.reminders import REMINDERS


@dataclass(frozen=True)
class Retention:
    """What an erasure kept of a person, and until when (None: nothing is kept)."""

    erased_at: datetime | None
    ce_record_kept_until: datetime | None
    kept: tuple[str, ...]
    keys: tuple[tuple[str, str | None, str | None], ...]  # kind, due to be erased, erased at


class PeopleQueries(Reader):
    def retention(self, principal: Principal, participant_id: UUID) -> Retention:
        """What is kept of a person after their erasure, and until when (staff)."""
        self._staff_about(principal, participant_id, "read what an erasure kept")
        participant = self.engine.participant(participant_id)
        rows = self.engine.data_keys.rows(participant_id)
        held = [r for r in rows if r.keep is Keep.CE_RECORD and r.erased_at is None and r.erase_after]
        return Retention(
            erased_at=participant.state.erased_at,
            ce_record_kept_until=participant.state.retained_until,
            kept=("name", "licences") if held else (),
            keys=tuple((r.keep.value, r.erase_after, r.erased_at) for r in rows),
        )

    def personal_data_export(self, principal: Principal, participant_id: UUID) -> dict[str, Any]:
        """Everything the engine holds about a person, open, as JSON (a subject-access export):
        for staff, and for the person themselves signed in to their account."""
        if principal.account_id is None or principal.participant_id != participant_id:
            self._staff_about(principal, participant_id, "export a person's data")
        engine = self.engine
        participant = engine.participant(participant_id)
        s, d = participant.state, participant.state.details
        self.read_models.wait_for()
        teams, attendance = self.read_models.person_records(participant_id)
        notes = []
        for team in teams:
            for note_id, note in engine.team(team.team_id).state.coaching_notes.items():
                if note.about == participant_id:
                    notes.append(
                        {
                            "team_id": str(team.team_id),
                            "note_id": str(note_id),
                            "at": note.at.isoformat(),
                            "text": opened(note.text, ERASED_TEXT),
                        }
                    )
        transcript = self.read_models.transcript(participant_id)
        history = [
            {
                "position": r.position,
                "at": r.recorded_at,
                "event": r.action,
                "data": open_everywhere(r.payload, engine.sealer.open, ERASED_TEXT),
            }
            for r in self.read_models.audit(AuditFilter(aggregate=participant_id, limit=10_000))
        ]
        return {
            "participant_id": str(participant_id),
            "exported_at": engine.clock().isoformat(),
            "details": {
                "name": opened(d.name, ERASED_PERSON),
                "credentials": opened(d.credentials, None),
                "email": opened(d.email, None),
                "licences": [licence.model_dump(mode="json") for licence in opened(d.licences, ())],
            },
            "erased_at": s.erased_at.isoformat() if s.erased_at else None,
            "ce_record_kept_until": s.retained_until.isoformat() if s.retained_until else None,
            "teams": [t.model_dump(mode="json") for t in teams],
            "coaching": [{"team_id": str(t), "collaborative_id": str(c)} for t, c in s.coaching.items()],
            "attendance": [a.model_dump(mode="json") for a in attendance],
            "moc_part4_attestations": {
                str(t): opened(v, ERASED_TEXT) for t, v in s.moc_part4_attestations.items()
            },
            "coaching_notes_about_them": notes,
            "credit": transcript.model_dump(mode="json"),
            "account": self._account_export(participant_id),
            "history": history,
        }

    def _account_export(self, participant_id: UUID) -> dict[str, Any] | None:
        account = self.engine.accounts.account(account_id(participant_id))
        if account is None:
            return None
        a = account.state
        moment = lambda t: t.isoformat() if t else None  # noqa: E731
        return {
            "account_id": str(account.id), "email": a.email if isinstance(a.email, str) else None,
            "status": a.status, "access": [x.model_dump(mode="json") for x in a.access],
            "accepted_at": moment(a.accepted_at), "last_signed_in_at": moment(a.last_signed_in_at),
            "reminders_turned_off": [kind.value for kind in a.reminders_off],
            "reminders": self._reminders_export(participant_id),
        }  # fmt: skip

    def _reminders_export(self, participant_id: UUID) -> list[dict[str, Any]]:
        """Every reminder recorded for the person: what it was about, when it was due and noted."""
        self.read_models.wait_for()
        with self.read_models.store.transaction() as tx:
            rows = tx.fetchall(
                f"SELECT occasion, recorded_at FROM {REMINDERS} WHERE participant_id = ? ORDER BY position",
                (str(participant_id),),
            )
        return [{"occasion": orjson.loads(occasion), "recorded_at": at} for occasion, at in rows]
