"""Data management: a team's data-quality findings and their confirmation, the CSV exports
(a measure's months, a collaborative's, its assessments, its data dictionary) and the CSV
import of a measure's months, stored all or none."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from adapters.data_files import FileRefused, csv_text, read_table
from adapters.data_upload import Preview, UploadRow, read_rows
from adapters.http.deps import PrincipalDep, QueriesDep, RunDep
from adapters.http.errors import READ_ERRORS, WRITE_ERRORS, FieldError, InvalidInput
from adapters.http.routers.credits import CsvResponse
from adapters.http.schemas.common import CommandResult, body_of
from adapters.http.schemas.data_quality import DataSaved, FindingPublic, TeamDataQualityPublic
from aggregates.tokens import Principal
from engine.commands.team import ConfirmDataFinding, ImportData, ImportedMonth
from engine.errors import NotFound
from engine.queries import Queries
from engine.queries.data_quality import ASSESSMENT_COLUMNS, DICTIONARY_COLUMNS, MEASURE_DATA_COLUMNS
from projections.data_quality import JUMP_FACTOR, OUTLIER_LIMIT, Thresholds

router = APIRouter(tags=["data"])

ConfirmDataFindingBody = body_of(ConfirmDataFinding, "team_id")
CSV_RESPONSES = {200: {"content": {"text/csv": {}}}, **READ_ERRORS}
CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}}


@router.get("/teams/{team_id}/data-quality", responses=READ_ERRORS)
def data_quality(
    team_id: UUID,
    queries: QueriesDep,
    principal: PrincipalDep,
    outlier_limit: Annotated[
        float, Query(gt=0, le=100, description="median moving ranges from the team's median")
    ] = OUTLIER_LIMIT,
    jump_factor: Annotated[
        float, Query(gt=1, le=1000, description="how many times the month before a denominator may change by")
    ] = JUMP_FACTOR,
) -> TeamDataQualityPublic:
    """Every data-quality finding on the team's months, by measure, rule and month: missing
    months, a rate's numerator above its denominator, values outside the plausible range,
    outliers and sudden denominator changes (the rule table's version beside them), each
    "open" or "confirmed" with the reason."""
    thresholds = Thresholds(outlier_limit=outlier_limit, jump_factor=jump_factor)
    return TeamDataQualityPublic.of(queries.data_quality(principal, team_id, thresholds))


@router.post("/teams/{team_id}/data-quality/confirmations", responses=WRITE_ERRORS)
def confirm_data_finding(team_id: UUID, body: ConfirmDataFindingBody, run: RunDep) -> CommandResult:
    """Confirm a finding is no error: the month's value is right (for a missing month: there
    is no data for it), with the reason. A later correction of the month opens it again."""
    return run(body.command(team_id=team_id))


@router.get(
    "/teams/{team_id}/measures/{measure_key}/data.csv", response_class=CsvResponse, responses=CSV_RESPONSES
)
def measure_data_csv(
    team_id: UUID, measure_key: str, queries: QueriesDep, principal: PrincipalDep
) -> CsvResponse:
    """The measure's months as CSV, oldest first. Columns, in this order: team, organization,
    measure (its name), measure_key, month (YYYY-MM), numerator, denominator (empty for a
    count or continuous measure), value, corrections, entered_at (ISO 8601). The file can be
    sent back to the import below as it is (its extra columns are ignored)."""
    rows = queries.measure_data_rows(principal, team_id, measure_key)
    return _csv(MEASURE_DATA_COLUMNS, rows, f"{measure_key}.csv")


@router.post(
    "/teams/{team_id}/measures/{measure_key}/data.csv", responses=WRITE_ERRORS, openapi_extra=CSV_BODY
)
async def import_measure_data(
    request: Request,
    team_id: UUID,
    measure_key: str,
    queries: QueriesDep,
    principal: PrincipalDep,
    run: RunDep,
) -> DataSaved:
    """Import months of the measure from a CSV body (text/csv): a header row naming month,
    numerator and denominator (measure optional; the export's columns do), one month a row.
    Every row is stored, or none: a refused file answers 422 naming each bad row (its line,
    the header being line 1) and column in `errors`. Months already holding the value are
    left as they are; a different value corrects the month."""
    content = await request.body()
    return await run_in_threadpool(_import, queries, principal, run, team_id, measure_key, content)


@router.get(
    "/collaboratives/{collaborative_id}/data.csv", response_class=CsvResponse, responses=CSV_RESPONSES
)
def collaborative_data_csv(
    collaborative_id: UUID, queries: QueriesDep, principal: PrincipalDep
) -> CsvResponse:
    """Every team's months of every measure as CSV (the columns of a measure's data.csv),
    teams by name, then measure key, then month."""
    rows = queries.collaborative_data_rows(principal, collaborative_id)
    return _csv(MEASURE_DATA_COLUMNS, rows, f"data-{collaborative_id}.csv")


@router.get(
    "/collaboratives/{collaborative_id}/assessments.csv", response_class=CsvResponse, responses=CSV_RESPONSES
)
def assessments_csv(collaborative_id: UUID, queries: QueriesDep, principal: PrincipalDep) -> CsvResponse:
    """Every assessment of the collaborative's teams as CSV, one row per item. Columns, in this
    order: team, organization, assessment (its instrument's title), submitted_at (ISO 8601),
    item, score, max_score, assessment_percent (the whole assessment's, 0 to 100)."""
    rows = queries.assessment_rows(principal, collaborative_id)
    return _csv(ASSESSMENT_COLUMNS, rows, f"assessments-{collaborative_id}.csv")


@router.get(
    "/collaboratives/{collaborative_id}/data-dictionary.csv",
    response_class=CsvResponse,
    responses=CSV_RESPONSES,
)
def data_dictionary_csv(collaborative_id: UUID, queries: QueriesDep, principal: PrincipalDep) -> CsvResponse:
    """The data dictionary as CSV: each measure's operational definition, then each question
    of the assessment instruments. Columns, in this order: section ("measure" or
    "instrument"), key, name, defined_by, kind, data_type, numerator, denominator, direction,
    target, plausible_min, plausible_max, domain, answers, max_points, version."""
    rows = queries.data_dictionary_rows(principal, collaborative_id)
    return _csv(DICTIONARY_COLUMNS, rows, f"data-dictionary-{collaborative_id}.csv")


def _import(
    queries: Queries, principal: Principal, run: RunDep, team_id: UUID, measure_key: str, content: bytes
) -> DataSaved:
    queries.try_data(principal, team_id, [])  # may they? (before anything of the team is told)
    series = queries.team(principal, team_id).state.measures.get(measure_key)
    if series is None:
        raise NotFound(f"measure {measure_key!r} of team", team_id)
    try:
        rows, _ = read_rows(read_table("import.csv", content), [series.definition])
    except FileRefused as refused:
        raise InvalidInput(["body"], str(refused)) from None
    commands = []
    for row in [r for r in rows if r.valid]:
        try:
            commands.append(row.command(team_id))
        except ValidationError as invalid:
            row.problem(None, "; ".join(e["msg"] for e in invalid.errors()))
    tried = queries.try_data(principal, team_id, commands)
    Preview("import.csv", rows=rows).tried([(t.outcome, t.problem) for t in tried])
    refused = [r for r in rows if not r.valid]
    if refused:
        raise _refusal(refused)
    months = [
        ImportedMonth(period=c.period, numerator=c.numerator, denominator=c.denominator) for c in commands
    ]
    result = run(ImportData(team_id=team_id, measure_key=measure_key, rows=tuple(months)))
    periods = {m.period for m in months}
    found = queries.data_quality(principal, team_id, measure_key=measure_key).findings
    findings = [
        FindingPublic.of(f)
        for f in found
        if f.finding.measure_key == measure_key and f.finding.period in periods
    ]
    return DataSaved(**result.model_dump(), findings=findings)


def _refusal(refused: Sequence[UploadRow]) -> InvalidInput:
    """422 naming each refused row (by its line) and column; nothing was stored."""
    errors = [
        FieldError(loc=["body", row.line, column or "row"], msg=words, type="value_error")
        for row in refused
        for column, words in row.problems
    ]
    said = "; ".join(f"row {e.loc[1]} ({e.loc[2]}): {e.msg}" for e in errors)
    exc = InvalidInput(
        ["body"], f"{len(refused)} of the file's rows are refused, so nothing was stored: {said}"
    )
    exc.errors = errors
    return exc


def _csv(columns: Sequence[str], rows: Iterable[Sequence[object]], filename: str) -> CsvResponse:
    disposition = f'attachment; filename="{filename}"'
    return CsvResponse(csv_text(columns, rows), headers={"Content-Disposition": disposition})
