"""A realistic demo collaborative, seeded through the engine's own commands.

The seed replays a year of a Pediatric Readiness Quality Collaborative in
simulated time: every command carries the date it would really have happened,
so run charts, audit trails and "as of" reads look as they would in production.
Shared learning runs through the same commands: the change package that PDSA
cycles link to, a library whose files go through the file store as uploads do,
comments and borrowed changes between teams, and a toolkit compiled at sharing.
Command ids and created ids are fixed, so an interrupted seed can simply be run
again: commands already done return their first outcome and write nothing.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from uuid import UUID

from pydantic import BaseModel
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table

from adapters.filestore import FileStore
from aggregates.activity import LearningActivity
from aggregates.base import Actor, CommandContext, Role
from aggregates.change_package import ChangePackage, NodeKind, change_package_id
from aggregates.criteria import ExitCriteriaSettings
from aggregates.idempotency import CommandResult
from aggregates.ids import named_id
from aggregates.participant import PersonDetails
from aggregates.pdsa import PdsaAct, PdsaDo, PdsaPlan, PdsaStudy
from aggregates.phases import Phase
from aggregates.resource import ResourceDetails, StoredFile
from aggregates.team import Team
from aggregates.values import (
    ActivityKind,
    CareSetting,
    DriverLevel,
    FocusFields,
    MemberRole,
    OutputDetails,
    OutputKind,
    SharedProject,
)
from engine.application import QIEngine
from engine.commands import Command
from engine.commands.activity import RecordAttendance, RegisterParticipant, ScheduleActivity
from engine.commands.collaborative import (
    AdvancePhase,
    CreateCollaborative,
    JoinCommunity,
    NewMember,
    RecordOutput,
    RegisterTeam,
)
from engine.commands.learning import (
    AddChangeIdea,
    AddDriver,
    CommentOnProject,
    CompileToolkit,
    RetireNode,
    ReviseAim,
    ShareFile,
    ShareLink,
    TryChange,
)
from engine.commands.team import (
    AddCoachingNote,
    AssignCoach,
    DefineMeasure,
    PlanCycle,
    RecordAct,
    RecordDo,
    RecordStudy,
    ShareProject,
    SubmitAssessment,
    SubmitData,
)
from engine.errors import NotFound
from scripts.demo import data, learning

NAMESPACE = UUID("0b7f3c52-9d1e-4e8a-b6a4-5c2f81d9e317")
DEMO_COLLABORATIVE_ID = named_id(NAMESPACE, "prqc-demo")
STAFF = Actor(id="demo-staff", role=Role.STAFF)
PHASE_DATES: dict[Phase, date] = {
    Phase.REGISTRATION: date(2024, 10, 15),
    Phase.ORIENTATION: date(2024, 12, 2),
    Phase.SESSIONS: data.STARTS_ON,
    Phase.PROJECTS: date(2025, 4, 14),
    Phase.SHARING: date(2025, 10, 20),
    Phase.COMMUNITY_OF_PRACTICE: date(2025, 12, 15),
}
# Teams are registered with fresh people, so their ids come back from the
# registration; the rest of the seed refers to members by position.
Roster = dict[str, list[UUID]]
# The library's files, as the file store holds them, by resource key.
Files = dict[str, StoredFile]


def demo_id(*parts: str) -> UUID:
    """A fixed id for something the seed creates, so every run names it the same."""
    return named_id(NAMESPACE, ":".join(parts))


PAPER_ID = demo_id("output", "summative-paper")
TOOLKIT_ID = demo_id("toolkit", "every-child-in-kilograms")


class DemoResult(BaseModel):
    collaborative_id: UUID
    created: bool  # False when a complete demo was already there and nothing was written
    commands: int = 0  # commands run, including any an interrupted seed had already done


class Step(NamedTuple):
    at: datetime
    key: str
    command: Command
    actor: Actor = STAFF


def seed_demo(engine: QIEngine) -> DemoResult:
    """Seed the demo collaborative, finishing an interrupted seed; leave a complete one be."""
    if _is_complete(engine):
        return DemoResult(collaborative_id=DEMO_COLLABORATIVE_ID, created=False)
    opening = [*_focus_and_registration(), *_coaches()]
    for step in opening:
        _run(engine, step)
    roster = {t.key: _run(engine, _team_registration(i, t)).created["Participant"]
              for i, t in enumerate(data.TEAMS)}  # fmt: skip
    files = _store_documents(engine)
    # The paper goes last on purpose: its presence is what marks the seed complete.
    later = [*sorted(_year(roster, files), key=lambda step: step.at), _summative_paper()]
    for step in later:
        _run(engine, step)
    count = len(opening) + len(data.TEAMS) + len(later)
    return DemoResult(collaborative_id=DEMO_COLLABORATIVE_ID, created=True, commands=count)


def _is_complete(engine: QIEngine) -> bool:
    try:
        collaborative = engine.collaborative(DEMO_COLLABORATIVE_ID)
    except NotFound:
        return False
    return PAPER_ID in collaborative.state.outputs


def _run(engine: QIEngine, step: Step) -> CommandResult:
    ctx = CommandContext(actor=step.actor, command_id=f"demo:{step.key}", at=step.at)
    return engine.execute(step.command, ctx)


def _year(roster: Roster, files: Files) -> Iterator[Step]:
    yield from _change_package()
    yield from _library(files)
    yield from _coach_assignments()
    yield from _phase_advances()
    yield from _calendar()
    yield from _assessments()
    yield from _measurement()
    yield from _attendance(roster)
    yield from _pdsa_ramps()
    yield from _readiness_cycles()
    yield from _coaching_notes()
    yield from _shared_projects()
    yield from _comments()
    yield from _borrowed_changes()
    yield from _community(roster)
    yield _toolkit()


# Helpers -------------------------------------------------------------------


def _at(day: date, hour: int = 15, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _team_id(team: data.TeamSpec) -> UUID:
    return demo_id("team", team.key)


def _cycle_id(team: data.TeamSpec, number: int | str) -> UUID:
    return demo_id("cycle", team.key, str(number))


def _team_actor(team: data.TeamSpec) -> Actor:
    return Actor(id=f"demo-team:{team.key}", role=Role.TEAM)


def _coach_for(team: data.TeamSpec) -> data.Coach:
    return next(c for c in data.COACHES if team.care_setting in c.settings)


def _team(key: str) -> data.TeamSpec:
    return next(team for team in data.TEAMS if team.key == key)


def _node_id(key: str) -> UUID:
    return demo_id("change-package", key)


# Focus, registration, orientation ----------------------------------------------


def _focus_and_registration() -> Iterator[Step]:
    focus = FocusFields(focus_area=data.FOCUS_AREA, aim=data.AIM, starts_on=data.STARTS_ON,
                        ends_on=data.ENDS_ON)  # fmt: skip
    yield Step(_at(date(2024, 10, 1)), "create", CreateCollaborative(
        collaborative_id=DEMO_COLLABORATIVE_ID, title=data.TITLE, focus=focus,
        measures=(data.WEIGHT_KG,), settings=ExitCriteriaSettings(min_teams=data.MIN_TEAMS),
    ))  # fmt: skip
    yield _advance(Phase.REGISTRATION)


def _advance(to: Phase, override_reason: str | None = None) -> Step:
    command = AdvancePhase(collaborative_id=DEMO_COLLABORATIVE_ID, to=to,
                           override_reason=override_reason)  # fmt: skip
    return Step(_at(PHASE_DATES[to], 14), f"phase:{to.value}", command)


def _phase_advances() -> Iterator[Step]:
    for phase in list(PHASE_DATES)[1:-1]:
        yield _advance(phase)
    # The one override of the year: a storyboard held up by an EHR migration.
    yield _advance(Phase.COMMUNITY_OF_PRACTICE, data.LATE_SHARE_REASON)


def _coaches() -> Iterator[Step]:
    for coach in data.COACHES:
        details = PersonDetails(name=coach.name, credentials=coach.credentials)
        command = RegisterParticipant(participant_id=demo_id("coach", coach.key), details=details,
                                      collaborative_id=DEMO_COLLABORATIVE_ID)  # fmt: skip
        yield Step(_at(date(2024, 10, 16)), f"coach:{coach.key}", command)


def _team_registration(index: int, team: data.TeamSpec) -> Step:
    members = tuple(
        NewMember(person=PersonDetails(name=p.name, credentials=p.credentials,
                                       licences=data.licences(p, team.state)),
                  discipline=p.discipline, role=p.role)
        for p in team.members
    )  # fmt: skip
    command = RegisterTeam(
        collaborative_id=DEMO_COLLABORATIVE_ID, team_id=_team_id(team), name=team.name,
        organization=team.organization, care_setting=team.care_setting, members=members,
    )  # fmt: skip
    return Step(_at(date(2024, 10, 21) + timedelta(days=3 * index), 16), f"team:{team.key}", command)


def _coach_assignments() -> Iterator[Step]:
    for team in data.TEAMS:
        coach_id = demo_id("coach", _coach_for(team).key)
        command = AssignCoach(team_id=_team_id(team), coach_id=coach_id)
        yield Step(_at(date(2024, 11, 25)), f"assign-coach:{team.key}", command)


def _assessments() -> Iterator[Step]:
    for index, team in enumerate(data.TEAMS):
        kind, items = data.assessment(team)
        command = SubmitAssessment(team_id=_team_id(team), kind=kind, items=items)
        day = date(2024, 12, 4) + timedelta(days=index)
        yield Step(_at(day, 17), f"assessment:{team.key}", command, _team_actor(team))


# Learning activities -----------------------------------------------------------


def _calendar() -> Iterator[Step]:
    # The whole year's calendar is published during orientation, as PRQC does.
    for session in data.sessions():
        command = ScheduleActivity(collaborative_id=DEMO_COLLABORATIVE_ID,
                                   activity_id=demo_id("activity", session.key),
                                   details=session.details)  # fmt: skip
        yield Step(_at(date(2024, 12, 3), 16), f"schedule:{session.key}", command)


def _attendance(roster: Roster) -> Iterator[Step]:
    for session in data.sessions():
        activity_id = demo_id("activity", session.key)
        details = session.details
        # Staff record attendance from the webinar report an hour after the end.
        recorded = details.starts_at + timedelta(minutes=details.duration_minutes + 60)
        for team in data.TEAMS:
            for position, minutes in data.attendance(session, team):
                command = RecordAttendance(activity_id=activity_id, minutes=minutes,
                                           participant_id=roster[team.key][position])  # fmt: skip
                yield Step(recorded, f"attendance:{session.key}:{team.key}:{position}", command)


# Measurement and PDSA ramps ------------------------------------------------------


def _measurement() -> Iterator[Step]:
    for index, team in enumerate(data.TEAMS):
        actor, team_id = _team_actor(team), _team_id(team)
        define = DefineMeasure(team_id=team_id, measure=data.WEIGHT_KG)
        yield Step(_at(date(2025, 1, 8 + index % 5), 16), f"measure:{team.key}", define, actor)
        for offset, (period, numerator, denominator) in enumerate(data.monthly_values(team)):
            # A month's data is in once the month is over: the 5th to 9th of the next.
            submitted = data.month(offset + 1) + timedelta(days=4 + index % 5)
            command = SubmitData(team_id=team_id, measure_key=data.WEIGHT_KG.key, period=period,
                                 numerator=numerator, denominator=denominator)  # fmt: skip
            yield Step(_at(submitted, 16), f"data:{team.key}:{period}", command, actor)


def _pdsa_ramps() -> Iterator[Step]:
    for index, team in enumerate(data.TEAMS):
        for number, script in enumerate(data.RAMPS[team.care_setting][: team.cycles]):
            planned = date(2025, 3 + 2 * number, 3) + timedelta(days=index % 5)
            yield from _ramp_cycle(team, number, script, planned)


def _ramp_cycle(team: data.TeamSpec, number: int, script: data.CycleScript, planned: date) -> Iterator[Step]:
    """A cycle of the team's ramp: it builds on the one before and tests its setting's idea."""
    parent = _cycle_id(team, number - 1) if number else None
    idea = learning.RAMP_IDEAS[team.care_setting][number]
    yield from _cycle(team, str(number), script, planned, idea, parent)


def _readiness_cycles() -> Iterator[Step]:
    """Cycles on the rest of pediatric readiness, outside the teams' kilogram ramps."""
    for test in learning.READINESS_TESTS:
        yield from _cycle(_team(test.team), "readiness", test.script, test.planned_on, test.idea)


