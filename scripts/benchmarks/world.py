"""A small collaborative to run commands against, set up through the engine's commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from aggregates.activity import ActivityDetails
from aggregates.base import Actor, Role
from aggregates.phases import PHASES, Phase
from aggregates.values import (
    ActivityKind,
    CEOffering,
    CreditType,
    Direction,
    FocusFields,
    MeasureDefinition,
    MeasureKind,
)
from engine.application import QIEngine
from engine.commands.activity import ScheduleActivity
from engine.commands.collaborative import AdvancePhase, CreateCollaborative, NewMember, RegisterTeam
from engine.commands.team import DefineMeasure

SYSTEM = Actor(id="bench", role=Role.SYSTEM)
WEIGHT = MeasureDefinition(
    key="weight-kg", name="Weight in kg", kind=MeasureKind.PROCESS, numerator="kg only",
    denominator="children seen", direction=Direction.INCREASE,
)  # fmt: skip


@dataclass
class World:
    collaborative: UUID
    teams: list[UUID]
    members: list[UUID]
    activity: UUID


def run(engine: QIEngine, command: object) -> UUID:
    return engine.execute(command, engine.context(SYSTEM)).id  # type: ignore[arg-type]


def advance_to(engine: QIEngine, collaborative: UUID, phase: Phase) -> None:
    current = engine.collaborative(collaborative).phase
    for target in PHASES[PHASES.index(current) + 1 : PHASES.index(phase) + 1]:
        run(
            engine,
            AdvancePhase(collaborative_id=collaborative, to=target, override_reason="benchmark set-up"),
        )


def build_world(
    engine: QIEngine, teams: int = 1, measures: tuple[MeasureDefinition, ...] = (WEIGHT,)
) -> World:
    focus = FocusFields(
        focus_area="Readiness", aim="Weigh in kg", starts_on=date(2024, 1, 1), ends_on=date(2025, 12, 31)
    )
    collaborative = run(engine, CreateCollaborative(title="Bench", focus=focus, measures=measures[:1]))
    advance_to(engine, collaborative, Phase.REGISTRATION)
    team_ids, members = [], []
    for n in range(teams):
        outcome = engine.execute(RegisterTeam(
            collaborative_id=collaborative, name=f"Team {n}", organization=f"Org {n}", care_setting="community_ed",
            members=(NewMember(person={"name": f"Member {n}"}, discipline="nurse"),),
        ), engine.context(SYSTEM))  # fmt: skip
        team_ids.append(outcome.id)
        members.extend(outcome.created["Participant"])
    advance_to(engine, collaborative, Phase.SESSIONS)
    for team in team_ids:
        for measure in measures:
            run(engine, DefineMeasure(team_id=team, measure=measure))
    details = ActivityDetails(
        kind=ActivityKind.LEARNING_SESSION, title="LS", starts_at=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=1),
        duration_minutes=90, ce=CEOffering(credit_types=(CreditType.CNE,), max_hours=1.5, accrediting_body="AAP"),
    )  # fmt: skip
    activity = run(engine, ScheduleActivity(collaborative_id=collaborative, details=details))
    return World(collaborative, team_ids, members, activity)
