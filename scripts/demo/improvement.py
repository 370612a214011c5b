"""The teams' improvement work: their measure and monthly data, the PDSA ramps that
build cycle on cycle, the readiness cycles beside them, and the coaches' notes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from uuid import UUID

from aggregates.base import Actor, Role
from aggregates.pdsa import PdsaAct, PdsaDo, PdsaPlan, PdsaStudy
from engine.commands import Command
from engine.commands.team import (
    AddCoachingNote,
    DefineMeasure,
    PlanCycle,
    RecordAct,
    RecordDo,
    RecordStudy,
    SubmitData,
)
from scripts.demo import data, figures, learning, ramps
from scripts.demo.steps import Step, actor_of, at, coach_for, id_of_cycle, id_of_node, id_of_team, team_named


def measurement() -> Iterator[Step]:
    for index, team in enumerate(data.TEAMS):
        actor, team_id = actor_of(team), id_of_team(team)
        define = DefineMeasure(team_id=team_id, measure=data.WEIGHT_KG)
        yield Step(at(date(2025, 1, 8 + index % 5), 16), f"measure:{team.key}", define, actor)
        # The year before, from the records, in by the middle of January: the baseline.
        for period, numerator, denominator in figures.baseline_values(team):
            command = SubmitData(team_id=team_id, measure_key=data.WEIGHT_KG.key, period=period,
                                 numerator=numerator, denominator=denominator)  # fmt: skip
            yield Step(at(date(2025, 1, 14 + index % 5), 17), f"data:{team.key}:{period}", command, actor)
        for offset, (period, numerator, denominator) in enumerate(figures.monthly_values(team)):
            # A month's data is in once the month is over: the 5th to 9th of the next.
            submitted = figures.month(offset + 1) + timedelta(days=4 + index % 5)
            command = SubmitData(team_id=team_id, measure_key=data.WEIGHT_KG.key, period=period,
                                 numerator=numerator, denominator=denominator)  # fmt: skip
            yield Step(at(submitted, 16), f"data:{team.key}:{period}", command, actor)


def pdsa_ramps() -> Iterator[Step]:
    for index, team in enumerate(data.TEAMS):
        for number, script in enumerate(ramps.RAMPS[team.care_setting][: team.cycles]):
            planned = date(2025, 3 + 2 * number, 3) + timedelta(days=index % 5)
            yield from ramp_cycle(team, number, script, planned)


def ramp_cycle(team: data.TeamSpec, number: int, script: ramps.CycleScript, planned: date) -> Iterator[Step]:
    """A cycle of the team's ramp: it builds on the one before and tests its setting's idea."""
    parent = id_of_cycle(team, number - 1) if number else None
    idea = learning.RAMP_IDEAS[team.care_setting][number]
    yield from _cycle(team, str(number), script, planned, idea, parent)


def readiness_cycles() -> Iterator[Step]:
    """Cycles on the rest of pediatric readiness, outside the teams' kilogram ramps."""
    for test in learning.READINESS_TESTS:
        yield from _cycle(team_named(test.team), "readiness", test.script, test.planned_on, test.idea)


def _cycle(
    team: data.TeamSpec,
    name: str,
    script: ramps.CycleScript,
    planned: date,
    idea: str,
    parent: UUID | None = None,
) -> Iterator[Step]:
    team_id, cycle_id, actor = id_of_team(team), id_of_cycle(team, name), actor_of(team)
    plan = PdsaPlan(title=script.title, change_idea=script.change_idea, change_idea_id=id_of_node(idea),
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
        yield Step(at(planned + timedelta(days=days), 17), key, command, actor)


def coaching_notes() -> Iterator[Step]:
    # Late May: April's data is in and each team's second cycle is being tested.
    for index, team in enumerate(data.TEAMS):
        values = figures.monthly_values(team)
        (_, first, first_of), (_, april, april_of) = values[0], values[3]
        script = ramps.RAMPS[team.care_setting][1]
        text = (f"Call with {team.name}: kg-only documentation was {april / april_of:.0%} in April, "
                f"up from {first / first_of:.0%} in January. Cycle 2 ({script.title.lower()}) "
                f"is under way; agreed to audit every shift for two weeks before studying it.")  # fmt: skip
        command = AddCoachingNote(team_id=id_of_team(team), text=text)
        coach = Actor(id=f"demo-coach:{coach_for(team).key}", role=Role.COACH)
        day = date(2025, 5, 26) + timedelta(days=index % 5)
        yield Step(at(day, 20), f"note:{team.key}", command, coach)
