"""What the deprecated `render_svg(result, ...)` draws from: a bare QicResult put on
the read model's terms (slots with their signals, phases from its parts, PDSA cycle
starts as marks), for the callers that have no ChartView with slots yet.

Only the drawing reads this view: it carries no measure, so `describe` cannot be
asked about it, and the description is the one the chart always had.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analytics.models import Pattern, QicResult
from projections.chart_model import PERCENT_CHARTS, Baseline, ChartView, Mark, Phase, Slot
from projections.chart_words import CHART_NAMES


@dataclass(frozen=True)
class Annotation:
    """A labelled moment on the x axis, e.g. the start of a PDSA cycle."""

    x: str
    label: str
    detail: str = ""


def view_of(result: QicResult, annotations: Sequence[Annotation], percent: bool) -> ChartView:
    """The drawing's view of a result: unvalidated, for the drawing only (no measure, no reason)."""
    slots = slots_of(result)
    marks = [Mark(period=a.x, kind="pdsa", label=a.label, detail=a.detail) for a in annotations]
    return ChartView.model_construct(
        chart=result.chart,
        result=result,
        cycles=[],
        slots=slots,
        phases=phases_of(result),
        marks=marks,
        baseline=baseline_of(slots),
        goal=None,
        percent=percent or result.chart in PERCENT_CHARTS,
        rules=None,
        description=_summary(result),
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


def _summary(result: QicResult) -> str:
    signals = sum(p.sigma_signal for p in result.points)
    runs = [p.part for p in result.parts if p.runs_signal]
    text = f"{CHART_NAMES.get(result.chart, result.chart)} of {len(result.points)} points; "
    text += f"{signals} outside the limits; " if result.chart != "run" else ""
    return text + (
        "non-random variation (runs) in part " + ", ".join(map(str, runs)) if runs else "no runs signal"
    )
