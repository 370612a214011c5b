"""Response schemas for assessment instruments and a team's assessments on them."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from aggregates.assessment_instrument import (
    Comparison,
    Gap,
    InstrumentDefinition,
    InstrumentKind,
    InstrumentScore,
)
from engine.queries.instruments import AssessmentReport, InstrumentListed, InstrumentRead


class InstrumentListedPublic(BaseModel):
    instrument_id: UUID
    title: str
    kind: InstrumentKind
    version: int = Field(description="the latest version")
    published_at: str

    @classmethod
    def of(cls, listed: InstrumentListed) -> InstrumentListedPublic:
        return cls(**listed.__dict__)


class InstrumentPublic(BaseModel):
    instrument_id: UUID
    collaborative_id: UUID
    version: int = Field(description="the latest version, whose definition this is")
    definition: InstrumentDefinition
    versions: list[InstrumentDefinition] = Field(description="every version, version 1 first")

    @classmethod
    def of(cls, read: InstrumentRead) -> InstrumentPublic:
        return cls(
            instrument_id=read.instrument_id,
            collaborative_id=read.collaborative_id,
            version=read.version,
            definition=read.current,
            versions=read.versions,
        )


class ComparisonPublic(BaseModel):
    version: int
    other_version: int
    comparable: bool = Field(description="false when the two scores come from different versions")
    words: str
    changes: list[dict[str, str | float]] = Field(
        description="per domain ('overall' first): before, now, change"
    )

    @classmethod
    def of(cls, c: Comparison | None) -> ComparisonPublic | None:
        if c is None:
            return None
        changes = [
            {"domain": x.domain, "before": x.before, "now": x.now, "change": x.change} for x in c.changes
        ]
        return cls(
            version=c.version,
            other_version=c.other_version,
            comparable=c.comparable,
            words=c.words,
            changes=changes,
        )


class AnswerPublic(BaseModel):
    key: str
    domain: str
    question: str
    answer: str


class AssessmentReportPublic(BaseModel):
    assessment_id: UUID
    team_id: UUID
    instrument_id: UUID
    title: str
    kind: InstrumentKind
    version: int
    assessed_at: datetime
    assessed_by: str
    score: InstrumentScore = Field(description="out of 100, overall and per domain")
    gaps: list[Gap] = Field(description="the items not met, heaviest first")
    previous: ComparisonPublic | None = Field(
        description="with the team's previous assessment on this instrument"
    )
    median: InstrumentScore | None = Field(description="the collaborative's median on this version")
    median_teams: int
    against_median: ComparisonPublic | None
    answers: list[AnswerPublic]

    @classmethod
    def of(cls, r: AssessmentReport) -> AssessmentReportPublic:
        return cls(
            assessment_id=r.assessment_id,
            team_id=r.team_id,
            instrument_id=r.instrument_id,
            title=r.title,
            kind=r.kind,
            version=r.version,
            assessed_at=r.assessed_at,
            assessed_by=r.assessed_by,
            score=r.score,
            gaps=r.gaps,
            previous=ComparisonPublic.of(r.previous),
            median=r.median,
            median_teams=r.median_teams,
            against_median=ComparisonPublic.of(r.against_median),
            answers=[AnswerPublic(**a.__dict__) for a in r.answers],
        )
