"""Measure charts: a team's, or the collaborative's across its teams; JSON, or
SVG when the client accepts image/svg+xml."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response

from adapters.charts.svg import Annotation, render_svg
from adapters.http.deps import (
    EngineDep,
    PrincipalDep,
    ReadModelsDep,
    VariesByAccept,
    authorize_collaborative_read,
)
from adapters.http.errors import READ_ERRORS, InvalidInput
from adapters.http.responses import VARY_ACCEPT, negotiated
from engine.authorization import authorize_team_read
from engine.errors import NotFound
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
    engine: EngineDep,
    read_models: ReadModelsDep,
    principal: PrincipalDep,
    accept: Annotated[str | None, Header()] = None,
    chart: Annotated[ChartType | None, Query(description="defaults from the measure's data type")] = None,
    freeze: Annotated[int | None, Query(ge=1, le=10_000)] = None,
    part: Positions = None,
    exclude: Positions = None,
) -> ChartView:
    """A team measure's run or control chart with signals and PDSA cycle starts."""
    team = engine.team(team_id)
    authorize_team_read(principal, team)
    options = ChartOptions(chart=chart, freeze=freeze, part=part, exclude=exclude)
    view = _computed(lambda: read_models.team_chart(team_id, measure_key, options))
    if view is None:
        raise NotFound(f"measure {measure_key!r} of team", team_id)
    return _negotiate(view, f"{team.state.name}: {view.measure.name}", accept)  # type: ignore[return-value]


@router.get(
    "/collaboratives/{collaborative_id}/measures/{measure_key}/chart",
    responses=CHART_RESPONSES,
    dependencies=[VariesByAccept],
)
def collaborative_chart(
    collaborative_id: UUID,
    measure_key: str,
    engine: EngineDep,
    read_models: ReadModelsDep,
    principal: PrincipalDep,
    accept: Annotated[str | None, Header()] = None,
    chart: Annotated[ChartType | None, Query(description="defaults from the measure's data type")] = None,
    freeze: Annotated[int | None, Query(ge=1, le=10_000)] = None,
    part: Positions = None,
    exclude: Positions = None,
) -> ChartView:
    """The measure across the collaborative's active teams, summed by month."""
    authorize_collaborative_read(engine, principal, collaborative_id)
    collaborative = engine.collaborative(collaborative_id)
    options = ChartOptions(chart=chart, freeze=freeze, part=part, exclude=exclude)
    view = _computed(lambda: read_models.collaborative_chart(collaborative_id, measure_key, options))
    if view is None:
        raise NotFound(f"measure {measure_key!r} in any team of collaborative", collaborative_id)
    return _negotiate(view, f"{collaborative.state.title}: {view.measure.name}", accept)  # type: ignore[return-value]


def _computed(compute: object) -> ChartView | None:
    try:
        return compute()  # type: ignore[operator,no-any-return]
    except ValueError as error:
        raise InvalidInput(["query"], f"cannot draw this chart: {error}") from None


def _negotiate(view: ChartView, title: str, accept: str | None) -> ChartView | Response:
    if accept and SVG in accept:
        notes = [
            Annotation(x=c.period, label=f"PDSA {i}", detail=f"PDSA cycle {i}: {c.title} ({c.stage})")
            for i, c in enumerate(view.cycles, start=1)
        ]
        percent = view.chart == "p"
        svg = render_svg(view.result, title, notes, percent=percent)
        return Response(svg, media_type=SVG, headers=VARY_ACCEPT)
    return view
