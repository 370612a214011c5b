"""A person's own pages: accepting an invitation, resetting a forgotten password, their
account, their home (what is theirs, by what they do), My teams and My credit; and staff's
invitation forms.

The links in invitation and reset emails carry their secret in the path; these pages
send no Referer (adapters.web.headers), so the secret never leaves in one."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from adapters.http.deps import get_queries
from adapters.http.errors import refusal_of
from adapters.web.field_errors import beside_fields
from adapters.web.forms import run_form
from adapters.web.pages import render, team_context
from adapters.web.session import (
    CSRF,
    FormExpired,
    check_sign_in_csrf,
    engine_of,
    remember_sign_in,
    sign_in_token,
    signed_in,
    start_session,
)
from aggregates.accounts import Access
from aggregates.base import Role
from aggregates.learner_ids import Board
from aggregates.reminders import ReminderKind
from aggregates.tokens import Grant, Principal
from aggregates.values import Discipline, MemberRole
from engine import web_sessions
from engine.accounts import LinkRefused, PasswordRefused, SignedIn
from engine.commands.activity import AttestMocPart4
from engine.commands.reminders import ChooseReminders
from engine.errors import Forbidden, NotFound
from engine.passwords import MIN_LENGTH

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(pattern=r"^[^\x00]*$")]
MAX_INVITES = 200  # one pasted list: a large collaborative's teams, invited a few at a time


# -- home -----------------------------------------------------------------------------
@router.get("/ui/my-teams")
def my_teams(request: Request) -> Response:
    principal = signed_in(request)
    queries = get_queries(request)
    teams = queries.my_teams(principal)
    return render(
        request, "my_teams.html", principal, teams=teams, awaiting=queries.reports_awaiting(principal),
        reminders=queries.my_reminders(principal),
    )  # fmt: skip


# -- invitations ----------------------------------------------------------------------
def _welcome(request: Request, secret: str, status: int = 200, **context: Any) -> Response:
    accounts = engine_of(request).accounts
    try:
        account = accounts.invitation(secret)
    except LinkRefused as refused:
        return render(request, "invitation.html", None, 410, refused=refused.message, account=None)
    name = accounts.principal(account).name
    page = render(request, "invitation.html", None, status, refused=None, person=name, email=account.state.email,
                  secret=secret, sign_in_csrf=sign_in_token(request), min_length=MIN_LENGTH, **context)  # fmt: skip
    return remember_sign_in(request, page)


@router.get("/ui/invitations/{secret}")
def invitation_page(request: Request, secret: str) -> Response:
    return _welcome(request, secret, field_errors={})


@router.post("/ui/invitations/{secret}")
def accept_invitation(
    request: Request, secret: str, password: Field = "", confirm: Field = "", csrf_token: Field = ""
) -> Response:
    accept = engine_of(request).accounts.accept
    return _choose_password(
        request, secret, password, confirm, csrf_token, _welcome, "invitation.html", accept
    )


def _choose_password(
    request: Request, secret: str, password: str, confirm: str, csrf_token: str,
    again: Callable[..., Response], page: str, choose: Callable[[str, str], SignedIn],
) -> Response:  # fmt: skip
    """A password chosen through an emailed link (an invitation, a reset): checked, set,
    and the person signed in; on a refusal, the link's page again with the reason beside
    the field (`again`), or the link's refusal (`page`)."""
    try:
        check_sign_in_csrf(request, csrf_token)
    except FormExpired as expired:
        return again(request, secret, 403, field_errors={}, error=expired.message)
    if password != confirm:
        return again(
            request,
            secret,
            422,
            field_errors={"confirm": "the two passwords differ; type the same one twice"},
        )
    try:
        signed = choose(secret, password)
    except PasswordRefused as refused:
        return again(request, secret, 422, field_errors={"password": refused.message})
    except LinkRefused as refused:
        return render(request, page, None, 410, refused=refused.message, account=None)
    session = web_sessions.start_for(engine_of(request), signed.principal)
    return start_session(request, RedirectResponse("/ui/", status_code=303), session)


# -- forgotten passwords --------------------------------------------------------------
@router.get("/ui/password-reset")
def forgot_page(request: Request) -> Response:
    page = render(
        request,
        "forgot.html",
        None,
        sent=False,
        email="",
        field_errors={},
        sign_in_csrf=sign_in_token(request),
    )
    return remember_sign_in(request, page)


