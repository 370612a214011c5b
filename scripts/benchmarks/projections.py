"""3. Projection catch-up: events/s per projection and for all together, and the
time to rebuild every read model from a large stored history."""

from __future__ import annotations

import time
from datetime import timedelta
from uuid import uuid4

from aggregates.activity import ActivityDetails, LearningActivity
from aggregates.base import CommandContext
from aggregates.phases import Phase
from aggregates.values import ActivityKind, CEOffering, CreditType
from engine.application import QIEngine
from engine.read_models import ReadModels
from engine.settings import Settings
from scripts.benchmarks.harness import Results, fresh_store, rate
from scripts.benchmarks.world import SYSTEM, World, build_world


def fill(engine: QIEngine, world: World, events: int, batch: int = 1000) -> int:
    """Store about `events` events that feed every read model, as a collaborative makes them:
    each round a new learning session that every member attends once, and a month of data
    from every team (months cycle, so later rounds correct earlier months)."""
    teams = [engine.team(t) for t in world.teams]
    ctx = engine.context(SYSTEM)
    written, round_ = 0, 0
    pending: list[object] = []
    while written < events:
        session = _session(ctx, world, round_)
        month = f"{2000 + (round_ // 12) % 25}-{1 + round_ % 12:02d}"
        for i, team in enumerate(teams):
            session.record_attendance(ctx, Phase.SESSIONS, world.members[i], 30 + (round_ + i) % 60)
            team.submit_data(ctx, Phase.SESSIONS, "weight-kg", month, 5 + (round_ + i) % 7, 20)
        pending.append(session)
        written += 1 + 2 * len(teams)
        round_ += 1
        if written // batch != (written - 1 - 2 * len(teams)) // batch:
            engine.save(*teams, *pending)
            pending.clear()
    engine.save(*teams, *pending)
    return engine.recorder.max_notification_id() or 0


def _session(ctx: CommandContext, world: World, number: int) -> LearningActivity:
    details = ActivityDetails(
        kind=ActivityKind.LEARNING_SESSION, title=f"Session {number}", starts_at=ctx.at - timedelta(hours=2),
        duration_minutes=90, ce=CEOffering(credit_types=(CreditType.CNE,), max_hours=1.5, accrediting_body="AAP"),
    )  # fmt: skip
    return LearningActivity.schedule(ctx, uuid4(), world.collaborative, Phase.SESSIONS, details)


def run_projections(results: Results, kind: str, events: int, repeats: int) -> None:
    """Per-projection catch-up rates on a modest history (median of `repeats`), then one
    rebuild of every read model from `events` stored events."""
    _catch_up_rates(results, kind, min(events, 50_000), repeats)
    engine = QIEngine(Settings(store=fresh_store(kind, "history"), projections="worker"))
    total = fill(engine, build_world(engine, teams=50), events)
    models = ReadModels(engine)
    results.add("3 projections", f"rebuild all read models, {total:,} events", kind, [_rebuild_all(models, total)], "s",
                target="1M events < 180 s")  # fmt: skip
    models.close()
    engine.close()


def _catch_up_rates(results: Results, kind: str, events: int, repeats: int) -> None:
    engine = QIEngine(Settings(store=fresh_store(kind, "projections"), projections="worker"))
    total = fill(engine, build_world(engine, teams=50), events)
    models = ReadModels(engine)
    for name in models.runner.projections:
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            models.runner.rebuild(name)
            runs.append(rate(total, time.perf_counter() - start))
        results.add("3 projections", f"catch-up: {name}", kind, runs, "events/s", target=">= 20,000 events/s")
    all_runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        models.runner.rebuild_all()
        all_runs.append(rate(total, time.perf_counter() - start))
    results.add("3 projections", "catch-up: all read models together", kind, all_runs, "events/s")
    models.close()
    engine.close()


def _rebuild_all(models: ReadModels, total: int) -> float:
    start = time.perf_counter()
    models.runner.rebuild_all()
    return time.perf_counter() - start
