"""The completions an accreditor's file reports: one per learner, activity and day, carrying
every credit type of that report together (PARS takes a physician's CME and MOC in one row),
drawn from the credit as it stood at a moment, leaving out the learners and activities the
credit check lists for that report (they lack what it needs).

Nothing here knows a file's layout; `adapters/exports/accreditors` writes each one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from aggregates.activity_ids import ActivityIds
from aggregates.learner_ids import LearnerIds
from aggregates.values import CreditType
from projections.credits.as_of import CreditThen
from projections.credits.check import ActivityToMend, CreditCheck, LearnerToMend, check
from projections.credits.requirements import REPORTS, Report
from projections.credits.schemas import CreditRow


@dataclass(frozen=True)
class Completion:
    """A learner's completion of an activity on a day, with what it earned per credit type."""

    participant_id: UUID
    learner: LearnerIds
    discipline: str | None  # in the collaborative: physician, paramedic, emt…
    activity_id: UUID | None
    title: str
    activity_date: date | None
    activity: ActivityIds
    completed_on: date
    credits: dict[CreditType, float]
    entries: tuple[str, ...]  # the ledger entries it sums, in ledger order
    positions: tuple[int, ...]  # their source events' positions


@dataclass(frozen=True)
class ReportFile:
    """What one accreditor's file is made of, as of the check's moment: the check (who and
    what is left out, and why) and the completions that can be reported."""

    reports: tuple[Report, ...]
    check: CreditCheck
    completions: list[Completion]

    @property
    def learners_left_out(self) -> list[LearnerToMend]:
        return [m for m in self.check.learners if m.report in self.reports]

    @property
    def activities_left_out(self) -> list[ActivityToMend]:
        return [m for m in self.check.activities if m.report in self.reports]

    @property
    def complete(self) -> bool:
        """Whether every completion of the report is in the file."""
        return not self.learners_left_out and not self.activities_left_out


def report_file(then: CreditThen, reports: tuple[Report, ...]) -> ReportFile:
    """The completions of `reports` (PARS: its CME and its MOC) as of the moment of `then`,
    and the check of that moment. A completion whose MOC is held back (no board id, say)
    still carries its CME when that can be reported."""
    found = check(then.collaborative_id, then.awards, then.learners, then.activity_ids, then.as_of)
    blocked = {(m.report, m.participant_id) for m in found.learners} | {
        (m.report, m.activity_id) for m in found.activities
    }
    grouped: dict[tuple[UUID, UUID | None, date], list[CreditRow]] = defaultdict(list)
    for award in then.awards:
        report = REPORTS[award.credit_type]
        if (
            report not in reports
            or (report, award.participant_id) in blocked
            or (report, award.activity_id) in blocked
        ):
            continue
        grouped[(award.participant_id, award.activity_id, award.credit_date)].append(award)
    completions = [_completion(then, rows) for rows in grouped.values()]
    completions.sort(key=_order)
    return ReportFile(reports, found, completions)


def _completion(then: CreditThen, rows: list[CreditRow]) -> Completion:
    first = rows[0]
    activity = then.activities.get(first.activity_id) if first.activity_id else None
    credits: dict[CreditType, float] = defaultdict(float)
    for row in rows:
        credits[row.credit_type] += row.amount
    return Completion(
        participant_id=first.participant_id,
        learner=then.learners.get(first.participant_id) or LearnerIds(),
        discipline=then.disciplines.get(first.participant_id),
        activity_id=first.activity_id,
        title=activity.title if activity else (first.activity_title or ""),
        activity_date=activity.activity_date if activity else None,
        activity=(activity.ids if activity else None) or ActivityIds(),
        completed_on=first.credit_date,
        credits={t: round(a, 4) + 0.0 for t, a in sorted(credits.items())},
        entries=tuple(r.entry_id for r in rows),
        positions=tuple(sorted({r.source_position for r in rows})),
    )


def _order(c: Completion) -> tuple[object, ...]:
    """By activity (date, title), then learner (last name, first name, id): the same every time."""
    return (
        c.activity_date or c.completed_on,
        c.title.casefold(),
        str(c.activity_id),
        (c.learner.last_name or "").casefold(),
        (c.learner.first_name or "").casefold(),
        str(c.participant_id),
        c.completed_on,
    )
