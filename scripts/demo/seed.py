"""A realistic demo collaborative, seeded through the engine's own commands.

The seed replays a year of a Pediatric Readiness Quality Collaborative in
simulated time: every command carries the date it would really have happened,
so run charts, audit trails and "as of" reads look as they would in production.
Shared learning runs through the same commands: the change package that PDSA
cycles link to, a library whose files go through the file store as uploads do,
comments and borrowed changes between teams, and a toolkit compiled at sharing.
Command ids and created ids are fixed, so an interrupted seed can simply be run
again: commands already done return their first outcome and write nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

from pydantic import BaseModel

from aggregates.base import CommandContext
from aggregates.idempotency import CommandResult
from engine.application import QIEngine
from engine.errors import NotFound
from scripts.demo import data
from scripts.demo.charts import chart_decisions
from scripts.demo.improvement import coaching_notes, measurement, pdsa_ramps, readiness_cycles
from scripts.demo.instruments import readiness_assessments
from scripts.demo.programme import (
    assessments,
    attendance,
    calendar,
    coach_assignments,
    coaches,
    focus_and_registration,
    phase_advances,
    team_registration,
)
from scripts.demo.progress import progress_scores
from scripts.demo.reports import monthly_reports
from scripts.demo.sharing import (
    borrowed_changes,
    change_package,
    comments,
    community,
    shared_projects,
    shared_resources,
    store_documents,
    summative_paper,
    toolkit,
)
from scripts.demo.steps import DEMO_COLLABORATIVE_ID, PAPER_ID, Files, Roster, Step
from scripts.demo.training import training


class DemoResult(BaseModel):
    collaborative_id: UUID
    created: bool  # False when a complete demo was already there and nothing was written
    commands: int = 0  # commands run, including any an interrupted seed had already done


def seed_demo(engine: QIEngine) -> DemoResult:
    """Seed the demo collaborative, finishing an interrupted seed; leave a complete one be."""
    if _is_complete(engine):
        return DemoResult(collaborative_id=DEMO_COLLABORATIVE_ID, created=False)
    opening = [*focus_and_registration(), *coaches()]
    for step in opening:
        _run(engine, step)
    roster = {t.key: _run(engine, team_registration(i, t)).created["Participant"]
              for i, t in enumerate(data.TEAMS)}  # fmt: skip
    files = store_documents(engine)
    # The paper goes last on purpose: its presence is what marks the seed complete.
    later = [*sorted(_year(roster, files), key=lambda step: step.at), summative_paper()]
    for step in later:
        _run(engine, step)
    count = len(opening) + len(data.TEAMS) + len(later)
    return DemoResult(collaborative_id=DEMO_COLLABORATIVE_ID, created=True, commands=count)


def _is_complete(engine: QIEngine) -> bool:
    try:
        collaborative = engine.collaborative(DEMO_COLLABORATIVE_ID)
    except NotFound:
        return False
    return PAPER_ID in collaborative.state.outputs


def _run(engine: QIEngine, step: Step) -> CommandResult:
    ctx = CommandContext(actor=step.actor, command_id=f"demo:{step.key}", at=step.at)
    return engine.execute(step.command, ctx)


def _year(roster: Roster, files: Files) -> Iterator[Step]:
    yield from change_package()
    yield from shared_resources(files)
    yield from coach_assignments()
    yield from phase_advances()
    yield from calendar()
    yield from assessments()
    yield from readiness_assessments()
    yield from measurement()
    yield from attendance(roster)
    yield from pdsa_ramps()
    yield from readiness_cycles()
    yield from coaching_notes()
    yield from training(roster)
    yield from monthly_reports()
    yield from chart_decisions()
    yield from progress_scores()
    yield from shared_projects()
    yield from comments()
    yield from borrowed_changes()
    yield from community(roster)
    yield toolkit()
