"""The pages people read: collaboratives, a collaborative's overview, a team, a
transcript (the audit explorer and the as-of view: adapters.web.audit_pages)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from adapters.charts.people import named_for_people
from adapters.charts.svg import NARROW, render_chart
from adapters.http.deps import get_queries
from adapters.http.errors import Problem
from adapters.http.schemas.collaboratives import CollaborativePublic, CollaborativeSummary
from adapters.http.schemas.teams import TeamPublic
from adapters.safe_urls import install_safe_url
from adapters.web import chart_filters
from adapters.web.actors import actor_names
from adapters.web.collaborative_view import page_extras
from adapters.web.error_words import in_words
from adapters.web.formats import DEFAULT_ZONE, install_formats
from adapters.web.measures_view import measures_context
from adapters.web.session import csrf_of, signed_in
from adapters.web.team_sections import team_sections
from aggregates.base import Role
from aggregates.change_package import Node, NodeKind
from aggregates.collaborative import CollaborativeState
from aggregates.criteria import Criterion
from aggregates.phases import PHASES, Activity, Phase, is_allowed, next_phase
from aggregates.team import Team
from aggregates.tokens import Principal
from aggregates.values import (
    ActivityKind,
    CareSetting,
    CreditType,
    DataType,
    Direction,
    Discipline,
    MeasureKind,
    MemberRole,
)
from engine.queries.reminders import ReminderView
from engine.queries.reports import ReportRow
from engine.read_models import ReadModels
from projections.charts import ChartView
from projections.credits.schemas import CreditRow, to_csv

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
install_safe_url(templates.env)


def sentence(text: str) -> str:
    """Text as the start of a sentence: its first letter upper case, the rest as it was."""
    return text[:1].upper() + text[1:]


install_formats(templates.env)
chart_filters.register(templates.env)
templates.env.filters["sentence"] = sentence
router = APIRouter(include_in_schema=False)


def read_models_of(request: Request) -> ReadModels:
    models: ReadModels = request.app.state.read_models
    return models


def render(
    request: Request, name: str, principal: Principal | None, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page, with who is signed in, a fresh command id and the CSRF token for its forms
    (and the zone its times are shown in: the context's `zone`, UTC where none is given)."""
    context.setdefault("zone", DEFAULT_ZONE)
    context |= {
        "principal": principal,
        "command_id": str(uuid4()),
        "csrf_token": csrf_of(request),
        "Role": Role,
        "unavailable": unavailable_views(request) if principal else [],
    }
    return templates.TemplateResponse(request, name, context, status_code=status)


# What people lose while a read model is stopped on an event, in their words.
VIEWS_OF = {
    "dashboard": "collaborative overviews, dashboards and charts",
    "credits": "credit transcripts and credit exports",
    "learning": "the resource library, driver diagrams, shared projects and toolkits",
    "audit": "the audit trail",
}


def unavailable_views(request: Request) -> list[str]:
    """A sentence for each read model stopped on an event (for the banner on every page);
    none when the store cannot say, so a page about an outage still renders."""
    try:
        stopped = read_models_of(request).failures()
    except Exception:
        return []
    return [
        f"{VIEWS_OF.get(name, name).capitalize()} are unavailable: they stopped at event "
        f"{failure.position} ({failure.event_type}) on {failure.failed_at[:10]}."
        for name, failure in sorted(stopped.items())
    ]


def chart_svg(view: ChartView | None, title: str, names: Mapping[str, str] | None = None) -> str | None:
    """The chart twice: full width, and drawn for a phone (app.css shows one of them); the
    people behind its phases and notes by name where `names` has them, else by role."""
    if view is None or not view.slots:
        return None
    view = named_for_people(view, names or {})
    return render_chart(view, title, css_class="chart wide") + render_chart(
        view, title, width=NARROW, css_class="chart narrow"
    )


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=307)


