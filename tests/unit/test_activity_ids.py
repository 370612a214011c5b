"""A CE activity's accreditor ids are checked by their published shapes: ACPE's Universal
Activity Number (sole or joint providership, live or home study, pharmacist or technician,
a jointly accredited provider's JA id), a CAPCE course number, a PARS activity id."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from aggregates.activity_ids import ActivityIds
from aggregates.values import CEOffering


@pytest.mark.parametrize(
    "uan",
    [
        "1234-0000-21-001-L01-P",
        "0012-9999-25-114-H05-T",
        "JA0006235-9999-25-076-L01-P",
        " 1234-0000-21-001-l01-p ",
    ],
)
def test_a_universal_activity_number_in_acpe_s_shape_is_taken(uan: str) -> None:
    assert ActivityIds(acpe_uan=uan).acpe_uan == uan.strip().upper()


@pytest.mark.parametrize(
    "uan",
    [
        "1234-0000-21-001-L01",
        "1234-1234-21-001-L01-P",
        "1234-0000-21-001-X01-P",
        "JA123-9999-25-076-L01-P",
        "12340000210001L01P",
    ],
)
def test_a_universal_activity_number_out_of_shape_is_refused(uan: str) -> None:
    with pytest.raises(ValidationError):
        ActivityIds(acpe_uan=uan)


def test_a_capce_course_number_and_a_pars_id_are_checked_and_commercial_support_is_no_unless_said() -> None:
    ids = ActivityIds(capce_course_number="16-emt-f3-0001", pars_activity_id="201934567")
    assert ids.capce_course_number == "16-EMT-F3-0001" and ids.commercial_support is False
    for wrong in ("EMT-F3-0001", "16-EMT-3-0001", "16-EMT-F3-001"):
        with pytest.raises(ValidationError):
            ActivityIds(capce_course_number=wrong)
    with pytest.raises(ValidationError):
        ActivityIds(pars_activity_id="PARS-1")


def test_an_offering_without_accreditor_ids_reads_as_before() -> None:
    offering = CEOffering(credit_types=("cme",), max_hours=1.5, accrediting_body="AAP")
    assert offering.accreditor is None
    with_ids = CEOffering(credit_types=("acpe",), max_hours=1, accrediting_body="ACPE",
                          accreditor={"acpe_uan": "1234-0000-26-001-L01-P", "commercial_support": True})  # fmt: skip
    assert with_ids.accreditor is not None and with_ids.accreditor.commercial_support
