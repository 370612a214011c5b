"""How wide a line of SVG text is, from the Helvetica metrics that fpdf2 ships
(the font the PDF export uses), and wrapping and ellipsising by that width.

The SVGs declare FONT_FAMILY, whose faces (Helvetica, Arial, Liberation Sans)
share these advance widths, so what is measured here is what a browser draws;
kerning only ever makes a line narrower.
"""

from __future__ import annotations

from functools import lru_cache

from fpdf.fonts import CORE_FONTS_CHARWIDTHS

FONT_FAMILY = "Helvetica, Arial, 'Liberation Sans', sans-serif"
ELLIPSIS = "…"
# A character the metrics do not cover (an arrow, a Greek letter) is counted a
# full em: no face in FONT_FAMILY draws one wider, so a box never comes up short.
_UNKNOWN = 1000


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The advance width in px of text set in FONT_FAMILY at size px."""
    return sum(_advance(char, bold) for char in text) * size / 1000


@lru_cache(maxsize=4096)
def _advance(char: str, bold: bool) -> int:
    # fpdf2's tables are indexed by WinAnsi (cp1252) code, the encoding of the core fonts' AFM files.
    widths = CORE_FONTS_CHARWIDTHS["helveticaB" if bold else "helvetica"]
    try:
        code = char.encode("cp1252")
    except UnicodeEncodeError:
        return _UNKNOWN
    return int(widths.get(chr(code[0]), _UNKNOWN))


def ellipsise(text: str, width: float, size: float, bold: bool = False) -> str:
    """Text cut at a word (or, failing that, a character) and ended with … so it fits width."""
    if text_width(text, size, bold) <= width:
        return text
    room = width - text_width(ELLIPSIS, size, bold)
    cut = text
    while cut and text_width(cut, size, bold) > room:
        cut = cut[:-1]
    words = cut.rsplit(" ", 1)
    if len(words) == 2 and len(words[0]) >= len(cut) / 2:  # end on a whole word unless that loses half
        cut = words[0]
    return cut.rstrip(" ,;:-—") + ELLIPSIS


def wrap(text: str, width: float, size: float, bold: bool = False, max_lines: int = 0) -> list[str]:
    """Text broken into lines no wider than width; past max_lines (0: no limit) the last line ends in …"""
    lines: list[str] = []
    for word in text.split():
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(joined, size, bold) <= width:
            lines[-1] = joined
        else:
            lines += _break_word(word, width, size, bold)
    if max_lines and len(lines) > max_lines:
        kept = lines[: max_lines - 1]
        rest = " ".join(lines[max_lines - 1 :])
        return [*kept, ellipsise(rest, width, size, bold)]
    return lines


def _break_word(word: str, width: float, size: float, bold: bool) -> list[str]:
    """A word wider than a whole line (a URL, a long code) split between characters."""
    pieces = [""]
    for char in word:
        if pieces[-1] and text_width(pieces[-1] + char, size, bold) > width:
            pieces.append("")
        pieces[-1] += char
    return pieces
