"""A MonthlyReport: a team's report of one month to its coach and faculty (IHI Breakthrough
Series), one per team and month.

The team drafts what went well, what stood in its way, what it tested, what it learned
and what help it wants, and submits it; its coach (or staff) answers with feedback; the
team may reopen it, change it and submit it again. The month's data and PDSA activity are
not typed in: reads compute them from the team (engine.queries.reports). Every step is an
event; the text is the team's and personal data, sealed under the team's key.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Self
from uuid import UUID, uuid5

from pydantic import BaseModel

from aggregates.base import CommandContext, QIAggregate, QICreated, QIEvent, Value
from aggregates.errors import RuleViolation
from aggregates.personal import ERASED_TEXT, Personal, Sealed
from aggregates.phases import Activity, Phase, require_allowed

NAMESPACE = UUID("2f0d8c1e-7a4b-4e59-9c3d-5b8a1e6f0d27")

# Free text the team writes about itself: personal data, as a coaching note is, under the team's key.
ReportText = Annotated[str | Sealed, Personal(erased=ERASED_TEXT, subject="team_id")]

# The report's sections, in the order people read them, with their headings.
SECTIONS: dict[str, str] = {
    "successes": "Successes",
    "barriers": "Barriers",
    "tested": "What we tested",
    "learned": "What we learned",
    "help_wanted": "Help wanted",
}


def monthly_report_id(team_id: UUID, month: str) -> UUID:
    """One report per team and month, so its id derives from both."""
    return uuid5(NAMESPACE, f"monthly-report\x1f{team_id}\x1f{month}")


def require_begun(month: str, at: datetime) -> None:
    if month > at.strftime("%Y-%m"):
        raise RuleViolation(f"{month} has not begun: a month is reported once it has")


class ReportStatus(StrEnum):
    NOT_STARTED = "not started"  # no report yet: no aggregate holds this one
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ANSWERED = "answered"
    REOPENED = "reopened"


class ReportSections(Value):
    """What the team writes; an empty section is left out of the report."""

    successes: str = ""
    barriers: str = ""
    tested: str = ""
    learned: str = ""
    help_wanted: str = ""

    def is_empty(self) -> bool:
        return not any(getattr(self, key).strip() for key in SECTIONS)


class MonthlyReportState(BaseModel):
    team_id: UUID
    collaborative_id: UUID
    month: str
    status: ReportStatus = ReportStatus.DRAFT
    successes: ReportText = ""
    barriers: ReportText = ""
    tested: ReportText = ""
    learned: ReportText = ""
    help_wanted: ReportText = ""
    drafted_by: str = ""
    drafted_at: datetime | None = None
    submitted_by: str | None = None
    submitted_role: str = ""
    submitted_at: datetime | None = None
    feedback: ReportText = ""
    answered_by: str | None = None
    answered_role: str = ""
    answered_at: datetime | None = None
    reopened_by: str | None = None
    reopened_at: datetime | None = None
    submissions: int = 0  # how many times it was submitted

    def sections(self) -> ReportSections:
        return ReportSections(**{key: getattr(self, key) for key in SECTIONS})


class MonthlyReport(QIAggregate):
    State = MonthlyReportState
    if TYPE_CHECKING:
        state: MonthlyReportState

    @classmethod
    def start(
        cls, ctx: CommandContext, team_id: UUID, collaborative_id: UUID, month: str, phase: Phase
    ) -> Self:
        require_allowed(Activity.REPORT_MONTHLY, phase)
        require_begun(month, ctx.at)
        return cls._create_with(
            ctx,
            MonthlyReportStarted,
            monthly_report_id(team_id, month),
            team_id=team_id,
            collaborative_id=collaborative_id,
            month=month,
        )

    def draft(self, ctx: CommandContext, phase: Phase, sections: ReportSections) -> None:
        """Write or change the report; a submitted or answered one is reopened first."""
        require_allowed(Activity.REPORT_MONTHLY, phase)
        s = self.state
        if s.status in (ReportStatus.SUBMITTED, ReportStatus.ANSWERED):
            raise RuleViolation(f"the report for {s.month} is {s.status.value}; reopen it to change it")
        if s.drafted_at is not None and s.sections() == sections:
            return
        written = {key: text or None for key, text in sections.model_dump().items()}
        self._record(ctx, ReportDrafted, team_id=s.team_id, **written)

    def submit(self, ctx: CommandContext, phase: Phase) -> None:
        """Send the report to the team's coach; one already submitted stays as it is."""
        require_allowed(Activity.REPORT_MONTHLY, phase)
        s = self.state
        if s.status is ReportStatus.SUBMITTED:
            return
        if s.status is ReportStatus.ANSWERED:
            raise RuleViolation(f"the report for {s.month} is already answered; reopen it to submit it again")
        if s.sections().is_empty():
            raise RuleViolation(
                f"the report for {s.month} is empty: write at least one of its sections "
                "(successes, barriers, what you tested, what you learned, help wanted) before submitting it"
            )
        self._record(ctx, ReportSubmitted)

    def answer(self, ctx: CommandContext, phase: Phase, feedback: str) -> None:
        """The coach's (or staff's) feedback on a submitted report."""
        require_allowed(Activity.REPORT_MONTHLY, phase)
        s = self.state
        if s.status is ReportStatus.ANSWERED and s.feedback == feedback:
            return
        if s.status is not ReportStatus.SUBMITTED:
            raise RuleViolation(
                f"the report for {s.month} is {s.status.value}, not submitted; "
                "feedback answers a submitted report"
            )
        self._record(ctx, ReportAnswered, team_id=s.team_id, feedback=feedback)

    def reopen(self, ctx: CommandContext, phase: Phase) -> None:
        """Take a submitted (or answered) report back to change it and submit it again; one
        already reopened stays as it is."""
        require_allowed(Activity.REPORT_MONTHLY, phase)
        s = self.state
        if s.status is ReportStatus.REOPENED:
            return
        if s.status is ReportStatus.DRAFT:
            raise RuleViolation(
                f"the report for {s.month} is {s.status.value}, not submitted; only a submitted report is reopened"
            )
        self._record(ctx, ReportReopened)


