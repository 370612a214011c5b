"""Progress scores as people read them: a team's months (its own score, its coach's, and
the suggested one with its evidence), and the collaborative's distribution per month,
each team's course and where a team and its coach disagree."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from uuid import UUID

import orjson

from aggregates.progress import HEADLINE, SCALE, Level, Rater
from aggregates.team import Team
from aggregates.tokens import Principal
from aggregates.values import Direction, MeasureKind
from engine import authorization
from engine.queries.base import Reader
from projections.chart_model import ChartView, Slot
from projections.charts import ChartOptions
from projections.learning_tables import TRYING
from projections.progress import SCORES
from projections.progress_suggestion import SUSTAINED_MONTHS, Evidence, Found, Suggestion, suggest

DISAGREEMENT = 1.0  # a team and its coach a whole level or more apart


@dataclass(frozen=True)
class Score:
    month: str
    rater: Rater
    score: float
    rationale: str | None  # None once erased
    scored_by: str
    scored_at: str


@dataclass(frozen=True)
class TeamMonth:
    month: str
    team: Score | None
    coach: Score | None

    @property
    def apart(self) -> float | None:
        """How far the two scores are apart (None unless both scored)."""
        return abs(self.team.score - self.coach.score) if self.team and self.coach else None


@dataclass(frozen=True)
class TeamProgress:
    team_id: UUID
    team_name: str
    scale: tuple[Level, ...]
    months: list[TeamMonth]  # latest first
    suggestion: Suggestion


@dataclass(frozen=True)
class MonthDistribution:
    month: str
    team_scores: dict[float, int]  # score -> how many teams scored themselves so
    coach_scores: dict[float, int]
    at_headline: int  # teams whose coach (else themselves) scored them HEADLINE or more
    scored: int  # teams with any score this month


@dataclass(frozen=True)
class TeamCourse:
    team_id: UUID
    team_name: str
    scores: dict[str, dict[str, float]]  # month -> rater -> score


@dataclass(frozen=True)
class Disagreement:
    team_id: UUID
    team_name: str
    month: str
    team: float
    coach: float


@dataclass(frozen=True)
class CollaborativeProgress:
    collaborative_id: UUID
    headline: float
    months: list[MonthDistribution]  # oldest first
    teams: list[TeamCourse]
    disagreements: list[Disagreement]  # latest month first


class ProgressQueries(Reader):
    def team_progress(self, principal: Principal, team_id: UUID) -> TeamProgress:
        team = self.engine.team(team_id)
        authorization.authorize_team_read(principal, team)
        self.read_models.wait_for()
        with self.read_models.store.transaction() as tx:
            rows = tx.fetchall(
                f"SELECT month, rater, score, rationale, scored_by, scored_at FROM {SCORES} WHERE team_id = ?",
                (str(team_id),),
            )
            trying = tx.fetchall(f"SELECT team_id FROM {TRYING} WHERE project_team_id = ?", (str(team_id),))
        by_month: dict[str, dict[Rater, Score]] = {}
        for month, rater, score, rationale, by, at in rows:
            opened = self.engine.open_personal(orjson.loads(rationale))
            by_month.setdefault(month, {})[Rater(rater)] = Score(
                month, Rater(rater), float(score), opened, by, at
            )
        months = [
            TeamMonth(m, r.get(Rater.TEAM), r.get(Rater.COACH))
            for m, r in sorted(by_month.items(), reverse=True)
        ]
        evidence = self._evidence(team, sorted({UUID(t) for (t,) in trying} - {team_id}, key=str))
        return TeamProgress(team_id, team.state.name, SCALE, months, suggest(evidence))

    def collaborative_progress(self, principal: Principal, collaborative_id: UUID) -> CollaborativeProgress:
        self._may_read_collaborative(principal, collaborative_id)
        self.read_models.wait_for()
        with self.read_models.store.transaction() as tx:
            rows = tx.fetchall(
                f"SELECT team_id, month, rater, score FROM {SCORES} WHERE collaborative_id = ? ORDER BY month",
                (str(collaborative_id),),
            )
        names = {str(t): n for t, n, c in self.read_models.team_names() if c == collaborative_id}
        courses: dict[str, dict[str, dict[str, float]]] = {}
        for team_id, month, rater, score in rows:
            courses.setdefault(team_id, {}).setdefault(month, {})[rater] = float(score)
        months = sorted({m for scores in courses.values() for m in scores})
        distribution = [_distribution(month, courses) for month in months]
        disagreements = [
            Disagreement(UUID(t), names.get(t, "a team"), m, s["team"], s["coach"])
            for t, scored in courses.items()
            for m, s in scored.items()
            if "team" in s and "coach" in s and abs(s["team"] - s["coach"]) >= DISAGREEMENT
        ]
        disagreements.sort(key=lambda d: (d.month, d.team_name), reverse=True)
        teams = sorted(
            (TeamCourse(UUID(t), names.get(t, "a team"), scored) for t, scored in courses.items()),
            key=lambda c: c.team_name,
        )
        return CollaborativeProgress(collaborative_id, HEADLINE, distribution, teams, disagreements)

    def progress_headline(self, principal: Principal, collaborative_id: UUID) -> MonthDistribution | None:
        """The latest month's distribution alone (for the collaborative's overview): two
        indexed queries, however many months there are."""
        self._may_read_collaborative(principal, collaborative_id)
        self.read_models.wait_for()
        with self.read_models.store.transaction() as tx:
            latest = tx.fetchone(
                f"SELECT MAX(month) FROM {SCORES} WHERE collaborative_id = ?", (str(collaborative_id),)
            )
            if latest is None or latest[0] is None:
                return None
            rows = tx.fetchall(
                f"SELECT team_id, rater, score FROM {SCORES} WHERE collaborative_id = ? AND month = ?",
                (str(collaborative_id), latest[0]),
            )
        courses: dict[str, dict[str, dict[str, float]]] = {}
        for team_id, rater, score in rows:
            courses.setdefault(team_id, {}).setdefault(latest[0], {})[rater] = float(score)
        return _distribution(latest[0], courses)

    def _evidence(self, team: Team, trying_teams: list[UUID]) -> Evidence:
        page = f"/ui/teams/{team.id}"
        aims, data, improving, outcome, sustained, goals = [], [], [], [], [], []
        for key, series in team.state.measures.items():
            name, chart = series.definition.name, f"{page}/measures/{key}/chart"
            aims.append(Found(f"measure {name}", f"{page}#measures"))
            if series.data:
                data.append(Found(f"{len(series.data)} month(s) of {name}", chart))
            view = self.read_models.team_chart(team.id, key, ChartOptions()) if series.data else None
            if view is None:
                continue
            first = _first_improving(view)
            if first is not None:
                improving.append(Found(f"{name}: a signal of improvement from {first}", chart))
                if series.definition.kind is MeasureKind.OUTCOME:
                    outcome.append(Found(f"{name} (an outcome measure) from {first}", chart))
            if _sustained(view):
                sustained.append(
                    Found(f"{name}: the last {SUSTAINED_MONTHS} months better than the baseline", chart)
                )
            met = _goal_met(view)
            if met is not None:
                goals.append(Found(f"{name}: {met}", chart))
        charted = {key for key, series in team.state.measures.items() if series.data}
        cycles = team.state.cycles.values()
        planned = [Found(f"cycle {c.plan.title}", f"{page}#pdsa") for c in cycles]
        tested = [
            Found(f"cycle {c.plan.title}, studied", f"{page}#pdsa")
            for c in cycles
            if c.study is not None and charted.intersection(c.plan.measure_keys)
        ]
        names = {t: n for t, n, _ in self.read_models.team_names()} if trying_teams else {}
        # Linked to this team's shared project: the other team's own page may not be the reader's to open.
        spread = [
            Found(f"{names.get(t, 'another team')} tries a change this team shared", f"{page}#shared")
            for t in trying_teams
        ]
        return Evidence(aims, data, planned, tested, improving, outcome, sustained, goals, spread)


def _distribution(month: str, courses: dict[str, dict[str, dict[str, float]]]) -> MonthDistribution:
    team_scores: Counter[float] = Counter()
    coach_scores: Counter[float] = Counter()
    at_headline = scored = 0
    for scored_months in courses.values():
        s = scored_months.get(month)
        if not s:
            continue
        scored += 1
        if "team" in s:
            team_scores[s["team"]] += 1
        if "coach" in s:
            coach_scores[s["coach"]] += 1
        at_headline += s.get("coach", s.get("team", 0.0)) >= HEADLINE
    return MonthDistribution(
        month, dict(sorted(team_scores.items())), dict(sorted(coach_scores.items())), at_headline, scored
    )


def _better(view: ChartView, slot: Slot) -> bool:
    if slot.y is None or slot.cl is None:
        return False
    return slot.y > slot.cl if view.measure.direction is Direction.INCREASE else slot.y < slot.cl


def _first_improving(view: ChartView) -> str | None:
    """The first month of a signal on the better side: in a shift, or beyond a limit."""
    return next((s.period for s in view.slots if (s.in_shift or s.outside_limits) and _better(view, s)), None)


def _sustained(view: ChartView) -> bool:
    """The last SUSTAINED_MONTHS months all on the better side of the baseline's centre line
    (the first phase's: a later phase re-centres on the new level, which is not the test)."""
    baseline = next((s.cl for s in view.slots if s.part == 1 and s.cl is not None), None)
    last = [s for s in view.slots if s.y is not None][-SUSTAINED_MONTHS:]
    if baseline is None or len(last) < SUSTAINED_MONTHS:
        return False
    increase = view.measure.direction is Direction.INCREASE
    return all((s.y > baseline) if increase else (s.y < baseline) for s in last if s.y is not None)


def _goal_met(view: ChartView) -> str | None:
    goal = view.goal if view.goal is not None else view.measure.target
    last = next((s for s in reversed(view.slots) if s.y is not None), None)
    if goal is None or last is None or last.y is None:
        return None
    increase = view.measure.direction is Direction.INCREASE
    if (last.y >= goal) if increase else (last.y <= goal):
        return f"{last.period} at {last.y:g}, the goal {goal:g}"
    return None
