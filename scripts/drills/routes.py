"""Every write route the API offers (the shared-learning ones in learning_routes.py), with a body that succeeds at the phase named and
the callers (see scripts.drills.world.ROLES) allowed to send it. The authorisation drill
checks that only those succeed; the hostile-input drill bends each body out of shape.

The authorisation drill ties the catalogue to the live OpenAPI schema: a write route
missing here fails it until it is listed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import uuid4

from scripts.drills.instrument_routes import INSTRUMENT_ROUTES
from scripts.drills.learning_routes import LEARNING_ROUTES
from scripts.drills.route import STAFF_ONLY, TEAM_A, Route
from scripts.drills.world import FOCUS, PLAN, WEIGHT, Flow


def _team(f: Flow) -> str:
    return f.teams[0]


def _cycle(stages: tuple[str, ...]) -> Callable[[Flow], Any]:
    bodies = {
        "do": {"do": {"observations": "o"}},
        "study": {"study": {"results": "r", "prediction_confirmed": True}},
    }

    def prepare(f: Flow) -> None:
        cycle = f.ok(f"/teams/{_team(f)}/pdsa", {"plan": PLAN})["created"]["PdsaCycle"][0]
        f.cycles["a"] = cycle
        for stage in stages:
            f.ok(f"/teams/{_team(f)}/pdsa/{cycle}/{stage}", bodies[stage])

    return prepare


def _second_member(f: Flow) -> None:
    added = f.ok(f"/teams/{_team(f)}/members", {"member": {"person": {"name": "Kim"}, "discipline": "emt"}})
    f.members["extra"] = added["created"]["Participant"][0]


def _training_module(f: Flow) -> None:
    check = {
        "pass_mark": 100,
        "questions": [{"prompt": "A shift is", "options": ["4 points", "6 points"], "correct": 1}],
    }
    body = {"module": {"title": "Run charts", "summary": "Reading a run chart", "check": check}}
    f.made["module"] = f.ok(f"/collaboratives/{f.collaborative}/training-modules", body)["id"]


def _team_chart(f: Flow) -> str:
    return f"/teams/{_team(f)}/measures/weight-kg/chart"


def _collaborative_chart(f: Flow) -> str:
    return f"/collaboratives/{f.collaborative}/measures/weight-kg/chart"


def _report(f: Flow) -> str:
    return f"/teams/{_team(f)}/reports/2025-01"


REPORT = {"successes": "Kg-only scales in both bays", "help_wanted": "Vendor settings"}
REPORT_WRITERS = frozenset({"staff", "team_a"})


def _reported(*steps: str) -> Callable[[Flow], None]:
    """The team's report for 2025-01 drafted, then taken through `steps` (submit, answer)."""

    def prepare(f: Flow) -> None:
        f.ok(_report(f), REPORT)
        for step in steps:
            f.ok(f"{_report(f)}/{step}", {"feedback": "Ask Big Sky EMS"} if step == "answer" else {})

    return prepare


def _report_routes() -> list[Route]:
    """A team writes, submits and reopens its monthly report; its coach (or staff) answers it."""
    return [
        Route("draft a monthly report", "sessions", "POST", _report, lambda f: REPORT, REPORT_WRITERS),
        Route(
            "submit a monthly report", "sessions", "POST", lambda f: f"{_report(f)}/submit",
            allowed=REPORT_WRITERS, prepare=_reported(),
        ),
        Route(
            "answer a monthly report", "sessions", "POST", lambda f: f"{_report(f)}/answer",
            lambda f: {"feedback": "Ask Big Sky EMS"}, frozenset({"staff", "coach_of_a"}), prepare=_reported("submit"),
        ),
        Route(
            "reopen a monthly report", "sessions", "POST", lambda f: f"{_report(f)}/reopen",
            allowed=REPORT_WRITERS, prepare=_reported("submit", "answer"),
        ),
    ]  # fmt: skip


SPLIT = {"decision": {"kind": "split", "starts": "2025-02"}, "reason": "Change bundle adopted"}
NOTE = {"period": "2025-01", "text": "New scales arrived"}
TEAM_CHART = frozenset({"staff", "coach_of_a"})
TEAM_CHART_WORK = frozenset({"staff", "coach_of_a", "team_a"})
COLLABORATIVE_CHART_WORK = frozenset({"staff", "coach_of_a"})


