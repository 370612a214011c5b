"""CE credit from the pages: a person's certificate from My credit (to date, for a period or
one activity), the staff's credit check of a collaborative before its files go to the
accreditors, and every learner's certificate of a collaborative in one ZIP."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, time
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from adapters.exports.accreditors import FILES, FileName
from adapters.exports.certificates import certificate_pdf, lines_within, period_words
from adapters.http.deps import get_queries
from adapters.http.errors import refusal_of
from adapters.web.account_pages import my_credit_page
from adapters.web.field_errors import beside_fields
from adapters.web.formats import zone_of
from adapters.web.forms import run_form
from adapters.web.pages import render
from adapters.web.session import CSRF, engine_of, signed_in
from aggregates.tokens import Principal
from engine.commands.activity import RecordActivityIds
from engine.errors import Forbidden, NotConfigured, NotFound
from engine.settings import Settings
from projections.credits.check import ActivityToMend, CreditCheck
from projections.credits.schemas import Transcript

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(pattern=r"^[^\x00]*$")]


class DayRefused(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _day(text: str | None, field: str, label: str) -> date | None:
    """A day from a date field ("2025-03-31"); DayRefused naming the field otherwise."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DayRefused(field, f"{label}: “{text[:40]}” is not a date; give it as year-month-day") from None


def _period(since: str | None, until: str | None) -> tuple[date | None, date | None]:
    first, last = _day(since, "since", "From"), _day(until, "until", "To")
    if first and last and first > last:
        raise DayRefused("until", "To is before From: give a period that ends after it begins")
    return first, last


def _pdf(request: Request, transcript: Transcript, lines: list, period: str, made_at: datetime) -> bytes:
    settings: Settings = engine_of(request).settings
    return certificate_pdf(transcript, lines, settings.provider_name, settings.accreditation_statement, made_at,
                           period)  # fmt: skip


def _now(request: Request) -> datetime:
    return engine_of(request).clock().astimezone(UTC)