@router.post("/ui/password-reset")
def ask_reset(request: Request, email: Field = "", csrf_token: Field = "") -> Response:
    """The same answer whether or not the email has an account (the work runs after it)."""
    try:
        check_sign_in_csrf(request, csrf_token)
    except FormExpired as expired:
        page = render(request, "forgot.html", None, 403, sent=False, email=email, field_errors={},
                      error=expired.message, sign_in_csrf=sign_in_token(request))  # fmt: skip
        return remember_sign_in(request, page)
    if "@" not in email:
        page = render(request, "forgot.html", None, 422, sent=False, email=email, sign_in_csrf=sign_in_token(request),
                      field_errors={"email": "type the email address you sign in with (it has an @)"})  # fmt: skip
        return remember_sign_in(request, page)
    engine = engine_of(request)
    engine.accounts.ask_reset(email)
    minutes = engine.settings.reset_minutes
    return render(request, "forgot.html", None, sent=True, email=email, minutes=minutes, field_errors={})


def _reset_form(request: Request, secret: str, status: int = 200, **context: Any) -> Response:
    try:
        engine_of(request).accounts.reset_account(secret)
    except LinkRefused as refused:
        return render(request, "reset.html", None, 410, refused=refused.message)
    page = render(request, "reset.html", None, status, refused=None, secret=secret, min_length=MIN_LENGTH,
                  sign_in_csrf=sign_in_token(request), **context)  # fmt: skip
    return remember_sign_in(request, page)


@router.get("/ui/password-reset/{secret}")
def reset_page(request: Request, secret: str) -> Response:
    return _reset_form(request, secret, field_errors={})


@router.post("/ui/password-reset/{secret}")
def reset_password(
    request: Request, secret: str, password: Field = "", confirm: Field = "", csrf_token: Field = ""
) -> Response:
    reset = engine_of(request).accounts.reset
    return _choose_password(request, secret, password, confirm, csrf_token, _reset_form, "reset.html", reset)


# -- the account ----------------------------------------------------------------------
def _account_page(request: Request, principal: Principal, status: int = 200, **context: Any) -> Response:
    engine = engine_of(request)
    account = engine.accounts.account(principal.account_id) if principal.account_id else None
    queries = get_queries(request)
    teams = queries.my_teams(principal) if account else []
    choices = queries.reminder_choices(principal) if account else []
    return render(request, "account.html", principal, status, account=account, teams=teams, choices=choices,
                  min_length=MIN_LENGTH, **({"field_errors": {}, "changed": False, "saved": False} | context))  # fmt: skip


@router.get("/ui/account")
def account_page(request: Request, changed: bool = False, reminders: str | None = None) -> Response:
    return _account_page(request, signed_in(request), changed=changed, saved=reminders == "saved")


@router.post("/ui/account/reminders", dependencies=CSRF)
def choose_reminders(
    request: Request,
    receive: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies a default
    command_id: Field = "",
) -> Response:
    """The kinds of reminder the person receives: the boxes ticked; every other kind is off."""
    principal = signed_in(request)
    if principal.account_id is None:
        return _account_page(
            request, principal, 409, field_errors={"reminders": "an API token receives no reminders"}
        )
    known = {kind.value for kind in ReminderKind}
    unknown = sorted(set(receive) - known)
    if unknown:
        problem = f"there is no kind of reminder called {unknown[0]!r}; tick the boxes shown"
        return _account_page(request, principal, 422, field_errors={"reminders": problem})
    chosen = (kind for kind in ReminderKind if kind is not ReminderKind.INVITATION_WAITING)
    off = tuple(kind for kind in chosen if kind.value not in receive)
    account = principal.account_id
    run_form(request, principal, command_id, lambda: ChooseReminders(account_id=account, off=off))
    return RedirectResponse("/ui/account?reminders=saved#reminders", status_code=303)


@router.get("/ui/account/export")
def export_my_data(request: Request) -> Response:
    """Everything the engine holds about the signed-in person, as a JSON download."""
    principal = signed_in(request)
    if principal.participant_id is None:
        raise Forbidden("an API token is no person: it has no personal data to export")
    found = get_queries(request).personal_data_export(principal, principal.participant_id)
    disposition = 'attachment; filename="my-data.json"'
    return Response(orjson.dumps(found, option=orjson.OPT_INDENT_2), media_type="application/json",
                    headers={"Content-Disposition": disposition})  # fmt: skip


@router.post("/ui/account/password", dependencies=CSRF)
def change_password(
    request: Request, current: Field = "", password: Field = "", confirm: Field = ""
) -> Response:
    principal = signed_in(request)
    if principal.account_id is None:
        return _account_page(
            request, principal, 409, field_errors={"current": "an API token has no password"}
        )
    if password != confirm:
        return _account_page(
            request,
            principal,
            422,
            field_errors={"confirm": "the two passwords differ; type the same one twice"},
        )
    engine = engine_of(request)
    try:
        signed = engine.accounts.change_password(principal.account_id, current, password)
    except PasswordRefused as refused:
        field = "current" if "current password" in refused.message else "password"
        return _account_page(request, principal, 422, field_errors={field: refused.message})
    session = web_sessions.start_for(
        engine, signed.principal
    )  # this browser stays signed in; the others are out
    return start_session(request, RedirectResponse("/ui/account?changed=true", status_code=303), session)


