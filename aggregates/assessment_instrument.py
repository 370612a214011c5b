"""An assessment instrument staff define for a collaborative: an environmental scan, a
gap analysis or a readiness assessment, as REDCap-style items under domains.

Each item is yes/no, a choice (each option with its points), a number (met when it
reaches its target, or stays at or under it) or text (never scored), with a weight.
A team's score is the weighted share of the points it could have had, out of 100,
overall and per domain; the items not met are its gap report, heaviest first.

The instrument is versioned: publishing a changed definition makes a new version, and
a team's assessment records the version it answered. Scores of different versions are
never compared as if equal (`compare` says they are not comparable).

The fixed catalogue in aggregates.instruments stays as the built-in instruments of the
older assessment form.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from statistics import median
from typing import TYPE_CHECKING, Self
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from aggregates.base import CommandContext, QIAggregate, QICreated, QIEvent, Value
from aggregates.errors import DomainError, RuleViolation
from aggregates.progress import Rationale
from aggregates.values import Key, Name, Text


class InstrumentKind(StrEnum):
    ENVIRONMENTAL_SCAN = "environmental_scan"
    GAP_ANALYSIS = "gap_analysis"
    READINESS_ASSESSMENT = "readiness_assessment"


KIND_WORDS = {
    InstrumentKind.ENVIRONMENTAL_SCAN: "environmental scan",
    InstrumentKind.GAP_ANALYSIS: "gap analysis",
    InstrumentKind.READINESS_ASSESSMENT: "readiness assessment",
}


class ItemType(StrEnum):
    YES_NO = "yes_no"
    CHOICE = "choice"
    NUMBER = "number"
    TEXT = "text"  # never scored


class Option(Value):
    label: Name
    points: float = Field(ge=0, le=1e6)


class Item(Value):
    """One question of an instrument, in a domain."""

    key: Key
    domain: Name
    question: Name
    type: ItemType
    weight: float = Field(default=1, ge=0, le=1000)
    options: tuple[Option, ...] = Field(default=(), max_length=50)
    # A number item is met when the answer is at least its target (or at most, when
    # `at_most`): e.g. "nurses with a current pediatric competency check, %" >= 80.
    target: float | None = Field(default=None, ge=-1e12, le=1e12)
    at_most: bool = False
    unit: Name | None = None

    @model_validator(mode="after")
    def _fits_its_type(self) -> Item:
        if self.type is ItemType.CHOICE:
            labels = [o.label for o in self.options]
            if len(labels) < 2:
                raise ValueError(f"choice item {self.key!r} needs at least two options")
            if len(set(labels)) != len(labels):
                raise ValueError(f"choice item {self.key!r} lists an option twice")
            if max(o.points for o in self.options) <= 0:
                raise ValueError(f"choice item {self.key!r} needs an option worth some points")
        elif self.options:
            raise ValueError(f"only a choice item has options ({self.key!r} is {self.type.value})")
        if self.type is ItemType.NUMBER and self.target is None:
            raise ValueError(f"number item {self.key!r} needs a target that counts as met")
        if self.type is not ItemType.NUMBER and (self.target is not None or self.at_most or self.unit):
            raise ValueError(f"only a number item has a target or unit ({self.key!r} is {self.type.value})")
        return self

    @property
    def scored(self) -> bool:
        return self.type is not ItemType.TEXT and self.weight > 0

    def credit(self, answer: object) -> float:
        """The share (0 to 1) of the item's weight an answer earns."""
        if self.type is ItemType.YES_NO:
            return 1.0 if answer is True else 0.0
        if self.type is ItemType.CHOICE:
            best = max(o.points for o in self.options)
            chosen = next(o for o in self.options if o.label == answer)
            return chosen.points / best
        if self.type is ItemType.NUMBER:
            assert self.target is not None and isinstance(answer, int | float)
            met = answer <= self.target if self.at_most else answer >= self.target
            return 1.0 if met else 0.0
        return 0.0

    def problem(self, answer: object) -> str | None:
        """Why an answer does not fit this item (None when it does)."""
        if answer is None or answer == "":
            return "answer this item"
        if self.type is ItemType.YES_NO and not isinstance(answer, bool):
            return "answer yes or no (true or false)"
        if self.type is ItemType.CHOICE and (
            not isinstance(answer, str) or all(o.label != answer for o in self.options)
        ):
            return f"choose one of: {', '.join(o.label for o in self.options)}"
        if self.type is ItemType.NUMBER and (
            isinstance(answer, bool) or not isinstance(answer, int | float) or not -1e12 <= answer <= 1e12
        ):
            return "give a number"
        if self.type is ItemType.TEXT and (
            not isinstance(answer, str) or len(answer) > 2000 or "\x00" in answer
        ):
            return "give text of at most 2000 characters"
        return None

    def describe(self, answer: object) -> str:
        """The answer as a person reads it."""
        if self.type is ItemType.YES_NO:
            return "yes" if answer is True else "no"
        if self.type is ItemType.NUMBER:
            shown = f"{answer:g}" if isinstance(answer, int | float) else str(answer)
            return f"{shown} {self.unit}" if self.unit else shown
        return str(answer)

    def requirement(self) -> str:
        """What meets the item in full."""
        if self.type is ItemType.YES_NO:
            return "yes"
        if self.type is ItemType.CHOICE:
            best = max(o.points for o in self.options)
            return next(o.label for o in self.options if o.points == best)
        if self.type is ItemType.NUMBER:
            unit = f" {self.unit}" if self.unit else ""
            return f"{'at most' if self.at_most else 'at least'} {self.target:g}{unit}"
        return ""


