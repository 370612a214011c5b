"""A participant's CE certificate as a PDF: who, each activity with its date, credit type
and amount, the totals, and the provider's accreditation statement, for one activity or a
period. Made again for the same moment it is byte for byte the same (the PDF's dates are
the moment it is made as of, not the clock's)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from uuid import UUID

from fpdf import FPDF

from adapters.exports.pdf_text import heading, latin, para
from aggregates.values import CreditType
from projections.credits.queries import transcript_at
from projections.credits.schemas import CreditEntry, Transcript

CREDIT_WORDS = {
    CreditType.CME: "AMA PRA Category 1 Credit(s)",
    CreditType.CNE: "nursing contact hour(s)",
    CreditType.CAPCE: "CAPCE EMS continuing education hour(s)",
    CreditType.MOC_PART_2: "ABP MOC Part 2 point(s)",
    CreditType.MOC_PART_4: "ABP MOC Part 4 point(s)",
    CreditType.ACPE: "ACPE contact hour(s)",
}


def lines_within(
    transcript: Transcript,
    since: date | None,
    until: date | None,
    activity: str | None,
    as_of: datetime | None = None,
    collaborative: UUID | None = None,
) -> list[CreditEntry]:
    """The credit standing in the period, or for one activity (and of one collaborative):
    awards recorded by `as_of` and not reversed by then (now when None), so a certificate
    re-made for a past moment certifies what stood then."""
    standing = transcript_at(transcript, as_of) if as_of is not None else transcript
    return [
        e for e in standing.entries
        if e.amount > 0 and e.reversed_by is None
        and (since is None or e.credit_date >= since) and (until is None or e.credit_date <= until)
        and (activity is None or str(e.activity_id) == activity)
        and (collaborative is None or e.collaborative_id == collaborative)
    ]  # fmt: skip


def period_words(since: date | None, until: date | None, activity: object | None) -> str:
    """The period a certificate covers, as its sentence says it."""
    if activity:
        return "in the activity below"
    if since and until:
        return f"from {since:%-d %B %Y} to {until:%-d %B %Y}"
    return f"from {since:%-d %B %Y}" if since else f"to {until:%-d %B %Y}" if until else "to date"


def certificate_pdf(
    transcript: Transcript, lines: Iterable[CreditEntry], provider: str, statement: str | None, made_at: datetime,
    period: str,
) -> bytes:  # fmt: skip
    """The certificate: one line per credit, then the totals and the statement."""
    pdf = FPDF(format="Letter")
    pdf.set_title(latin(f"CE certificate: {transcript.name}"))
    pdf.set_creator("QI Collaborative Engine")
    pdf.set_creation_date(made_at)
    pdf.add_page()
    heading(pdf, "Certificate of continuing education", 20)
    para(pdf, provider, 12, "B")
    pdf.ln(4)
    para(pdf, "This certifies that", 11)
    heading(pdf, transcript.name, 16)
    if transcript.licences:
        para(pdf, " · ".join(transcript.licences), 10)
    para(pdf, f"participated in the following, {period}, and was awarded:", 11)
    pdf.ln(2)
    totals: dict[tuple[CreditType, str], float] = {}
    for e in sorted(lines, key=lambda e: (e.credit_date, e.activity_title or "", e.credit_type.value)):
        words = CREDIT_WORDS[e.credit_type]
        para(
            pdf, f"{e.credit_date:%-d %B %Y}  {e.activity_title or 'Team project'}: {e.amount:g} {words}", 10
        )
        totals[(e.credit_type, words)] = totals.get((e.credit_type, words), 0) + e.amount
    pdf.ln(2)
    if totals:
        para(
            pdf,
            "Total: " + "; ".join(f"{amount:g} {words}" for (_, words), amount in totals.items()),
            11,
            "B",
        )
    else:
        para(pdf, "No credit in this period.", 11, "B")
    pdf.ln(4)
    if statement:
        para(pdf, statement, 9)
    para(pdf, f"Issued {made_at:%-d %B %Y} by {provider}.", 9)
    return bytes(pdf.output())
