"""Assessment instruments: staff define them for a collaborative and publish new versions;
teams complete them and read their scores, gap reports, comparisons and a PDF."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from adapters.exports.instrument_pdf import assessment_pdf
from adapters.http.deps import PrincipalDep, QueriesDep, RunDep
from adapters.http.errors import READ_ERRORS, WRITE_ERRORS
from adapters.http.schemas.common import CommandResult, body_of
from adapters.http.schemas.instruments import AssessmentReportPublic, InstrumentListedPublic, InstrumentPublic
from engine.commands.instruments import CompleteInstrument, DefineInstrument, PublishInstrumentVersion

router = APIRouter(tags=["instruments"])

DefineInstrumentBody = body_of(DefineInstrument, "collaborative_id")
PublishInstrumentVersionBody = body_of(PublishInstrumentVersion, "instrument_id")
CompleteInstrumentBody = body_of(CompleteInstrument, "team_id")
BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.post("/collaboratives/{collaborative_id}/instruments", status_code=201, responses=WRITE_ERRORS)
def define_instrument(collaborative_id: UUID, body: DefineInstrumentBody, run: RunDep) -> CommandResult:
    """Define an assessment instrument for the collaborative (staff): items of type yes_no,
    choice (options with points), number (a target met at least, or `at_most`) or text
    (unscored), each with a domain and a weight. This is its version 1."""
    return run(body.command(collaborative_id=collaborative_id))


@router.get("/collaboratives/{collaborative_id}/instruments", responses=READ_ERRORS)
def list_instruments(
    collaborative_id: UUID, queries: QueriesDep, principal: PrincipalDep
) -> list[InstrumentListedPublic]:
    """The collaborative's instruments, each at its latest version."""
    return [
        InstrumentListedPublic.of(i) for i in queries.collaborative_instruments(principal, collaborative_id)
    ]


@router.get("/instruments/{instrument_id}", responses=READ_ERRORS)
def get_instrument(instrument_id: UUID, queries: QueriesDep, principal: PrincipalDep) -> InstrumentPublic:
    """One instrument: its latest definition and every earlier version."""
    return InstrumentPublic.of(queries.instrument(principal, instrument_id))


@router.post("/instruments/{instrument_id}/versions", responses=WRITE_ERRORS)
def publish_instrument_version(
    instrument_id: UUID, body: PublishInstrumentVersionBody, run: RunDep
) -> CommandResult:
    """Publish a changed definition as the next version (staff); assessments made with
    earlier versions keep theirs, and are never compared with this one as if equal."""
    return run(body.command(instrument_id=instrument_id))


@router.post("/teams/{team_id}/instrument-assessments", status_code=201, responses=WRITE_ERRORS)
def complete_instrument(team_id: UUID, body: CompleteInstrumentBody, run: RunDep) -> CommandResult:
    """The team's answers, by item key, to the current version of an instrument: true/false
    for yes/no, an option's label for a choice, a number, or text. Every item but text must be
    answered; each problem is named by its item key."""
    return run(body.command(team_id=team_id))


@router.get("/teams/{team_id}/instrument-assessments", responses=READ_ERRORS)
def team_instrument_assessments(
    team_id: UUID, queries: QueriesDep, principal: PrincipalDep
) -> list[AssessmentReportPublic]:
    """The team's assessments on instruments, latest first, each with its scores, gap report
    and comparisons (same version only)."""
    return [AssessmentReportPublic.of(r) for r in queries.team_instrument_assessments(principal, team_id)]


@router.get(
    "/teams/{team_id}/instrument-assessments/{assessment_id}.pdf",
    response_class=Response,
    responses=READ_ERRORS | {200: {"content": {"application/pdf": BINARY}}},
)
def instrument_assessment_pdf(
    team_id: UUID, assessment_id: UUID, queries: QueriesDep, principal: PrincipalDep
) -> Response:
    """The assessment and its answers as a PDF."""
    pdf = assessment_pdf(queries.instrument_assessment(principal, team_id, assessment_id))
    disposition = f'attachment; filename="assessment-{assessment_id}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})


@router.get("/teams/{team_id}/instrument-assessments/{assessment_id}", responses=READ_ERRORS)
def instrument_assessment(
    team_id: UUID, assessment_id: UUID, queries: QueriesDep, principal: PrincipalDep
) -> AssessmentReportPublic:
    """One assessment: score per domain and overall (out of 100), the gap report (items not met,
    heaviest first), the change since the team's previous assessment on the same version and the
    collaborative's median on that version."""
    return AssessmentReportPublic.of(queries.instrument_assessment(principal, team_id, assessment_id))
