"""Months of data from a file a person uploads: a CSV or a spreadsheet (.xlsx) with a
header row (measure, month, numerator, denominator), read into rows and checked, each
problem named by row and column in the words of the person who made the file.

Nothing here stores anything: the page shows the rows as a preview, and only a
confirmation sends them, one SubmitData per row."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from adapters.data_files import FileRefused
from aggregates.values import DataType, MeasureDefinition
from engine.commands.team import SubmitData

COLUMNS = ("measure", "month", "numerator", "denominator")
# A column's name as people write it (lower case, letters and digits only) -> the column.
HEADERS = {
    "measure": "measure", "measurename": "measure", "measurekey": "measure", "key": "measure", "name": "measure",
    "month": "month", "period": "month", "date": "month",
    "numerator": "numerator", "value": "numerator", "count": "numerator",
    "denominator": "denominator",
}  # fmt: skip
MONTHS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), 1) for name in names}  # fmt: skip
NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")


@dataclass
class UploadRow:
    """One row of the file: what it says, what it means, and what is wrong with it."""

    line: int  # the row's number as the spreadsheet shows it (the header is row 1)
    measure: str
    month: str
    numerator: str
    denominator: str
    definition: MeasureDefinition | None = None
    period: str | None = None
    numerator_value: float | None = None
    denominator_value: float | None = None
    problems: list[tuple[str | None, str]] = field(default_factory=list)  # (column or None, what)
    outcome: str | None = None  # from the dry run: "new", "corrects", "unchanged"

    @property
    def valid(self) -> bool:
        return not self.problems

    def problem(self, column: str | None, words: str) -> None:
        self.problems.append((column, words))

    def command(self, team_id: UUID) -> SubmitData:
        assert self.definition is not None and self.valid
        return SubmitData(team_id=team_id, measure_key=self.definition.key, period=self.period,
                          numerator=self.numerator_value, denominator=self.denominator_value)  # fmt: skip

    def sent(self) -> dict[str, Any]:
        """The row as the confirmation carries it."""
        assert self.definition is not None
        return {"line": self.line, "measure_key": self.definition.key, "period": self.period,
                "numerator": self.numerator_value, "denominator": self.denominator_value}  # fmt: skip


@dataclass
class Preview:
    """What an uploaded file holds, before anything is stored."""

    filename: str
    rows: list[UploadRow] = field(default_factory=list)
    problem: str | None = None  # the file's as a whole: no row is read then
    ignored: list[str] = field(default_factory=list)  # columns of the header that mean nothing here

    @property
    def valid_rows(self) -> list[UploadRow]:
        return [r for r in self.rows if r.valid]

    @property
    def ready(self) -> bool:
        """Whether every row may be stored as it is."""
        return self.problem is None and all(r.valid for r in self.rows)

    @property
    def to_store(self) -> list[UploadRow]:
        return [r for r in self.valid_rows if r.outcome != "unchanged"]

    def rows_json(self) -> str:
        return json.dumps([r.sent() for r in self.to_store])

    def tried(self, outcomes: Sequence[tuple[str | None, str | None]]) -> None:
        """Each valid row's outcome from the dry run, or the Team's refusal of it as a problem
        of the column it concerns (`outcomes`: (outcome, refusal) for each valid row, in order)."""
        for row, (outcome, refusal) in zip(self.valid_rows, outcomes, strict=True):
            row.outcome = outcome
            if refusal is not None:
                row.problem(*_refusal_in_words(row, refusal))


def read_rows(
    table: Sequence[Sequence[Any]], measures: Sequence[MeasureDefinition]
) -> tuple[list[UploadRow], list[str]]:
    """The file's data rows, each checked (the columns found by the header row), and the
    header's columns that were ignored."""
    if not measures:
        raise FileRefused("This team has no measures yet: define one first, then upload its months.")
    rows = [(n, list(r)) for n, r in enumerate(table, 1) if any(_text(c) for c in r)]
    if not rows:
        raise FileRefused("The file is empty.")
    (_, header), data = rows[0], rows[1:]
    named = [
        (i, _text(c), HEADERS.get(re.sub(r"[^a-z0-9]", "", _text(c).lower()))) for i, c in enumerate(header)
    ]
    columns = {column: i for i, _, column in reversed(named) if column}
    ignored = [text for _, text, column in named if text and not column]
    _require_columns(columns, header, measures)
    if not data:
        raise FileRefused("The file names its columns but has no months under them.")
    found = [_row(line, cells, columns, measures) for line, cells in data]
    _refuse_repeats(found)
    return found, ignored


def _require_columns(
    columns: dict[str, int], header: list[Any], measures: Sequence[MeasureDefinition]
) -> None:
    named = ", ".join(_text(c) for c in header if _text(c)) or "nothing"
    missing = [c for c in ("month", "numerator") if c not in columns]
    if "measure" not in columns and len(measures) != 1:
        missing.insert(0, "measure")
    if missing:
        raise FileRefused(
            f"The first row names the columns, and it has no {' or '.join(missing)} column (it names: {named}). "
            f"Name them {', '.join(COLUMNS)}."
        )