def _file(body: bytes, media_type: str, name: str) -> Response:
    return Response(
        body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/ui/my-credit/certificate.pdf")
def my_certificate(
    request: Request, since: str | None = None, until: str | None = None, activity: UUID | None = None
) -> Response:
    """The signed-in person's certificate, to date, for a period, or for one activity."""
    principal = signed_in(request)
    if principal.participant_id is None:
        return my_credit_page(request, principal, 403)
    try:
        first, last = _period(since, until)
    except DayRefused as refused:
        form = {"since": since or "", "until": until or ""}
        return my_credit_page(request, principal, 422, certificate_form=form,
                              field_errors={refused.field: refused.message})  # fmt: skip
    transcript = get_queries(request).transcript(principal, principal.participant_id, "download certificates")
    made_at = _now(request)
    lines = lines_within(transcript, first, last, str(activity) if activity else None)
    pdf = _pdf(request, transcript, lines, period_words(first, last, activity), made_at)
    return _file(pdf, "application/pdf", f"certificate-{made_at:%Y-%m-%d}.pdf")


@router.get("/ui/collaboratives/{collaborative_id}/credit-check")
def credit_check_page(
    request: Request, collaborative_id: UUID, as_of: str | None = None, recorded: UUID | None = None
) -> Response:
    """Who and what cannot be reported to the accreditors, as the ledger stood at the end of
    a day (today when none is given), in the collaborative's time zone."""
    return _check_page(request, signed_in(request), collaborative_id, as_of, recorded=recorded)


def _check_page(
    request: Request, principal: Principal, collaborative_id: UUID, as_of: str | None, status: int = 200,
    **context: Any,
) -> Response:  # fmt: skip
    collaborative = engine_of(request).collaborative(collaborative_id).state
    zone = collaborative.time_zone
    page = {"c": collaborative, "cid": collaborative_id, "zone": zone, "field_errors": {}} | context
    try:
        day = _day(as_of, "as_of", "As of")
    except DayRefused as refused:
        page |= {"check": None, "as_of": as_of or "", "field_errors": {refused.field: refused.message}}
        return render(request, "credit_check.html", principal, 422, **page)
    check = get_queries(request).credit_check(
        principal, collaborative_id, _end_of(day, zone) if day else None
    )
    shown = day or check.as_of.astimezone(zone_of(zone)).date()
    groups: dict[UUID | None, list[ActivityToMend]] = {}
    for lacking in check.activities:  # one form per activity, however many reports it is missing from
        groups.setdefault(lacking.activity_id, []).append(lacking)
    page["activity_groups"] = list(groups.values())
    page["files"] = _files(check, engine_of(request).settings)
    return render(
        request,
        "credit_check.html",
        principal,
        status,
        **({"check": check, "as_of": shown.isoformat()} | page),
    )


@router.get("/ui/collaboratives/{collaborative_id}/accreditor-files/{name}")
def accreditor_file(
    request: Request, collaborative_id: UUID, name: FileName, as_of: str | None = None, leave_out: str = ""
) -> Response:
    """An accreditor's file as the ledger stood at the end of a day (today when none is given).
    While the check lists learners or activities for it, the check page says so and offers
    the file without them; `leave_out=yes` makes it of the rest."""
    principal = signed_in(request)
    kind = FILES[name]
    try:
        day = _day(as_of, "as_of", "As of")
    except DayRefused:
        return _check_page(request, principal, collaborative_id, as_of)
    zone = engine_of(request).collaborative(collaborative_id).state.time_zone
    made = get_queries(request).report_file(
        principal, collaborative_id, kind.reports, _end_of(day, zone) if day else None
    )
    shown = (day or made.check.as_of.astimezone(zone_of(zone)).date()).isoformat()
    if not made.complete and leave_out != "yes":
        return _check_page(request, principal, collaborative_id, shown, 409, file_refused=(kind, made))
    try:
        body = kind.made(made, engine_of(request).settings, leave_out=True)
    except NotConfigured as missing:
        return _check_page(
            request, principal, collaborative_id, shown, 503, file_unavailable=(kind, missing.message)
        )
    return _file(body, kind.media_type, kind.file_name(made.check.as_of))


def _files(check: CreditCheck, settings: Settings) -> list[dict[str, Any]]:
    """Each accreditor's file that has credit to report, with how many it would leave out,
    or the setting this installation lacks for it."""
    reported = {r.report for r in check.reports}
    offered = []
    for kind in FILES.values():
        if not reported & set(kind.reports):
            continue
        people = {m.participant_id for m in check.learners if m.report in kind.reports}
        activities = {m.activity_id for m in check.activities if m.report in kind.reports}
        offered.append({"kind": kind, "learners": len(people), "activities": len(activities),
                        "missing": kind.missing(settings), "late": len(kind.past_window(check))})  # fmt: skip
    return offered


ID_FIELDS = ("pars_activity_id", "acpe_uan", "capce_course_number", "commercial_support")


@router.post("/ui/activities/{activity_id}/accreditor-ids", dependencies=CSRF)
def record_activity_ids(
    request: Request, activity_id: UUID, pars_activity_id: Field = "", acpe_uan: Field = "",
    capce_course_number: Field = "", commercial_support: Field = "", command_id: Field = "",
) -> Response:  # fmt: skip
    """Staff record an activity's ids at the accreditors from the credit check's list."""
    principal = signed_in(request)
    collaborative_id = _collaborative_of(request, activity_id)
    sent = {
        "pars_activity_id": pars_activity_id,
        "acpe_uan": acpe_uan,
        "capce_course_number": capce_course_number,
    }
    ids = {k: v.strip() or None for k, v in sent.items()} | {
        "commercial_support": commercial_support == "yes"
    }

    def build() -> RecordActivityIds:
        return RecordActivityIds.model_validate({"activity_id": activity_id, "ids": ids})

    try:
        run_form(request, principal, command_id, build)
    except Exception as exc:
        problem = refusal_of(exc)
        placed, rest = beside_fields(problem, {name: f"ids-{activity_id}-{name}" for name in ID_FIELDS})
        form = {"activity_id": activity_id, **sent, "commercial_support": commercial_support == "yes"}
        return _check_page(request, principal, collaborative_id, None, problem.status, error=rest,
                           field_errors=placed, ids_form=form)  # fmt: skip
    return RedirectResponse(
        f"/ui/collaboratives/{collaborative_id}/credit-check?recorded={activity_id}#activities",
        status_code=303,
    )


@router.get("/ui/collaboratives/{collaborative_id}/certificates.zip")
def certificates_zip(
    request: Request, collaborative_id: UUID, since: str | None = None, until: str | None = None
) -> Response:
    """Every learner's certificate for the collaborative's credit in the period, one PDF each."""
    principal = signed_in(request)
    if not principal.staff:
        raise Forbidden("only staff issue certificates")
    queries = get_queries(request)
    try:
        first, last = _period(since, until)
    except DayRefused as refused:
        return _check_page(request, principal, collaborative_id, None, 422,
                           certificate_form={"since": since or "", "until": until or ""},
                           field_errors={refused.field: refused.message})  # fmt: skip
    rows = queries.credits(principal, collaborative_id, "issue certificates")
    made_at = _now(request)
    return _file(_bundle(request, principal, collaborative_id, rows, first, last, made_at), "application/zip",
                 f"certificates-{made_at:%Y-%m-%d}.zip")  # fmt: skip


def _bundle(
    request: Request, principal: Principal, collaborative_id: UUID, rows: list, first: date | None,
    last: date | None, made_at: datetime,
) -> bytes:  # fmt: skip
    """The ZIP: a PDF per learner with credit standing in the period, named by learner; its
    entries dated the moment it is made as of, so the same moment gives the same bytes."""
    queries = get_queries(request)
    out = io.BytesIO()
    stamp = made_at.timetuple()[:6]
    with zipfile.ZipFile(out, "w") as bundle:
        for participant_id in dict.fromkeys(r.participant_id for r in rows if r.reverses is None):
            transcript = queries.transcript(principal, participant_id, "issue certificates")
            lines = lines_within(transcript, first, last, None, collaborative=collaborative_id)
            if not lines:
                continue
            pdf = _pdf(request, transcript, lines, period_words(first, last, None), made_at)
            name = f"{_safe(transcript.name)}-{str(participant_id)[:8]}.pdf"
            entry = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
            entry.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(entry, pdf)
    return out.getvalue()


def _collaborative_of(request: Request, activity_id: UUID) -> UUID:
    """The collaborative of a CE activity: a learning activity, or a training module."""
    engine = engine_of(request)
    try:
        return engine.training_module(activity_id).state.collaborative_id
    except NotFound:
        found = engine.activity(activity_id).state.collaborative_id
        assert found is not None
        return found


def _safe(name: str) -> str:
    """A learner's name as a file name: letters, digits and hyphens."""
    kept = "".join(ch if ch.isalnum() else "-" for ch in name).strip("-")
    return "-".join(part for part in kept.split("-") if part)[:60] or "learner"


def _end_of(day: date, zone: str) -> datetime:
    """The last moment of `day` in the zone, in UTC."""
    return datetime.combine(day, time.max, tzinfo=zone_of(zone)).astimezone(UTC)
