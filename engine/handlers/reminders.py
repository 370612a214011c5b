"""Handlers of reminders: one claim per occasion and person, and a person's choice."""

from __future__ import annotations

from uuid import UUID

from aggregates.accounts import Account
from aggregates.base import CommandContext
from aggregates.participant import Participant
from aggregates.reminders import Reminder, reminder_id
from engine.commands import Command
from engine.commands.reminders import ChooseReminders, RecordReminder
from engine.errors import AlreadyExists
from engine.handlers.handler import Handler
from engine.unit_of_work import UnitOfWork


def record_reminder(uow: UnitOfWork, ctx: CommandContext, cmd: RecordReminder) -> UUID:
    """Record the reminder, refused when another process recorded it first (its id is the
    occasion's and the person's: the store lets one of them create it)."""
    found = reminder_id(cmd.occasion, cmd.participant_id)
    if uow.exists(Reminder, found):
        raise AlreadyExists("this person was already reminded of this occasion")
    uow.read(Participant, cmd.participant_id)
    uow.add(Reminder.due(ctx, cmd.occasion, cmd.participant_id))
    return found


def choose_reminders(uow: UnitOfWork, ctx: CommandContext, cmd: ChooseReminders) -> UUID:
    uow.get(Account, cmd.account_id).choose_reminders(ctx, cmd.off)
    return cmd.account_id


HANDLERS: dict[type[Command], Handler] = {
    RecordReminder: record_reminder,
    ChooseReminders: choose_reminders,
}
