"""Frozen value objects and vocabularies shared by the aggregates."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from aggregates.activity_ids import ActivityIds
from aggregates.base import Value
from aggregates.personal import ERASED_TEXT, Personal, Sealed

# No NUL (U+0000) in any text: no one writes it, and PostgreSQL text cannot hold it, so
# one stored NUL would stop every projection that reads its event (the API refuses it too).
_NO_NUL = r"^[^\x00]*$"
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_NO_NUL)]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000, pattern=_NO_NUL)
]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
# A calendar month, the unit of QI measurement: "2025-03".
Period = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
# A library tag: a focus area or intervention bundle, e.g. "weight in kg". Forms
# send tags comma-separated, so a tag holds no comma.
Tag = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=60, pattern=r"^[^,]+$"),
]
# Web links are checked where commands arrive (engine.commands.fields.HttpUrl), never here:
# events carry these values, and a stricter rule must not refuse history already stored.


class CareSetting(StrEnum):
    COMMUNITY_ED = "community_ed"
    CRITICAL_ACCESS_HOSPITAL = "critical_access_hospital"
    TRIBAL_CLINIC = "tribal_clinic"
    EMS_AGENCY = "ems_agency"
    ACADEMIC_CENTER = "academic_center"


class Discipline(StrEnum):
    PHYSICIAN = "physician"
    NURSE = "nurse"
    ADVANCED_PRACTICE_PROVIDER = "advanced_practice_provider"
    PARAMEDIC = "paramedic"
    EMT = "emt"
    PHARMACIST = "pharmacist"
    RESPIRATORY_THERAPIST = "respiratory_therapist"
    ADMINISTRATOR = "administrator"
    QUALITY_IMPROVEMENT = "quality_improvement"
    FAMILY_PARTNER = "family_partner"
    OTHER = "other"


class MemberRole(StrEnum):
    PHYSICIAN_CHAMPION = "physician_champion"
    NURSE_CHAMPION = "nurse_champion"
    TEAM_LEAD = "team_lead"
    DATA_LEAD = "data_lead"
    EXECUTIVE_SPONSOR = "executive_sponsor"
    MEMBER = "member"


class Licence(Value):
    """A licence or registry id, e.g. kind "NPI" or "NREMT", issuer "MT"."""

    kind: Name
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    issuer: Name | None = None


class MeasureKind(StrEnum):
    OUTCOME = "outcome"
    PROCESS = "process"
    BALANCING = "balancing"


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"


class DataType(StrEnum):
    """How a measure's monthly value is formed, which also picks its SPC chart."""

    PROPORTION = "proportion"  # numerator / denominator, at most 1 (p chart)
    RATE = "rate"  # events per unit of exposure (u chart)
    COUNT = "count"  # events per month, no denominator (c chart)
    CONTINUOUS = "continuous"  # one measured value per month (XmR chart)


class MeasureDefinition(Value):
    key: Key
    name: Name
    kind: MeasureKind
    data_type: DataType = DataType.PROPORTION
    numerator: Text
    denominator: Text | None = None
    direction: Direction
    target: float | None = Field(default=None, ge=-1e12, le=1e12)
    # The values a month can plausibly take (optional): one outside is a data-quality
    # finding, not a refusal (projections.data_quality). Absent in definitions from before.
    plausible_min: float | None = Field(default=None, ge=-1e15, le=1e15)
    plausible_max: float | None = Field(default=None, ge=-1e15, le=1e15)

    @model_validator(mode="after")
    def _denominator_matches_data_type(self) -> MeasureDefinition:
        needs = self.data_type in (DataType.PROPORTION, DataType.RATE)
        if needs and not self.denominator:
            raise ValueError(f"a {self.data_type.value} measure needs a denominator definition")
        if not needs and self.denominator:
            raise ValueError(f"a {self.data_type.value} measure takes no denominator")
        is_proportion = self.data_type is DataType.PROPORTION
        if is_proportion and self.target is not None and not 0 <= self.target <= 1:
            raise ValueError("a proportion's target is between 0 and 1")
        return self

    @field_validator("plausible_max")
    @classmethod
    def _plausible_max_not_below_min(cls, high: float | None, info: ValidationInfo) -> float | None:
        low = info.data.get("plausible_min")
        if low is not None and high is not None and low > high:
            raise ValueError(f"the plausible minimum {low:g} is above the plausible maximum {high:g}")
        return high


