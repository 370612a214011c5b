"""A Participant: a person who works on teams and earns CE credit across
collaboratives, and who attests to their part in a team's MOC Part 4 project."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Self
from uuid import UUID

from pydantic import BaseModel, EmailStr, Field, StringConstraints

from aggregates.base import CommandContext, QIAggregate, QICreated, QIEvent, Value
from aggregates.errors import RuleViolation
from aggregates.learner_ids import LearnerIds
from aggregates.personal import ERASED_PERSON, ERASED_TEXT, Keep, Personal, Sealed
from aggregates.values import Licence, Name, Text

# A person's personal data, each value sealed at rest under their key (aggregates.personal).
# Accreditors oblige a provider to keep a learner's name and licences with their CE
# record for a retention period after the person is erased; the rest goes at once.
Credentials = Annotated[str, StringConstraints(max_length=200)]  # e.g. "RN, CPEN"
Statement = Annotated[Text | Sealed, Personal(erased=ERASED_TEXT)]


class PersonDetails(Value):
    name: Annotated[Name | Sealed, Personal(Keep.CE_RECORD, erased=ERASED_PERSON)]
    credentials: Annotated[Credentials | Sealed | None, Personal()] = None
    email: Annotated[EmailStr | Sealed | None, Personal()] = None
    licences: Annotated[tuple[Licence, ...] | Sealed, Personal(Keep.CE_RECORD, erased=())] = ()
    # Names and numbers the accreditors ask for (aggregates.learner_ids), each optional until
    # the export that needs it; kept with the CE record like the name and licences.
    learner: Annotated[LearnerIds | Sealed | None, Personal(Keep.CE_RECORD)] = None


class ParticipantState(BaseModel):
    collaborative_id: UUID | None = None
    details: PersonDetails
    # team id -> the statement the participant attested for that team's MOC Part 4 project
    moc_part4_attestations: dict[UUID, Statement] = Field(default_factory=dict)
    # team id -> its collaborative, for each team this person coaches (kept beside the
    # Team's coach_id so a coach's reach is one read; empty in history before it was kept)
    coaching: dict[UUID, UUID] = Field(default_factory=dict)
    # team id -> its collaborative, for each team that lists this person as a member (kept
    # beside the Team's members so a person's teams are one read; empty in history before)
    teams: dict[UUID, UUID] = Field(default_factory=dict)
    erased_at: datetime | None = None  # when staff erased this person's personal data
    retained_until: datetime | None = None  # until when their CE record keeps name and licences


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
        self._not_erased("update their details")
        if details == self.state.details:
            return
        self._record(ctx, ParticipantDetailsUpdated, details=details)

    def attest_moc_part4(
        self, ctx: CommandContext, team_id: UUID, statement: str, *, collaborative_id: UUID | None = None
    ) -> None:
        """Attest to meaningful participation in a team's QI project (ABP MOC Part 4).

        Membership of the team is the engine's check (it spans two aggregates);
        repeating the same statement records nothing. `collaborative_id` is the
        team's, so the event is ordered with that collaborative's stream.
        """
        self._not_erased("attest")
        if self.state.moc_part4_attestations.get(team_id) == statement:
            return
        fields = {"collaborative_id": collaborative_id} if collaborative_id else {}
        self._record(ctx, MocPart4Attested, team_id=team_id, statement=statement, **fields)

    def start_coaching(self, ctx: CommandContext, team_id: UUID, collaborative_id: UUID) -> None:
        """Record that this person coaches the team; saved with the Team's CoachAssigned."""
        if self.state.coaching.get(team_id) == collaborative_id:
            return
        self._record(ctx, CoachingStarted, team_id=team_id, collaborative_id=collaborative_id)

    def stop_coaching(self, ctx: CommandContext, team_id: UUID) -> None:
        """Record that another coach took the team over (nothing if none was recorded)."""
        collaborative_id = self.state.coaching.get(team_id)
        if collaborative_id is not None:
            self._record(ctx, CoachingEnded, team_id=team_id, collaborative_id=collaborative_id)

    def join_team(self, ctx: CommandContext, team_id: UUID, collaborative_id: UUID) -> None:
        """Record that the team lists this person as a member; saved with the Team's event."""
        if self.state.teams.get(team_id) == collaborative_id:
            return
        self._record(ctx, JoinedTeam, team_id=team_id, collaborative_id=collaborative_id)

    def leave_team(self, ctx: CommandContext, team_id: UUID) -> None:
        collaborative_id = self.state.teams.get(team_id)
        if collaborative_id is not None:
            self._record(ctx, LeftTeam, team_id=team_id, collaborative_id=collaborative_id)

    def erase(self, ctx: CommandContext, reason: str, retained_until: datetime) -> None:
        """Erase this person's personal data at their request: at once, but for the name and
        licences their CE record must keep until `retained_until` (the engine destroys the
        keys: engine.erasure). Erasing twice records nothing."""
        if self.state.erased_at is not None:
            return
        self._record(ctx, PersonalDataErased, reason=reason, retained_until=retained_until)

    def end_retention(self, ctx: CommandContext) -> None:
        """The CE retention period ended: what it kept is erased too (nothing if not due)."""
        if self.state.retained_until is None or ctx.at < self.state.retained_until:
            return
        self._record(ctx, RetainedDataErased)

    @property
    def erased(self) -> bool:
        return self.state.erased_at is not None

    def _not_erased(self, doing: str) -> None:
        if self.state.erased_at is not None:
            raise RuleViolation(
                f"this person's personal data was erased on {self.state.erased_at:%-d %B %Y}: "
                f"they cannot {doing} any more"
            )

    def coaches_in(self, collaborative_id: UUID) -> bool:
        """Whether this person coaches a team of the collaborative, as far as recorded here."""
        return collaborative_id in self.state.coaching.values()


