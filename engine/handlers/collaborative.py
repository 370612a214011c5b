"""Handlers of commands on a Collaborative."""

from __future__ import annotations

from uuid import UUID

from aggregates.base import CommandContext, Role
from aggregates.collaborative import Collaborative
from aggregates.criteria import ActivityInput, CriteriaInput, TeamFacts, TeamInput, gather_facts
from aggregates.idempotency import derived_id
from aggregates.participant import Participant
from aggregates.pdsa import Stage
from aggregates.phases import Activity
from aggregates.team import Team
from aggregates.values import MemberSpec, TeamProfile
from engine.commands import Command
from engine.commands.collaborative import (
    AdvancePhase,
    ChangeExitCriteria,
    ChangeTimeZone,
    CreateCollaborative,
    DefineCollaborativeMeasure,
    JoinCommunity,
    NewMember,
    RecordOutput,
    RegisterTeam,
    ReviseFocus,
    WithdrawTeam,
)
from engine.errors import AlreadyExists, Forbidden, UnknownReference
from engine.handlers.handler import Handler
from engine.unit_of_work import UnitOfWork


def create_collaborative(uow: UnitOfWork, ctx: CommandContext, cmd: CreateCollaborative) -> UUID:
    collaborative_id = cmd.collaborative_id or derived_id(ctx, "collaborative")
    if uow.exists(Collaborative, collaborative_id):
        raise AlreadyExists(f"collaborative {collaborative_id} already exists")
    uow.add(Collaborative.create(ctx, collaborative_id, cmd.title, cmd.focus, cmd.measures, cmd.settings))
    return collaborative_id


def revise_focus(uow: UnitOfWork, ctx: CommandContext, cmd: ReviseFocus) -> UUID:
    uow.collaborative(cmd.collaborative_id).revise_focus(ctx, cmd.focus)
    return cmd.collaborative_id


def define_measure(uow: UnitOfWork, ctx: CommandContext, cmd: DefineCollaborativeMeasure) -> UUID:
    uow.collaborative(cmd.collaborative_id).define_measure(ctx, cmd.measure)
    return cmd.collaborative_id


def change_exit_criteria(uow: UnitOfWork, ctx: CommandContext, cmd: ChangeExitCriteria) -> UUID:
    uow.collaborative(cmd.collaborative_id).change_exit_criteria(ctx, cmd.settings)
    return cmd.collaborative_id


def change_time_zone(uow: UnitOfWork, ctx: CommandContext, cmd: ChangeTimeZone) -> UUID:
    uow.collaborative(cmd.collaborative_id).change_time_zone(ctx, cmd.time_zone)
    return cmd.collaborative_id


def advance_phase(uow: UnitOfWork, ctx: CommandContext, cmd: AdvancePhase) -> UUID:
    collaborative = uow.collaborative(cmd.collaborative_id)
    teams, sessions = phase_facts(uow, collaborative)
    collaborative.advance_phase(ctx, cmd.to, teams, sessions, cmd.override_reason)
    return collaborative.id


def phase_facts(uow: UnitOfWork, collaborative: Collaborative) -> tuple[tuple[TeamFacts, ...], int]:
    """The active teams' facts and the count of learning sessions held with attendance,
    gathered as the dashboard gathers them from its rows (`gather_facts`)."""
    facts = gather_facts(criteria_input(uow, collaborative))
    return facts.teams, facts.sessions_held_with_attendance


def criteria_input(uow: UnitOfWork, collaborative: Collaborative) -> CriteriaInput:
    """The collaborative, its active teams and its activities, in the shape the criteria take."""
    s = collaborative.state
    teams = (uow.team(team_id) for team_id in collaborative.active_team_ids())
    activities = (uow.activity(a).state for a in s.activities)
    return CriteriaInput(
        focus_area=s.focus_area,
        aim=s.aim,
        starts_on=s.starts_on,
        ends_on=s.ends_on,
        measure_keys=tuple(s.measures),
        teams=tuple(_team_input(team) for team in teams),
        activities=tuple(ActivityInput(kind=a.details.kind, attendees=len(a.attendance)) for a in activities),
    )


def _team_input(team: Team) -> TeamInput:
    s = team.state
    return TeamInput(
        team_id=team.id,
        name=s.name,
        active=s.active,
        assessed=bool(s.assessments),
        acted_cycles=sum(1 for c in s.cycles.values() if c.stage is Stage.ACTED),
        measure_points={key: len(series.data) for key, series in s.measures.items()},
        shared=s.shared is not None,
    )


