"""Staff's forms on the collaborative's page: its time zone, learning activities (their
start entered in that zone), outputs, community of practice membership, and advancing the
phase, which asks first (a confirmation page says what advancing ends and what is still
unmet). Each runs the command the API would; a refusal shows the page again with each
error beside its field and stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from adapters.http.deps import get_queries
from adapters.http.errors import refusal_of
from adapters.http.schemas.collaboratives import CollaborativePublic
from adapters.web.collaborative_view import advance_changes
from adapters.web.formats import zone_of
from adapters.web.forms import Field, _typed, act_beside_fields, run_form
from adapters.web.pages import overview_context, render
from adapters.web.session import CSRF, signed_in
from aggregates.phases import Phase
from aggregates.tokens import Principal
from engine.commands.activity import ScheduleActivity
from engine.commands.collaborative import AdvancePhase, ChangeTimeZone, JoinCommunity, RecordOutput
from engine.errors import Forbidden

router = APIRouter(include_in_schema=False)
PAGE = "collaborative.html"


def _on_page(collaborative_id: UUID, section: str) -> Callable[[Any], str]:
    return lambda outcome: f"/ui/collaboratives/{collaborative_id}#{section}"


def _overview(request: Request, collaborative_id: UUID) -> Callable[[Principal], dict[str, Any]]:
    return lambda principal: overview_context(request, principal, collaborative_id)


@router.post("/ui/collaboratives/{collaborative_id}/time-zone", dependencies=CSRF)
def change_time_zone(
    request: Request, collaborative_id: UUID, time_zone: Field = "", command_id: Field = ""
) -> Response:
    """The zone the collaborative's times are shown and entered in (staff)."""
    build = lambda: ChangeTimeZone(collaborative_id=collaborative_id, time_zone=time_zone.strip())  # noqa: E731
    return act_beside_fields(request, build, command_id, _on_page(collaborative_id, "time-zone"),
                             _overview(request, collaborative_id), PAGE, {"time_zone": time_zone},
                             {"time_zone": "time_zone"})  # fmt: skip


ACTIVITY_FIELDS = {"kind": "kind", "title": "title", "starts_at": "starts_at", "duration_minutes": "duration_minutes",
                   "credit_types": "credit_types", "max_hours": "max_hours", "accrediting_body": "accrediting_body"}  # fmt: skip


@router.post("/ui/collaboratives/{collaborative_id}/activities", dependencies=CSRF)
def schedule_activity(
    request: Request, collaborative_id: UUID, kind: Field = "", title: Field = "", starts_at: Field = "",
    duration_minutes: Field = "", credit_types: Annotated[list[str] | None, Form()] = None, max_hours: Field = "",
    accrediting_body: Field = "", command_id: Field = "",
) -> Response:  # fmt: skip
    """Schedule a learning session, fireside chat or office hours; its start is read in the
    collaborative's time zone."""
    form = {"kind": kind, "title": title, "starts_at": starts_at, "duration_minutes": duration_minutes,
            "max_hours": max_hours, "accrediting_body": accrediting_body, "credit_types": credit_types or []}  # fmt: skip
    ce = {"credit_types": credit_types, "max_hours": _typed(max_hours), "accrediting_body": accrediting_body}
    zone = get_queries(request).collaborative(signed_in(request), collaborative_id).state.time_zone
    details = {"kind": kind, "title": title, "starts_at": in_zone(starts_at, zone),
               "duration_minutes": _typed(duration_minutes), "ce": ce if credit_types else None}  # fmt: skip
    build = lambda: ScheduleActivity(collaborative_id=collaborative_id, details=details)  # noqa: E731
    return act_beside_fields(request, build, command_id, _on_page(collaborative_id, "activities"),
                             _overview(request, collaborative_id), PAGE, form, ACTIVITY_FIELDS)  # fmt: skip


def in_zone(local: str, zone: str) -> str:
    """A datetime-local field's value (no zone of its own) as a moment in the collaborative's zone."""
    try:
        moment = datetime.fromisoformat(local)
    except ValueError:
        return local  # the command's validation names the field
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone_of(zone))).isoformat()


