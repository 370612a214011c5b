"""Reminders as people read them: the signed-in person's reminders that still hold (their
home page), and which kinds they receive (their account page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from aggregates.accounts import account_id
from aggregates.reminders import DESCRIPTIONS, Occasion, ReminderKind
from aggregates.tokens import Principal
from engine import reminders
from engine.errors import Forbidden
from engine.queries.base import Reader
from projections.reminders import REMINDERS

SHOWN_FOR = timedelta(days=45)  # a reminder older than this is no longer news


@dataclass(frozen=True)
class ReminderView:
    reminder_id: UUID
    kind: ReminderKind
    subject: str
    text: str
    link: str
    action: str
    due_at: datetime
    recorded_at: datetime


@dataclass(frozen=True)
class ReminderChoice:
    kind: ReminderKind
    description: str
    on: bool


class ReminderQueries(Reader):
    def my_reminders(self, principal: Principal) -> list[ReminderView]:
        """The caller's reminders of the last weeks whose occasion still holds, of the kinds
        they receive, the soonest due first (none for an API token: it is no person)."""
        if principal.participant_id is None or principal.account_id is None:
            return []
        account = self.engine.accounts.account(principal.account_id)
        if account is None:
            return []
        self.read_models.wait_for()
        now = self.engine.clock()
        with self.read_models.store.transaction() as tx:
            rows = tx.fetchall(
                f"SELECT reminder_id, occasion, recorded_at FROM {REMINDERS} "
                "WHERE participant_id = ? AND recorded_at >= ?",
                (str(principal.participant_id), (now - SHOWN_FOR).isoformat()),
            )
        found: list[ReminderView] = []
        for reminder, occasion_json, recorded_at in rows:
            occasion = Occasion.model_validate_json(occasion_json)
            if occasion.kind is ReminderKind.INVITATION_WAITING or not account.reminded_of(occasion.kind):
                continue  # a signed-in person's invitation was accepted
            if not reminders.still_due(self.engine, occasion, principal.participant_id, now):
                continue
            said = reminders.words(self.engine, occasion, now)
            found.append(ReminderView(
                UUID(reminder), occasion.kind, said.subject, said.text, said.link, said.action,
                occasion.due_at, datetime.fromisoformat(recorded_at),
            ))  # fmt: skip
        order = list(ReminderKind)
        return sorted(found, key=lambda r: (r.due_at, order.index(r.kind)))

    def reminder_choices(self, principal: Principal) -> list[ReminderChoice]:
        """Each kind of reminder a person may receive, and whether they receive it."""
        if principal.participant_id is None:
            raise Forbidden("an API token is no person: it receives no reminders")
        account = self.engine.accounts.account(account_id(principal.participant_id))
        off = account.state.reminders_off if account is not None else ()
        return [
            ReminderChoice(kind, DESCRIPTIONS[kind], kind not in off)
            for kind in ReminderKind
            if kind is not ReminderKind.INVITATION_WAITING
        ]
