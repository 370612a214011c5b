"""What the pages' forms do: each builds the same command the API would, runs it
through the same authorisation and engine, and on a refusal shows the page again
with the API's clear error. Nothing a refused form sent is stored."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from adapters.http.deps import Caller, Runner
from adapters.http.errors import refusal_of
from adapters.web.field_errors import beside_fields
from adapters.web.pages import collaboratives_context, overview_context, render, team_context
from adapters.web.session import (
    CSRF,
    csrf_protected,
    engine_of,
    signed_in,
)
from aggregates.criteria import Criterion
from aggregates.phases import PHASES, Phase
from aggregates.tokens import Principal
from engine.commands import Command
from engine.commands.collaborative import (
    ChangeExitCriteria,
    CreateCollaborative,
    DefineCollaborativeMeasure,
    RegisterTeam,
    ReviseFocus,
)
from engine.commands.team import PlanCycle, RecordAct, RecordDo, RecordStudy, RemoveMember
from engine.errors import IdempotencyKeyReused

router = APIRouter(include_in_schema=False)
# No NUL in any field: PostgreSQL text cannot hold it (see adapters.http.schemas.common.NoNul).
Field = Annotated[str, Form(pattern=r"^[^\x00]*$")]


def run_form(request: Request, principal: Principal, command_id: str, build: Callable[[], Command]) -> Any:
    """Run a form's command under the id the page gave it, so a double submit is stored
    once. The same id with other values is a person who went back, changed the form and
    sent it again: a new command, not a refusal."""
    run = lambda key: Runner(engine_of(request), Caller.known(engine_of(request), principal), key, None)(
        build()
    )
    try:
        return run(command_id or None)
    except IdempotencyKeyReused:
        return run(None)


def act(
    request: Request, build: Callable[[], Command], command_id: str, done: str, again: Callable[[Principal], dict[str, Any]],
    page: str, form: dict[str, Any],
) -> Response:  # fmt: skip
    """Run the form's command; on a refusal, show the page again with the error and the values sent."""
    principal = signed_in(request)
    try:
        run_form(request, principal, command_id, build)
    except Exception as exc:
        problem = refusal_of(exc)
        context = again(principal) | {"error": problem, "form": form}
        return render(request, page, principal, status=problem.status, **context)
    return RedirectResponse(done, status_code=303)


def act_beside_fields(
    request: Request, build: Callable[[], Command], command_id: str, done: Callable[[Any], str],
    again: Callable[[Principal], dict[str, Any]], page: str, form: dict[str, Any], fields: dict[str, str],
) -> Response:  # fmt: skip
    """`act`, with each field error beside its field (`fields`: the command's name for a
    field -> the form's) and only what fits no field at the top of the page."""
    principal = signed_in(request)
    try:
        outcome = run_form(request, principal, command_id, build)
    except Exception as exc:
        problem = refusal_of(exc)
        placed, rest = beside_fields(problem, fields)
        context = again(principal) | {"error": rest, "form": form, "field_errors": placed}
        return render(request, page, principal, status=problem.status, **context)
    return RedirectResponse(done(outcome), status_code=303)


FOCUS_FIELDS = {"title": "title", "focus_area": "focus_area", "aim": "aim", "starts_on": "starts_on",
                "ends_on": "ends_on", "focus": "ends_on"}  # fmt: skip


def _focus(focus_area: str, aim: str, starts_on: str, ends_on: str) -> dict[str, Any]:
    return {"focus_area": focus_area or None, "aim": aim or None, "starts_on": starts_on or None,
            "ends_on": ends_on or None}  # fmt: skip


@router.post("/ui/collaboratives", dependencies=CSRF)
def create_collaborative(
    request: Request, title: Field = "", focus_area: Field = "", aim: Field = "", starts_on: Field = "",
    ends_on: Field = "", command_id: Field = "",
) -> Response:  # fmt: skip
    """Start a collaborative (staff): its title and, as far as known, its focus."""
    form = {"title": title, "focus_area": focus_area, "aim": aim, "starts_on": starts_on, "ends_on": ends_on}
    build = lambda: CreateCollaborative(title=title, focus=_focus(focus_area, aim, starts_on, ends_on))
    again = lambda principal: collaboratives_context(request, principal)
    return act_beside_fields(request, build, command_id, lambda o: f"/ui/collaboratives/{o.id}", again,
                             "collaboratives.html", form, FOCUS_FIELDS)  # fmt: skip


