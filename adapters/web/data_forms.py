"""A team's measures from its page: define one (or take up one of the collaborative's),
enter or correct a month in its row of the table, and upload months from a CSV or an
.xlsx file, shown as a preview with each row's problems before anything is stored.
Each runs the same command the API would (DefineMeasure, SubmitData), through the same
authorization; a refused form is shown again with its values and the error beside it."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from adapters.data_files import MAX_FILE_BYTES, MAX_ROWS, FileRefused, read_table
from adapters.data_upload import Preview, parse_month, read_rows, rows_of
from adapters.http.deps import get_queries
from adapters.http.errors import Problem, refusal_of
from adapters.web.field_errors import beside_fields
from adapters.web.forms import MEASURE_FIELDS, _target, _typed, measure_key, run_form
from adapters.web.pages import render, team_context
from adapters.web.session import CSRF, check_csrf, signed_in
from aggregates.tokens import Principal
from engine.commands.team import DefineMeasure, SubmitData

router = APIRouter(include_in_schema=False)
# No NUL in any field: PostgreSQL text cannot hold it (see adapters.http.schemas.common.NoNul).
Field = Annotated[str, Form(pattern=r"^[^\x00]*$")]
DATA_FIELDS = {
    "measure_key": "measure_key",
    "period": "period",
    "numerator": "numerator",
    "denominator": "denominator",
}
MONTH_WORDS = "a month like 2025-01 (Jan 2025)"


def _refused(
    request: Request, principal: Principal, team_id: UUID, problem: Problem, **context: Any
) -> Response:
    """The team's page again, with what was refused (its keys in `context`)."""
    page = team_context(request, principal, team_id) | {"error": None} | context
    return render(request, "team.html", principal, status=problem.status, **page)


@router.post("/ui/teams/{team_id}/measures", dependencies=CSRF)
def define_team_measure(
    request: Request, team_id: UUID, measure_name: Field = "", measure_kind: Field = "", data_type: Field = "proportion",
    numerator_definition: Field = "", denominator_definition: Field = "", direction: Field = "", target: Field = "",
    plausible_min: Field = "", plausible_max: Field = "", key: Field = "", command_id: Field = "",
) -> Response:  # fmt: skip
    """Define a measure the team reports monthly, with the operational definitions read at
    data entry (`key`: a collaborative measure's own, when the team takes it up), and the
    plausible range a month is checked against (a proportion's, like its goal, in percent)."""
    form = {"measure_name": measure_name, "measure_kind": measure_kind, "data_type": data_type,
            "numerator_definition": numerator_definition, "denominator_definition": denominator_definition,
            "direction": direction, "target": target, "plausible_min": plausible_min,
            "plausible_max": plausible_max}  # fmt: skip
    measure = {
        "key": key or measure_key(measure_name), "name": measure_name, "kind": measure_kind, "data_type": data_type,
        "numerator": numerator_definition, "denominator": denominator_definition or None,
        "direction": direction, "target": _target(target, data_type),
        "plausible_min": _target(plausible_min, data_type), "plausible_max": _target(plausible_max, data_type),
    }  # fmt: skip
    principal = signed_in(request)
    try:
        run_form(request, principal, command_id, lambda: DefineMeasure(team_id=team_id, measure=measure))
    except Exception as exc:
        problem = refusal_of(exc)
        placed, rest = beside_fields(problem, MEASURE_FIELDS)
        return _refused(request, principal, team_id, problem, form=form, field_errors=placed,
                        measure_error=rest.detail if rest else None, measure_form_open=True)  # fmt: skip
    return RedirectResponse(f"/ui/teams/{team_id}#measure-{measure['key']}", status_code=303)


@router.post("/ui/teams/{team_id}/data", dependencies=CSRF)
def submit_data(
    request: Request, team_id: UUID, measure_key: Field = "", period: Field = "", numerator: Field = "",
    denominator: Field = "", command_id: Field = "",
) -> Response:  # fmt: skip
    """Enter a month of a measure, or correct it (the earlier value stays in its history)."""
    sent = {"measure_key": measure_key, "period": period, "numerator": numerator, "denominator": denominator}
    month = parse_month(period) or period  # a browser without a month field sends what was typed
    build = lambda: SubmitData(team_id=team_id, measure_key=measure_key, period=month, numerator=_typed(numerator),  # noqa: E731
                               denominator=_typed(denominator) if denominator else None)  # fmt: skip
    principal = signed_in(request)
    try:
        run_form(request, principal, command_id, build)
    except Exception as exc:
        problem = refusal_of(exc)
        placed, rest = beside_fields(problem, DATA_FIELDS)
        if "period" in placed:
            placed["period"] = MONTH_WORDS
        context = team_context(request, principal, team_id)
        names = {t.definition.key: t.definition.name for t in context["measure_tables"]}
        known = measure_key in names
        said = (
            f"Not saved: {rest.detail.replace(repr(measure_key), f'“{names[measure_key]}”')}"
            if rest and known
            else None
        )
        page = context | {
            "data_sent": sent,
            "data_errors": placed,
            "data_error": said,
            "error": None if known else rest,
        }
        return render(request, "team.html", principal, status=problem.status, **page)
    return RedirectResponse(
        f"/ui/teams/{team_id}?saved={measure_key}:{month}#month-{measure_key}-{month}", status_code=303
    )


