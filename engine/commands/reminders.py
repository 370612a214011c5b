"""Commands of reminders: the scheduler records one due (engine/reminders.py); a person
chooses which kinds they want."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from aggregates.reminders import Occasion, ReminderKind
from engine.commands import Command
from engine.commands.fields import Items


class RecordReminder(Command):
    """A person is to be reminded of an occasion (the reminder scheduler, as the system)."""

    target_field = "participant_id"
    participant_id: UUID
    occasion: Occasion


class ChooseReminders(Command):
    """The kinds of reminder a person wants no more; every other kind is on."""

    target_field = "account_id"
    account_id: UUID
    off: Annotated[tuple[ReminderKind, ...], Items(len(ReminderKind), "kind of reminder")] = ()
