"""6. A collaborative at scale (500 and 2,000 teams, 24 months, 10 measures each): dashboard
and chart read latency, how each p99 after a change grows from the smallest collaborative
to the largest, and the server's memory with each loaded and read (scripts/benchmarks/memory.py)."""

from __future__ import annotations

from collections.abc import Callable

from aggregates.base import Role
from aggregates.phases import Phase
from aggregates.tokens import Grant
from aggregates.values import MeasureDefinition
from engine.application import QIEngine
from engine.commands.team import SubmitData
from engine.read_models import ReadModels
from engine.settings import Settings
from projections.charts import ChartOptions
from scripts.benchmarks.harness import Figure, Results, fresh_store, latencies, percentile
from scripts.benchmarks.memory import paths, run_memory
from scripts.benchmarks.world import SYSTEM, WEIGHT, build_world

GROUP = "6 scale"
MEASURES = tuple(WEIGHT.model_copy(update={"key": f"m{i}", "name": f"Measure {i}"}) for i in range(10))
GROWN = ("dashboard", "collaborative chart", "team chart")


def fill_months(
    engine: QIEngine, team_ids: list, measures: tuple[MeasureDefinition, ...], months: int
) -> None:
    """Every team submits every measure for `months` months, saved a team at a time."""
    ctx = engine.context(SYSTEM)
    periods = [f"{2023 + m // 12}-{1 + m % 12:02d}" for m in range(months)]
    for number, team_id in enumerate(team_ids):
        team = engine.team(team_id)
        for measure in measures:
            for month, period in enumerate(periods):
                team.submit_data(ctx, Phase.SESSIONS, measure.key, period, 10 + (month * 7 + number) % 9, 20)
        engine.save(team)


def run_scales(results: Results, kind: str, teams: tuple[int, ...], months: int, reads: int) -> None:
    """The scale benchmark at each size of `teams`, then each p99 (and p50) after a change, largest
    over smallest. With 50 reads a p99 is their slowest, so the p50's growth is the steadier."""
    found = {count: run_scale(results, kind, count, months, reads) for count in teams}
    small, large = min(teams), max(teams)
    if small == large:
        return
    for name in GROWN:
        for p in ("p99", "p50"):
            before, after = found[small][f"{name} {p}"], found[large][f"{name} {p}"]
            figure = results.add(
                GROUP, f"{name} after a change {p}: growth from {small} to {large} teams", kind,
                [round(after.value / before.value, 3)], f"x ({large}/{small} teams)",
            )  # fmt: skip
            figure.baseline = f"{before.name} ({before.store})"


def run_scale(results: Results, kind: str, teams: int, months: int, reads: int) -> dict[str, Figure]:
    """One collaborative of `teams` teams; its p50 and p99 after a change, by "read p50" / "read p99"."""
    store = fresh_store(kind, "scale")
    engine = QIEngine(Settings(store=store, projections="worker"))
    world = build_world(engine, teams=teams, measures=MEASURES)
    fill_months(engine, world.teams, MEASURES, months)
    token = engine.issue_token(Grant(name="bench", role=Role.STAFF), engine.context(SYSTEM))
    models = ReadModels(engine)
    models.runner.catch_up()
    label = f"{teams} teams, {months} months, {len(MEASURES)} measures"
    reads_of: dict[str, Callable[[], object]] = {
        "dashboard": lambda: models.dashboard(world.collaborative),
        "team chart": lambda: models.team_chart(world.teams[0], "m0", ChartOptions()),
        "collaborative chart": lambda: models.collaborative_chart(world.collaborative, "m0", ChartOptions()),
    }

    # Cold: a data point arrives and is projected before each read, so no view is reused.
    def change(i: int) -> None:
        engine.execute(SubmitData(team_id=world.teams[i % teams], measure_key="m0", period="2023-01",
                                  numerator=10 + i % 3, denominator=20), engine.context(SYSTEM))  # fmt: skip
        models.runner.catch_up()

    after_a_change = _measure_reads(results, kind, label, reads_of, change, reads)
    models.close()
    engine.close()
    run_memory(results, kind, store, token, paths(world.collaborative, world.teams[0], "m0"), teams)
    return after_a_change


def _measure_reads(
    results: Results,
    kind: str,
    label: str,
    reads_of: dict[str, Callable[[], object]],
    change: Callable[[int], None],
    reads: int,
) -> dict[str, Figure]:
    """p50/p99 of each read after a change and unchanged; those after a change by "read p50/p99"."""
    after_a_change = {}
    for name, read in reads_of.items():
        # The process's first read builds the view whole (nothing is kept yet): its own figure,
        # so the samples after a change measure what each later change costs.
        [first] = latencies(read, 1)
        results.add(GROUP, f"{name} first read in a process ({label})", kind, [first], "ms")
        for state, samples in (
            ("after a change", latencies(read, reads, change)),
            ("unchanged", latencies(read, reads)),
        ):
            p50 = results.add(GROUP, f"{name} {state} p50 ({label})", kind, [percentile(samples, 50)], "ms")
            p99 = results.add(GROUP, f"{name} {state} p99 ({label})", kind, [percentile(samples, 99)], "ms",
                              target="< 50 ms")  # fmt: skip
            if state == "after a change":
                after_a_change |= {f"{name} p50": p50, f"{name} p99": p99}
    return after_a_change
