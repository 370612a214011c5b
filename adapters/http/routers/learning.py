"""Shared learning: the resource library (links and checked uploads), the
driver diagram and its change ideas, comments and 'we are trying this' on
shared projects, and implementation toolkits (JSON, HTML, PDF)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from adapters.charts.driver_diagram import render_driver_diagram
from adapters.exports.across_teams import results_across
from adapters.exports.toolkit import toolkit_html, toolkit_pdf
from adapters.filestore import MEDIA_TYPES
from adapters.http.deps import EngineDep, PrincipalDep, QueriesDep, RunDep, VariesByAccept
from adapters.http.errors import READ_ERRORS, WRITE_ERRORS, problem_responses
from adapters.http.files import file_response, may_share, store_upload
from adapters.http.responses import VARY_ACCEPT, negotiated
from adapters.http.schemas import learning as s
from adapters.http.schemas.common import CommandResult
from engine.commands.learning import (
    ShareFile,
)
from projections.change_ideas import DriverDiagramView
from projections.learning_view import ResourceView, SharedProjectView, ToolkitView

router = APIRouter(tags=["shared learning"])

SVG = "image/svg+xml"
BINARY = {"schema": {"type": "string", "format": "binary"}}
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "the file, its SHA-256 checked", "content": dict.fromkeys(MEDIA_TYPES, BINARY)}
}
DIAGRAM_RESPONSES = READ_ERRORS | negotiated(SVG)
Words = Annotated[str | None, Query(max_length=200, description="every word must appear")]


# Library ---------------------------------------------------------------------


@router.post("/collaboratives/{collaborative_id}/resources", status_code=201, responses=WRITE_ERRORS)
def share_link(collaborative_id: UUID, body: s.ShareLinkBody, run: RunDep) -> CommandResult:
    """Add a link to the library (orientation onward, and in the community of practice)."""
    return run(body.command(collaborative_id=collaborative_id))


@router.post(
    "/collaboratives/{collaborative_id}/resources/files",
    status_code=201,
    responses=WRITE_ERRORS,
    openapi_extra={"requestBody": s.UPLOAD_BODY},
)
async def upload_resource(
    collaborative_id: UUID, request: Request, engine: EngineDep, run: RunDep
) -> CommandResult:
    """Upload a file to the library (multipart/form-data); checked for size and type by content."""
    await run_in_threadpool(may_share, engine, run.principal, collaborative_id)
    upload, fields = await s.read_upload(request)
    stored = await run_in_threadpool(store_upload, engine, upload)
    command = ShareFile(
        collaborative_id=collaborative_id,
        resource_id=fields.resource_id,
        details=fields.details(),
        file=stored,
    )
    return await run_in_threadpool(run, command)


@router.get("/collaboratives/{collaborative_id}/resources", responses=READ_ERRORS)
def library(
    collaborative_id: UUID, queries: QueriesDep, principal: PrincipalDep,
    q: Words = None, tag: Annotated[str | None, Query(max_length=60)] = None,
) -> list[ResourceView]:  # fmt: skip
    """The library, newest first; `q` searches title, description, tags and file name, `tag` filters."""
    return queries.library(principal, collaborative_id, q, tag)


@router.get("/resources/{resource_id}", responses=READ_ERRORS)
def get_resource(resource_id: UUID, queries: QueriesDep, principal: PrincipalDep) -> ResourceView:
    """One library resource: what it is, its tags, who shared it and when."""
    return queries.resource(principal, resource_id)


@router.get(
    "/resources/{resource_id}/file",
    response_class=Response,
    responses=READ_ERRORS | problem_responses(409) | FILE_RESPONSES,
)
def download(resource_id: UUID, engine: EngineDep, queries: QueriesDep, principal: PrincipalDep) -> Response:
    """The uploaded file, served only if it still matches the SHA-256 recorded when it was shared (else 409)."""
    return file_response(engine, queries.resource_file(principal, resource_id))


# Driver diagram ----------------------------------------------------------------


@router.get(
    "/collaboratives/{collaborative_id}/driver-diagram",
    responses=DIAGRAM_RESPONSES,
    dependencies=[VariesByAccept],
)
def driver_diagram(
    collaborative_id: UUID, queries: QueriesDep, principal: PrincipalDep, response: Response,
    accept: Annotated[str | None, Header()] = None,
) -> DriverDiagramView:  # fmt: skip
    """The change package as a tree with each change idea's figures; SVG with Accept: image/svg+xml."""
    diagram = queries.driver_diagram(principal, collaborative_id)
    view = diagram.view
    if accept and SVG in accept:
        title = f"Driver diagram: {diagram.collaborative.state.title}"
        return Response(render_driver_diagram(view, title), media_type=SVG, headers=VARY_ACCEPT)  # type: ignore[return-value]
    response.headers["ETag"] = f'"{view.version}"'
    return view


@router.post("/collaboratives/{collaborative_id}/driver-diagram", responses=WRITE_ERRORS)
def revise_aim(collaborative_id: UUID, body: s.ReviseAimBody, run: RunDep) -> CommandResult:
    """Set or revise the change package's aim (starting the package if needed)."""
    return run(body.command(collaborative_id=collaborative_id))


