"""Poison events: an event a read model cannot apply, written straight into the store
(past every command's checks), stops that read model alone.

Two poisons: a PDSA cycle planned by one team under another team's cycle id (what the
review's attack stored before client ids were claimed: the credit ledger keys cycles by
id), and a record that no longer decodes at all. After each, every write and every read
of the other read models must keep working for every collaborative, reads of the stopped
one answer 503 naming it, /healthz names the position, and a resume after the fix
continues from that position to the same rows a rebuild makes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID, uuid4

import httpx
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic
from fastapi.testclient import TestClient

from adapters.app import create_app
from aggregates.base import Actor, Role
from aggregates.pdsa import PdsaPlan
from aggregates.phases import Phase
from aggregates.team import PdsaPlanned
from engine.application import QIEngine
from projections.base import Recorded, Tx
from projections.credits.ledger import CreditLedger
from scripts.drills.report import DrillReport
from scripts.drills.world import Caller, Flow, build_world

PROVES = (
    "an event a read model cannot apply, written straight into the store, stops that read model "
    "alone: every write and every other read keeps working, its reads answer 503 naming it, "
    "/healthz names the position, and a resume after the fix continues from it"
)
INTRUDER = Actor(id="poisoner", role=Role.TEAM)
READS = {  # what a collaborative's reader asks for, and the read model each answers from
    "/collaboratives/{c}/dashboard": "dashboard",
    "/collaboratives/{c}/credits": "credits",
    "/collaboratives/{c}/shared-projects": "learning",
    "/collaboratives/{c}/resources": "learning",
    "/teams/{t}/measures/weight-kg/chart": "dashboard",
    "/audit?collaborative={c}": "audit",
}


class LedgerWithTheFix(CreditLedger):
    """The fix an operator would deploy for the stolen cycle id: a cycle id already planned
    by another team is not the credit ledger's to record again."""

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        super().apply(tx, [r for r in batch if not _stolen(r)])


def _stolen(recorded: Recorded) -> bool:
    event = recorded.event
    return isinstance(event, PdsaPlanned) and event.actor_id == INTRUDER.id


def run_poison(engine: QIEngine, store: str = "sqlite") -> DrillReport:
    """Run the drill in process against `create_app(engine)`."""
    app = create_app(engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        return drill_poison(client, engine, app.state.read_models, store)


def drill_poison(client: httpx.Client, engine: QIEngine, read_models: Any, store: str) -> DrillReport:
    report = DrillReport("poison", PROVES, store)
    world = build_world(client, engine, "projects", title="Poison")
    staff, flow = world.callers["staff"], world.flow
    stolen = _plan_under_another_teams_cycle(engine, flow)
    _everything_else_works(report, staff, flow, {"credits": stolen})
    _resume_after_the_fix(report, staff, flow, read_models, stolen)
    damaged = _write_undecodable(engine)
    stopped = dict.fromkeys(("dashboard", "credits", "learning"), damaged)
    _everything_else_works(report, staff, flow, stopped)
    _the_feed_passes_it(report, staff, damaged)
    return report


def _the_feed_passes_it(report: DrillReport, staff: Caller, position: int) -> None:
    """Subscribers get a stand-in for the damaged record and the events after it."""
    response = staff.request("GET", "/events", params={"after": position - 1})
    types = [e["type"] for e in response.json()["events"]] if response.status_code == 200 else []
    passed = types[:1] == ["org.qi.UndecodableRecord"] and len(types) > 1
    report.count("feed reads past the damaged record", passed)
    report.check(passed, f"the feed after the damaged record answered {response.status_code}: {types[:3]}")


def _plan_under_another_teams_cycle(engine: QIEngine, flow: Flow) -> int:
    team_a = engine.team(UUID(flow.teams[0]))
    plan = PdsaPlan(title="Same id", change_idea="x", objective="o", prediction="p", plan="pl")
    team_a.plan_cycle(engine.context(INTRUDER), Phase.PROJECTS, UUID(flow.cycles[flow.teams[1]]), plan)
    engine.save(team_a)
    return engine.recorder.max_notification_id() or 0


def _write_undecodable(engine: QIEngine) -> int:
    """A record of a known type whose bytes no longer decode (as after a damaged restore)."""
    damaged = StoredEvent(
        originator_id=uuid4(), originator_version=1, topic=get_topic(PdsaPlanned), state=b'{"damaged'
    )
    engine.recorder.insert_events([damaged])
    return engine.recorder.max_notification_id() or 0


def _everything_else_works(report: DrillReport, staff: Caller, flow: Flow, stopped: dict[str, int]) -> None:
    report.count("poison events written")
    period = f"2025-{1 + report.counts['poison events written']:02d}"
    write = staff.request(
        "POST",
        f"/teams/{flow.teams[1]}/measures/weight-kg/data",
        json={"period": period, "numerator": 14, "denominator": 20},
    )
    report.count("writes acknowledged", write.status_code in (200, 201))
    report.check(write.status_code in (200, 201), f"a write after the poison answered {write.status_code}")
    for template, read_model in READS.items():
        path = template.format(c=flow.collaborative, t=flow.teams[1])
        _read(report, staff, path, read_model, stopped)
    _health_names(report, staff, stopped)


def _read(report: DrillReport, staff: Caller, path: str, read_model: str, stopped: dict[str, int]) -> None:
    response = staff.request("GET", path)
    report.count("reads tried")
    if read_model in stopped:
        named = response.status_code == 503 and response.json().get("read_model") == read_model
        report.count("503s naming the stopped read model", named)
        report.check(named, f"GET {path} answered {response.status_code}, not 503 naming {read_model}")
        return
    report.count("5xx seen", response.status_code >= 500)
    report.check(response.status_code == 200, f"GET {path} ({read_model}) answered {response.status_code}")


def _health_names(report: DrillReport, staff: Caller, stopped: dict[str, int]) -> None:
    health = staff.request("GET", "/healthz").json()
    named = {m["name"]: m["failure"]["position"] for m in health["read_models"] if m["failure"]}
    report.count("positions named", sum(named.get(n) == p for n, p in stopped.items()))
    report.check(named == stopped, f"/healthz named {named}, expected {stopped}")


def _resume_after_the_fix(
    report: DrillReport, staff: Caller, flow: Flow, read_models: Any, position: int
) -> None:
    runner = read_models.runner
    read_models.resume("credits")
    read_models.wait_for()
    again = runner.failures().get("credits")
    report.check(
        again is not None and again.position == position, "resumed without a fix, it did not stop again there"
    )
    runner.projections["credits"] = LedgerWithTheFix()
    read_models.resume("credits")
    read_models.wait_for()
    response = staff.request("GET", f"/collaboratives/{flow.collaborative}/credits")
    resumed = _ledger_rows(read_models)
    runner.rebuild("credits")
    report.count("recoveries", response.status_code == 200 and resumed == _ledger_rows(read_models))
    report.check(
        response.status_code == 200, f"after the fix and a resume, credits answered {response.status_code}"
    )
    report.check(resumed == _ledger_rows(read_models), "the resumed credit ledger differs from a rebuild")


def _ledger_rows(read_models: Any) -> list[tuple[Any, ...]]:
    with read_models.store.transaction() as tx:
        rows: list[tuple[Any, ...]] = tx.fetchall("SELECT * FROM rm_credit_entries ORDER BY 1, 2")
    return rows
