"""A Participant: a person who works on teams and earns CE credit across
collaboratives."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self
from uuid import UUID

from pydantic import BaseModel, EmailStr, Field

from aggregates.base import CommandContext, QIAggregate, QICreated, QIEvent, Value
from aggregates.values import Licence, Name


class PersonDetails(Value):
    name: Name
    credentials: str | None = Field(default=None, max_length=200)  # e.g. "RN, CPEN"
    email: EmailStr | None = None
    licences: tuple[Licence, ...] = ()


class ParticipantState(BaseModel):
    collaborative_id: UUID | None = None
    details: PersonDetails


class Participant(QIAggregate):
    State = ParticipantState
    if TYPE_CHECKING:
        state: ParticipantState

    @classmethod
    def register(
        cls,
        ctx: CommandContext,
        participant_id: UUID,
        details: PersonDetails,
        collaborative_id: UUID | None = None,
    ) -> Self:
        """Register a person; `collaborative_id` is where they were first enrolled."""
        return cls._create_with(
            ctx,
            ParticipantRegistered,
            participant_id,
            collaborative_id=collaborative_id,
            details=details,
        )

    def update_details(self, ctx: CommandContext, details: PersonDetails) -> None:
        if details == self.state.details:
            return
        self._record(ctx, ParticipantDetailsUpdated, details=details)


class ParticipantRegistered(QICreated):
    details: PersonDetails

    def apply(self, aggregate: Participant) -> None:
        aggregate.state = ParticipantState(collaborative_id=self.collaborative_id, details=self.details)


class ParticipantDetailsUpdated(QIEvent):
    details: PersonDetails

    def apply(self, aggregate: Participant) -> None:
        aggregate.state.details = self.details
