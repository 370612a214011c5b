"""Reminders: a person told, once, that something of theirs is due.

A reminder is an occasion for one person: a team's month of data not in by the day it was
due, its monthly report not submitted by then, a learning activity starting within a day,
an invitation not accepted after some days. Each is an aggregate whose id follows from the
occasion and the person (`reminder_id`), so recording it is a claim: whichever process
records it first, the others find it taken, and the outbox (engine/outbox.py) sends the
message from the event, once, after any number of restarts.

A person turns each kind off on their account (Account.choose_reminders): no reminder of
that kind is recorded for them, sent or shown until they turn it on again.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Self
from uuid import UUID, uuid5

from pydantic import AwareDatetime, BaseModel, Field

from aggregates.base import CommandContext, QIAggregate, QICreated, Value

NAMESPACE = UUID("3f6e2a9d-7c41-4b08-9e5a-c2d18f47b6a3")


class ReminderKind(StrEnum):
    DATA_DUE = "data due"
    REPORT_DUE = "report due"
    SESSION_SOON = "session tomorrow"
    INVITATION_WAITING = "invitation not accepted"


# What each kind is, in the words of the account page where a person turns it off.
DESCRIPTIONS: dict[ReminderKind, str] = {
    ReminderKind.DATA_DUE: "Your team's month of data is not in by the day it is due",
    ReminderKind.REPORT_DUE: "Your team's monthly report is not submitted by the day it is due",
    ReminderKind.SESSION_SOON: "A learning session, fireside chat, office hours or coaching call starts within a day",
    ReminderKind.INVITATION_WAITING: "Your invitation is still waiting to be accepted",
}


class Occasion(Value):
    """What a reminder is about: its kind and the key that makes it one occasion (a team's
    month, an activity at its start, an invitation), with what the message names."""

    kind: ReminderKind
    key: str = Field(min_length=1, max_length=200)
    collaborative_id: UUID | None = None
    team_id: UUID | None = None
    month: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    activity_id: UUID | None = None
    invitation_id: UUID | None = None
    due_at: (
        AwareDatetime  # when it was due (data, report) or starts (an activity), or expires (an invitation)
    )


def reminder_id(occasion: Occasion, participant_id: UUID) -> UUID:
    """The one reminder of `occasion` for a person: every process computes the same id."""
    return uuid5(NAMESPACE, f"{occasion.kind.value}\x1f{occasion.key}\x1f{participant_id}")


class ReminderState(BaseModel):
    collaborative_id: UUID | None = None
    participant_id: UUID
    occasion: Occasion
    recorded_at: datetime


class Reminder(QIAggregate):
    State = ReminderState
    if TYPE_CHECKING:
        state: ReminderState

    @classmethod
    def due(cls, ctx: CommandContext, occasion: Occasion, participant_id: UUID) -> Self:
        return cls._create_with(
            ctx,
            ReminderDue,
            reminder_id(occasion, participant_id),
            collaborative_id=occasion.collaborative_id,
            participant_id=participant_id,
            occasion=occasion,
        )


class ReminderDue(QICreated):
    """A person is to be reminded of an occasion (the outbox writes to them)."""

    participant_id: UUID
    occasion: Occasion

    def apply(self, aggregate: Reminder) -> None:
        aggregate.state = ReminderState(
            collaborative_id=self.collaborative_id,
            participant_id=self.participant_id,
            occasion=self.occasion,
            recorded_at=self.timestamp,
        )
