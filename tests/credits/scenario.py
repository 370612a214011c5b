"""A collaborative in its sessions phase with one team of mixed disciplines,
driven through the engine's commands, for the credit ledger tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from aggregates.activity import ActivityDetails
from aggregates.activity_ids import ActivityIds
from aggregates.base import Actor, Role
from aggregates.idempotency import CommandResult
from aggregates.participant import PersonDetails
from aggregates.pdsa import PdsaAct, PdsaDo, PdsaPlan, PdsaStudy
from aggregates.phases import Phase
from aggregates.values import ActivityKind, CEOffering, CreditType, Discipline, Licence
from engine.application import QIEngine
from engine.commands.activity import AttestMocPart4, RecordAttendance, ScheduleActivity
from engine.commands.collaborative import AdvancePhase, CreateCollaborative, NewMember, RegisterTeam
from engine.commands.team import DefineMeasure, PlanCycle, RecordAct, RecordDo, RecordStudy, SubmitData
from tests.conftest import Clock
from tests.store.lifecycle import WEIGHT

STAFF = Actor(id="staff-ann", role=Role.STAFF)
OFFERED = (CreditType.CME, CreditType.MOC_PART_2, CreditType.CNE, CreditType.CAPCE)
PEOPLE = {
    "doc": (
        Discipline.PHYSICIAN,
        PersonDetails(name="Dr Ada Lee", licences=(Licence(kind="ABP", number="123456"),)),
    ),
    "nurse": (
        Discipline.NURSE,
        PersonDetails(name="Ben Ortiz", licences=(Licence(kind="RN", number="RN-77", issuer="MT"),)),
    ),
    "medic": (Discipline.PARAMEDIC, PersonDetails(name="Cy Park")),
    "parent": (Discipline.FAMILY_PARTNER, PersonDetails(name="=Dee Family")),
}
STATEMENT = "I took part in planning, testing and studying the team's changes."


@dataclass
class Scenario:
    engine: QIEngine
    clock: Clock
    collaborative: UUID | None = None
    team: UUID | None = None
    people: dict[str, UUID] = field(default_factory=dict)
    months: int = 0
    last_cycle: UUID | None = None
    roster: dict[str, tuple[Discipline, PersonDetails]] = field(default_factory=lambda: dict(PEOPLE))

    def run(self, command: object) -> CommandResult:
        self.clock.advance(hours=1)
        return self.engine.execute(command, self.engine.context(STAFF))  # type: ignore[arg-type]

    def start(self) -> Scenario:
        """A collaborative in its sessions phase, one team, and a measure to report."""
        self.collaborative = self.run(CreateCollaborative(title="PRQC")).id
        self.advance(Phase.REGISTRATION)
        members = tuple(NewMember(person=person, discipline=d) for d, person in self.roster.values())
        outcome = self.run(
            RegisterTeam(
                collaborative_id=self.collaborative,
                name="Mercy ED",
                organization="Mercy",
                care_setting="community_ed",
                members=members,
            )
        )
        self.team = outcome.id
        self.people = dict(zip(self.roster, outcome.created["Participant"], strict=True))
        self.advance(Phase.ORIENTATION)
        self.advance(Phase.SESSIONS)
        self.run(DefineMeasure(team_id=self.team, measure=WEIGHT))
        return self

    def advance(self, to: Phase) -> None:
        assert self.collaborative
        self.run(AdvancePhase(collaborative_id=self.collaborative, to=to, override_reason="test set-up"))

    def session(
        self,
        max_hours: float = 1.5,
        offered: tuple[CreditType, ...] = OFFERED,
        ce: bool = True,
        accreditor: ActivityIds | None = None,
        title: str = "Learning session 1",
    ) -> UUID:
        """A 120-minute learning session, already started."""
        assert self.collaborative
        offering = CEOffering(
            credit_types=offered, max_hours=max_hours, accrediting_body="AAP", accreditor=accreditor
        )
        details = ActivityDetails(
            kind=ActivityKind.LEARNING_SESSION,
            title=title,
            starts_at=self.clock.now + timedelta(hours=2),
            duration_minutes=120,
            ce=offering if ce else None,
        )
        activity = self.run(ScheduleActivity(collaborative_id=self.collaborative, details=details)).id
        self.clock.advance(hours=3)
        return activity

    def attend(self, activity: UUID, who: str, minutes: int) -> None:
        self.run(RecordAttendance(activity_id=activity, participant_id=self.people[who], minutes=minutes))

    def submit_months(self, count: int) -> None:
        """Data for the next `count` months, going back from March 2025."""
        assert self.team
        for _ in range(count):
            year, month = divmod(2025 * 12 + 2 - self.months, 12)
            period = f"{year}-{month + 1:02d}"
            self.run(
                SubmitData(
                    team_id=self.team, measure_key="weight-kg", period=period, numerator=3, denominator=4
                )
            )
            self.months += 1

    def cycle(self, linked: bool = True, act: bool = True) -> UUID:
        """A PDSA cycle, a ramp child of the last one when `linked`, its act decided when `act`."""
        assert self.team
        parent = self.last_cycle if linked else None
        plan = PdsaPlan(
            title="Kg", change_idea="Lock", objective="O", prediction="P", plan="Pl", ramp_parent_id=parent
        )
        cycle = self.run(PlanCycle(team_id=self.team, plan=plan)).created["PdsaCycle"][0]
        self.run(RecordDo(team_id=self.team, cycle_id=cycle, do=PdsaDo(observations="o")))
        self.run(
            RecordStudy(
                team_id=self.team, cycle_id=cycle, study=PdsaStudy(results="r", prediction_confirmed=True)
            )
        )
        if act:
            self.run(RecordAct(team_id=self.team, cycle_id=cycle, act=PdsaAct(decision="adapt")))
            self.last_cycle = cycle
        return cycle

    def attest(self, who: str, statement: str = STATEMENT) -> CommandResult:
        assert self.team
        return self.run(
            AttestMocPart4(participant_id=self.people[who], team_id=self.team, statement=statement)
        )

    def position_of(self, event: str) -> int:
        """The position of the latest stored event of this type."""
        found = [
            n.id for n in self.engine.recorder.select_notifications(1, 100_000) if n.topic.endswith(event)
        ]
        return found[-1]