def home_for(principal: Principal) -> str | None:
    """Where a person lands after signing in, by what they do: their team (a chooser with
    several, or as a coach), the audit explorer (auditors), or My credit (anyone else).
    None for the collaboratives (staff, and API tokens)."""
    if principal.account_id is None or principal.staff:
        return None
    if principal.coaches or len(principal.team_ids) > 1:
        return "/ui/my-teams"
    if principal.team_ids:
        return f"/ui/teams/{principal.team_ids[0]}"
    if principal.auditor:
        return "/ui/audit"
    return "/ui/my-credit"


@router.get("/ui/")
def home_page(request: Request) -> Response:
    principal = signed_in(request)
    landing = home_for(principal)
    if landing is not None:
        return RedirectResponse(landing, status_code=303)
    return collaboratives(request)


@router.get("/ui/collaboratives")
def collaboratives(request: Request) -> Response:
    principal = signed_in(request)
    return render(request, "collaboratives.html", principal, **collaboratives_context(request, principal))


def collaboratives_context(request: Request, principal: Principal) -> dict[str, Any]:
    summaries = [
        CollaborativeSummary(**c.model_dump()) for c in get_queries(request).collaboratives(principal)
    ]
    return {
        "collaboratives": summaries, "form": {}, "field_errors": {}, "error": None,
        "reminders": my_reminders(request, principal),
    }  # fmt: skip


def overview_context(request: Request, principal: Principal, collaborative_id: UUID) -> dict[str, Any]:
    overview = get_queries(request).overview(principal, collaborative_id)
    collaborative = CollaborativePublic.of(overview.collaborative)
    names = actor_names(request)
    charts = [(name, chart_svg(view, f"All teams: {name}", names)) for name, view in overview.charts]
    return {
        "c": collaborative, "d": overview.dashboard, "charts": charts, "people": overview.attendees,
        "next_phase": next_phase(collaborative.phase), "settings": list(CareSetting), "disciplines": list(Discipline), "member_roles": list(MemberRole),
        "activity_kinds": list(ActivityKind), "credit_types": list(CreditType), "error": None, "form": {},
        "linked_teams": linked_teams(request, principal), "field_errors": {},
        "focus_editable": is_allowed(Activity.EDIT_FOCUS, collaborative.phase), "measure_kinds": list(MeasureKind),
        "data_types": list(DataType), "directions": list(Direction),
        "criteria_phases": [p for p in PHASES if p is not Phase.CLOSED], "criteria": list(Criterion),
        "progress": get_queries(request).progress_headline(principal, collaborative_id),
        "reports_month": _reports_month(request, principal, collaborative.phase),
    } | page_extras(collaborative, principal.staff, overview.attendees, lambda pid: person_name(request, pid))  # fmt: skip


def _reports_month(request: Request, principal: Principal, phase: Phase) -> str | None:
    """The month whose reports faculty (staff, auditors, coaches) are linked to; None for others,
    or before the phase has monthly reports."""
    faculty = principal.staff or principal.auditor or principal.coaches
    if not (faculty and is_allowed(Activity.REPORT_MONTHLY, phase)):
        return None
    return get_queries(request).this_month()


def my_reminders(request: Request, principal: Principal) -> list[ReminderView]:
    """The signed-in person's reminders that still hold, for their home page."""
    return get_queries(request).my_reminders(principal)


def person_name(request: Request, participant_id: UUID) -> str:
    return str(request.app.state.engine.participant(participant_id).state.details.name)


def linked_teams(request: Request, principal: Principal) -> set[UUID] | None:
    """The teams whose pages the caller may open, to link only those (None: every team)."""
    if principal.staff or principal.auditor:
        return None
    teams = set(principal.team_ids)
    if principal.coaches and principal.participant_id is not None:
        teams |= set(request.app.state.engine.participant(principal.participant_id).state.coaching)
    return teams


