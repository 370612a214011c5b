"""Response schemas for QI training."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from aggregates.training import ModuleDefinition
from engine.queries.training import MemberTraining, ModuleListed, ModuleView, Progress


class ProgressPublic(BaseModel):
    attempts: int
    completed: bool
    best: str | None = Field(description='the best attempt, e.g. "8 of 10"; none without a check')

    @classmethod
    def of(cls, p: Progress) -> ProgressPublic:
        return cls(attempts=p.attempts, completed=p.completed, best=p.best)


class ModuleListedPublic(BaseModel):
    module_id: UUID
    title: str
    summary: str
    topics: list[str]
    questions: int
    pass_mark: int | None
    credit: dict[str, object] | None
    published_at: str
    mine: ProgressPublic | None

    @classmethod
    def of(cls, m: ModuleListed) -> ModuleListedPublic:
        return cls(
            module_id=m.module_id, title=m.title, summary=m.summary, topics=m.topics, questions=m.questions,
            pass_mark=m.pass_mark, credit=m.credit, published_at=m.published_at,
            mine=ProgressPublic.of(m.mine) if m.mine else None,
        )  # fmt: skip


class ModulePublic(BaseModel):
    module_id: UUID
    collaborative_id: UUID
    module: ModuleDefinition = Field(
        description="the check's right answers are shown to staff only (0 for others)"
    )
    mine: ProgressPublic | None

    @classmethod
    def of(cls, v: ModuleView) -> ModulePublic:
        return cls(
            module_id=v.module_id, collaborative_id=v.collaborative_id, module=v.module,
            mine=ProgressPublic.of(v.mine) if v.mine else None,
        )  # fmt: skip


class MemberTrainingPublic(BaseModel):
    participant_id: UUID
    completed: list[str]
    basics: list[str] = Field(
        description="which of the basics (pdsa, measurement) a completed module covered"
    )

    @classmethod
    def of(cls, m: MemberTraining) -> MemberTrainingPublic:
        return cls(participant_id=m.participant_id, completed=m.completed, basics=m.basics)
