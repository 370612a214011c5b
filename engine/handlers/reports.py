"""Handlers of commands on a team's monthly report; the report starts with its first
draft. The team is read (its collaborative and phase), not changed."""

from __future__ import annotations

from uuid import UUID

from aggregates.base import CommandContext
from aggregates.collaborative import Collaborative
from aggregates.errors import RuleViolation
from aggregates.monthly_report import MonthlyReport, monthly_report_id, require_begun
from aggregates.phases import Phase
from aggregates.team import Team
from engine.commands import Command
from engine.commands.reports import AnswerReport, DraftReport, ReopenReport, ReportCommand, SubmitReport
from engine.handlers.handler import Handler
from engine.unit_of_work import UnitOfWork


def _team_phase(uow: UnitOfWork, cmd: ReportCommand) -> tuple[Team, Phase]:
    team = uow.read(Team, cmd.team_id)
    assert team.collaborative_id is not None
    return team, uow.read(Collaborative, team.collaborative_id).phase


def _existing(uow: UnitOfWork, ctx: CommandContext, cmd: ReportCommand) -> tuple[MonthlyReport, Phase]:
    """The report to act on; one never drafted is refused saying what to do first."""
    _, phase = _team_phase(uow, cmd)
    require_begun(cmd.month, ctx.at)
    report_id = monthly_report_id(cmd.team_id, cmd.month)
    if not uow.exists(MonthlyReport, report_id):
        raise RuleViolation(f"the team has no report for {cmd.month} yet: draft it first")
    return uow.get(MonthlyReport, report_id), phase


def draft_report(uow: UnitOfWork, ctx: CommandContext, cmd: DraftReport) -> UUID:
    team, phase = _team_phase(uow, cmd)
    if not team.state.active:
        raise RuleViolation(f"{team.state.name} has withdrawn; it reports no more")
    report_id = monthly_report_id(cmd.team_id, cmd.month)
    if uow.exists(MonthlyReport, report_id):
        report = uow.get(MonthlyReport, report_id)
    else:
        assert team.collaborative_id is not None
        report = MonthlyReport.start(ctx, team.id, team.collaborative_id, cmd.month, phase)
        uow.add(report)
    report.draft(ctx, phase, cmd.sections())
    return report.id


def submit_report(uow: UnitOfWork, ctx: CommandContext, cmd: SubmitReport) -> UUID:
    report, phase = _existing(uow, ctx, cmd)
    report.submit(ctx, phase)
    return report.id


def answer_report(uow: UnitOfWork, ctx: CommandContext, cmd: AnswerReport) -> UUID:
    report, phase = _existing(uow, ctx, cmd)
    report.answer(ctx, phase, cmd.feedback)
    return report.id


def reopen_report(uow: UnitOfWork, ctx: CommandContext, cmd: ReopenReport) -> UUID:
    report, phase = _existing(uow, ctx, cmd)
    report.reopen(ctx, phase)
    return report.id


HANDLERS: dict[type[Command], Handler] = {
    DraftReport: draft_report,
    SubmitReport: submit_report,
    AnswerReport: answer_report,
    ReopenReport: reopen_report,
}
