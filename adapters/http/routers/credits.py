"""The CE credit ledger: transcripts, a collaborative's entries (JSON and CSV), its credit
check, the accreditors' files, and MOC Part 4 attestations."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import Response

from adapters.exports.accreditors import FILES, FileName
from adapters.http.deps import EngineDep, PrincipalDep, QueriesDep, RunDep
from adapters.http.errors import READ_ERRORS, WRITE_ERRORS, problem_responses
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
    """The ledger as CSV, one row per entry (the accreditors' own files: accreditor-files)."""
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


@router.get(
    "/collaboratives/{collaborative_id}/accreditor-files/{file}",
    response_class=Response,
    responses={
        200: {"content": {f.media_type.split(";")[0]: {} for f in FILES.values()}},
        **READ_ERRORS,
        **problem_responses(409, 503),
    },
)
def accreditor_file(
    collaborative_id: UUID, file: FileName, engine: EngineDep, queries: QueriesDep,
    principal: PrincipalDep, as_of: AsOf = None, leave_out_unreportable: bool = False,
) -> Response:  # fmt: skip
    """An accreditor's file of the collaborative's credit as the ledger stood at `as_of` (now
    when absent): `pars` (ACCME PARS learner completions, tab-delimited), `cpe-monitor` (CPE
    Monitor submissions), `capce` (CAPCE's XML upload) or `nursing` (the ANCC contact-hour
    record). A learner or activity the credit check lists for it refuses the file (409, each
    named in `left_out` with what it lacks) unless `leave_out_unreportable` makes it of the
    rest. Made again for the same moment, the same bytes."""
    kind = FILES[file]
    made = queries.report_file(principal, collaborative_id, kind.reports, as_of)
    body = kind.made(made, engine.settings, leave_out_unreportable)
    disposition = f'attachment; filename="{kind.file_name(made.check.as_of)}"'
    return Response(body, media_type=kind.media_type, headers={"Content-Disposition": disposition})


@router.post("/participants/{participant_id}/attestations", responses=WRITE_ERRORS)
def attest_moc_part4(participant_id: UUID, body: AttestMocPart4Body, run: RunDep) -> CommandResult:
    """A participant's MOC Part 4 attestation for a team they are a member of."""
    return run(body.command(participant_id=participant_id))