def _proposed(chart: Callable[[Flow], str]) -> Callable[[Flow], None]:
    def prepare(f: Flow) -> None:
        f.cycles["proposal"] = f.ok(f"{chart(f)}/proposals", SPLIT)["created"]["ChartProposal"][0]

    return prepare


def _noted(chart: Callable[[Flow], str]) -> Callable[[Flow], None]:
    def prepare(f: Flow) -> None:
        f.cycles["note"] = f.ok(f"{chart(f)}/annotations", NOTE)["created"]["ChartAnnotation"][0]

    return prepare


def _chart_routes(
    owner: str,
    chart: Callable[[Flow], str],
    decide: frozenset[str],
    work: frozenset[str],
    withdraw: frozenset[str],
) -> list[Route]:
    """The five writes on a measure's chart: who decides, who proposes and annotates, and who
    withdraws a note staff wrote."""
    answer = {"accept": False, "reason": "Not yet"}
    return [
        Route(f"decide {owner} chart", "sessions", "POST", lambda f: f"{chart(f)}/decisions", lambda f: SPLIT, decide),
        Route(f"propose {owner} chart change", "sessions", "POST", lambda f: f"{chart(f)}/proposals", lambda f: SPLIT, work),
        Route(
            f"answer {owner} chart proposal", "sessions", "POST",
            lambda f: f"{chart(f)}/proposals/{f.cycles['proposal']}/answer", lambda f: answer, decide,
            prepare=_proposed(chart),
        ),
        Route(f"annotate {owner} chart", "sessions", "POST", lambda f: f"{chart(f)}/annotations", lambda f: NOTE, work),
        Route(
            f"withdraw {owner} chart annotation", "sessions", "POST",
            lambda f: f"{chart(f)}/annotations/{f.cycles['note']}/withdraw", lambda f: {"reason": "Wrong month"},
            withdraw, prepare=_noted(chart),
        ),
    ]  # fmt: skip


def _held_times(f: Flow) -> dict[str, str]:
    """The drill's session was scheduled two hours before the world was built (Flow.hold_session)."""
    started = f.engine.clock() - timedelta(hours=2)
    return {"started_at": started.isoformat(), "ended_at": (started + timedelta(minutes=100)).isoformat()}


