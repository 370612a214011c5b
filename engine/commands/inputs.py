"""The value objects a command carries, as strict as a sender must be.

Each is a subclass of the value object events carry, overriding only the fields a
sender must get right: links, numbers, flags and lists. Commands declare the value
object with `Edge(<the subclass>)`, so these rules judge what arrives and the engine
still receives (and events still store) the plain value object. Stored history is
never judged by them.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import Discriminator, Field
from pydantic import Tag as Choice

from aggregates.activity import ActivityDetails
from aggregates.activity_ids import ActivityIds
from aggregates.criteria import Criterion, ExitCriteriaSettings
from aggregates.learner_ids import BirthDay, BoardId, LearnerIds, StateLicence
from aggregates.measure_chart import (
    MAX_BASELINE,
    MIN_BASELINE,
    ChooseChartType,
    ExcludePoint,
    IncludePoint,
    JoinPhase,
    SetBaseline,
    SetGoal,
    SplitPhase,
)
from aggregates.participant import PersonDetails
from aggregates.pdsa import PdsaPlan, PdsaStudy
from aggregates.phases import Phase
from aggregates.resource import MAX_FILE_BYTES, ResourceDetails, StoredFile
from aggregates.values import (
    AssessmentItem,
    CareSetting,
    CEOffering,
    CreditType,
    Key,
    Licence,
    MeasureDefinition,
    OutputDetails,
    SharedProject,
    Tag,
)
from engine.commands.fields import Edge, Flag, HttpUrl, Items, Strictly

# A project or plan names the few measures it is about; a team tracks a handful.
MeasureKeys = Annotated[tuple[Key, ...], Items(50, "measure key")]
Tags = Annotated[tuple[Tag, ...], Items(20, "tag")]
CareSettings = Annotated[tuple[CareSetting, ...], Items(len(CareSetting), "care setting")]


class MeasureDefinitionInput(MeasureDefinition):
    target: Annotated[float, Field(ge=-1e12, le=1e12), Strictly()] | None = None
    plausible_min: Annotated[float, Field(ge=-1e15, le=1e15), Strictly()] | None = None
    plausible_max: Annotated[float, Field(ge=-1e15, le=1e15), Strictly()] | None = None


class AssessmentItemInput(AssessmentItem):
    score: Annotated[float, Field(ge=0, le=1e6), Strictly()]
    max_score: Annotated[float, Field(gt=0, le=1e6), Strictly()] = 100


class ActivityIdsInput(ActivityIds):
    commercial_support: Flag = False


class CEOfferingInput(CEOffering):
    credit_types: Annotated[tuple[CreditType, ...], Items(len(CreditType), "credit type", least=1)]
    max_hours: Annotated[float, Field(gt=0, le=100), Strictly()]
    accreditor: Annotated[ActivityIds, Edge(ActivityIdsInput)] | None = None


class ActivityDetailsInput(ActivityDetails):
    duration_minutes: Annotated[int, Field(gt=0, le=24 * 60), Strictly()]
    ce: Annotated[CEOffering, Edge(CEOfferingInput)] | None = None


PhaseCriteria = Annotated[tuple[Criterion, ...], Items(len(Criterion), "criterion", "criteria")]


class ExitCriteriaSettingsInput(ExitCriteriaSettings):
    min_teams: Annotated[int, Field(ge=1, le=10_000), Strictly()] = 3
    criteria: Annotated[dict[Phase, PhaseCriteria], Items(len(Phase), "phase")] = Field(default_factory=dict)


class BirthDayInput(BirthDay):
    month: Annotated[int, Field(ge=1, le=12), Strictly()]
    day: Annotated[int, Field(ge=1, le=31), Strictly()]


class LearnerIdsInput(LearnerIds):
    birth_day: Annotated[BirthDay, Edge(BirthDayInput)] | None = None
    boards: Annotated[tuple[BoardId, ...], Items(10, "board id", same=lambda b: b.board)] = ()
    state_licences: Annotated[
        tuple[StateLicence, ...], Items(20, "state licence", same=lambda lic: f"{lic.state} {lic.number}")
    ] = ()


class PersonDetailsInput(PersonDetails):
    licences: Annotated[
        tuple[Licence, ...], Items(10, "licence", same=lambda licence: f"{licence.kind} {licence.number}")
    ] = ()
    learner: Annotated[LearnerIds, Edge(LearnerIdsInput)] | None = None


class PdsaPlanInput(PdsaPlan):
    measure_keys: MeasureKeys = ()


class PdsaStudyInput(PdsaStudy):
    prediction_confirmed: Flag


class SharedProjectInput(SharedProject):
    storyboard_url: Annotated[str, HttpUrl("the storyboard link")] | None = None
    measure_keys: MeasureKeys = ()
    cycle_ids: Annotated[tuple[UUID, ...], Items(100, "PDSA cycle")] = ()


class OutputDetailsInput(OutputDetails):
    url: Annotated[str, HttpUrl("the output's link")] | None = None


class ResourceDetailsInput(ResourceDetails):
    tags: Tags = ()
    care_settings: CareSettings = ()


class StoredFileInput(StoredFile):
    size: Annotated[int, Field(gt=0, le=MAX_FILE_BYTES), Strictly()]


class SetBaselineInput(SetBaseline):
    points: Annotated[int, Field(ge=MIN_BASELINE, le=MAX_BASELINE), Strictly()] | None = None


class SetGoalInput(SetGoal):
    goal: Annotated[float, Field(ge=-1e12, le=1e12), Strictly()] | None = None


def _decision_kind(value: Any) -> Any:
    return value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)


# The value objects as commands declare them.
MeasureIn = Annotated[MeasureDefinition, Edge(MeasureDefinitionInput)]
AssessmentItemIn = Annotated[AssessmentItem, Edge(AssessmentItemInput)]
ActivityDetailsIn = Annotated[ActivityDetails, Edge(ActivityDetailsInput)]
ExitCriteriaIn = Annotated[ExitCriteriaSettings, Edge(ExitCriteriaSettingsInput)]
PersonIn = Annotated[PersonDetails, Edge(PersonDetailsInput)]
PdsaPlanIn = Annotated[PdsaPlan, Edge(PdsaPlanInput)]
PdsaStudyIn = Annotated[PdsaStudy, Edge(PdsaStudyInput)]
SharedProjectIn = Annotated[SharedProject, Edge(SharedProjectInput)]
OutputDetailsIn = Annotated[OutputDetails, Edge(OutputDetailsInput)]
ResourceDetailsIn = Annotated[ResourceDetails, Edge(ResourceDetailsInput)]
StoredFileIn = Annotated[StoredFile, Edge(StoredFileInput)]
# One decision about a chart, told apart by its "kind".
DecisionIn = Annotated[
    Annotated[ChooseChartType, Choice("chart_type")]
    | Annotated[SetBaseline, Edge(SetBaselineInput), Choice("baseline")]
    | Annotated[SplitPhase, Choice("split")]
    | Annotated[JoinPhase, Choice("join")]
    | Annotated[ExcludePoint, Choice("exclude")]
    | Annotated[IncludePoint, Choice("include")]
    | Annotated[SetGoal, Edge(SetGoalInput), Choice("goal")],
    Discriminator(_decision_kind),
]
