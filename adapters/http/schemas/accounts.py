"""What the API says about people's accounts (to staff)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, EmailStr, Field, model_validator

from adapters.http.schemas.common import NoNul
from aggregates.accounts import Access, Account, AccountStatus
from aggregates.values import Discipline, MemberRole, Name, Text
from engine.commands.accounts import invitation_problem


class InvitationBody(NoNul):
    """Invite a person by email: as a member (or the coach) of a team, or with access
    (staff, auditor). Inviting an email that already has an account invites that person
    again: a fresh link if they have not accepted yet, the new team or access if they have."""

    email: EmailStr
    name: Name | None = Field(default=None, description="a new person's name")
    participant_id: UUID | None = Field(
        default=None, description="someone already registered, instead of a name"
    )
    team_id: UUID | None = None
    discipline: Discipline | None = Field(default=None, description="as a team member")
    member_role: MemberRole = MemberRole.MEMBER
    as_coach: bool = Field(default=False, description="the coach of `team_id`, not a member")
    access: Access | None = None

    @model_validator(mode="after")
    def _complete(self) -> InvitationBody:
        problem = invitation_problem(self)  # the command's own rule, checked before it exists
        if problem is not None:
            raise ValueError(problem)
        return self


class DisableBody(NoNul):
    reason: Text = Field(description="why (kept in the audit trail)")


class AccountPublic(BaseModel):
    id: UUID
    participant_id: UUID
    name: str
    email: str | None = Field(description="None once the person was erased")
    status: AccountStatus
    access: list[Access]
    team_ids: list[UUID]
    coaches: bool
    invitation_expires_at: datetime | None
    last_signed_in_at: datetime | None
    locked_until: datetime | None
    disabled_reason: str | None

    @classmethod
    def of(cls, account: Account, name: str, team_ids: tuple[UUID, ...], coaches: bool) -> AccountPublic:
        s = account.state
        return cls(
            id=account.id, participant_id=s.participant_id, name=name,
            email=s.email if isinstance(s.email, str) and "@" in s.email else None, status=s.status,
            access=list(s.access), team_ids=list(team_ids), coaches=coaches,
            invitation_expires_at=s.invitation_expires_at if s.status == "invited" else None,
            last_signed_in_at=s.last_signed_in_at, locked_until=s.locked_until, disabled_reason=s.disabled_reason,
        )  # fmt: skip
