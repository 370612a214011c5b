"""Collaboratives: create, read (also as of a past moment), phases, teams, outputs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from adapters.http.deps import (
    EngineDep,
    PrincipalDep,
    ReadModelsDep,
    RunDep,
    authorize_collaborative_read,
    may_read_collaborative,
)
from adapters.http.errors import READ_ERRORS, WRITE_ERRORS
from adapters.http.moments import UtcMoment
from adapters.http.schemas.collaboratives import CollaborativePublic, CollaborativeSummary, ExitCriteriaStatus
from adapters.http.schemas.common import CommandResult, body_of
from aggregates.phases import next_phase
from engine.authorization import authorize_read
from engine.commands.collaborative import (
    AdvancePhase,
    ChangeExitCriteria,
    CreateCollaborative,
    DefineCollaborativeMeasure,
    JoinCommunity,
    RecordOutput,
    RegisterTeam,
    ReviseFocus,
)
from engine.errors import NotFound
from engine.handlers.collaborative import phase_facts
from engine.unit_of_work import UnitOfWork
from projections.dashboard_view import DashboardView

router = APIRouter(tags=["collaboratives"])

CreateCollaborativeBody = body_of(CreateCollaborative)
ReviseFocusBody = body_of(ReviseFocus, "collaborative_id")
DefineCollaborativeMeasureBody = body_of(DefineCollaborativeMeasure, "collaborative_id")
ChangeExitCriteriaBody = body_of(ChangeExitCriteria, "collaborative_id")
AdvancePhaseBody = body_of(AdvancePhase, "collaborative_id")
RegisterTeamBody = body_of(RegisterTeam, "collaborative_id")
RecordOutputBody = body_of(RecordOutput, "collaborative_id")
JoinCommunityBody = body_of(JoinCommunity, "collaborative_id")
AsOf = Annotated[UtcMoment | None, Query(description="ISO-8601 moment; the state as it was then")]
AtVersion = Annotated[int | None, Query(ge=1, le=10**9, description="the state at this version")]


@router.post("/collaboratives", status_code=201, responses=WRITE_ERRORS)
def create_collaborative(body: CreateCollaborativeBody, run: RunDep) -> CommandResult:
    """Create a collaborative in its focus phase."""
    return run(body.command())


@router.get("/collaboratives", responses=READ_ERRORS)
def list_collaboratives(engine: EngineDep, principal: PrincipalDep) -> list[CollaborativeSummary]:
    """Every collaborative the caller may read, oldest first (a team token: its own; a coach: where they coach)."""
    authorize_read(principal)
    readable = (c for c in engine.collaboratives() if may_read_collaborative(engine, principal, c.id))
    return [CollaborativeSummary.of(c) for c in readable]


@router.get("/collaboratives/{collaborative_id}", responses=READ_ERRORS)
def get_collaborative(
    collaborative_id: UUID,
    engine: EngineDep,
    principal: PrincipalDep,
    response: Response,
    as_of: AsOf = None,
    version: AtVersion = None,
) -> CollaborativePublic:
    """One collaborative now, as of a past moment, or at a version."""
    authorize_collaborative_read(engine, principal, collaborative_id)
    collaborative = engine.collaborative(collaborative_id, as_of=_moment(as_of) or version)
    response.headers["ETag"] = f'"{collaborative.version}"'
    return CollaborativePublic.of(collaborative)


@router.get("/collaboratives/{collaborative_id}/exit-criteria", responses=READ_ERRORS)
def exit_criteria(collaborative_id: UUID, engine: EngineDep, principal: PrincipalDep) -> ExitCriteriaStatus:
    """What the current phase still needs before the collaborative may advance."""
    authorize_collaborative_read(engine, principal, collaborative_id)
    uow = UnitOfWork(engine.repository, None, None)
    collaborative = uow.collaborative(collaborative_id)
    teams, sessions = phase_facts(uow, collaborative)
    return ExitCriteriaStatus(
        phase=collaborative.phase,
        next_phase=next_phase(collaborative.phase),
        unmet=collaborative.unmet_exit_criteria(teams, sessions),
    )


@router.get("/collaboratives/{collaborative_id}/dashboard", responses=READ_ERRORS)
def dashboard(
    collaborative_id: UUID, engine: EngineDep, read_models: ReadModelsDep, principal: PrincipalDep
) -> DashboardView:
    """Phase, what blocks the next one, teams, attendance, PDSA activity and measure signals."""
    authorize_collaborative_read(engine, principal, collaborative_id)
    view = read_models.dashboard(collaborative_id)
    if view is None:
        raise NotFound("collaborative", collaborative_id)
    return view


@router.post("/collaboratives/{collaborative_id}/focus", responses=WRITE_ERRORS)
def revise_focus(collaborative_id: UUID, body: ReviseFocusBody, run: RunDep) -> CommandResult:
    """Revise the focus area, aim and dates (focus phase)."""
    return run(body.command(collaborative_id=collaborative_id))


@router.post("/collaboratives/{collaborative_id}/measures", responses=WRITE_ERRORS)
def define_collaborative_measure(
    collaborative_id: UUID,
    body: DefineCollaborativeMeasureBody,
    run: RunDep,
) -> CommandResult:
    """Define or revise a collaborative-wide measure (focus phase)."""
    return run(body.command(collaborative_id=collaborative_id))


@router.post("/collaboratives/{collaborative_id}/exit-criteria", responses=WRITE_ERRORS)
def change_exit_criteria(
    collaborative_id: UUID,
    body: ChangeExitCriteriaBody,
    run: RunDep,
) -> CommandResult:
    """Change the collaborative's exit-criteria settings."""
    return run(body.command(collaborative_id=collaborative_id))


@router.post("/collaboratives/{collaborative_id}/phase", responses=WRITE_ERRORS)
def advance_phase(collaborative_id: UUID, body: AdvancePhaseBody, run: RunDep) -> CommandResult:
    """Advance to the next phase; 409 lists unmet criteria unless staff give an override reason."""
    return run(body.command(collaborative_id=collaborative_id))


@router.post("/collaboratives/{collaborative_id}/teams", status_code=201, responses=WRITE_ERRORS)
def register_team(collaborative_id: UUID, body: RegisterTeamBody, run: RunDep) -> CommandResult:
    """Register a team with its members (registration phase)."""
    return run(body.command(collaborative_id=collaborative_id))


@router.post("/collaboratives/{collaborative_id}/outputs", status_code=201, responses=WRITE_ERRORS)
def record_output(collaborative_id: UUID, body: RecordOutputBody, run: RunDep) -> CommandResult:
    """Record a toolkit, summative paper or community resource (sharing onward)."""
    return run(body.command(collaborative_id=collaborative_id))


@router.post("/collaboratives/{collaborative_id}/community", responses=WRITE_ERRORS)
def join_community(collaborative_id: UUID, body: JoinCommunityBody, run: RunDep) -> CommandResult:
    """Add a participant to the community of practice."""
    return run(body.command(collaborative_id=collaborative_id))


def _moment(as_of: datetime | None) -> datetime | None:
    if as_of is not None and as_of.tzinfo is None:
        return as_of.replace(tzinfo=UTC)
    return as_of
