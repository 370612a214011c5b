"""ACCME PARS learner completions: the learner batch template (CME and ABP MOC in one row), as
the tab-delimited text file PARS's batch upload takes.

The layout, and where it comes from:

- The columns and their order are the header row of ACCME's Excel learner template
  ("Learner Excel CME MOC Template", file 917_20240125_Learner_Excel_CME_MOC_Template.xlsx,
  accme.org/resource/excel-learner-batch-template/), as an open-source CME tracker that read
  the file reproduces its header row in its importer and test (2026-08): Record Action, ACCME
  Activity ID, Completion Date, First Name, Last Name, Date of Birth, Licensing State,
  Licensing ID or NPI, Number of CME Credits, Certifying Board, Certifying Board ID, Total
  Board Credits, Credit Type, Credits Awarded for Credit Type. The template's later
  columns (an additional credit type, and so on) are not written: the ledger's MOC is one
  board's (ABP) and one credit type a completion.
- The tab-delimited upload ("PARS Participant Tab Delimited File Upload Instructions –
  Learner Template B", ACCME 736, April 2020) is that template saved as tab-delimited text;
  it is written here as the header row, then one row per learner completion (whether PARS
  wants the Excel template's guidance row above the header could not be read). ACCME's
  learner upload adds or deletes records: every row here is "Add". Learner records cannot be
  edited in PARS (a provider's notes on its web services), so a completion corrected after
  it was reported is deleted there and added again from a file made after the correction.
- One row carries CME, MOC or both (accme.org, "Excel Template Instructions for Submitting
  Learner Completion Data", November 2025).
- Date of Birth is month and day only, MM/DD (ACCME FAQ, "What information should I collect
  about each board-certified physician…": date of birth month/day). Completion Date is
  MM/DD/YYYY, as PARS's activity templates write dates (01/31/2014).
- Certifying Board is the board's PARS code (ABP: accme.org, "Submit data via batch upload
  or web services", the collaborating boards); Credit Type is the ABP MOC part's name as
  the ABP publishes it (Part 2 "Lifelong Learning and Self-Assessment", Part 4 "Improving
  Professional Practice").
- Licensing State and Licensing ID or NPI serve the state medical boards' collaboration:
  the learner's first state licence (two-letter code and number), else their NPI.

What was not at hand to check against: the template's columns after "Credits Awarded for
Credit Type", and PARS's JSON web-service field names (which is why no JSON file is made:
its field names would be guesses).
"""

from __future__ import annotations

from adapters.exports.accreditors.text import amount, cell
from aggregates.learner_ids import Board
from aggregates.values import CreditType
from projections.credits.completions import Completion, ReportFile

COLUMNS = (
    "Record Action",
    "ACCME Activity ID",
    "Completion Date",
    "First Name",
    "Last Name",
    "Date of Birth",
    "Licensing State",
    "Licensing ID or NPI",
    "Number of CME Credits",
    "Certifying Board",
    "Certifying Board ID",
    "Total Board Credits",
    "Credit Type",
    "Credits Awarded for Credit Type",
)
ABP_CREDIT_TYPES = {
    CreditType.MOC_PART_2: "Lifelong Learning and Self-Assessment",
    CreditType.MOC_PART_4: "Improving Professional Practice",
}


def pars_rows(file: ReportFile) -> list[tuple[str, ...]]:
    """The rows after the header: one for each credit type of MOC a completion carries (the
    first with its CME), in the completions' order."""
    rows = []
    for completion in file.completions:
        moc = [(t, a) for t, a in completion.credits.items() if t in ABP_CREDIT_TYPES]
        cme = completion.credits.get(CreditType.CME)
        for i, board_credit in enumerate(moc or [None]):
            rows.append(_row(completion, cme if i == 0 else None, board_credit))
    return rows


def pars_text(file: ReportFile) -> bytes:
    """The tab-delimited file: the header row, then the rows, CRLF line ends, UTF-8."""
    lines = ["\t".join(COLUMNS), *("\t".join(row) for row in pars_rows(file))]
    return ("\r\n".join(lines) + "\r\n").encode()


def _row(c: Completion, cme: float | None, board_credit: tuple[CreditType, float] | None) -> tuple[str, ...]:
    learner = c.learner
    licence = learner.state_licences[0] if learner.state_licences else None
    abp = next((b.number for b in learner.boards if b.board == Board.ABP), "") if board_credit else ""
    return (
        "Add",
        c.activity.pars_activity_id or "",
        c.completed_on.strftime("%m/%d/%Y"),
        cell(learner.first_name),
        cell(learner.last_name),
        f"{learner.birth_day.month:02d}/{learner.birth_day.day:02d}" if learner.birth_day else "",
        licence.state if licence else "",
        cell(licence.number if licence else learner.npi),
        amount(cme) if cme is not None else "",
        Board.ABP.value if board_credit else "",
        cell(abp),
        amount(board_credit[1]) if board_credit else "",
        ABP_CREDIT_TYPES[board_credit[0]] if board_credit else "",
        amount(board_credit[1]) if board_credit else "",
    )
