"""Accounts: a person's way in. One account per Participant, invited by email.

An account holds the person's sign-in email (personal data, sealed under the person's
key) and what they were granted beyond their teams: organisation staff, or auditor of
some collaboratives. Team membership and coaching are the Team's and the Participant's
(a person is a member of the teams that list them, and coaches the teams they were
assigned): an account only adds the way to act as that person.

Every step is an event (invited, accepted, signed in, locked, password reset or changed,
disabled, enabled, granted, revoked), and none carries a secret: a password's hash lives
in its own table (engine.passwords), and an invitation or reset link's secret is a
signature of its id (engine.link_tokens), never stored.

An `EmailClaim` makes an email belong to one account at most: its id is a keyed digest
of the address (engine.accounts.email_claim_id), taken in the same save as the account.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal, Self
from uuid import UUID, uuid5

from pydantic import BaseModel, EmailStr, Field

from aggregates.base import CommandContext, QIAggregate, QICreated, QIEvent, Role, Value
from aggregates.errors import RuleViolation
from aggregates.personal import Personal, Sealed
from aggregates.reminders import ReminderKind

NAMESPACE = UUID("8e2b4c71-0d5f-4a36-b9e8-7c1f2a6d3e90")
# Erased, the address is None: "(erased)" is no email address, and would fail to load the account.
Email = Annotated[EmailStr | Sealed | None, Personal(subject="participant_id")]
SignInMethod = Literal["password", "single sign-on"]
AccountStatus = Literal["invited", "active", "disabled"]


def account_id(participant_id: UUID) -> UUID:
    """The account of a person: one each, so its id follows from theirs."""
    return uuid5(NAMESPACE, f"account\x1f{participant_id}")


class Access(Value):
    """What an account was granted beyond its teams: organisation staff (every
    collaborative), or auditor of one collaborative (or of all, without one)."""

    role: Literal[Role.STAFF, Role.AUDITOR]
    collaborative_id: UUID | None = None

    def describe(self) -> str:
        return "staff" if self.role is Role.STAFF else "auditor"


class AccountState(BaseModel):
    collaborative_id: UUID | None = None  # accounts belong to the organisation, not a collaborative
    participant_id: UUID
    email: Email
    email_claim_id: UUID | None = None  # the EmailClaim that makes the address this account's
    status: AccountStatus = "invited"
    access: tuple[Access, ...] = ()
    invitation_id: UUID | None = None  # the link that is valid now (a renewal replaces it)
    invitation_expires_at: datetime | None = None
    invited_team_id: UUID | None = None  # where the invitation brings them, for the message and the landing
    accepted_at: datetime | None = None
    reset_id: UUID | None = None  # the password reset link valid now, if one was asked for
    reset_expires_at: datetime | None = None
    locked_until: datetime | None = None
    # Moves on each password change or reset and each disabling: a session started under
    # an earlier generation is over (engine.web_sessions), whatever the clocks say.
    session_generation: int = 0
    last_signed_in_at: datetime | None = None
    disabled_reason: str | None = None
    erased: bool = False  # the person's personal data was erased: closed for good
    reminders_off: tuple[ReminderKind, ...] = ()  # the kinds of reminder this person turned off


class Account(QIAggregate):
    State = AccountState
    if TYPE_CHECKING:
        state: AccountState

    @classmethod
    def invite(
        cls,
        ctx: CommandContext,
        participant_id: UUID,
        email: str,
        access: tuple[Access, ...],
        invitation_id: UUID,
        expires_at: datetime,
        team_id: UUID | None,
        email_claim_id: UUID,
    ) -> Self:
        return cls._create_with(
            ctx, AccountInvited, account_id(participant_id), collaborative_id=None,
            participant_id=participant_id, email=email, access=access, invitation_id=invitation_id,
            expires_at=expires_at, team_id=team_id, email_claim_id=email_claim_id,
        )  # fmt: skip

    # -- invitation -----------------------------------------------------------------
    def renew_invitation(self, ctx: CommandContext, invitation_id: UUID, expires_at: datetime) -> None:
        """A fresh link for someone who has not accepted yet; the old one stops working."""
        if self.state.status != "invited":
            raise RuleViolation(
                "this person has already accepted their invitation: they sign in, or reset their password"
            )
        self._record(ctx, InvitationRenewed, invitation_id=invitation_id, expires_at=expires_at)

    def invitation_problem(self, invitation_id: UUID, now: datetime) -> str | None:
        """Why this invitation link cannot be used now, in the invitee's words; None if it can."""
        s = self.state
        if s.status == "disabled":
            return "this account is disabled; ask the collaborative's staff"
        if s.status == "active" or (s.invitation_id != invitation_id and s.accepted_at is not None):
            return "this invitation was already used; sign in, or reset your password if you forgot it"
        if s.invitation_id != invitation_id:
            return "this invitation was replaced by a newer one; use the link in the latest email"
        if s.invitation_expires_at is not None and now >= s.invitation_expires_at:
            return "this invitation has expired; ask the collaborative's staff to send a new one"
        return None

    def accept(self, ctx: CommandContext, invitation_id: UUID) -> None:
        problem = self.invitation_problem(invitation_id, ctx.at)
        if problem is not None:
            raise RuleViolation(problem)
        self._record(ctx, InvitationAccepted, invitation_id=invitation_id)

    # -- signing in -----------------------------------------------------------------
    def sign_in_problem(self, now: datetime) -> str | None:
        """Why this account may not sign in now (for the log and the audit, never shown to
        whoever typed the email: they get the same answer as for a wrong password)."""
        s = self.state
        if s.status == "invited":
            return "the invitation was not accepted yet"
        if s.status == "disabled":
            return "the account is disabled"
        if s.locked_until is not None and now < s.locked_until:
            return "the account is locked after repeated failed sign-ins"
        return None

    def signed_in(self, ctx: CommandContext, method: SignInMethod) -> None:
        self._record(ctx, SignedIn, method=method)

    def lock(self, ctx: CommandContext, until: datetime, failures: int) -> None:
        self._record(ctx, AccountLocked, until=until, failures=failures)

    # -- passwords ------------------------------------------------------------------
    def ask_reset(self, ctx: CommandContext, reset_id: UUID, expires_at: datetime) -> None:
        self._record(ctx, PasswordResetRequested, reset_id=reset_id, expires_at=expires_at)

    def reset_problem(self, reset_id: UUID, now: datetime) -> str | None:
        s = self.state
        if s.status == "disabled":
            return "this account is disabled; ask the collaborative's staff"
        if s.reset_id != reset_id:
            return "this reset link was already used or replaced; ask for a new one"
        if s.reset_expires_at is not None and now >= s.reset_expires_at:
            return "this reset link has expired; ask for a new one"
        return None

    def reset_password(self, ctx: CommandContext, reset_id: UUID) -> None:
        problem = self.reset_problem(reset_id, ctx.at)
        if problem is not None:
            raise RuleViolation(problem)
        self._record(ctx, PasswordReset, reset_id=reset_id)

    def change_password(self, ctx: CommandContext) -> None:
        self._record(ctx, PasswordChanged)

    # -- staff's decisions ----------------------------------------------------------
    def grant(self, ctx: CommandContext, access: Access) -> None:
        if access not in self.state.access:
            self._record(ctx, AccessGranted, access=access)

    def revoke(self, ctx: CommandContext, access: Access) -> None:
        if access in self.state.access:
            self._record(ctx, AccessRevoked, access=access)

    def disable(self, ctx: CommandContext, reason: str) -> None:
        if self.state.status != "disabled":
            self._record(ctx, AccountDisabled, reason=reason)

    def enable(self, ctx: CommandContext) -> None:
        if self.state.erased:
            raise RuleViolation("this person's personal data was erased: invite them again for a new account")
        if self.state.status == "disabled":
            self._record(ctx, AccountEnabled)

    def erase(self, ctx: CommandContext) -> None:
        """The person was erased: the account closes for good and forgets the address
        (also in every copy held in memory, which catches up with this event)."""
        if not self.state.erased:
            self._record(ctx, AccountErased)

    # -- the person's own choices -----------------------------------------------------
    def choose_reminders(self, ctx: CommandContext, off: tuple[ReminderKind, ...]) -> None:
        """The kinds of reminder the person wants no more (the others are on)."""
        chosen = tuple(kind for kind in ReminderKind if kind in off)
        if chosen != self.state.reminders_off:
            self._record(ctx, RemindersChosen, off=chosen)

    def reminded_of(self, kind: ReminderKind) -> bool:
        return kind not in self.state.reminders_off

    def session_valid(self, generation: int, now: datetime) -> bool:
        """Whether a session this account started in `generation` may still act."""
        s = self.state
        if s.status != "active" or (s.locked_until is not None and now < s.locked_until):
            return False
        return generation == s.session_generation