# -- My credit ------------------------------------------------------------------------
def my_credit_page(request: Request, principal: Principal, status: int = 200, **context: Any) -> Response:
    if principal.participant_id is None:
        return render(request, "my_credit.html", principal, status, tr=None, moc=[], team_names={}, **context)
    queries = get_queries(request)
    context = {"reminders": queries.my_reminders(principal)} | context
    transcript = queries.transcript(principal, principal.participant_id)
    moc = queries.moc_part4_status(principal, principal.participant_id)
    engine = engine_of(request)
    names = {s.team_id: engine.team(s.team_id).state.name for s in moc}
    learner = engine.participant(principal.participant_id).state.details.learner
    return render(request, "my_credit.html", principal, status, tr=transcript, moc=moc, team_names=names,
                  learner=learner, boards=list(Board), **({"error": None, "form": {}} | context))  # fmt: skip


@router.get("/ui/my-credit")
def my_credit(request: Request) -> Response:
    return my_credit_page(request, signed_in(request))


@router.post("/ui/my-credit/attestations/{team_id}", dependencies=CSRF)
def attest(request: Request, team_id: UUID, statement: Field = "", command_id: Field = "") -> Response:
    principal = signed_in(request)
    engine = engine_of(request)
    try:
        if principal.participant_id is None:
            raise PasswordRefused("only a person signed in to their account attests")
        command = AttestMocPart4(
            participant_id=principal.participant_id, team_id=team_id, statement=statement
        )
        engine.submit(principal, command, command_id=command_id or None)
    except Exception as exc:
        problem = refusal_of(exc)
        placed, rest = beside_fields(problem, {"statement": f"statement-{team_id}"})
        form = {"team_id": team_id, "statement": statement}
        return my_credit_page(request, principal, problem.status, error=rest, form=form, field_errors=placed)
    return RedirectResponse("/ui/my-credit#moc", status_code=303)


# -- staff's invitations --------------------------------------------------------------
@router.post("/ui/teams/{team_id}/invitations", dependencies=CSRF)
def invite_to_team(
    request: Request, team_id: UUID, people: Field = "", discipline: Field = "", member_role: Field = "member",
    as_coach: Field = "", command_id: Field = "",
) -> Response:  # fmt: skip
    """Invite one person or a pasted list ("name, email" per line, or a CSV with those
    columns) to the team. Every line is checked before anyone is invited."""
    principal = _staff(request)
    form = {"people": people, "discipline": discipline, "member_role": member_role, "as_coach": as_coach}
    rows, errors = parse_people(people)
    if not as_coach and discipline not in {d.value for d in Discipline}:
        errors.insert(0, "choose the discipline they work in on the team")
    if as_coach and len(rows) > 1:
        errors.insert(0, "a team has one coach: invite one person as its coach")
    if errors:
        context = team_context(request, principal, team_id) | {"invite_errors": errors, "form": form}
        return render(request, "team.html", principal, 422, **context)
    accounts, done, refused = engine_of(request).accounts, [], []
    for name, email in rows:
        fields: dict[str, Any] = {"email": email, "name": name, "team_id": team_id}
        fields |= (
            {"as_coach": True}
            if as_coach
            else {"discipline": discipline, "member_role": member_role or MemberRole.MEMBER}
        )
        try:
            accounts.invite(principal, **fields)
            done.append(email)
        except Exception as exc:
            problem = refusal_of(exc)
            refused.append(f"{name} <{email}>: {problem.detail}")
    if refused:
        context = team_context(request, principal, team_id) | {
            "invite_errors": refused,
            "invited_now": done,
            "form": form,
        }
        return render(request, "team.html", principal, 422, **context)
    return RedirectResponse(f"/ui/teams/{team_id}?invited={len(done)}#members", status_code=303)


