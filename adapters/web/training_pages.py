"""QI training in the pages: the collaborative's modules (staff publish one there), a
module to take (its recording, readings and knowledge check; the result said in words),
and, on the team page's link, who on the team has done the basics."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from adapters.http.deps import get_queries
from adapters.web.field_errors import fields_refused
from adapters.web.forms import Field, act_beside_fields
from adapters.web.pages import render
from adapters.web.phase_notes import opens_in
from adapters.web.session import CSRF, csrf_protected, engine_of, signed_in
from aggregates.phases import Activity, is_allowed
from aggregates.tokens import Principal
from aggregates.training import BASICS
from aggregates.values import CreditType
from engine.commands import Command
from engine.commands.training import PublishModule, TakeModule

router = APIRouter(include_in_schema=False)
# The command's name for each part of a module -> the form's field (a module-level rule,
# "credit needs a check", sits beside the check).
PUBLISH_FIELDS = {
    "title": "title", "summary": "summary", "topics": "topics", "recording_url": "recording_url",
    "readings": "readings", "questions": "questions", "check": "questions", "module": "questions",
    "pass_mark": "pass_mark", "credit": "credit_types", "credit_types": "credit_types", "hours": "hours",
    "accrediting_body": "accrediting_body",
}  # fmt: skip
QUESTION_HELP = (
    "One question a line: the question, then its options, each after a |; mark the right one with *"
)


def questions_from(text: str) -> list[dict[str, Any]]:
    """The check's questions from their lines ("Question | option | *right option")."""
    questions = []
    for number, line in enumerate((ln for ln in text.splitlines() if ln.strip()), start=1):
        prompt, *options = (part.strip() for part in line.split("|"))
        right = [i for i, o in enumerate(options) if o.startswith("*")]
        if len(options) < 2 or len(right) != 1 or not prompt:
            raise fields_refused(
                {
                    "questions": f"line {number}: give the question, at least two options after |, and one marked *"
                }
            )
        questions.append(
            {"prompt": prompt, "options": [o.lstrip("*").strip() for o in options], "correct": right[0]}
        )
    return questions


def training_context(request: Request, principal: Principal, collaborative_id: UUID) -> dict[str, Any]:
    queries = get_queries(request)
    modules = queries.training_modules(principal, collaborative_id)
    collaborative = engine_of(request).collaborative(collaborative_id).state
    library = queries.library(principal, collaborative_id) if principal.staff else []
    return {
        "modules": modules, "collaborative": collaborative, "collaborative_id": collaborative_id,
        "open": is_allowed(Activity.TRAIN, collaborative.phase), "opens": opens_in(Activity.TRAIN, collaborative.phase),
        "library": library, "credit_types": [t for t in CreditType if t is not CreditType.MOC_PART_4],
        "question_help": QUESTION_HELP, "error": None, "form": {}, "zone": collaborative.time_zone,
    }  # fmt: skip


@router.get("/ui/collaboratives/{collaborative_id}/training")
def training_page(request: Request, collaborative_id: UUID) -> Response:
    principal = signed_in(request)
    return render(
        request, "training.html", principal, **training_context(request, principal, collaborative_id)
    )


@router.post("/ui/collaboratives/{collaborative_id}/training", dependencies=CSRF)
def publish_module(
    request: Request, collaborative_id: UUID, title: Field = "", summary: Field = "", topics: Field = "",
    recording_url: Field = "", questions: Field = "", pass_mark: Field = "", hours: Field = "",
    accrediting_body: Field = "", readings: Annotated[list[str] | None, Form()] = None,
    credit_types: Annotated[list[str] | None, Form()] = None, command_id: Field = "",
) -> Response:  # fmt: skip
    """Staff publish a module; its check as lines of text, its credit as types and hours."""
    form: dict[str, Any] = {
        "title": title, "summary": summary, "topics": topics, "recording_url": recording_url, "questions": questions,
        "pass_mark": pass_mark, "hours": hours, "accrediting_body": accrediting_body,
        "readings": readings or [], "credit_types": credit_types or [],
    }  # fmt: skip

    def build() -> Command:
        module: dict[str, Any] = {
            "title": title, "summary": summary, "topics": [t.strip() for t in topics.split(",") if t.strip()],
            "recording_url": recording_url.strip() or None, "readings": readings or [],
        }  # fmt: skip
        if questions.strip():
            if not pass_mark.strip().isdigit():
                raise fields_refused({"pass_mark": "give the pass mark as a whole percentage, e.g. 75"})
            module["check"] = {"questions": questions_from(questions), "pass_mark": int(pass_mark)}
        if credit_types:
            try:
                amount = float(hours)
            except ValueError:
                raise fields_refused({"hours": "give the hours designated, e.g. 1 or 1.25"}) from None
            module["credit"] = {
                "credit_types": credit_types,
                "hours": amount,
                "accrediting_body": accrediting_body,
            }
        return PublishModule(collaborative_id=collaborative_id, module=module)  # type: ignore[arg-type]

    again = lambda principal: training_context(request, principal, collaborative_id)  # noqa: E731
    done = lambda outcome: f"/ui/training-modules/{outcome.id}"  # noqa: E731
    return act_beside_fields(request, build, command_id, done, again, "training.html", form, PUBLISH_FIELDS)


