"""From a measure's monthly data and the decisions about its chart to what the chart shows.

The default rule, stated once: a run chart (median, Anhøj rules) until the measure has
enough points for a baseline (20 unless decided otherwise); from then on the control
chart of the measure's data type, its limits computed from the baseline and frozen. A
person may choose another chart type, another baseline, a new phase from a month (a
rebase, with its reason), points left out (with their reasons) and the goal; nothing
here ever rebases on its own.

Each phase is its own `qic()` call (its own centre, limits and runs analysis, as
qicharts2's `part`), with the baseline frozen inside it, which qicharts2 cannot combine
with parts. Points are placed on the calendar afterwards: one slot per month, a month
without data a gap.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from aggregates.measure_chart import CHART_NAMES, MeasureChartState
from aggregates.values import DataType, MeasureDefinition
from analytics import default_chart, qic
from analytics.models import PartSummary, Point, QicResult
from projections.chart_model import (
    PERCENT_CHARTS,
    Baseline,
    ChartProposal,
    ChartType,
    ChartView,
    CycleStart,
    Mark,
    Phase,
    RuleSet,
    Slot,
)
from projections.chart_words import describe

DEFAULT_BASELINE = 20
# Control charts signal as qicharts2 draws them: a point beyond a 3-sigma limit, and non-random
# runs (Anhøj) on the centre line. The IHI shift and trend rules are run-chart rules (Provost &
# Murray): on a control chart they would flag the same change many times over.
RULES = RuleSet(
    name="qicharts2 0.8.1 rules",
    version="2026.12-2",
    summary=(
        "control charts: limits at 3 sigma from the baseline, a point beyond a limit, and the Anhøj runs "
        "rules (a run longer than round(log2 n) + 3, or fewer crossings than qbinom(0.05, n − 1, 0.5)); "
        "run charts: the Anhøj runs rules, and the IHI rules of a shift of 6 points and a trend of 5"
    ),
)
_RATIO_CHARTS = frozenset({"run", "i", "mr", "p", "pp", "u", "up", "ip"})


@dataclass(frozen=True)
class Series:
    """A measure's reported months, in order: numerator and (for ratios) denominator."""

    periods: Sequence[str]
    numerators: Sequence[float]
    denominators: Sequence[float | None] | None = None


@dataclass(frozen=True)
class Extras:
    """What is drawn on the time axis beside the data."""

    cycles: Sequence[CycleStart] = ()
    marks: Sequence[Mark] = ()  # collaborative phase changes and the like, at their months
    baseline_default: int = DEFAULT_BASELINE
    chart_override: str | None = None  # a one-off "what if" from the caller, not a decision


def chart_type(
    measure: MeasureDefinition, settings: MeasureChartState | None, points: int, n: int
) -> tuple[str, str]:
    """The chart to draw and why (the why reads after the chart's name), by the default
    rule unless a person chose one."""
    if settings is not None and settings.chart is not None and settings.chart.chart is not None:
        return settings.chart.chart, f"chosen because {_lowered(settings.chart.reason)}"
    spc = default_chart(measure.data_type.value)
    if points < n:
        return (
            "run",
            f"{points} of the {n} months a baseline needs so far; the {CHART_NAMES[spc]} follows at {n}",
        )
    decided = settings is not None and settings.baseline is not None
    limits = "the baseline decided below" if decided else f"the first {n} months"
    return spc, f"the measure's control chart, its limits from {limits}"


def _lowered(reason: str) -> str:
    """A reason read inside a sentence: its first letter lowered unless it starts a name or an acronym."""
    first = reason.split(" ", 1)[0]
    return reason if first[1:2].isupper() or first[:1].isdigit() else reason[:1].lower() + reason[1:]


