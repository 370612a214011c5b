"""A small collaborative driven through every phase by the engine's commands,
meeting each exit criterion honestly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from aggregates.activity import ActivityDetails
from aggregates.base import Actor, Role
from aggregates.criteria import ExitCriteriaSettings
from aggregates.idempotency import CommandResult
from aggregates.pdsa import PdsaAct, PdsaDo, PdsaPlan, PdsaStudy
from aggregates.phases import Phase
from aggregates.values import (
    ActivityKind,
    AssessmentItem,
    CEOffering,
    FocusFields,
    MeasureDefinition,
    OutputDetails,
    SharedProject,
)
from engine.application import QIEngine
from engine.commands.activity import RecordAttendance, ScheduleActivity
from engine.commands.collaborative import (
    AdvancePhase,
    CreateCollaborative,
    JoinCommunity,
    NewMember,
    RecordOutput,
    RegisterTeam,
)
from engine.commands.team import (
    DefineMeasure,
    PlanCycle,
    RecordAct,
    RecordDo,
    RecordStudy,
    ShareProject,
    SubmitAssessment,
    SubmitData,
)
from tests import fixtures

STAFF = Actor(id="staff-ann", role=Role.STAFF)
WEIGHT = MeasureDefinition.model_validate(fixtures.WEIGHT)


@dataclass
class Lifecycle:
    engine: QIEngine
    clock: object
    collaborative_id: UUID | None = None
    teams: list[UUID] = field(default_factory=list)
    members: dict[UUID, list[UUID]] = field(default_factory=dict)
    session_id: UUID | None = None

    def run(self, command: object, actor: Actor = STAFF) -> CommandResult:
        self.clock.advance(days=1)  # type: ignore[attr-defined]
        return self.engine.execute(command, self.engine.context(actor))  # type: ignore[arg-type]

    def advance(self, to: Phase, reason: str | None = None) -> CommandResult:
        assert self.collaborative_id
        return self.run(AdvancePhase(collaborative_id=self.collaborative_id, to=to, override_reason=reason))

    def create(self) -> UUID:
        focus = FocusFields(
            focus_area="Pediatric readiness",
            aim="Weigh 90% of children in kg",
            starts_on=date(2025, 1, 1),
            ends_on=date(2025, 12, 31),
        )
        outcome = self.run(
            CreateCollaborative(
                title="PRQC",
                focus=focus,
                measures=(WEIGHT,),
                settings=ExitCriteriaSettings(min_teams=2),
            )
        )
        self.collaborative_id = outcome.id
        return outcome.id

    def register_teams(self) -> None:
        assert self.collaborative_id
        for name, setting, discipline in (
            ("Mercy ED", "community_ed", "nurse"),
            ("Big Sky EMS", "ems_agency", "paramedic"),
        ):
            outcome = self.run(
                RegisterTeam(
                    collaborative_id=self.collaborative_id,
                    name=name,
                    organization=name,
                    care_setting=setting,
                    members=(NewMember(person={"name": f"{name} lead"}, discipline=discipline),),
                )
            )
            self.teams.append(outcome.id)
            self.members[outcome.id] = outcome.created["Participant"]

    def orient(self) -> None:
        for team_id in self.teams:
            self.run(
                SubmitAssessment(
                    team_id=team_id,
                    kind="gap_analysis",
                    items=(
                        AssessmentItem(item="Weight in kg", score=40),
                        AssessmentItem(item="Policy", score=70),
                    ),
                )
            )

    def hold_session(self) -> None:
        assert self.collaborative_id
        starts = self.clock.now + timedelta(days=1)  # type: ignore[attr-defined]
        details = ActivityDetails(
            kind=ActivityKind.LEARNING_SESSION,
            title="LS1",
            starts_at=starts,
            duration_minutes=90,
            ce=CEOffering(credit_types=("cme", "cne"), max_hours=1.5, accrediting_body="AAP"),
        )
        self.session_id = self.run(
            ScheduleActivity(collaborative_id=self.collaborative_id, details=details)
        ).id
        self.clock.advance(days=2)  # type: ignore[attr-defined]
        for team_id in self.teams:
            self.run(
                RecordAttendance(
                    activity_id=self.session_id, participant_id=self.members[team_id][0], minutes=90
                )
            )

    def work_projects(self) -> None:
        for team_id in self.teams:
            self.run(DefineMeasure(team_id=team_id, measure=WEIGHT))
            self.run(
                SubmitData(
                    team_id=team_id, measure_key="weight-kg", period="2025-01", numerator=12, denominator=20
                )
            )
            cycle_id = self.run(
                PlanCycle(
                    team_id=team_id,
                    plan=PdsaPlan(
                        title="Kg-only scale",
                        change_idea="Lock scales to kg",
                        objective="Fewer lb entries",
                        prediction="90% in kg",
                        plan="Day shift, one week",
                    ),
                )
            ).created["PdsaCycle"][0]
            self.run(RecordDo(team_id=team_id, cycle_id=cycle_id, do=PdsaDo(observations="Scales locked")))
            self.run(
                RecordStudy(
                    team_id=team_id,
                    cycle_id=cycle_id,
                    study=PdsaStudy(results="88%", prediction_confirmed=False),
                )
            )
            self.run(RecordAct(team_id=team_id, cycle_id=cycle_id, act=PdsaAct(decision="adopt")))

    def share(self) -> None:
        for team_id in self.teams:
            project = SharedProject(title="Kg only", summary="What worked", measure_keys=("weight-kg",))
            self.run(ShareProject(team_id=team_id, project=project))

    def finish(self) -> None:
        assert self.collaborative_id
        self.run(
            RecordOutput(
                collaborative_id=self.collaborative_id,
                details=OutputDetails(kind="toolkit", title="Kg toolkit"),
            )
        )
        self.advance(Phase.COMMUNITY_OF_PRACTICE)
        self.run(
            JoinCommunity(
                collaborative_id=self.collaborative_id, participant_id=self.members[self.teams[0]][0]
            )
        )
        self.advance(Phase.CLOSED)

    def through_every_phase(self) -> None:
        self.create()
        self.advance(Phase.REGISTRATION)
        self.register_teams()
        self.advance(Phase.ORIENTATION)
        self.orient()
        self.advance(Phase.SESSIONS)
        self.hold_session()
        self.advance(Phase.PROJECTS)
        self.work_projects()
        self.advance(Phase.SHARING)
        self.share()
        self.finish()


def world_in_projects(engine: QIEngine, clock: object) -> Lifecycle:
    """A collaborative walked to its projects phase, every exit criterion met on the way."""
    lc = Lifecycle(engine, clock)
    lc.create()
    lc.advance(Phase.REGISTRATION)
    lc.register_teams()
    lc.advance(Phase.ORIENTATION)
    lc.orient()
    lc.advance(Phase.SESSIONS)
    lc.hold_session()
    lc.advance(Phase.PROJECTS)
    lc.work_projects()
    return lc
