"""The programme side of the year: focus, registration, phases, coaches, assessments
and the calendar of learning activities with who attended.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from aggregates.collaborative import FocusFields
from aggregates.criteria import ExitCriteriaSettings
from aggregates.participant import PersonDetails
from aggregates.phases import Phase
from engine.commands.activity import RecordAttendance, RegisterParticipant, ScheduleActivity
from engine.commands.collaborative import AdvancePhase, CreateCollaborative, NewMember, RegisterTeam
from engine.commands.team import AssignCoach, SubmitAssessment
from scripts.demo import data, figures
from scripts.demo.steps import (
    DEMO_COLLABORATIVE_ID,
    PHASE_DATES,
    Roster,
    Step,
    actor_of,
    at,
    coach_for,
    demo_id,
    id_of_team,
)


def focus_and_registration() -> Iterator[Step]:
    focus = FocusFields(focus_area=data.FOCUS_AREA, aim=data.AIM, starts_on=data.STARTS_ON,
                        ends_on=data.ENDS_ON)  # fmt: skip
    yield Step(at(date(2024, 10, 1)), "create", CreateCollaborative(
        collaborative_id=DEMO_COLLABORATIVE_ID, title=data.TITLE, focus=focus,
        measures=(data.WEIGHT_KG,), settings=ExitCriteriaSettings(min_teams=data.MIN_TEAMS),
    ))  # fmt: skip
    yield _advance(Phase.REGISTRATION)


def _advance(to: Phase, override_reason: str | None = None) -> Step:
    command = AdvancePhase(collaborative_id=DEMO_COLLABORATIVE_ID, to=to,
                           override_reason=override_reason)  # fmt: skip
    return Step(at(PHASE_DATES[to], 14), f"phase:{to.value}", command)


def phase_advances() -> Iterator[Step]:
    for phase in list(PHASE_DATES)[1:-1]:
        yield _advance(phase)
    # The one override of the year: a storyboard held up by an EHR migration.
    yield _advance(Phase.COMMUNITY_OF_PRACTICE, data.LATE_SHARE_REASON)


def coaches() -> Iterator[Step]:
    for coach in data.COACHES:
        details = PersonDetails(name=coach.name, credentials=coach.credentials)
        command = RegisterParticipant(participant_id=demo_id("coach", coach.key), details=details,
                                      collaborative_id=DEMO_COLLABORATIVE_ID)  # fmt: skip
        yield Step(at(date(2024, 10, 16)), f"coach:{coach.key}", command)


def team_registration(index: int, team: data.TeamSpec) -> Step:
    members = tuple(
        NewMember(person=PersonDetails(name=p.name, credentials=p.credentials,
                                       licences=figures.licences(p, team.state),
                                       learner=figures.learner_ids(p, team.state)),
                  discipline=p.discipline, role=p.role)
        for p in team.members
    )  # fmt: skip
    command = RegisterTeam(
        collaborative_id=DEMO_COLLABORATIVE_ID, team_id=id_of_team(team), name=team.name,
        organization=team.organization, care_setting=team.care_setting, members=members,
    )  # fmt: skip
    return Step(at(date(2024, 10, 21) + timedelta(days=3 * index), 16), f"team:{team.key}", command)


def coach_assignments() -> Iterator[Step]:
    for team in data.TEAMS:
        coach_id = demo_id("coach", coach_for(team).key)
        command = AssignCoach(team_id=id_of_team(team), coach_id=coach_id)
        yield Step(at(date(2024, 11, 25)), f"assign-coach:{team.key}", command)


def assessments() -> Iterator[Step]:
    for index, team in enumerate(data.TEAMS):
        kind, items = figures.assessment(team)
        command = SubmitAssessment(team_id=id_of_team(team), kind=kind, items=items)
        day = date(2024, 12, 4) + timedelta(days=index)
        yield Step(at(day, 17), f"assessment:{team.key}", command, actor_of(team))


# Learning activities -----------------------------------------------------------


def calendar() -> Iterator[Step]:
    # The whole year's calendar is published during orientation, as PRQC does.
    for session in figures.sessions():
        command = ScheduleActivity(collaborative_id=DEMO_COLLABORATIVE_ID,
                                   activity_id=demo_id("activity", session.key),
                                   details=session.details)  # fmt: skip
        yield Step(at(date(2024, 12, 3), 16), f"schedule:{session.key}", command)


def attendance(roster: Roster) -> Iterator[Step]:
    for session in figures.sessions():
        activity_id = demo_id("activity", session.key)
        details = session.details
        # Staff record attendance from the webinar report an hour after the end.
        recorded = details.starts_at + timedelta(minutes=details.duration_minutes + 60)
        for team in data.TEAMS:
            for position, minutes in figures.attendance(session, team):
                command = RecordAttendance(activity_id=activity_id, minutes=minutes,
                                           participant_id=roster[team.key][position])  # fmt: skip
                yield Step(recorded, f"attendance:{session.key}:{team.key}:{position}", command)
