"""What accreditors need to know about a learner, each part checked by its published format.

Every part is optional until the report that needs it (the exports' validation reports
list who lacks what): a physician's CME and MOC reach ACCME's PARS with a first and last
name, a date of birth as month and day, and a board id or state licence; a pharmacist's
credit reaches CPE Monitor with their NABP e-Profile id and date of birth; a paramedic's
reaches CAPCE with their NREMT (or state) number. All of it is personal data, kept with
the CE record for its retention period (aggregates.personal.Keep.CE_RECORD).

Formats checked here, and where they are published:

- NPI: ten digits, the last a Luhn (modulus 10, "double-add-double") check digit computed
  as if the card-issuer prefix 80840 (80 health, 840 the US) stood before the first nine
  (the NPI Final Rule, 69 FR 3434, 23 January 2004, with ISO/IEC 7812; CMS, "Requirements
  for National Provider Identifier (NPI) and NPI Enumerator", whose worked example gives
  123456789 the check digit 3).
- State: a USPS two-letter code of a state, the District of Columbia or an inhabited US
  territory that licenses clinicians (USPS Publication 28, Appendix B; its freely
  associated states FM, MH, PW and the military AA, AE, AP are postal codes, not licensing
  jurisdictions, and are refused).
- Date of birth: month and day only, never the year: ACCME asks for a board-certified
  physician's "date of birth (month/day)" for MOC reporting (ACCME FAQ, "What information
  should I collect about each board-certified physician…"), CPE Monitor for the date of
  birth as MMDD with the NABP e-Profile ID; 29 February is a day.
- Boards: the certifying boards ACCME lists for MOC and continuing certification through
  PARS (accme.org, "Submit data via batch upload or web services"): ABA, ABIM, ABOS,
  ABOHNS, ABPath, ABP, ABS, ABTS.
- NABP e-Profile ID: a number NABP assigns; its length is not in what NABP and PTCB publish
  for learners, so only digits are checked (up to ten).
- NREMT registry number, board ids and licence numbers: the issuer's own number, letters,
  digits and hyphens; the accreditor matches it against the issuer's roster, so only its
  shape is checked here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from aggregates.base import Value

US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
    ]
) | {"DC", "AS", "GU", "MP", "PR", "VI"}
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # 29 February is someone's birthday


def npi_check_digit(first_nine: str) -> int:
    """The Luhn check digit of an NPI's first nine digits, with the 80840 prefix."""
    total = 0
    for position, digit in enumerate(reversed("80840" + first_nine)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def _npi(value: str) -> str:
    if len(value) != 10 or not value.isdigit():
        raise ValueError("an NPI is ten digits")
    if int(value[9]) != npi_check_digit(value[:9]):
        raise ValueError(f"{value} is not an NPI: its last digit does not check (a digit typed wrong?)")
    return value


def _state(value: str) -> str:
    code = value.upper()
    if code not in US_STATES:
        raise ValueError(
            f"{value!r} is not a US state or territory: give its two-letter postal code, like MT"
        )
    return code


def _eprofile(value: str) -> str:
    if not (value.isdigit() and 1 <= len(value) <= 10):
        raise ValueError("an NABP e-Profile ID is a number: digits only, as NABP gave it")
    return value


Digits = Annotated[str, StringConstraints(strip_whitespace=True)]
Npi = Annotated[Digits, AfterValidator(_npi)]
StateCode = Annotated[Digits, AfterValidator(_state)]
EProfileId = Annotated[Digits, AfterValidator(_eprofile)]
RegistryNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$")
]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class Board(StrEnum):
    """The certifying boards whose MOC credit PARS reports (ACCME's collaborating boards)."""

    ABA = "ABA"  # anesthesiology
    ABIM = "ABIM"  # internal medicine
    ABOS = "ABOS"  # orthopaedic surgery
    ABOHNS = "ABOHNS"  # otolaryngology – head and neck surgery
    ABP = "ABP"  # pediatrics
    ABPath = "ABPath"  # pathology
    ABS = "ABS"  # surgery
    ABTS = "ABTS"  # thoracic surgery


class BoardId(Value):
    board: Board
    number: RegistryNumber


class StateLicence(Value):
    state: StateCode
    number: RegistryNumber


class BirthDay(Value):
    """A date of birth as month and day, without the year."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    @model_validator(mode="after")
    def _a_real_day(self) -> BirthDay:
        if self.day > DAYS_IN_MONTH[self.month - 1]:
            raise ValueError(f"month {self.month} has no day {self.day}")
        return self

    @property
    def mmdd(self) -> str:
        return f"{self.month:02d}{self.day:02d}"


class LearnerIds(Value):
    """A learner's names and numbers for the accreditors, each optional until needed."""

    first_name: PersonName | None = None
    last_name: PersonName | None = None
    birth_day: BirthDay | None = None
    npi: Npi | None = None
    boards: tuple[BoardId, ...] = Field(default=(), max_length=10)
    state_licences: tuple[StateLicence, ...] = Field(default=(), max_length=20)
    nabp_eprofile_id: EProfileId | None = None
    nremt_id: RegistryNumber | None = None

    @model_validator(mode="after")
    def _each_once(self) -> LearnerIds:
        boards = [b.board for b in self.boards]
        if len(set(boards)) != len(boards):
            raise ValueError("a board is listed twice: give each board's id once")
        licences = [(lic.state, lic.number) for lic in self.state_licences]
        if len(set(licences)) != len(licences):
            raise ValueError("a state licence is listed twice")
        return self
