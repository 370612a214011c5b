"""The chart page's forms: a decision (or, for a team member, a proposal) about how the
chart is drawn, an answer to a proposal, a note at a month and its withdrawal. Each runs
the command the API would, through the same authorization; a refusal shows the chart
page again with the values kept and each error beside its field."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.web.chart_pages import chart_context, chart_url
from adapters.web.field_errors import fields_refused
from adapters.web.forms import Field, act_beside_fields
from adapters.web.session import CSRF
from aggregates.measure_chart import MAX_BASELINE, MIN_BASELINE, ChartOwner
from aggregates.tokens import Principal
from engine.commands import Command
from engine.commands.charts import (
    AnnotateChart,
    AnswerChartProposal,
    DecideChart,
    ProposeChartChange,
    WithdrawChartAnnotation,
)

router = APIRouter(include_in_schema=False)

OWNERS = {"teams": ChartOwner.TEAM, "collaboratives": ChartOwner.COLLABORATIVE}
# The command's names for what went wrong -> each form's fields.
FIELDS = {"chart": "chart", "points": "points", "through": "through", "starts": "starts", "period": "period",
          "goal": "goal", "reason": "reason", "text": "text", "kind": "kind"}  # fmt: skip
ANSWER_FIELDS = {"reason": "answer_reason"}
NOTE_FIELDS = {"period": "note_period", "note_period": "note_period", "text": "text"}
WITHDRAW_FIELDS = {"reason": "withdraw_reason"}


def _on_chart(
    request: Request, owner: ChartOwner, owner_id: UUID, key: str, build: Callable[[], Command],
    command_id: str, form: dict[str, Any], saved: str, anchor: str, fields: dict[str, str] = FIELDS,
) -> Response:  # fmt: skip
    again: Callable[[Principal], dict[str, Any]] = lambda principal: chart_context(  # noqa: E731
        request, principal, owner, owner_id, key
    )
    done = lambda outcome: f"{chart_url(owner, owner_id, key)}?saved={saved}#{anchor}"  # noqa: E731
    return act_beside_fields(request, build, command_id, done, again, "measure_chart.html", form, fields)


def decision_of(sent: dict[str, str], percent: bool) -> dict[str, Any]:
    """The decision the form describes, as the command takes it; fields refused in words."""
    kind = sent.get("kind", "")
    if kind == "chart_type":
        return {"kind": kind, "chart": sent.get("chart") or None}
    if kind == "baseline":
        points, through = sent.get("points", "").strip(), sent.get("through", "").strip()
        if points and through:
            raise fields_refused({"points": "give the number of months or the last month, not both"})
        if points and not points.isdigit():
            raise fields_refused({"points": "a whole number of months, like 12"})
        if points and not MIN_BASELINE <= int(points) <= MAX_BASELINE:  # said in months, not "too small"
            raise fields_refused({"points": f"from {MIN_BASELINE} to {MAX_BASELINE} months"})
        return {"kind": kind, "points": int(points) if points else None, "through": through or None}
    if kind in ("split", "join"):
        if not sent.get("starts"):
            raise fields_refused({"starts": "choose the month the phase starts"})
        return {"kind": kind, "starts": sent["starts"]}
    if kind in ("exclude", "include"):
        if not sent.get("period"):
            raise fields_refused({"period": "choose the month"})
        return {"kind": kind, "period": sent["period"]}
    if kind == "goal":
        return {"kind": kind, "goal": _goal(sent.get("goal", ""), percent)}
    raise fields_refused({"kind": "choose what to decide"})


def _goal(text: str, percent: bool) -> float | None:
    text = text.strip().removesuffix("%").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise fields_refused({"goal": "a number, like 90 for 90%" if percent else "a number"}) from None
    if not math.isfinite(value):
        raise fields_refused({"goal": "a number"})
    if percent and not 0 <= value <= 100:  # the engine's words are of fractions (0.9): say it in percent
        raise fields_refused({"goal": "a percent between 0 and 100, like 90 for 90%"})
    return value / 100 if percent else value


def decide(
    request: Request, owner: ChartOwner, owner_id: UUID, measure_key: str, kind: Field = "", chart: Field = "",
    points: Field = "", through: Field = "", starts: Field = "", period: Field = "", goal: Field = "",
    reason: Field = "", percent: Field = "", decides: Field = "", command_id: Field = "",
) -> Response:  # fmt: skip
    """A decision by staff or the coach; the same form from a team member is a proposal."""
    sent = {"kind": kind, "chart": chart, "points": points, "through": through, "starts": starts,
            "period": period, "goal": goal, "reason": reason}  # fmt: skip
    chart_of = {"owner": owner, "owner_id": owner_id, "measure_key": measure_key}
    propose = decides != "yes"

    def build() -> Command:
        decision = decision_of(sent, percent == "yes")
        if propose:
            return ProposeChartChange(**chart_of, decision=decision, reason=reason)
        return DecideChart(**chart_of, decision=decision, reason=reason)

    saved = "proposal" if propose else "decision"
    return _on_chart(request, owner, owner_id, measure_key, build, command_id, sent, saved, "decisions")


def answer(
    request: Request, owner: ChartOwner, owner_id: UUID, measure_key: str, proposal_id: UUID, accept: Field = "",
    reason: Field = "", command_id: Field = "",
) -> Response:  # fmt: skip
    """Accept or decline a proposal, with the reason."""
    build = lambda: AnswerChartProposal(  # noqa: E731
        owner=owner, owner_id=owner_id, measure_key=measure_key, proposal_id=proposal_id,
        accept=accept == "yes", reason=reason,
    )  # fmt: skip
    form = {"answer_reason": reason, "proposal": str(proposal_id)}
    return _on_chart(request, owner, owner_id, measure_key, build, command_id, form, "answer", "proposals",
                     ANSWER_FIELDS)  # fmt: skip


def annotate(
    request: Request, owner: ChartOwner, owner_id: UUID, measure_key: str, period: Field = "", text: Field = "",
    command_id: Field = "",
) -> Response:  # fmt: skip
    """A note at a month, with or without data that month."""

    def build() -> Command:
        problems = {}
        if not period:
            problems["note_period"] = "choose the month the note is about"
        if not text.strip():
            problems["text"] = "write the note first"
        if problems:
            raise fields_refused(problems)
        return AnnotateChart(
            owner=owner, owner_id=owner_id, measure_key=measure_key, period=period, text=text
        )

    form = {"note_period": period, "text": text}
    return _on_chart(
        request, owner, owner_id, measure_key, build, command_id, form, "note", "notes", NOTE_FIELDS
    )


def withdraw(
    request: Request, owner: ChartOwner, owner_id: UUID, measure_key: str, annotation_id: UUID, reason: Field = "",
    command_id: Field = "",
) -> Response:  # fmt: skip
    """Withdraw a note; it stays in the chart's history with the reason."""
    build = lambda: WithdrawChartAnnotation(  # noqa: E731
        owner=owner, owner_id=owner_id, measure_key=measure_key, annotation_id=annotation_id, reason=reason
    )
    form = {"withdraw_reason": reason, "annotation": str(annotation_id)}
    return _on_chart(request, owner, owner_id, measure_key, build, command_id, form, "withdrawn", "notes",
                     WITHDRAW_FIELDS)  # fmt: skip


def _bound(handler: Callable[..., Response], owner: ChartOwner) -> Callable[..., Response]:
    """The handler for one kind of owner, with the same form fields (FastAPI reads the signature)."""

    def endpoint(*args: Any, **kwargs: Any) -> Response:
        return handler(*args, owner=owner, **kwargs)

    parameters = [p for p in inspect.signature(handler).parameters.values() if p.name != "owner"]
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    endpoint.__doc__, endpoint.__name__ = handler.__doc__, f"{handler.__name__}_{owner.value}"
    return endpoint


for owners, owner in OWNERS.items():
    for path, handler in (
        ("/decisions", decide),
        ("/proposals/{proposal_id}/answer", answer),
        ("/annotations", annotate),
        ("/annotations/{annotation_id}/withdraw", withdraw),
    ):
        route = f"/ui/{owners}/{{owner_id}}/measures/{{measure_key}}/chart{path}"
        router.add_api_route(route, _bound(handler, owner), methods=["POST"], dependencies=CSRF)
