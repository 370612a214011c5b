"""Monthly team reports through the spring: each team reports April to June a few days
after the month ends and its coach answers; two teams have not reported June yet, and
one June report is waiting for its coach."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from aggregates.base import Actor, Role
from engine.commands.reports import AnswerReport, DraftReport, SubmitReport
from scripts.demo import data, figures
from scripts.demo.steps import Step, actor_of, at, coach_for, id_of_team

MONTHS = ("2025-04", "2025-05", "2025-06")
NOT_YET = 2  # the last teams have not reported June
WAITING = 3  # the team before them has, and waits for its coach's answer


def monthly_reports() -> Iterator[Step]:
    teams = data.TEAMS
    for index, team in enumerate(teams):
        values = {period: (numerator, of) for period, numerator, of in figures.monthly_values(team)}
        coach = Actor(id=f"demo-coach:{coach_for(team).key}", role=Role.COACH)
        for month in MONTHS:
            if month == MONTHS[-1] and index >= len(teams) - NOT_YET:
                continue
            numerator, of = values[month]
            year, number = int(month[:4]), int(month[5:])
            day = date(year + number // 12, number % 12 + 1, 3) + timedelta(days=index % 4)
            report = DraftReport(
                team_id=id_of_team(team), month=month,
                successes=f"Kg-only documentation reached {numerator / of:.0%} ({numerator} of {of} children).",
                barriers="Night shift still reaches for the old lb scale when the kg one is in use.",
                tested="Kg-only scale lock and a triage prompt.",
                help_wanted="How did other teams get the EHR to refuse weights in pounds?",
            )  # fmt: skip
            key = f"report:{team.key}:{month}"
            yield Step(at(day, 17), f"{key}:draft", report, actor_of(team))
            yield Step(
                at(day, 18),
                f"{key}:submit",
                SubmitReport(team_id=id_of_team(team), month=month),
                actor_of(team),
            )
            if month == MONTHS[-1] and index == len(teams) - WAITING:
                continue
            answer = AnswerReport(
                team_id=id_of_team(team), month=month,
                feedback="Good progress. Ask the EMS teams about their prompt: bring it to the next call.",
            )  # fmt: skip
            yield Step(at(day + timedelta(days=3), 16), f"{key}:answer", answer, coach)