@router.post("/ui/collaboratives/{collaborative_id}/focus", dependencies=CSRF)
def revise_focus(
    request: Request, collaborative_id: UUID, focus_area: Field = "", aim: Field = "", starts_on: Field = "",
    ends_on: Field = "", command_id: Field = "",
) -> Response:  # fmt: skip
    """Set the focus area, aim and dates (staff, in the focus phase)."""
    form = {"focus_area": focus_area, "aim": aim, "starts_on": starts_on, "ends_on": ends_on}
    build = lambda: ReviseFocus(
        collaborative_id=collaborative_id, focus=_focus(focus_area, aim, starts_on, ends_on)
    )
    return act_beside_fields(request, build, command_id, lambda o: f"/ui/collaboratives/{collaborative_id}#focus",
                             _overview(request, collaborative_id), "collaborative.html", form, FOCUS_FIELDS)  # fmt: skip


MEASURE_FIELDS = {"key": "measure_name", "name": "measure_name", "kind": "measure_kind", "data_type": "data_type",
                  "numerator": "numerator_definition", "denominator": "denominator_definition",
                  "direction": "direction", "target": "target", "measure": "denominator_definition",
                  "plausible_min": "plausible_min", "plausible_max": "plausible_max"}  # fmt: skip


def measure_key(name: str) -> str:
    """The key a measure is stored under, from its name ("Weight in kg" -> "weight-in-kg")."""
    # With no name, a placeholder key: the name's own error says what is wrong.
    return "-".join(re.findall(r"[a-z0-9]+", name.lower()))[:64] or "measure"


def _target(text: str, data_type: str) -> Any:
    """The target as typed: a proportion's as a percentage ("90" or "90%" is 0.9)."""
    text = text.strip().removesuffix("%").strip()
    if not text:
        return None
    value = _typed(text)
    return value / 100 if data_type == "proportion" and isinstance(value, int | float) else value


@router.post("/ui/collaboratives/{collaborative_id}/measures", dependencies=CSRF)
def define_collaborative_measure(
    request: Request, collaborative_id: UUID, measure_name: Field = "", measure_kind: Field = "",
    data_type: Field = "proportion", numerator_definition: Field = "", denominator_definition: Field = "",
    direction: Field = "", target: Field = "", command_id: Field = "",
) -> Response:  # fmt: skip
    """Define a measure every team reports (staff, in the focus phase), with the operational
    definitions teams read at data entry."""
    form = {"measure_name": measure_name, "measure_kind": measure_kind, "data_type": data_type,
            "numerator_definition": numerator_definition, "denominator_definition": denominator_definition,
            "direction": direction, "target": target}  # fmt: skip
    measure = {
        "key": measure_key(measure_name), "name": measure_name, "kind": measure_kind, "data_type": data_type,
        "numerator": numerator_definition, "denominator": denominator_definition or None,
        "direction": direction, "target": _target(target, data_type),
    }  # fmt: skip
    build = lambda: DefineCollaborativeMeasure(collaborative_id=collaborative_id, measure=measure)
    return act_beside_fields(request, build, command_id, lambda o: f"/ui/collaboratives/{collaborative_id}#measures",
                             _overview(request, collaborative_id), "collaborative.html", form, MEASURE_FIELDS)  # fmt: skip


@router.post("/ui/collaboratives/{collaborative_id}/exit-criteria")
async def change_exit_criteria(request: Request, collaborative_id: UUID) -> Response:
    """The collaborative's own exit criteria (staff): the fewest teams, and for each phase
    which criteria must hold to leave it (a box per criterion and phase, so the form's
    field names are not fixed: it is read whole, then handled off the event loop)."""
    sent = {str(k): str(v) for k, v in (await request.form()).multi_items()}
    return await run_in_threadpool(_change_exit_criteria, request, collaborative_id, sent)


def _change_exit_criteria(request: Request, collaborative_id: UUID, sent: dict[str, str]) -> Response:
    csrf_protected(request, sent.get("csrf_token", ""))
    min_teams = sent.get("min_teams", "")
    chosen = {k for k in sent if k.startswith("criterion:")}
    criteria = {
        phase.value: [c.value for c in Criterion if f"criterion:{phase.value}:{c.value}" in chosen]
        for phase in PHASES if phase is not Phase.CLOSED
    }  # fmt: skip
    form = {"min_teams": min_teams, "chosen": chosen}
    build = lambda: ChangeExitCriteria(
        collaborative_id=collaborative_id, settings={"min_teams": _typed(min_teams), "criteria": criteria}
    )
    return act_beside_fields(
        request, build, sent.get("command_id", ""), lambda o: f"/ui/collaboratives/{collaborative_id}#criteria",
        _overview(request, collaborative_id), "collaborative.html", form, {"min_teams": "min_teams"},
    )  # fmt: skip


def _overview(request: Request, collaborative_id: UUID) -> Callable[[Principal], dict[str, Any]]:
    return lambda principal: overview_context(request, principal, collaborative_id)


def _team(request: Request, team_id: UUID) -> Callable[[Principal], dict[str, Any]]:
    return lambda principal: team_context(request, principal, team_id)