def _cycle(
    team: data.TeamSpec,
    name: str,
    script: data.CycleScript,
    planned: date,
    idea: str,
    parent: UUID | None = None,
) -> Iterator[Step]:
    team_id, cycle_id, actor = _team_id(team), _cycle_id(team, name), _team_actor(team)
    plan = PdsaPlan(title=script.title, change_idea=script.change_idea, change_idea_id=_node_id(idea),
                    objective=script.objective, prediction=script.prediction, plan=script.plan,
                    measure_keys=(data.WEIGHT_KG.key,), ramp_parent_id=parent)  # fmt: skip
    done_on = planned + timedelta(days=14)
    stages: list[tuple[int, str, Command]] = [
        (0, "plan", PlanCycle(team_id=team_id, cycle_id=cycle_id, plan=plan)),
        (14, "do", RecordDo(team_id=team_id, cycle_id=cycle_id, do=PdsaDo(
            observations=script.observations, carried_out_on=done_on))),
        (35, "study", RecordStudy(team_id=team_id, cycle_id=cycle_id, study=PdsaStudy(
            results=script.results, prediction_confirmed=script.prediction_confirmed,
            learning=script.learning))),
        (38, "act", RecordAct(team_id=team_id, cycle_id=cycle_id, act=PdsaAct(
            decision=script.decision, next_steps=script.next_steps))),
    ]  # fmt: skip
    for days, stage, command in stages:
        key = f"pdsa:{team.key}:{name}:{stage}"
        yield Step(_at(planned + timedelta(days=days), 17), key, command, actor)


