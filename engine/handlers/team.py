"""Handlers of commands on a Team; the collaborative's phase is read, not changed."""

from __future__ import annotations

from uuid import UUID

from aggregates.base import CommandContext
from aggregates.collaborative import Collaborative
from aggregates.idempotency import derived_id
from aggregates.participant import Participant
from aggregates.phases import Phase
from aggregates.team import Team
from aggregates.values import Assessment
from engine.commands import Command
from engine.commands.team import (
    AddCoachingNote,
    AddMember,
    AssignCoach,
    ConfirmDataFinding,
    DefineMeasure,
    ImportData,
    PlanCycle,
    RecordAct,
    RecordDo,
    RecordStudy,
    RemoveMember,
    ScoreProgress,
    ShareProject,
    SubmitAssessment,
    SubmitData,
)
from engine.errors import UnknownReference
from engine.handlers.collaborative import member_spec
from engine.handlers.handler import Handler
from engine.handlers.references import live_change_idea
from engine.unit_of_work import UnitOfWork


def team_and_phase(uow: UnitOfWork, team_id: UUID) -> tuple[Team, Phase]:
    team = uow.team(team_id)
    assert team.collaborative_id is not None
    return team, uow.read(Collaborative, team.collaborative_id).phase


def add_member(uow: UnitOfWork, ctx: CommandContext, cmd: AddMember) -> UUID:
    team, phase = team_and_phase(uow, cmd.team_id)
    member = member_spec(uow, ctx, cmd.member, team.state.collaborative_id, "member")
    team.add_member(ctx, phase, member)
    # The member's Participant keeps their teams too (saved atomically with the Team), so
    # what a person may do as a member is one read of them.
    uow.participant(member.participant_id).join_team(ctx, team.id, team.state.collaborative_id)
    return team.id


def remove_member(uow: UnitOfWork, ctx: CommandContext, cmd: RemoveMember) -> UUID:
    team, phase = team_and_phase(uow, cmd.team_id)
    team.remove_member(ctx, phase, cmd.participant_id)
    if uow.exists(Participant, cmd.participant_id):
        uow.participant(cmd.participant_id).leave_team(ctx, team.id)
    return team.id


def assign_coach(uow: UnitOfWork, ctx: CommandContext, cmd: AssignCoach) -> UUID:
    team, phase = team_and_phase(uow, cmd.team_id)
    if not uow.exists(Participant, cmd.coach_id):
        raise UnknownReference(f"no participant with id {cmd.coach_id} to be the coach")
    previous = team.state.coach_id
    team.assign_coach(ctx, phase, cmd.coach_id)
    # The coach's Participant records it too (saved atomically with the Team), so
    # authorising a coach reads one aggregate instead of every team of a collaborative.
    if previous is not None and previous != cmd.coach_id and uow.exists(Participant, previous):
        uow.participant(previous).stop_coaching(ctx, team.id)
    uow.participant(cmd.coach_id).start_coaching(ctx, team.id, team.state.collaborative_id)
    return team.id


def add_coaching_note(uow: UnitOfWork, ctx: CommandContext, cmd: AddCoachingNote) -> UUID:
    team, phase = team_and_phase(uow, cmd.team_id)
    note_id = uow.mark_created("CoachingNote", cmd.note_id or derived_id(ctx, "note"))
    team.add_coaching_note(ctx, phase, note_id, cmd.text, cmd.about)
    return team.id


def submit_assessment(uow: UnitOfWork, ctx: CommandContext, cmd: SubmitAssessment) -> UUID:
    team, phase = team_and_phase(uow, cmd.team_id)
    assessment = Assessment(kind=cmd.kind, items=cmd.items)
    assessment_id = uow.mark_created("Assessment", cmd.assessment_id or derived_id(ctx, "assessment"))
    team.submit_assessment(ctx, phase, assessment_id, assessment)
    return team.id


def define_measure(uow: UnitOfWork, ctx: CommandContext, cmd: DefineMeasure) -> UUID:
    team, phase = team_and_phase(uow, cmd.team_id)
    team.define_measure(ctx, phase, cmd.measure)
    return team.id


def submit_data(uow: UnitOfWork, ctx: CommandContext, cmd: SubmitData) -> UUID:
    team, phase = team_and_phase(uow, cmd.team_id)
    team.submit_data(ctx, phase, cmd.measure_key, cmd.period, cmd.numerator, cmd.denominator)
    return team.id


def import_data(uow: UnitOfWork, ctx: CommandContext, cmd: ImportData) -> UUID:
    team, phase = team_and_phase(uow, cmd.team_id)
    rows = [(row.period, row.numerator, row.denominator) for row in cmd.rows]
    team.import_data(ctx, phase, cmd.measure_key, rows)
    return team.id


def confirm_data_finding(uow: UnitOfWork, ctx: CommandContext, cmd: ConfirmDataFinding) -> UUID:
    team, phase = team_and_phase(uow, cmd.team_id)
    team.confirm_data_finding(ctx, phase, cmd.measure_key, cmd.period, cmd.rule, cmd.reason)
    return team.id


def plan_cycle(uow: UnitOfWork, ctx: CommandContext, cmd: PlanCycle) -> UUID:
    team, phase = team_and_phase(uow, cmd.team_id)
    if cmd.plan.change_idea_id is not None:  # the Team stays unaware of the change package
        live_change_idea(uow, team.state.collaborative_id, cmd.plan.change_idea_id)
    cycle_id = uow.mark_created("PdsaCycle", cmd.cycle_id or derived_id(ctx, "cycle"))
    team.plan_cycle(ctx, phase, cycle_id, cmd.plan)
    return team.id


def record_do(uow: UnitOfWork, ctx: CommandContext, cmd: RecordDo) -> UUID:
    team, phase = team_and_phase(uow, cmd.team_id)
    team.record_do(ctx, phase, cmd.cycle_id, cmd.do)
    return team.id


def record_study(uow: UnitOfWork, ctx: CommandContext, cmd: RecordStudy) -> UUID:
    team, phase = team_and_phase(uow, cmd.team_id)
    team.record_study(ctx, phase, cmd.cycle_id, cmd.study)
    return team.id


def record_act(uow: UnitOfWork, ctx: CommandContext, cmd: RecordAct) -> UUID:
    team, phase = team_and_phase(uow, cmd.team_id)
    team.record_act(ctx, phase, cmd.cycle_id, cmd.act)
    return team.id


def share_project(uow: UnitOfWork, ctx: CommandContext, cmd: ShareProject) -> UUID:
    team, phase = team_and_phase(uow, cmd.team_id)
    team.share_project(ctx, phase, cmd.project)
    return team.id


def score_progress(uow: UnitOfWork, ctx: CommandContext, cmd: ScoreProgress) -> UUID:
    team, phase = team_and_phase(uow, cmd.team_id)
    team.score_progress(ctx, phase, cmd.month, cmd.rater, cmd.score, cmd.rationale)
    return team.id


HANDLERS: dict[type[Command], Handler] = {
    AddMember: add_member,
    RemoveMember: remove_member,
    AssignCoach: assign_coach,
    AddCoachingNote: add_coaching_note,
    SubmitAssessment: submit_assessment,
    DefineMeasure: define_measure,
    SubmitData: submit_data,
    ImportData: import_data,
    ConfirmDataFinding: confirm_data_finding,
    PlanCycle: plan_cycle,
    RecordDo: record_do,
    RecordStudy: record_study,
    RecordAct: record_act,
    ShareProject: share_project,
    ScoreProgress: score_progress,
}
