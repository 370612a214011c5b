"""How much of one stored list a page draws. Commands now bound their lists, but
history written before keeps what it holds (one shared project named 40,000
measures, and its library page took 43 s and 100 MB): pages draw the first few
distinct items and say how many more there are."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
MEASURE_CHARTS = 6  # a chart is the costly part: computed, then drawn as SVG
ITEMS = 20  # change ideas, tags: a line of text each


@dataclass(frozen=True)
class Capped(Generic[T]):
    """The items a page draws, and how many distinct others it leaves out."""

    shown: list[T]
    more: int


def capped(items: Iterable[T], limit: int) -> Capped[T]:
    """The first `limit` distinct items, in order; a repeated item is drawn once."""
    distinct = list(dict.fromkeys(items))
    return Capped(distinct[:limit], max(len(distinct) - limit, 0))