def _coaching_notes() -> Iterator[Step]:
    # Late May: April's data is in and each team's second cycle is being tested.
    for index, team in enumerate(data.TEAMS):
        values = data.monthly_values(team)
        (_, first, first_of), (_, april, april_of) = values[0], values[3]
        script = data.RAMPS[team.care_setting][1]
        text = (f"Call with {team.name}: kg-only documentation was {april / april_of:.0%} in April, "
                f"up from {first / first_of:.0%} in January. Cycle 2 ({script.title.lower()}) "
                f"is under way; agreed to audit every shift for two weeks before studying it.")  # fmt: skip
        command = AddCoachingNote(team_id=_team_id(team), text=text)
        coach = Actor(id=f"demo-coach:{_coach_for(team).key}", role=Role.COACH)
        day = date(2025, 5, 26) + timedelta(days=index % 5)
        yield Step(_at(day, 20), f"note:{team.key}", command, coach)


# Shared learning: the change package and the library ---------------------------------


def _change_package() -> Iterator[Step]:
    day, package = learning.PACKAGE_DRAWN_ON, DEMO_COLLABORATIVE_ID
    yield Step(_at(day, 14), "package:aim", ReviseAim(collaborative_id=package, aim=data.AIM))
    nodes = [*learning.PRIMARY_DRIVERS, *learning.SECONDARY_DRIVERS, *learning.CHANGE_IDEAS]
    for minute, node in enumerate(nodes, 1):
        yield Step(_at(day, 14, minute), f"package:{node.key}", _add_node(node))
    retire = RetireNode(collaborative_id=package, node_id=_node_id(learning.RETIRED_IDEA),
                        reason=learning.RETIRED_REASON)  # fmt: skip
    yield Step(_at(learning.RETIRED_ON, 16), f"package:retire:{learning.RETIRED_IDEA}", retire)


