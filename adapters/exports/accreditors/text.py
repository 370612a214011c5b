"""Values as the accreditors' files take them: one line each, never a spreadsheet formula."""

from __future__ import annotations

import re

_BREAKS = re.compile(r"[\x00-\x1f\x7f]+")  # tabs, line breaks and other control characters
_FORMULA_STARTS = ("=", "+", "-", "@")


def one_line(value: str | None) -> str:
    """Text with its control characters (a tab, a line break) as one space each run."""
    return _BREAKS.sub(" ", value or "").strip()


def cell(value: str | None) -> str:
    """Free text for a delimited file: its control characters (a tab, a line break) become
    one space, so a value never shifts a column or starts a row, and a leading =, +, - or @
    is kept as text by a spreadsheet that opens the file (prefixed with an apostrophe)."""
    text = one_line(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def amount(value: float) -> str:
    """A credit amount as the ledger holds it: 1.5, 0.25, 2."""
    return f"{value:g}"
