"""Assessment instruments as people read them: a collaborative's instruments, one
instrument with its versions, and a team's assessments on them, each with its score per
domain, its gap report, the change since the team's previous assessment and the
collaborative's median, both on the same version only.

The median comes from the instruments read model (projections/instruments.py): each
team's latest assessment on that instrument and version, one query whatever the number
of teams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import orjson

from aggregates.assessment_instrument import (
    AssessmentInstrument,
    Comparison,
    Gap,
    InstrumentDefinition,
    InstrumentKind,
    InstrumentScore,
    compare,
    median_score,
)
from aggregates.team import InstrumentAssessment, Team
from aggregates.tokens import Principal
from engine import authorization
from engine.errors import NotFound
from engine.queries.base import Reader
from projections.instruments import INSTRUMENTS, SCORES


@dataclass(frozen=True)
class InstrumentListed:
    instrument_id: UUID
    title: str
    kind: InstrumentKind
    version: int
    published_at: str


@dataclass(frozen=True)
class InstrumentRead:
    instrument_id: UUID
    collaborative_id: UUID
    versions: list[InstrumentDefinition]  # version n at n - 1

    @property
    def version(self) -> int:
        return len(self.versions)

    @property
    def current(self) -> InstrumentDefinition:
        return self.versions[-1]


@dataclass(frozen=True)
class AnswerRead:
    key: str
    domain: str
    question: str
    answer: str  # as a person reads it ("" when a text item was left blank)


@dataclass(frozen=True)
class AssessmentReport:
    assessment_id: UUID
    team_id: UUID
    team_name: str
    instrument_id: UUID
    title: str
    kind: InstrumentKind
    version: int
    assessed_at: datetime
    assessed_by: str
    score: InstrumentScore
    answers: list[AnswerRead]
    gaps: list[Gap]  # heaviest first
    previous: Comparison | None  # with the team's previous assessment on this instrument
    median: InstrumentScore | None  # the collaborative's, this version only
    median_teams: int
    against_median: Comparison | None


class InstrumentQueries(Reader):
    def collaborative_instruments(
        self, principal: Principal, collaborative_id: UUID
    ) -> list[InstrumentListed]:
        self._may_read_collaborative(principal, collaborative_id)
        self.engine.collaborative(collaborative_id)  # 404 for none
        self.read_models.wait_for()
        with self.read_models.store.transaction() as tx:
            rows = tx.fetchall(
                f"SELECT instrument_id, title, kind, version, published_at FROM {INSTRUMENTS} "
                "WHERE collaborative_id = ? ORDER BY title, instrument_id",
                (str(collaborative_id),),
            )
        return [InstrumentListed(UUID(i), t, InstrumentKind(k), int(v), at) for i, t, k, v, at in rows]

    def instrument(self, principal: Principal, instrument_id: UUID) -> InstrumentRead:
        instrument = self._instrument(instrument_id)
        self._may_read_collaborative(principal, instrument.state.collaborative_id)
        return InstrumentRead(
            instrument.id, instrument.state.collaborative_id, list(instrument.state.versions)
        )

    def _instrument(self, instrument_id: UUID) -> AssessmentInstrument:
        try:
            return self.engine.get(AssessmentInstrument, instrument_id)
        except NotFound:
            raise NotFound("instrument", instrument_id) from None

    def team_instrument_assessments(self, principal: Principal, team_id: UUID) -> list[AssessmentReport]:
        """The team's assessments on its collaborative's instruments, latest first."""
        team = self.engine.team(team_id)
        authorization.authorize_team_read(principal, team)
        ids = list(team.state.instrument_assessments)
        return [self._assessment_report(team, a) for a in reversed(ids)]

    def instrument_assessment(
        self, principal: Principal, team_id: UUID, assessment_id: UUID
    ) -> AssessmentReport:
        team = self.engine.team(team_id)
        authorization.authorize_team_read(principal, team)
        if assessment_id not in team.state.instrument_assessments:
            raise NotFound("assessment", assessment_id)
        return self._assessment_report(team, assessment_id)

    def _assessment_report(self, team: Team, assessment_id: UUID) -> AssessmentReport:
        done = team.state.instrument_assessments[assessment_id]
        instrument = self._instrument(done.instrument_id)
        definition = instrument.at(done.version)
        answers = done.answers.model_copy(
            update={"texts": {k: self.engine.open_personal(v) for k, v in done.answers.texts.items()}}
        )
        earlier = _previous(team, assessment_id, done)
        previous = (
            compare(done.version, done.score, earlier.version, earlier.score) if earlier is not None else None
        )
        median, teams = self._median(done)
        return AssessmentReport(
            assessment_id=assessment_id,
            team_id=team.id,
            team_name=team.state.name,
            instrument_id=instrument.id,
            title=definition.title,
            kind=definition.kind,
            version=done.version,
            assessed_at=done.assessed_at,
            assessed_by=done.assessed_by,
            score=done.score,
            answers=[
                AnswerRead(
                    i.key, i.domain, i.question, "" if (a := answers.of(i.key)) is None else i.describe(a)
                )
                for i in definition.items
            ],
            gaps=definition.gaps(answers),
            previous=previous,
            median=median,
            median_teams=teams,
            against_median=compare(done.version, done.score, done.version, median) if median else None,
        )

    def _median(self, done: InstrumentAssessment) -> tuple[InstrumentScore | None, int]:
        """The median of each team's latest assessment on this instrument and version."""
        self.read_models.wait_for()
        with self.read_models.store.transaction() as tx:
            rows = tx.fetchall(
                f"SELECT team_id, score FROM {SCORES} WHERE instrument_id = ? AND version = ? ORDER BY position",
                (str(done.instrument_id), done.version),
            )
        latest = {team_id: InstrumentScore.model_validate(orjson.loads(score)) for team_id, score in rows}
        return median_score(list(latest.values())), len(latest)


def _previous(team: Team, assessment_id: UUID, done: InstrumentAssessment) -> InstrumentAssessment | None:
    """The team's assessment on the same instrument just before this one (any version)."""
    before = None
    for other_id, other in team.state.instrument_assessments.items():
        if other_id == assessment_id:
            return before
        if other.instrument_id == done.instrument_id:
            before = other
    return before