def _add_node(node: learning.Node) -> AddDriver | AddChangeIdea:
    node_id, parent = _node_id(node.key), _node_id(node.parent) if node.parent else None
    fields = {"collaborative_id": DEMO_COLLABORATIVE_ID, "name": node.name, "description": node.description}
    if node in learning.CHANGE_IDEAS:
        assert parent is not None
        return AddChangeIdea(change_idea_id=node_id, secondary_driver_id=parent, **fields)
    level = DriverLevel.SECONDARY if parent else DriverLevel.PRIMARY
    return AddDriver(driver_id=node_id, level=level, primary_driver_id=parent, **fields)


def _store_documents(engine: QIEngine) -> Files:
    """Put the library's files in the file store first, as the upload route does before ShareFile."""
    store = FileStore(engine.settings.files_folder)
    return {
        spec.key: store.put(io.BytesIO(learning.pdf(spec.document)), spec.document.filename)
        for spec in learning.RESOURCES
        if spec.document is not None
    }


def _library(files: Files) -> Iterator[Step]:
    for minute, spec in enumerate(learning.RESOURCES):
        details = ResourceDetails(kind=spec.kind, title=spec.title, description=spec.description,
                                  tags=spec.tags, care_settings=spec.care_settings)  # fmt: skip
        target = {"collaborative_id": DEMO_COLLABORATIVE_ID, "resource_id": demo_id("resource", spec.key),
                  "details": details}  # fmt: skip
        command = (
            ShareFile(file=files[spec.key], **target) if spec.document else ShareLink(url=spec.url, **target)
        )
        yield Step(_at(spec.shared_on, 16, minute), f"resource:{spec.key}", command, _sharer(spec.by))


