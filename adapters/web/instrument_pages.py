"""Assessment instruments in the pages: the collaborative's instruments, with staff's form
to publish one (its definition pasted as JSON, each problem named); a team's page of the
instruments to fill in, item by item, and its assessments; and one assessment's report:
the score per domain, the gap report, the comparisons and a link to its PDF."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError

from adapters.exports.instrument_pdf import assessment_pdf
from adapters.http.deps import get_queries
from adapters.web.actors import actor_names
from adapters.web.field_errors import fields_refused
from adapters.web.forms import Field, act_beside_fields
from adapters.web.pages import render
from adapters.web.phase_notes import opens_in
from adapters.web.session import CSRF, csrf_protected, engine_of, signed_in
from aggregates.assessment_instrument import KIND_WORDS, InstrumentDefinition, ItemType
from aggregates.phases import Activity, is_allowed
from aggregates.tokens import Principal
from engine.commands import Command
from engine.commands.instruments import CompleteInstrument, DefineInstrument, PublishInstrumentVersion

router = APIRouter(include_in_schema=False)
TYPE_WORDS = {ItemType.YES_NO: "yes or no", ItemType.CHOICE: "choice", ItemType.NUMBER: "number",
              ItemType.TEXT: "text, not scored"}  # fmt: skip
EXAMPLE = {
    "title": "Pediatric readiness check",
    "kind": "readiness_assessment",
    "items": [
        {"key": "pecc", "domain": "Coordination", "question": "A pediatric coordinator is named",
         "type": "yes_no", "weight": 3},
        {"key": "kg", "domain": "Safety", "question": "Children weighed in kg, %", "type": "number",
         "target": 90, "unit": "%", "weight": 2},
    ],
}  # fmt: skip


# The collaborative's instruments -------------------------------------------------


def collaborative_instruments_context(
    request: Request, principal: Principal, collaborative_id: UUID
) -> dict[str, Any]:
    queries = get_queries(request)
    instruments = queries.collaborative_instruments(principal, collaborative_id)
    collaborative = engine_of(request).collaborative(collaborative_id)
    definitions = {
        i.instrument_id: queries.instrument(principal, i.instrument_id).current for i in instruments
    }
    return {
        "collaborative": collaborative.state, "collaborative_id": collaborative_id, "instruments": instruments,
        "definitions": definitions, "as_json": lambda d: json.dumps(d.model_dump(mode="json", exclude_defaults=True), indent=2),
        "type_words": TYPE_WORDS,
        "kind_words": KIND_WORDS, "example": json.dumps(EXAMPLE, indent=2), "form": {}, "error": None,
        "zone": collaborative.state.time_zone,
    }  # fmt: skip


@router.get("/ui/collaboratives/{collaborative_id}/instruments")
def collaborative_instruments_page(request: Request, collaborative_id: UUID) -> Response:
    principal = signed_in(request)
    context = collaborative_instruments_context(request, principal, collaborative_id)
    return render(request, "instruments.html", principal, **context)


@router.post("/ui/collaboratives/{collaborative_id}/instruments", dependencies=CSRF)
def publish_instrument(
    request: Request, collaborative_id: UUID, definition: Field = "", instrument_id: Field = "",
    command_id: Field = "",
) -> Response:  # fmt: skip
    """Staff publish an instrument: a new one, or a new version of one already there."""
    form = {"definition": definition, "instrument_id": instrument_id}

    def build() -> Command:
        if not definition.strip():
            raise fields_refused({"definition": "paste the instrument's definition (JSON) first"})
        try:
            parsed = json.loads(definition)
        except json.JSONDecodeError as exc:
            raise fields_refused(
                {"definition": f"this is not JSON: {exc.msg} at line {exc.lineno}"}
            ) from None
        try:
            if instrument_id:
                return PublishInstrumentVersion(instrument_id=_uuid(instrument_id), definition=parsed)
            return DefineInstrument(collaborative_id=collaborative_id, definition=parsed)
        except ValidationError as exc:  # every problem, each with where it is
            raise fields_refused({"definition": "; ".join(_where(e, parsed) for e in exc.errors())}) from None

    again = lambda principal: collaborative_instruments_context(request, principal, collaborative_id)  # noqa: E731
    done = lambda outcome: f"/ui/collaboratives/{collaborative_id}/instruments"  # noqa: E731
    fields = {"definition": "definition", "instrument_id": "instrument_id"}
    return act_beside_fields(request, build, command_id, done, again, "instruments.html", form, fields)


def _where(error: Any, sent: Any) -> str:
    """A validation error in the sender's words: "item 2 (kg), target: …"."""
    loc = [p for p in error["loc"] if p != "definition"]
    words = []
    if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
        items = sent.get("items") if isinstance(sent, dict) else None
        key = (
            items[loc[1]].get("key") if isinstance(items, list) and isinstance(items[loc[1]], dict) else None
        )
        words.append(f"item {loc[1] + 1}" + (f" ({key})" if key else ""))
        loc = loc[2:]
    words += [str(p) for p in loc if not str(p).startswith("function-")]
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{', '.join(words)}: {message}" if words else message


