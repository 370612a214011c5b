"""Text in the PDFs (fpdf2's built-in Helvetica): headings and paragraphs that wrap, in the
Latin-1 those fonts cover. Shared by the toolkit's and the monthly reports' PDFs."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

# The PDF's built-in fonts cover Latin-1 only; these stand in for what they lack.
_PLAIN = str.maketrans(
    {"→": "->", "›": ">", "—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."}
)
NEXT = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


def heading(pdf: FPDF, text: str, size: int) -> None:
    pdf.ln(2)
    pdf.set_font("Helvetica", style="B", size=size)
    pdf.multi_cell(0, size * 0.5, latin(text), **NEXT)  # type: ignore[arg-type]
    pdf.ln(1)


def para(pdf: FPDF, text: str, size: int = 10, style: str = "") -> None:
    pdf.set_font("Helvetica", style=style, size=size)
    pdf.multi_cell(0, size * 0.5, latin(text), **NEXT)  # type: ignore[arg-type]


def latin(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")
