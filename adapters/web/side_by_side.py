"""Pages that compare the teams of a collaborative on one measure: every team's chart side
by side (sorted as faculty ask, with a table of each team's latest value and signals in
words), and the funnel plot of a month or a window (its outliers and the teams without data
in words); each with its drawing to download as SVG or PNG."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from adapters.charts.comparisons import (
    draw_funnel,
    draw_team_charts,
    funnel_title,
    month,
    outlier_words,
    window_words,
)
from adapters.charts.png import svg_to_png
from adapters.http.deps import get_queries
from adapters.http.errors import InvalidInput, Problem
from adapters.web.pages import error_page, linked_teams, render
from adapters.web.session import signed_in
from aggregates.tokens import Principal
from aggregates.values import DataType
from engine.errors import NotFound
from engine.queries import TeamCharts, TeamFunnel
from engine.queries.comparisons import MAX_MONTHS
from projections.charts import TeamChart
from projections.team_order import SORT_KEYS

router = APIRouter(include_in_schema=False)
BASE = "/ui/collaboratives/{collaborative_id}/measures/{measure_key}"
SORTS = {"name": "by name", "latest": "latest value", "signal": "signals first", "goal": "furthest from goal"}
WINDOWS = (1, 2, 3, 6, 12, 24, 36)
Format = Literal["svg", "png"]
TYPES = {"svg": "image/svg+xml", "png": "image/png"}


@router.get(BASE + "/teams")
def side_by_side(request: Request, collaborative_id: UUID, measure_key: str, sort: str = "name") -> Response:
    principal = signed_in(request)
    found = _team_charts(request, collaborative_id, measure_key, sort)
    rows = [_row(t) for t in found.teams]
    return render(
        request, "side_by_side.html", principal, cid=collaborative_id, found=found, svg=draw_team_charts(found),
        rows=rows, sorts=SORTS, linked=linked_teams(request, principal), comparable=_comparable(found),
    )  # fmt: skip


@router.get(BASE + "/teams.{fmt}")
def side_by_side_download(
    request: Request, collaborative_id: UUID, measure_key: str, fmt: Format, sort: str = "name"
) -> Response:
    signed_in(request)
    found = _team_charts(request, collaborative_id, measure_key, sort)
    return _download(draw_team_charts(found), fmt, f"{measure_key}-every-team")


@router.get(BASE + "/funnel")
def funnel_page(
    request: Request, collaborative_id: UUID, measure_key: str, period: str | None = None,
    months: Annotated[int, Query(ge=1, le=MAX_MONTHS)] = 1,
) -> Response:  # fmt: skip
    principal = signed_in(request)
    try:
        found = _funnel(request, collaborative_id, measure_key, period, months)
    except NoFunnel as refused:
        return _refused(request, principal, refused)
    outliers = [outlier_words(p, found) for p in found.funnel.outliers] if found.funnel else []
    windows = sorted({*WINDOWS, months})
    return render(
        request, "funnel.html", principal, cid=collaborative_id, found=found, svg=draw_funnel(found),
        outliers=outliers, words=window_words(found), title=funnel_title(found), windows=windows,
        choices=[(p, month(p)) for p in reversed(found.periods)],
    )  # fmt: skip


@router.get(BASE + "/funnel.{fmt}")
def funnel_download(
    request: Request, collaborative_id: UUID, measure_key: str, fmt: Format, period: str | None = None,
    months: Annotated[int, Query(ge=1, le=MAX_MONTHS)] = 1,
) -> Response:  # fmt: skip
    principal = signed_in(request)
    try:
        found = _funnel(request, collaborative_id, measure_key, period, months)
    except NoFunnel as refused:
        return _refused(request, principal, refused)
    svg = draw_funnel(found)
    if svg is None:
        raise NotFound(f"month with data of measure {measure_key!r} in collaborative", collaborative_id)
    return _download(svg, fmt, f"{measure_key}-funnel-{found.through}")


def _team_charts(request: Request, collaborative_id: UUID, key: str, sort: str) -> TeamCharts:
    if sort not in SORT_KEYS:
        raise InvalidInput(["query", "sort"], f"the teams sort {', '.join(SORTS.values())}; not {sort!r}")
    return get_queries(request).team_charts(signed_in(request), collaborative_id, key, sort)


def _funnel(
    request: Request, collaborative_id: UUID, key: str, period: str | None, months: int
) -> TeamFunnel:
    if period is not None and not _is_month(period):
        raise InvalidInput(
            ["query", "period"], f"the month is given as YYYY-MM, e.g. 2025-06; not {period!r}"
        )
    try:
        return get_queries(request).funnel(
            signed_in(request), collaborative_id, key, through=period, months=months
        )
    except ValueError as error:
        raise NoFunnel(f"There is no funnel plot of this measure: {error}.") from None


class NoFunnel(Exception):
    """The measure cannot be drawn as a funnel (a count or a measurement), in words."""


def _refused(request: Request, principal: Principal, refused: NoFunnel) -> Response:
    return error_page(request, principal, Problem(title="No funnel plot", status=422, detail=str(refused)))


def _is_month(text: str) -> bool:
    return len(text) == 7 and text[4] == "-" and (text[:4] + text[5:]).isdigit() and 1 <= int(text[5:]) <= 12


def _comparable(found: TeamCharts) -> bool:
    """Whether the measure has a funnel plot: a proportion or a rate."""
    return found.measure.data_type in (DataType.PROPORTION, DataType.RATE)


def _row(team: TeamChart) -> dict[str, Any]:
    """A team's line of the table: its latest month in words and its signals in words."""
    view = team.view
    last = next((s for s in reversed(view.slots) if s.y is not None), None)
    raw = next((r for r in reversed(team.data) if last and r[0] == last.period), None)
    if last is None or last.y is None:
        latest = "no data yet"
    else:
        value = f"{last.y * 100:.0f}%" if view.percent else f"{last.y:.3g}"
        of = f" ({raw[1]:g} of {raw[2]:g})" if raw and raw[2] is not None else ""
        latest = f"{value}{of}, {month(last.period)}"
    return {"team_id": team.team_id, "name": team.name, "setting": team.care_setting.replace("_", " "),
            "latest": latest, "signals": signal_words(team)}  # fmt: skip


def signal_words(team: TeamChart) -> str:
    slots = team.view.slots
    found = [
        f"{n} {'point' if n == 1 else 'points'} {what}"
        for n, what in (
            (sum(s.outside_limits for s in slots), "outside the limits"),
            (sum(s.in_shift for s in slots), "in a shift"),
            (sum(s.in_trend for s in slots), "in a trend"),
        )
        if n
    ]
    return "; ".join(found) if found else "no signal"


def _download(svg: str, fmt: str, name: str) -> Response:
    body = svg_to_png(svg) if fmt == "png" else svg
    disposition = f'attachment; filename="{name}.{fmt}"'
    return Response(body, media_type=TYPES[fmt], headers={"Content-Disposition": disposition})