def parse_people(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """("name", "email") for each line of a pasted list or CSV (a header line naming
    name and email is skipped), and an error for every line that is not one, by number."""
    rows, errors = [], []
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return [], ["paste at least one line: the person's name, a comma, their email"]
    if len(lines) > MAX_INVITES:
        return [], [f"invite at most {MAX_INVITES} people at once (this list has {len(lines)})"]
    for number, cells in enumerate(csv.reader(io.StringIO("\n".join(lines))), 1):
        cells = [c.strip() for c in cells]
        if number == 1 and [c.lower() for c in cells[:2]] in (["name", "email"], ["name", "e-mail"]):
            continue
        if len(cells) != 2 or not cells[0] or "@" not in cells[1] or " " in cells[1]:
            errors.append(f"line {number}: expected “name, email” (e.g. “Dana Reyes, dana@mercy.example”)")
            continue
        rows.append((cells[0], cells[1]))
    return rows, errors


@router.get("/ui/people")
def people_page(request: Request) -> Response:
    principal = _staff(request)
    return render(request, "people.html", principal, **_people(request, principal))


def _staff(request: Request) -> Principal:
    principal = signed_in(request)
    if not principal.staff:
        raise Forbidden("only staff invite people and grant access")
    return principal


def _people(request: Request, principal: Principal, **context: Any) -> dict[str, Any]:
    collaboratives = get_queries(request).collaboratives(principal)
    tokens = sorted(engine_of(request).tokens(), key=lambda t: t.state.issued_at, reverse=True)
    return {
        "field_errors": {}, "form": {}, "invited": None, "collaboratives": collaboratives, "tokens": tokens,
        "token_roles": [Role.SUBSCRIBER, Role.STAFF, Role.AUDITOR], "token_errors": {}, "token_form": {},
        "new_token": None, "now": engine_of(request).clock(),
    } | context  # fmt: skip


@router.post("/ui/people/tokens", dependencies=CSRF)
def issue_token(
    request: Request, name: Field = "", role: Field = "", expires_in_days: Field = ""
) -> Response:
    """Issue an API token for a service or a script (staff); its secret is shown once."""
    principal = _staff(request)
    form = {"name": name, "role": role, "expires_in_days": expires_in_days}
    errors = {}
    if not name.strip():
        errors["token-name"] = "name what the token is for (e.g. the data warehouse's feed reader)"
    if role not in (Role.SUBSCRIBER.value, Role.STAFF.value, Role.AUDITOR.value):
        errors["token-role"] = "choose subscriber, staff or auditor"
    days = None
    if expires_in_days.strip():
        try:
            days = int(expires_in_days)
            if not 1 <= days <= 3650:
                raise ValueError
        except ValueError:
            errors["token-expires"] = "a whole number of days from 1 to 3650, or empty for no expiry"
    engine = engine_of(request)
    if errors:
        return render(
            request,
            "people.html",
            principal,
            422,
            **_people(request, principal, token_errors=errors, token_form=form),
        )
    ctx = engine.context(principal.actor)
    expires = ctx.at + timedelta(days=days) if days is not None else None
    secret = engine.issue_token(Grant(name=name.strip(), role=Role(role), expires_at=expires), ctx)
    return render(request, "people.html", principal, 201, **_people(request, principal, new_token=secret))


@router.post("/ui/people/tokens/{token_id}/revocation", dependencies=CSRF)
def revoke_token(request: Request, token_id: UUID) -> Response:
    """Revoke a token: its API access, page sessions and open event streams end at once."""
    principal = _staff(request)
    engine = engine_of(request)
    if not any(t.id == token_id for t in engine.tokens()):
        raise NotFound("token", token_id)
    engine.revoke_token(token_id, engine.context(principal.actor))
    return RedirectResponse("/ui/people#tokens", status_code=303)


@router.post("/ui/people/invitations", dependencies=CSRF)
def invite_with_access(
    request: Request, name: Field = "", email: Field = "", role: Field = "", collaborative_id: Field = ""
) -> Response:
    """Invite a person as organisation staff, or as an auditor (of one collaborative or all)."""
    principal = _staff(request)
    form = {"name": name, "email": email, "role": role, "collaborative_id": collaborative_id}
    errors = {}
    if role not in (Role.STAFF.value, Role.AUDITOR.value):
        errors["role"] = "choose staff or auditor"
    if not name.strip():
        errors["name"] = "type the person's name"
    if "@" not in email:
        errors["email"] = "type their email address (it has an @)"
    if not errors:
        try:
            scope = UUID(collaborative_id) if collaborative_id and role == Role.AUDITOR.value else None
            access = Access(role=Role(role), collaborative_id=scope)  # type: ignore[arg-type]
            engine_of(request).accounts.invite(principal, name=name, email=email, access=access)
        except Exception as exc:
            problem = refusal_of(exc)
            errors["email"] = problem.detail
    if errors:
        return render(
            request,
            "people.html",
            principal,
            422,
            **_people(request, principal, field_errors=errors, form=form),
        )
    return render(request, "people.html", principal, **_people(request, principal, invited=email))
