"""How the demo's charts are drawn, decided as faculty decide it: limits from the year
before the collaborative, and, once the change has held for months, a new phase with
its reason; a team's proposal still waiting for its coach, and notes at their months.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from aggregates.base import Actor, Role
from aggregates.measure_chart import ChartOwner, ChooseChartType, SetBaseline, SplitPhase
from engine.commands.charts import AnnotateChart, DecideChart, ProposeChartChange
from scripts.demo import data
from scripts.demo.steps import DEMO_COLLABORATIVE_ID, Step, actor_of, at, coach_for, id_of_team

BASELINE_REASON = (
    "2024, the twelve months before the collaborative: the practice the changes are judged against"
)
NEW_PHASE = "2025-09"
NEW_PHASE_REASON = "Kilogram-only scales and the EHR's kg-only weight field in place since September: new limits for the new process"
LANEY_REASON = (
    "About 2,500 children a month across twelve teams: a P chart's limits are too narrow for the "
    "month-to-month variation between teams, so Laney's P′ widens them"
)
# The team still ramping up when the year closed: its own proposal waits for the coach.
STILL_CHANGING = data.LATE_SHARER


def chart_decisions() -> Iterator[Step]:
    for index, team in enumerate(data.TEAMS):
        coach = Actor(id=f"demo-coach:{coach_for(team).key}", role=Role.COACH)
        chart = {"owner": ChartOwner.TEAM, "owner_id": id_of_team(team), "measure_key": data.WEIGHT_KG.key}
        baseline = DecideChart(**chart, decision=SetBaseline(through="2024-12"), reason=BASELINE_REASON)
        yield Step(
            at(date(2025, 1, 27) + timedelta(days=index % 4), 18),
            f"chart:{team.key}:baseline",
            baseline,
            coach,
        )
        split = SplitPhase(starts=NEW_PHASE)
        if team.key == STILL_CHANGING:
            reason = "Our kg-only field went live in September too; we think our new level holds"
            propose = ProposeChartChange(**chart, decision=split, reason=reason)
            yield Step(at(date(2026, 3, 12), 16), f"chart:{team.key}:proposal", propose, actor_of(team))
            note = AnnotateChart(**chart, period="2025-09", text="EHR migration: two weeks of paper charting")
            yield Step(at(date(2025, 10, 8), 16), f"chart:{team.key}:note", note, actor_of(team))
            continue
        decide = DecideChart(**chart, decision=split, reason=NEW_PHASE_REASON)
        yield Step(
            at(date(2026, 3, 10) + timedelta(days=index % 4), 18), f"chart:{team.key}:phase", decide, coach
        )
    chart = {
        "owner": ChartOwner.COLLABORATIVE,
        "owner_id": DEMO_COLLABORATIVE_ID,
        "measure_key": data.WEIGHT_KG.key,
    }
    yield Step(at(date(2025, 1, 31), 15), "chart:collaborative:baseline",
               DecideChart(**chart, decision=SetBaseline(through="2024-12"), reason=BASELINE_REASON))  # fmt: skip
    yield Step(at(date(2026, 3, 16), 15), "chart:collaborative:phase",
               DecideChart(**chart, decision=SplitPhase(starts=NEW_PHASE), reason=NEW_PHASE_REASON))  # fmt: skip
    laney = DecideChart(**chart, decision=ChooseChartType(chart="pp"), reason=LANEY_REASON)
    yield Step(at(date(2025, 2, 3), 15), "chart:collaborative:type", laney)
    note = AnnotateChart(
        **chart, period="2025-04", text="Learning session 2: the kg-only change bundle shared"
    )
    yield Step(at(date(2025, 4, 24), 15), "chart:collaborative:note", note)