def module_context(request: Request, principal: Principal, module_id: UUID) -> dict[str, Any]:
    queries = get_queries(request)
    view = queries.training_module(principal, module_id)
    collaborative = engine_of(request).collaborative(view.collaborative_id).state
    library = {r.resource_id: r for r in queries.library(principal, view.collaborative_id)}
    session = (
        engine_of(request).activity(view.module.recorded_activity_id).state
        if view.module.recorded_activity_id
        else None
    )
    return {
        "view": view, "m": view.module, "collaborative": collaborative, "readings": [library[r] for r in view.module.readings if r in library],
        "session": session, "takes": principal.participant_id is not None and not principal.staff,
        "open": is_allowed(Activity.TRAIN, collaborative.phase), "error": None, "form": {}, "zone": collaborative.time_zone,
    }  # fmt: skip


@router.get("/ui/training-modules/{module_id}")
def module_page(request: Request, module_id: UUID) -> Response:
    principal = signed_in(request)
    return render(request, "training_module.html", principal, **module_context(request, principal, module_id))


@router.post("/ui/training-modules/{module_id}/attempts")
async def take_module(request: Request, module_id: UUID) -> Response:
    """The signed-in person's attempt: one chosen option per question (q1, q2, …)."""
    sent = {str(k): str(v) for k, v in (await request.form()).multi_items()}
    return await run_in_threadpool(_take_module, request, module_id, sent)


def _take_module(request: Request, module_id: UUID, sent: dict[str, str]) -> Response:
    csrf_protected(request, sent.get("csrf_token", ""))
    principal = signed_in(request)
    form = {k: v for k, v in sent.items() if k.startswith("q") and k[1:].isdigit()}

    def build() -> Command:
        check = get_queries(request).training_module(principal, module_id).module.check
        asked = len(check.questions) if check else 0
        missing = {
            f"q{n}": "choose an answer" for n in range(1, asked + 1) if not form.get(f"q{n}", "").isdigit()
        }
        if missing:
            raise fields_refused(missing)
        if principal.participant_id is None:
            raise fields_refused({"q1": "sign in as yourself to take training"})
        answers = tuple(int(form[f"q{n}"]) for n in range(1, asked + 1))
        return TakeModule(module_id=module_id, participant_id=principal.participant_id, answers=answers)

    again = lambda principal: module_context(request, principal, module_id)  # noqa: E731
    done = lambda outcome: f"/ui/training-modules/{module_id}#result"  # noqa: E731
    questions = {f"q{n}": f"q{n}" for n in range(1, 51)}  # each answer's error beside its question
    return act_beside_fields(
        request, build, sent.get("command_id", ""), done, again, "training_module.html", form, questions
    )


@router.get("/ui/teams/{team_id}/training")
def team_training_page(request: Request, team_id: UUID) -> Response:
    """Who on the team has completed which module, and the basics (for coaches above all)."""
    principal = signed_in(request)
    members = get_queries(request).team_training(principal, team_id)
    team = engine_of(request).team(team_id).state
    names = {
        p: engine_of(request).open_personal(engine_of(request).participant(p).state.details.name)
        for p in (m.participant_id for m in members)
    }
    collaborative = engine_of(request).collaborative(team.collaborative_id).state
    return render(
        request, "team_training.html", principal, members=members, team=team, team_id=team_id,
        people={p: n or "an erased person" for p, n in names.items()}, basics=BASICS, collaborative=collaborative,
        zone=collaborative.time_zone,
    )  # fmt: skip
