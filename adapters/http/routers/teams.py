"""Teams: read (also as of a past moment), members, coach, assessments, measures
and data, PDSA cycles, sharing and withdrawal."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from adapters.http.deps import PrincipalDep, QueriesDep, RunDep
from adapters.http.errors import READ_ERRORS, WRITE_ERRORS
from adapters.http.moments import AsOf, AtVersion, as_of_or_version
from adapters.http.schemas.common import CommandResult, body_of
from adapters.http.schemas.data_quality import DataSaved, FindingPublic
from adapters.http.schemas.progress import TeamProgressPublic
from adapters.http.schemas.teams import TeamPublic
from engine.commands.collaborative import WithdrawTeam
from engine.commands.team import (
    AddCoachingNote,
    AddMember,
    AssignCoach,
    DefineMeasure,
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

router = APIRouter(tags=["teams"])

WithdrawTeamBody = body_of(WithdrawTeam, "team_id")
AddMemberBody = body_of(AddMember, "team_id")
AssignCoachBody = body_of(AssignCoach, "team_id")
AddCoachingNoteBody = body_of(AddCoachingNote, "team_id")
SubmitAssessmentBody = body_of(SubmitAssessment, "team_id")
DefineMeasureBody = body_of(DefineMeasure, "team_id")
SubmitDataBody = body_of(SubmitData, "team_id", "measure_key")
PlanCycleBody = body_of(PlanCycle, "team_id")
RecordDoBody = body_of(RecordDo, "team_id", "cycle_id")
RecordStudyBody = body_of(RecordStudy, "team_id", "cycle_id")
RecordActBody = body_of(RecordAct, "team_id", "cycle_id")
ShareProjectBody = body_of(ShareProject, "team_id")
ScoreProgressBody = body_of(ScoreProgress, "team_id")


@router.get("/teams/{team_id}", responses=READ_ERRORS)
def get_team(
    team_id: UUID,
    queries: QueriesDep,
    principal: PrincipalDep,
    response: Response,
    as_of: AsOf = None,
    version: AtVersion = None,
) -> TeamPublic:
    """One team now, as of a past moment, or at a version."""
    team = queries.team(principal, team_id, as_of_or_version(as_of, version))
    response.headers["ETag"] = f'"{team.version}"'
    return TeamPublic.of(team)


@router.post("/teams/{team_id}/withdraw", responses=WRITE_ERRORS)
def withdraw_team(team_id: UUID, body: WithdrawTeamBody, run: RunDep) -> CommandResult:
    """Withdraw the team from its collaborative (any phase before closed)."""
    return run(body.command(team_id=team_id))


@router.post("/teams/{team_id}/members", responses=WRITE_ERRORS)
def add_member(team_id: UUID, body: AddMemberBody, run: RunDep) -> CommandResult:
    """Add a member: an existing participant, or a new person."""
    return run(body.command(team_id=team_id))


@router.delete("/teams/{team_id}/members/{participant_id}", responses=WRITE_ERRORS)
def remove_member(team_id: UUID, participant_id: UUID, run: RunDep) -> CommandResult:
    """Remove a member; a team keeps at least one."""
    return run(RemoveMember(team_id=team_id, participant_id=participant_id))


@router.post("/teams/{team_id}/coach", responses=WRITE_ERRORS)
def assign_coach(team_id: UUID, body: AssignCoachBody, run: RunDep) -> CommandResult:
    """Assign the team's coach (a participant)."""
    return run(body.command(team_id=team_id))


@router.post("/teams/{team_id}/coaching-notes", status_code=201, responses=WRITE_ERRORS)
def add_coaching_note(team_id: UUID, body: AddCoachingNoteBody, run: RunDep) -> CommandResult:
    """Leave a coaching note for the team."""
    return run(body.command(team_id=team_id))