def build(
    measure: MeasureDefinition,
    series: Series,
    settings: MeasureChartState | None,
    extras: Extras = Extras(),
) -> ChartView:
    """The chart of the series under the decisions in `settings` (None: no decision yet)."""
    baseline_n = _baseline_points(settings, extras.baseline_default)
    chart, reason = chart_type(measure, settings, len(series.periods), baseline_n)
    if extras.chart_override is not None:
        chart, reason = (
            extras.chart_override,
            f"{CHART_NAMES[extras.chart_override]}, as asked for this view.",
        )
    marks = [*_cycle_marks(extras.cycles), *extras.marks, *_note_marks(settings)]
    goal = _goal(measure, settings)
    percent = measure.data_type is DataType.PROPORTION and chart in PERCENT_CHARTS
    base = ChartView(
        measure=measure, chart=cast(ChartType, chart), chart_reason=reason, result=QicResult(chart=chart, points=(), parts=()),
        cycles=list(extras.cycles), goal=goal, percent=percent, rules=RULES, proposals=_proposals(settings),
    )  # fmt: skip
    if not series.periods:
        return _described(base.model_copy(update={"marks": sorted(marks, key=lambda m: m.period)}))
    phases = _phase_ranges(series.periods, settings)
    points: list[Point] = []
    parts: list[PartSummary] = []
    baseline: Baseline | None = None
    for number, (start, stop) in enumerate(phases, start=1):
        freeze = _freeze(series.periods[start:stop], settings, baseline_n, first=number == 1, chart=chart)
        result = _phase_chart(measure, chart, series, start, stop, freeze, settings)
        offset = len(points)
        points.extend(p.model_copy(update={"part": number}) for p in result.points)
        parts.extend(_shifted(summary, number, offset, run=chart == "run") for summary in result.parts)
        if number == 1 and freeze is not None and chart != "run":
            baseline = Baseline(
                points=freeze,
                through=series.periods[start + freeze - 1],
                reason=_baseline_reason(settings, freeze),
            )
    result = QicResult(chart=chart, points=tuple(points), parts=tuple(parts))
    slots = _slots(series.periods, points, parts, settings, marks)
    return _described(base.model_copy(update={
        "result": result, "slots": slots, "phases": _phases(series.periods, phases, parts, points, settings),
        "marks": sorted(marks, key=lambda m: m.period), "baseline": baseline,
    }))  # fmt: skip


def _described(view: ChartView) -> ChartView:
    return view.model_copy(update={"description": describe(view)})


def _baseline_points(settings: MeasureChartState | None, default: int) -> int:
    if settings is not None and settings.baseline is not None and settings.baseline.points is not None:
        return settings.baseline.points
    return default


def _freeze(
    periods: Sequence[str], settings: MeasureChartState | None, n: int, *, first: bool, chart: str
) -> int | None:
    """How many of the phase's first points the limits come from; None: all of them."""
    through = settings.baseline.through if settings is not None and settings.baseline is not None else None
    if first and through is not None:
        k = sum(period <= through for period in periods)
        return k if 0 < k < len(periods) else None
    if chart == "run" and (settings is None or settings.baseline is None):
        return None  # a run chart's median is of all its points, unless a person froze it
    return n if n < len(periods) else None


def _baseline_reason(settings: MeasureChartState | None, freeze: int) -> str:
    if settings is not None and settings.baseline is not None:
        return settings.baseline.reason
    return f"the first {freeze} months (the default baseline)"


def _phase_ranges(periods: Sequence[str], settings: MeasureChartState | None) -> list[tuple[int, int]]:
    """[start, stop) of each phase's points; a split before the first or after the last point is none."""
    starts = sorted(settings.splits) if settings is not None else []
    cuts = sorted({i for s in starts for i in [_first_at_or_after(periods, s)] if 0 < i < len(periods)})
    bounds = [0, *cuts, len(periods)]
    return list(itertools.pairwise(bounds))


def _first_at_or_after(periods: Sequence[str], period: str) -> int:
    return next((i for i, p in enumerate(periods) if p >= period), len(periods))


def _phase_chart(
    measure: MeasureDefinition,
    chart: str,
    series: Series,
    start: int,
    stop: int,
    freeze: int | None,
    settings: MeasureChartState | None,
) -> QicResult:
    periods = list(series.periods[start:stop])
    sizes = None
    if series.denominators is not None and chart in _RATIO_CHARTS and measure.denominator:
        sizes = list(series.denominators[start:stop])
    excluded = settings.excluded if settings is not None else {}
    exclude = [i for i, period in enumerate(periods, start=1) if period in excluded] or None
    return qic(
        list(series.numerators[start:stop]), sizes, x=periods, chart=chart, freeze=freeze, exclude=exclude
    )


def _shifted(summary: PartSummary, number: int, offset: int, *, run: bool) -> PartSummary:
    """The part renumbered in the whole chart, its patterns' positions moved with it; the IHI
    shifts and trends kept on run charts only (see RULES)."""

    def move(patterns: tuple) -> tuple:  # type: ignore[type-arg]
        return tuple(
            p.model_copy(update={"first": p.first + offset, "last": p.last + offset}) for p in patterns
        )

    if not run:
        return summary.model_copy(update={"part": number, "shifts": (), "trends": ()})
    return summary.model_copy(
        update={"part": number, "shifts": move(summary.shifts), "trends": move(summary.trends)}
    )


