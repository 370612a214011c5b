"""People's accounts, for staff: invitations, the list, access granted and revoked,
disabling and enabling. Signing in is the pages' (people) and tokens' (services)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from adapters.http.deps import EngineDep, PrincipalDep, RunDep
from adapters.http.errors import READ_ERRORS, WRITE_ERRORS
from adapters.http.schemas.accounts import AccountPublic, DisableBody, InvitationBody
from adapters.http.schemas.common import CommandResult
from aggregates.accounts import Access
from engine.authorization import authorize_staff
from engine.commands.accounts import DisableAccount, EnableAccount, GrantAccess, RenewInvitation, RevokeAccess
from engine.errors import Forbidden, NotFound

router = APIRouter(tags=["accounts"])


@router.post("/invitations", status_code=201, responses=WRITE_ERRORS)
def invite(body: InvitationBody, run: RunDep, engine: EngineDep) -> CommandResult:
    """Invite a person by email (staff); the invitation leaves through the outbox."""
    fields = body.model_dump(exclude_none=True)
    outcome = engine.accounts.send_invitation(run.principal, command_id=run.command_id, **fields)
    result: CommandResult = outcome
    return result


@router.get("/accounts", responses=READ_ERRORS)
def accounts(engine: EngineDep, principal: PrincipalDep) -> list[AccountPublic]:
    """Every person's account, in the order they were invited (staff, and auditors of every
    collaborative: accounts belong to the organisation)."""
    _organisation_wide(principal, "list people's accounts")
    return [_public(engine, a) for a in engine.accounts.everyone()]


@router.get("/accounts/{account_id}", responses=READ_ERRORS)
def account(account_id: UUID, engine: EngineDep, principal: PrincipalDep) -> AccountPublic:
    if principal.account_id != account_id:
        _organisation_wide(principal, "read people's accounts")
    found = engine.accounts.account(account_id)
    if found is None:
        raise NotFound("account", account_id)
    return _public(engine, found)


def _organisation_wide(principal: PrincipalDep, what: str) -> None:
    authorize_staff(principal, what)
    if not principal.staff and principal.audits is not None:
        raise Forbidden(f"only staff and auditors of every collaborative may {what}")


def _public(engine: EngineDep, account: object) -> AccountPublic:
    person = engine.accounts.principal(account)  # type: ignore[arg-type]
    return AccountPublic.of(account, person.name, person.team_ids, person.coaches)  # type: ignore[arg-type]


@router.post("/accounts/{account_id}/invitation", responses=WRITE_ERRORS)
def renew(account_id: UUID, run: RunDep) -> CommandResult:
    """A fresh invitation link for someone who has not accepted yet (the old one stops working)."""
    return run(RenewInvitation(account_id=account_id))


@router.post("/accounts/{account_id}/access", responses=WRITE_ERRORS)
def grant(account_id: UUID, body: Access, run: RunDep) -> CommandResult:
    return run(GrantAccess(account_id=account_id, access=body))


@router.post("/accounts/{account_id}/access/revocations", responses=WRITE_ERRORS)
def revoke(account_id: UUID, body: Access, run: RunDep) -> CommandResult:
    return run(RevokeAccess(account_id=account_id, access=body))


@router.post("/accounts/{account_id}/disabling", responses=WRITE_ERRORS)
def disable(account_id: UUID, body: DisableBody, run: RunDep) -> CommandResult:
    """Disable an account: its sessions end at once and it cannot sign in until enabled."""
    return run(DisableAccount(account_id=account_id, reason=body.reason))


@router.post("/accounts/{account_id}/enabling", responses=WRITE_ERRORS)
def enable(account_id: UUID, run: RunDep) -> CommandResult:
    return run(EnableAccount(account_id=account_id))
