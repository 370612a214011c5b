"""A person records the names and numbers the accreditors need of them, on My credit: first
and last name, birthday (month and day), NPI, board ids, state licences, NABP e-Profile ID
and NREMT number. Boards and licences come as numbered rows (`board_0`, `board_number_0`,
…), every one already on record plus an empty one to add; each refusal is placed beside
the field it is about."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from adapters.http.errors import FieldError, refusal_of
from adapters.web.account_pages import my_credit_page
from adapters.web.field_errors import in_words
from adapters.web.forms import run_form
from adapters.web.session import csrf_protected, signed_in
from engine.commands.activity import RecordLearnerIds
from engine.errors import Forbidden

router = APIRouter(include_in_schema=False)
ROWS = 20  # at most this many board or licence rows are read
SINGLE = ("first_name", "last_name", "npi", "nabp_eprofile_id", "nremt_id")


def learner_of(form: dict[str, str]) -> dict[str, Any]:
    """The command's `learner` from the form's fields: empty fields left out."""
    learner: dict[str, Any] = {name: form[name].strip() for name in SINGLE if form.get(name, "").strip()}
    month, day = form.get("birth_month", "").strip(), form.get("birth_day", "").strip()
    if month or day:
        learner["birth_day"] = {"month": _number(month), "day": _number(day)}
    learner["boards"] = [
        {"board": form.get(f"board_{i}", ""), "number": form.get(f"board_number_{i}", "").strip()}
        for i in range(ROWS) if form.get(f"board_{i}") or form.get(f"board_number_{i}", "").strip()
    ]  # fmt: skip
    learner["state_licences"] = [
        {"state": form.get(f"licence_state_{i}", "").strip(), "number": form.get(f"licence_number_{i}", "").strip()}
        for i in range(ROWS)
        if form.get(f"licence_state_{i}", "").strip() or form.get(f"licence_number_{i}", "").strip()
    ]  # fmt: skip
    return learner


def _number(text: str) -> int | str | None:
    return int(text) if text.isdigit() else (text or None)


def field_of(error: FieldError) -> str:
    """The form field a refusal of the command's `learner` is about."""
    loc = [part for part in error.loc if part not in ("body", "learner")]
    head = str(loc[0]) if loc else "first_name"
    if head == "birth_day":
        return "birth_month" if "month" in loc else "birth_day"
    if head in ("boards", "state_licences"):
        row = next((part for part in loc if isinstance(part, int)), 0)
        last = str(loc[-1])
        if head == "boards":
            return f"board_number_{row}" if last == "number" else f"board_{row}"
        return f"licence_number_{row}" if last == "number" else f"licence_state_{row}"
    return head


@router.post("/ui/my-credit/ids")
async def record_my_ids(request: Request) -> Response:
    """Record the signed-in person's ids for the accreditors (the form is read whole, its rows
    not being fixed, then handled off the event loop); show it again on a refusal."""
    form = {str(k): str(v) for k, v in (await request.form(max_fields=200)).multi_items()}
    return await run_in_threadpool(_record, request, form)


def _record(request: Request, form: dict[str, str]) -> Response:
    csrf_protected(request, form.get("csrf_token", ""))
    principal = signed_in(request)
    if principal.participant_id is None:
        raise Forbidden("a person records their ids signed in to their own account")
    participant: UUID = principal.participant_id

    def build() -> RecordLearnerIds:
        return RecordLearnerIds.model_validate({"participant_id": participant, "learner": learner_of(form)})

    try:
        run_form(request, principal, form.get("command_id", ""), build)
    except Exception as exc:
        problem = refusal_of(exc)
        placed: dict[str, str] = {}
        for error in problem.errors or []:
            placed.setdefault(field_of(error), in_words(error))
        return my_credit_page(request, principal, problem.status, error=None if placed else problem,
                              ids_form=form, field_errors=placed)  # fmt: skip
    return RedirectResponse("/ui/my-credit?ids=recorded#ids", status_code=303)
