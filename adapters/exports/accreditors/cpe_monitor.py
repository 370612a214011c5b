"""ACPE / NABP CPE Monitor: a pharmacist's completions as the submissions CPE Monitor's web
service takes, one line each, in the service's own parameters.

The layout, and where it comes from:

- CPE Monitor takes a completion through its web service `SubmitCPEActivityJSON`
  (cpemonitor.acpe-accredit.org/service/cpemonitorservice.asmx; ACPE, "CPE Monitor
  Technical Specifications", web service transmission over HTTP GET with a JSON response),
  whose parameters are, in the order an open-source LMS plugin that submits to it sends
  them: provider_number, epid, date_of_birth, uan, date_of_participation, action (then the
  provider's username and password, which never go into a file).
- provider_number: the ACPE provider's number, the first part of the activity's Universal
  Activity Number (acpe-accredit.org, "Universal Activity Numbers": provider – joint
  providership – year – sequence – format – P or T; a jointly accredited provider's is JA
  and seven digits).
- epid: the pharmacist's NABP e-Profile ID; date_of_birth: month and day as MMDD
  (nabp.pharmacy, "CPE Monitor Service": the learner gives "their date of birth in MMDD
  format" with the e-Profile ID).
- uan: the activity's Universal Activity Number.
- date_of_participation: the day of the completion, YYYY-MM-DD, as that plugin sends it; for
  a live activity it is the activity's date as registered with ACPE.
- action: I, a new completion (the only action that plugin sends).
- A completion reaches CPE Monitor within 60 days of the activity (nabp.pharmacy: "Providers
  have up to 60 days from the date of your activity to submit"); the credit check lists
  those past it, and so does the validation report.

What was not at hand: the specification's batch file layout and naming convention, so the
file is the service's parameters, one submission a line (CSV with a header row), for the
provider's system or a script to send.
"""

from __future__ import annotations

import csv
import io

from projections.credits.completions import ReportFile

COLUMNS = ("provider_number", "epid", "date_of_birth", "uan", "date_of_participation", "action")


def cpe_monitor_rows(file: ReportFile) -> list[tuple[str, ...]]:
    rows = []
    for c in file.completions:
        uan = c.activity.acpe_uan or ""
        birthday = c.learner.birth_day.mmdd if c.learner.birth_day else ""
        rows.append(
            (
                uan.split("-")[0],
                c.learner.nabp_eprofile_id or "",
                birthday,
                uan,
                c.completed_on.isoformat(),
                "I",
            )
        )
    return rows


def cpe_monitor_csv(file: ReportFile) -> bytes:
    """The submissions: a header row of the parameters, then one row a completion."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(cpe_monitor_rows(file))
    return out.getvalue().encode()
