"""The nursing contact-hour record (ANCC): what the provider keeps of each nurse's completion
for the retention period, as a CSV a spreadsheet opens.

ANCC takes no learner upload: an accredited provider keeps, in each activity's file, a
record of who was awarded how many contact hours, and keeps it six years (ANCC's accredited
provider units and approvers say so: e.g. vumc.org, "Contact hour documentation"; the
Colorado Nurses Association, "Activity file requirements": "retained … for 6 years"). The
activity file also holds the title, the date and the contact hours awarded (the same
sources). So the record is, per completion: the nurse's last and first name, the activity
and its date, the day completed, the contact hours awarded, the ledger entries and source
positions it rests on (so an auditor can replay it), and the day it may be discarded (the
completion plus the provider's retention period, QI_CE_RETENTION_YEARS, six by default;
the engine keeps an erased nurse's name that long for this record).
"""

from __future__ import annotations

import csv
import io
from datetime import date

from adapters.exports.accreditors.text import amount, cell
from aggregates.values import CreditType
from projections.credits.completions import ReportFile

COLUMNS = (
    "Last Name",
    "First Name",
    "Activity",
    "Activity Date",
    "Completion Date",
    "Contact Hours",
    "Ledger Entries",
    "Source Positions",
    "Keep Until",
)


def nursing_rows(file: ReportFile, retention_years: int) -> list[tuple[str, ...]]:
    return [
        (
            cell(c.learner.last_name),
            cell(c.learner.first_name),
            cell(c.title),
            (c.activity_date or c.completed_on).isoformat(),
            c.completed_on.isoformat(),
            amount(c.credits.get(CreditType.CNE, 0.0)),
            " ".join(c.entries),
            " ".join(str(p) for p in c.positions),
            _years_after(c.completed_on, retention_years).isoformat(),
        )
        for c in file.completions
    ]


def nursing_csv(file: ReportFile, retention_years: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(nursing_rows(file, retention_years))
    return out.getvalue().encode()


def _years_after(day: date, years: int) -> date:
    """The same day `years` later; 29 February falls on 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
