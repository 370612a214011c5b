"""A measure's chart page, for a team's chart or the collaborative's: the chart on a
time axis with its legend, the chart in words, every month in a table, how the chart is
drawn and who decided it (chart type, baseline, phases, points left out, goal, the
rules used), the proposals waiting for an answer, and the notes at their months.

Who sees which forms follows the engine's rules (engine.authorization): staff, and for
a team's chart its coach, decide; the team's members (and, for the collaborative's
chart, its coaches) propose; everyone who works on the chart adds notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.http.deps import get_queries
from adapters.web.actors import actor_names, called
from adapters.web.measures_view import when_allowed
from adapters.web.pages import chart_svg, render
from adapters.web.session import signed_in
from aggregates.base import Role
from aggregates.measure_chart import CHART_NAMES, CHARTS_FOR, MAX_BASELINE, MIN_BASELINE, ChartOwner
from aggregates.phases import Activity, is_allowed
from aggregates.tokens import Principal
from engine import authorization
from projections.chart_model import ChartView
from projections.charts import ChartOptions

router = APIRouter(include_in_schema=False)

DECISION_WORDS = {
    "chart_type": "the chart type", "baseline": "the baseline", "split": "a new phase", "join": "joining two phases",
    "exclude": "leaving a month out", "include": "taking a month back in", "goal": "the goal",
}  # fmt: skip


def chart_url(owner: ChartOwner, owner_id: UUID, key: str) -> str:
    """The chart page of a team's measure, or of the collaborative's."""
    return f"/ui/{'teams' if owner is ChartOwner.TEAM else 'collaboratives'}/{owner_id}/measures/{key}/chart"


def chart_context(
    request: Request, principal: Principal, owner: ChartOwner, owner_id: UUID, key: str
) -> dict[str, Any]:
    """What the chart page shows, and which of its forms this person may use."""
    queries, engine = get_queries(request), request.app.state.engine
    if owner is ChartOwner.TEAM:
        found = queries.team_chart(principal, owner_id, key, ChartOptions())
        team = engine.team(owner_id)
        collaborative = engine.collaborative(team.collaborative_id)
        deciders = principal.staff or authorization.is_coach_of(principal, team)
        proposers = owner_id in principal.team_ids
        back, back_to = f"/ui/teams/{owner_id}#measure-{key}", team.state.name
    else:
        found = queries.collaborative_chart(principal, owner_id, key, ChartOptions())
        collaborative = engine.collaborative(owner_id)
        deciders = principal.staff
        proposers = authorization.coaches_in(principal, owner_id, engine)
        back, back_to = f"/ui/collaboratives/{owner_id}#charts", collaborative.state.title
    view = found.view
    open_now = is_allowed(Activity.DECIDE_CHART, collaborative.phase)
    names = actor_names(request)
    title = f"{found.of if owner is ChartOwner.TEAM else 'All teams'}: {view.measure.name}"
    return {
        "view": view, "of": found.of, "title": title, "svg": chart_svg(view, title, names), "owner": owner.value,
        "owner_id": owner_id, "key": key, "action": chart_url(owner, owner_id, key), "back": back,
        "back_to": back_to, "zone": collaborative.state.time_zone,
        "may_decide": open_now and deciders, "may_propose": open_now and proposers and not deciders,
        "may_annotate": open_now and (deciders or proposers),
        # A team member withdraws only their own notes (the chart's rule); the others, any note.
        "me": principal.actor.id, "withdraws_any": principal.role is not Role.TEAM,
        "closed_words": None if open_now else when_allowed(Activity.DECIDE_CHART, collaborative.phase, "Charts are decided and annotated"),
        "who": lambda actor_id, role: who_did(actor_id, role, names),
        "chart_choices": [(c, CHART_NAMES[c]) for c in CHARTS_FOR[view.measure.data_type]],
        "chart_name": CHART_NAMES, "decision_words": DECISION_WORDS,
        "data_months": [s.period for s in view.slots if s.y is not None],
        "excluded": [s for s in view.slots if s.excluded], "baseline_bounds": (MIN_BASELINE, MAX_BASELINE),
        "notes": [m for m in view.marks if m.kind == "annotation"],
        "open_proposals": [p for p in view.proposals if p.status == "open"],
        "answered": [p for p in view.proposals if p.status != "open"],
        "saved": request.query_params.get("saved"), "form": {}, "field_errors": {}, "error": None,
        "goal_shown": goal_words(view),
    }  # fmt: skip


def who_did(actor_id: str | None, role: str | None, names: Mapping[str, str]) -> str:
    """The person by name (with their role when it is known), or by role alone."""
    if not role:  # an answer records no role: the name as the people list gives it
        return names.get(actor_id or "", "someone")
    return called(actor_id or "", role, names)


def goal_words(view: ChartView) -> str | None:
    if view.goal is None:
        return None
    return f"{view.goal * 100:g}%" if view.percent else f"{view.goal:g}"


@router.get("/ui/teams/{team_id}/measures/{measure_key}/chart")
def team_chart_page(request: Request, team_id: UUID, measure_key: str) -> Response:
    principal = signed_in(request)
    context = chart_context(request, principal, ChartOwner.TEAM, team_id, measure_key)
    return render(request, "measure_chart.html", principal, **context)


@router.get("/ui/collaboratives/{collaborative_id}/measures/{measure_key}/chart")
def collaborative_chart_page(request: Request, collaborative_id: UUID, measure_key: str) -> Response:
    principal = signed_in(request)
    context = chart_context(request, principal, ChartOwner.COLLABORATIVE, collaborative_id, measure_key)
    return render(request, "measure_chart.html", principal, **context)
