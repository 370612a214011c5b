"""Response schemas for progress scores (IHI Assessment Scale for Collaboratives)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from aggregates.progress import Level, Rater
from engine.queries import CollaborativeProgress, TeamProgress
from engine.queries.progress import Score


class ScorePublic(BaseModel):
    score: float
    rationale: str | None = Field(description="None once the text was erased")
    scored_by: str
    scored_at: str

    @classmethod
    def of(cls, score: Score | None) -> ScorePublic | None:
        if score is None:
            return None
        return cls(
            score=score.score, rationale=score.rationale, scored_by=score.scored_by, scored_at=score.scored_at
        )


class MonthPublic(BaseModel):
    month: str
    team: ScorePublic | None
    coach: ScorePublic | None
    apart: float | None = Field(description="how far the team's and the coach's scores are apart")


class FoundPublic(BaseModel):
    label: str
    href: str


class RungPublic(BaseModel):
    score: float
    needs: str
    reached: bool
    found: list[FoundPublic]


class SuggestionPublic(BaseModel):
    score: float | None = Field(description="the highest rung reached with every rung below it")
    rules_version: str
    rungs: list[RungPublic]


class TeamProgressPublic(BaseModel):
    team_id: UUID
    team_name: str
    scale: list[Level]
    months: list[MonthPublic] = Field(description="latest first")
    suggestion: SuggestionPublic

    @classmethod
    def of(cls, p: TeamProgress) -> TeamProgressPublic:
        s = p.suggestion
        return cls(
            team_id=p.team_id,
            team_name=p.team_name,
            scale=list(p.scale),
            months=[
                MonthPublic(
                    month=m.month, team=ScorePublic.of(m.team), coach=ScorePublic.of(m.coach), apart=m.apart
                )
                for m in p.months
            ],
            suggestion=SuggestionPublic(
                score=s.score,
                rules_version=s.rules_version,
                rungs=[
                    RungPublic(
                        score=r.score,
                        needs=r.needs,
                        reached=r.reached,
                        found=[FoundPublic(label=f.label, href=f.href) for f in r.found],
                    )
                    for r in s.rungs
                ],
            ),
        )


class CountPublic(BaseModel):
    score: float
    teams: int


class MonthDistributionPublic(BaseModel):
    month: str
    team_scores: list[CountPublic] = Field(description="how many teams scored themselves each score")
    coach_scores: list[CountPublic] = Field(description="how many teams their coach scored each score")
    at_headline: int = Field(
        description="teams at the headline score or above (the coach's score, else the team's)"
    )
    scored: int


class TeamCoursePublic(BaseModel):
    team_id: UUID
    team_name: str
    scores: dict[str, dict[Rater, float]] = Field(description="month -> rater -> score")


class DisagreementPublic(BaseModel):
    team_id: UUID
    team_name: str
    month: str
    team: float
    coach: float


class CollaborativeProgressPublic(BaseModel):
    collaborative_id: UUID
    headline: float
    months: list[MonthDistributionPublic] = Field(description="oldest first")
    teams: list[TeamCoursePublic]
    disagreements: list[DisagreementPublic] = Field(
        description="a whole level or more apart; latest month first"
    )

    @classmethod
    def of(cls, p: CollaborativeProgress) -> CollaborativeProgressPublic:
        def counts(by: dict[float, int]) -> list[CountPublic]:
            return [CountPublic(score=s, teams=n) for s, n in by.items()]

        return cls(
            collaborative_id=p.collaborative_id,
            headline=p.headline,
            months=[
                MonthDistributionPublic(
                    month=m.month,
                    team_scores=counts(m.team_scores),
                    coach_scores=counts(m.coach_scores),
                    at_headline=m.at_headline,
                    scored=m.scored,
                )
                for m in p.months
            ],
            teams=[
                TeamCoursePublic(
                    team_id=t.team_id,
                    team_name=t.team_name,
                    scores={m: {Rater(r): v for r, v in by.items()} for m, by in t.scores.items()},
                )
                for t in p.teams
            ],
            disagreements=[
                DisagreementPublic(
                    team_id=d.team_id, team_name=d.team_name, month=d.month, team=d.team, coach=d.coach
                )
                for d in p.disagreements
            ],
        )
