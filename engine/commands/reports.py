"""Commands on a team's monthly report: draft it, submit it, answer it, reopen it.

Each names the report by its team and month; the URL path carries both. `If-Match`
refers to the report's own version.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import StringConstraints

from aggregates.monthly_report import ReportSections, monthly_report_id
from aggregates.values import Period, Text
from engine.commands import Command

# A section may be left empty while the report is a draft; submitting needs one written.
SectionText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=20_000, pattern=r"^[^\x00]*$")
]


class ReportCommand(Command):
    team_id: UUID
    month: Period

    def target_id(self) -> UUID | None:
        return monthly_report_id(self.team_id, self.month)


class DraftReport(ReportCommand):
    """The team writes (or changes) its report for the month; empty sections are left out."""

    successes: SectionText = ""
    barriers: SectionText = ""
    tested: SectionText = ""
    learned: SectionText = ""
    help_wanted: SectionText = ""

    def sections(self) -> ReportSections:
        return ReportSections(
            successes=self.successes, barriers=self.barriers, tested=self.tested,
            learned=self.learned, help_wanted=self.help_wanted,
        )  # fmt: skip


class SubmitReport(ReportCommand):
    """The team sends its report to its coach."""


class AnswerReport(ReportCommand):
    """The team's coach (or staff) answers a submitted report with feedback."""

    feedback: Text


class ReopenReport(ReportCommand):
    """The team takes its submitted report back, to change it and submit it again."""
