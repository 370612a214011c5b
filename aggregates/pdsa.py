"""Plan-Do-Study-Act cycles: the four stages, their content, and their order."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, Field

from aggregates.base import Value
from aggregates.errors import RuleViolation
from aggregates.values import ActDecision, Key, Name, Text


class Stage(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    STUDIED = "studied"
    ACTED = "acted"


class PdsaPlan(Value):
    """Plan: what change is tested, what is predicted, and how the test runs."""

    title: Name
    change_idea: Text
    change_idea_id: UUID | None = None
    objective: Text
    prediction: Text
    plan: Text
    measure_keys: tuple[Key, ...] = ()
    ramp_parent_id: UUID | None = None


class PdsaDo(Value):
    """Do: what happened when the test ran."""

    observations: Text
    carried_out_on: date | None = None


class PdsaStudy(Value):
    """Study: the results held against the prediction."""

    results: Text
    prediction_confirmed: bool
    learning: Text | None = None


class PdsaAct(Value):
    """Act: adopt, adapt or abandon the change, and what comes next."""

    decision: ActDecision
    next_steps: Text | None = None


class PdsaCycle(BaseModel):
    plan: PdsaPlan
    planned_at: datetime
    do: PdsaDo | None = None
    study: PdsaStudy | None = None
    act: PdsaAct | None = None
    # When each later stage was recorded (None in state from before they were kept).
    done_at: datetime | None = None
    studied_at: datetime | None = None
    acted_at: datetime | None = None
    ramp_children: list[UUID] = Field(default_factory=list)

    @property
    def stage(self) -> Stage:
        if self.act:
            return Stage.ACTED
        if self.study:
            return Stage.STUDIED
        if self.do:
            return Stage.DONE
        return Stage.PLANNED


# The stage a cycle must be in before each later stage may be recorded.
PREREQUISITE: dict[Stage, Stage] = {
    Stage.DONE: Stage.PLANNED,
    Stage.STUDIED: Stage.DONE,
    Stage.ACTED: Stage.STUDIED,
}

StageContent = PdsaDo | PdsaStudy | PdsaAct


def recorded_content(cycle: PdsaCycle, stage: Stage) -> StageContent | None:
    return {Stage.DONE: cycle.do, Stage.STUDIED: cycle.study, Stage.ACTED: cycle.act}[stage]


def needs_recording(cycle_id: UUID, cycle: PdsaCycle, stage: Stage, content: StageContent) -> bool:
    """Whether `content` for `stage` is new; identical repeats are no-ops, edits refused."""
    existing = recorded_content(cycle, stage)
    if existing == content:
        return False
    if existing is not None:
        raise RuleViolation(
            f"PDSA cycle {cycle_id} already has its {stage.value} stage recorded; "
            "plan a new linked cycle to change course"
        )
    if cycle.stage != PREREQUISITE[stage]:
        raise RuleViolation(
            f"PDSA cycle {cycle_id} is {cycle.stage.value}; it must be "
            f"{PREREQUISITE[stage].value} before it can be {stage.value}"
        )
    return True


def require_ramp_parent(cycles: dict[UUID, PdsaCycle], plan: PdsaPlan) -> None:
    """A linked cycle builds on what its parent learned, so the parent must have acted."""
    if plan.ramp_parent_id is None:
        return
    parent = cycles.get(plan.ramp_parent_id)
    if parent is None:
        raise RuleViolation(f"ramp parent cycle {plan.ramp_parent_id} is not one of this team's")
    if parent.stage is not Stage.ACTED:
        raise RuleViolation(
            f"ramp parent cycle {plan.ramp_parent_id} is {parent.stage.value}; "
            "a linked cycle follows a cycle whose act is decided"
        )