@router.post("/ui/teams/{team_id}/data/upload")
async def upload_data(request: Request, team_id: UUID) -> Response:
    """Read a file of months and show what it holds, row by row, storing nothing (its CSRF
    token is read with the multipart body)."""
    principal = signed_in(request)
    try:
        form = await request.form(max_files=1, max_fields=10)
    except HTTPException:
        form = None
    sent = form.get("csrf_token") if form is not None else ""
    await run_in_threadpool(check_csrf, request, sent if isinstance(sent, str) else "")
    upload = form.get("file") if form is not None else None
    if not isinstance(upload, UploadFile) or not upload.filename:
        preview = Preview("", problem="Choose the file to upload: a CSV or an .xlsx spreadsheet.")
        return await run_in_threadpool(_preview, request, principal, team_id, preview, None)
    content = await upload.read(MAX_FILE_BYTES + 1)
    return await run_in_threadpool(_preview, request, principal, team_id, Preview(upload.filename), content)


def _preview(
    request: Request, principal: Principal, team_id: UUID, preview: Preview, content: bytes | None
) -> Response:
    queries = get_queries(request)
    try:
        queries.try_data(principal, team_id, [])  # may they? (a refusal names nothing of the team)
        measures = [s.definition for s in queries.team(principal, team_id).state.measures.values()]
        if content is not None:
            preview.rows, preview.ignored = read_rows(read_table(preview.filename, content), measures)
            _dry_run(request, principal, team_id, preview)
    except FileRefused as refused:
        preview.problem = str(refused)
    except Exception as exc:
        problem = refusal_of(exc)
        return _refused(request, principal, team_id, problem, error=problem)
    return _shown(request, principal, team_id, preview)


def _dry_run(request: Request, principal: Principal, team_id: UUID, preview: Preview) -> None:
    """What the Team would say to each valid row, as if each were sent in turn."""
    commands = []
    for row in preview.valid_rows:
        try:
            commands.append(row.command(team_id))
        except ValidationError as invalid:
            row.problem(None, "; ".join(e["msg"] for e in invalid.errors()))
    tried = get_queries(request).try_data(principal, team_id, commands)
    preview.tried([(t.outcome, t.problem) for t in tried])


class SentRow(BaseModel):
    """A row of the confirmed preview, as its hidden field carries it."""

    line: int
    measure_key: str
    period: str
    numerator: float
    denominator: float | None = None


SENT_ROWS = TypeAdapter(list[SentRow])


@router.post("/ui/teams/{team_id}/data/upload/confirm", dependencies=CSRF)
def confirm_upload(
    request: Request, team_id: UUID, rows: Field = "", filename: Field = "", command_id: Field = ""
) -> Response:
    """Store the previewed rows, one SubmitData each, once each (`command_id` and the row's
    number name it: a second confirmation stores nothing more). Every row is checked again
    first; if any is refused now, nothing is stored and the preview says why."""
    principal = signed_in(request)
    preview = Preview(filename)
    try:
        sent = SENT_ROWS.validate_json(rows or "[]")[:MAX_ROWS]
    except ValidationError:
        sent = []
    if not sent:
        preview.problem = "The confirmation lost the file's rows: choose the file and check it again."
        return _shown(request, principal, team_id, preview)
    try:
        team = get_queries(request).team(principal, team_id)
        measures = {k: s.definition for k, s in team.state.measures.items()}
        preview.rows = rows_of([s.model_dump() for s in sent], measures)
        _dry_run(request, principal, team_id, preview)
    except Exception as exc:
        problem = refusal_of(exc)
        return _refused(request, principal, team_id, problem, error=problem)
    if not preview.ready:
        return _shown(request, principal, team_id, preview)
    return _store(request, principal, team_id, preview, command_id)


def _shown(request: Request, principal: Principal, team_id: UUID, preview: Preview) -> Response:
    """The team's page with the upload's preview (422 while it has problems)."""
    status = 200 if preview.ready and preview.rows else 422
    page = team_context(request, principal, team_id) | {"upload": preview}
    return render(request, "team.html", principal, status=status, **page)


def _store(
    request: Request, principal: Principal, team_id: UUID, preview: Preview, command_id: str
) -> Response:
    """Each row that changes something, as its own SubmitData; should one be refused after
    all (another person changed the month meanwhile), the page says what was stored."""
    stored = 0
    for row in preview.to_store:
        key = f"{command_id}:{row.line}" if command_id else ""
        try:
            run_form(request, principal, key, lambda r=row: r.command(team_id))
        except Exception as exc:
            problem = refusal_of(exc)
            said = f"{stored} of {len(preview.to_store)} rows were stored; row {row.line} was refused: {problem.detail}"
            return _refused(
                request, principal, team_id, problem, error=problem.model_copy(update={"detail": said})
            )
        stored += 1
    return RedirectResponse(f"/ui/teams/{team_id}?stored={stored}#measures", status_code=303)