def _row(
    line: int, cells: list[Any], columns: dict[str, int], measures: Sequence[MeasureDefinition]
) -> UploadRow:
    def cell(name: str) -> Any:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    row = UploadRow(line, _text(cell("measure")), _month_text(cell("month")), _text(cell("numerator")),
                    _text(cell("denominator")))  # fmt: skip
    row.definition = _measure(row, measures) if "measure" in columns else measures[0]
    row.period = _period(row, cell("month"))
    row.numerator_value = _number(row, "numerator", cell("numerator"), needed=True)
    row.denominator_value = _number(row, "denominator", cell("denominator"), needed=False)
    if row.definition is not None:
        _check_denominator(row, row.definition)
    return row


def _measure(row: UploadRow, measures: Sequence[MeasureDefinition]) -> MeasureDefinition | None:
    wanted = " ".join(row.measure.split()).casefold()
    found = next(
        (m for m in measures if wanted in (m.key.casefold(), " ".join(m.name.split()).casefold())), None
    )
    if found is None:
        names = ", ".join(m.name for m in measures)
        said = f"“{row.measure}” is not one of" if row.measure else "Say which measure: the row names none of"
        row.problem("measure", f"{said} this team's measures ({names}).")
    return found


def _period(row: UploadRow, value: Any) -> str | None:
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    period = parse_month(_text(value))
    if period is None:
        said = f"“{row.month}” is not a month" if row.month else "The month is missing"
        row.problem("month", f"{said}: write it as 2025-01 or Jan 2025.")
    return period


def parse_month(text: str) -> str | None:
    """A month as people write it ("2025-01", "2025/1", "01/2025", "Jan 2025", "January
    2025", "Jan-25") as YYYY-MM; None if it is not one."""
    text = text.strip().lower()
    if found := re.fullmatch(r"(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2})?(?:[ t]00:00(?::00)?)?", text):
        year, month = int(found[1]), int(found[2])
    elif found := re.fullmatch(r"(\d{1,2})[-/.](\d{4})", text):
        year, month = int(found[2]), int(found[1])
    elif found := re.fullmatch(r"([a-z]+)\.?[\s,/-]*(\d{4}|\d{2})", text):
        if found[1] not in MONTHS:
            return None
        month, year = MONTHS[found[1]], int(found[2]) + (2000 if len(found[2]) == 2 else 0)
    else:
        return None
    return f"{year:04d}-{month:02d}" if 1 <= month <= 12 and 1900 <= year <= 2999 else None


def _number(row: UploadRow, column: str, value: Any, needed: bool) -> float | None:
    text = _text(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif not text:
        if needed:
            row.problem(column, f"The {column} is missing: write a number.")
        return None
    elif NUMBER.fullmatch(text) and any(ch.isdigit() for ch in text):
        number = float(text.replace(",", ""))
    else:
        row.problem(column, f"“{text}” is not a number: write it with digits, like 12 or 12.5.")
        return None
    if not math.isfinite(number) or abs(number) > 1e15:
        row.problem(column, f"“{text}” is too large a number.")
        return None
    return number


def _check_denominator(row: UploadRow, definition: MeasureDefinition) -> None:
    needs = definition.data_type in (DataType.PROPORTION, DataType.RATE)
    if needs and row.denominator_value is None and row.denominator == "":
        row.problem("denominator", f"{definition.name} needs a denominator ({definition.denominator}).")
    elif not needs and row.denominator_value is not None:
        row.problem(
            "denominator",
            f"{definition.name} is a {definition.data_type.value}: leave the denominator empty.",
        )


def _refuse_repeats(rows: list[UploadRow]) -> None:
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.definition is None or row.period is None:
            continue
        first = seen.setdefault((row.definition.key, row.period), row.line)
        if first != row.line:
            row.problem(
                "month", f"Row {first} has this month of {row.definition.name} too: keep one of them."
            )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _month_text(value: Any) -> str:
    if isinstance(value, datetime | date):
        return f"{value:%b %Y}"
    return _text(value)


def _refusal_in_words(row: UploadRow, refusal: str) -> tuple[str | None, str]:
    assert row.definition is not None and row.period is not None
    if "in the future" in refusal:
        return (
            "month",
            f"{datetime.strptime(row.period, '%Y-%m'):%b %Y} is still to come: enter a month once it has begun.",
        )
    words = refusal.replace(repr(row.definition.key), f"“{row.definition.name}”")
    words = words[:1].upper() + words[1:] + ("" if words.endswith(".") else ".")
    if "cannot" in refusal or "withdrawn" in refusal:
        return None, words
    return ("denominator" if "denominator" in refusal and "exceeds" not in refusal else "numerator"), words


def rows_of(sent: Sequence[dict[str, Any]], measures: dict[str, MeasureDefinition]) -> list[UploadRow]:
    """The rows a confirmation carries back, as the preview showed them."""
    rows = []
    for r in sent:
        definition = measures.get(r["measure_key"])
        row = UploadRow(r["line"], definition.name if definition else r["measure_key"], r["period"],
                        _text(r["numerator"]), _text(r["denominator"]), definition, r["period"], r["numerator"],
                        r["denominator"])  # fmt: skip
        if definition is None:
            row.problem("measure", f"“{r['measure_key']}” is no longer one of this team's measures.")
        if parse_month(r["period"]) != r["period"]:
            row.problem("month", f"“{r['period']}” is not a month: write it as 2025-01 or Jan 2025.")
        rows.append(row)
    return rows