@router.post(
    "/collaboratives/{collaborative_id}/driver-diagram/drivers", status_code=201, responses=WRITE_ERRORS
)
def add_driver(collaborative_id: UUID, body: s.AddDriverBody, run: RunDep) -> CommandResult:
    """Add a primary driver, or a secondary driver under a primary one."""
    return run(body.command(collaborative_id=collaborative_id))


@router.post(
    "/collaboratives/{collaborative_id}/driver-diagram/change-ideas", status_code=201, responses=WRITE_ERRORS
)
def add_change_idea(collaborative_id: UUID, body: s.AddChangeIdeaBody, run: RunDep) -> CommandResult:
    """Add a change idea under exactly one secondary driver."""
    return run(body.command(collaborative_id=collaborative_id))


@router.post(
    "/collaboratives/{collaborative_id}/driver-diagram/nodes/{node_id}/rename", responses=WRITE_ERRORS
)
def rename_node(collaborative_id: UUID, node_id: UUID, body: s.RenameNodeBody, run: RunDep) -> CommandResult:
    """Rename a driver or change idea; the earlier name stays in its history."""
    return run(body.command(collaborative_id=collaborative_id, node_id=node_id))


@router.post(
    "/collaboratives/{collaborative_id}/driver-diagram/nodes/{node_id}/retire", responses=WRITE_ERRORS
)
def retire_node(collaborative_id: UUID, node_id: UUID, body: s.RetireNodeBody, run: RunDep) -> CommandResult:
    """Retire a driver or change idea: it stays in the history and gets no children."""
    return run(body.command(collaborative_id=collaborative_id, node_id=node_id))


@router.post(
    "/collaboratives/{collaborative_id}/driver-diagram/change-ideas/{change_idea_id}/move",
    responses=WRITE_ERRORS,
)
def move_change_idea(
    collaborative_id: UUID, change_idea_id: UUID, body: s.MoveChangeIdeaBody, run: RunDep
) -> CommandResult:
    """Move a change idea to another secondary driver."""
    command = body.command(collaborative_id=collaborative_id, change_idea_id=change_idea_id)
    return run(command)


# All teach, all learn -------------------------------------------------------------


@router.get("/collaboratives/{collaborative_id}/shared-projects", responses=READ_ERRORS)
def shared_projects(
    collaborative_id: UUID, queries: QueriesDep, principal: PrincipalDep
) -> list[SharedProjectView]:
    """Every team's shared project: storyboard, change ideas, charts, comments, who is trying it."""
    return queries.shared_projects(principal, collaborative_id)


@router.post("/teams/{project_team_id}/share/comments", status_code=201, responses=WRITE_ERRORS)
def comment_on_project(project_team_id: UUID, body: s.CommentOnProjectBody, run: RunDep) -> CommandResult:
    """Comment, as team `team_id`, on this team's shared project."""
    return run(body.command(project_team_id=project_team_id))


@router.post("/teams/{team_id}/trying", responses=WRITE_ERRORS)
def try_change(team_id: UUID, body: s.TryChangeBody, run: RunDep) -> CommandResult:
    """'We are trying this': link one of this team's PDSA cycles to another team's shared project."""
    return run(body.command(team_id=team_id))


# Toolkits ------------------------------------------------------------------------


@router.post("/collaboratives/{collaborative_id}/toolkits", status_code=201, responses=WRITE_ERRORS)
def compile_toolkit(collaborative_id: UUID, body: s.CompileToolkitBody, run: RunDep) -> CommandResult:
    """Compile an implementation toolkit (an output) from change ideas, resources and their evidence."""
    return run(body.command(collaborative_id=collaborative_id))


@router.get("/collaboratives/{collaborative_id}/toolkits", responses=READ_ERRORS)
def list_toolkits(collaborative_id: UUID, queries: QueriesDep, principal: PrincipalDep) -> list[ToolkitView]:
    """The collaborative's toolkits, oldest first."""
    return queries.toolkits(principal, collaborative_id)


@router.get(
    "/toolkits/{toolkit_id}.pdf",
    response_class=Response,
    responses=READ_ERRORS | {200: {"content": {"application/pdf": BINARY}}},
)
def toolkit_as_pdf(toolkit_id: UUID, queries: QueriesDep, principal: PrincipalDep) -> Response:
    """The toolkit as a PDF."""
    toolkit = queries.toolkit(principal, toolkit_id)
    pdf = toolkit_pdf(toolkit, results_across(queries, principal, toolkit.collaborative_id))
    disposition = f'attachment; filename="toolkit-{toolkit_id}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})


@router.get(
    "/toolkits/{toolkit_id}.html",
    response_class=HTMLResponse,
    responses=READ_ERRORS | {200: {"content": {"text/html": {}}}},
)
def toolkit_as_html(toolkit_id: UUID, queries: QueriesDep, principal: PrincipalDep) -> HTMLResponse:
    """The toolkit as one self-contained HTML page."""
    toolkit = queries.toolkit(principal, toolkit_id)
    return HTMLResponse(toolkit_html(toolkit, results_across(queries, principal, toolkit.collaborative_id)))


@router.get("/toolkits/{toolkit_id}", responses=READ_ERRORS)
def get_toolkit(toolkit_id: UUID, queries: QueriesDep, principal: PrincipalDep) -> ToolkitView:
    """A toolkit: its selected change ideas with figures (and source positions) and its resources."""
    return queries.toolkit(principal, toolkit_id)
