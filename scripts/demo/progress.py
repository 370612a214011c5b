"""The demo's progress scores: each month of 2025, each team scores itself on the IHI
Assessment Scale and its coach scores it, a week into the next month. Teams climb half a
level every month and a half or two; the team still ramping up rates itself ahead of
what its coach sees, so the collaborative's page has a disagreement to talk over."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from aggregates.base import Actor, Role
from aggregates.progress import LEVELS, Rater
from engine.commands.team import ScoreProgress
from scripts.demo import data
from scripts.demo.steps import Step, actor_of, at, coach_for, id_of_team

MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]
WHY = {
    Rater.TEAM: "We see it as {level}: {means}",
    Rater.COACH: "From the charts and cycles, {level}: {means}",
}


def _course(index: int, optimistic: bool) -> list[tuple[float, float]]:
    """(the team's own score, the coach's) for each month of 2025."""
    pace = 1.5 + 0.5 * (index % 2)  # months per half level
    scores = []
    for month in range(12):
        coach = min(1.0 + 0.5 * int(month / pace), 4.5 - 0.5 * (index % 3 == 2))
        team = min(coach + (1.0 if optimistic and month >= 5 else 0.5 if month % 4 == 3 else 0.0), 5.0)
        scores.append((team, coach))
    return scores


def progress_scores() -> Iterator[Step]:
    for index, team in enumerate(data.TEAMS):
        coach = Actor(id=f"demo-coach:{coach_for(team).key}", role=Role.COACH)
        course = _course(index, optimistic=team.key == data.LATE_SHARER)
        for month, (own, coached) in zip(MONTHS, course, strict=True):
            year, number = int(month[:4]), int(month[5:])
            scored_on = date(year + number // 12, number % 12 + 1, 5 + index % 3)
            for rater, score, who, hour in (
                (Rater.TEAM, own, actor_of(team), 16),
                (Rater.COACH, coached, coach, 18),
            ):
                level = LEVELS[score]
                why = WHY[rater].format(
                    level=level.name.lower(), means=level.means[0].lower() + level.means[1:]
                )
                command = ScoreProgress(
                    team_id=id_of_team(team), month=month, rater=rater, score=score, rationale=why
                )
                yield Step(at(scored_on, hour), f"progress:{team.key}:{month}:{rater.value}", command, who)
