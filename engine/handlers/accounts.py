"""Handlers of commands on accounts."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from aggregates.accounts import Account, EmailClaim, account_id
from aggregates.base import CommandContext
from aggregates.collaborative import Collaborative
from aggregates.errors import RuleViolation
from aggregates.idempotency import derived_id
from aggregates.participant import Participant, PersonDetails
from aggregates.values import MemberSpec
from engine.commands import Command
from engine.commands.accounts import (
    AcceptInvitation,
    AskPasswordReset,
    ChangePassword,
    DisableAccount,
    EnableAccount,
    GrantAccess,
    InvitePerson,
    LockAccount,
    RecordSignIn,
    RenewInvitation,
    ResetPassword,
    RevokeAccess,
)
from engine.errors import AlreadyExists, UnknownReference
from engine.handlers.handler import Handler
from engine.unit_of_work import UnitOfWork


def invite_person(uow: UnitOfWork, ctx: CommandContext, cmd: InvitePerson) -> UUID:
    """The person (registered now if new), on the team or with the access they are invited
    to, and their account with a fresh invitation; the address is claimed in the same save."""
    participant = _person(uow, ctx, cmd)
    account = account_id(participant.id)
    claim = _claim_email(uow, ctx, cmd.email_claim_id, account)
    expires = ctx.at + timedelta(days=uow.settings.invitation_days)
    invitation = derived_id(ctx, "invitation")
    if cmd.team_id is not None:
        _join(uow, ctx, cmd, participant)
    if uow.exists(Account, account):
        # Invited again: a fresh link if they have not accepted yet; someone who has is
        # simply on the team (or granted the access) now, and signs in as before.
        existing = uow.get(Account, account)
        if existing.state.status == "disabled":
            raise RuleViolation("this person's account is disabled; enable it first")
        if existing.state.status == "invited":
            existing.renew_invitation(ctx, invitation, expires)
        if cmd.access is not None:
            existing.grant(ctx, cmd.access)
    else:
        access = (cmd.access,) if cmd.access is not None else ()
        uow.add(
            Account.invite(
                ctx,
                participant.id,
                str(cmd.email),
                access,
                invitation,
                expires,
                cmd.team_id,
                cmd.email_claim_id,
            )
        )
    if claim is not None:
        uow.add(claim)
    return account


def _person(uow: UnitOfWork, ctx: CommandContext, cmd: InvitePerson) -> Participant:
    """Who is invited: the person named, the person whose account has the address already
    (inviting an email again reaches the same person), or someone new."""
    if cmd.participant_id is None and uow.exists(EmailClaim, cmd.email_claim_id):
        holder = uow.read(EmailClaim, cmd.email_claim_id).state.account_id
        if holder is not None and uow.exists(Account, holder):
            return uow.participant(uow.read(Account, holder).state.participant_id)
    if cmd.participant_id is not None:
        if not uow.exists(Participant, cmd.participant_id):
            raise UnknownReference(f"no participant with id {cmd.participant_id}")
        return uow.participant(cmd.participant_id)
    assert cmd.name is not None
    participant_id = derived_id(ctx, "participant")
    collaborative = uow.team(cmd.team_id).collaborative_id if cmd.team_id is not None else None
    person = Participant.register(
        ctx, participant_id, PersonDetails(name=cmd.name, email=str(cmd.email)), collaborative
    )
    uow.add(person)
    return person


def _claim_email(uow: UnitOfWork, ctx: CommandContext, claim_id: UUID, account: UUID) -> EmailClaim | None:
    """A new claim on the address for `account` (None when it already holds it, or takes a
    released one back); refused when it is another account's."""
    if not uow.exists(EmailClaim, claim_id):
        return EmailClaim.take(ctx, claim_id, account)
    claim = uow.get(EmailClaim, claim_id)
    if claim.state.account_id == account:
        return None
    if claim.state.account_id is not None:
        raise AlreadyExists("this email already belongs to another person's account")
    claim.retake(ctx, account)
    return None


