"""The CE credit ledger: transcripts, a collaborative's entries (JSON and CSV),
and MOC Part 4 attestations."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from adapters.http.deps import PrincipalDep, QueriesDep, RunDep
from adapters.http.errors import READ_ERRORS, WRITE_ERRORS
from adapters.http.moments import AsOf
from adapters.http.schemas.common import CommandResult, body_of
from engine.commands.activity import AttestMocPart4
from projections.credits.check import CreditCheck
from projections.credits.schemas import CreditRow, Transcript, to_csv

router = APIRouter(tags=["credits"])

AttestMocPart4Body = body_of(AttestMocPart4, "participant_id")


class CsvResponse(Response):
    media_type = "text/csv"


@router.get("/participants/{participant_id}/transcript", responses=READ_ERRORS)
def transcript(participant_id: UUID, queries: QueriesDep, principal: PrincipalDep) -> Transcript:
    """A participant's CE / MOC transcript: totals per credit type, entries, reversals."""
    return queries.transcript(principal, participant_id)


@router.get("/collaboratives/{collaborative_id}/credits", responses=READ_ERRORS)
def credits(collaborative_id: UUID, queries: QueriesDep, principal: PrincipalDep) -> list[CreditRow]:
    """Every credit ledger entry of a collaborative, awards and reversals, in order."""
    return queries.credits(principal, collaborative_id)


@router.get(
    "/collaboratives/{collaborative_id}/credits.csv",
    response_class=CsvResponse,
    responses={200: {"content": {"text/csv": {}}}, **READ_ERRORS},
)
def credits_csv(collaborative_id: UUID, queries: QueriesDep, principal: PrincipalDep) -> CsvResponse:
    """The ledger as CSV, one row per entry, columns close to ACCME PARS learner reporting."""
    body = to_csv(queries.credits(principal, collaborative_id, what="export the credit ledger"))
    disposition = f'attachment; filename="credits-{collaborative_id}.csv"'
    return CsvResponse(body, headers={"Content-Disposition": disposition})


@router.get("/collaboratives/{collaborative_id}/credit-check", responses=READ_ERRORS)
def credit_check(
    collaborative_id: UUID, queries: QueriesDep, principal: PrincipalDep, as_of: AsOf = None
) -> CreditCheck:
    """Before a file goes to an accreditor: every learner and activity whose credit, as the
    ledger stood at `as_of` (now when absent), cannot be reported, and what each lacks."""
    return queries.credit_check(principal, collaborative_id, as_of)


@router.post("/participants/{participant_id}/attestations", responses=WRITE_ERRORS)
def attest_moc_part4(participant_id: UUID, body: AttestMocPart4Body, run: RunDep) -> CommandResult:
    """A participant's MOC Part 4 attestation for a team they are a member of."""
    return run(body.command(participant_id=participant_id))
