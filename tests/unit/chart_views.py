"""Chart views for the drawing and wording tests: from analytics.qic results put on
the calendar (None for a month without data), or slot by slot by hand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from adapters.charts.legacy import baseline_of, phases_of, slots_of
from aggregates.values import MeasureDefinition
from analytics import qic
from projections.chart_model import PERCENT_CHARTS, ChartView, Mark, Phase, Slot
from tests.unit.builders import WEIGHT


def months_from(first: str, count: int) -> list[str]:
    """count consecutive months from first ("2025-01")."""
    year, month = (int(part) for part in first.split("-"))
    start = year * 12 + month - 1
    return [f"{m // 12}-{m % 12 + 1:02d}" for m in range(start, start + count)]


def qic_view(
    first: str,
    y: Sequence[float | None],
    n: Sequence[float | None] | None = None,
    *,
    chart: str = "p",
    freeze: int | None = None,
    part: Sequence[int] | None = None,
    exclude: Sequence[int] | None = None,
    reasons: Mapping[int, str] | None = None,
    marks: Sequence[Mark] = (),
    goal: float | None = None,
    measure: MeasureDefinition = WEIGHT,
    description: str = "",
) -> ChartView:
    """The chart qic computes for y (and n) over consecutive months from first."""
    months = months_from(first, len(y))
    result = qic(y, n, x=months, chart=chart, freeze=freeze, part=part, exclude=exclude)
    slots = slots_of(result)
    phases = [p.model_copy(update={"reason": (reasons or {}).get(p.number)}) for p in phases_of(result)]
    return ChartView(
        measure=measure,
        chart=chart,  # type: ignore[arg-type]
        chart_reason="the default for a proportion measure" if chart == "p" else "chosen for the test",
        result=result,
        cycles=[],
        slots=slots,
        phases=phases,
        marks=list(marks),
        baseline=baseline_of(slots),
        goal=goal,
        percent=chart in PERCENT_CHARTS,
        description=description,
    )


def hand_view(
    slots: Sequence[Slot],
    *,
    chart: str = "i",
    phases: Sequence[Phase] = (),
    marks: Sequence[Mark] = (),
    goal: float | None = None,
    percent: bool = False,
    measure: MeasureDefinition = WEIGHT,
) -> ChartView:
    """A view slot by slot, as the read model would hand it over; its result, three points with no
    shift or trend, only stands in for qic's (the drawing reads the slots, `describe` finds no patterns)."""
    qic_result = qic([1.0, 2.0, 3.0], chart="run")
    return ChartView(
        measure=measure,
        chart=chart,  # type: ignore[arg-type]
        chart_reason="chosen for the test",
        result=qic_result,
        cycles=[],
        slots=list(slots),
        phases=list(phases) or [Phase(number=1, first_period=slots[0].period, last_period=slots[-1].period)],
        marks=list(marks),
        goal=goal,
        percent=percent,
        description="A chart built by hand.",
    )
