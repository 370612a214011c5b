"""A team's monthly report, given its history: drafted, submitted, answered, reopened and
submitted again; and each step refused where it makes no sense, recording nothing."""

from __future__ import annotations

from uuid import uuid4

import pytest

from aggregates.base import Actor, Role
from aggregates.errors import ActivityNotAllowed, RuleViolation
from aggregates.monthly_report import (
    MonthlyReport,
    MonthlyReportStarted,
    ReportAnswered,
    ReportDrafted,
    ReportReopened,
    ReportSections,
    ReportStatus,
    ReportSubmitted,
    monthly_report_id,
)
from aggregates.phases import Phase
from tests.unit.builders import ctx, then_events

S = Phase.SESSIONS
TEAM = uuid4()
LEAD = Actor(id="lead-lee", role=Role.TEAM)
COACH = Actor(id="coach-cal", role=Role.COACH)
WRITTEN = ReportSections(
    successes="Kg-only scales in both bays", help_wanted="How others got IT to lock them"
)


def given(*steps: str, month: str = "2025-02") -> MonthlyReport:
    """A report after `steps` (draft, submit, answer, reopen), its events collected."""
    report = MonthlyReport.start(ctx(LEAD), TEAM, uuid4(), month, S)
    for step in steps:
        if step == "draft":
            report.draft(ctx(LEAD), S, WRITTEN)
        elif step == "submit":
            report.submit(ctx(LEAD), S)
        elif step == "answer":
            report.answer(ctx(COACH), S, "Ask Big Sky EMS: they did it in a week")
        elif step == "reopen":
            report.reopen(ctx(LEAD), S)
    report.collect_events()
    return report


def test_a_report_is_one_per_team_and_month_and_starts_as_a_draft() -> None:
    report = MonthlyReport.start(ctx(LEAD), TEAM, uuid4(), "2025-02", S)
    report.draft(ctx(LEAD), S, WRITTEN)
    started, drafted = then_events(report)
    assert isinstance(started, MonthlyReportStarted) and isinstance(drafted, ReportDrafted)
    assert report.id == monthly_report_id(TEAM, "2025-02") != monthly_report_id(TEAM, "2025-01")
    assert report.state.status is ReportStatus.DRAFT
    assert (report.state.successes, report.state.barriers) == ("Kg-only scales in both bays", "")


def test_the_same_draft_sent_again_records_nothing_and_a_changed_one_records_it() -> None:
    report = given("draft")
    report.draft(ctx(LEAD), S, WRITTEN)
    assert then_events(report) == []
    report.draft(ctx(LEAD), S, WRITTEN.model_copy(update={"barriers": "Night shift forgets"}))
    (event,) = then_events(report)
    assert isinstance(event, ReportDrafted) and report.state.barriers == "Night shift forgets"


def test_a_submitted_report_is_answered_by_the_coach_reopened_and_submitted_again() -> None:
    report = given("draft", "submit")
    assert report.state.status is ReportStatus.SUBMITTED and report.state.submitted_by == "lead-lee"
    report.answer(ctx(COACH), S, "Ask Big Sky EMS")
    assert report.state.status is ReportStatus.ANSWERED and report.state.answered_by == "coach-cal"
    report.reopen(ctx(LEAD), S)
    report.draft(ctx(LEAD), S, WRITTEN.model_copy(update={"learned": "EMS locked theirs in a week"}))
    report.submit(ctx(LEAD), S)
    events = then_events(report)
    assert [type(e) for e in events] == [ReportAnswered, ReportReopened, ReportDrafted, ReportSubmitted]
    assert report.state.status is ReportStatus.SUBMITTED and report.state.submissions == 2
    assert report.state.feedback == "Ask Big Sky EMS"  # the earlier feedback stays until answered again


def test_submitting_twice_records_one_submission() -> None:
    report = given("draft", "submit")
    report.submit(ctx(LEAD), S)
    assert then_events(report) == []


def test_an_empty_report_is_refused_on_submission() -> None:
    report = given()
    report.draft(ctx(LEAD), S, ReportSections(successes="   "))
    report.collect_events()
    with pytest.raises(RuleViolation, match="the report for 2025-02 is empty: write at least one"):
        report.submit(ctx(LEAD), S)
    assert then_events(report) == [] and report.state.status is ReportStatus.DRAFT


@pytest.mark.parametrize("steps", [("draft",), ("draft", "submit", "reopen")])
def test_a_report_not_submitted_is_not_answered(steps: tuple[str, ...]) -> None:
    report = given(*steps)
    status = report.state.status.value
    with pytest.raises(
        RuleViolation, match=f"is {status}, not submitted; feedback answers a submitted report"
    ):
        report.answer(ctx(COACH), S, "Well done")
    assert then_events(report) == []


def test_a_report_never_submitted_is_not_reopened_and_a_reopened_one_stays_reopened() -> None:
    draft = given("draft")
    with pytest.raises(RuleViolation, match="is draft, not submitted; only a submitted report is reopened"):
        draft.reopen(ctx(LEAD), S)
    reopened = given("draft", "submit", "reopen")
    reopened.reopen(ctx(LEAD), S)
    assert then_events(draft) == then_events(reopened) == []


@pytest.mark.parametrize("steps", [("draft", "submit"), ("draft", "submit", "answer")])
def test_a_submitted_report_is_reopened_before_it_changes(steps: tuple[str, ...]) -> None:
    report = given(*steps)
    with pytest.raises(RuleViolation, match="reopen it to change it"):
        report.draft(ctx(LEAD), S, ReportSections(successes="Something else"))
    assert then_events(report) == []


def test_a_month_that_has_not_begun_is_refused() -> None:
    with pytest.raises(RuleViolation, match="2025-04 has not begun"):  # the clock of ctx() is 1 Mar 2025
        MonthlyReport.start(ctx(LEAD), TEAM, uuid4(), "2025-04", S)


def test_reports_begin_with_the_learning_sessions() -> None:
    with pytest.raises(ActivityNotAllowed, match="monthly report"):
        MonthlyReport.start(ctx(LEAD), TEAM, uuid4(), "2025-02", Phase.ORIENTATION)