def _sharer(by: str) -> Actor:
    role, _, key = by.partition(":")
    if role == "coach":
        return Actor(id=f"demo-coach:{key}", role=Role.COACH)
    return _team_actor(_team(key)) if role == "team" else STAFF


# Sharing and the community of practice --------------------------------------------


def _shared_projects() -> Iterator[Step]:
    for index, team in enumerate(data.TEAMS):
        late = team.key == data.LATE_SHARER
        day = date(2026, 1, 14) if late else date(2025, 11, 3) + timedelta(days=index)
        command = ShareProject(team_id=_team_id(team), project=_project(team))
        yield Step(_at(day, 18), f"share:{team.key}", command, _team_actor(team))


def _project(team: data.TeamSpec) -> SharedProject:
    values = data.monthly_values(team)
    (_, first, first_of), (_, october, october_of) = values[0], values[9]
    titles = [s.title for s in data.RAMPS[team.care_setting][: team.cycles]]
    summary = (f"Children weighed and recorded in kilograms only rose from {first / first_of:.0%} "
               f"in January 2025 to {october / october_of:.0%} in October 2025 over "
               f"{team.cycles} linked PDSA cycles: " + "; ".join(titles) + ".")  # fmt: skip
    return SharedProject(
        title=f"{team.name}: every child weighed in kilograms", summary=summary,
        storyboard_url=f"https://demo.qi.example/prqc/cohort-3/storyboards/{team.key}.pdf",
        measure_keys=(data.WEIGHT_KG.key,),
        cycle_ids=tuple(_cycle_id(team, n) for n in range(team.cycles)),
    )  # fmt: skip


def _comments() -> Iterator[Step]:
    for comment in learning.COMMENTS:
        team, project = _team(comment.team), _team(comment.project)
        key = f"{comment.team}:{comment.project}:{comment.on}"
        command = CommentOnProject(team_id=_team_id(team), project_team_id=_team_id(project),
                                   comment_id=demo_id("comment", key), text=comment.text)  # fmt: skip
        yield Step(_at(comment.on, 19), f"comment:{key}", command, _team_actor(team))


def _borrowed_changes() -> Iterator[Step]:
    """After sharing, teams test the next change of a ramp another team has finished, and say so."""
    for borrowed in learning.BORROWED:
        team, project = _team(borrowed.team), _team(borrowed.project)
        number = team.cycles  # the next cycle after the team's own ramp
        yield from _ramp_cycle(team, number, data.RAMPS[team.care_setting][number], borrowed.planned_on)
        command = TryChange(team_id=_team_id(team), project_team_id=_team_id(project),
                            cycle_id=_cycle_id(team, number))  # fmt: skip
        yield Step(
            _at(borrowed.planned_on, 17, 30), f"trying:{team.key}:{number}", command, _team_actor(team)
        )


def _community(roster: Roster) -> Iterator[Step]:
    # Champions and team leads carry the work on after the collaborative ends.
    leads = (MemberRole.PHYSICIAN_CHAMPION, MemberRole.NURSE_CHAMPION, MemberRole.TEAM_LEAD)
    people = [demo_id("coach", c.key) for c in data.COACHES] + [
        roster[team.key][position]
        for team in data.TEAMS
        for position, person in enumerate(team.members)
        if person.role in leads
    ]
    for n, participant_id in enumerate(people):
        joined = date(2025, 12, 16) + timedelta(days=n)
        command = JoinCommunity(collaborative_id=DEMO_COLLABORATIVE_ID, participant_id=participant_id)
        yield Step(_at(joined, 21), f"community:{participant_id}", command)


