"""The chart table's filters: a chart value as the drawing labels it ("85%", "4.5"),
a subgroup size, and a month's signals in words, shared with the SVG so the table and
the chart say the same thing."""

from __future__ import annotations

from jinja2 import Environment

from projections.chart_model import Slot
from projections.chart_words import signal_words, value_words


def chart_value(value: float | None, percent: bool = False) -> str:
    """A value as the chart labels it: "85%" for a proportion, "4.5" otherwise, "—" for none."""
    return value_words(value, percent)


def size(value: float | None) -> str:
    """A subgroup size: "40", "12.5", blank for none."""
    return "" if value is None else f"{value:g}"


def signals(slot: Slot) -> str:
    """The signals a month is part of, in words, or blank."""
    return ", ".join(signal_words(slot)).capitalize()


def register(env: Environment) -> None:
    env.filters |= {"chart_value": chart_value, "chart_size": size, "chart_signals": signals}