class AssessmentKind(StrEnum):
    GAP_ANALYSIS = "gap_analysis"
    ENVIRONMENTAL_SCAN = "environmental_scan"


class AssessmentItem(Value):
    item: Name
    score: float = Field(ge=0, le=1e6)
    max_score: float = Field(default=100, gt=0, le=1e6)

    @model_validator(mode="after")
    def _score_within_max(self) -> AssessmentItem:
        if self.score > self.max_score:
            raise ValueError(f"score {self.score} exceeds max_score {self.max_score}")
        return self


class ActivityKind(StrEnum):
    LEARNING_SESSION = "learning_session"
    FIRESIDE_CHAT = "fireside_chat"
    OFFICE_HOURS = "office_hours"
    COACHING_CALL = "coaching_call"


class CreditType(StrEnum):
    CME = "cme"  # AMA PRA Category 1 Credit
    CNE = "cne"  # nursing contact hours
    CAPCE = "capce"  # EMS continuing education
    MOC_PART_2 = "moc_part_2"
    MOC_PART_4 = "moc_part_4"
    ACPE = "acpe"  # pharmacy


class CEOffering(Value):
    """The continuing-education credit an activity offers."""

    credit_types: tuple[CreditType, ...] = Field(min_length=1)
    max_hours: float = Field(gt=0, le=100)
    accrediting_body: Name
    # Its ids at ACCME, ACPE and CAPCE, and commercial support (aggregates.activity_ids).
    accreditor: ActivityIds | None = None


class ActDecision(StrEnum):
    ADOPT = "adopt"
    ADAPT = "adapt"
    ABANDON = "abandon"


class OutputKind(StrEnum):
    TOOLKIT = "toolkit"
    SUMMATIVE_PAPER = "summative_paper"
    COMMUNITY_RESOURCE = "community_resource"


class ResourceKind(StrEnum):
    BEST_PRACTICE = "best_practice"
    CHANGE_STRATEGY = "change_strategy"
    TOOL_OR_TEMPLATE = "tool_or_template"
    SESSION_RECORDING_OR_SLIDES = "session_recording_or_slides"
    STORYBOARD = "storyboard"
    ARTICLE = "article"


class DriverLevel(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


class MemberSpec(Value):
    participant_id: UUID
    discipline: Discipline
    role: MemberRole = MemberRole.MEMBER


class Assessment(Value):
    kind: AssessmentKind
    items: tuple[AssessmentItem, ...] = Field(min_length=1)

    @property
    def score_percent(self) -> float:
        return 100 * sum(i.score for i in self.items) / sum(i.max_score for i in self.items)


class SharedProject(Value):
    title: Name
    summary: Text
    storyboard_url: str | None = Field(default=None, max_length=2000)
    measure_keys: tuple[str, ...] = ()
    cycle_ids: tuple[UUID, ...] = ()


# What a coach writes about a team, or about one person of it (`about`): personal data of
# that person, else of the team.
NoteText = Annotated[str | Sealed, Personal(erased=ERASED_TEXT, subject="about")]


class CoachingNote(Value):
    text: NoteText
    author_id: str
    at: datetime
    about: UUID | None = None


class ProjectRef(Value):
    """Another team's project, as the engine found it: whose, where, and whether shared."""

    team_id: UUID
    collaborative_id: UUID
    shared: bool


class ProjectComment(Value):
    project_team_id: UUID
    text: str
    author_id: str
    at: datetime


class TeamProfile(Value):
    name: Name
    organization: Name
    care_setting: CareSetting


def _not_a_number(value: object) -> object:
    # pydantic reads 0 as 1970-01-01; stored history holds dates as text, never numbers.
    if isinstance(value, int | float):
        raise ValueError("give the date as text, e.g. 2025-03-01")
    return value


Day = Annotated[date, BeforeValidator(_not_a_number)]


class FocusFields(Value):
    """The focus: what the collaborative works on, toward what aim, over what dates."""

    focus_area: Name | None = None
    aim: Text | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> FocusFields:
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValueError("ends_on must be after starts_on")
        return self


class OutputDetails(Value):
    kind: OutputKind
    title: Name
    url: str | None = Field(default=None, max_length=2000)
    description: Text | None = None


class RosterEntry(BaseModel):
    name: str
    care_setting: CareSetting
    active: bool = True
    registered_at: datetime
    withdrawn_at: datetime | None = None


class Output(Value):
    details: OutputDetails
    recorded_at: datetime