def _join(uow: UnitOfWork, ctx: CommandContext, cmd: InvitePerson, participant: Participant) -> None:
    assert cmd.team_id is not None
    team = uow.team(cmd.team_id)
    assert team.collaborative_id is not None
    phase = uow.read(Collaborative, team.collaborative_id).phase
    if cmd.as_coach:
        previous = team.state.coach_id
        team.assign_coach(ctx, phase, participant.id)
        if previous is not None and previous != participant.id and uow.exists(Participant, previous):
            uow.participant(previous).stop_coaching(ctx, team.id)
        participant.start_coaching(ctx, team.id, team.collaborative_id)
        return
    assert cmd.discipline is not None
    team.add_member(
        ctx, phase, MemberSpec(participant_id=participant.id, discipline=cmd.discipline, role=cmd.member_role)
    )
    participant.join_team(ctx, team.id, team.collaborative_id)


def renew_invitation(uow: UnitOfWork, ctx: CommandContext, cmd: RenewInvitation) -> UUID:
    expires = ctx.at + timedelta(days=uow.settings.invitation_days)
    uow.get(Account, cmd.account_id).renew_invitation(ctx, derived_id(ctx, "invitation"), expires)
    return cmd.account_id


def accept_invitation(uow: UnitOfWork, ctx: CommandContext, cmd: AcceptInvitation) -> UUID:
    uow.get(Account, cmd.account_id).accept(ctx, cmd.invitation_id)
    return cmd.account_id


def record_sign_in(uow: UnitOfWork, ctx: CommandContext, cmd: RecordSignIn) -> UUID:
    uow.get(Account, cmd.account_id).signed_in(ctx, cmd.method)
    return cmd.account_id


def lock_account(uow: UnitOfWork, ctx: CommandContext, cmd: LockAccount) -> UUID:
    uow.get(Account, cmd.account_id).lock(ctx, cmd.until, cmd.failures)
    return cmd.account_id


def ask_password_reset(uow: UnitOfWork, ctx: CommandContext, cmd: AskPasswordReset) -> UUID:
    account = uow.get(Account, cmd.account_id)
    if account.state.status == "disabled":
        raise RuleViolation("this account is disabled")
    expires = ctx.at + timedelta(minutes=uow.settings.reset_minutes)
    account.ask_reset(ctx, derived_id(ctx, "password-reset"), expires)
    return cmd.account_id


def reset_password(uow: UnitOfWork, ctx: CommandContext, cmd: ResetPassword) -> UUID:
    uow.get(Account, cmd.account_id).reset_password(ctx, cmd.reset_id)
    return cmd.account_id


def change_password(uow: UnitOfWork, ctx: CommandContext, cmd: ChangePassword) -> UUID:
    uow.get(Account, cmd.account_id).change_password(ctx)
    return cmd.account_id


def grant_access(uow: UnitOfWork, ctx: CommandContext, cmd: GrantAccess) -> UUID:
    if cmd.access.collaborative_id is not None:
        uow.read(Collaborative, cmd.access.collaborative_id)
    uow.get(Account, cmd.account_id).grant(ctx, cmd.access)
    return cmd.account_id


def revoke_access(uow: UnitOfWork, ctx: CommandContext, cmd: RevokeAccess) -> UUID:
    uow.get(Account, cmd.account_id).revoke(ctx, cmd.access)
    return cmd.account_id


def disable_account(uow: UnitOfWork, ctx: CommandContext, cmd: DisableAccount) -> UUID:
    uow.get(Account, cmd.account_id).disable(ctx, cmd.reason)
    return cmd.account_id


def enable_account(uow: UnitOfWork, ctx: CommandContext, cmd: EnableAccount) -> UUID:
    uow.get(Account, cmd.account_id).enable(ctx)
    return cmd.account_id


HANDLERS: dict[type[Command], Handler] = {
    InvitePerson: invite_person,
    RenewInvitation: renew_invitation,
    AcceptInvitation: accept_invitation,
    RecordSignIn: record_sign_in,
    LockAccount: lock_account,
    AskPasswordReset: ask_password_reset,
    ResetPassword: reset_password,
    ChangePassword: change_password,
    GrantAccess: grant_access,
    RevokeAccess: revoke_access,
    DisableAccount: disable_account,
    EnableAccount: enable_account,
}