OUTPUT_FIELDS = {
    "kind": "output_kind",
    "title": "output_title",
    "url": "output_url",
    "description": "output_description",
}


@router.post("/ui/collaboratives/{collaborative_id}/outputs", dependencies=CSRF)
def record_output(
    request: Request, collaborative_id: UUID, output_kind: Field = "", output_title: Field = "", output_url: Field = "",
    output_description: Field = "", command_id: Field = "",
) -> Response:  # fmt: skip
    """Record a toolkit, summative paper or community resource (staff, sharing onward)."""
    form = {"output_kind": output_kind, "output_title": output_title, "output_url": output_url,
            "output_description": output_description}  # fmt: skip
    details = {"kind": output_kind, "title": output_title, "url": output_url.strip() or None,
               "description": output_description or None}  # fmt: skip
    build = lambda: RecordOutput(collaborative_id=collaborative_id, details=details)  # noqa: E731
    return act_beside_fields(request, build, command_id, _on_page(collaborative_id, "outputs"),
                             _overview(request, collaborative_id), PAGE, form, OUTPUT_FIELDS)  # fmt: skip


@router.post("/ui/collaboratives/{collaborative_id}/community", dependencies=CSRF)
def join_community(
    request: Request, collaborative_id: UUID, community_participant: Field = "", command_id: Field = ""
) -> Response:
    """Add a person to the community of practice (staff, in its phase)."""
    build = lambda: JoinCommunity(collaborative_id=collaborative_id, participant_id=community_participant)  # noqa: E731
    return act_beside_fields(request, build, command_id, _on_page(collaborative_id, "community"),
                             _overview(request, collaborative_id), PAGE, {"community_participant": community_participant},
                             {"participant_id": "community_participant"})  # fmt: skip


# -- advancing the phase: asked first -----------------------------------------------------
def phase_context(request: Request, principal: Principal, collaborative_id: UUID) -> dict[str, Any]:
    """What advancing means: the next phase, what it ends and begins, and what is unmet."""
    if not principal.staff:
        raise Forbidden("only staff advance a collaborative's phase")
    queries = get_queries(request)
    collaborative = queries.collaborative(principal, collaborative_id)
    exit_status = queries.phase_exit(principal, collaborative_id)
    upcoming = exit_status.next_phase
    ends, begins = advance_changes(collaborative.phase, upcoming) if upcoming else ([], [])
    return {
        "c": CollaborativePublic.of(collaborative), "upcoming": upcoming, "unmet": exit_status.unmet,
        "ends": ends, "begins": begins, "closing": upcoming is Phase.CLOSED, "zone": collaborative.state.time_zone,
        "form": {}, "field_errors": {}, "error": None,
    }  # fmt: skip


@router.get("/ui/collaboratives/{collaborative_id}/phase")
def confirm_phase(request: Request, collaborative_id: UUID) -> Response:
    """Ask before advancing: what the next phase ends, and the criteria still unmet."""
    principal = signed_in(request)
    return render(
        request, "phase_confirm.html", principal, **phase_context(request, principal, collaborative_id)
    )


@router.post("/ui/collaboratives/{collaborative_id}/phase", dependencies=CSRF)
def advance_phase(
    request: Request,
    collaborative_id: UUID,
    to: Field = "",
    override_reason: Field = "",
    command_id: Field = "",
) -> Response:
    """Advance to the next phase, as confirmed; with unmet criteria, only with a written reason."""
    principal = signed_in(request)
    reason = override_reason.strip() or None
    build = lambda: AdvancePhase(collaborative_id=collaborative_id, to=to, override_reason=reason)  # noqa: E731
    try:
        run_form(request, principal, command_id, build)
    except Exception as exc:
        problem = refusal_of(exc)
        context = phase_context(request, principal, collaborative_id) | {
            "form": {"override_reason": override_reason}
        }
        if problem.unmet and not reason:
            context["field_errors"] = {
                "override_reason": "some criteria are unmet: give the reason for advancing anyway"
            }
        else:
            context["error"] = problem
        return render(request, "phase_confirm.html", principal, status=problem.status, **context)
    return RedirectResponse(f"/ui/collaboratives/{collaborative_id}#phase", status_code=303)
