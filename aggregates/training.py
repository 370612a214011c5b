"""QI training: modules a collaborative offers, and each person's record of taking them.

"Teams need not have QI training or background": the collaborative offers it. Staff
publish a module (a recorded learning session, readings from the library, a short
knowledge check with a pass mark, and, where it is accredited as enduring material, the
CE credit it designates). People take it at their own pace: a module with a check is
completed by passing it (a failed check earns nothing and can be retaken); one without
is completed by saying so. A recorded session watched later is training, not attendance:
nothing here touches an activity's attendance.

A person's record of one module is its own small aggregate (`TrainingRecord`, its id
derived from the person and the module), so attempts never contend with other people's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self
from uuid import UUID, uuid5

from pydantic import BaseModel, Field, model_validator

from aggregates.activity_ids import ActivityIds
from aggregates.base import CommandContext, QIAggregate, QICreated, QIEvent, Value
from aggregates.errors import RuleViolation
from aggregates.phases import Activity, Phase, require_allowed
from aggregates.values import CreditType, Name, Tag, Text

_RECORDS = UUID("6a1e2c7d-3b94-4f0e-8d25-c9f7a0b4e318")
BASICS = ("pdsa", "measurement")  # the topics coaches look for: who on a team has done the basics


class CheckQuestion(Value):
    prompt: Name
    options: tuple[Name, ...] = Field(min_length=2, max_length=8)
    correct: int = Field(ge=0, le=7, description="the position of the right option, from 0")

    @model_validator(mode="after")
    def _correct_is_an_option(self) -> CheckQuestion:
        if self.correct >= len(self.options):
            raise ValueError(
                f"the right answer to {self.prompt!r} must be one of its {len(self.options)} options"
            )
        return self


class KnowledgeCheck(Value):
    questions: tuple[CheckQuestion, ...] = Field(min_length=1, max_length=50)
    pass_mark: int = Field(ge=1, le=100, description="the percentage of right answers that passes")


class EnduringCredit(Value):
    """The CE credit the module designates as enduring material, earned by passing its check."""

    credit_types: tuple[CreditType, ...] = Field(min_length=1)
    hours: float = Field(gt=0, le=40, multiple_of=0.25)
    accrediting_body: Name
    accreditor: ActivityIds | None = None  # its ids at the accreditors (aggregates.activity_ids)

    @model_validator(mode="after")
    def _no_moc_part_4(self) -> EnduringCredit:
        if CreditType.MOC_PART_4 in self.credit_types:
            raise ValueError("MOC Part 4 is earned by a team's improvement project, not by a module")
        return self


class ModuleDefinition(Value):
    title: Name
    summary: Text
    topics: tuple[Tag, ...] = ()  # e.g. "pdsa", "measurement": what coaches look for (BASICS)
    recording_url: str | None = Field(default=None, max_length=2000)  # a recorded learning session
    recorded_activity_id: UUID | None = None  # ... or the collaborative's own session, recorded
    readings: tuple[UUID, ...] = ()  # resources of the collaborative's library
    check: KnowledgeCheck | None = None
    credit: EnduringCredit | None = None

    @model_validator(mode="after")
    def _credit_needs_a_check(self) -> ModuleDefinition:
        if self.credit is not None and self.check is None:
            raise ValueError("enduring-material credit needs a knowledge check to pass")
        return self


class ModuleState(BaseModel):
    collaborative_id: UUID
    module: ModuleDefinition


class TrainingModule(QIAggregate):
    State = ModuleState
    if TYPE_CHECKING:
        state: ModuleState

    @classmethod
    def publish(
        cls,
        ctx: CommandContext,
        module_id: UUID,
        collaborative_id: UUID,
        phase: Phase,
        module: ModuleDefinition,
    ) -> Self:
        require_allowed(Activity.TRAIN, phase)
        return cls._create_with(
            ctx, ModulePublished, module_id, collaborative_id=collaborative_id, module=module
        )

    def record_accreditor_ids(self, ctx: CommandContext, ids: ActivityIds) -> None:
        """Record the module's ids at the accreditors, as enduring material, once assigned."""
        credit = self.state.module.credit
        if credit is None:
            raise RuleViolation("the module designates no CE credit, so no accreditor knows it")
        if credit.accreditor == ids:
            return
        self._record(ctx, ModuleAccreditorIdsRecorded, ids=ids)


