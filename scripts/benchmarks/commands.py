"""1. Command throughput in process, one event per command, beside the raw
library's `Application.save` (baseline A) and a raw INSERT + COMMIT per row
(baseline B). 5. Loading a team with 10,000 events, with and without snapshots."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any

import psycopg
from eventsourcing.application import Application, project_aggregate
from eventsourcing.domain import Aggregate, event
from eventsourcing.sqlite import SQLITE3_DEFAULT_LOCK_TIMEOUT

from aggregates.phases import Phase
from engine.application import QIEngine
from engine.commands.activity import RecordAttendance
from engine.commands.team import SubmitData
from engine.settings import Settings
from scripts.benchmarks.harness import Figure, Results, fresh_store, rate
from scripts.benchmarks.world import SYSTEM, World, build_world


class Tally(Aggregate):
    """The raw library's simplest aggregate: one event per change."""

    @event("Created")
    def __init__(self) -> None:
        self.count = 0

    @event("Counted")
    def count_one(self, value: int) -> None:
        self.count = value


def _library_env(store: str) -> dict[str, str]:
    env = Settings(store=store).eventsourcing_env()
    env.pop("IS_SNAPSHOTTING_ENABLED", None)
    return env


def baseline_a(store: str, n: int) -> float:
    """Events/s: eventsourcing's Application.save, one event per save."""
    app = Application[Any](env=_library_env(store))
    tally = Tally()
    app.save(tally)
    start = time.perf_counter()
    for i in range(n):
        tally.count_one(i)
        app.save(tally)
    seconds = time.perf_counter() - start
    app.close()
    return rate(n, seconds)


def baseline_b(kind: str, store: str, n: int) -> float:
    """Rows/s: one INSERT and one COMMIT per row, the durability limit."""
    if kind == "postgres":
        with psycopg.connect(store) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS raw_rows (id BIGSERIAL PRIMARY KEY, body BYTEA)")
            conn.commit()
            start = time.perf_counter()
            for _ in range(n):
                conn.execute("INSERT INTO raw_rows (body) VALUES (%s)", (b'{"minutes": 60}',))
                conn.commit()
            return rate(n, time.perf_counter() - start)
    conn = sqlite_like_the_store(store)
    conn.execute("CREATE TABLE IF NOT EXISTS raw_rows (id INTEGER PRIMARY KEY, body BLOB)")
    start = time.perf_counter()
    for _ in range(n):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO raw_rows (body) VALUES (?)", (b'{"minutes": 60}',))
        conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return rate(n, seconds)


def sqlite_like_the_store(path: str) -> sqlite3.Connection:
    """A connection with the settings the engine's event store opens its own with, so that
    baseline B's durability limit is the store's. The engine sets none of its own (its
    settings give eventsourcing only SQLITE_DBNAME: engine/settings.py, eventsourcing_env);
    these are eventsourcing 9.5's, eventsourcing/sqlite.py, SQLiteConnectionPool._create_connection:
    auto-commit with explicit BEGIN (isolation_level=None), the same statement cache, a 5 s lock timeout
    (SQLITE3_DEFAULT_LOCK_TIMEOUT, SQLITE_LOCK_TIMEOUT unset), journal_mode=WAL, and
    synchronous left at SQLite's default (FULL)."""
    conn = sqlite3.connect(
        path, uri=True, check_same_thread=False, isolation_level=None, cached_statements=True,
        timeout=SQLITE3_DEFAULT_LOCK_TIMEOUT,
    )  # fmt: skip
    conn.execute("PRAGMA journal_mode=WAL")
    return conn


def engine_commands(engine: QIEngine, world: World, n: int, kind: str) -> float:
    """Commands/s through QIEngine.execute (each records one domain event)."""
    make: Callable[[int], Any] = {
        "attendance": lambda i: RecordAttendance(activity_id=world.activity, participant_id=world.members[0], minutes=60 + i % 2),
        "data point": lambda i: SubmitData(team_id=world.teams[0], measure_key="weight-kg", period="2024-01",
                                           numerator=10 + i % 2, denominator=20),
    }[kind]  # fmt: skip
    start = time.perf_counter()
    for i in range(n):
        engine.execute(make(i), engine.context(SYSTEM))
    return rate(n, time.perf_counter() - start)


BASELINE_A = "baseline A: Application.save"


def baseline_a_figure(results: Results, kind: str, n: int, repeats: int) -> Figure:
    """Baseline A on `kind` as this run measured it, measured now if it has not been."""
    found = results.find(BASELINE_A, kind)
    if found is not None:
        return found
    runs = [baseline_a(fresh_store(kind, "a"), n) for _ in range(repeats)]
    return results.add("1 commands", BASELINE_A, kind, runs, "events/s")


def run_commands(results: Results, kind: str, n: int, repeats: int) -> None:
    a = baseline_a_figure(results, kind, n, repeats)
    b = results.add(
        "1 commands",
        "baseline B: INSERT+COMMIT",
        kind,
        [baseline_b(kind, fresh_store(kind, "b"), n) for _ in range(repeats)],
        "rows/s",
    )
    for command in ("attendance", "data point"):
        runs = []
        for _ in range(repeats):
            engine = QIEngine(Settings(store=fresh_store(kind, "engine")))
            world = build_world(engine)
            runs.append(engine_commands(engine, world, n, command))
            engine.close()
        figure = results.add(
            "1 commands", f"engine: {command}", kind, runs, "commands/s", target=">= 0.8x baseline A"
        )
        results.relate(figure, a)
    results.relate(b, a)


def run_aggregate_load(results: Results, kind: str, events: int, repeats: int) -> None:
    engine = QIEngine(Settings(store=fresh_store(kind, "load"), snapshot_interval=100, cache_size=0))
    world = build_world(engine)
    team = engine.team(world.teams[0])
    for i in range(events):
        team.submit_data(engine.context(SYSTEM), Phase.SESSIONS, "weight-kg", "2024-01", 10 + i % 2, 20)
        if len(team.pending_events) >= 500:
            engine.save(team)
    engine.save(team)
    engine.take_snapshot(team.id)
    replay = [_timed(lambda: project_aggregate(None, engine.events.get(team.id))) for _ in range(repeats)]
    snapshot = [_timed(lambda: engine.repository.get(team.id)) for _ in range(repeats)]
    full = results.add(
        "5 aggregate load", f"team with {team.version} events, full replay", kind, replay, "ms"
    )
    snap: Figure = results.add(
        "5 aggregate load",
        f"team with {team.version} events, from snapshot",
        kind,
        snapshot,
        "ms",
        target="< 10 ms",
    )
    results.relate(snap, full, higher_is_better=False)
    engine.close()


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000