class InstrumentDefinition(Value):
    title: Name
    kind: InstrumentKind
    description: Text | None = None
    items: tuple[Item, ...] = Field(min_length=1, max_length=300)

    @model_validator(mode="after")
    def _items_once_each(self) -> InstrumentDefinition:
        keys = [i.key for i in self.items]
        if len(set(keys)) != len(keys):
            twice = sorted({k for k in keys if keys.count(k) > 1})
            raise ValueError(f"an item key is listed twice: {', '.join(twice)}")
        if not any(i.scored for i in self.items):
            raise ValueError("an instrument needs at least one scored item (not text, weight above 0)")
        return self

    def domains(self) -> list[tuple[str, list[Item]]]:
        groups: dict[str, list[Item]] = {}
        for item in self.items:
            groups.setdefault(item.domain, []).append(item)
        return list(groups.items())

    def item(self, key: str) -> Item | None:
        return next((i for i in self.items if i.key == key), None)

    def answers(self, given: Mapping[str, object]) -> Answers:
        """The answers as recorded; AnswersInvalid names every item missing, answered
        outside its type or options, and every key the instrument does not ask."""
        problems: dict[str, str] = {}
        for key in given:
            if self.item(key) is None:
                problems[key] = "this instrument has no such item"
        flags: dict[str, bool] = {}
        choices: dict[str, str] = {}
        numbers: dict[str, float] = {}
        texts: dict[str, str] = {}
        for item in self.items:
            answer = given.get(item.key)
            if item.type is ItemType.TEXT and answer in (None, ""):
                continue  # text is optional: it is not scored
            problem = item.problem(answer)
            if problem is not None:
                problems[item.key] = problem
            elif item.type is ItemType.YES_NO:
                flags[item.key] = bool(answer)
            elif item.type is ItemType.CHOICE:
                choices[item.key] = str(answer)
            elif item.type is ItemType.NUMBER:
                assert isinstance(answer, int | float)
                numbers[item.key] = float(answer)
            else:
                texts[item.key] = str(answer)
        if problems:
            raise AnswersInvalid(problems)
        return Answers(flags=flags, choices=choices, numbers=numbers, texts=texts)

    def score(self, answers: Answers) -> InstrumentScore:
        """Weighted score out of 100, overall and per domain (text items are not scored)."""
        earned = total = 0.0
        domains = []
        for domain, items in self.domains():
            scored = [i for i in items if i.scored]
            if not scored:
                continue
            d_earned = sum(i.weight * i.credit(answers.of(i.key)) for i in scored)
            d_total = sum(i.weight for i in scored)
            domains.append(DomainScore(domain=domain, score=round(100 * d_earned / d_total, 1)))
            earned, total = earned + d_earned, total + d_total
        return InstrumentScore(overall=round(100 * earned / total, 1), domains=tuple(domains))

    def gaps(self, answers: Answers) -> list[Gap]:
        """The scored items not fully met, heaviest first (then in the instrument's order)."""
        found = [
            Gap(
                key=i.key,
                domain=i.domain,
                question=i.question,
                weight=i.weight,
                answer=i.describe(answers.of(i.key)),
                needed=i.requirement(),
                credit=round(i.credit(answers.of(i.key)), 3),
            )
            for i in self.items
            if i.scored and i.credit(answers.of(i.key)) < 1
        ]
        return sorted(found, key=lambda g: -g.weight)


class AnswersInvalid(DomainError):
    """Answers that do not fill the instrument: the problem for each item key (422)."""

    rule = "answers_fit_the_instrument"

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