@router.post("/ui/collaboratives/{collaborative_id}/teams", dependencies=CSRF)
def register_team(
    request: Request, collaborative_id: UUID, name: Field = "", organization: Field = "", care_setting: Field = "",
    member_name: Field = "", member_credentials: Field = "", member_email: Field = "", discipline: Field = "",
    member_role: Field = "member", command_id: Field = "",
) -> Response:  # fmt: skip
    """Register a team (staff, in registration) with its first member: their email lets an
    attendance report find them, their role says who leads."""
    form = {"name": name, "organization": organization, "care_setting": care_setting, "member_name": member_name,
            "member_credentials": member_credentials, "member_email": member_email, "discipline": discipline,
            "member_role": member_role}  # fmt: skip
    person = {"name": member_name, "credentials": member_credentials or None, "email": member_email or None}
    member = {"person": person, "discipline": discipline, "role": member_role or "member"}
    build = lambda: RegisterTeam(collaborative_id=collaborative_id, name=name, organization=organization or name,
                                 care_setting=care_setting, members=(member,))  # fmt: skip
    url = f"/ui/collaboratives/{collaborative_id}"
    return act(
        request,
        build,
        command_id,
        f"{url}#teams",
        _overview(request, collaborative_id),
        "collaborative.html",
        form,
    )


def _typed(text: str) -> Any:
    """A form's number or yes/no as JSON sends it (commands take no text for either);
    anything else stays text, which the command refuses naming the field."""
    if text in ("true", "false"):
        return text == "true"
    for kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            continue
        return value if math.isfinite(value) else text
    return text


@router.post("/ui/teams/{team_id}/members/{participant_id}/removal", dependencies=CSRF)
def remove_member(request: Request, team_id: UUID, participant_id: UUID, command_id: Field = "") -> Response:
    """Take a person off the team (staff, or the team's own members); their credit stays theirs."""
    build = lambda: RemoveMember(team_id=team_id, participant_id=participant_id)
    return act(
        request, build, command_id, f"/ui/teams/{team_id}#members", _team(request, team_id), "team.html", {}
    )


@router.post("/ui/teams/{team_id}/pdsa", dependencies=CSRF)
def plan_cycle(
    request: Request, team_id: UUID, title: Field = "", change_idea: Field = "", objective: Field = "",
    prediction: Field = "", plan: Field = "", ramp_parent_id: Field = "", change_idea_id: Field = "",
    command_id: Field = "",
) -> Response:  # fmt: skip
    form = {
        "title": title,
        "change_idea": change_idea,
        "objective": objective,
        "prediction": prediction,
        "plan": plan,
        "change_idea_id": change_idea_id,
    }
    # The same PlanCycle the API sends: an idea from the change package is optional.
    content = form | {"ramp_parent_id": ramp_parent_id or None, "change_idea_id": change_idea_id or None}
    build = lambda: PlanCycle(team_id=team_id, plan=content)
    return act(
        request, build, command_id, f"/ui/teams/{team_id}#pdsa", _team(request, team_id), "team.html", form
    )


STAGES: dict[str, Callable[[UUID, UUID, dict[str, str]], Command]] = {
    "do": lambda t, c, f: RecordDo(team_id=t, cycle_id=c, do={"observations": f["observations"], "carried_out_on": f["carried_out_on"] or None}),
    "study": lambda t, c, f: RecordStudy(team_id=t, cycle_id=c, study={
        "results": f["results"], "prediction_confirmed": _typed(f["prediction_confirmed"]), "learning": f["learning"] or None}),
    "act": lambda t, c, f: RecordAct(team_id=t, cycle_id=c, act={"decision": f["decision"], "next_steps": f["next_steps"] or None}),
}  # fmt: skip


@router.post("/ui/teams/{team_id}/pdsa/{cycle_id}/{stage}", dependencies=CSRF)
def record_stage(
    request: Request, team_id: UUID, cycle_id: UUID, stage: str, observations: Field = "", carried_out_on: Field = "",
    results: Field = "", prediction_confirmed: Field = "", learning: Field = "", decision: Field = "",
    next_steps: Field = "", command_id: Field = "",
) -> Response:  # fmt: skip
    form = {"observations": observations, "carried_out_on": carried_out_on, "results": results, "learning": learning,
            "prediction_confirmed": prediction_confirmed, "decision": decision, "next_steps": next_steps}  # fmt: skip
    make = STAGES.get(stage)
    build = (lambda: make(team_id, cycle_id, form)) if make else _unknown_stage(stage)
    return act(
        request, build, command_id, f"/ui/teams/{team_id}#pdsa", _team(request, team_id), "team.html", form
    )


def _unknown_stage(stage: str) -> Callable[[], Command]:
    def refuse() -> Command:
        from adapters.http.errors import InvalidInput

        raise InvalidInput(["path", "stage"], f"{stage!r} is not a PDSA stage (do, study, act)")

    return refuse
