"""The comparisons across teams drawn and told in words, the same for the API, the pages and
the toolkit export: the small multiples of every team's chart, the funnel of a month or a
window, their titles, and each outlier as a sentence ("Big Horn Valley Hospital: 42% of 31
children, below the 99.8% limit")."""

from __future__ import annotations

from datetime import datetime

from adapters.charts.funnel import render_funnel
from adapters.charts.multiples import render_small_multiples
from analytics.funnel import Band, FunnelPoint
from engine.queries import TeamCharts, TeamFunnel

SIDES = {
    Band.HIGH_998: "above the 99.8% limit",
    Band.LOW_998: "below the 99.8% limit",
    Band.HIGH_95: "above the 95% limit",
    Band.LOW_95: "below the 95% limit",
    Band.INSIDE: "inside the 95% limits",
}


def month(period: str) -> str:
    """A month ("2025-06") as people write it: "Jun 2025"."""
    return datetime.strptime(period, "%Y-%m").strftime("%b %Y")


def team_charts_title(found: TeamCharts) -> str:
    """The drawing's title: the measure (the page, or the file's name, says the collaborative)."""
    return f"{found.measure.name}: every team"


def draw_team_charts(found: TeamCharts, columns: int = 4, width: int = 980) -> str:
    """The small multiples, a panel per team in the order the query sorted them."""
    panels = [(t.name, t.view) for t in found.teams]
    return render_small_multiples(panels, team_charts_title(found), columns=columns, width=width)


def window_words(found: TeamFunnel) -> str:
    """The months compared, as people say them: "Jun 2025", or "Apr 2025 to Jun 2025"."""
    if not found.window:
        return "no month with data"
    first, last = month(found.window[0]), month(found.window[-1])
    return last if first == last else f"{first} to {last}"


def funnel_title(found: TeamFunnel) -> str:
    return f"{found.measure.name}, {window_words(found)}"


def draw_funnel(found: TeamFunnel) -> str | None:
    """The funnel plot; None when no team has data in the window."""
    return None if found.funnel is None else render_funnel(found.funnel, funnel_title(found))


def outlier_words(point: FunnelPoint, found: TeamFunnel) -> str:
    """One team's place on the funnel in a sentence: its value, of how many, and which limit it
    passes ("Big Horn Valley Hospital: 42% of 31, below the 99.8% limit")."""
    if found.measure.data_type.value == "proportion":
        value = f"{point.value * 100:.0f}% of {point.denominator:g}"
    else:
        value = f"{point.value:.3g} ({point.numerator:g} over {point.denominator:g})"
    return f"{point.label}: {value}, {SIDES[point.band]}"