@router.get("/ui/collaboratives/{collaborative_id}")
def overview(request: Request, collaborative_id: UUID) -> Response:
    principal = signed_in(request)
    return render(
        request, "collaborative.html", principal, **overview_context(request, principal, collaborative_id)
    )


def team_context(request: Request, principal: Principal, team_id: UUID) -> dict[str, Any]:
    page = get_queries(request).team_page(principal, team_id)
    team = TeamPublic.of(page.team)
    people = actor_names(request)
    charts = [
        (m.definition, chart_svg(page.charts[m.definition.key], f"{team.name}: {m.definition.name}", people))
        for m in team.measures
    ]
    can_write = principal.staff or team_id in principal.team_ids
    nodes = page.nodes
    return {
        "t": team, "charts": charts, "names": page.names, "can_write": can_write, "collaborative": page.collaborative.state,
        "cycles": sorted(team.cycles, key=lambda c: c.planned_at), "error": None, "form": {},
        "this_month": f"{datetime.now(UTC):%Y-%m}", "ideas": nodes, "idea_groups": _live_ideas(nodes),
        "disciplines": list(Discipline), "member_roles": list(MemberRole), "invited": None, "invite_errors": [],
        "invited_now": [], "zone": page.collaborative.state.time_zone,
        "report_months": _report_months(request, principal, page.team, page.collaborative.state),
        "reminders": my_reminders(request, principal),
    } | team_sections(request, principal, team, page.collaborative.state) | measures_context(
        request, principal, page.team, page.collaborative, can_write
    )  # fmt: skip


def _report_months(
    request: Request, principal: Principal, team: Team, collaborative: CollaborativeState
) -> list[ReportRow]:
    """The team's monthly reports, latest month first, once its collaborative's phase has them."""
    if not is_allowed(Activity.REPORT_MONTHLY, collaborative.phase):
        return []
    queries = get_queries(request)
    assert team.collaborative_id is not None
    return queries.team_report_months(principal, team.id, queries.report_months(team.collaborative_id))


def _live_ideas(nodes: dict[UUID, Node]) -> list[tuple[str, list[tuple[UUID, str]]]]:
    """Live change ideas grouped under their secondary driver, in the diagram's order."""
    groups: dict[UUID, list[tuple[UUID, str]]] = {}
    for node_id, node in nodes.items():
        if node.kind is NodeKind.CHANGE_IDEA and not node.retired and node.parent_id is not None:
            groups.setdefault(node.parent_id, []).append((node_id, node.name))
    return [(nodes[driver].name, ideas) for driver, ideas in groups.items()]


@router.get("/ui/teams/{team_id}")
def team_page(request: Request, team_id: UUID, invited: int | None = None) -> Response:
    principal = signed_in(request)
    context = team_context(request, principal, team_id) | {"invited": invited}
    return render(request, "team.html", principal, **context)


def error_page(request: Request, principal: Principal | None, problem: Problem) -> HTMLResponse:
    return render(request, "error.html", principal, status=problem.status, error=in_words(problem))


@router.get("/ui/participants/{participant_id}/transcript")
def transcript_page(request: Request, participant_id: UUID) -> Response:
    principal = signed_in(request)
    transcript = get_queries(request).transcript(principal, participant_id)
    return render(request, "transcript.html", principal, tr=transcript)


@router.get("/ui/participants/{participant_id}/transcript.csv")
def transcript_csv(request: Request, participant_id: UUID) -> Response:
    principal = signed_in(request)
    tr = get_queries(request).transcript(principal, participant_id, what="export credit transcripts")
    rows = [
        CreditRow(**e.model_dump(), learner_name=tr.name, licences=tr.licences)
        for e in (*tr.entries, *tr.reversals)
    ]
    rows.sort(key=lambda r: (r.source_position, r.entry_id))
    disposition = f'attachment; filename="transcript-{participant_id}.csv"'
    return Response(
        to_csv(rows), media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition}
    )