ROUTES = [
    Route("create collaborative", "focus", "POST", lambda f: "/collaboratives", lambda f: {"title": "New"}),
    Route(
        "revise focus",
        "focus",
        "POST",
        lambda f: f"/collaboratives/{f.collaborative}/focus",
        lambda f: {"focus": FOCUS | {"aim": "Weigh all"}},
    ),
    Route(
        "define collaborative measure",
        "focus",
        "POST",
        lambda f: f"/collaboratives/{f.collaborative}/measures",
        lambda f: {"measure": WEIGHT | {"key": "second"}},
    ),
    Route(
        "change exit criteria",
        "focus",
        "POST",
        lambda f: f"/collaboratives/{f.collaborative}/exit-criteria",
        lambda f: {"settings": {"min_teams": 1}},
    ),
    Route(
        "change time zone",
        "focus",
        "POST",
        lambda f: f"/collaboratives/{f.collaborative}/time-zone",
        lambda f: {"time_zone": "America/Chicago"},
    ),
    Route(
        "advance phase",
        "focus",
        "POST",
        lambda f: f"/collaboratives/{f.collaborative}/phase",
        lambda f: {"to": "registration"},
    ),
    Route(
        "register team",
        "registration",
        "POST",
        lambda f: f"/collaboratives/{f.collaborative}/teams",
        lambda f: {
            "name": "New ED",
            "organization": "New",
            "care_setting": "tribal_clinic",
            "members": [{"person": {"name": "Ola"}, "discipline": "nurse"}],
        },
    ),
    Route(
        "withdraw team",
        "sessions",
        "POST",
        lambda f: f"/teams/{_team(f)}/withdraw",
        lambda f: {"reason": "r"},
    ),
    Route(
        "add member",
        "sessions",
        "POST",
        lambda f: f"/teams/{_team(f)}/members",
        # An existing person of the same collaborative (team B's lead); others are staff's to add.
        lambda f: {"member": {"participant_id": f.members[f.teams[1]], "discipline": "nurse"}},
        TEAM_A,
    ),
    Route(
        "remove member",
        "sessions",
        "DELETE",
        lambda f: f"/teams/{_team(f)}/members/{f.members['extra']}",
        allowed=TEAM_A,
        prepare=_second_member,
    ),
    Route(
        "assign coach",
        "sessions",
        "POST",
        lambda f: f"/teams/{_team(f)}/coach",
        lambda f: {"coach_id": f.members["coach"]},
    ),
    Route(
        "add coaching note",
        "sessions",
        "POST",
        lambda f: f"/teams/{_team(f)}/coaching-notes",
        lambda f: {"text": "Nice run chart"},
        frozenset({"staff", "coach_of_a"}),
    ),
    Route(
        "publish a training module",
        "orientation",
        "POST",
        lambda f: f"/collaboratives/{f.collaborative}/training-modules",
        lambda f: {"module": {"title": "PDSA basics", "summary": "The model for improvement"}},
        STAFF_ONLY,
    ),
    Route(
        "take a training module (for oneself)",
        "orientation",
        "POST",
        lambda f: f"/training-modules/{f.made['module']}/attempts",
        lambda f: {
            "participant_id": f.members["coach"],
            "answers": [0],
        },  # a failed attempt: retaken by the next
        frozenset({"staff", "coach_of_a"}),
        prepare=_training_module,
    ),
    Route(
        "score progress (the team's own score)",
        "sessions",
        "POST",
        lambda f: f"/teams/{_team(f)}/progress-scores",
        lambda f: {"month": "2025-01", "rater": "team", "score": 2.5, "rationale": "First cycles run"},
        frozenset({"staff", "team_a"}),
    ),
    Route(
        "score progress (the coach's score)",
        "sessions",
        "POST",
        lambda f: f"/teams/{_team(f)}/progress-scores",
        lambda f: {"month": "2025-01", "rater": "coach", "score": 3.0, "rationale": "A signal on weight"},
        frozenset({"staff", "coach_of_a"}),
    ),
    *_report_routes(),
    Route(
        "submit assessment",
        "orientation",
        "POST",
        lambda f: f"/teams/{_team(f)}/assessments",
        lambda f: {"kind": "environmental_scan", "items": [{"item": "i", "score": 1}]},
        TEAM_A,
    ),
    Route(
        "define measure",
        "sessions",
        "POST",
        lambda f: f"/teams/{_team(f)}/measures",
        lambda f: {"measure": WEIGHT | {"key": "falls", "kind": "balancing"}},
        TEAM_A,
    ),
    Route(
        "submit data",
        "sessions",
        "POST",
        lambda f: f"/teams/{_team(f)}/measures/weight-kg/data",
        lambda f: {"period": "2025-02", "numerator": 3, "denominator": 4},
        TEAM_A,
    ),
    Route(
        "import a measure's months from CSV",
        "sessions",
        "POST",
        lambda f: f"/teams/{_team(f)}/measures/weight-kg/data.csv",
        allowed=TEAM_A,
        csv=lambda f: "month,numerator,denominator\n2024-12,3,4\n2025-01,2,4\n",
    ),
    Route(
        "confirm a data-quality finding",
        "sessions",
        "POST",
        lambda f: f"/teams/{_team(f)}/data-quality/confirmations",
        lambda f: {
            "measure_key": "weight-kg",
            "period": "2024-06",
            "rule": "missing-month",
            "reason": "ED closed",
        },
        TEAM_A,
    ),
    Route(
        "plan cycle",
        "sessions",
        "POST",
        lambda f: f"/teams/{_team(f)}/pdsa",
        lambda f: {"plan": PLAN},
        TEAM_A,
    ),
    Route(
        "record do",
        "sessions",
        "POST",
        lambda f: f"/teams/{_team(f)}/pdsa/{f.cycles['a']}/do",
        lambda f: {"do": {"observations": "o"}},
        TEAM_A,
        _cycle(()),
    ),
    Route(
        "record study",
        "sessions",
        "POST",
        lambda f: f"/teams/{_team(f)}/pdsa/{f.cycles['a']}/study",
        lambda f: {"study": {"results": "r", "prediction_confirmed": True}},
        TEAM_A,
        _cycle(("do",)),
    ),
    Route(
        "record act",
        "sessions",
        "POST",
        lambda f: f"/teams/{_team(f)}/pdsa/{f.cycles['a']}/act",
        lambda f: {"act": {"decision": "adopt"}},
        TEAM_A,
        _cycle(("do", "study")),
    ),
    Route(
        "share project",
        "projects",
        "POST",
        lambda f: f"/teams/{_team(f)}/share",
        lambda f: {"project": {"title": "t", "summary": "s"}},
        TEAM_A,
    ),
    Route(
        "schedule activity",
        "orientation",
        "POST",
        lambda f: f"/collaboratives/{f.collaborative}/activities",
        lambda f: {
            "details": {
                "kind": "office_hours",
                "title": "OH",
                "starts_at": "2025-06-01T15:00:00Z",
                "duration_minutes": 60,
            }
        },
    ),
    Route(
        "record attendance",
        "sessions",
        "POST",
        lambda f: f"/activities/{f.session}/attendance",
        lambda f: {"participant_id": f.members[f.teams[1]], "minutes": 45},
    ),
    Route(
        "record a session's actual times",
        "sessions",
        "POST",
        lambda f: f"/activities/{f.session}/held",
        lambda f: _held_times(f),
    ),
    Route(
        "record a CE activity's ids at the accreditors",
        "sessions",
        "PUT",
        lambda f: f"/activities/{f.session}/accreditor-ids",
        lambda f: {"ids": {"pars_activity_id": "202512345", "commercial_support": False}},
    ),
    Route(
        "record output",
        "sharing",
        "POST",
        lambda f: f"/collaboratives/{f.collaborative}/outputs",
        lambda f: {"details": {"kind": "toolkit", "title": "Kit"}},
    ),
    Route(
        "join community",
        "community_of_practice",
        "POST",
        lambda f: f"/collaboratives/{f.collaborative}/community",
        lambda f: {"participant_id": f.members["coach"]},
    ),
    Route(
        "register participant",
        "focus",
        "POST",
        lambda f: "/participants",
        lambda f: {"details": {"name": "Pat"}},
    ),
    Route(
        "attest MOC Part 4",
        "sessions",
        "POST",
        lambda f: f"/participants/{f.members[f.teams[0]]}/attestations",
        lambda f: {"team_id": f.teams[0], "statement": "I took part in the team's PDSA cycles."},
    ),
    Route(
        "update participant",
        "registration",
        "PUT",
        lambda f: f"/participants/{f.members['coach']}",
        lambda f: {"details": {"name": "Coach Cal", "credentials": "RN, CPHQ"}},
    ),
    Route(
        "erase participant",
        "registration",
        "POST",
        lambda f: f"/participants/{f.members['coach']}/erasure",
        lambda f: {"reason": "asked by email"},
    ),
]
ROUTES += LEARNING_ROUTES
ROUTES += INSTRUMENT_ROUTES


