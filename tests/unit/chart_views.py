"""Chart views for the drawing and wording tests: from analytics.qic results put on
the calendar (None for a month without data), or slot by slot by hand."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from aggregates.values import MeasureDefinition
from analytics import qic
from analytics.models import Pattern, QicResult
from projections.chart_model import PERCENT_CHARTS, Baseline, ChartView, Mark, Phase, Slot
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
        percent=chart in PERCENT_CHARTS and n is not None,
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


def slots_of(result: QicResult) -> list[Slot]:
    """A slot per point, flagged with the signals it is part of (a pattern's positions are 1-based)."""
    shifts = _positions(p for part in result.parts for p in part.shifts)
    trends = _positions(p for part in result.parts for p in part.trends)
    runs = {part.part for part in result.parts if part.runs_signal}
    counted = [p.include and p.y is not None for p in result.points]
    return [
        Slot(
            period=str(p.x),
            y=p.y,
            n=p.n,
            cl=p.cl,
            lcl=p.lcl,
            ucl=p.ucl,
            part=p.part,
            baseline=p.baseline,
            excluded=None if p.include else "left out of the centre line and limits",
            outside_limits=p.sigma_signal,
            in_shift=position in shifts and counted[position - 1],
            in_trend=position in trends and counted[position - 1],
            runs_signal=p.part in runs,
        )
        for position, p in enumerate(result.points, start=1)
    ]


def phases_of(result: QicResult) -> list[Phase]:
    """A phase per part, with its runs figures and its (first) centre."""
    phases = []
    for part in result.parts:
        members = [p for p in result.points if p.part == part.part]
        if not members:
            continue
        phases.append(
            Phase(
                number=part.part,
                first_period=str(members[0].x),
                last_period=str(members[-1].x),
                centre=next((p.cl for p in members if p.cl is not None), None),
                runs_signal=part.runs_signal,
                longest_run=part.longest_run,
                longest_run_max=part.longest_run_max,
                n_crossings=part.n_crossings,
                n_crossings_min=part.n_crossings_min,
            )
        )
    return phases


def baseline_of(slots: Sequence[Slot]) -> Baseline | None:
    """The frozen baseline, when only the first points are: none when every point counts."""
    base = [s for s in slots if s.baseline]
    if not base or len(base) == len(slots):
        return None
    return Baseline(points=len(base), through=base[-1].period, reason="limits frozen at the baseline")


def _positions(patterns: Iterable[Pattern]) -> set[int]:
    return {k for p in patterns for k in range(p.first, p.last + 1)}
