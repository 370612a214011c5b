"""Monthly team reports: a team drafts, submits and reopens its report for a month, its
coach answers it; who has reported across a collaborative; the summaries as PDFs."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from adapters.exports.reports import collaborative_reports_pdf, team_report_pdf
from adapters.http.deps import PrincipalDep, QueriesDep, RunDep
from adapters.http.errors import READ_ERRORS, WRITE_ERRORS
from adapters.http.schemas.common import CommandResult, body_of
from adapters.http.schemas.reports import CollaborativeReportsPublic, ReportPublic, ReportRowPublic
from aggregates.monthly_report import ReportStatus
from engine.commands.reports import AnswerReport, DraftReport, ReopenReport, SubmitReport

router = APIRouter(tags=["monthly reports"])

PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str, Path(pattern=PERIOD, description="the month reported, e.g. 2025-03")]
MonthQuery = Annotated[
    str | None, Query(pattern=PERIOD, description="the month, e.g. 2025-03; this month when left out")
]
BINARY = {"schema": {"type": "string", "format": "binary"}}
PDF_RESPONSES = READ_ERRORS | {200: {"content": {"application/pdf": BINARY}}}

DraftReportBody = body_of(DraftReport, "team_id", "month")
SubmitReportBody = body_of(SubmitReport, "team_id", "month")
AnswerReportBody = body_of(AnswerReport, "team_id", "month")
ReopenReportBody = body_of(ReopenReport, "team_id", "month")


@router.post("/teams/{team_id}/reports/{month}", responses=WRITE_ERRORS)
def draft_report(team_id: UUID, month: str, body: DraftReportBody, run: RunDep) -> CommandResult:
    """Write or change the team's report for the month: successes, barriers, what was tested,
    what was learned, help wanted (each may be empty in a draft). A submitted report is
    reopened before it changes."""
    return run(body.command(team_id=team_id, month=month))


@router.post("/teams/{team_id}/reports/{month}/submit", responses=WRITE_ERRORS)
def submit_report(team_id: UUID, month: str, body: SubmitReportBody, run: RunDep) -> CommandResult:
    """Send the report to the team's coach; an empty report is refused."""
    return run(body.command(team_id=team_id, month=month))


@router.post("/teams/{team_id}/reports/{month}/answer", responses=WRITE_ERRORS)
def answer_report(team_id: UUID, month: str, body: AnswerReportBody, run: RunDep) -> CommandResult:
    """The team's coach (or staff) answers a submitted report with feedback."""
    return run(body.command(team_id=team_id, month=month))


@router.post("/teams/{team_id}/reports/{month}/reopen", responses=WRITE_ERRORS)
def reopen_report(team_id: UUID, month: str, body: ReopenReportBody, run: RunDep) -> CommandResult:
    """Take a submitted report back to change it and submit it again."""
    return run(body.command(team_id=team_id, month=month))


@router.get("/teams/{team_id}/reports/{month}", responses=READ_ERRORS)
def read_report(team_id: UUID, month: Month, queries: QueriesDep, principal: PrincipalDep) -> ReportPublic:
    """The team's report for the month (blank, "not started", before its first draft), with the
    month's data points and PDSA activity filled in from the team's record."""
    return ReportPublic.of(queries.monthly_report(principal, team_id, month))


@router.get("/teams/{team_id}/reports/{month}/summary.pdf", response_class=Response, responses=PDF_RESPONSES)
def report_pdf(team_id: UUID, month: Month, queries: QueriesDep, principal: PrincipalDep) -> Response:
    """The team's month on one page, for its senior leader."""
    report = queries.monthly_report(principal, team_id, month)
    pdf = team_report_pdf(report, queries.engine.actor_names())
    disposition = f'attachment; filename="report-{month}-{team_id}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})


@router.get("/collaboratives/{collaborative_id}/reports", responses=READ_ERRORS)
def collaborative_reports(
    collaborative_id: UUID, queries: QueriesDep, principal: PrincipalDep, month: MonthQuery = None
) -> CollaborativeReportsPublic:
    """Every active team's report status for the month (not started, draft, submitted,
    answered, reopened): staff and auditors see every team, a coach the teams they coach."""
    shown = month or queries.this_month()
    rows = queries.collaborative_reports(principal, collaborative_id, shown)
    waiting = [r.team_name for r in rows if r.status not in (ReportStatus.SUBMITTED, ReportStatus.ANSWERED)]
    return CollaborativeReportsPublic(
        collaborative_id=collaborative_id,
        month=shown,
        teams=[ReportRowPublic.of(r) for r in rows],
        not_reported=waiting,
    )


@router.get(
    "/collaboratives/{collaborative_id}/reports/summary.pdf", response_class=Response, responses=PDF_RESPONSES
)
def collaborative_reports_summary(
    collaborative_id: UUID, queries: QueriesDep, principal: PrincipalDep, month: MonthQuery = None
) -> Response:
    """The month across the collaborative, for a learning session: each team's status,
    highlights and the help it wants."""
    shown = month or queries.this_month()
    rows = queries.collaborative_reports(principal, collaborative_id, shown)
    title = queries.engine.collaborative(collaborative_id).state.title
    pdf = collaborative_reports_pdf(title, shown, rows)
    disposition = f'attachment; filename="reports-{shown}-{collaborative_id}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})
