"""qic(): parts, freeze, exclude and multiply around the per-chart limits and the runs analysis."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from analytics import runs
from analytics.charts import lines_for
from analytics.inputs import Prepared, prepare
from analytics.limits import Lines, Segment, moving_ranges
from analytics.models import Label, PartSummary, Point, QicResult

_DEFAULT_CHARTS = {"proportion": "p", "rate": "u", "count": "c", "continuous": "i"}


def default_chart(data_type: str) -> str:
    """The control chart a measure's data type calls for: proportion→p, rate→u, count→c, continuous→i."""
    try:
        return _DEFAULT_CHARTS[data_type]
    except KeyError:
        known = ", ".join(_DEFAULT_CHARTS)
        raise ValueError(f"unknown data type {data_type!r}; expected one of {known}") from None


def qic(
    y: Sequence[float | None],
    n: Sequence[float | None] | None = None,
    *,
    x: Sequence[Label] | None = None,
    chart: str = "run",
    freeze: int | None = None,
    part: Sequence[int] | None = None,
    exclude: Sequence[int] | None = None,
    multiply: float = 1,
) -> QicResult:
    """Centre line, limits, sigma signals and runs analysis of a series, as qicharts2 0.8.1 computes them."""
    series = prepare(y, n, x=x, chart=chart, freeze=freeze, part=part, exclude=exclude, multiply=multiply)
    points: list[Point] = []
    summaries: list[PartSummary] = []
    for number, indices in enumerate(series.parts(), start=1):
        part_points = _part_points(series, indices, number)
        # As qicharts2: the runs analysis sees the values before multiply, the sigma signals after.
        summaries.append(_summary(series.chart, number, indices, part_points))
        points.extend(part_points if series.multiply == 1 else _scaled(part_points, series.multiply))
    return QicResult(chart=chart, points=tuple(points), parts=tuple(summaries))


def _part_points(series: Prepared, indices: list[int], number: int) -> list[Point]:
    values = [series.y[i] for i in indices]
    if series.chart == "mr":
        # Ranges restart in every part: its first point has none.
        values = moving_ranges(values)
    segment = Segment(
        y=values,
        counts=[series.counts[i] for i in indices],
        n=[series.n[i] for i in indices],
        base=[series.baseline[i] and series.include[i] for i in indices],
        sd=[series.sd[i] for i in indices],
    )
    lines = lines_for(series.chart, segment)
    return [
        _point(series, i, value, line, number) for i, value, line in zip(indices, values, lines, strict=True)
    ]


def _point(series: Prepared, i: int, value: float | None, line: Lines, number: int) -> Point:
    return Point(
        x=series.x[i],
        y=value,
        n=series.n[i],
        cl=line.cl,
        lcl=line.lcl,
        ucl=line.ucl,
        sigma_signal=_outside(value, line),
        include=series.include[i],
        baseline=series.baseline[i],
        part=number,
    )


def _outside(value: float | None, line: Lines) -> bool:
    above = value is not None and line.ucl is not None and value > line.ucl
    below = value is not None and line.lcl is not None and value < line.lcl
    return above or below


def _scaled(points: list[Point], multiply: float) -> list[Point]:
    """y, centre line and limits times multiply (e.g. 100 for percentages), signals tested on the result."""
    scaled = []
    for point in points:
        y, cl, lcl, ucl = (
            None if v is None else v * multiply for v in (point.y, point.cl, point.lcl, point.ucl)
        )
        update = {"y": y, "cl": cl, "lcl": lcl, "ucl": ucl, "sigma_signal": _outside(y, Lines(cl, lcl, ucl))}
        scaled.append(point.model_copy(update=update))
    return scaled


def _summary(chart: str, number: int, indices: list[int], points: list[Point]) -> PartSummary:
    analysed = [(i + 1, p) for i, p in zip(indices, points, strict=True) if p.include and p.y is not None]
    sides = [(position, _side(p.y, p.cl)) for position, p in analysed if p.y is not None and p.cl is not None]
    figures = runs.anhoej([side for _, side in sides if side != 0])
    if chart == "mr":
        # qicharts2 reports the runs figures of an MR chart but never signals on them.
        figures = replace(figures, runs_signal=False)
    return PartSummary(
        part=number,
        n_obs=sum(p.include for p in points),
        n_useful=figures.n_useful,
        longest_run=figures.longest_run,
        longest_run_max=figures.longest_run_max,
        n_crossings=figures.n_crossings,
        n_crossings_min=figures.n_crossings_min,
        runs_signal=figures.runs_signal,
        shifts=runs.shifts(sides),
        trends=runs.trends([(position, p.y) for position, p in analysed if p.y is not None]),
    )


def _side(y: float, cl: float) -> int:
    return (y > cl) - (y < cl)
