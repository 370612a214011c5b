"""A team's assessment on an instrument as a PDF (fpdf2): its scores per domain, its gap
report, the comparisons, and every answer it gave."""

from __future__ import annotations

from fpdf import FPDF

from adapters.exports.pdf_text import NEXT, latin
from engine.queries.instruments import AssessmentReport


def _day(report: AssessmentReport) -> str:
    return f"{report.assessed_at.day} {report.assessed_at:%b %Y}"


def assessment_pdf(report: AssessmentReport) -> bytes:
    pdf = FPDF(format="Letter")
    pdf.set_title(latin(f"{report.title}: {report.team_name}"))
    pdf.set_creator("QI Collaborative Engine")
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    _line(pdf, report.title, 16, "B")
    _line(pdf, f"{report.team_name}, {_day(report)} (version {report.version})", 10)
    _line(pdf, f"Overall score: {report.score.overall:g} out of 100", 12, "B")
    for d in report.score.domains:
        median = report.median.of(d.domain) if report.median else None
        also = f" (collaborative median {median:g})" if median is not None else ""
        _line(pdf, f"{d.domain}: {d.score:g}{also}", 10)
    if report.previous is not None:
        _line(pdf, "Since the previous assessment", 12, "B")
        if not report.previous.comparable:
            _line(pdf, report.previous.words, 10)
        for c in report.previous.changes:
            _line(pdf, f"{c.domain}: {c.before:g} -> {c.now:g} ({c.change:+g})", 10)
    _line(pdf, f"Gap report ({len(report.gaps)} items not met, heaviest first)", 12, "B")
    for g in report.gaps:
        _line(pdf, f"[weight {g.weight:g}] {g.question} - answered {g.answer}; met by {g.needed}", 10)
    _line(pdf, "Answers", 12, "B")
    for a in report.answers:
        _line(pdf, f"{a.domain} - {a.question}: {a.answer or '(left blank)'}", 10)
    return bytes(pdf.output())


def _line(pdf: FPDF, text: str, size: int, style: str = "") -> None:
    if style == "B":
        pdf.ln(2)
    pdf.set_font("Helvetica", style=style, size=size)
    pdf.multi_cell(0, size * 0.5, latin(text), **NEXT)  # type: ignore[arg-type]