def _uuid(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise fields_refused({"instrument_id": "choose one of the instruments listed"}) from None


# A team's instruments ------------------------------------------------------------


def team_instruments_context(request: Request, principal: Principal, team_id: UUID) -> dict[str, Any]:
    queries = get_queries(request)
    done = queries.team_instrument_assessments(principal, team_id)
    team = engine_of(request).team(team_id)
    collaborative = engine_of(request).collaborative(team.state.collaborative_id)
    listed = queries.collaborative_instruments(principal, team.state.collaborative_id)
    phase = collaborative.state.phase
    return {
        "team_id": team_id, "team_name": team.state.name, "collaborative_id": team.state.collaborative_id,
        "collaborative": collaborative.state, "done": done, "kind_words": KIND_WORDS,
        "instruments": [(i, queries.instrument(principal, i.instrument_id).current) for i in listed],
        "may_answer": team.state.active and (principal.staff or team_id in principal.team_ids),
        "open": is_allowed(Activity.SUBMIT_ASSESSMENT, phase), "opens": opens_in(Activity.SUBMIT_ASSESSMENT, phase),
        "ItemType": ItemType, "form": {}, "error": None, "zone": collaborative.state.time_zone,
    }  # fmt: skip


@router.get("/ui/teams/{team_id}/instruments")
def team_instruments_page(request: Request, team_id: UUID) -> Response:
    principal = signed_in(request)
    return render(
        request, "team_instruments.html", principal, **team_instruments_context(request, principal, team_id)
    )


@router.post("/ui/teams/{team_id}/instruments/{instrument_id}")
async def complete_instrument(request: Request, team_id: UUID, instrument_id: UUID) -> Response:
    """The team's answers, one field per item (the item's key), to the instrument's current version."""
    sent = {str(k): str(v) for k, v in (await request.form()).multi_items()}
    return await run_in_threadpool(_complete, request, team_id, instrument_id, sent)


def _complete(request: Request, team_id: UUID, instrument_id: UUID, sent: dict[str, str]) -> Response:
    csrf_protected(request, sent.get("csrf_token", ""))
    principal = signed_in(request)
    definition = get_queries(request).instrument(principal, instrument_id).current
    answers, problems = _answers(definition, sent)
    form = {"instrument_id": str(instrument_id), **{i.key: sent.get(i.key, "") for i in definition.items}}

    def build() -> Command:
        if problems:
            raise fields_refused(problems)
        return CompleteInstrument(team_id=team_id, instrument_id=instrument_id, answers=answers)

    def done(outcome: Any) -> str:
        assessment_id = outcome.created["InstrumentAssessment"][0]
        return f"/ui/teams/{team_id}/instrument-assessments/{assessment_id}"

    again = lambda principal: team_instruments_context(request, principal, team_id)  # noqa: E731
    # A refusal names items as answers.<key>: each goes beside the item's field.
    fields = {i.key: i.key for i in definition.items}
    return act_beside_fields(request, build, sent.get("command_id", ""), done, again, "team_instruments.html",
                             form, fields)  # fmt: skip


def _answers(definition: InstrumentDefinition, sent: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's text as the answers the command takes; a number that is not one is named."""
    answers: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for item in definition.items:
        given = sent.get(item.key, "").strip()
        if not given:
            continue
        if item.type is ItemType.YES_NO:
            if given in ("yes", "no"):
                answers[item.key] = given == "yes"
            else:
                problems[item.key] = "answer yes or no"
        elif item.type is ItemType.NUMBER:
            try:
                answers[item.key] = float(given)
            except ValueError:
                problems[item.key] = "give a number"
        else:
            answers[item.key] = given
    missing = [i.key for i in definition.items if i.type is not ItemType.TEXT and i.key not in answers]
    problems |= {key: "answer this item" for key in missing if key not in problems}
    return answers, problems


# One assessment ------------------------------------------------------------------


@router.get("/ui/teams/{team_id}/instrument-assessments/{assessment_id}.pdf")
def assessment_pdf_download(request: Request, team_id: UUID, assessment_id: UUID) -> Response:
    principal = signed_in(request)
    report = get_queries(request).instrument_assessment(principal, team_id, assessment_id)
    disposition = f'attachment; filename="assessment-{assessment_id}.pdf"'
    return Response(
        assessment_pdf(report), media_type="application/pdf", headers={"Content-Disposition": disposition}
    )


@router.get("/ui/teams/{team_id}/instrument-assessments/{assessment_id}")
def assessment_page(request: Request, team_id: UUID, assessment_id: str) -> Response:
    principal = signed_in(request)
    try:
        parsed = UUID(assessment_id)
    except ValueError:
        raise HTTPException(404, "no such assessment") from None
    report = get_queries(request).instrument_assessment(principal, team_id, parsed)
    team = engine_of(request).team(team_id)
    collaborative = engine_of(request).collaborative(team.state.collaborative_id)
    return render(
        request, "instrument_assessment.html", principal, r=report, kind_words=KIND_WORDS,
        people=actor_names(request), collaborative=collaborative.state, zone=collaborative.state.time_zone,
    )  # fmt: skip
