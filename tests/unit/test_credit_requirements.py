"""Each accreditor's report names exactly what a learner or activity lacks for it: a
physician without a birthday reaches PARS for CME but not MOC; a pharmacist needs an
e-Profile ID, a birthday and a UAN; a paramedic an NREMT number or a state licence."""

from __future__ import annotations

from aggregates.activity_ids import ActivityIds
from aggregates.learner_ids import LearnerIds
from aggregates.values import CreditType
from projections.credits.requirements import REPORTS, Report, lacks

PHYSICIAN = LearnerIds(first_name="Priya", last_name="Patel", boards=({"board": "ABP", "number": "123456"},))
PARS = ActivityIds(pars_activity_id="201934567")


def test_every_credit_type_is_reported_somewhere() -> None:
    assert set(REPORTS) == set(CreditType)


def test_a_physician_without_a_birthday_is_reported_for_cme_but_not_for_moc() -> None:
    assert lacks(Report.PARS_CME, PHYSICIAN, PARS) == []
    assert lacks(Report.PARS_MOC, PHYSICIAN, PARS) == ["no date of birth (month and day)"]
    born = LearnerIds.model_validate(PHYSICIAN.model_dump() | {"birth_day": {"month": 7, "day": 4}})
    assert lacks(Report.PARS_MOC, born, PARS) == []


def test_a_learner_with_nothing_recorded_lacks_everything_in_order() -> None:
    assert lacks(Report.PARS_MOC, None, None) == [
        "no first name", "no last name", "no date of birth (month and day)", "no ABP board id",
        "the activity has no PARS activity id",
    ]  # fmt: skip
    assert lacks(Report.CPE_MONITOR, None, ActivityIds(acpe_uan="1234-0000-26-001-L01-P")) == [
        "no NABP e-Profile ID", "no date of birth (month and day)",
    ]  # fmt: skip


def test_a_paramedic_needs_an_nremt_number_or_a_state_licence() -> None:
    course = ActivityIds(capce_course_number="26-QI-F1-0001")
    assert lacks(Report.CAPCE, LearnerIds(nremt_id="E1234567"), course) == []
    assert lacks(Report.CAPCE, LearnerIds(state_licences=({"state": "MT", "number": "P-88"},)), course) == []
    assert lacks(Report.CAPCE, LearnerIds(first_name="Sam"), course) == ["no NREMT number or state licence"]
