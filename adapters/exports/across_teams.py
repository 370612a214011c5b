"""The toolkit's "Results across teams": for each of the collaborative's measures, every team's
chart side by side and (for a proportion or a rate) the funnel of its latest month with the
outliers in words.

A toolkit stands as everything stood at the audit position it was compiled at, but the charts
are read from the read model as it is now (charts as of a past position are not kept), so the
section says the day it was drawn. The PDF embeds the drawings as PNG: the small multiples of
hundreds of teams are cut between rows of panels into strips a page high.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from uuid import UUID

from fpdf import FPDF
from PIL import Image

from adapters.charts.comparisons import draw_funnel, draw_team_charts, outlier_words, window_words
from adapters.charts.multiples import GAP, MARGIN, PANEL_HEIGHT, WIDTH
from aggregates.tokens import Principal
from aggregates.values import DataType
from engine.errors import NotFound
from engine.queries import Queries

COLUMNS = 4
SHARP_UP_TO = 100  # teams drawn at 2 pixels per point in the PDF; more, at 1 (the PNG stays small)


@dataclass(frozen=True)
class AcrossTeams:
    """One measure across the teams: the drawings (SVG) and the funnel told in words."""

    measure: str
    teams: int
    multiples: str
    funnel: str | None = None  # None: a count or a measurement, or no month with data
    funnel_month: str = ""
    outliers: list[str] = field(default_factory=list)
    no_data: list[str] = field(default_factory=list)
    drawn_on: date = field(default_factory=lambda: datetime.now(UTC).date())


def results_across(queries: Queries, principal: Principal, collaborative_id: UUID) -> list[AcrossTeams]:
    """Each of the collaborative's measures that a team reports, compared across the teams."""
    collaborative = queries.collaborative(principal, collaborative_id)
    out = []
    for measure in collaborative.state.measures.values():
        try:
            charts = queries.team_charts(principal, collaborative_id, measure.key, "name")
        except NotFound:  # no team has the measure yet
            continue
        across = AcrossTeams(measure.name, len(charts.teams), draw_team_charts(charts, columns=COLUMNS))
        if measure.data_type in (DataType.PROPORTION, DataType.RATE):
            try:
                found = queries.funnel(principal, collaborative_id, measure.key)
            except ValueError:  # months the funnel cannot take (events out of no patients): charts only
                out.append(across)
                continue
            across = AcrossTeams(
                across.measure, across.teams, across.multiples, draw_funnel(found), window_words(found),
                [outlier_words(p, found) for p in found.funnel.outliers] if found.funnel else [],
                [t.name for t in found.no_data],
            )  # fmt: skip
        out.append(across)
    return out


def strips(png: bytes, teams: int, scale: float, most: float) -> list[bytes]:
    """The small multiples' PNG cut between rows of panels into pieces at most `most` pixels high
    (the heading and legend stay with the first row)."""
    drawn = Image.open(io.BytesIO(png))
    rows = -(-teams // COLUMNS)
    row = (PANEL_HEIGHT + GAP) * scale
    top = drawn.height - rows * row - MARGIN * scale
    cuts, at = [0], top
    for _ in range(rows):
        if at + row - cuts[-1] > most and at > cuts[-1]:
            cuts.append(round(at))
        at += row
    cuts.append(drawn.height)
    out = []
    for start, stop in itertools.pairwise(cuts):
        buffer = io.BytesIO()
        drawn.crop((0, start, drawn.width, stop)).save(buffer, format="PNG")
        out.append(buffer.getvalue())
    return out


def page_high(pdf: FPDF, scale: float) -> float:
    """How many of the small multiples' pixels fit a page's printable height when drawn page wide."""
    return (pdf.eph - 12) * WIDTH * scale / pdf.epw


def image(pdf: FPDF, png: bytes) -> None:
    """The PNG page wide, on a new page when the rest of this one is too short for it."""
    with Image.open(io.BytesIO(png)) as drawn:
        height = pdf.epw * drawn.height / drawn.width
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.image(io.BytesIO(png), w=pdf.epw, h=height)
    pdf.ln(2)
