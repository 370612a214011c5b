"""Commands of QI training: staff publish a module; a person takes it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import Field

from aggregates.activity_ids import ActivityIds
from aggregates.training import CheckQuestion, EnduringCredit, KnowledgeCheck, ModuleDefinition
from aggregates.values import CreditType, Name, Tag
from engine.commands import Command, NewId
from engine.commands.fields import Edge, HttpUrl, Items, Strictly
from engine.commands.inputs import ActivityIdsInput


class CheckQuestionIn(CheckQuestion):
    options: Annotated[tuple[Name, ...], Items(8, "option", least=2)]
    correct: Annotated[int, Field(ge=0, le=7), Strictly()]


class KnowledgeCheckIn(KnowledgeCheck):
    questions: Annotated[
        tuple[Annotated[CheckQuestion, Edge(CheckQuestionIn)], ...],
        Items(50, "question", same=lambda q: q.prompt, least=1),
    ]
    pass_mark: Annotated[int, Field(ge=1, le=100), Strictly()]


class EnduringCreditIn(EnduringCredit):
    credit_types: Annotated[tuple[CreditType, ...], Items(len(CreditType), "credit type", least=1)]
    hours: Annotated[float, Field(gt=0, le=40, multiple_of=0.25), Strictly()]
    accreditor: Annotated[ActivityIds, Edge(ActivityIdsInput)] | None = None


class ModuleIn(ModuleDefinition):
    topics: Annotated[tuple[Tag, ...], Items(20, "topic")] = ()
    recording_url: Annotated[str, HttpUrl("the recording's link")] | None = None
    readings: Annotated[tuple[UUID, ...], Items(50, "reading")] = ()
    check: Annotated[KnowledgeCheck, Edge(KnowledgeCheckIn)] | None = None
    credit: Annotated[EnduringCredit, Edge(EnduringCreditIn)] | None = None


class PublishModule(Command):
    """Offer a QI training module to the collaborative's people (staff)."""

    target_field = "collaborative_id"
    collaborative_id: UUID
    module_id: NewId | None = None
    module: Annotated[ModuleDefinition, Edge(ModuleIn)]


class TakeModule(Command):
    """A person's attempt at a module: the check's answers by option position, from 0
    (none for a module without a check: taking it completes it)."""

    target_field = "module_id"
    module_id: UUID
    participant_id: UUID
    answers: Annotated[
        tuple[Annotated[int, Field(ge=0, le=7), Strictly()], ...], Items(50, "answer", same=lambda _: None)
    ] = ()
