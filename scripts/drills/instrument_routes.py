"""The write routes of assessment instruments, for the drills (scripts/drills/routes.py):
staff define an instrument and publish its versions; a team completes one."""

from __future__ import annotations

from typing import Any

from scripts.drills.route import STAFF_ONLY, TEAM_A, Route
from scripts.drills.world import Flow

INSTRUMENT: dict[str, Any] = {
    "title": "Readiness check",
    "kind": "readiness_assessment",
    "items": [
        {"key": "pecc", "domain": "Coordination", "question": "A coordinator is named", "type": "yes_no"},
        {"key": "kg", "domain": "Safety", "question": "Weighed in kg, %", "type": "number", "target": 90},
    ],
}


def _instrument(f: Flow) -> str:
    """The collaborative's instrument, defined on first use (by a route's `prepare`, so
    nothing is written while the drill sends its requests)."""
    listed = f.staff.request("GET", f"/collaboratives/{f.collaborative}/instruments").json()
    if listed:
        return str(listed[0]["instrument_id"])
    return str(f.ok(f"/collaboratives/{f.collaborative}/instruments", {"definition": INSTRUMENT})["id"])


INSTRUMENT_ROUTES = [
    Route(
        "define instrument",
        "sessions",
        "POST",
        lambda f: f"/collaboratives/{f.collaborative}/instruments",
        lambda f: {"definition": INSTRUMENT},
        STAFF_ONLY,
    ),
    Route(
        "publish instrument version",
        "sessions",
        "POST",
        lambda f: f"/instruments/{_instrument(f)}/versions",
        lambda f: {"definition": INSTRUMENT | {"title": "Readiness check, revised"}},
        STAFF_ONLY,
        prepare=_instrument,
    ),
    Route(
        "complete instrument",
        "sessions",
        "POST",
        lambda f: f"/teams/{f.teams[0]}/instrument-assessments",
        lambda f: {"instrument_id": _instrument(f), "answers": {"pecc": True, "kg": 80}},
        TEAM_A,
        prepare=_instrument,
    ),
]
