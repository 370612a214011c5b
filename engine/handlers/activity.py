"""Handlers of commands on learning activities and participants."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from aggregates.accounts import Account, EmailClaim, account_id
from aggregates.activity import LearningActivity
from aggregates.base import CommandContext
from aggregates.collaborative import Collaborative
from aggregates.errors import RuleViolation
from aggregates.idempotency import derived_id
from aggregates.participant import Participant
from aggregates.team import Team
from aggregates.training import TrainingModule
from engine.commands import Command
from engine.commands.activity import (
    AttestMocPart4,
    EndRetention,
    ErasePerson,
    RecordActivityIds,
    RecordAttendance,
    RecordLearnerIds,
    RecordSessionHeld,
    RegisterParticipant,
    ScheduleActivity,
    UpdateParticipant,
)
from engine.errors import AlreadyExists, UnknownReference
from engine.handlers.handler import Handler
from engine.unit_of_work import UnitOfWork


def schedule_activity(uow: UnitOfWork, ctx: CommandContext, cmd: ScheduleActivity) -> UUID:
    collaborative = uow.collaborative(cmd.collaborative_id)
    team_id = cmd.details.team_id
    if team_id is not None and team_id not in collaborative.state.teams:
        raise UnknownReference(f"team {team_id} is not registered in this collaborative")
    activity_id = cmd.activity_id or derived_id(ctx, "activity")
    if uow.exists(LearningActivity, activity_id):
        raise AlreadyExists(f"learning activity {activity_id} already exists")
    collaborative.add_to_calendar(ctx, activity_id)
    uow.add(LearningActivity.schedule(ctx, activity_id, collaborative.id, collaborative.phase, cmd.details))
    return activity_id


def record_attendance(uow: UnitOfWork, ctx: CommandContext, cmd: RecordAttendance) -> UUID:
    activity = uow.activity(cmd.activity_id)
    assert activity.collaborative_id is not None
    phase = uow.read(Collaborative, activity.collaborative_id).phase
    if not uow.exists(Participant, cmd.participant_id):
        raise UnknownReference(f"no participant with id {cmd.participant_id}")
    activity.record_attendance(ctx, phase, cmd.participant_id, cmd.minutes)
    return activity.id


def record_session_held(uow: UnitOfWork, ctx: CommandContext, cmd: RecordSessionHeld) -> UUID:
    activity = uow.activity(cmd.activity_id)
    assert activity.collaborative_id is not None
    phase = uow.read(Collaborative, activity.collaborative_id).phase
    activity.record_held(ctx, phase, cmd.started_at, cmd.ended_at)
    return activity.id


def record_activity_ids(uow: UnitOfWork, ctx: CommandContext, cmd: RecordActivityIds) -> UUID:
    """A CE activity's ids: a learning activity's, or a training module's (enduring material)."""
    if uow.exists(TrainingModule, cmd.activity_id):
        uow.get(TrainingModule, cmd.activity_id).record_accreditor_ids(ctx, cmd.ids)
    else:
        uow.activity(cmd.activity_id).record_accreditor_ids(ctx, cmd.ids)
    return cmd.activity_id


def register_participant(uow: UnitOfWork, ctx: CommandContext, cmd: RegisterParticipant) -> UUID:
    participant_id = cmd.participant_id or derived_id(ctx, "participant")
    if uow.exists(Participant, participant_id):
        raise AlreadyExists(f"participant {participant_id} already exists")
    if cmd.collaborative_id is not None:
        uow.read(Collaborative, cmd.collaborative_id)
    uow.add(Participant.register(ctx, participant_id, cmd.details, cmd.collaborative_id))
    return participant_id


def update_participant(uow: UnitOfWork, ctx: CommandContext, cmd: UpdateParticipant) -> UUID:
    uow.participant(cmd.participant_id).update_details(ctx, cmd.details)
    return cmd.participant_id


def record_learner_ids(uow: UnitOfWork, ctx: CommandContext, cmd: RecordLearnerIds) -> UUID:
    participant = uow.participant(cmd.participant_id)
    participant.update_details(ctx, participant.state.details.model_copy(update={"learner": cmd.learner}))
    return cmd.participant_id


def retention_end(erased_at: datetime, years: int) -> datetime:
    """`years` after `erased_at`, the same day of the year (28 February for a 29th)."""
    try:
        return erased_at.replace(year=erased_at.year + years)
    except ValueError:
        return erased_at.replace(year=erased_at.year + years, day=28)


def erase_person(uow: UnitOfWork, ctx: CommandContext, cmd: ErasePerson) -> UUID:
    """The person's erasure, and the coaching notes about them on each of their teams; the
    engine destroys their keys once this is stored (engine.erasure)."""
    participant = uow.participant(cmd.participant_id)
    participant.erase(ctx, cmd.reason, retention_end(ctx.at, uow.settings.ce_retention_years))
    for team_id in sorted(uow.teams_with_notes_about(participant.id)):
        uow.team(team_id).erase_notes_about(ctx, participant.id)
    account = account_id(participant.id)
    if uow.exists(Account, account):  # they cannot sign in any more, and their address is free
        uow.get(Account, account).erase(ctx)
        claim = uow.get(Account, account).state.email_claim_id
        if claim is not None and uow.exists(EmailClaim, claim):
            uow.get(EmailClaim, claim).release(ctx)
    return participant.id


def end_retention(uow: UnitOfWork, ctx: CommandContext, cmd: EndRetention) -> UUID:
    uow.participant(cmd.participant_id).end_retention(ctx)
    return cmd.participant_id


def attest_moc_part4(uow: UnitOfWork, ctx: CommandContext, cmd: AttestMocPart4) -> UUID:
    participant = uow.participant(cmd.participant_id)
    if not uow.exists(Team, cmd.team_id):
        raise UnknownReference(f"no team with id {cmd.team_id}")
    team = uow.team(cmd.team_id)
    if cmd.participant_id not in team.state.members:
        raise RuleViolation(
            f"participant {cmd.participant_id} is not a member of team {team.state.name!r}; "
            "only members attest to a team's MOC Part 4 project"
        )
    participant.attest_moc_part4(ctx, team.id, cmd.statement, collaborative_id=team.collaborative_id)
    return participant.id


HANDLERS: dict[type[Command], Handler] = {
    ScheduleActivity: schedule_activity,
    RecordAttendance: record_attendance,
    RecordSessionHeld: record_session_held,
    RecordActivityIds: record_activity_ids,
    RecordLearnerIds: record_learner_ids,
    RegisterParticipant: register_participant,
    UpdateParticipant: update_participant,
    AttestMocPart4: attest_moc_part4,
    ErasePerson: erase_person,
    EndRetention: end_retention,
}
