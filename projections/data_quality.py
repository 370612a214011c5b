"""Data-quality rules on a team's monthly data of one measure: pure functions over the
measure's definition and its months, by an explicit, versioned rule table.

Each rule finds months to look at again, never refuses one: what cannot be a value at all
(a proportion's numerator above its denominator, a negative count) is refused when it is
entered (aggregates.datapoints.check_value), and no rule here repeats a refusal. A team
answers a finding by correcting the month (DataPointCorrected) or by confirming the value
is right, with a reason (DataFindingConfirmed); a correction opens a confirmed finding
again, since what was confirmed was the earlier value.

Version 1 of the rules (RULES below, in the order findings are listed):

- missing-month: a month without data between the first month reported and the latest,
  and every month after the latest through last month (this month is still being lived);
- numerator-above-denominator: a rate whose numerator exceeds its denominator (more
  events than the units they are counted per: possible, but usually the columns swapped);
- outside-plausible-range: a value below the measure's plausible minimum or above its
  plausible maximum (optional on the MeasureDefinition; with neither set, the natural
  range of the data type: a proportion 0 to 1, a rate or a count 0 or more);
- outlier: a value that stands apart from the team's centre around it, the months next to
  it (the one before and the one after it with data; for the latest month, the one before),
  by more than `outlier_limit` times the measure's median moving range (default 3.14, the
  median moving range's equivalent of three standard deviations), on the same side of both,
  once the measure has OUTLIER_MIN_MONTHS months. A spike, not a shift: judged against the
  median of all its months, every month after a real improvement would be an "outlier"
  (the demo's teams showed 13 of 26), and an improvement is what a team is there to make;
- denominator-jump: a denominator more than `jump_factor` (default 2) times, or less than
  1/`jump_factor` of, the month before it that has data.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from aggregates.datapoints import DataPoint, FindingConfirmation, FindingRule, finding_key
from aggregates.values import DataType, MeasureDefinition

RULES_VERSION = 1
OUTLIER_LIMIT = 3.14  # times the median moving range: 3 sigma, as the median moving range estimates it
OUTLIER_MIN_MONTHS = 8  # fewer months give no stable centre or spread
JUMP_FACTOR = 2.0


@dataclass(frozen=True)
class Rule:
    rule: FindingRule
    title: str
    looks_for: str


RULES: tuple[Rule, ...] = (
    Rule(FindingRule.MISSING_MONTH, "Missing month", "a month without data between the first month reported and last month"),
    Rule(FindingRule.NUMERATOR_ABOVE_DENOMINATOR, "Numerator above denominator", "a rate whose numerator exceeds its denominator"),
    Rule(FindingRule.OUTSIDE_PLAUSIBLE_RANGE, "Outside the plausible range", "a value outside the measure's plausible minimum and maximum (else its data type's range)"),
    Rule(FindingRule.OUTLIER, "Outlier", "a value apart from the months next to it, on one side of both, by more than the limit times the median moving range"),
    Rule(FindingRule.DENOMINATOR_JUMP, "Sudden denominator change", "a denominator more than the factor above or below the previous month's"),
)  # fmt: skip
TITLES = {r.rule: r.title for r in RULES}


@dataclass(frozen=True)
class Thresholds:
    outlier_limit: float = OUTLIER_LIMIT
    jump_factor: float = JUMP_FACTOR


@dataclass(frozen=True)
class Finding:
    measure_key: str
    period: str  # YYYY-MM
    rule: FindingRule
    detail: str  # what was found, in words, with the threshold it was judged by
    threshold: float | None = None  # the rule's parameter, where it has one
    confirmation: FindingConfirmation | None = field(default=None, compare=False)

    @property
    def title(self) -> str:
        return TITLES[self.rule]

    @property
    def confirmed(self) -> bool:
        return self.confirmation is not None


DEFAULT_THRESHOLDS = Thresholds()


def check_measure(
    definition: MeasureDefinition,
    data: Mapping[str, DataPoint],
    last_month: str,
    confirmed: Mapping[str, FindingConfirmation] | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[Finding]:
    """Every finding on one measure's months, by rule then month; a finding the team
    confirmed for the value the month holds now carries the confirmation."""
    found = [
        *missing_months(definition, data, last_month),
        *numerator_above_denominator(definition, data),
        *outside_plausible_range(definition, data),
        *outliers(definition, data, thresholds.outlier_limit),
        *denominator_jumps(definition, data, thresholds.jump_factor),
    ]
    confirmed = confirmed or {}
    shown = []
    for finding in found:
        confirmation = confirmed.get(finding_key(finding.measure_key, finding.period, finding.rule))
        if confirmation is not None and confirmation.holds_for(data.get(finding.period)):
            finding = replace(finding, confirmation=confirmation)
        shown.append(finding)
    return shown


def missing_months(
    definition: MeasureDefinition, data: Mapping[str, DataPoint], last_month: str
) -> list[Finding]:
    """Months without data from the first reported through the later of the latest and
    last month (nothing when no month is reported yet)."""
    if not data:
        return []
    reported = sorted(data)
    period, last = reported[0], max(reported[-1], last_month)
    found = []
    while period <= last:
        if period not in data:
            after = "after the latest month reported" if period > reported[-1] else "between months reported"
            found.append(
                Finding(definition.key, period, FindingRule.MISSING_MONTH, f"No data for {period}, {after}.")
            )
        period = next_month(period)
    return found


def numerator_above_denominator(
    definition: MeasureDefinition, data: Mapping[str, DataPoint]
) -> list[Finding]:
    if definition.data_type is not DataType.RATE:
        return []  # a proportion's is refused on entry; counts and continuous values have none
    return [
        Finding(definition.key, period, FindingRule.NUMERATOR_ABOVE_DENOMINATOR,
                f"The numerator {point.current.numerator:g} is above the denominator {point.current.denominator:g}.")
        for period, point in sorted(data.items())
        if point.current.denominator is not None and point.current.numerator > point.current.denominator
    ]  # fmt: skip


def plausible_range(definition: MeasureDefinition) -> tuple[float | None, float | None]:
    """The measure's plausible minimum and maximum, else its data type's natural range."""
    if definition.plausible_min is not None or definition.plausible_max is not None:
        return definition.plausible_min, definition.plausible_max
    if definition.data_type is DataType.PROPORTION:
        return 0.0, 1.0
    if definition.data_type in (DataType.RATE, DataType.COUNT):
        return 0.0, None
    return None, None


def outside_plausible_range(definition: MeasureDefinition, data: Mapping[str, DataPoint]) -> list[Finding]:
    low, high = plausible_range(definition)
    found = []
    for period, point in sorted(data.items()):
        value = point.value
        if low is not None and value < low:
            words = f"The value {value:g} is below the plausible minimum {low:g}."
        elif high is not None and value > high:
            words = f"The value {value:g} is above the plausible maximum {high:g}."
        else:
            continue
        found.append(Finding(definition.key, period, FindingRule.OUTSIDE_PLAUSIBLE_RANGE, words))
    return found


def outliers(definition: MeasureDefinition, data: Mapping[str, DataPoint], limit: float) -> list[Finding]:
    """Months further from both their neighbours, on the same side, than `limit` median moving
    ranges (none while there are fewer than OUTLIER_MIN_MONTHS, or the values never move)."""
    if len(data) < OUTLIER_MIN_MONTHS:
        return []
    periods = sorted(data)
    values = [data[p].value for p in periods]
    spread = statistics.median(abs(b - a) for a, b in itertools.pairwise(values))
    if spread == 0:
        return []
    found = []
    for i, (period, value) in enumerate(zip(periods, values, strict=True)):
        neighbours = [values[j] for j in (i - 1, i + 1) if 0 <= j < len(values)]
        apart = [value - n for n in neighbours]
        if not (all(a > 0 for a in apart) or all(a < 0 for a in apart)):
            continue  # between its neighbours: a step or a trend, not a spike
        distance = min(abs(a) for a in apart) / spread
        if distance > limit:
            centre = statistics.median(neighbours)
            found.append(
                Finding(definition.key, period, FindingRule.OUTLIER,
                        f"The value {value:.4g} is {distance:.1f} median moving ranges ({spread:.3g}) from the "
                        f"months next to it ({centre:.4g}); the limit is {limit:g}.", limit)
            )  # fmt: skip
    return found


def denominator_jumps(
    definition: MeasureDefinition, data: Mapping[str, DataPoint], factor: float
) -> list[Finding]:
    found = []
    before: tuple[str, float] | None = None
    for period, point in sorted(data.items()):
        denominator = point.current.denominator
        if denominator is None:
            continue
        if before is not None and before[1] > 0:
            ratio = denominator / before[1]
            if ratio > factor or ratio < 1 / factor:
                found.append(
                    Finding(definition.key, period, FindingRule.DENOMINATOR_JUMP,
                            f"The denominator went from {before[1]:g} in {before[0]} to {denominator:g} "
                            f"(× {ratio:.2g}); the limit is a factor of {factor:g}.", factor)
                )  # fmt: skip
        before = (period, denominator)
    return found


def next_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def previous_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}"