class AccountInvited(QICreated):
    participant_id: UUID
    email: Email
    access: tuple[Access, ...] = ()
    invitation_id: UUID
    expires_at: datetime
    team_id: UUID | None = None
    email_claim_id: UUID

    def apply(self, aggregate: Account) -> None:
        aggregate.state = AccountState(
            participant_id=self.participant_id, email=self.email, access=self.access,
            invitation_id=self.invitation_id, invitation_expires_at=self.expires_at,
            invited_team_id=self.team_id, email_claim_id=self.email_claim_id,
        )  # fmt: skip


class InvitationRenewed(QIEvent):
    invitation_id: UUID
    expires_at: datetime

    def apply(self, aggregate: Account) -> None:
        aggregate.state.invitation_id = self.invitation_id
        aggregate.state.invitation_expires_at = self.expires_at


class InvitationAccepted(QIEvent):
    invitation_id: UUID

    def apply(self, aggregate: Account) -> None:
        s = aggregate.state
        s.status, s.accepted_at = "active", self.timestamp


class SignedIn(QIEvent):
    method: SignInMethod

    def apply(self, aggregate: Account) -> None:
        aggregate.state.last_signed_in_at = self.timestamp


class AccountLocked(QIEvent):
    until: datetime
    failures: int = Field(ge=1)

    def apply(self, aggregate: Account) -> None:
        aggregate.state.locked_until = self.until


