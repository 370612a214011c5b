"""What each accreditor's report needs of a learner and an activity, as one explicit table,
and what a given learner lacks for it: the validation report lists every learner that
cannot be reported and why, before any file is made.

The requirements, and where they are published (each file's layout, and its sources, is in
its writer's docstring in adapters/exports/accreditors):

- ACCME PARS, CME: the learner's first and last name and the completion date, for an
  activity known to PARS (its PARS activity id).
- ACCME PARS, MOC (the ledger's MOC is the American Board of Pediatrics'): also the
  diplomate's ABP id and their date of birth as month and day (ACCME FAQ, "What
  information should I collect about each board-certified physician who participates in
  CME?": date of completion, board id, first name, last name, date of birth month/day).
- ACPE / NABP CPE Monitor: the pharmacist's NABP e-Profile ID and date of birth as MMDD,
  for an activity with its Universal Activity Number (acpe-accredit.org; nabp.pharmacy).
- CAPCE: the EMS clinician's NREMT number or a state licence, for a course with its CAPCE
  course number.
- ANCC contact hours: the nurse's first and last name (the record is the provider's own,
  kept for the retention period).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from aggregates.activity_ids import ActivityIds
from aggregates.learner_ids import Board, LearnerIds
from aggregates.values import CreditType


class Report(StrEnum):
    PARS_CME = "ACCME PARS (CME)"
    PARS_MOC = "ACCME PARS (MOC)"
    CPE_MONITOR = "CPE Monitor"
    CAPCE = "CAPCE"
    ANCC = "ANCC contact hours"


# Which report a credit type is reported in.
REPORTS: dict[CreditType, Report] = {
    CreditType.CME: Report.PARS_CME,
    CreditType.MOC_PART_2: Report.PARS_MOC,
    CreditType.MOC_PART_4: Report.PARS_MOC,
    CreditType.ACPE: Report.CPE_MONITOR,
    CreditType.CAPCE: Report.CAPCE,
    CreditType.CNE: Report.ANCC,
}


@dataclass(frozen=True)
class Need:
    what: str  # as the validation report names it: "no date of birth (month and day)"
    missing: Callable[[LearnerIds, ActivityIds], bool]
    of_activity: bool = False  # the activity's to mend (staff), not the learner's


_NAMES = (
    Need("no first name", lambda learner, _: learner.first_name is None),
    Need("no last name", lambda learner, _: learner.last_name is None),
)
_PARS_ID = Need("the activity has no PARS activity id", lambda _, a: a.pars_activity_id is None, True)
_BIRTHDAY = Need("no date of birth (month and day)", lambda learner, _: learner.birth_day is None)

NEEDS: dict[Report, tuple[Need, ...]] = {
    Report.PARS_CME: (
        *_NAMES,
        _PARS_ID,
    ),
    Report.PARS_MOC: (
        *_NAMES,
        _BIRTHDAY,
        Need("no ABP board id", lambda learner, _: not any(b.board == Board.ABP for b in learner.boards)),
        _PARS_ID,
    ),
    Report.CPE_MONITOR: (
        Need("no NABP e-Profile ID", lambda learner, _: learner.nabp_eprofile_id is None),
        _BIRTHDAY,
        Need("the activity has no ACPE Universal Activity Number", lambda _, a: a.acpe_uan is None, True),
    ),
    Report.CAPCE: (
        Need(
            "no NREMT number or state licence",
            lambda learner, _: learner.nremt_id is None and not learner.state_licences,
        ),
        Need("the activity has no CAPCE course number", lambda _, a: a.capce_course_number is None, True),
    ),
    Report.ANCC: _NAMES,
}


def lacks(report: Report, learner: LearnerIds | None, activity: ActivityIds | None) -> list[str]:
    """What keeps a learner's completion of an activity out of `report`, in the table's
    order; empty when it can be reported."""
    found, ids = learner or LearnerIds(), activity or ActivityIds()
    return [need.what for need in NEEDS[report] if need.missing(found, ids)]


def learner_lacks(report: Report, learner: LearnerIds | None) -> list[str]:
    """What the learner must add to be reported in `report` (whatever the activity)."""
    found = learner or LearnerIds()
    return [n.what for n in NEEDS[report] if not n.of_activity and n.missing(found, ActivityIds())]


def activity_lacks(report: Report, activity: ActivityIds | None) -> list[str]:
    """What the activity's record must add for any completion of it to be reported."""
    ids = activity or ActivityIds()
    return [n.what for n in NEEDS[report] if n.of_activity and n.missing(LearnerIds(), ids)]
