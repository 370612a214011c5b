"""The data of a chart: the line through the months (broken where a month has no data),
each month's point shaped by its signal, with its month, value and signals in its
title, and a hollow mark on the axis for each month without data.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from adapters.charts.frame import INK, MUTED, Frame, Layer
from adapters.charts.glyphs import point_shape
from projections.chart_model import Slot
from projections.chart_words import month_label, signal_words, value_words


def data_line(frame: Frame, slots: Sequence[Slot]) -> Layer:
    """One path through the months with data; a month without data starts a new stretch."""
    by_index = _by_index(frame, slots)
    commands, pen_down = [], False
    for index in range(len(frame.axis)):
        slot = by_index.get(index)
        if slot is None or slot.y is None:
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{frame.px(index):.1f},{frame.py(slot.y):.1f}")
        pen_down = True
    path = f'<path class="series" d="{"".join(commands)}" stroke="{INK}" stroke-width="1.5" fill="none"/>'
    return Layer(path if commands else "")


def points(frame: Frame, slots: Sequence[Slot], percent: bool, frozen: bool = False) -> Layer:
    """Each month with data as a shape: a small dark circle, or its signal's shape; `frozen` when
    the limits come from a baseline, which the baseline months' titles then say."""
    out, used = [], set()
    for index, slot in _by_index(frame, slots).items():
        if slot.y is None:
            continue
        kind = point_kind(slot)
        used.add(kind)
        out.append(
            f'<g class="{" ".join(point_classes(slot))}" data-period="{escape(slot.period)}">'
            f"{point_shape(kind, frame.px(index), frame.py(slot.y))}"
            f"<title>{escape(point_title(slot, percent, frozen))}</title></g>"
        )
    return Layer("".join(out), frozenset(used))


def gaps(frame: Frame, slots: Sequence[Slot]) -> Layer:
    """A hollow mark on the axis for every month without data, named in its title."""
    by_index = _by_index(frame, slots)
    out = []
    for index in range(len(frame.axis)):
        slot = by_index.get(index)
        if slot is not None and slot.y is not None:
            continue
        out.append(
            f'<g class="gap"><circle cx="{frame.px(index):.1f}" cy="{frame.bottom}" r="3" fill="#ffffff" '
            f'stroke="{MUTED}"/><title>{escape(frame.axis.label(index))}: no data</title></g>'
        )
    return Layer("".join(out), frozenset({"gap"}) if out else frozenset())


def point_kind(slot: Slot) -> str:
    """The shape a month is drawn as: left out, beyond the limits, in a shift, in a trend, or plain."""
    if slot.excluded is not None:
        return "excluded"
    if slot.outside_limits:
        return "signal-outside"
    if slot.in_shift:
        return "signal-shift"
    if slot.in_trend:
        return "signal-trend"
    return "point"


def point_classes(slot: Slot) -> list[str]:
    """ "point", then "signal" and each signal's kind when it is part of one, and "excluded"."""
    kinds = [
        kind
        for kind, flagged in (
            ("signal-outside", slot.outside_limits),
            ("signal-shift", slot.in_shift),
            ("signal-trend", slot.in_trend),
        )
        if flagged
    ]
    return [
        "point",
        *(["signal", *kinds] if kinds else []),
        *(["excluded"] if slot.excluded is not None else []),
    ]


def point_title(slot: Slot, percent: bool, frozen: bool = False) -> str:
    """ "Jun 2025: 85% (34 of 40); outside the limits" """
    size = ""
    if slot.n is not None and slot.y is not None:
        size = f" ({round(slot.y * slot.n)} of {slot.n:g})" if percent else f" (n = {slot.n:g})"
    words = signal_words(slot)
    if slot.excluded is not None:
        words.append(f"excluded from the limits: {slot.excluded}")
    if frozen and slot.baseline:
        words.append("baseline")
    said = f"; {', '.join(words)}" if words else ""
    return f"{month_label(slot.period)}: {value_words(slot.y, percent)}{size}{said}"


def _by_index(frame: Frame, slots: Sequence[Slot]) -> dict[int, Slot]:
    placed = ((frame.axis.index(slot.period), slot) for slot in slots)
    return {index: slot for index, slot in placed if index is not None}
