"""Videoconference attendance reports, read: Zoom's participant report ("Name (Original
Name)", "User Email", "Join Time", "Leave Time", "Duration (Minutes)") and Microsoft Teams'
attendance report (a "Participants" section: "Name", "First Join", "Last Leave",
"In-Meeting Duration" such as "1h 2m 3s", "Email"), as CSV or tab-separated, UTF-8 or
UTF-16. Each person's joins are summed by email address, so someone who dropped out and
came back counts once, for all their minutes.

The standard library's csv reads the rows; no maintained package reads these reports."""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from datetime import datetime

# What each report calls a column, lower case (Zoom has renamed its columns over the years).
EMAIL = ("user email", "email", "email address", "participant id (upn)", "upn")
NAME = ("name (original name)", "name", "full name", "participant", "display name")
DURATION = ("duration (minutes)", "duration (mins)", "total duration (minutes)", "in-meeting duration",
            "duration", "attendance duration", "time in session (minutes)")  # fmt: skip
JOINED = ("join time", "first join", "join", "joined", "first join time")
LEFT = ("leave time", "last leave", "leave", "left", "last leave time")
TIME_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y, %I:%M:%S %p", "%m/%d/%y, %I:%M:%S %p", "%m/%d/%Y %H:%M:%S",
                "%m/%d/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")  # fmt: skip
SPAN = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+)\s*s)?\s*$", re.IGNORECASE)
CLOCK = re.compile(r"^\s*(\d+):(\d{1,2})(?::(\d{1,2}))?\s*$")


class ReportRefused(ValueError):
    """A file that is no attendance report, in the words of whoever uploaded it."""


@dataclass
class ReportLine:
    """One person in the report: their joins summed."""

    email: str
    name: str
    seconds: float = 0.0
    joins: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return math.ceil(self.seconds / 60 - 1e-9) if self.seconds > 0 else 0


@dataclass
class Report:
    lines: list[ReportLine]  # one per email address, in the report's order
    nameless: list[ReportLine]  # rows without an email address: nobody to match them to


def read_report(data: bytes) -> Report:
    """The report's people, each email's joins summed; ReportRefused if it is none."""
    text = _text(data)
    rows = list(csv.reader(io.StringIO(text), dialect=_dialect(text)))
    start, columns = _header(rows)
    by_email: dict[str, ReportLine] = {}
    nameless: list[ReportLine] = []
    for row in rows[start + 1 :]:
        if not any(cell.strip() for cell in row):
            break  # the end of the participants' section (Teams' report has more after it)
        cells = {key: row[i].strip() if i < len(row) else "" for key, i in columns.items()}
        email, name = cells.get("email", ""), cells.get("name", "")
        if "@" not in email:
            nameless.append(ReportLine(email=email, name=name or "(no name)", problems=["no email address"]))
            continue
        line = by_email.setdefault(email.casefold(), ReportLine(email=email, name=name))
        _add_join(line, cells)
    return Report(lines=list(by_email.values()), nameless=nameless)


def _text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReportRefused("the file is not a text (CSV) attendance report") from None


def _dialect(text: str) -> type[csv.Dialect]:
    """Tab-separated (Teams) or comma-separated (Zoom), by which its first lines use more."""
    sample = text[:4096]
    return csv.excel_tab if sample.count("\t") > sample.count(",") else csv.excel


def _header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    """The row naming the columns (after any summary section), and where each column is."""
    for index, row in enumerate(rows):
        names = [cell.strip().lower() for cell in row]
        email = _find(names, EMAIL)
        if email is None:
            continue
        columns = {"email": email}
        for key, aliases in (("name", NAME), ("duration", DURATION), ("joined", JOINED), ("left", LEFT)):
            found = _find(names, aliases)
            if found is not None:
                columns[key] = found
        if "duration" not in columns and not {"joined", "left"} <= columns.keys():
            raise ReportRefused("the report has no duration column, nor join and leave times")
        return index, columns
    raise ReportRefused(
        "the file has no email column: upload the participants report from Zoom (with User Email) "
        "or the attendance report from Teams"
    )


def _find(names: list[str], aliases: tuple[str, ...]) -> int | None:
    return next((names.index(a) for a in aliases if a in names), None)


def _add_join(line: ReportLine, cells: dict[str, str]) -> None:
    seconds = _duration(cells.get("duration", "")) if cells.get("duration") else None
    if seconds is None:
        seconds = _between(cells.get("joined", ""), cells.get("left", ""))
    if seconds is None:
        line.problems.append(
            f"a join without a duration one can read ({cells.get('duration', '') or 'none'})"
        )
        return
    line.seconds += seconds
    line.joins += 1


def _duration(text: str) -> float | None:
    """A duration as the reports write it: minutes ("45"), "1h 2m 3s", or "1:02:03"."""
    try:
        return float(text) * 60
    except ValueError:
        pass
    clock = CLOCK.match(text)
    if clock:
        hours, minutes, seconds = (int(part or 0) for part in clock.groups())
        return (
            (hours * 3600 + minutes * 60 + seconds) if clock[3] is not None else (hours * 60 + minutes) * 60
        )
    span = SPAN.match(text)
    if span and any(span.groups()):
        hours, minutes, seconds = (int(part or 0) for part in span.groups())
        return hours * 3600 + minutes * 60 + seconds
    return None


def _between(joined: str, left: str) -> float | None:
    start, end = _moment(joined), _moment(left)
    if start is None or end is None or (start.tzinfo is None) != (end.tzinfo is None) or end < start:
        return None
    return (end - start).total_seconds()


def _moment(text: str) -> datetime | None:
    text = text.strip()
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
