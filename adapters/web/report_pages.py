"""Monthly report pages: a team's report for a month (the draft form, submitting it, the
coach's feedback form, reopening it, its one-page PDF), and a collaborative's reports
for a month: who has reported and who has not, with the month's summary as a PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from adapters.actor_words import called
from adapters.exports.reports import collaborative_reports_pdf, month_words, team_report_pdf
from adapters.http.deps import get_queries
from adapters.web.actors import actor_names
from adapters.web.field_errors import fields_refused
from adapters.web.forms import Field, act_beside_fields
from adapters.web.pages import render
from adapters.web.session import CSRF, signed_in
from aggregates.monthly_report import SECTIONS, ReportStatus
from aggregates.tokens import Principal
from engine import authorization
from engine.commands import Command
from engine.commands.reports import AnswerReport, DraftReport, ReopenReport, SubmitReport

router = APIRouter(include_in_schema=False)
PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str, Path(pattern=PERIOD)]
MonthQuery = Annotated[str | None, Query(pattern=PERIOD)]
# What each section's field asks, beside its heading.
ASKS = {
    "successes": "What went well this month",
    "barriers": "What stood in the way",
    "tested": "The changes you tested",
    "learned": "What the tests taught you",
    "help_wanted": "What you would like help with, from faculty or other teams",
}
REPORTED = (ReportStatus.SUBMITTED, ReportStatus.ANSWERED)


def report_context(request: Request, principal: Principal, team_id: UUID, month: str) -> dict[str, Any]:
    queries = get_queries(request)
    report = queries.monthly_report(principal, team_id, month)
    team = queries.engine.team(team_id)
    names = actor_names(request)
    writes = principal.staff or team_id in principal.team_ids
    answers = principal.staff or authorization.is_coach_of(principal, team)
    editable = report.status in (ReportStatus.NOT_STARTED, ReportStatus.DRAFT, ReportStatus.REOPENED)
    return {
        "r": report, "month_words": month_words(month),
        "sections": [(key, heading, ASKS[key], report.sections[key]) for key, heading in SECTIONS.items()],
        "submitted_by": called(report.submitted_by, report.submitted_role, names) if report.submitted_by else None,
        "answered_by": called(report.answered_by, report.answered_role, names) if report.answered_by else None,
        "may_edit": writes and editable, "may_submit": writes and report.status in (ReportStatus.DRAFT, ReportStatus.REOPENED),
        "may_answer": answers and report.status is ReportStatus.SUBMITTED,
        "may_reopen": writes and report.status in REPORTED,
        "months": queries.report_months(report.collaborative_id),
        "error": None, "form": {}, "field_errors": {},
        "zone": queries.engine.collaborative(report.collaborative_id).state.time_zone,
    }  # fmt: skip


@router.get("/ui/teams/{team_id}/reports/{month}")
def report_page(request: Request, team_id: UUID, month: Month) -> Response:
    principal = signed_in(request)
    return render(request, "report.html", principal, **report_context(request, principal, team_id, month))


@router.get("/ui/teams/{team_id}/reports/{month}/summary.pdf")
def report_pdf(request: Request, team_id: UUID, month: Month) -> Response:
    principal = signed_in(request)
    report = get_queries(request).monthly_report(principal, team_id, month)
    disposition = f'attachment; filename="report-{month}.pdf"'
    pdf = team_report_pdf(report, actor_names(request))
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})


def _on_report(
    request: Request, team_id: UUID, month: str, build: Callable[[], Command], command_id: str,
    form: dict[str, Any], anchor: str,
) -> Response:  # fmt: skip
    again = lambda principal: report_context(request, principal, team_id, month)  # noqa: E731
    done = lambda outcome: f"/ui/teams/{team_id}/reports/{month}#{anchor}"  # noqa: E731
    fields = {f: f for f in form} | {"month": "month"}
    return act_beside_fields(request, build, command_id, done, again, "report.html", form, fields)


@router.post("/ui/teams/{team_id}/reports/{month}", dependencies=CSRF)
def draft_report(
    request: Request, team_id: UUID, month: Month, successes: Field = "", barriers: Field = "", tested: Field = "",
    learned: Field = "", help_wanted: Field = "", command_id: Field = "",
) -> Response:  # fmt: skip
    """Save the team's report as a draft (the team, and staff)."""
    form = {"successes": successes, "barriers": barriers, "tested": tested, "learned": learned,
            "help_wanted": help_wanted}  # fmt: skip
    build = lambda: DraftReport(team_id=team_id, month=month, **form)  # noqa: E731
    return _on_report(request, team_id, month, build, command_id, form, "report")


@router.post("/ui/teams/{team_id}/reports/{month}/submit", dependencies=CSRF)
def submit_report(request: Request, team_id: UUID, month: Month, command_id: Field = "") -> Response:
    """Send the report to the team's coach."""
    build = lambda: SubmitReport(team_id=team_id, month=month)  # noqa: E731
    return _on_report(request, team_id, month, build, command_id, {}, "report")


@router.post("/ui/teams/{team_id}/reports/{month}/answer", dependencies=CSRF)
def answer_report(
    request: Request, team_id: UUID, month: Month, feedback: Field = "", command_id: Field = ""
) -> Response:
    """The coach's (or staff's) feedback on a submitted report."""

    def build() -> Command:
        if not feedback.strip():
            raise fields_refused({"feedback": "write your feedback first"})
        return AnswerReport(team_id=team_id, month=month, feedback=feedback)

    return _on_report(request, team_id, month, build, command_id, {"feedback": feedback}, "feedback")


@router.post("/ui/teams/{team_id}/reports/{month}/reopen", dependencies=CSRF)
def reopen_report(request: Request, team_id: UUID, month: Month, command_id: Field = "") -> Response:
    """Take the submitted report back to change it."""
    build = lambda: ReopenReport(team_id=team_id, month=month)  # noqa: E731
    return _on_report(request, team_id, month, build, command_id, {}, "report")


@router.get("/ui/collaboratives/{collaborative_id}/reports")
def collaborative_reports(request: Request, collaborative_id: UUID, month: MonthQuery = None) -> Response:
    """Every active team's report for a month (faculty): who has reported and who has not."""
    principal = signed_in(request)
    queries = get_queries(request)
    shown = month or queries.this_month()
    rows = queries.collaborative_reports(principal, collaborative_id, shown)
    collaborative = queries.engine.collaborative(collaborative_id).state
    return render(
        request, "reports.html", principal, rows=rows, month=shown, month_words=month_words(shown),
        title=collaborative.title, collaborative_id=collaborative_id, months=queries.report_months(collaborative_id),
        missing=[r for r in rows if r.status not in REPORTED], zone=collaborative.time_zone,
    )  # fmt: skip


@router.get("/ui/collaboratives/{collaborative_id}/reports/summary.pdf")
def collaborative_reports_summary(
    request: Request, collaborative_id: UUID, month: MonthQuery = None
) -> Response:
    principal = signed_in(request)
    queries = get_queries(request)
    shown = month or queries.this_month()
    rows = queries.collaborative_reports(principal, collaborative_id, shown)
    pdf = collaborative_reports_pdf(queries.engine.collaborative(collaborative_id).state.title, shown, rows)
    disposition = f'attachment; filename="reports-{shown}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})
