"""The CE and MOC credit rules as published, as pure functions: no IO, no clock.

Live activities (every activity kind is live):
- AMA PRA Category 1 (`cme`): 1 credit per 60 minutes attended, in 0.25 steps
  rounded DOWN (14 min -> 0, 15 -> 0.25, 89 -> 1.25, 90 -> 1.5), then capped at
  the activity's offered hours (`ce.max_hours`). The cap is applied as offered,
  so an activity offering 1.3 hours awards at most 1.3.
- Nursing (`cne`), EMS (`capce`), pharmacy (`acpe`) and ABP MOC Part 2
  (`moc_part_2`, in points, the same number as the hours): the same amount.
- Only activities with a CE offering award credit, and only the offered credit
  types the participant's discipline earns (`ELIGIBLE`). A zero amount is no entry.

Enduring material (a QI training module, `aggregates.training`): passing its knowledge
check earns the hours the module designates, in each offered credit type the learner's
discipline earns, under its own rule versions (`ENDURING_RULE_VERSIONS`); a failed check
earns nothing and may be retaken.

MOC Part 4 (`moc_part_4`, 25 points, ABP): a physician member of a team that has
at least 2 linked PDSA cycles (a parent and its ramp child, both with their act
decided), data submitted in at least 6 distinct months, and the participant's
attestation for that team.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final
from uuid import UUID

from aggregates.values import CreditType, Discipline

MINUTES_PER_STEP: Final = 15  # a quarter of an hour
MOC_PART4_POINTS: Final = 25.0
MOC_PART4_BODY: Final = "American Board of Pediatrics"
MIN_LINKED_CYCLES: Final = 2
MIN_DATA_MONTHS: Final = 6

_PHYSICIAN_TYPES = frozenset({CreditType.CME, CreditType.MOC_PART_2})
ELIGIBLE: Final[Mapping[Discipline, frozenset[CreditType]]] = {
    Discipline.PHYSICIAN: _PHYSICIAN_TYPES,
    Discipline.ADVANCED_PRACTICE_PROVIDER: _PHYSICIAN_TYPES,
    Discipline.NURSE: frozenset({CreditType.CNE}),
    Discipline.PARAMEDIC: frozenset({CreditType.CAPCE}),
    Discipline.EMT: frozenset({CreditType.CAPCE}),
    Discipline.PHARMACIST: frozenset({CreditType.ACPE}),
}

RULE_VERSIONS: Final[Mapping[CreditType, str]] = {
    CreditType.CME: "ama-pra-1/2025.1",
    CreditType.MOC_PART_2: "abp-moc-2/2025.1",
    CreditType.CNE: "cne/2025.1",
    CreditType.CAPCE: "capce/2025.1",
    CreditType.ACPE: "acpe/2025.1",
    CreditType.MOC_PART_4: "abp-moc-4/2025.1",
}

# Enduring material (a QI training module with a knowledge check): its own rule and version
# beside the live ones, which stay as they are.
ENDURING_RULE_VERSIONS: Final[Mapping[CreditType, str]] = {
    CreditType.CME: "ama-pra-1-enduring/2026.12",
    CreditType.MOC_PART_2: "abp-moc-2-enduring/2026.12",
    CreditType.CNE: "cne-enduring/2026.12",
    CreditType.CAPCE: "capce-enduring/2026.12",
    CreditType.ACPE: "acpe-enduring/2026.12",
}

UNITS: Final[Mapping[CreditType, str]] = {
    t: "points" if t in (CreditType.MOC_PART_2, CreditType.MOC_PART_4) else "hours" for t in CreditType
}


def quarter_hours(minutes: int) -> float:
    """Hours attended in quarter-hour steps, rounded down."""
    return max(minutes, 0) // MINUTES_PER_STEP / 4


def live_amount(minutes: int, max_hours: float) -> float:
    """Credit for minutes attended: quarter hours rounded down, capped at the offered hours."""
    return min(quarter_hours(minutes), max_hours)


def eligible_credit_types(
    discipline: Discipline | None, offered: Iterable[CreditType]
) -> tuple[CreditType, ...]:
    """The offered live credit types this discipline earns, in the order offered."""
    earns = ELIGIBLE.get(discipline, frozenset()) if discipline else frozenset()
    return tuple(t for t in offered if t in earns)


@dataclass(frozen=True)
class Award:
    credit_type: CreditType
    amount: float
    unit: str
    rule_version: str
    basis: str


def live_awards(
    discipline: Discipline | None, offered: Iterable[CreditType], minutes: int, max_hours: float
) -> tuple[Award, ...]:
    """The entries one attendance earns; none when the amount rounds down to zero."""
    amount = live_amount(minutes, max_hours)
    if amount <= 0:
        return ()
    basis = live_basis(minutes, max_hours)
    return tuple(
        Award(t, amount, UNITS[t], RULE_VERSIONS[t], basis)
        for t in eligible_credit_types(discipline, offered)
    )


def enduring_awards(
    discipline: Discipline | None, offered: Iterable[CreditType], hours: float, right: int, asked: int
) -> tuple[Award, ...]:
    """The entries a passed knowledge check of enduring material earns: the hours the module
    designates, in each offered credit type the discipline earns. A failed check earns
    nothing (the ledger is not called for one)."""
    basis = (
        f"knowledge check passed, {right} of {asked} right: {hours:g} h designated as enduring material"
        if asked
        else f"module completed: {hours:g} h designated as enduring material"
    )
    return tuple(
        Award(t, hours, UNITS[t], ENDURING_RULE_VERSIONS[t], basis)
        for t in eligible_credit_types(discipline, offered)
        if t in ENDURING_RULE_VERSIONS
    )


def live_basis(minutes: int, max_hours: float) -> str:
    """Why the amount is what it is, in words a clinician can check."""
    rounded = quarter_hours(minutes)
    text = f"{minutes} minutes attended = {rounded:g} h in quarter hours, rounded down"
    if rounded > max_hours:
        text += f"; capped at the {max_hours:g} h offered"
    return text


@dataclass(frozen=True)
class Cycle:
    """What MOC Part 4 needs to know of a PDSA cycle."""

    parent_id: UUID | None
    acted: bool


def linked_cycle_count(cycles: Mapping[UUID, Cycle]) -> int:
    """Cycles that take part in a ramp link (parent and child both acted)."""
    linked: set[UUID] = set()
    for cycle_id, cycle in cycles.items():
        parent_id = cycle.parent_id
        if parent_id is None or parent_id not in cycles:
            continue
        if cycle.acted and cycles[parent_id].acted:
            linked |= {cycle_id, parent_id}
    return len(linked)


@dataclass(frozen=True)
class MocPart4Facts:
    discipline: Discipline | None  # on this team; None when not (or no longer) a member
    linked_cycles: int
    data_months: int
    attested: bool


def moc_part4_unmet(facts: MocPart4Facts) -> tuple[str, ...]:
    """The MOC Part 4 conditions not yet met, in words; empty when credit is due."""
    unmet = []
    if facts.discipline is not Discipline.PHYSICIAN:
        unmet.append("the participant is not a physician member of the team")
    if facts.linked_cycles < MIN_LINKED_CYCLES:
        unmet.append(f"the team has {facts.linked_cycles} linked PDSA cycles, not {MIN_LINKED_CYCLES}")
    if facts.data_months < MIN_DATA_MONTHS:
        unmet.append(f"the team submitted data in {facts.data_months} months, not {MIN_DATA_MONTHS}")
    if not facts.attested:
        unmet.append("the participant has not attested")
    return tuple(unmet)


def moc_part4_basis(facts: MocPart4Facts) -> str:
    return (
        f"{facts.linked_cycles} linked PDSA cycles, data in {facts.data_months} months, participant attested"
    )


def moc_part4_award(facts: MocPart4Facts) -> Award | None:
    """The MOC Part 4 entry these facts earn, or None while a condition is unmet."""
    if moc_part4_unmet(facts):
        return None
    kind = CreditType.MOC_PART_4
    return Award(kind, MOC_PART4_POINTS, UNITS[kind], RULE_VERSIONS[kind], moc_part4_basis(facts))