class ParticipantRegistered(QICreated):
    details: PersonDetails

    def apply(self, aggregate: Participant) -> None:
        aggregate.state = ParticipantState(collaborative_id=self.collaborative_id, details=self.details)


class ParticipantDetailsUpdated(QIEvent):
    details: PersonDetails

    def apply(self, aggregate: Participant) -> None:
        aggregate.state.details = self.details


class MocPart4Attested(QIEvent):
    """The participant attested to their part in the team's improvement project."""

    team_id: UUID
    statement: Statement

    def apply(self, aggregate: Participant) -> None:
        aggregate.state.moc_part4_attestations[self.team_id] = self.statement


class PersonalDataErased(QIEvent):
    """Staff erased the person's personal data at their request. Reads show "erased person"
    from now on; their CE record keeps name and licences until `retained_until`."""

    reason: Text
    retained_until: datetime

    def apply(self, aggregate: Participant) -> None:
        state = aggregate.state
        state.erased_at, state.retained_until = self.timestamp, self.retained_until
        state.details = PersonDetails(name=ERASED_PERSON)
        state.moc_part4_attestations = dict.fromkeys(state.moc_part4_attestations, ERASED_TEXT)


class RetainedDataErased(QIEvent):
    """The CE retention period of an erased person ended: their name and licences are gone
    from their CE records too."""

    def apply(self, aggregate: Participant) -> None:
        aggregate.state.retained_until = None


class CoachingStarted(QIEvent):
    """The participant became the coach of a team (of the event's collaborative)."""

    team_id: UUID

    def apply(self, aggregate: Participant) -> None:
        assert self.collaborative_id is not None
        aggregate.state.coaching[self.team_id] = self.collaborative_id


class CoachingEnded(QIEvent):
    """Another coach took the team over."""

    team_id: UUID

    def apply(self, aggregate: Participant) -> None:
        aggregate.state.coaching.pop(self.team_id, None)


class JoinedTeam(QIEvent):
    """The participant became a member of a team (of the event's collaborative)."""

    team_id: UUID

    def apply(self, aggregate: Participant) -> None:
        assert self.collaborative_id is not None
        aggregate.state.teams[self.team_id] = self.collaborative_id


class LeftTeam(QIEvent):
    """The team no longer lists the participant among its members."""

    team_id: UUID

    def apply(self, aggregate: Participant) -> None:
        aggregate.state.teams.pop(self.team_id, None)
