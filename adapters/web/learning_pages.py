"""Shared-learning pages: the resource library (search, links, uploads) with the
teams' shared projects, the driver diagram (SVG with each change idea's
figures; staff maintain it here); toolkits are in toolkit_pages. Forms run the same commands,
checks and rules as the API, through `act`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from adapters.charts.driver_diagram import decisions_line, fmt_value, render_driver_diagram, tested_line
from adapters.http.deps import get_queries
from adapters.http.errors import InvalidInput
from adapters.http.files import file_response, may_share, store_upload
from adapters.http.schemas.collaboratives import CollaborativeSummary
from adapters.http.schemas.learning import read_upload
from adapters.web.actors import actor_names, named
from adapters.web.forms import act, act_beside_fields
from adapters.web.limits import ITEMS, MEASURE_CHARTS, capped
from adapters.web.pages import chart_svg, render
from adapters.web.phase_notes import opens_in
from adapters.web.session import CSRF, check_csrf, engine_of, signed_in
from aggregates.change_package import NodeKind
from aggregates.phases import Activity
from aggregates.tokens import Principal
from aggregates.values import CareSetting, ResourceKind
from engine.authorization import own_team_in
from engine.commands import Command
from engine.commands.learning import (
    AddChangeIdea,
    AddDriver,
    CommentOnProject,
    MoveChangeIdea,
    RenameNode,
    RetireNode,
    ReviseAim,
    ShareFile,
    ShareLink,
    TryChange,
)
from engine.errors import Forbidden

router = APIRouter(include_in_schema=False)
# No NUL in any field: PostgreSQL text cannot hold it (see adapters.http.schemas.common.NoNul).
Field = Annotated[str, Form(pattern=r"^[^\x00]*$")]
Ids = Annotated[list[str] | None, Form()]


def collaborative_summary(
    request: Request, principal: Principal, collaborative_id: UUID
) -> CollaborativeSummary:
    return CollaborativeSummary.of(get_queries(request).collaborative(principal, collaborative_id))


def library_context(
    request: Request, principal: Principal, collaborative_id: UUID, q: str = "", tag: str = ""
) -> dict[str, Any]:
    page = get_queries(request).library_page(principal, collaborative_id, q or None, tag or None)
    c, own, projects = CollaborativeSummary.of(page.collaborative), page.own_team, page.projects
    drawn = {p.team_id: capped(p.measure_keys, MEASURE_CHARTS) for p in projects}
    teams = {p.team_id: p.team_name for p in projects}
    views = {(p.team_id, k): page.chart(p.team_id, k) for p in projects for k in drawn[p.team_id].shown}
    # A measure by its name (its key only where the team has no such measure any more).
    measure_names = {at: view.measure.name if view else at[1] for at, view in views.items()}
    charts = {at: chart_svg(view, f"{teams[at[0]]}: {measure_names[at]}") for at, view in views.items()}
    names = actor_names(request)
    resources = [named(r, "shared_by", r.shared_role, names) for r in page.resources]
    return {
        "c": c, "resources": resources, "tags": page.tags,
        "q": q, "tag": tag, "projects": projects, "charts": charts, "measure_names": measure_names, "drawn": drawn, "capped": capped, "items": ITEMS, "kinds": list(ResourceKind), "settings": list(CareSetting),
        "can_share": principal.staff or principal.coaches or own is not None, "own_team": own,
        "own_cycles": [(i, cy.plan.title) for i, cy in own.state.cycles.items()] if own else [], "error": None, "form": {}, "field_errors": {},
        "phase_note": {name: opens_in(activity, c.phase) for name, activity in LIBRARY_GATES.items()},
        "zone": page.collaborative.state.time_zone,
    }  # fmt: skip


# The library's forms, by the name its template uses, and the activity each runs.
LIBRARY_GATES = {
    "share": Activity.SHARE_RESOURCE, "comment": Activity.COMMENT_ON_PROJECT, "trying": Activity.TRY_SHARED_CHANGE,
}  # fmt: skip


@router.get("/ui/collaboratives/{collaborative_id}/library")
def library(request: Request, collaborative_id: UUID, q: str = "", tag: str = "") -> Response:
    principal = signed_in(request)
    return render(
        request, "library.html", principal, **library_context(request, principal, collaborative_id, q, tag)
    )


def _library(request: Request, collaborative_id: UUID) -> Callable[[Principal], dict[str, Any]]:
    return lambda principal: library_context(request, principal, collaborative_id)


def _run_on_library(
    request: Request, collaborative_id: UUID, build: Callable[[], Command], command_id: str, form: dict[str, Any], anchor: str
) -> Response:  # fmt: skip
    done = f"/ui/collaboratives/{collaborative_id}/library#{anchor}"
    return act(request, build, command_id, done, _library(request, collaborative_id), "library.html", form)


@router.post("/ui/collaboratives/{collaborative_id}/library/links", dependencies=CSRF)
def share_link(
    request: Request, collaborative_id: UUID, kind: Field = "", title: Field = "", url: Field = "", description: Field = "",
    tags: Field = "", care_settings: Ids = None, command_id: Field = "",
) -> Response:  # fmt: skip
    form = {"kind": kind, "title": title, "url": url, "description": description, "tags": tags}
    details = {"kind": kind, "title": title, "description": description or None, "tags": _tags(tags),
               "care_settings": care_settings or []}  # fmt: skip
    build = lambda: ShareLink(collaborative_id=collaborative_id, details=details, url=url)  # noqa: E731
    done = f"/ui/collaboratives/{collaborative_id}/library#resources"
    return act_beside_fields(request, build, command_id, lambda _: done, _library(request, collaborative_id),
                             "library.html", form, LINK_FIELDS)  # fmt: skip


# The share-a-link form's fields, apart from the upload form's that share their names.
LINK_FIELDS = {f: f"link-{f}" for f in ("url", "title", "kind", "tags", "description", "care_settings")}


def _tags(text: str) -> list[str]:
    return [t for t in (part.strip() for part in text.split(",")) if t]


@router.post("/ui/collaboratives/{collaborative_id}/library/files")
async def upload_file(request: Request, collaborative_id: UUID) -> Response:
    """Upload a file to the library (its CSRF token is read with the multipart body)."""
    principal = signed_in(request)
    engine = engine_of(request)
    try:
        upload, fields = await read_upload(request, ignore=("command_id", "csrf_token"))
        form = await request.form()  # already parsed, within read_upload's limits
        command_id = str(form.get("command_id") or "")
    except (InvalidInput, RequestValidationError) as refused:
        error, command_id = refused, ""  # a refusal stores nothing, forged or not

        def build() -> Command:
            raise error

    else:
        await run_in_threadpool(check_csrf, request, _sent_csrf(form))

        def build() -> Command:
            may_share(engine, principal, collaborative_id)
            stored = store_upload(engine, upload)
            return ShareFile(collaborative_id=collaborative_id, details=fields.details(), file=stored)

    return await run_in_threadpool(
        _run_on_library, request, collaborative_id, build, command_id, {}, "resources"
    )


def _sent_csrf(form: Any) -> str:
    sent = form.get("csrf_token")
    return sent if isinstance(sent, str) else ""


@router.post("/ui/collaboratives/{collaborative_id}/library/comments", dependencies=CSRF)
def comment(
    request: Request,
    collaborative_id: UUID,
    project_team_id: Field = "",
    text: Field = "",
    command_id: Field = "",
) -> Response:
    team = _own_team(request, collaborative_id)
    build = lambda: CommentOnProject(team_id=team(), project_team_id=project_team_id, text=text)  # noqa: E731
    form = {"text": text, "project_team_id": project_team_id}
    return _run_on_library(request, collaborative_id, build, command_id, form, f"project-{project_team_id}")


@router.post("/ui/collaboratives/{collaborative_id}/library/trying", dependencies=CSRF)
def trying(
    request: Request,
    collaborative_id: UUID,
    project_team_id: Field = "",
    cycle_id: Field = "",
    command_id: Field = "",
) -> Response:
    team = _own_team(request, collaborative_id)
    build = lambda: TryChange(team_id=team(), project_team_id=project_team_id, cycle_id=cycle_id)  # noqa: E731
    return _run_on_library(request, collaborative_id, build, command_id, {}, f"project-{project_team_id}")


def _own_team(request: Request, collaborative_id: UUID) -> Callable[[], UUID]:
    """The team a comment or a "we are trying this" speaks for: the caller's team in this
    collaborative (the one the library page shows as theirs), whichever other teams they are on."""

    def team() -> UUID:
        own = own_team_in(signed_in(request), collaborative_id, engine_of(request))
        if own is None:
            raise Forbidden("only a member of one of this collaborative's teams speaks for their team here")
        return own.id

    return team


@router.get("/ui/resources/{resource_id}/file")
def download(request: Request, resource_id: UUID) -> Response:
    stored = get_queries(request).resource_file(signed_in(request), resource_id)
    return file_response(engine_of(request), stored)


# Driver diagram ------------------------------------------------------------------


def diagram_context(request: Request, principal: Principal, collaborative_id: UUID) -> dict[str, Any]:
    diagram = get_queries(request).driver_diagram(principal, collaborative_id)
    c, view = CollaborativeSummary.of(diagram.collaborative), diagram.view
    nodes = [
        n
        for p in view.primary_drivers
        for n in (p, *p.children, *(i for s in p.children for i in s.children))
    ]
    live = [n for n in nodes if not n.retired]
    return {
        "c": c, "view": view, "svg": render_driver_diagram(view, f"Driver diagram: {c.title}"), "nodes": nodes,
        "primaries": [n for n in live if n.kind is NodeKind.PRIMARY_DRIVER], "live": live,
        "secondaries": [n for n in live if n.kind is NodeKind.SECONDARY_DRIVER],
        "ideas": [n for n in live if n.kind is NodeKind.CHANGE_IDEA], "retired": [n for n in nodes if n.retired],
        "tested": tested_line, "decisions": decisions_line, "value": fmt_value, "error": None, "form": {}, "field_errors": {},
        "zone": diagram.collaborative.state.time_zone,
    }  # fmt: skip


@router.get("/ui/collaboratives/{collaborative_id}/driver-diagram")
def driver_diagram(request: Request, collaborative_id: UUID) -> Response:
    principal = signed_in(request)
    return render(
        request, "driver_diagram.html", principal, **diagram_context(request, principal, collaborative_id)
    )


DIAGRAM_FORMS: dict[str, Callable[[UUID, dict[str, str]], Command]] = {
    "aim": lambda c, f: ReviseAim(collaborative_id=c, aim=f["aim"]),
    "drivers": lambda c, f: AddDriver(collaborative_id=c, level=f["level"], name=f["name"], description=f["description"] or None,
                                      primary_driver_id=f["parent_id"] or None if f["level"] == "secondary" else None),
    "change-ideas": lambda c, f: AddChangeIdea(collaborative_id=c, name=f["name"], description=f["description"] or None,
                                               secondary_driver_id=f["parent_id"]),
    "rename": lambda c, f: RenameNode(collaborative_id=c, node_id=f["node_id"], name=f["name"], description=f["description"] or None),
    "retire": lambda c, f: RetireNode(collaborative_id=c, node_id=f["node_id"], reason=f["reason"]),
    "move": lambda c, f: MoveChangeIdea(collaborative_id=c, change_idea_id=f["node_id"], secondary_driver_id=f["parent_id"]),
}  # fmt: skip


@router.post("/ui/collaboratives/{collaborative_id}/driver-diagram/{action}", dependencies=CSRF)
def maintain_diagram(
    request: Request, collaborative_id: UUID, action: str, aim: Field = "", level: Field = "", name: Field = "",
    description: Field = "", parent_id: Field = "", node_id: Field = "", reason: Field = "", command_id: Field = "",
) -> Response:  # fmt: skip
    form = {"aim": aim, "level": level, "name": name, "description": description, "parent_id": parent_id,
            "node_id": node_id, "reason": reason, "action": action}  # fmt: skip
    make = DIAGRAM_FORMS.get(action)
    build = (lambda: make(collaborative_id, form)) if make else _unknown(action)
    again = lambda principal: diagram_context(request, principal, collaborative_id)  # noqa: E731
    done = f"/ui/collaboratives/{collaborative_id}/driver-diagram#diagram"
    return act_beside_fields(request, build, command_id, lambda _: done, again, "driver_diagram.html", form,
                             diagram_fields(action))  # fmt: skip


def diagram_fields(action: str) -> dict[str, str]:
    """The command's fields -> the form's, named apart by form (several share `name`)."""
    fields = {"aim": "aim", "level": "level", "name": "name", "description": "description", "reason": "reason",
              "node_id": "node_id", "change_idea_id": "node_id", "primary_driver_id": "parent_id",
              "secondary_driver_id": "parent_id"}  # fmt: skip
    return {command: f"{action}-{form}" for command, form in fields.items()}


def _unknown(action: str) -> Callable[[], Command]:
    def refuse() -> Command:
        raise InvalidInput(["path", "action"], f"{action!r} is not a driver diagram form")

    return refuse