def _goal(measure: MeasureDefinition, settings: MeasureChartState | None) -> float | None:
    if settings is not None and settings.goal is not None and settings.goal.goal is not None:
        return settings.goal.goal
    return measure.target


def months_between(first: str, last: str) -> list[str]:
    """Every month from first to last, both included (YYYY-MM)."""
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _slots(
    periods: Sequence[str],
    points: Sequence[Point],
    parts: Sequence[PartSummary],
    settings: MeasureChartState | None,
    marks: Sequence[Mark],
) -> list[Slot]:
    in_shift = {i for part in parts for s in part.shifts for i in range(s.first, s.last + 1)}
    in_trend = {i for part in parts for t in part.trends for i in range(t.first, t.last + 1)}
    runs = {part.part for part in parts if part.runs_signal}
    excluded = settings.excluded if settings is not None else {}
    # A phase whose limits come from all its points has no baseline to mark.
    frozen = {p.part for p in points if not p.baseline}
    by_period = {}
    for position, (period, point) in enumerate(zip(periods, points, strict=True), start=1):
        by_period[period] = Slot(
            period=period, y=point.y, n=point.n, cl=point.cl, lcl=point.lcl, ucl=point.ucl, part=point.part,
            baseline=point.baseline and point.part in frozen,
            excluded=excluded[period].reason if period in excluded else None,
            outside_limits=point.sigma_signal, in_shift=position in in_shift and point.y is not None,
            in_trend=position in in_trend and point.y is not None, runs_signal=point.part in runs,
        )  # fmt: skip
    first, last = periods[0], periods[-1]
    for mark in marks:  # a PDSA cycle or a note beyond the data still gets its month
        if mark.kind != "phase":
            first, last = min(first, mark.period), max(last, mark.period)
    slots = []
    part = 1
    for month in months_between(first, last):
        slot = by_period.get(month)
        if slot is None:
            slots.append(Slot(period=month, part=part))
        else:
            part = slot.part
            slots.append(slot)
    return slots


def _phases(
    periods: Sequence[str],
    ranges: Sequence[tuple[int, int]],
    parts: Sequence[PartSummary],
    points: Sequence[Point],
    settings: MeasureChartState | None,
) -> list[Phase]:
    out = []
    splits = settings.splits if settings is not None else {}
    starts = sorted(splits)
    for (start, stop), part in zip(ranges, parts, strict=True):
        split = None
        if part.part > 1:
            # The split that begins this phase: the latest one at or before its first month.
            key = max(s for s in starts if s <= periods[start])
            split = splits[key]
        out.append(Phase(
            number=part.part, first_period=periods[start], last_period=periods[stop - 1],
            reason=split.reason if split else None, decided_by=split.by if split else None,
            decided_role=split.role if split else None,
            decided_at=split.at if split else None, centre=points[start].cl,
            runs_signal=part.runs_signal, longest_run=part.longest_run, longest_run_max=part.longest_run_max,
            n_crossings=part.n_crossings, n_crossings_min=part.n_crossings_min,
        ))  # fmt: skip
    return out


def _cycle_marks(cycles: Sequence[CycleStart]) -> list[Mark]:
    return [
        Mark(period=c.period, kind="pdsa", label=f"PDSA {i}", detail=f"PDSA cycle {i}: {c.title} ({c.stage})")
        for i, c in enumerate(cycles, start=1)
    ]


def _note_marks(settings: MeasureChartState | None) -> list[Mark]:
    if settings is None:
        return []
    return [
        Mark(
            period=n.period,
            kind="annotation",
            label="Note",
            detail=n.text,
            who=n.by,
            role=n.role,
            at=n.at,
            annotation_id=str(i),
        )
        for i, n in settings.notes.items()
        if n.withdrawn is None
    ]


def _proposals(settings: MeasureChartState | None) -> list[ChartProposal]:
    if settings is None:
        return []
    return [
        ChartProposal(
            proposal_id=str(i), decision=p.decision.model_dump(mode="json"), reason=p.reason, by=p.by, role=p.role, at=p.at,
            status=p.status, answered_by=p.answered_by, answer=p.answer,
        )
        for i, p in sorted(settings.proposals.items(), key=lambda item: item[1].at)
    ]  # fmt: skip