class PasswordResetRequested(QIEvent):
    reset_id: UUID
    expires_at: datetime

    def apply(self, aggregate: Account) -> None:
        aggregate.state.reset_id, aggregate.state.reset_expires_at = self.reset_id, self.expires_at


class PasswordReset(QIEvent):
    """A new password set through an emailed link: every session before it is over, and
    a lock is lifted (whoever holds the mailbox is the person)."""

    reset_id: UUID

    def apply(self, aggregate: Account) -> None:
        s = aggregate.state
        s.reset_id = s.reset_expires_at = s.locked_until = None
        s.session_generation += 1


class PasswordChanged(QIEvent):
    def apply(self, aggregate: Account) -> None:
        aggregate.state.session_generation += 1


class AccessGranted(QIEvent):
    access: Access

    def apply(self, aggregate: Account) -> None:
        aggregate.state.access = (*aggregate.state.access, self.access)


class AccessRevoked(QIEvent):
    access: Access

    def apply(self, aggregate: Account) -> None:
        aggregate.state.access = tuple(a for a in aggregate.state.access if a != self.access)


class AccountDisabled(QIEvent):
    reason: str = Field(min_length=1, max_length=500)

    def apply(self, aggregate: Account) -> None:
        s = aggregate.state
        s.status, s.disabled_reason = "disabled", self.reason
        s.session_generation += 1


class AccountErased(QIEvent):
    """The person's personal data was erased (with their Participant's PersonalDataErased)."""

    def apply(self, aggregate: Account) -> None:
        s = aggregate.state
        s.status, s.disabled_reason, s.erased, s.email = (
            "disabled",
            "their personal data was erased",
            True,
            None,
        )
        s.invitation_id = s.reset_id = None
        s.session_generation += 1


class AccountEnabled(QIEvent):
    def apply(self, aggregate: Account) -> None:
        s = aggregate.state
        s.status = "active" if s.accepted_at is not None else "invited"
        s.disabled_reason = None


class RemindersChosen(QIEvent):
    """The person chose which kinds of reminder they want no more."""

    off: tuple[ReminderKind, ...] = ()

    def apply(self, aggregate: Account) -> None:
        aggregate.state.reminders_off = self.off


class EmailClaimState(BaseModel):
    collaborative_id: UUID | None = None
    account_id: UUID | None  # None once released (the person was erased)


class EmailClaim(QIAggregate):
    """An email address, taken by one account. Its id is a keyed digest of the address,
    so the store holds no address in it; it is found again only by who holds the key."""

    State = EmailClaimState
    if TYPE_CHECKING:
        state: EmailClaimState

    @classmethod
    def take(cls, ctx: CommandContext, claim_id: UUID, account: UUID) -> Self:
        return cls._create_with(ctx, EmailClaimed, claim_id, collaborative_id=None, account_id=account)

    def release(self, ctx: CommandContext) -> None:
        if self.state.account_id is not None:
            self._record(ctx, EmailReleased)

    def retake(self, ctx: CommandContext, account: UUID) -> None:
        """A released address, taken by a new account."""
        if self.state.account_id is not None:
            raise RuleViolation("this email already belongs to an account")
        self._record(ctx, EmailRetaken, account_id=account)


class EmailClaimed(QICreated):
    account_id: UUID

    def apply(self, aggregate: EmailClaim) -> None:
        aggregate.state = EmailClaimState(account_id=self.account_id)


class EmailReleased(QIEvent):
    def apply(self, aggregate: EmailClaim) -> None:
        aggregate.state.account_id = None


class EmailRetaken(QIEvent):
    account_id: UUID

    def apply(self, aggregate: EmailClaim) -> None:
        aggregate.state.account_id = self.account_id