def _output(key: str, kind: OutputKind, text: tuple[str, str], day: date) -> Step:
    title, description = text
    details = OutputDetails(kind=kind, title=title, description=description,
                            url=f"https://demo.qi.example/prqc/cohort-3/{key}.pdf")  # fmt: skip
    command = RecordOutput(collaborative_id=DEMO_COLLABORATIVE_ID,
                           output_id=demo_id("output", key), details=details)  # fmt: skip
    return Step(_at(day, 15), f"output:{key}", command)


def _toolkit() -> Step:
    title, introduction = data.TOOLKIT
    command = CompileToolkit(
        collaborative_id=DEMO_COLLABORATIVE_ID, toolkit_id=TOOLKIT_ID, title=title, introduction=introduction,
        change_idea_ids=tuple(_node_id(key) for key in learning.TOOLKIT_IDEAS),
        resource_ids=tuple(demo_id("resource", key) for key in learning.TOOLKIT_RESOURCES),
    )  # fmt: skip
    return Step(_at(learning.TOOLKIT_COMPILED_ON, 15), "toolkit", command)


def _summative_paper() -> Step:
    return _output("summative-paper", OutputKind.SUMMATIVE_PAPER, data.SUMMATIVE_PAPER,
                   date(2026, 3, 20))  # fmt: skip


# Summary ---------------------------------------------------------------------------


class PhaseStep(BaseModel):
    phase: Phase
    on: date
    override_reason: str | None = None


class TeamSummary(BaseModel):
    name: str
    care_setting: CareSetting
    members: int
    coach: str | None
    data_points: int
    first_period: str | None = None
    first_value: float | None = None
    last_period: str | None = None
    last_value: float | None = None
    pdsa_cycles: int
    shared: bool


class DemoSummary(BaseModel):
    collaborative_id: UUID
    title: str
    phase: Phase
    starts_on: date | None
    ends_on: date | None
    measure_key: str | None
    phase_history: list[PhaseStep]
    teams_by_setting: dict[CareSetting, int]
    members: int
    coaches: int
    learning_sessions_held: int
    fireside_chats_held: int
    attendance_records: int
    teams: list[TeamSummary]
    pdsa_by_decision: dict[str, int]
    outputs: list[str]
    community_members: int
    change_ideas: int = 0
    retired_change_ideas: int = 0
    cycles_testing_ideas: int = 0
    project_comments: int = 0
    changes_tried: int = 0


def summarize(engine: QIEngine, collaborative_id: UUID) -> DemoSummary:
    """What a collaborative holds now, counted from its aggregates."""
    collaborative = engine.collaborative(collaborative_id)
    state = collaborative.state
    teams = [engine.team(team_id) for team_id in collaborative.active_team_ids()]
    activities = [engine.activity(activity_id) for activity_id in state.activities]
    measure_key = next(iter(state.measures), None)
    return DemoSummary(
        collaborative_id=collaborative_id, title=state.title, phase=state.phase,
        starts_on=state.starts_on, ends_on=state.ends_on, measure_key=measure_key,
        phase_history=[PhaseStep(phase=c.to_phase, on=c.at.date(), override_reason=c.override_reason)
                       for c in state.phase_history],
        teams_by_setting=dict(Counter(team.state.care_setting for team in teams)),
        members=sum(len(team.state.members) for team in teams),
        coaches=len({team.state.coach_id for team in teams if team.state.coach_id}),
        learning_sessions_held=_held(activities, ActivityKind.LEARNING_SESSION),
        fireside_chats_held=_held(activities, ActivityKind.FIRESIDE_CHAT),
        attendance_records=sum(len(activity.state.attendance) for activity in activities),
        teams=[_team_summary(engine, team, measure_key) for team in teams],
        pdsa_by_decision=_decisions(teams),
        outputs=[f"{o.details.kind.value}: {o.details.title}" for o in state.outputs.values()],
        community_members=len(state.community),
        **_shared_learning(engine, collaborative_id, teams),
    )  # fmt: skip


def _shared_learning(engine: QIEngine, collaborative_id: UUID, teams: list[Team]) -> dict[str, int]:
    """Change ideas (live and retired), the cycles testing them, comments and changes tried."""
    try:
        package = engine.get(ChangePackage, change_package_id(collaborative_id))
    except NotFound:
        package = None
    nodes = package.state.nodes.values() if package else ()
    ideas = [node for node in nodes if node.kind is NodeKind.CHANGE_IDEA]
    cycles = [cycle for team in teams for cycle in team.state.cycles.values()]
    return {
        "change_ideas": sum(1 for idea in ideas if not idea.retired),
        "retired_change_ideas": sum(1 for idea in ideas if idea.retired),
        "cycles_testing_ideas": sum(1 for cycle in cycles if cycle.plan.change_idea_id),
        "project_comments": sum(len(team.state.project_comments) for team in teams),
        "changes_tried": sum(len(team.state.trying) for team in teams),
    }