class ModulePublished(QICreated):
    module: ModuleDefinition

    def apply(self, aggregate: TrainingModule) -> None:
        assert self.collaborative_id is not None
        aggregate.state = ModuleState(collaborative_id=self.collaborative_id, module=self.module)


class ModuleAccreditorIdsRecorded(QIEvent):
    """The module's ids at the accreditors and its commercial support (a later one replaces them)."""

    ids: ActivityIds

    def apply(self, aggregate: TrainingModule) -> None:
        module = aggregate.state.module
        assert module.credit is not None
        credit = module.credit.model_copy(update={"accreditor": self.ids})
        aggregate.state.module = module.model_copy(update={"credit": credit})


def training_record_id(participant_id: UUID, module_id: UUID) -> UUID:
    return uuid5(_RECORDS, f"{participant_id}:{module_id}")


class Attempt(Value):
    answers: tuple[int, ...]
    right: int
    asked: int
    passed: bool


class RecordState(BaseModel):
    collaborative_id: UUID
    participant_id: UUID
    module_id: UUID
    attempts: list[Attempt] = Field(default_factory=list)

    @property
    def completed(self) -> bool:
        return any(a.passed for a in self.attempts)


class TrainingRecord(QIAggregate):
    """One person's attempts at one module."""

    State = RecordState
    if TYPE_CHECKING:
        state: RecordState

    @classmethod
    def start(cls, ctx: CommandContext, participant_id: UUID, module: TrainingModule) -> Self:
        return cls._create_with(
            ctx, TrainingStarted, training_record_id(participant_id, module.id),
            collaborative_id=module.state.collaborative_id, participant_id=participant_id, module_id=module.id,
        )  # fmt: skip

    def take(
        self, ctx: CommandContext, phase: Phase, module: ModuleDefinition, answers: tuple[int, ...]
    ) -> None:
        """An attempt: the check's answers (by option position), or none for a module without
        a check (taking it completes it). Refused once passed: there is nothing to retake."""
        require_allowed(Activity.TRAIN, phase)
        if self.state.completed:
            raise RuleViolation(f"{module.title!r} is already completed: there is nothing to retake")
        check = module.check
        if check is None:
            if answers:
                raise RuleViolation(f"{module.title!r} has no knowledge check: send no answers")
            self._record(ctx, CheckTaken, **self._whose(), answers=(), right=0, asked=0, passed=True)
            return
        if len(answers) != len(check.questions):
            raise RuleViolation(
                f"answer every question of the check: {len(check.questions)} asked, {len(answers)} answered"
            )
        for number, (answer, question) in enumerate(zip(answers, check.questions, strict=True), start=1):
            if not 0 <= answer < len(question.options):
                raise RuleViolation(
                    f"question {number} has {len(question.options)} options: choose one of them"
                )
        right = sum(a == q.correct for a, q in zip(answers, check.questions, strict=True))
        passed = 100 * right >= check.pass_mark * len(check.questions)
        self._record(
            ctx,
            CheckTaken,
            **self._whose(),
            answers=answers,
            right=right,
            asked=len(check.questions),
            passed=passed,
        )

    def _whose(self) -> dict[str, UUID]:
        return {"participant_id": self.state.participant_id, "module_id": self.state.module_id}


class TrainingStarted(QICreated):
    participant_id: UUID
    module_id: UUID

    def apply(self, aggregate: TrainingRecord) -> None:
        assert self.collaborative_id is not None
        aggregate.state = RecordState(
            collaborative_id=self.collaborative_id,
            participant_id=self.participant_id,
            module_id=self.module_id,
        )


class CheckTaken(QIEvent):
    """An attempt at a module: its answers, how many were right, and whether it passed
    (a module without a check is completed by one attempt with no answers)."""

    participant_id: UUID
    module_id: UUID
    answers: tuple[int, ...]
    right: int
    asked: int
    passed: bool

    def apply(self, aggregate: TrainingRecord) -> None:
        aggregate.state.attempts.append(
            Attempt(answers=self.answers, right=self.right, asked=self.asked, passed=self.passed)
        )
