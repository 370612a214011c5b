"""Recording a session's attendance (staff), on the session's own page: the roster as a
table with minutes for each person, sent once; or a videoconference attendance report,
matched to the roster by email and shown as a preview (matched and unmatched rows) that
stores nothing until staff confirm it. Each attendee's minutes are one RecordAttendance,
the command the API runs; a double submit is stored once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from adapters.http.deps import get_queries
from adapters.http.errors import Problem, refusal_of
from adapters.web.attendance_reports import Report, ReportRefused, read_report
from adapters.web.forms import run_form
from adapters.web.pages import render
from adapters.web.session import check_csrf, signed_in
from aggregates.tokens import Principal
from engine.commands.activity import RecordAttendance
from engine.queries import SessionRoster

router = APIRouter(include_in_schema=False)
PAGE = "session_attendance.html"
MAX_REPORT_BYTES = 2 * 1024 * 1024  # a report of a few thousand joins is well under this


def _path(collaborative_id: UUID, activity_id: UUID) -> str:
    return f"/ui/collaboratives/{collaborative_id}/sessions/{activity_id}/attendance"


def session_context(
    request: Request, principal: Principal, collaborative_id: UUID, activity_id: UUID
) -> dict[str, Any]:
    roster = get_queries(request).session_roster(principal, collaborative_id, activity_id)
    recorded = {str(a.participant_id): str(a.minutes) for a in roster.attendees if a.minutes is not None}
    return {
        "roster": roster, "s": roster.activity.state.details, "c_id": collaborative_id, "c_title": roster.collaborative.state.title,
        "action": _path(collaborative_id, activity_id), "zone": roster.collaborative.state.time_zone,
        "minutes": recorded, "field_errors": {}, "error": None, "preview": None, "recorded": None,
    }  # fmt: skip


@router.get("/ui/collaboratives/{collaborative_id}/sessions/{activity_id}/attendance")
def session_attendance(
    request: Request,
    collaborative_id: UUID,
    activity_id: UUID,
    recorded: int | None = None,
    prefill: str = "",
) -> Response:
    """The session's roster with each person's minutes, and the report upload (staff); with
    `prefill=full`, the blanks filled with the whole session's length."""
    principal = signed_in(request)
    context = session_context(request, principal, collaborative_id, activity_id) | {"recorded": recorded}
    if prefill == "full":
        roster: SessionRoster = context["roster"]
        whole = str(min(roster.activity.state.details.duration_minutes, roster.longest))
        context["minutes"] = {str(a.participant_id): whole for a in roster.attendees} | context["minutes"]
    return render(request, PAGE, principal, **context)


@router.post("/ui/collaboratives/{collaborative_id}/sessions/{activity_id}/attendance")
async def record_session_attendance(request: Request, collaborative_id: UUID, activity_id: UUID) -> Response:
    """Every attendee's minutes at once (a field per person, so the form is read whole)."""
    sent = {str(k): str(v) for k, v in (await request.form()).multi_items()}
    return await run_in_threadpool(_record_all, request, collaborative_id, activity_id, sent)


def _record_all(
    request: Request, collaborative_id: UUID, activity_id: UUID, sent: dict[str, str]
) -> Response:
    check_csrf(request, sent.get("csrf_token", ""))
    principal = signed_in(request)
    context = session_context(request, principal, collaborative_id, activity_id)
    roster: SessionRoster = context["roster"]
    typed = {
        str(a.participant_id): sent.get(f"minutes:{a.participant_id}", "").strip() for a in roster.attendees
    }
    errors = {f"minutes:{pid}": why for pid, text in typed.items() if (why := _minutes_problem(text, roster))}
    chosen = {UUID(pid): int(text) for pid, text in typed.items() if text and f"minutes:{pid}" not in errors}
    again = context | {"minutes": typed, "field_errors": errors}
    if errors or not chosen:
        error = None if errors else _nobody()
        return render(request, PAGE, principal, status=422, **again | {"error": error})
    problem = _record(request, principal, activity_id, sent.get("command_id", ""), chosen)
    if problem is not None:
        return render(request, PAGE, principal, status=problem.status, **again | {"error": problem})
    return RedirectResponse(f"{_path(collaborative_id, activity_id)}?recorded={len(chosen)}", status_code=303)


