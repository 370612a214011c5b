"""Axis ticks people can read: steps of 1, 2, 2.5 or 5 × 10ⁿ, four to eight of
them, covering the data; the axis runs from the first tick to the last."""

from __future__ import annotations

import math
from dataclasses import dataclass

MANTISSAS = (1.0, 2.0, 2.5, 5.0)
MAX_TICKS = 8
# Floating point puts 100 / 0.2 a hair above 500; a tick within this many steps of a value covers it.
_SLACK = 1e-9


@dataclass(frozen=True)
class Ticks:
    """Tick values, evenly spaced by step, in the units they are labelled in."""

    values: tuple[float, ...]
    step: float

    @property
    def low(self) -> float:
        return self.values[0]

    @property
    def high(self) -> float:
        return self.values[-1]

    def label(self, value: float, suffix: str = "") -> str:
        """A tick's label with as many decimals as the step needs (2.5 → one, 0.25 → two)."""
        return f"{value:.{self.decimals}f}{suffix}"

    @property
    def decimals(self) -> int:
        exponent = math.floor(math.log10(self.step) + _SLACK)
        mantissa = self.step / 10**exponent
        return max(0, -exponent + (1 if abs(mantissa - 2.5) < 1e-6 else 0))


def nice_ticks(low: float, high: float) -> Ticks:
    """The smallest nice step giving at most eight ticks from below low to above high."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"ticks need finite bounds, not {low} and {high}")
    low, high = min(low, high), max(low, high)
    if high - low <= abs(high) * 1e-12:  # one value: room either side, or above a zero (a count, a rate)
        spread = abs(high) * 0.1
        low, high = (low - spread, high + spread) if spread else (0.0, 1.0)
    for step in _candidate_steps(high - low):
        first = math.floor(low / step + _SLACK)
        last = math.ceil(high / step - _SLACK)
        if last - first + 1 <= MAX_TICKS:
            return Ticks(tuple(_round(k * step, step) for k in range(first, last + 1)), step)
    raise AssertionError("a step ten times the span always fits")  # pragma: no cover


def _candidate_steps(span: float) -> list[float]:
    # Start a decade below span / 7 so the first candidate that fits is the smallest that does:
    # the one before it gave nine or more ticks, which keeps at least four.
    exponent = math.floor(math.log10(span / (MAX_TICKS - 1))) - 1
    return [m * 10.0**e for e in range(exponent, exponent + 4) for m in MANTISSAS]


def _round(value: float, step: float) -> float:
    """k × step without the float noise (0.30000000000000004), and never -0.0."""
    digits = max(0, -math.floor(math.log10(step)) + 2)
    return round(value, digits) + 0.0
