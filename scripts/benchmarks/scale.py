"""6. A collaborative at scale (500 teams, 24 months, 10 measures each):
dashboard and chart read latency."""

from __future__ import annotations

from aggregates.phases import Phase
from aggregates.values import MeasureDefinition
from engine.application import QIEngine
from engine.commands.team import SubmitData
from engine.read_models import ReadModels
from engine.settings import Settings
from projections.charts import ChartOptions
from scripts.benchmarks.harness import Results, fresh_store, latencies, percentile
from scripts.benchmarks.world import SYSTEM, WEIGHT, build_world

MEASURES = tuple(WEIGHT.model_copy(update={"key": f"m{i}", "name": f"Measure {i}"}) for i in range(10))


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


def run_scale(results: Results, kind: str, teams: int, months: int, reads: int) -> None:
    engine = QIEngine(Settings(store=fresh_store(kind, "scale"), projections="worker"))
    world = build_world(engine, teams=teams, measures=MEASURES)
    fill_months(engine, world.teams, MEASURES, months)
    models = ReadModels(engine)
    models.runner.catch_up()
    label = f"{teams} teams, {months} months, {len(MEASURES)} measures"
    reads_of = {
        "dashboard": lambda: models.dashboard(world.collaborative),
        "team chart": lambda: models.team_chart(world.teams[0], "m0", ChartOptions()),
        "collaborative chart": lambda: models.collaborative_chart(world.collaborative, "m0", ChartOptions()),
    }
    for name, read in reads_of.items():
        # Cold: a data point arrives and is projected before each read, so no view is reused.
        def change(i: int) -> None:
            engine.execute(SubmitData(team_id=world.teams[i % teams], measure_key="m0", period="2023-01",
                                      numerator=10 + i % 3, denominator=20), engine.context(SYSTEM))  # fmt: skip
            models.runner.catch_up()

        for state, samples in (
            ("after a change", latencies(read, reads, change)),
            ("unchanged", latencies(read, reads)),
        ):
            results.add("6 scale", f"{name} {state} p50 ({label})", kind, [percentile(samples, 50)], "ms")
            results.add("6 scale", f"{name} {state} p99 ({label})", kind, [percentile(samples, 99)], "ms",
                        target="< 50 ms")  # fmt: skip
    models.close()
    engine.close()
