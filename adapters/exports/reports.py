"""Monthly team reports as PDFs (fpdf2): a one-page summary of one team's month for its
senior leader, and a collaborative's month for a learning session (each team's status,
highlights and the help it wants)."""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence

from fpdf import FPDF

from adapters.actor_words import called
from adapters.exports.pdf_text import heading, latin, para
from aggregates.monthly_report import SECTIONS, ReportStatus
from engine.queries.reports import MonthValue, ReportRow, ReportView

# How much of each section the one page holds; the report page has the whole text.
SECTION_LIMIT = 500


def month_words(month: str) -> str:
    """ "2025-03" as "March 2025"."""
    return f"{calendar.month_name[int(month[5:])]} {month[:4]}"


def _value(v: MonthValue) -> str:
    shown = f"{v.value * 100:.1f}%" if v.percent else f"{v.value:g}"
    if v.denominator is not None:
        shown += f" ({v.numerator:g} of {v.denominator:g})"
    return f"{v.measure_name}: {shown}"


def _new(title: str) -> FPDF:
    pdf = FPDF(format="Letter")
    pdf.set_title(latin(title))
    pdf.set_creator("QI Collaborative Engine")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    return pdf


def team_report_pdf(report: ReportView, names: Mapping[str, str]) -> bytes:
    """One team's month for its senior leader: status, the month's data and PDSA activity,
    what the team wrote, and its coach's feedback. Long text is cut to keep to one page."""
    pdf = _new(f"{report.team_name}: monthly report, {month_words(report.month)}")
    heading(pdf, f"{report.team_name}: {month_words(report.month)}", 16)
    status = report.status.value.capitalize()
    if report.submitted_at is not None and report.submitted_by is not None:
        who = called(report.submitted_by, report.submitted_role, names)
        status += f"; submitted {report.submitted_at:%d %b %Y} by {who}"
    para(pdf, f"{report.organization}. {report.collaborative_title}. Report status: {status}.", size=9)
    heading(pdf, "The month's data", 12)
    for value in report.data or ():
        para(pdf, _value(value))
    if not report.data:
        para(pdf, "No data points for this month.")
    heading(pdf, "PDSA activity", 12)
    p = report.pdsa
    para(
        pdf,
        f"{len(p.planned)} planned, {len(p.done)} carried out, {len(p.studied)} studied, {len(p.acted)} acted on.",
    )
    for label, titles in (
        ("Planned", p.planned),
        ("Carried out", p.done),
        ("Studied", p.studied),
        ("Acted on", p.acted),
    ):
        if titles:
            para(pdf, f"{label}: {', '.join(titles)}", size=9)
    for key, title in SECTIONS.items():
        text = report.sections.get(key, "")
        if text:
            heading(pdf, title, 12)
            para(pdf, _short(text, SECTION_LIMIT))
    if report.feedback:
        who = called(report.answered_by or "", report.answered_role, names)
        heading(pdf, "Coach's feedback", 12)
        para(pdf, f"{_short(report.feedback, SECTION_LIMIT)} ({who})")
    return bytes(pdf.output())


def collaborative_reports_pdf(title: str, month: str, rows: Sequence[ReportRow]) -> bytes:
    """A collaborative's month for a learning session: each team's report status, highlights
    (its successes) and the help it wants; then who has not reported."""
    pdf = _new(f"{title}: team reports, {month_words(month)}")
    heading(pdf, f"{title}: team reports, {month_words(month)}", 16)
    reported = [r for r in rows if r.status in (ReportStatus.SUBMITTED, ReportStatus.ANSWERED)]
    para(pdf, f"{len(reported)} of {len(rows)} teams have reported.", size=9)
    for row in rows:
        heading(pdf, f"{row.team_name} ({row.status.value})", 12)
        if row.successes:
            para(pdf, f"Highlights: {_short(row.successes, 600)}")
        if row.help_wanted:
            para(pdf, f"Help wanted: {_short(row.help_wanted, 600)}")
    missing = [r.team_name for r in rows if r not in reported]
    if missing:
        heading(pdf, "Not reported yet", 12)
        para(pdf, ", ".join(missing))
    return bytes(pdf.output())


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