@router.post("/teams/{team_id}/assessments", status_code=201, responses=WRITE_ERRORS)
def submit_assessment(team_id: UUID, body: SubmitAssessmentBody, run: RunDep) -> CommandResult:
    """Submit a gap analysis or environmental scan with item scores."""
    return run(body.command(team_id=team_id))


@router.post("/teams/{team_id}/measures", responses=WRITE_ERRORS)
def define_measure(team_id: UUID, body: DefineMeasureBody, run: RunDep) -> CommandResult:
    """Define a measure, or revise its definition."""
    return run(body.command(team_id=team_id))


@router.post("/teams/{team_id}/measures/{measure_key}/data", responses=WRITE_ERRORS)
def submit_data(
    team_id: UUID,
    measure_key: str,
    body: SubmitDataBody,
    run: RunDep,
    queries: QueriesDep,
) -> DataSaved:
    """Submit a month's numerator/denominator; a resubmission corrects the month. The answer
    carries the data-quality findings on that month (see GET /teams/{team_id}/data-quality)."""
    command = body.command(team_id=team_id, measure_key=measure_key)
    result = run(command)
    found = queries.data_quality(run.principal, team_id, measure_key=measure_key).findings
    findings = [
        FindingPublic.of(f)
        for f in found
        if (f.finding.measure_key, f.finding.period) == (measure_key, command.period)
    ]
    return DataSaved(**result.model_dump(), findings=findings)


@router.post("/teams/{team_id}/pdsa", status_code=201, responses=WRITE_ERRORS)
def plan_cycle(team_id: UUID, body: PlanCycleBody, run: RunDep) -> CommandResult:
    """Plan a PDSA cycle, optionally linked to the cycle it builds on."""
    return run(body.command(team_id=team_id))


@router.post("/teams/{team_id}/pdsa/{cycle_id}/do", responses=WRITE_ERRORS)
def record_do(team_id: UUID, cycle_id: UUID, body: RecordDoBody, run: RunDep) -> CommandResult:
    """Record what happened when the test ran."""
    return run(body.command(team_id=team_id, cycle_id=cycle_id))


@router.post("/teams/{team_id}/pdsa/{cycle_id}/study", responses=WRITE_ERRORS)
def record_study(team_id: UUID, cycle_id: UUID, body: RecordStudyBody, run: RunDep) -> CommandResult:
    """Record the results against the prediction."""
    return run(body.command(team_id=team_id, cycle_id=cycle_id))


@router.post("/teams/{team_id}/pdsa/{cycle_id}/act", responses=WRITE_ERRORS)
def record_act(team_id: UUID, cycle_id: UUID, body: RecordActBody, run: RunDep) -> CommandResult:
    """Decide: adopt, adapt or abandon."""
    return run(body.command(team_id=team_id, cycle_id=cycle_id))


@router.post("/teams/{team_id}/share", responses=WRITE_ERRORS)
def share_project(team_id: UUID, body: ShareProjectBody, run: RunDep) -> CommandResult:
    """Share the team's project with the other teams."""
    return run(body.command(team_id=team_id))


@router.post("/teams/{team_id}/progress-scores", responses=WRITE_ERRORS)
def score_progress(team_id: UUID, body: ScoreProgressBody, run: RunDep) -> CommandResult:
    """Score a month on the IHI Assessment Scale for Collaboratives (1 to 5 in steps of 0.5),
    with a rationale: `rater` "team" for the team's own score, "coach" for its coach's. A
    later score for the same month and rater replaces it; the earlier stays in the history."""
    return run(body.command(team_id=team_id))


@router.get("/teams/{team_id}/progress", responses=READ_ERRORS)
def team_progress(team_id: UUID, queries: QueriesDep, principal: PrincipalDep) -> TeamProgressPublic:
    """The team's progress scores by month (its own, its coach's), the scale's levels, and the
    score suggested by the evidence the engine holds, each rung with what it found."""
    return TeamProgressPublic.of(queries.team_progress(principal, team_id))
