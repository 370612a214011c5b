"""Progress scores in the pages: a team's page of its monthly scores (its own, its coach's,
the suggested one and why) with the forms to score, the scale's levels beside them; and
the collaborative's page of the distribution, the headline and the disagreements."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.http.deps import get_queries
from adapters.web.actors import actor_names
from adapters.web.field_errors import fields_refused
from adapters.web.forms import Field, act_beside_fields
from adapters.web.pages import linked_teams, render
from adapters.web.phase_notes import opens_in
from adapters.web.session import CSRF, engine_of, signed_in
from aggregates.phases import Activity, is_allowed
from aggregates.progress import LEVELS, Rater
from aggregates.tokens import Principal
from engine.commands import Command
from engine.commands.team import ScoreProgress

router = APIRouter(include_in_schema=False)
MONTHS_OFFERED = 6  # the months a form offers: this one and the five before it
FIELDS = {"month": "month", "rater": "rater", "score": "score", "rationale": "rationale"}


def _months(today: date) -> list[str]:
    """This month and the ones before it, latest first ("2025-03", "2025-02", …)."""
    found, year, month = [], today.year, today.month
    for _ in range(MONTHS_OFFERED):
        found.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found


def team_progress_context(request: Request, principal: Principal, team_id: UUID) -> dict[str, Any]:
    queries = get_queries(request)
    progress = queries.team_progress(principal, team_id)
    team = engine_of(request).team(team_id)
    collaborative = engine_of(request).collaborative(team.state.collaborative_id)
    phase = collaborative.state.phase
    coaches_it = principal.coaches and principal.participant_id == team.state.coach_id
    months = _months(engine_of(request).clock().date())
    raters = []
    if team.state.active and (principal.staff or team_id in principal.team_ids):
        raters.append(Rater.TEAM)
    if team.state.active and (principal.staff or coaches_it):
        raters.append(Rater.COACH)
    return {
        "progress": progress, "team_id": team_id, "collaborative": collaborative.state,
        "collaborative_id": team.state.collaborative_id, "people": actor_names(request),
        "raters": raters, "open": is_allowed(Activity.SCORE_PROGRESS, phase),
        "opens": opens_in(Activity.SCORE_PROGRESS, phase), "months": months,
        "default_month": months[1], "levels": list(LEVELS.values()),
        "level_names": {score: level.name for score, level in LEVELS.items()}, "error": None, "form": {},
        "zone": collaborative.state.time_zone,
    }  # fmt: skip


@router.get("/ui/teams/{team_id}/progress")
def team_progress_page(request: Request, team_id: UUID) -> Response:
    principal = signed_in(request)
    return render(
        request, "team_progress.html", principal, **team_progress_context(request, principal, team_id)
    )


@router.post("/ui/teams/{team_id}/progress", dependencies=CSRF)
def score_progress(
    request: Request, team_id: UUID, month: Field = "", rater: Field = "", score: Field = "",
    rationale: Field = "", command_id: Field = "",
) -> Response:  # fmt: skip
    """A month's score: the team's own (its members, staff) or its coach's (the coach, staff)."""
    form = {"month": month, "rater": rater, "score": score, "rationale": rationale}

    def build() -> Command:
        problems = {}
        if rater not in {r.value for r in Rater}:
            problems["rater"] = "choose whose score this is: the team's own or the coach's"
        if not score:
            problems["score"] = "choose a score from 1 to 5"
        if not rationale.strip():
            problems["rationale"] = "say in a sentence why this score"
        if not month:
            problems["month"] = "choose the month scored"
        if problems:
            raise fields_refused(problems)
        try:
            value = float(score)
        except ValueError:
            raise fields_refused({"score": "choose a score from 1 to 5"}) from None
        return ScoreProgress(
            team_id=team_id, month=month, rater=Rater(rater), score=value, rationale=rationale
        )

    again = lambda principal: team_progress_context(request, principal, team_id)  # noqa: E731
    done = lambda outcome: f"/ui/teams/{team_id}/progress#scores"  # noqa: E731
    return act_beside_fields(request, build, command_id, done, again, "team_progress.html", form, FIELDS)


@router.get("/ui/collaboratives/{collaborative_id}/progress")
def collaborative_progress_page(request: Request, collaborative_id: UUID) -> Response:
    principal = signed_in(request)
    progress = get_queries(request).collaborative_progress(principal, collaborative_id)
    collaborative = engine_of(request).collaborative(collaborative_id)
    latest = progress.months[-1] if progress.months else None
    recent = [m.month for m in progress.months][-MONTHS_OFFERED:]
    return render(
        request, "collaborative_progress.html", principal, progress=progress, collaborative=collaborative.state,
        collaborative_id=collaborative_id, latest=latest, recent=recent, scores=list(LEVELS),
        zone=collaborative.state.time_zone, linked=linked_teams(request, principal),
    )  # fmt: skip