# Events ---------------------------------------------------------------------


class MonthlyReportStarted(QICreated):
    team_id: UUID
    month: str

    def apply(self, aggregate: MonthlyReport) -> None:
        assert self.collaborative_id is not None
        aggregate.state = MonthlyReportState(
            team_id=self.team_id, collaborative_id=self.collaborative_id, month=self.month
        )


class ReportDrafted(QIEvent):
    team_id: UUID  # whose key seals the text
    # An empty section is None: nothing personal travels open.
    successes: ReportText | None = None
    barriers: ReportText | None = None
    tested: ReportText | None = None
    learned: ReportText | None = None
    help_wanted: ReportText | None = None

    def apply(self, aggregate: MonthlyReport) -> None:
        s = aggregate.state
        for key in SECTIONS:
            setattr(s, key, getattr(self, key) or "")
        s.drafted_by, s.drafted_at = self.actor_id, self.timestamp


class ReportSubmitted(QIEvent):
    def apply(self, aggregate: MonthlyReport) -> None:
        s = aggregate.state
        s.status, s.submitted_by, s.submitted_at = ReportStatus.SUBMITTED, self.actor_id, self.timestamp
        s.submitted_role = self.actor_role.value
        s.submissions += 1


class ReportAnswered(QIEvent):
    team_id: UUID  # whose key seals the feedback
    feedback: ReportText

    def apply(self, aggregate: MonthlyReport) -> None:
        s = aggregate.state
        s.status, s.feedback = ReportStatus.ANSWERED, self.feedback
        s.answered_by, s.answered_at, s.answered_role = self.actor_id, self.timestamp, self.actor_role.value


class ReportReopened(QIEvent):
    def apply(self, aggregate: MonthlyReport) -> None:
        s = aggregate.state
        s.status, s.reopened_by, s.reopened_at = ReportStatus.REOPENED, self.actor_id, self.timestamp
