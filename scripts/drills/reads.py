"""The read half of the authorisation drill: who may read each GET route, tried with
every caller against a collaborative in its sharing phase (and a team elsewhere)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import httpx

from engine.application import QIEngine
from scripts.drills.instrument_routes import INSTRUMENT
from scripts.drills.refusals import INTRUDERS, judge_refusal, private_markers
from scripts.drills.report import DrillReport
from scripts.drills.route import operations
from scripts.drills.world import ROLES, Caller, World, build_world

READERS = frozenset({"staff", "auditor", "coach_of_a", "coach_of_none", "team_a", "team_b"})
# A collaborative's pages: coach_of_none coaches no team there.
IN_COLLABORATIVE = READERS - {"coach_of_none"}
TEAM_A_READERS = frozenset({"staff", "auditor", "coach_of_a", "team_a"})
STAFF_AUDITOR = frozenset({"staff", "auditor"})
FACULTY_OF_A = frozenset({"staff", "auditor", "coach_of_a"})
FEED = frozenset({"staff", "auditor", "subscriber"})
PUBLIC = frozenset({*ROLES, "team_other", *INTRUDERS})
OUTSIDERS = ("team_other", "coach_of_none")  # allowed some reads, never the read world's data

# Who may read each GET route; the path parameters come from the read world.
READS: dict[str, frozenset[str]] = {
    # A team token lists only its own collaborative, a coach only where they coach:
    # team_other and coach_of_none see none of the read world's.
    "/collaboratives": READERS | {"team_other"},
    "/collaboratives/{collaborative_id}": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/exit-criteria": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/dashboard": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/measures/{measure_key}/chart": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/measures/{measure_key}/teams": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/measures/{measure_key}/funnel": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/resources": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/driver-diagram": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/shared-projects": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/toolkits": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/progress": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/training-modules": IN_COLLABORATIVE,
    "/training-modules/{module_id}": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/data.csv": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/assessments.csv": IN_COLLABORATIVE,
    "/collaboratives/{collaborative_id}/data-dictionary.csv": IN_COLLABORATIVE,
    "/activities/{activity_id}": IN_COLLABORATIVE,
    "/resources/{resource_id}": IN_COLLABORATIVE,
    "/resources/{resource_id}/file": IN_COLLABORATIVE,
    "/toolkits/{toolkit_id}": IN_COLLABORATIVE,
    "/toolkits/{toolkit_id}.pdf": IN_COLLABORATIVE,
    "/toolkits/{toolkit_id}.html": IN_COLLABORATIVE,
    "/teams/{team_id}": TEAM_A_READERS,
    "/teams/{team_id}/measures/{measure_key}/chart": TEAM_A_READERS,
    "/teams/{team_id}/progress": TEAM_A_READERS,
    "/teams/{team_id}/training": TEAM_A_READERS,
    "/teams/{team_id}/reports/{month}": TEAM_A_READERS,
    "/teams/{team_id}/reports/{month}/summary.pdf": TEAM_A_READERS,
    # Who has reported: faculty only (staff, auditors, and a coach for the teams they coach).
    "/collaboratives/{collaborative_id}/reports": FACULTY_OF_A,
    "/collaboratives/{collaborative_id}/reports/summary.pdf": FACULTY_OF_A,
    "/teams/{team_id}/data-quality": TEAM_A_READERS,
    "/teams/{team_id}/measures/{measure_key}/data.csv": TEAM_A_READERS,
    "/collaboratives/{collaborative_id}/instruments": IN_COLLABORATIVE,
    "/instruments/{instrument_id}": IN_COLLABORATIVE,
    "/teams/{team_id}/instrument-assessments": TEAM_A_READERS,
    "/teams/{team_id}/instrument-assessments/{assessment_id}": TEAM_A_READERS,
    "/teams/{team_id}/instrument-assessments/{assessment_id}.pdf": TEAM_A_READERS,
    "/participants/{participant_id}": STAFF_AUDITOR,
    "/participants/{participant_id}/transcript": STAFF_AUDITOR,
    "/participants/{participant_id}/erasure": STAFF_AUDITOR,
    "/participants/{participant_id}/export": STAFF_AUDITOR,
    "/participants/{participant_id}/training": STAFF_AUDITOR,
    "/collaboratives/{collaborative_id}/credits": STAFF_AUDITOR,
    "/collaboratives/{collaborative_id}/credits.csv": STAFF_AUDITOR,
    "/collaboratives/{collaborative_id}/credit-check": STAFF_AUDITOR,
    "/collaboratives/{collaborative_id}/accreditor-files/{file}": STAFF_AUDITOR,
    "/accounts": STAFF_AUDITOR,
    "/accounts/{account_id}": STAFF_AUDITOR,
    "/audit": STAFF_AUDITOR,
    "/audit/verify": STAFF_AUDITOR,
    "/audit/digest": STAFF_AUDITOR,
    "/audit/digest/public-key": STAFF_AUDITOR,
    "/events": FEED,
    "/schemas/events": PUBLIC,
    "/asyncapi.json": PUBLIC,
    "/healthz": PUBLIC,
}
# What a read needs besides its path to answer 200: the drill's learners gave no ids, so
# an accreditor's file is made of those who can be reported (its refusal: tests/credits).
QUERIES = {"/collaboratives/{collaborative_id}/accreditor-files/{file}": "?leave_out_unreportable=true"}
# Routes the schema leaves out: only refusals are sent (an allowed stream never ends).
HIDDEN_READS = {"/events/stream": FEED}
PDF = b"%PDF-1.4\n%%EOF\n"


@dataclass
class ReadWorld:
    world: World
    params: dict[str, str] = field(default_factory=dict)


def read_world(client: httpx.Client, engine: QIEngine) -> tuple[ReadWorld, World]:
    """A collaborative in its sharing phase with a file, a toolkit, credits; and a team elsewhere."""
    world = build_world(client, engine, "sharing", "R")
    flow, staff = world.flow, world.callers["staff"]
    base = f"/collaboratives/{flow.collaborative}"
    upload = staff.request(
        "POST",
        f"{base}/resources/files",
        data={"kind": "tool_or_template", "title": "Policy"},
        files={"file": ("policy.pdf", PDF, "application/pdf")},
    )
    primary, secondary, idea = (str(uuid4()) for _ in range(3))
    staff.ok(f"{base}/driver-diagram/drivers", {"driver_id": primary, "level": "primary", "name": "Weights"})
    driver = {"driver_id": secondary, "level": "secondary", "name": "Scales", "primary_driver_id": primary}
    staff.ok(f"{base}/driver-diagram/drivers", driver)
    change = {"change_idea_id": idea, "name": "Lock scales", "secondary_driver_id": secondary}
    staff.ok(f"{base}/driver-diagram/change-ideas", change)
    toolkit = staff.ok(f"{base}/toolkits", {"title": "Kit", "change_idea_ids": [idea]})["id"]
    module = {"title": "PDSA basics", "summary": "The model for improvement"}
    training = staff.ok(f"{base}/training-modules", {"module": module})["id"]
    invited = {"email": "drill-reader@example.org", "name": "Rae", "access": {"role": "auditor"}}
    account = staff.ok("/invitations", invited)["id"]
    params = {
        "collaborative_id": flow.collaborative,
        "team_id": flow.teams[0],
        "activity_id": flow.session,
        "participant_id": flow.members[flow.teams[0]],
        "measure_key": "weight-kg",
        "resource_id": upload.json()["id"],
        "toolkit_id": toolkit,
        "module_id": training,
        "account_id": account,
        "month": "2025-01",
        "file": "nursing",
    }
    instrument = staff.ok(f"{base}/instruments", {"definition": INSTRUMENT})["id"]
    answers = {"instrument_id": instrument, "answers": {"pecc": False, "kg": 95}}
    done = world.callers["team_a"].ok(f"/teams/{flow.teams[0]}/instrument-assessments", answers)
    params |= {"instrument_id": instrument, "assessment_id": done["created"]["InstrumentAssessment"][0]}
    elsewhere = build_world(client, engine, "registration", "X")
    return ReadWorld(world, params), elsewhere


def drill_reads(
    report: DrillReport,
    client: httpx.Client,
    engine: QIEngine,
    schema: dict[str, Any],
    intruders: dict[str, Caller],
) -> None:
    reads, elsewhere = read_world(client, engine)
    callers = {**intruders, **reads.world.callers, "team_other": elsewhere.callers["team_a"]}
    before = engine.recorder.max_notification_id()
    for template in undeclared_reads(schema):
        report.check(False, f"GET {template}: a read route the drill does not know; declare who may read it")
    for _, template in sorted(operations(schema, frozenset({"get"}))):
        allowed = READS.get(template)
        if allowed is None:
            continue
        shown = [*private_markers(reads.world), reads.world.flow.collaborative]
        _read_route(report, callers, _fill(template, reads.params), allowed, shown)
    for template, allowed in HIDDEN_READS.items():
        refused = {n: c for n, c in callers.items() if n not in allowed}
        _read_route(report, refused, template, allowed, private_markers(reads.world))
    report.check(engine.recorder.max_notification_id() == before, "reads wrote events")
    _drill_people(report, engine, reads.world, elsewhere)


def _read_route(
    report: DrillReport, callers: dict[str, Caller], path: str, allowed: frozenset[str], markers: list[str]
) -> None:
    for name, caller in callers.items():
        response = caller.request("GET", path)
        report.count("read requests")
        label = f"GET {path} as {name}"
        if name in allowed:
            leaked = [m for m in markers if m in response.text] if name in OUTSIDERS else []
            report.check(not leaked, f"{label}: shows another collaborative's {leaked}")
            report.count(
                "reads allowed and served" if response.status_code == 200 else "reads allowed but refused"
            )
            report.check(
                response.status_code == 200,
                f"{label}: allowed, but {response.status_code} {response.text[:200]}",
            )
        else:
            judge_refusal(report, response, name, label, markers)


def _drill_people(report: DrillReport, engine: QIEngine, world: World, elsewhere: World) -> None:
    """A team of another collaborative enlists this one's nurse as a physician (which would
    change her credit and show her name): refused, nothing written; and a team reads only
    its own members' attendance."""
    nurse, path = world.flow.members[world.flow.teams[0]], f"/activities/{world.flow.session}"
    before = engine.recorder.max_notification_id()
    enlist = {"member": {"participant_id": nurse, "discipline": "physician"}}
    label = f"POST /teams/{elsewhere.flow.teams[0]}/members (another collaborative's person) as team_other"
    response = elsewhere.callers["team_a"].request(
        "POST", f"/teams/{elsewhere.flow.teams[0]}/members", json=enlist
    )
    report.count(
        "cross-collaborative enlistments refused" if response.status_code == 403 else "enlistments let in"
    )
    # The refusal may repeat the id the caller sent, never more of the person.
    judge_refusal(report, response, "team_other", label, [m for m in private_markers(world) if m != nurse])
    report.check(
        engine.recorder.max_notification_id() == before, f"{label}: refused, yet events were written"
    )
    seen = {a["participant_id"] for a in world.callers["team_a"].request("GET", path).json()["attendance"]}
    report.count("attendance lists read by a team")
    report.check(seen == {nurse}, f"GET {path} as team_a: lists other teams' attendance {seen - {nurse}}")


def _fill(template: str, params: dict[str, str]) -> str:
    path = template
    for key, value in params.items():
        path = path.replace("{" + key + "}", value)
    return path + QUERIES.get(template, "")


def undeclared_reads(schema: dict[str, Any]) -> list[str]:
    """GET routes of the schema with no entry in READS."""
    return sorted(t for _, t in operations(schema, frozenset({"get"})) if t not in READS)