def _record(
    request: Request, principal: Principal, activity_id: UUID, command_id: str, chosen: dict[UUID, int]
) -> Problem | None:
    """One RecordAttendance per attendee, each under an id derived from the form's (so a
    double submit is stored once); the refusal, if one is refused."""
    for done, (participant_id, minutes) in enumerate(chosen.items()):
        build = partial(
            RecordAttendance, activity_id=activity_id, participant_id=participant_id, minutes=minutes
        )
        try:
            run_form(request, principal, f"{command_id}:{participant_id}" if command_id else "", build)
        except Exception as exc:
            problem = refusal_of(exc)
            # The rows were checked first, so a refusal is the first row's (nothing stored) unless
            # the session changed meanwhile: then say what was stored before it.
            kept = f" The attendance of the {done} before was recorded." if done else ""
            return problem.model_copy(update={"detail": problem.detail + kept})
    return None


def _minutes_problem(text: str, roster: SessionRoster) -> str | None:
    """What is wrong with minutes typed for one person, in words (None: fine, or blank for absent)."""
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        return "minutes attended, as a whole number (leave it blank if they were absent)"
    if not 0 < int(text) <= roster.longest:
        return f"between 1 and {roster.longest} minutes (leave it blank if they were absent)"
    return None


def _nobody() -> Problem:
    return Problem(title="Nothing to record", status=422,
                   detail="Enter the minutes attended for at least one person (blank means absent).")  # fmt: skip


# -- the videoconference report ----------------------------------------------------------
@dataclass(frozen=True)
class Matched:
    name: str
    team: str
    emails: tuple[str, ...]
    minutes: int  # what will be recorded
    reported: int  # what the report says, summed over their joins
    joins: int


@dataclass(frozen=True)
class Unmatched:
    name: str
    email: str
    minutes: int
    why: str


@dataclass(frozen=True)
class Preview:
    matched: dict[str, Matched]  # participant id -> their row
    unmatched: list[Unmatched]
    filename: str


@router.post("/ui/collaboratives/{collaborative_id}/sessions/{activity_id}/attendance/report")
async def preview_report(request: Request, collaborative_id: UUID, activity_id: UUID) -> Response:
    """Read an uploaded attendance report and show what it matches: nothing is stored yet."""
    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("report")
    data, filename = (
        (await upload.read(MAX_REPORT_BYTES + 1), upload.filename or "")
        if isinstance(upload, UploadFile)
        else (b"", "")
    )
    sent = str(form.get("csrf_token") or "")
    return await run_in_threadpool(_preview, request, collaborative_id, activity_id, sent, data, filename)


def _preview(
    request: Request, collaborative_id: UUID, activity_id: UUID, sent: str, data: bytes, filename: str
) -> Response:
    check_csrf(request, sent)
    principal = signed_in(request)
    context = session_context(request, principal, collaborative_id, activity_id)
    try:
        if not data:
            raise ReportRefused("choose the attendance report file (CSV) to upload")
        if len(data) > MAX_REPORT_BYTES:
            raise ReportRefused(
                f"the file is larger than {MAX_REPORT_BYTES // (1024 * 1024)} MB: is it the attendance report?"
            )
        preview = matched(read_report(data), context["roster"], filename)
    except ReportRefused as refused:
        return render(
            request, PAGE, principal, status=422, **context | {"field_errors": {"report": str(refused)}}
        )
    return render(request, PAGE, principal, **context | {"preview": preview})


def matched(report: Report, roster: SessionRoster, filename: str) -> Preview:
    """The report's people matched to the roster by email, each person's joins summed (over
    all their addresses), capped at what the session allows; the rest, and why."""
    people = roster.by_email()
    totals: dict[str, list[Any]] = {}
    unmatched = [Unmatched(line.name, "", 0, "no email address in the report") for line in report.nameless]
    for line in report.lines:
        attendee = people.get(line.email.casefold())
        if attendee is None:
            unmatched.append(
                Unmatched(line.name, line.email, line.minutes, "no one on the roster has this email address")
            )
        elif line.minutes <= 0:
            unmatched.append(
                Unmatched(line.name, line.email, 0, "; ".join(line.problems) or "no minutes attended")
            )
        else:
            total = totals.setdefault(str(attendee.participant_id), [attendee, 0, 0])
            total[1] += line.minutes
            total[2] += line.joins
    rows = {
        pid: Matched(a.name, a.team, a.emails, min(m, roster.longest), m, joins)
        for pid, (a, m, joins) in totals.items()
    }
    return Preview(matched=rows, unmatched=unmatched, filename=filename)