class Answers(Value):
    """A team's answers by item key, by type (a text answer is personal data)."""

    flags: dict[Key, bool] = Field(default_factory=dict)
    choices: dict[Key, Name] = Field(default_factory=dict)
    numbers: dict[Key, float] = Field(default_factory=dict)
    texts: dict[Key, Rationale] = Field(default_factory=dict)

    def of(self, key: str) -> object:
        for answers in (self.flags, self.choices, self.numbers, self.texts):
            if key in answers:
                return answers[key]
        return None


class DomainScore(Value):
    domain: Name
    score: float = Field(ge=0, le=100)


class InstrumentScore(Value):
    overall: float = Field(ge=0, le=100)
    domains: tuple[DomainScore, ...]

    def of(self, domain: str) -> float | None:
        return next((d.score for d in self.domains if d.domain == domain), None)


class Gap(Value):
    key: Key
    domain: Name
    question: Name
    weight: float
    answer: str
    needed: str
    credit: float


class Change(Value):
    domain: str  # "overall" for the whole score
    before: float
    now: float

    @property
    def change(self) -> float:
        return round(self.now - self.before, 1)


class Comparison(Value):
    """Two scores side by side: only when both come from the same version."""

    version: int
    other_version: int
    comparable: bool
    changes: tuple[Change, ...] = ()

    @property
    def words(self) -> str:
        if self.comparable:
            return f"version {self.version}: like with like"
        return f"version {self.version} vs version {self.other_version}: not comparable"


def compare(version: int, score: InstrumentScore, other_version: int, other: InstrumentScore) -> Comparison:
    """How `score` differs from `other`, per domain and overall; never across versions."""
    if version != other_version:
        return Comparison(version=version, other_version=other_version, comparable=False)
    changes = [Change(domain="overall", before=other.overall, now=score.overall)]
    for d in score.domains:
        before = other.of(d.domain)
        if before is not None:
            changes.append(Change(domain=d.domain, before=before, now=d.score))
    return Comparison(version=version, other_version=other_version, comparable=True, changes=tuple(changes))


def median_score(scores: list[InstrumentScore]) -> InstrumentScore | None:
    """The median per domain and overall of scores all from one version (None for none)."""
    if not scores:
        return None
    domains = [d.domain for d in scores[0].domains]
    return InstrumentScore(
        overall=round(median(s.overall for s in scores), 1),
        domains=tuple(
            DomainScore(domain=d, score=round(median(v for s in scores if (v := s.of(d)) is not None), 1))
            for d in domains
        ),
    )


# The aggregate ------------------------------------------------------------------


class InstrumentState(BaseModel):
    collaborative_id: UUID
    versions: list[InstrumentDefinition] = Field(default_factory=list)  # version n at n - 1


class AssessmentInstrument(QIAggregate):
    State = InstrumentState
    if TYPE_CHECKING:
        state: InstrumentState

    @classmethod
    def define(
        cls,
        ctx: CommandContext,
        instrument_id: UUID,
        collaborative_id: UUID,
        definition: InstrumentDefinition,
    ) -> Self:
        """Publish version 1 of a new instrument for the collaborative."""
        return cls._create_with(
            ctx,
            InstrumentPublished,
            instrument_id,
            collaborative_id=collaborative_id,
            version=1,
            definition=definition,
        )

    def publish(self, ctx: CommandContext, definition: InstrumentDefinition) -> None:
        """Publish a changed definition as the next version (the same one again changes nothing)."""
        if definition == self.current:
            return
        if definition.kind is not self.current.kind:
            raise RuleViolation(
                f"an instrument stays a {KIND_WORDS[self.current.kind]}; define a new instrument instead"
            )
        self._record(ctx, InstrumentRevised, version=self.version_number + 1, definition=definition)

    @property
    def current(self) -> InstrumentDefinition:
        return self.state.versions[-1]

    @property
    def version_number(self) -> int:
        return len(self.state.versions)

    def at(self, version: int) -> InstrumentDefinition:
        if not 1 <= version <= len(self.state.versions):
            raise RuleViolation(f"the instrument has no version {version}")
        return self.state.versions[version - 1]


class InstrumentPublished(QICreated):
    """An instrument's first version, with its whole definition."""

    version: int
    definition: InstrumentDefinition

    def apply(self, aggregate: AssessmentInstrument) -> None:
        assert self.collaborative_id is not None
        aggregate.state = InstrumentState(collaborative_id=self.collaborative_id, versions=[self.definition])


class InstrumentRevised(QIEvent):
    """A new version of the instrument, with its whole definition."""

    version: int
    definition: InstrumentDefinition

    def apply(self, aggregate: AssessmentInstrument) -> None:
        aggregate.state.versions.append(self.definition)
