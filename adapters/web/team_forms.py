"""The team page's forms for a team's own work: an assessment filled in from its
instrument, a coaching note, staff assigning the coach and adding a member, and sharing
the project with its storyboard (adapters.web.storyboard). Each runs the command the API
would, through the same authorization; a refusal shows the page again, the values kept
and each error beside its field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from adapters.http.errors import InvalidInput, refusal_of
from adapters.web import storyboard
from adapters.web.field_errors import beside_fields, fields_refused
from adapters.web.forms import Field, act_beside_fields, run_form
from adapters.web.pages import render, team_context
from adapters.web.session import CSRF, check_csrf, csrf_protected, engine_of, signed_in
from aggregates.instruments import INSTRUMENTS, AnswersRefused
from aggregates.tokens import Principal
from aggregates.values import AssessmentKind
from engine.commands import Command
from engine.commands.team import AddCoachingNote, AddMember, AssignCoach, SubmitAssessment

router = APIRouter(include_in_schema=False)


def _on_team(
    request: Request, team_id: UUID, build: Callable[[], Command], command_id: str, form: dict[str, Any],
    fields: dict[str, str], anchor: str,
) -> Response:  # fmt: skip
    again: Callable[[Principal], dict[str, Any]] = lambda principal: team_context(request, principal, team_id)  # noqa: E731
    done = lambda outcome: f"/ui/teams/{team_id}#{anchor}"  # noqa: E731
    return act_beside_fields(
        request, build, command_id, done, again, "team.html", form, fields | {f: f for f in form}
    )


@router.post("/ui/teams/{team_id}/assessments")
async def submit_assessment(request: Request, team_id: UUID) -> Response:
    """A gap analysis or environmental scan, answered item by item on its instrument's
    form (one radio group per item, so the form's field names are the instrument's)."""
    sent = {str(k): str(v) for k, v in (await request.form()).multi_items()}
    return await run_in_threadpool(_submit_assessment, request, team_id, sent)


def _submit_assessment(request: Request, team_id: UUID, sent: dict[str, str]) -> Response:
    csrf_protected(request, sent.get("csrf_token", ""))
    kind = sent.get("kind", "")
    instrument = INSTRUMENTS.get(AssessmentKind(kind)) if kind in set(AssessmentKind) else None
    answers = {i.key: sent.get(i.key, "") for i in instrument.items} if instrument else {}

    def build() -> Command:
        if instrument is None:
            raise fields_refused({"kind": "choose the gap analysis or the environmental scan"})
        try:
            assessment = instrument.assessment(answers)
        except AnswersRefused as unanswered:
            raise fields_refused(unanswered.problems) from None
        return SubmitAssessment(team_id=team_id, kind=assessment.kind, items=assessment.items)

    form = {"kind": kind, **answers}
    return _on_team(request, team_id, build, sent.get("command_id", ""), form, {}, "assessments")


@router.post("/ui/teams/{team_id}/coaching-notes", dependencies=CSRF)
def add_coaching_note(
    request: Request, team_id: UUID, note_text: Field = "", note_about: Field = "", command_id: Field = ""
) -> Response:
    """A coaching note (the team's coach, and staff), about the team or one of its members."""
    form = {"note_text": note_text, "note_about": note_about}

    def build() -> Command:
        if not note_text.strip():
            raise fields_refused({"note_text": "write the note first"})
        return AddCoachingNote(
            team_id=team_id, text=note_text, about=_person(note_about, "note_about") if note_about else None
        )

    return _on_team(
        request, team_id, build, command_id, form, {"text": "note_text", "about": "note_about"}, "coaching"
    )


@router.post("/ui/teams/{team_id}/coach", dependencies=CSRF)
def assign_coach(request: Request, team_id: UUID, coach_id: Field = "", command_id: Field = "") -> Response:
    """Staff choose the team's coach among the collaborative's people."""
    form = {"coach_id": coach_id}

    def build() -> Command:
        if not coach_id:
            raise fields_refused({"coach_id": "choose the person who will coach the team"})
        return AssignCoach(team_id=team_id, coach_id=_person(coach_id, "coach_id"))

    return _on_team(request, team_id, build, command_id, form, {}, "members")


@router.post("/ui/teams/{team_id}/members", dependencies=CSRF)
def add_member(
    request: Request, team_id: UUID, add_participant_id: Field = "", add_discipline: Field = "",
    add_role: Field = "member", command_id: Field = "",
) -> Response:  # fmt: skip
    """Add someone who already works in the collaborative to the team, with their discipline and role."""
    form = {"add_participant_id": add_participant_id, "add_discipline": add_discipline, "add_role": add_role}

    def build() -> Command:
        problems = {}
        if not add_participant_id:
            problems["add_participant_id"] = "choose the person to add"
        if not add_discipline:
            problems["add_discipline"] = "choose the discipline they work in on the team"
        if problems:
            raise fields_refused(problems)
        member = {"participant_id": _person(add_participant_id, "add_participant_id"), "discipline": add_discipline,
                  "role": add_role or "member"}  # fmt: skip
        return AddMember(team_id=team_id, member=member)

    fields = {"participant_id": "add_participant_id", "discipline": "add_discipline", "role": "add_role"}
    return _on_team(request, team_id, build, command_id, form, fields, "members")


def _person(value: str, field: str) -> UUID:
    """A person chosen from a list: their id, or a refusal beside the list."""
    try:
        return UUID(value)
    except ValueError:
        raise fields_refused({field: "choose one of the people listed"}) from None


@router.post("/ui/teams/{team_id}/share")
async def share_project(request: Request, team_id: UUID) -> Response:
    """Share the team's project with its storyboard file (multipart: the CSRF token is read
    with the body); the storyboard joins the library, and the project links to it."""
    signed_in(request)
    try:
        sent = await request.form(max_files=1, max_fields=10)
    except HTTPException as error:  # a malformed multipart body
        raise InvalidInput(["body"], f"the form could not be read: {error.detail}") from None
    await run_in_threadpool(check_csrf, request, _text(sent, "csrf_token"))
    upload = sent.get("file")
    chosen = upload if isinstance(upload, UploadFile) and upload.filename else None
    form = {"project_title": _text(sent, "project_title"), "project_summary": _text(sent, "project_summary")}
    return await run_in_threadpool(_share, request, team_id, form, chosen, _text(sent, "command_id"))


def _text(sent: Any, name: str) -> str:
    value = sent.get(name)
    return value if isinstance(value, str) else ""


def _share(
    request: Request, team_id: UUID, form: dict[str, str], upload: UploadFile | None, command_id: str
) -> Response:
    principal, engine = signed_in(request), engine_of(request)
    command_id = command_id or str(uuid4())  # the storyboard's id is derived from it
    shared = False
    try:
        stored = storyboard.checked_upload(engine, principal, team_id, form, upload)
        resource = storyboard.resource_id(command_id, team_id, stored, form["project_title"])
        url = storyboard.file_url(request, engine, resource)
        run_form(request, principal, command_id, lambda: storyboard.project_command(team_id, form, url))
        shared = True
        file = storyboard.file_command(engine.team(team_id), resource, stored, form["project_title"])
        run_form(request, principal, f"{command_id}:storyboard", lambda: file)
    except Exception as exc:
        problem = refusal_of(exc)
        placed, rest = beside_fields(problem, storyboard.FIELDS)
        if shared:  # the project is shared, its storyboard not yet stored: sending it again finishes
            placed["file"] = (
                "the project is shared, but its storyboard is not stored yet: choose it and send again"
            )
        # The same command id again, so a retry is the same share.
        context = team_context(request, principal, team_id) | {"error": rest, "form": form, "field_errors": placed,
                                                               "share_command_id": command_id}  # fmt: skip
        return render(request, "team.html", principal, status=problem.status, **context)
    return RedirectResponse(f"/ui/teams/{team_id}#shared", status_code=303)
