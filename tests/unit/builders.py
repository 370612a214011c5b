"""Builders for unit tests: contexts, and aggregates put in a given state through
their own commands."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count
from uuid import UUID, uuid4

from aggregates.activity import ActivityDetails, LearningActivity
from aggregates.base import Actor, CommandContext, QIAggregate, QIEvent, Role
from aggregates.collaborative import Collaborative
from aggregates.criteria import ExitCriteriaSettings
from aggregates.pdsa import PdsaAct, PdsaDo, PdsaPlan, PdsaStudy
from aggregates.phases import PHASES, Phase
from aggregates.team import Team
from aggregates.values import (
    ActDecision,
    ActivityKind,
    CareSetting,
    CEOffering,
    CreditType,
    Direction,
    Discipline,
    FocusFields,
    MeasureDefinition,
    MeasureKind,
    MemberSpec,
    TeamProfile,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
STAFF = Actor(id="staff-ann", role=Role.STAFF)
_ids = count(1)


def ctx(actor: Actor = STAFF, at: datetime = T0) -> CommandContext:
    return CommandContext(actor=actor, command_id=f"cmd-{next(_ids)}", at=at)


def then_events(aggregate: QIAggregate) -> list[QIEvent]:
    """The events the last command(s) recorded, clearing them."""
    return list(aggregate.collect_events())  # type: ignore[arg-type]


WEIGHT = MeasureDefinition(
    key="weight-kg",
    name="Weight recorded in kilograms",
    kind=MeasureKind.PROCESS,
    numerator="children weighed and recorded in kilograms only",
    denominator="children seen in the ED",
    direction=Direction.INCREASE,
    target=0.9,
)

FULL_FOCUS = FocusFields(
    focus_area="Pediatric readiness",
    aim="Weigh 90% of children in kilograms by December",
    starts_on=date(2025, 1, 1),
    ends_on=date(2025, 12, 31),
)


def new_collaborative(min_teams: int = 1) -> Collaborative:
    collaborative = Collaborative.create(
        ctx(), uuid4(), "PRQC", FULL_FOCUS, (WEIGHT,), ExitCriteriaSettings(min_teams=min_teams)
    )
    collaborative.collect_events()
    return collaborative


def collaborative_in(phase: Phase) -> Collaborative:
    """A collaborative moved to `phase` by staff overrides."""
    collaborative = new_collaborative()
    for target in PHASES[1 : PHASES.index(phase) + 1]:
        collaborative.advance_phase(ctx(), target, (), 0, override_reason="test set-up")
    collaborative.collect_events()
    return collaborative


def new_team(collaborative_id: UUID | None = None) -> Team:
    team = Team.register(
        ctx(),
        uuid4(),
        collaborative_id or uuid4(),
        TeamProfile(name="Mercy ED", organization="Mercy Hospital", care_setting=CareSetting.COMMUNITY_ED),
        (MemberSpec(participant_id=uuid4(), discipline=Discipline.NURSE),),
    )
    team.collect_events()
    return team


def plan(title: str = "Kg-only scale", parent: UUID | None = None) -> PdsaPlan:
    return PdsaPlan(
        title=title,
        change_idea="Lock scales to kilograms",
        objective="See whether locked scales stop pound entries",
        prediction="Nine in ten weights will be in kg",
        plan="Triage nurses on day shift for one week",
        ramp_parent_id=parent,
    )


DO = PdsaDo(observations="Two scales could not be locked")
STUDY = PdsaStudy(results="82% in kg", prediction_confirmed=False, learning="Night shift differs")
ACT = PdsaAct(decision=ActDecision.ADAPT, next_steps="Add night shift")


def team_with_acted_cycle(phase: Phase = Phase.SESSIONS) -> tuple[Team, UUID]:
    team = new_team()
    cycle_id = uuid4()
    team.plan_cycle(ctx(), phase, cycle_id, plan())
    team.record_do(ctx(), phase, cycle_id, DO)
    team.record_study(ctx(), phase, cycle_id, STUDY)
    team.record_act(ctx(), phase, cycle_id, ACT)
    team.collect_events()
    return team, cycle_id


def session_details(
    kind: ActivityKind = ActivityKind.LEARNING_SESSION, starts: datetime = T0
) -> ActivityDetails:
    return ActivityDetails(
        kind=kind,
        title="Learning session 1",
        starts_at=starts,
        duration_minutes=90,
        ce=CEOffering(credit_types=(CreditType.CME, CreditType.CNE), max_hours=1.5, accrediting_body="AAP"),
    )


def new_activity(phase: Phase = Phase.SESSIONS) -> LearningActivity:
    activity = LearningActivity.schedule(
        ctx(at=T0 - timedelta(days=7)), uuid4(), uuid4(), phase, session_details()
    )
    activity.collect_events()
    return activity
