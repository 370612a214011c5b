"""Toolkit pages: the collaborative's toolkits and the form that compiles one (staff),
a toolkit's page, and its PDF and self-contained HTML downloads."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from adapters.exports.across_teams import AcrossTeams, results_across
from adapters.exports.toolkit import toolkit_article, toolkit_html, toolkit_pdf
from adapters.http.deps import get_queries
from adapters.http.schemas.collaboratives import CollaborativeSummary
from adapters.web.actors import actor_names, named
from adapters.web.forms import act_beside_fields
from adapters.web.headers import hashed_styles_policy
from adapters.web.learning_pages import Field, Ids
from adapters.web.pages import render
from adapters.web.session import CSRF, signed_in
from aggregates.tokens import Principal
from engine.commands.learning import CompileToolkit
from projections.learning_view import ToolkitView

router = APIRouter(include_in_schema=False)
TOOLKIT_FIELDS = {"title": "title", "change_idea_ids": "change_idea_ids", "resource_ids": "resource_ids"}


def toolkits_context(request: Request, principal: Principal, collaborative_id: UUID) -> dict[str, Any]:
    queries = get_queries(request)
    diagram = queries.driver_diagram(principal, collaborative_id)
    return {
        "c": CollaborativeSummary.of(diagram.collaborative),
        "toolkits": [named(t, "compiled_by", "staff", actor_names(request)) for t in queries.toolkits(principal, collaborative_id)],
        "article": None, "ideas": [(p, s, i) for p, s, i in diagram.view.change_ideas() if not i.retired],
        "resources": queries.library(principal, collaborative_id), "error": None, "form": {}, "field_errors": {},
        "zone": diagram.collaborative.state.time_zone,
    }  # fmt: skip


def _toolkit(request: Request, principal: Principal, toolkit_id: UUID) -> ToolkitView:
    """The toolkit with who compiled it and who shared each resource by name, not actor id."""
    view = get_queries(request).toolkit(principal, toolkit_id)
    names = actor_names(request)
    resources = [named(r, "shared_by", r.shared_role, names) for r in view.resources]
    return named(view, "compiled_by", "staff", names).model_copy(update={"resources": resources})


def _across(request: Request, principal: Principal, view: ToolkitView) -> list[AcrossTeams]:
    return results_across(get_queries(request), principal, view.collaborative_id)


@router.get("/ui/collaboratives/{collaborative_id}/toolkits")
def toolkits(request: Request, collaborative_id: UUID) -> Response:
    principal = signed_in(request)
    return render(
        request, "toolkit.html", principal, **toolkits_context(request, principal, collaborative_id)
    )


@router.post("/ui/collaboratives/{collaborative_id}/toolkits", dependencies=CSRF)
def compile_toolkit(
    request: Request, collaborative_id: UUID, title: Field = "", introduction: Field = "",
    change_idea_ids: Ids = None, resource_ids: Ids = None, command_id: Field = "",
) -> Response:  # fmt: skip
    form = {"title": title, "introduction": introduction, "change_idea_ids": change_idea_ids or [],
            "resource_ids": resource_ids or []}  # fmt: skip
    build = lambda: CompileToolkit(collaborative_id=collaborative_id, title=title, introduction=introduction or None,  # noqa: E731
                                   change_idea_ids=change_idea_ids or [], resource_ids=resource_ids or [])  # fmt: skip
    again = lambda principal: toolkits_context(request, principal, collaborative_id)  # noqa: E731
    done = f"/ui/collaboratives/{collaborative_id}/toolkits"
    return act_beside_fields(
        request, build, command_id, lambda _: done, again, "toolkit.html", form, TOOLKIT_FIELDS
    )


@router.get("/ui/toolkits/{toolkit_id}.pdf")
def toolkit_pdf_download(request: Request, toolkit_id: UUID) -> Response:
    principal = signed_in(request)
    view = _toolkit(request, principal, toolkit_id)
    disposition = f'attachment; filename="toolkit-{toolkit_id}.pdf"'
    pdf = toolkit_pdf(view, _across(request, principal, view))
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})


@router.get("/ui/toolkits/{toolkit_id}.html")
def toolkit_html_download(request: Request, toolkit_id: UUID) -> Response:
    principal = signed_in(request)
    view = _toolkit(request, principal, toolkit_id)
    disposition = f'attachment; filename="toolkit-{toolkit_id}.html"'
    html = toolkit_html(view, _across(request, principal, view))
    # Self-contained, so it keeps its styles inline: the policy allows exactly those, by hash.
    headers = {"Content-Disposition": disposition, "Content-Security-Policy": hashed_styles_policy(html)}
    return HTMLResponse(html, headers=headers)


# Declared after the downloads: `{toolkit_id}` alone would also match `<id>.pdf`.
@router.get("/ui/toolkits/{toolkit_id}")
def toolkit_page(request: Request, toolkit_id: UUID) -> Response:
    principal = signed_in(request)
    view = _toolkit(request, principal, toolkit_id)
    collaborative = get_queries(request).collaborative(principal, view.collaborative_id)
    c, zone = CollaborativeSummary.of(collaborative), collaborative.state.time_zone
    return render(
        request,
        "toolkit.html",
        principal,
        c=c,
        toolkit=view,
        zone=zone,
        article=toolkit_article(view, _across(request, principal, view)),
    )
