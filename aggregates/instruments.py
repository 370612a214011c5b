"""The instruments teams fill in: a gap analysis and an environmental scan, each a
versioned list of questions with the answers a team may give and the points each answer
scores. A team's answers become the items of an Assessment (aggregates.values), which
keeps each question's text, its points and the most it could score.

The defaults follow the domains of the National Pediatric Readiness Assessment
(administration and coordination, staff competencies, quality improvement and patient
safety, policies and procedures, family-centred care, equipment and supplies). Staff
defining their own instruments is a later step; until then these are the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field, model_validator

from aggregates.base import Value
from aggregates.values import Assessment, AssessmentItem, AssessmentKind, Key, Name


class Answer(Value):
    label: Name
    points: float = Field(ge=0, le=1e6)


class InstrumentItem(Value):
    """One question, in a domain, with the answers to choose from."""

    key: Key  # the item's field on a form: unique across the catalogue
    domain: Name
    question: Name
    answers: tuple[Answer, ...] = Field(min_length=2)

    @property
    def max_points(self) -> float:
        return max(a.points for a in self.answers)

    def answer(self, label: str) -> Answer | None:
        return next((a for a in self.answers if a.label == label), None)


class AnswersRefused(ValueError):
    """Answers that do not fill the instrument: the reason for each item key."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


class Instrument(Value):
    kind: AssessmentKind
    title: Name
    version: int = Field(ge=1)
    items: tuple[InstrumentItem, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _items_once_each(self) -> Instrument:
        for what in ("key", "question"):
            values = [getattr(i, what) for i in self.items]
            if len(set(values)) != len(values):
                raise ValueError(f"an item's {what} is listed twice in {self.title!r}")
        return self

    def domains(self) -> list[tuple[str, list[InstrumentItem]]]:
        """The items under their domain, in the instrument's order."""
        groups: dict[str, list[InstrumentItem]] = {}
        for item in self.items:
            groups.setdefault(item.domain, []).append(item)
        return list(groups.items())

    def assessment(self, answers: Mapping[str, str]) -> Assessment:
        """The Assessment the answers (item key -> answer label) make; AnswersRefused names
        every item left unanswered or answered with something it does not offer."""
        problems: dict[str, str] = {}
        scored = []
        for item in self.items:
            label = answers.get(item.key, "")
            answer = item.answer(label)
            if answer is None:
                problems[item.key] = (
                    "choose an answer"
                    if not label
                    else f"choose one of: {', '.join(a.label for a in item.answers)}"
                )
                continue
            scored.append(AssessmentItem(item=item.question, score=answer.points, max_score=item.max_points))
        if problems:
            raise AnswersRefused(problems)
        return Assessment(kind=self.kind, items=tuple(scored))

    def answer_given(self, item: AssessmentItem) -> str | None:
        """The answer a submitted item stands for, when this instrument asks that question
        with that scale (None for an item of another version)."""
        asked = next((i for i in self.items if i.question == item.item), None)
        if asked is None or asked.max_points != item.max_score:
            return None
        return next((a.label for a in asked.answers if a.points == item.score), None)


YES_PARTLY_NO = (
    Answer(label="yes", points=100),
    Answer(label="partly", points=50),
    Answer(label="no", points=0),
)
IN_PLACE = (
    Answer(label="in place", points=100),
    Answer(label="being set up", points=50),
    Answer(label="not yet", points=0),
)

ADMINISTRATION = "Administration and coordination"
COMPETENCIES = "Staff competencies"
QUALITY = "Quality improvement and patient safety"
POLICIES = "Policies and procedures"
FAMILY = "Family-centred care"
EQUIPMENT = "Equipment and supplies"


def _items(
    prefix: str, rows: tuple[tuple[str, str, str], ...], answers: tuple[Answer, ...]
) -> tuple[InstrumentItem, ...]:
    return tuple(
        InstrumentItem(key=f"{prefix}-{key}", domain=domain, question=question, answers=answers)
        for key, domain, question in rows
    )


GAP_ANALYSIS = Instrument(
    kind=AssessmentKind.GAP_ANALYSIS,
    title="Pediatric readiness gap analysis",
    version=1,
    items=_items("gap", (
        ("pecc-nurse", ADMINISTRATION, "A nurse is named as the pediatric emergency care coordinator"),
        ("pecc-physician", ADMINISTRATION, "A physician or advanced practice provider is named as the pediatric emergency care coordinator"),
        ("nurse-competency", COMPETENCIES, "Nurses' pediatric competencies (triage, resuscitation, dosing) are checked at least once a year"),
        ("provider-education", COMPETENCIES, "Physicians and advanced practice providers keep up pediatric emergency education"),
        ("weight-kg", QUALITY, "Children are weighed in kilograms and the weight is recorded in kilograms only"),
        ("qi-plan", QUALITY, "The quality improvement plan tracks pediatric measures and reviews them regularly"),
        ("abnormal-vitals", QUALITY, "Abnormal pediatric vital signs are flagged and the care team is told"),
        ("triage-policy", POLICIES, "Written policies cover pediatric triage, sedation and imaging doses"),
        ("transfer", POLICIES, "Transfer agreements and guidelines for children are written and known"),
        ("disaster", POLICIES, "The disaster plan covers the needs of children"),
        ("family-presence", FAMILY, "Families may stay with their child during procedures and resuscitation"),
        ("family-language", FAMILY, "Families get information in a language and format they understand"),
        ("equipment", EQUIPMENT, "Pediatric equipment and supplies in every size are at hand and checked regularly"),
        ("dosing-aid", EQUIPMENT, "A weight-based or length-based dosing aid is used for medications"),
    ), YES_PARTLY_NO),
)  # fmt: skip

ENVIRONMENTAL_SCAN = Instrument(
    kind=AssessmentKind.ENVIRONMENTAL_SCAN,
    title="Pediatric readiness environmental scan",
    version=1,
    items=_items("scan", (
        ("leadership", ADMINISTRATION, "Leadership backs the pediatric readiness work with time and a sponsor"),
        ("partners", ADMINISTRATION, "Referral centres and EMS agencies the team works with are known and reachable"),
        ("education-access", COMPETENCIES, "Staff can reach pediatric education and simulation, on site or through partners"),
        ("data-access", QUALITY, "The team can pull pediatric data from its records every month"),
        ("safety-reporting", QUALITY, "Pediatric safety events are reported and reviewed"),
        ("shared-protocols", POLICIES, "Pediatric protocols are shared with the EMS agencies and hospitals around"),
        ("family-advisers", FAMILY, "Family advisers or community partners can join the team"),
        ("restocking", EQUIPMENT, "Pediatric equipment is restocked and checked on a schedule"),
    ), IN_PLACE),
)  # fmt: skip

INSTRUMENTS: dict[AssessmentKind, Instrument] = {i.kind: i for i in (GAP_ANALYSIS, ENVIRONMENTAL_SCAN)}
