"""The credit check: before any accreditor's file is made, every learner and activity of a
collaborative that cannot be reported, and why, from the ledger as of a moment.

The ledger's entries, the learners' ids and the activities' are taken as they stood at that
moment (projections.credits.as_of), so a check for a past date is the same whenever it is
made; checked as of now, a learner who adds what they lacked leaves the list at once."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from uuid import UUID

from pydantic import BaseModel

from aggregates.activity_ids import ActivityIds
from aggregates.learner_ids import LearnerIds
from projections.base import Opener, Tx
from projections.credits.as_of import CreditThen, credit_then
from projections.credits.requirements import REPORTS, Report, activity_lacks, learner_lacks
from projections.credits.schemas import CreditRow
from projections.credits.tables import ACTIVITIES, ATTENDANCE

# ACPE: a provider reports a completion to CPE Monitor within 60 days of the activity.
CPE_MONITOR_WINDOW = timedelta(days=60)


class LearnerToMend(BaseModel):
    """A learner whose completions cannot go into a report until they add what they lack."""

    report: Report
    participant_id: UUID
    learner_name: str
    completions: int
    lacks: list[str]


class ActivityToMend(BaseModel):
    """An activity whose completions cannot go into a report until its record has its ids."""

    report: Report
    activity_id: UUID | None  # None: a team's improvement project (MOC Part 4)
    title: str
    completions: int
    lacks: list[str]
    ids: ActivityIds | None = None  # what its record holds now


class LateCompletion(BaseModel):
    """A CPE Monitor completion more than 60 days after its activity (ACPE's window)."""

    participant_id: UUID
    learner_name: str
    title: str
    credit_date: date
    days: int


class ActivityFigures(BaseModel):
    """What PARS asks of an activity to close it: its learners, physicians and others (by
    discipline beside), counting each person who attended by the moment once."""

    activity_id: UUID
    title: str
    activity_date: date
    pars_activity_id: str | None
    commercial_support: bool
    physicians: int
    others: int
    by_discipline: dict[str, int]


class ReportReadiness(BaseModel):
    """How much of one report's credit can be reported now."""

    report: Report
    learners: int
    completions: int
    ready: int


class CreditCheck(BaseModel):
    collaborative_id: UUID
    as_of: datetime
    reports: list[ReportReadiness]
    learners: list[LearnerToMend]
    activities: list[ActivityToMend]
    late: list[LateCompletion]
    figures: list[ActivityFigures] = []

    @property
    def clean(self) -> bool:
        """Whether every completion can be reported as it stands."""
        return not self.learners and not self.activities


def check(
    collaborative_id: UUID,
    awards: list[CreditRow],
    learners: dict[UUID, LearnerIds | None],
    activities: dict[UUID, ActivityIds | None],
    as_of: datetime,
) -> CreditCheck:
    """The check of standing awards against each report's needs (projections.credits.requirements)."""
    by_learner: dict[tuple[Report, UUID], list[CreditRow]] = defaultdict(list)
    by_activity: dict[tuple[Report, UUID | None], list[CreditRow]] = defaultdict(list)
    for award in awards:
        report = REPORTS[award.credit_type]
        by_learner[(report, award.participant_id)].append(award)
        by_activity[(report, award.activity_id)].append(award)
    to_mend = [
        LearnerToMend(report=report, participant_id=who, learner_name=done[0].learner_name,
                      completions=len(done), lacks=lacking)
        for (report, who), done in by_learner.items()
        if (lacking := learner_lacks(report, learners.get(who)))
    ]  # fmt: skip
    activities_to_mend = [
        ActivityToMend(report=report, activity_id=what, title=done[0].activity_title or "Team project (MOC Part 4)",
                       completions=len(done), lacks=lacking, ids=activities.get(what) if what else None)
        for (report, what), done in by_activity.items()
        if (lacking := activity_lacks(report, activities.get(what) if what else None))
    ]  # fmt: skip
    blocked_learners = {(m.report, m.participant_id) for m in to_mend}
    blocked_activities = {(m.report, m.activity_id) for m in activities_to_mend}
    readiness = []
    for report in Report:
        mine = [a for a in awards if REPORTS[a.credit_type] == report]
        if not mine:
            continue
        ready = [a for a in mine if (report, a.participant_id) not in blocked_learners
                 and (report, a.activity_id) not in blocked_activities]  # fmt: skip
        readiness.append(ReportReadiness(report=report, learners=len({a.participant_id for a in mine}),
                                         completions=len(mine), ready=len(ready)))  # fmt: skip
    late = [
        LateCompletion(participant_id=a.participant_id, learner_name=a.learner_name,
                       title=a.activity_title or "", credit_date=a.credit_date,
                       days=(as_of.date() - a.credit_date).days)
        for a in awards
        if REPORTS[a.credit_type] == Report.CPE_MONITOR and as_of.date() - a.credit_date > CPE_MONITOR_WINDOW
    ]  # fmt: skip
    order = list(Report)
    return CreditCheck(
        collaborative_id=collaborative_id,
        as_of=as_of,
        reports=readiness,
        learners=sorted(to_mend, key=lambda m: (order.index(m.report), m.learner_name.casefold())),
        activities=sorted(activities_to_mend, key=lambda m: (order.index(m.report), m.title.casefold())),
        late=late,
    )


def credit_check(tx: Tx, collaborative_id: UUID, as_of: datetime, opener: Opener) -> CreditCheck:
    """The check of a collaborative's ledger as of `as_of`; `opener` opens the learners' ids."""
    then = credit_then(tx, collaborative_id, as_of, opener)
    found = check(collaborative_id, then.awards, then.learners, then.activity_ids, as_of)
    return found.model_copy(update={"figures": activity_figures(tx, then)})


def activity_figures(tx: Tx, then: CreditThen) -> list[ActivityFigures]:
    """Each CE activity's learners as of the moment: a person's latest attendance by then, if any minutes."""
    cid = str(then.collaborative_id)
    latest: dict[tuple[str, str], tuple[int, int]] = {}
    for activity_id, participant_id, position, minutes, recorded_at in tx.fetchall(
        f"SELECT t.activity_id, t.participant_id, t.source_position, t.minutes, t.recorded_at FROM {ATTENDANCE} t "
        f"JOIN {ACTIVITIES} a ON a.activity_id = t.activity_id WHERE a.collaborative_id = ?",
        (cid,),
    ):
        if datetime.fromisoformat(recorded_at) > then.as_of:
            continue
        key = (activity_id, participant_id)
        if key not in latest or latest[key][0] < int(position):
            latest[key] = (int(position), int(minutes))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (activity_id, participant_id), (_, minutes) in latest.items():
        if minutes > 0:
            counts[activity_id][then.disciplines.get(UUID(participant_id), "other")] += 1
    figures = []
    order = sorted(then.activities.items(), key=lambda item: (item[1].activity_date, item[1].title))
    for activity_id, activity in order:
        if str(activity_id) not in counts:
            continue
        by = dict(sorted(counts[str(activity_id)].items()))
        physicians = by.get("physician", 0)
        known = activity.ids or ActivityIds()
        figures.append(ActivityFigures(
            activity_id=activity_id, title=activity.title, activity_date=activity.activity_date,
            pars_activity_id=known.pars_activity_id, commercial_support=known.commercial_support,
            physicians=physicians, others=sum(by.values()) - physicians, by_discipline=by,
        ))  # fmt: skip
    return figures