def _account(f: Flow) -> None:
    """A person invited (not yet accepted), whose account the account routes act on."""
    body = {"email": f"drill-{uuid4().hex[:12]}@example.org", "name": "Ivy", "access": {"role": "auditor"}}
    f.members["account"] = f.ok("/invitations", body)["id"]


def _on_account(action: str) -> Callable[[Flow], str]:
    return lambda f: f"/accounts/{f.members['account']}/{action}"


ROUTES += [
    Route(
        "invite a person",
        "registration",
        "POST",
        lambda f: "/invitations",
        lambda f: {
            "email": f"drill-{uuid4().hex[:12]}@example.org",
            "name": "Kim",
            "access": {"role": "auditor"},
        },
    ),
    Route("renew an invitation", "registration", "POST", _on_account("invitation"), prepare=_account),
    Route(
        "grant access",
        "registration",
        "POST",
        _on_account("access"),
        lambda f: {"role": "staff"},
        prepare=_account,
    ),
    Route(
        "revoke access",
        "registration",
        "POST",
        _on_account("access/revocations"),
        lambda f: {"role": "auditor"},
        prepare=_account,
    ),
    Route(
        "disable an account",
        "registration",
        "POST",
        _on_account("disabling"),
        lambda f: {"reason": "left"},
        prepare=_account,
    ),
    Route("enable an account", "registration", "POST", _on_account("enabling"), prepare=_account),
    *_chart_routes("team", _team_chart, TEAM_CHART, TEAM_CHART_WORK, TEAM_CHART),
    *_chart_routes("collaborative", _collaborative_chart, STAFF_ONLY, COLLABORATIVE_CHART_WORK, STAFF_ONLY),
]
