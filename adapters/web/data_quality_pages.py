"""Data management from the pages: a team confirms a data-quality finding (the value is
right, and why), and the CSV downloads the pages link to (a measure's months, the
collaborative's, its assessments, its data dictionary), the same rows as the API's."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from adapters.data_files import csv_text
from adapters.http.deps import get_queries
from adapters.http.errors import refusal_of
from adapters.web.forms import run_form
from adapters.web.pages import render, team_context
from adapters.web.session import CSRF, signed_in
from engine.commands.team import ConfirmDataFinding
from engine.queries.data_quality import ASSESSMENT_COLUMNS, DICTIONARY_COLUMNS, MEASURE_DATA_COLUMNS

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(pattern=r"^[^\x00]*$")]


@router.post("/ui/teams/{team_id}/data-quality/confirmations", dependencies=CSRF)
def confirm_finding(
    request: Request, team_id: UUID, measure_key: Field = "", period: Field = "", rule: Field = "",
    reason: Field = "", command_id: Field = "",
) -> Response:  # fmt: skip
    """Confirm a finding: the month's value is right (a missing month: there is no data), why."""
    principal = signed_in(request)
    finding = f"{measure_key}-{period}-{rule}"

    def build() -> ConfirmDataFinding:
        return ConfirmDataFinding(
            team_id=team_id, measure_key=measure_key, period=period, rule=rule, reason=reason
        )

    try:
        run_form(request, principal, command_id, build)
    except Exception as exc:
        problem = refusal_of(exc)
        words = (
            "Say why the value is right: the reason is kept beside the finding."
            if not reason.strip()
            else problem.detail
        )
        page = team_context(request, principal, team_id) | {"quality_sent": {"finding": finding, "reason": reason},
                                                            "quality_error": words}  # fmt: skip
        return render(request, "team.html", principal, status=problem.status, **page)
    return RedirectResponse(f"/ui/teams/{team_id}?confirmed={finding}#finding-{finding}", status_code=303)


@router.get("/ui/teams/{team_id}/measures/{measure_key}/data.csv")
def measure_data_csv(request: Request, team_id: UUID, measure_key: str) -> Response:
    rows = get_queries(request).measure_data_rows(signed_in(request), team_id, measure_key)
    return _download(csv_text(MEASURE_DATA_COLUMNS, rows), f"{measure_key}.csv")


@router.get("/ui/collaboratives/{collaborative_id}/data.csv")
def collaborative_data_csv(request: Request, collaborative_id: UUID) -> Response:
    rows = get_queries(request).collaborative_data_rows(signed_in(request), collaborative_id)
    return _download(csv_text(MEASURE_DATA_COLUMNS, rows), f"data-{collaborative_id}.csv")


@router.get("/ui/collaboratives/{collaborative_id}/assessments.csv")
def assessments_csv(request: Request, collaborative_id: UUID) -> Response:
    rows = get_queries(request).assessment_rows(signed_in(request), collaborative_id)
    return _download(csv_text(ASSESSMENT_COLUMNS, rows), f"assessments-{collaborative_id}.csv")


@router.get("/ui/collaboratives/{collaborative_id}/data-dictionary.csv")
def data_dictionary_csv(request: Request, collaborative_id: UUID) -> Response:
    rows = get_queries(request).data_dictionary_rows(signed_in(request), collaborative_id)
    return _download(csv_text(DICTIONARY_COLUMNS, rows), f"data-dictionary-{collaborative_id}.csv")


def _download(body: str, filename: str) -> Response:
    disposition = f'attachment; filename="{filename}"'
    return Response(body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition})
