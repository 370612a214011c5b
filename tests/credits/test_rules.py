"""The credit rules as published, exhaustively: quarter-hour rounding, caps,
eligibility by discipline, and each MOC Part 4 condition missing in turn."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

import pytest

from aggregates.values import CreditType, Discipline
from projections.credits import rules
from projections.credits.rules import Cycle, MocPart4Facts

ALL_LIVE = (CreditType.CME, CreditType.MOC_PART_2, CreditType.CNE, CreditType.CAPCE, CreditType.ACPE)


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [
        (0, 0.0),
        (14, 0.0),
        (15, 0.25),
        (29, 0.25),
        (30, 0.5),
        (44, 0.5),
        (45, 0.75),
        (59, 0.75),
        (60, 1.0),
        (89, 1.25),
        (90, 1.5),
        (119, 1.75),
        (120, 2.0),
    ],
)
def test_minutes_round_down_to_the_quarter_hour(minutes: int, hours: float) -> None:
    assert rules.quarter_hours(minutes) == hours
    assert rules.live_amount(minutes, max_hours=10) == hours


@pytest.mark.parametrize(
    ("minutes", "max_hours", "amount"),
    [(90, 1.0, 1.0), (90, 1.5, 1.5), (60, 1.5, 1.0), (240, 2.0, 2.0), (89, 1.0, 1.0), (59, 1.0, 0.75)],
)
def test_credit_is_capped_at_the_offered_hours(minutes: int, max_hours: float, amount: float) -> None:
    assert rules.live_amount(minutes, max_hours) == amount


def test_a_cap_that_is_not_a_quarter_step_is_applied_as_offered() -> None:
    assert rules.live_amount(90, 1.3) == 1.3


def test_negative_minutes_earn_nothing() -> None:
    assert rules.quarter_hours(-30) == 0.0


@pytest.mark.parametrize(
    ("discipline", "earns"),
    [
        (Discipline.PHYSICIAN, (CreditType.CME, CreditType.MOC_PART_2)),
        (Discipline.ADVANCED_PRACTICE_PROVIDER, (CreditType.CME, CreditType.MOC_PART_2)),
        (Discipline.NURSE, (CreditType.CNE,)),
        (Discipline.PARAMEDIC, (CreditType.CAPCE,)),
        (Discipline.EMT, (CreditType.CAPCE,)),
        (Discipline.PHARMACIST, (CreditType.ACPE,)),
        (Discipline.RESPIRATORY_THERAPIST, ()),
        (Discipline.ADMINISTRATOR, ()),
        (Discipline.QUALITY_IMPROVEMENT, ()),
        (Discipline.FAMILY_PARTNER, ()),
        (Discipline.OTHER, ()),
        (None, ()),
    ],
)
def test_each_discipline_earns_its_own_credit_types(
    discipline: Discipline | None, earns: tuple[CreditType, ...]
) -> None:
    assert rules.eligible_credit_types(discipline, ALL_LIVE) == earns


def test_every_discipline_is_in_the_eligibility_table_or_earns_nothing_on_purpose() -> None:
    unlisted = {d for d in Discipline if d not in rules.ELIGIBLE}
    assert unlisted == {
        Discipline.RESPIRATORY_THERAPIST,
        Discipline.ADMINISTRATOR,
        Discipline.QUALITY_IMPROVEMENT,
        Discipline.FAMILY_PARTNER,
        Discipline.OTHER,
    }


def test_only_offered_credit_types_are_awarded() -> None:
    assert rules.eligible_credit_types(Discipline.PHYSICIAN, (CreditType.CNE,)) == ()
    assert rules.eligible_credit_types(Discipline.PHYSICIAN, (CreditType.CNE, CreditType.CME)) == (
        CreditType.CME,
    )


def test_moc_part_4_is_never_a_live_credit_type() -> None:
    assert rules.eligible_credit_types(Discipline.PHYSICIAN, (CreditType.MOC_PART_4,)) == ()


def test_a_physician_gets_cme_and_moc_part_2_of_the_same_amount_with_their_rule_versions() -> None:
    awards = rules.live_awards(Discipline.PHYSICIAN, ALL_LIVE, 75, 1.0)
    assert [(a.credit_type, a.amount, a.unit, a.rule_version) for a in awards] == [
        (CreditType.CME, 1.0, "hours", "ama-pra-1/2025.1"),
        (CreditType.MOC_PART_2, 1.0, "points", "abp-moc-2/2025.1"),
    ]
    assert (
        awards[0].basis
        == "75 minutes attended = 1.25 h in quarter hours, rounded down; capped at the 1 h offered"
    )


@pytest.mark.parametrize(
    ("discipline", "version"),
    [
        (Discipline.NURSE, "cne/2025.1"),
        (Discipline.EMT, "capce/2025.1"),
        (Discipline.PHARMACIST, "acpe/2025.1"),
    ],
)
def test_nursing_ems_and_pharmacy_credit_follow_the_same_hours(discipline: Discipline, version: str) -> None:
    (award,) = rules.live_awards(discipline, ALL_LIVE, 50, 2.0)
    assert (award.amount, award.unit, award.rule_version) == (0.75, "hours", version)
    assert award.basis == "50 minutes attended = 0.75 h in quarter hours, rounded down"


def test_attendance_that_rounds_to_zero_earns_no_entry() -> None:
    assert rules.live_awards(Discipline.NURSE, ALL_LIVE, 14, 2.0) == ()


def test_a_discipline_without_credit_earns_no_entry() -> None:
    assert rules.live_awards(Discipline.FAMILY_PARTNER, ALL_LIVE, 90, 2.0) == ()


# MOC Part 4 -----------------------------------------------------------------------

MET = MocPart4Facts(discipline=Discipline.PHYSICIAN, linked_cycles=2, data_months=6, attested=True)


def test_moc_part_4_is_due_when_every_condition_holds() -> None:
    assert rules.moc_part4_unmet(MET) == ()
    assert rules.moc_part4_basis(MET) == "2 linked PDSA cycles, data in 6 months, participant attested"
    assert (rules.MOC_PART4_POINTS, rules.UNITS[CreditType.MOC_PART_4]) == (25.0, "points")
    assert rules.RULE_VERSIONS[CreditType.MOC_PART_4] == "abp-moc-4/2025.1"


@pytest.mark.parametrize(
    ("missing", "reason"),
    [
        ({"discipline": Discipline.NURSE}, "the participant is not a physician member of the team"),
        ({"discipline": None}, "the participant is not a physician member of the team"),
        ({"linked_cycles": 1}, "the team has 1 linked PDSA cycles, not 2"),
        ({"linked_cycles": 0}, "the team has 0 linked PDSA cycles, not 2"),
        ({"data_months": 5}, "the team submitted data in 5 months, not 6"),
        ({"attested": False}, "the participant has not attested"),
    ],
)
def test_moc_part_4_is_withheld_while_any_one_condition_is_missing(
    missing: dict[str, object], reason: str
) -> None:
    assert rules.moc_part4_unmet(replace(MET, **missing)) == (reason,)  # type: ignore[arg-type]


def test_moc_part_4_lists_every_missing_condition() -> None:
    nothing = MocPart4Facts(discipline=None, linked_cycles=0, data_months=0, attested=False)
    assert len(rules.moc_part4_unmet(nothing)) == 4


def test_more_than_the_minimum_still_qualifies() -> None:
    assert rules.moc_part4_unmet(replace(MET, linked_cycles=5, data_months=12)) == ()


def test_a_parent_and_its_acted_ramp_child_are_two_linked_cycles() -> None:
    parent, child = uuid4(), uuid4()
    assert rules.linked_cycle_count({parent: Cycle(None, True), child: Cycle(parent, True)}) == 2


def test_a_ramp_child_whose_act_is_not_decided_links_nothing() -> None:
    parent, child = uuid4(), uuid4()
    assert rules.linked_cycle_count({parent: Cycle(None, True), child: Cycle(parent, False)}) == 0


def test_unlinked_acted_cycles_do_not_count() -> None:
    cycles = {uuid4(): Cycle(None, True) for _ in range(3)}
    assert rules.linked_cycle_count(cycles) == 0


def test_a_child_of_another_teams_cycle_does_not_count() -> None:
    assert rules.linked_cycle_count({uuid4(): Cycle(uuid4(), True)}) == 0


def test_a_ramp_of_three_counts_each_cycle_once() -> None:
    a, b, c = uuid4(), uuid4(), uuid4()
    ramp = {a: Cycle(None, True), b: Cycle(a, True), c: Cycle(b, True)}
    assert rules.linked_cycle_count(ramp) == 3