def register_team(uow: UnitOfWork, ctx: CommandContext, cmd: RegisterTeam) -> UUID:
    collaborative = uow.collaborative(cmd.collaborative_id)
    team_id = cmd.team_id or derived_id(ctx, "team")
    collaborative.enroll_team(ctx, team_id, cmd.name, cmd.care_setting)
    members = tuple(
        member_spec(uow, ctx, m, collaborative.id, f"member-{i}") for i, m in enumerate(cmd.members)
    )
    profile = TeamProfile(name=cmd.name, organization=cmd.organization, care_setting=cmd.care_setting)
    uow.add(Team.register(ctx, team_id, collaborative.id, profile, members))
    for member in members:  # each member's Participant keeps their teams (saved with the Team)
        uow.participant(member.participant_id).join_team(ctx, team_id, collaborative.id)
    return team_id


def member_spec(
    uow: UnitOfWork, ctx: CommandContext, member: NewMember, collaborative_id: UUID, purpose: str
) -> MemberSpec:
    """A member as the Team records it, registering a new person on the way."""
    if member.participant_id is not None:
        if not uow.exists(Participant, member.participant_id):
            raise UnknownReference(f"no participant with id {member.participant_id}")
        participant_id = member.participant_id
        require_may_enlist(uow, ctx, participant_id, collaborative_id)
    else:
        assert member.person is not None
        participant_id = derived_id(ctx, purpose)
        uow.add(Participant.register(ctx, participant_id, member.person, collaborative_id))
    return MemberSpec(participant_id=participant_id, discipline=member.discipline, role=member.role)


def require_may_enlist(
    uow: UnitOfWork, ctx: CommandContext, participant_id: UUID, collaborative_id: UUID
) -> None:
    """Only staff list an existing person on a team of another collaborative than theirs:
    a team could otherwise rewrite the discipline her credit follows, and read her name."""
    if ctx.actor.role in (Role.STAFF, Role.SYSTEM) or _of_collaborative(
        uow, participant_id, collaborative_id
    ):
        return
    raise Forbidden(
        f"participant {participant_id} is a person of another collaborative: a team adds only people "
        "of its own collaborative (registered there or on one of its teams); ask staff to add them"
    )


def _of_collaborative(uow: UnitOfWork, participant_id: UUID, collaborative_id: UUID) -> bool:
    if uow.read(Participant, participant_id).state.collaborative_id == collaborative_id:
        return True
    roster = uow.read(Collaborative, collaborative_id).state.teams
    return any(participant_id in uow.read(Team, team_id).state.members for team_id in roster)


def withdraw_team(uow: UnitOfWork, ctx: CommandContext, cmd: WithdrawTeam) -> UUID:
    team = uow.team(cmd.team_id)
    assert team.collaborative_id is not None
    collaborative = uow.collaborative(team.collaborative_id)
    collaborative.withdraw_team(ctx, team.id, cmd.reason)
    team.withdraw(ctx, collaborative.phase, cmd.reason)
    return team.id


def record_output(uow: UnitOfWork, ctx: CommandContext, cmd: RecordOutput) -> UUID:
    output_id = uow.mark_created("Output", cmd.output_id or derived_id(ctx, "output"))
    uow.collaborative(cmd.collaborative_id).record_output(ctx, output_id, cmd.details)
    return cmd.collaborative_id


def join_community(uow: UnitOfWork, ctx: CommandContext, cmd: JoinCommunity) -> UUID:
    collaborative = uow.collaborative(cmd.collaborative_id)
    collaborative.require_phase_allows(Activity.JOIN_COMMUNITY)
    if not uow.exists(Participant, cmd.participant_id):
        raise UnknownReference(f"no participant with id {cmd.participant_id}")
    collaborative.add_community_member(ctx, cmd.participant_id)
    return collaborative.id


HANDLERS: dict[type[Command], Handler] = {
    CreateCollaborative: create_collaborative,
    ReviseFocus: revise_focus,
    DefineCollaborativeMeasure: define_measure,
    ChangeExitCriteria: change_exit_criteria,
    ChangeTimeZone: change_time_zone,
    AdvancePhase: advance_phase,
    RegisterTeam: register_team,
    WithdrawTeam: withdraw_team,
    RecordOutput: record_output,
    JoinCommunity: join_community,
}
