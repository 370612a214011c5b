"""A learner's accreditor identifiers are checked by their published formats: the NPI's
Luhn check digit over the 80840 prefix, a USPS state code, a birthday without a year that
exists, an NABP e-Profile ID of digits; each problem named in the learner's words."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from aggregates.learner_ids import BirthDay, LearnerIds, npi_check_digit


def test_the_npi_check_digit_follows_the_cms_worked_example() -> None:
    assert npi_check_digit("123456789") == 3  # CMS: NPI 123456789 gets check digit 3


@pytest.mark.parametrize("npi", ["1234567893", "1245319599", "1558598797", " 1234567893 "])
def test_an_npi_whose_last_digit_checks_is_taken(npi: str) -> None:
    assert LearnerIds(npi=npi).npi == npi.strip()


@pytest.mark.parametrize(
    ("npi", "problem"),
    [
        ("1234567890", "its last digit does not check"),
        ("1558598798", "its last digit does not check"),
        ("123456789", "an NPI is ten digits"),
        ("12345678931", "an NPI is ten digits"),
        ("12345678a3", "an NPI is ten digits"),
    ],
)
def test_an_npi_typed_wrong_is_refused_with_why(npi: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        LearnerIds(npi=npi)


def test_a_state_licence_takes_a_postal_code_in_any_case_and_refuses_others() -> None:
    ids = LearnerIds(
        state_licences=({"state": "mt", "number": "RN-12345"}, {"state": "PR", "number": "7788"})
    )
    assert [lic.state for lic in ids.state_licences] == ["MT", "PR"]
    with pytest.raises(ValidationError, match="'Montana' is not a US state or territory"):
        LearnerIds(state_licences=({"state": "Montana", "number": "1"},))
    with pytest.raises(ValidationError, match="listed twice"):
        LearnerIds(state_licences=({"state": "MT", "number": "1"}, {"state": "mt", "number": "1"}))
    for postal_only in ("FM", "AE"):  # a freely associated state, the military: no licensing board
        with pytest.raises(ValidationError, match="is not a US state or territory"):
            LearnerIds(state_licences=({"state": postal_only, "number": "1"},))


def test_a_birthday_has_no_year_and_must_exist() -> None:
    assert BirthDay(month=2, day=29).mmdd == "0229"
    assert BirthDay(month=12, day=1).mmdd == "1201"
    with pytest.raises(ValidationError, match="month 4 has no day 31"):
        BirthDay(month=4, day=31)
    with pytest.raises(ValidationError):
        BirthDay(month=13, day=1)


def test_an_nabp_e_profile_id_is_digits_only() -> None:
    assert LearnerIds(nabp_eprofile_id="123456").nabp_eprofile_id == "123456"
    assert LearnerIds(nabp_eprofile_id=" 1234567 ").nabp_eprofile_id == "1234567"
    for wrong in ("", "12345678901", "12a456", "e-123456"):
        with pytest.raises(ValidationError, match="digits only"):
            LearnerIds(nabp_eprofile_id=wrong)


def test_each_board_is_given_once() -> None:
    ids = LearnerIds(boards=({"board": "ABP", "number": "123456"}, {"board": "ABIM", "number": "654321"}))
    assert [b.board.value for b in ids.boards] == ["ABP", "ABIM"]
    with pytest.raises(ValidationError, match="a board is listed twice"):
        LearnerIds(boards=({"board": "ABP", "number": "1"}, {"board": "ABP", "number": "2"}))
    with pytest.raises(ValidationError):
        LearnerIds(boards=({"board": "AAFP", "number": "1"},))