def _held(activities: Iterable[LearningActivity], kind: ActivityKind) -> int:
    return sum(1 for a in activities if a.state.details.kind is kind and a.held_with_attendance)


def _decisions(teams: Iterable[Team]) -> dict[str, int]:
    """Cycles by their act decision; cycles still running count as in progress."""
    return dict(Counter(
        cycle.act.decision.value if cycle.act else "in progress"
        for team in teams
        for cycle in team.state.cycles.values()
    ))  # fmt: skip


def _team_summary(engine: QIEngine, team: Team, measure_key: str | None) -> TeamSummary:
    s = team.state
    series = s.measures.get(measure_key) if measure_key else None
    points = sorted(series.data.items()) if series else []
    coach = engine.participant(s.coach_id).state.details.name if s.coach_id else None
    first, last = (points[0], points[-1]) if points else (None, None)
    return TeamSummary(
        name=s.name, care_setting=s.care_setting, members=len(s.members), coach=coach,
        data_points=len(points), pdsa_cycles=len(s.cycles), shared=s.shared is not None,
        first_period=first[0] if first else None, first_value=first[1].value if first else None,
        last_period=last[0] if last else None, last_value=last[1].value if last else None,
    )  # fmt: skip


# Rendering ---------------------------------------------------------------------------


def render_summary(summary: DemoSummary) -> RenderableType:
    """The summary as rich panels and tables, for the command line."""
    return Group(_overview(summary), _phase_table(summary), _team_table(summary))


def _overview(summary: DemoSummary) -> Panel:
    settings = ", ".join(f"{setting.value} {count}" for setting, count in summary.teams_by_setting.items())
    decisions = ", ".join(f"{d} {n}" for d, n in sorted(summary.pdsa_by_decision.items()))
    lines = [
        f"[bold]{summary.title}[/bold]  ({summary.starts_on} to {summary.ends_on})",
        f"phase: [cyan]{summary.phase.value}[/cyan]    id: {summary.collaborative_id}",
        f"teams: {len(summary.teams)} ({settings}); members {summary.members}; coaches {summary.coaches}",
        f"held: {summary.learning_sessions_held} learning sessions, "
        f"{summary.fireside_chats_held} fireside chats; {summary.attendance_records} attendance records",
        f"PDSA cycles: {decisions}",
        f"change package: {summary.change_ideas} change ideas and {summary.retired_change_ideas} retired, "
        f"tested by {summary.cycles_testing_ideas} PDSA cycles",
        f"all teach, all learn: {summary.project_comments} comments on shared projects, "
        f"{summary.changes_tried} shared changes tried by other teams",
        f"community of practice: {summary.community_members} members",
        *(f"output: {output}" for output in summary.outputs),
    ]
    return Panel("\n".join(lines), title="Demo collaborative", expand=False)


def _phase_table(summary: DemoSummary) -> Table:
    table = Table(title="Phase history")
    for column in ("phase", "on", "override reason"):
        table.add_column(column)
    for step in summary.phase_history:
        table.add_row(step.phase.value, step.on.isoformat(), step.override_reason or "")
    return table


def _team_table(summary: DemoSummary) -> Table:
    table = Table(title=f"Teams ({summary.measure_key}: first and last month)")
    for column in ("team", "care setting", "members", "coach", "months", "first", "last", "PDSA", "shared"):
        table.add_column(column, justify="right" if column in ("members", "months", "PDSA") else "left")
    for team in sorted(summary.teams, key=lambda t: (t.care_setting.value, t.name)):
        table.add_row(
            team.name, team.care_setting.value, str(team.members), team.coach or "",
            str(team.data_points), _percent(team.first_period, team.first_value),
            _percent(team.last_period, team.last_value), str(team.pdsa_cycles),
            "yes" if team.shared else "no",
        )  # fmt: skip
    return table


def _percent(period: str | None, value: float | None) -> str:
    return f"{value:.0%} ({period})" if period is not None and value is not None else ""
