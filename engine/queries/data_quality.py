"""A team's data-quality findings (projections.data_quality's rules over the Team's months,
with the confirmations the team recorded), and the rows of the CSV exports: a measure's
months, a collaborative's, its assessments and its data dictionary. Read from the
aggregates, so a month just saved is judged at once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

from aggregates.collaborative import Collaborative
from aggregates.instruments import INSTRUMENTS
from aggregates.team import AssessmentSubmitted, Team
from aggregates.tokens import Principal
from aggregates.values import MeasureDefinition
from engine import authorization
from engine.errors import NotFound
from engine.queries.base import Reader
from engine.queries.team_data import ActorNames, period_of
from projections.data_quality import (
    DEFAULT_THRESHOLDS,
    RULES,
    RULES_VERSION,
    Finding,
    Rule,
    Thresholds,
    check_measure,
    previous_month,
)


@dataclass(frozen=True)
class ShownFinding:
    """A finding as people read it: the measure's name beside it, and who confirmed it."""

    finding: Finding
    measure_name: str
    confirmed_by: str | None = None
    reason: str | None = None  # None once erased (or while open)


@dataclass(frozen=True)
class TeamDataQuality:
    team_id: UUID
    team_name: str
    rules_version: int
    rules: tuple[Rule, ...]
    thresholds: Thresholds
    last_month: str
    findings: list[ShownFinding]  # by measure, then rule, then month

    @property
    def open(self) -> list[ShownFinding]:
        return [f for f in self.findings if not f.finding.confirmed]

    @property
    def confirmed(self) -> list[ShownFinding]:
        return [f for f in self.findings if f.finding.confirmed]


# The CSV exports' columns, in their order (see each query).
MEASURE_DATA_COLUMNS = (
    "team", "organization", "measure", "measure_key", "month", "numerator", "denominator", "value",
    "corrections", "entered_at",
)  # fmt: skip
ASSESSMENT_COLUMNS = (
    "team", "organization", "assessment", "submitted_at", "item", "score", "max_score", "assessment_percent",
)  # fmt: skip
DICTIONARY_COLUMNS = (
    "section", "key", "name", "defined_by", "kind", "data_type", "numerator", "denominator", "direction",
    "target", "plausible_min", "plausible_max", "domain", "answers", "max_points", "version",
)  # fmt: skip


