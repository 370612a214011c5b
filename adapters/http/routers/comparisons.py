"""Every team's chart of a measure side by side, and the funnel plot across the teams: JSON,
or an SVG or a PNG when the client's Accept asks for image/svg+xml or image/png."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from adapters.charts.comparisons import draw_funnel, draw_team_charts
from adapters.charts.png import svg_to_png
from adapters.http.deps import PrincipalDep, QueriesDep, VariesByAccept
from adapters.http.errors import READ_ERRORS, InvalidInput
from adapters.http.responses import VARY_ACCEPT, VARY_HEADER
from adapters.http.schemas.comparisons import FunnelPublic, TeamChartsPublic
from engine.errors import NotFound
from engine.queries.comparisons import MAX_MONTHS

router = APIRouter(tags=["measurement"])

SVG, PNG = "image/svg+xml", "image/png"
IMAGES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            SVG: {"schema": {"type": "string"}},
            PNG: {"schema": {"type": "string", "format": "binary"}},
        },
        "headers": VARY_HEADER,
    }
}
RESPONSES = READ_ERRORS | IMAGES
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
T = TypeVar("T")


def a_month(value: object) -> str:
    """A query value as a month, YYYY-MM; refused by name otherwise."""
    if not (isinstance(value, str) and len(value) == 7 and value[4] == "-" and value[:4].isdigit()
            and value[5:].isdigit() and 1 <= int(value[5:]) <= 12):  # fmt: skip
        raise PydanticCustomError("month", "{value} is not a month: give it as YYYY-MM, e.g. 2025-06",
                                  {"value": repr(value)})  # fmt: skip
    return value


Month = Annotated[str, BeforeValidator(a_month), WithJsonSchema({"type": "string", "pattern": MONTH})]
Sort = Literal["name", "latest", "signal", "goal"]


@router.get(
    "/collaboratives/{collaborative_id}/measures/{measure_key}/teams",
    responses=RESPONSES,
    dependencies=[VariesByAccept],
)
def team_charts(
    collaborative_id: UUID,
    measure_key: str,
    queries: QueriesDep,
    principal: PrincipalDep,
    accept: Annotated[str | None, Header()] = None,
    sort: Annotated[
        Sort, Query(description="name, latest value, signals first, or furthest from goal")
    ] = "name",
) -> TeamChartsPublic:
    """Every active team's chart of the measure: each team's latest value, signals and goal."""
    found = queries.team_charts(principal, collaborative_id, measure_key, sort)
    image = _image(accept, lambda: draw_team_charts(found))
    return image or TeamChartsPublic.of(found)  # type: ignore[return-value]


@router.get(
    "/collaboratives/{collaborative_id}/measures/{measure_key}/funnel",
    responses=RESPONSES,
    dependencies=[VariesByAccept],
)
def funnel(
    collaborative_id: UUID,
    measure_key: str,
    queries: QueriesDep,
    principal: PrincipalDep,
    accept: Annotated[str | None, Header()] = None,
    period: Annotated[
        Month | None, Query(description="the window's last month; default the latest with data")
    ] = None,
    months: Annotated[int, Query(ge=1, le=MAX_MONTHS, description="the window's length in months")] = 1,
) -> FunnelPublic:
    """The funnel plot of a proportion or a rate across the active teams, for a month or a window."""
    found = _checked(
        lambda: queries.funnel(principal, collaborative_id, measure_key, through=period, months=months)
    )

    def drawn() -> str:
        svg = draw_funnel(found)
        if svg is None:
            raise NotFound(f"month with data of measure {measure_key!r} in collaborative", collaborative_id)
        return svg

    return _image(accept, drawn) or FunnelPublic.of(found)  # type: ignore[return-value]


def _checked(compute: Callable[[], T]) -> T:
    try:
        return compute()
    except ValueError as error:
        raise InvalidInput(["path", "measure_key"], f"cannot draw this funnel: {error}") from None


def _image(accept: str | None, svg: Callable[[], str]) -> Response | None:
    """The drawing as PNG or SVG when Accept asks for one (PNG first), else None: JSON."""
    if accept and PNG in accept:
        return Response(svg_to_png(svg()), media_type=PNG, headers=VARY_ACCEPT)
    if accept and SVG in accept:
        return Response(svg(), media_type=SVG, headers=VARY_ACCEPT)
    return None
