"""Commands on accounts. Staff send the invitations and the access decisions; the
engine itself sends the rest on the person's behalf once they proved who they are
(a valid link, a matching password: engine.accounts), so no secret is ever in one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import EmailStr, Field, model_validator

from aggregates.accounts import Access, SignInMethod
from aggregates.values import Discipline, MemberRole, Name, Text
from engine.commands import Command
from engine.commands.fields import Flag, Strictly


class InvitePerson(Command):
    """Invite a person by email: as a member (or the coach) of a team, or with access
    (staff, auditor). A new person is registered on the way unless `participant_id`
    names one already known."""

    target_field = "participant_id"
    email: EmailStr
    name: Name | None = None
    participant_id: UUID | None = None
    team_id: UUID | None = None
    discipline: Discipline | None = Field(default=None, description="as a team member")
    member_role: MemberRole = MemberRole.MEMBER
    as_coach: Annotated[Flag, Field(description="the coach of `team_id`, not a member")] = False
    access: Access | None = None
    email_claim_id: UUID  # the keyed digest of the email (engine.link_tokens), filled by engine.accounts

    @model_validator(mode="after")
    def _complete(self) -> Self:
        problem = invitation_problem(self)
        if problem is not None:
            raise ValueError(problem)
        return self


def invitation_problem(invitation: Any) -> str | None:
    """What an invitation (the command, or the API's body for it) lacks, in words."""
    if invitation.participant_id is None and invitation.name is None:
        return "give the person's name (or the participant_id of someone already registered)"
    if invitation.team_id is None and invitation.access is None:
        return "invite to a team (team_id) or with access (staff or auditor)"
    if invitation.team_id is not None and not invitation.as_coach and invitation.discipline is None:
        return "a team member needs a discipline"
    if invitation.as_coach and invitation.team_id is None:
        return "a coach is invited to coach a team: give team_id"
    return None


class AccountCommand(Command):
    target_field = "account_id"
    account_id: UUID


class RenewInvitation(AccountCommand):
    pass


class AcceptInvitation(AccountCommand):
    invitation_id: UUID


class RecordSignIn(AccountCommand):
    method: SignInMethod


class LockAccount(AccountCommand):
    until: datetime
    failures: Annotated[int, Field(ge=1), Strictly()]


class AskPasswordReset(AccountCommand):
    pass


class ResetPassword(AccountCommand):
    reset_id: UUID


class ChangePassword(AccountCommand):
    pass


class GrantAccess(AccountCommand):
    access: Access


class RevokeAccess(AccountCommand):
    access: Access


class DisableAccount(AccountCommand):
    reason: Text


class EnableAccount(AccountCommand):
    pass
