"""Monthly team reports as PDFs (fpdf2): a one-page summary of one team's month for its
senior leader, and a collaborative's month for a learning session (each team's status,
highlights and the help it wants)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fpdf import FPDF

from adapters.actor_words import called
from adapters.exports.toolkit import _heading, _latin, _para
from aggregates.monthly_report import SECTIONS, ReportStatus
from engine.queries.reports import MonthValue, ReportRow, ReportView

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def month_words(month: str) -> str:
    """ "2025-03" as "March 2025"."""
    return f"{MONTHS[int(month[5:]) - 1]} {month[:4]}"


def _value(v: MonthValue) -> str:
    shown = f"{v.value * 100:.1f}%" if v.percent else f"{v.value:g}"
    if v.denominator is not None:
        shown += f" ({v.numerator:g} of {v.denominator:g})"
    return f"{v.measure_name}: {shown}"


def _new(title: str) -> FPDF:
    pdf = FPDF(format="Letter")
    pdf.set_title(_latin(title))
    pdf.set_creator("QI Collaborative Engine")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    return pdf


def team_report_pdf(report: ReportView, names: Mapping[str, str]) -> bytes:
    """One team's month for its senior leader: status, the month's data and PDSA activity,
    what the team wrote, and its coach's feedback. Long text is cut to keep to one page."""
    pdf = _new(f"{report.team_name}: monthly report, {month_words(report.month)}")
    _heading(pdf, f"{report.team_name}: {month_words(report.month)}", 16)
    status = report.status.value.capitalize()
    if report.submitted_at is not None and report.submitted_by is not None:
        who = called(report.submitted_by, report.submitted_role, names)
        status += f"; submitted {report.submitted_at:%d %b %Y} by {who}"
    _para(pdf, f"{report.organization}. {report.collaborative_title}. Report status: {status}.", size=9)
    _heading(pdf, "The month's data", 12)
    for value in report.data or ():
        _para(pdf, _value(value))
    if not report.data:
        _para(pdf, "No data points for this month.")
    _heading(pdf, "PDSA activity", 12)
    p = report.pdsa
    _para(
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
            _para(pdf, f"{label}: {', '.join(titles)}", size=9)
    for key, heading in SECTIONS.items():
        text = report.sections.get(key, "")
        if text:
            _heading(pdf, heading, 12)
            _para(pdf, _short(text, 900))
    if report.feedback:
        who = called(report.answered_by or "", report.answered_role, names)
        _heading(pdf, "Coach's feedback", 12)
        _para(pdf, f"{_short(report.feedback, 900)} ({who})")
    return bytes(pdf.output())


def collaborative_reports_pdf(title: str, month: str, rows: Sequence[ReportRow]) -> bytes:
    """A collaborative's month for a learning session: each team's report status, highlights
    (its successes) and the help it wants; then who has not reported."""
    pdf = _new(f"{title}: team reports, {month_words(month)}")
    _heading(pdf, f"{title}: team reports, {month_words(month)}", 16)
    reported = [r for r in rows if r.status in (ReportStatus.SUBMITTED, ReportStatus.ANSWERED)]
    _para(pdf, f"{len(reported)} of {len(rows)} teams have reported.", size=9)
    for row in rows:
        _heading(pdf, f"{row.team_name} ({row.status.value})", 12)
        if row.successes:
            _para(pdf, f"Highlights: {_short(row.successes, 600)}")
        if row.help_wanted:
            _para(pdf, f"Help wanted: {_short(row.help_wanted, 600)}")
    missing = [r.team_name for r in rows if r not in reported]
    if missing:
        _heading(pdf, "Not reported yet", 12)
        _para(pdf, ", ".join(missing))
    return bytes(pdf.output())


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
