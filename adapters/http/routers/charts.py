"""Measure charts: a team's, or the collaborative's across its teams; JSON, or
SVG when the client accepts image/svg+xml."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response

from adapters.charts.people import named_for_people
from adapters.charts.svg import render_chart
from adapters.http.deps import CallerDep, QueriesDep, VariesByAccept
from adapters.http.errors import READ_ERRORS, InvalidInput
from adapters.http.responses import VARY_ACCEPT, negotiated
from engine.queries import Chart
from projections.charts import ChartOptions, ChartType, ChartView

router = APIRouter(tags=["measurement"])

SVG = "image/svg+xml"
CHART_RESPONSES = READ_ERRORS | negotiated(SVG)
Key = Annotated[str, Query(max_length=64)]
Positions = Annotated[list[int] | None, Query(description="1-based positions", max_length=500)]


@router.get(
    "/teams/{team_id}/measures/{measure_key}/chart", responses=CHART_RESPONSES, dependencies=[VariesByAccept]
)
def team_chart(
    team_id: UUID,
    measure_key: str,
    queries: QueriesDep,
    caller: CallerDep,
    accept: Annotated[str | None, Header()] = None,
    chart: Annotated[ChartType | None, Query(description="defaults from the measure's data type")] = None,
    freeze: Annotated[int | None, Query(ge=1, le=10_000)] = None,
    part: Positions = None,
    exclude: Positions = None,
) -> ChartView:
    """A team measure's run or control chart with signals and PDSA cycle starts."""
    principal = caller.principal
    options = ChartOptions(chart=chart, freeze=freeze, part=part, exclude=exclude)
    found = _computed(lambda: queries.team_chart(principal, team_id, measure_key, options))
    return _negotiate(found, accept)  # type: ignore[return-value]


@router.get(
    "/collaboratives/{collaborative_id}/measures/{measure_key}/chart",
    responses=CHART_RESPONSES,
    dependencies=[VariesByAccept],
)
def collaborative_chart(
    collaborative_id: UUID,
    measure_key: str,
    queries: QueriesDep,
    caller: CallerDep,
    accept: Annotated[str | None, Header()] = None,
    chart: Annotated[ChartType | None, Query(description="defaults from the measure's data type")] = None,
    freeze: Annotated[int | None, Query(ge=1, le=10_000)] = None,
    part: Positions = None,
    exclude: Positions = None,
) -> ChartView:
    """The measure across the collaborative's active teams, summed by month."""
    principal = caller.principal
    options = ChartOptions(chart=chart, freeze=freeze, part=part, exclude=exclude)
    found = _computed(lambda: queries.collaborative_chart(principal, collaborative_id, measure_key, options))
    return _negotiate(found, accept)  # type: ignore[return-value]


def _computed(compute: Callable[[], Chart]) -> Chart:
    try:
        return compute()
    except ValueError as error:
        raise InvalidInput(["query"], f"cannot draw this chart: {error}") from None


def _negotiate(found: Chart, accept: str | None) -> ChartView | Response:
    view = found.view
    if accept and SVG in accept:
        svg = render_chart(named_for_people(view, {}), f"{found.of}: {view.measure.name}")
        return Response(svg, media_type=SVG, headers=VARY_ACCEPT)
    return view
