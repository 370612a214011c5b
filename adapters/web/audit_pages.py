"""The auditor's pages: the audit explorer (the trail newest first, paged both ways, filtered
by names people know, each event's payload laid out readably, and the chain's verification)
and a collaborative as of a past moment beside today, with what changed in between."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.http.deps import get_queries
from adapters.http.moments import in_utc
from adapters.http.schemas.collaboratives import CollaborativePublic
from adapters.web.formats import zone_of
from adapters.web.pages import chart_svg, linked_teams, render, templates
from adapters.web.payloads import install_payloads
from adapters.web.session import signed_in
from aggregates.tokens import Principal
from projections.audit import AuditFilter, iso_utc
from projections.audit_query import ENGINE_RECORDS

install_payloads(templates.env)
router = APIRouter(include_in_schema=False)
AUDIT_PAGE = 50
# The explorer's fields, as the form sends them back (`actor` is the old name of `who`).
FIELDS = (
    "collaborative",
    "team",
    "aggregate_type",
    "type",
    "person",
    "who",
    "since",
    "until",
    "on",
    "engine",
)
IDS = {"collaborative": "Choose a collaborative from the list.", "team": "Choose a team from the list.",
       "aggregate": "This link names no known record; choose from the lists instead."}  # fmt: skip


class FieldRefused(Exception):
    """Query fields a page shows again with each one's error beside it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def _moment(value: str, name: str, zone: str | None = None) -> datetime | None:
    """A moment typed into a page's field (without an offset, in `zone`: UTC where none), as
    UTC; FieldRefused names what is wrong with it."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise FieldRefused(
            {name: f"{value!r} is not a date and time; pick one, e.g. 13 Feb 2025, 14:30."}
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone_of(zone))
    try:
        return in_utc(moment)  # the API's check: 9999-12-31T23:59-01:00 is past what UTC holds
    except ValueError as refused:
        raise FieldRefused({name: str(refused)}) from None


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FieldRefused({name: f"{value!r} is not a date; pick one, e.g. 13 Feb 2025."}) from None


def _position(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _filters(query: dict[str, str], aggregate: str) -> tuple[AuditFilter, str | None]:
    """The filter the fields ask for and the moment to read back from (a date jumped to);
    FieldRefused names every field that will not do, at once."""
    errors: dict[str, str] = {}
    found: dict[str, Any] = {}
    for name, value in (*((k, query[k]) for k in ("collaborative", "team")), ("aggregate", aggregate)):
        try:
            found[name] = UUID(value) if value else None
        except ValueError:
            errors[name] = IDS[name]
    for name in ("since", "until"):
        try:
            moment = _moment(query[name], name)
            found[name] = iso_utc(moment) if moment else None
        except FieldRefused as refused:
            errors |= refused.errors
    try:
        day = _day(query["on"], "on")
    except FieldRefused as refused:
        errors |= refused.errors
        day = None
    if errors:
        raise FieldRefused(errors)
    engine_asked = bool(query["engine"]) or query["type"] in ENGINE_RECORDS
    filters = AuditFilter(
        collaborative=found["collaborative"], aggregate=found["team"] or found["aggregate"],
        aggregate_type=query["aggregate_type"][:100] or None, action=query["type"][:100] or None,
        actor=(query["person"] or query["who"])[:200] or None, since=found["since"], until=found["until"],
        without_actions=() if engine_asked else ENGINE_RECORDS,
    )  # fmt: skip
    back_from = iso_utc(datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)) if day else None
    return filters, back_from


def _link(query: dict[str, str], aggregate: str, **paging: int) -> str:
    kept = {k: v for k, v in query.items() if v and k != "on"} | (
        {"aggregate": aggregate} if aggregate else {}
    )
    return "/ui/audit?" + urlencode(kept | {k: str(v) for k, v in paging.items()})


@router.get("/ui/audit")
def audit_explorer(request: Request, verify: bool = False, aggregate: str = "") -> Response:
    """The audit trail newest first, filtered and paged both ways, with the chain's verification on request."""
    principal = signed_in(request)
    params = request.query_params
    query = {k: params.get(k, "") for k in FIELDS}
    query["who"] = query["who"] or params.get("actor", "")
    explorer = get_queries(request).audit_explorer(principal)
    context: dict[str, Any] = {"query": query, "choices": explorer.choices(), "verification": None,
                               "page": None, "newer_link": None, "older_link": None, "field_errors": {}}  # fmt: skip
    try:
        filters, back_from = _filters(query, aggregate)
    except FieldRefused as refused:
        return render(request, "audit.html", principal, 422, **context | {"field_errors": refused.errors})
    before, after = _position(params.get("before")), _position(params.get("after"))
    filters = filters.model_copy(update={"before": before})
    page = explorer.page(filters, AUDIT_PAGE, after, None if before else back_from)
    context |= {
        "page": page, "verification": explorer.verify() if verify else None,
        "newer_link": _link(query, aggregate, after=page.newer) if page.newer is not None else None,
        "older_link": _link(query, aggregate, before=page.older) if page.older is not None else None,
    }  # fmt: skip
    return render(request, "audit.html", principal, **context)


@router.get("/ui/collaboratives/{collaborative_id}/as-of")
def as_of(request: Request, collaborative_id: UUID, at: str = "") -> Response:
    """A collaborative's overview as it was at a moment, beside today's, and what changed in between."""
    principal = signed_in(request)
    now = CollaborativePublic.of(get_queries(request).collaborative(principal, collaborative_id))
    zone = now.time_zone  # the moment is typed, and shown, in the collaborative's zone
    try:
        moment = _moment(at, "at", zone)
    except FieldRefused as refused:
        return render(request, "as_of.html", principal, 422, c=now, found=None, at=at, zone=zone,
                      field_errors=refused.errors)  # fmt: skip
    if moment is None:
        return render(request, "as_of.html", principal, c=now, found=None, at=at, zone=zone, field_errors={})
    context = _as_of_context(request, principal, collaborative_id, moment, at)
    return render(request, "as_of.html", principal, zone=zone, **context)


def _as_of_context(
    request: Request, principal: Principal, collaborative_id: UUID, moment: datetime, at: str
) -> dict[str, Any]:
    found = get_queries(request).as_of(principal, collaborative_id, moment)
    now = CollaborativePublic.of(found.now.collaborative)
    then = CollaborativePublic.of(found.then) if found.then is not None else None
    window = urlencode({"collaborative": str(collaborative_id), "since": f"{moment:%Y-%m-%dT%H:%M}"})
    return {
        "c": now, "then": then, "found": found, "at": at, "moment": moment, "field_errors": {},
        "now_charts": [(n, chart_svg(v, f"All teams: {n}")) for n, v in found.now.charts],
        "then_charts": [(n, chart_svg(v, f"All teams then: {n}")) for n, v in found.charts],
        "linked_teams": linked_teams(request, principal), "window_link": f"/ui/audit?{window}",
    }  # fmt: skip
