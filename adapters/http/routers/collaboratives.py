"""Collaboratives: create, read (also as of a past moment), phases, teams, outputs."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from adapters.http.deps import CallerDep, PrincipalDep, QueriesDep, RunDep
from adapters.http.errors import READ_ERRORS, WRITE_ERRORS
from adapters.http.moments import AsOf, AtVersion, as_of_or_version
from adapters.http.schemas.collaboratives import CollaborativePublic, CollaborativeSummary, ExitCriteriaStatus
from adapters.http.schemas.common import CommandResult, body_of
from adapters.http.schemas.progress import CollaborativeProgressPublic
from engine.commands.collaborative import (
    AdvancePhase,
    ChangeExitCriteria,
    ChangeTimeZone,
    CreateCollaborative,
    DefineCollaborativeMeasure,
    JoinCommunity,
    RecordOutput,
    RegisterTeam,
    ReviseFocus,
)
from projections.dashboard_view import DashboardView

router = APIRouter(tags=["collaboratives"])

CreateCollaborativeBody = body_of(CreateCollaborative)
ReviseFocusBody = body_of(ReviseFocus, "collaborative_id")
DefineCollaborativeMeasureBody = body_of(DefineCollaborativeMeasure, "collaborative_id")
ChangeExitCriteriaBody = body_of(ChangeExitCriteria, "collaborative_id")
ChangeTimeZoneBody = body_of(ChangeTimeZone, "collaborative_id")
AdvancePhaseBody = body_of(AdvancePhase, "collaborative_id")
RegisterTeamBody = body_of(RegisterTeam, "collaborative_id")
RecordOutputBody = body_of(RecordOutput, "collaborative_id")
JoinCommunityBody = body_of(JoinCommunity, "collaborative_id")


@router.post("/collaboratives", status_code=201, responses=WRITE_ERRORS)
def create_collaborative(body: CreateCollaborativeBody, run: RunDep) -> CommandResult:
    """Create a collaborative in its focus phase."""
    return run(body.command())


@router.get("/collaboratives", responses=READ_ERRORS)
def list_collaboratives(queries: QueriesDep, principal: PrincipalDep) -> list[CollaborativeSummary]:
    """Every collaborative the caller may read, oldest first (a team token: its own; a coach: where they coach)."""
    return [CollaborativeSummary(**c.model_dump()) for c in queries.collaboratives(principal)]


@router.get("/collaboratives/{collaborative_id}", responses=READ_ERRORS)
def get_collaborative(
    collaborative_id: UUID,
    queries: QueriesDep,
    principal: PrincipalDep,
    response: Response,
    as_of: AsOf = None,
    version: AtVersion = None,
) -> CollaborativePublic:
    """One collaborative now, as of a past moment, or at a version."""
    collaborative = queries.collaborative(principal, collaborative_id, as_of_or_version(as_of, version))
    response.headers["ETag"] = f'"{collaborative.version}"'
    return CollaborativePublic.of(collaborative)


@router.get("/collaboratives/{collaborative_id}/exit-criteria", responses=READ_ERRORS)
def exit_criteria(collaborative_id: UUID, queries: QueriesDep, principal: PrincipalDep) -> ExitCriteriaStatus:
    """What the current phase still needs before the collaborative may advance."""
    status = queries.phase_exit(principal, collaborative_id)
    return ExitCriteriaStatus(phase=status.phase, next_phase=status.next_phase, unmet=status.unmet)


@router.get(
    "/collaboratives/{collaborative_id}/dashboard", response_model=DashboardView, responses=READ_ERRORS
)
def dashboard(collaborative_id: UUID, queries: QueriesDep, caller: CallerDep) -> Response:
    """Phase, what blocks the next one, teams, attendance, PDSA activity and measure signals."""
    # Sent as serialised once per change: the body is the model's own JSON, not validated again.
    principal = caller.principal
    return Response(queries.dashboard_json(principal, collaborative_id), media_type="application/json")


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


@router.post("/collaboratives/{collaborative_id}/time-zone", responses=WRITE_ERRORS)
def change_time_zone(collaborative_id: UUID, body: ChangeTimeZoneBody, run: RunDep) -> CommandResult:
    """Set the IANA time zone the collaborative's times are shown and entered in."""
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


@router.get("/collaboratives/{collaborative_id}/progress", responses=READ_ERRORS)
def collaborative_progress(
    collaborative_id: UUID, queries: QueriesDep, principal: PrincipalDep
) -> CollaborativeProgressPublic:
    """Progress scores across the collaborative: per month, how many teams gave and got each
    score and how many are at 4 or more; each team's course; where a team and its coach are
    a whole level or more apart."""
    return CollaborativeProgressPublic.of(queries.collaborative_progress(principal, collaborative_id))