class DataQualityQueries(Reader):
    def data_quality(
        self,
        principal: Principal,
        team_id: UUID,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
        measure_key: str | None = None,
    ) -> TeamDataQuality:
        """Every finding of the rules (RULES_VERSION) on each of the team's measures (or only
        `measure_key`'s: what a save answers with), through last month, each either open or
        confirmed (by whom, why)."""
        team = self.engine.team(team_id)
        authorization.authorize_team_read(principal, team)
        last_month = previous_month(period_of(self.engine.clock().date()))
        names = ActorNames(self.engine)
        shown = []
        for key, series in team.state.measures.items():
            if measure_key is not None and key != measure_key:
                continue
            found = check_measure(
                series.definition, series.data, last_month, team.state.confirmed_findings, thresholds
            )
            for finding in found:
                confirmation = finding.confirmation
                if confirmation is None:
                    shown.append(ShownFinding(finding, series.definition.name))
                    continue
                by = names.of(confirmation.actor_id, confirmation.actor_role)
                reason = self.engine.open_personal(confirmation.reason)
                shown.append(ShownFinding(finding, series.definition.name, by, reason))
        return TeamDataQuality(team.id, team.state.name, RULES_VERSION, RULES, thresholds, last_month, shown)

    def measure_data_rows(
        self, principal: Principal, team_id: UUID, measure_key: str
    ) -> list[tuple[object, ...]]:
        """One row per month with data of the team's measure, oldest first, in the order of
        MEASURE_DATA_COLUMNS: team, organization, measure (its name), measure_key, month
        (YYYY-MM), numerator, denominator (empty for a count or continuous measure), value
        (numerator / denominator, else the numerator), corrections (how many times the month
        was corrected), entered_at (when its current value was entered, ISO 8601 UTC)."""
        team = self.engine.team(team_id)
        authorization.authorize_team_read(principal, team)
        if measure_key not in team.state.measures:
            raise NotFound(f"measure {measure_key!r} of team", team_id)
        return list(_measure_rows(team, measure_key))

    def collaborative_data_rows(
        self, principal: Principal, collaborative_id: UUID
    ) -> list[tuple[object, ...]]:
        """Every team's months of every measure (the columns of measure_data_rows), teams by
        name, then measure key, then month."""
        collaborative = self._collaborative(principal, collaborative_id)
        return [
            row for team in self._teams(collaborative) for key in sorted(team.state.measures)
            for row in _measure_rows(team, key)
        ]  # fmt: skip

    def assessment_rows(self, principal: Principal, collaborative_id: UUID) -> list[tuple[object, ...]]:
        """One row per item of every assessment of the collaborative's teams, in the order of
        ASSESSMENT_COLUMNS: team, organization, assessment (its instrument's title, else its
        kind), submitted_at (ISO 8601 UTC), item (the question), score, max_score,
        assessment_percent (the whole assessment's score, 0 to 100); teams by name, each's
        assessments in the order submitted."""
        collaborative = self._collaborative(principal, collaborative_id)
        rows = []
        for team in self._teams(collaborative):
            for event in self.engine.events.get(team.id):
                if not isinstance(event, AssessmentSubmitted):
                    continue
                assessment = event.assessment
                instrument = INSTRUMENTS.get(assessment.kind)
                title = instrument.title if instrument else assessment.kind.value
                for item in assessment.items:
                    rows.append((
                        team.state.name, team.state.organization, title, event.timestamp.isoformat(),
                        item.item, item.score, item.max_score, round(assessment.score_percent, 2),
                    ))  # fmt: skip
        return rows

    def data_dictionary_rows(self, principal: Principal, collaborative_id: UUID) -> list[tuple[object, ...]]:
        """The data dictionary, in the order of DICTIONARY_COLUMNS. First the measures
        (section "measure"): the collaborative's own (defined_by: the collaborative's title),
        then each team's that the collaborative does not define (defined_by: the team's name),
        with their operational definitions; then every question of the assessment
        instruments (section "instrument"; name: the question, defined_by: the instrument's
        title, kind: the assessment kind, answers as "label (points); …")."""
        collaborative = self._collaborative(principal, collaborative_id)
        rows = [_measure_entry(m, collaborative.state.title) for m in collaborative.state.measures.values()]
        for team in self._teams(collaborative):
            for key, series in sorted(team.state.measures.items()):
                if key not in collaborative.state.measures:
                    rows.append(_measure_entry(series.definition, team.state.name))
        for instrument in INSTRUMENTS.values():
            for item in instrument.items:
                answers = "; ".join(f"{a.label} ({a.points:g})" for a in item.answers)
                rows.append((
                    "instrument", item.key, item.question, instrument.title, instrument.kind.value,
                    "", "", "", "", "", "", "", item.domain, answers, item.max_points, instrument.version,
                ))  # fmt: skip
        return rows

    def _collaborative(self, principal: Principal, collaborative_id: UUID) -> Collaborative:
        self._may_read_collaborative(principal, collaborative_id)
        return self.engine.collaborative(collaborative_id)

    def _teams(self, collaborative: Collaborative) -> list[Team]:
        teams = [self.engine.team(team_id) for team_id in collaborative.state.teams]
        return sorted(teams, key=lambda t: (t.state.name, str(t.id)))


def _measure_rows(team: Team, key: str) -> Iterator[tuple[object, ...]]:
    series = team.state.measures[key]
    for period, point in sorted(series.data.items()):
        current = point.current
        yield (
            team.state.name, team.state.organization, series.definition.name, key, period, current.numerator,
            current.denominator, point.value, point.corrections, current.submitted_at.isoformat(),
        )  # fmt: skip


def _measure_entry(m: MeasureDefinition, defined_by: str) -> tuple[object, ...]:
    return (
        "measure", m.key, m.name, defined_by, m.kind.value, m.data_type.value, m.numerator, m.denominator,
        m.direction.value, m.target, m.plausible_min, m.plausible_max, "", "", "", "",
    )  # fmt: skip
