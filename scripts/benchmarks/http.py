"""2. The API over loopback: `qi serve` in its own process(es), and 1, 8 and 32 concurrent
clients writing (one data point per request, each client its own team) and reading the
dashboard; throughput and p50/p99 latency, loaded by wrk (scripts/benchmarks/wrk.py).

Every figure is related to its stack's own ceiling, measured in the same run: the bare
endpoints (scripts/benchmarks/bare.py) under the same uvicorn options, worker count and
load. The writes at the most clients are also related to baseline A (section 1). On
PostgreSQL the whole is measured with 1, 2 and 4 workers (`qi serve --workers N`), and
which worker count served the most is recorded; SQLite has one writer, so one worker."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from aggregates.base import Role
from aggregates.tokens import Grant
from engine.application import QIEngine
from engine.settings import Settings
from scripts.benchmarks.harness import Figure, Results, fresh_store, rate
from scripts.benchmarks.servers import bare_server, server
from scripts.benchmarks.world import SYSTEM, build_world
from scripts.benchmarks.wrk import Load, load

GROUP = "2 http"
WRITES, READS = "writes", "dashboard reads"
METHOD = {WRITES: "POST", READS: "GET"}
BARE = {WRITES: "bare POST (body validated only)", READS: "bare GET (pre-serialised dashboard)"}
TARGETS = {
    WRITES: {"p99": "< 100 ms"},
    READS: {"throughput": f">= 0.5x {BARE[READS]}", "p99": "< 20 ms"},
}


@dataclass(frozen=True)
class Plan:
    """One pass of the HTTP benchmark: the store, the client counts, seconds per load, workers."""

    kind: str
    levels: tuple[int, ...]
    seconds: float
    workers: int

    def name(self, what: str, clients: int) -> str:
        return f"{what}, {clients} clients" + (f", {self.workers} workers" if self.workers > 1 else "")


@dataclass(frozen=True)
class Measured:
    """One load's three figures."""

    throughput: Figure
    p50: Figure
    p99: Figure


def run_http(
    results: Results,
    kind: str,
    levels: tuple[int, ...],
    seconds: float,
    workers: tuple[int, ...] = (1,),
    baseline_a: Figure | None = None,
) -> None:
    """The API and its bare ceiling at every level, for each worker count in `workers`."""
    tops = {n: _run_with(results, Plan(kind, levels, seconds, n), baseline_a) for n in workers}
    if len(workers) > 1:
        for what in (WRITES, READS):
            by_workers = {n: top[what] for n, top in tops.items()}
            _most_throughput(results, kind, f"{what}, {levels[-1]} clients", by_workers)


def _run_with(results: Results, plan: Plan, baseline_a: Figure | None) -> dict[str, Figure]:
    """Every level of `plan` on a fresh store; the throughputs at the most clients."""
    store = fresh_store(plan.kind, "http")
    engine = QIEngine(Settings(store=store))
    world = build_world(engine, teams=max(plan.levels))
    token = engine.issue_token(Grant(name="bench", role=Role.STAFF), engine.context(SYSTEM))
    engine.close()
    paths = {
        WRITES: [f"/teams/{team}/measures/weight-kg/data" for team in world.teams],
        READS: [f"/collaboratives/{world.collaborative}/dashboard"],
    }
    real, dashboard = _load_api(store, plan, paths, token)
    with bare_server(store, dashboard, plan.workers) as bare_one:
        bare = {
            (what, n): _ceiling(load(bare_one.url, n, plan.seconds, METHOD[what], paths[what], token))
            for n in plan.levels
            for what in paths
        }
    tops: dict[str, Figure] = {}
    for clients in plan.levels:
        for what in (WRITES, READS):
            ceiling = _record(results, plan, BARE[what], clients, bare[what, clients])
            tops[what] = _record(results, plan, what, clients, real[what, clients], ceiling).throughput
    if baseline_a is not None:
        _against_baseline_a(results, plan.kind, tops[WRITES], baseline_a)
    return tops


def _load_api(
    store: str, plan: Plan, paths: dict[str, list[str]], token: str
) -> tuple[dict[tuple[str, int], Load], bytes]:
    """The API's loads at every level, and the dashboard's bytes as it served them."""
    loads: dict[tuple[str, int], Load] = {}
    dashboard = b""
    auth = {"Authorization": f"Bearer {token}"}
    with server(store, plan.workers) as served:
        for clients in plan.levels:
            loads[WRITES, clients] = load(served.url, clients, plan.seconds, "POST", paths[WRITES], token)
            # One untimed read first: it projects the writes just made (read models catch up
            # in process by default), which section 3 measures; here, reads are measured.
            answer = httpx.get(served.url + paths[READS][0], headers=auth, timeout=600)
            answer.raise_for_status()
            dashboard = dashboard or answer.content
            loads[READS, clients] = load(served.url, clients, plan.seconds, "GET", paths[READS], token)
    return loads, dashboard


def _ceiling(outcome: Load) -> Load:
    """A bare endpoint's load, which must have answered every request: a failing one is no ceiling."""
    if outcome.failures:
        raise RuntimeError(f"the bare endpoint failed {outcome.failures} of {outcome.requests} requests")
    return outcome


def _record(
    results: Results, plan: Plan, what: str, clients: int, outcome: Load, ceiling: Measured | None = None
) -> Measured:
    """The load's figures; with `ceiling`, each related to the bare endpoint's same figure."""
    name, kind, targets = plan.name(what, clients), plan.kind, TARGETS.get(what, {})
    measured = Measured(
        results.add(GROUP, f"{name}: throughput", kind, [rate(outcome.requests, outcome.seconds)],
                    "requests/s", target=targets.get("throughput")),
        results.add(GROUP, f"{name}: p50", kind, [outcome.p50], "ms"),
        results.add(GROUP, f"{name}: p99", kind, [outcome.p99], "ms", target=targets.get("p99")),
    )  # fmt: skip
    if ceiling is not None:
        results.relate(measured.throughput, ceiling.throughput)
        results.relate(measured.p50, ceiling.p50, higher_is_better=False)
        results.relate(measured.p99, ceiling.p99, higher_is_better=False)
    if outcome.failures:
        results.add(GROUP, f"{name}: failed requests", kind, [float(outcome.failures)], "requests")
    return measured


def _against_baseline_a(results: Results, kind: str, writes: Figure, baseline_a: Figure) -> None:
    """The writes at the most clients beside the raw library's one-event save (section 1)."""
    target = ">= 2x baseline A" if kind == "postgres" else None  # SQLite serialises its writers
    figure = results.add(
        GROUP, f"{writes.name} against baseline A", kind, writes.runs, writes.unit, target=target
    )
    results.relate(figure, baseline_a)


def _most_throughput(results: Results, kind: str, name: str, by_workers: dict[int, Figure]) -> None:
    """Which worker count served the most, related to the fewest workers' throughput."""
    best = max(by_workers, key=lambda n: by_workers[n].value)
    fewest = by_workers[min(by_workers)]
    figure = results.add(GROUP, f"{name}: most throughput with", kind, [float(best)], "workers")
    figure.baseline = f"{fewest.name} ({fewest.store})"
    figure.ratio = round(by_workers[best].value / fewest.value, 3)
