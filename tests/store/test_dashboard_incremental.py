"""The collaborative-level figures the dashboard projection keeps as events arrive (monthly
sums, counts of teams, stamps of what changed) against a recomputation from every team's
rows, after submissions, corrections, attendance and a withdrawal, on SQLite and PostgreSQL."""

from __future__ import annotations

from uuid import UUID

import pytest

from aggregates.phases import Phase
from aggregates.values import MeasureDefinition
from analytics import aggregate_by_period
from engine.application import QIEngine
from engine.commands.activity import RecordAttendance
from engine.commands.collaborative import NewMember, RegisterTeam, WithdrawTeam
from engine.commands.team import DefineMeasure, SubmitAssessment, SubmitData
from engine.read_models import ReadModels
from projections import charts, dashboard_sums, dashboard_view
from projections.chart_plan import Series
from projections.charts import ChartOptions
from projections.dashboard import Dashboard
from projections.dashboard_tables import TEAM
from tests.conftest import Clock
from tests.store.backends import OnPostgreSQL, OnSQLite, rows
from tests.store.lifecycle import WEIGHT, Lifecycle

MINUTES = MeasureDefinition(
    key="door-to-scale", name="Minutes from door to scale", kind="process", data_type="continuous",
    numerator="minutes", direction="decrease",
)  # fmt: skip
TEAMS = (("Alder ED", "community_ed"), ("Birch EMS", "ems_agency"), ("Cedar ED", "community_ed"),
         ("Dogwood EMS", "ems_agency"))  # fmt: skip


def summed_over_every_team(models: ReadModels, collaborative_id: UUID, key: str) -> Series | None:
    """The measure summed by month as it was before the sums were kept: every active team's
    series through `aggregate_by_period`, drawn with the first team's (by id) definition."""
    with models.store.transaction() as tx:
        teams = sorted(charts.team_data(tx, collaborative_id, key), key=lambda t: str(t.team_id))
    if not teams:
        return None
    measure = teams[0].measure
    combined = aggregate_by_period(
        {"x": [p for p, _, _ in t.data], "y": [n for _, n, _ in t.data],
         "n": [d for _, _, d in t.data] if measure.denominator else None}
        for t in teams
    )  # fmt: skip
    return Series(
        periods=[str(x) for x in combined.x],
        numerators=[y or 0.0 for y in combined.y],
        denominators=list(combined.n) if combined.n is not None else None,
    )


class IncrementalContract:
    @pytest.fixture
    def life(self, engine: QIEngine, clock: Clock) -> Lifecycle:
        life = Lifecycle(engine, clock)
        life.create()
        life.advance(Phase.REGISTRATION)
        assert life.collaborative_id
        for name, setting in TEAMS:
            outcome = life.run(RegisterTeam(
                collaborative_id=life.collaborative_id, name=name, organization=name, care_setting=setting,
                members=(NewMember(person={"name": f"{name} lead"}, discipline="nurse"),),
            ))  # fmt: skip
            life.teams.append(outcome.id)
            life.members[outcome.id] = outcome.created["Participant"]
        life.advance(Phase.ORIENTATION)
        life.run(
            SubmitAssessment(team_id=life.teams[0], kind="gap_analysis", items=({"item": "Kg", "score": 4},))
        )
        life.advance(Phase.SESSIONS, reason="the others assess during sessions")
        for team_id in life.teams:
            life.run(DefineMeasure(team_id=team_id, measure=WEIGHT))
            life.run(DefineMeasure(team_id=team_id, measure=MINUTES))
        return life

    def agrees_with_a_recomputation(self, life: Lifecycle, models: ReadModels) -> None:
        """The dashboard brought forward equals one built whole from the rows, its counts equal
        the teams counted, and the collaborative's charts equal the sums over every team."""
        cid = life.collaborative_id
        assert cid
        view = models.dashboard(cid)
        with models.store.transaction() as tx:
            whole = dashboard_view.dashboard(tx, cid)
        assert view == whole and view is not None
        counted: dict[str, dict[str, int]] = {}
        for team in view.teams:
            counted.setdefault(team.care_setting, {"active": 0, "withdrawn": 0})
            counted[team.care_setting]["active" if team.active else "withdrawn"] += 1
        assert view.teams_by_setting == counted
        active = [t for t in view.teams if t.active]
        assert view.assessment_completion == sum(t.assessment_score is not None for t in active) / len(active)
        for measure in (WEIGHT, MINUTES):
            expected = summed_over_every_team(models, cid, measure.key)
            chart = models.collaborative_chart(cid, measure.key, ChartOptions())
            assert chart is not None and expected is not None
            with models.store.transaction() as tx:
                assert dashboard_sums.summed(tx, str(cid), measure) == expected
            assert [p.y for p in chart.result.points] == [
                n / d if d is not None else n
                for n, d in zip(expected.numerators, expected.denominators or [None] * len(expected.periods), strict=True)
            ]  # fmt: skip

    def submit(self, life: Lifecycle, team: int, period: str, kg: float, seen: float, minutes: float) -> None:
        team_id = life.teams[team]
        life.run(
            SubmitData(
                team_id=team_id, measure_key="weight-kg", period=period, numerator=kg, denominator=seen
            )
        )
        life.run(SubmitData(team_id=team_id, measure_key="door-to-scale", period=period, numerator=minutes))

    def test_kept_figures_equal_a_recomputation_after_submissions_corrections_attendance_and_a_withdrawal(
        self, life: Lifecycle, models: ReadModels
    ) -> None:
        self.agrees_with_a_recomputation(life, models)  # measures defined, no data yet
        for team in range(4):
            for month, (kg, minutes) in enumerate(((7.5, 0.1), (11, 0.2), (13.25, 0.7))):
                self.submit(life, team, f"2025-0{month + 1}", kg + team, 20 + team, minutes * (team + 1))
                self.agrees_with_a_recomputation(life, models)
        self.submit(life, 1, "2025-02", 3.1, 17.3, 0.30000000000000004)  # a correction
        self.agrees_with_a_recomputation(life, models)
        self.submit(life, 2, "2025-04", 9, 9, 1e-9)  # a month only one team reported
        self.agrees_with_a_recomputation(life, models)
        life.hold_session()  # held with attendance: every team's attendance rate counts it
        self.agrees_with_a_recomputation(life, models)
        life.run(
            SubmitAssessment(team_id=life.teams[1], kind="gap_analysis", items=({"item": "Kg", "score": 2},))
        )
        self.agrees_with_a_recomputation(life, models)
        life.run(WithdrawTeam(team_id=life.teams[1], reason="Lost its champion"))
        self.agrees_with_a_recomputation(life, models)
        life.run(WithdrawTeam(team_id=life.teams[2], reason="Merged"))  # takes its lone month with it
        self.agrees_with_a_recomputation(life, models)
        view = models.dashboard(life.collaborative_id)  # type: ignore[arg-type]
        assert view is not None and view.teams_by_setting == {
            "community_ed": {"active": 1, "withdrawn": 1},
            "ems_agency": {"active": 1, "withdrawn": 1},
        }

    def test_kept_figures_are_the_same_rows_after_a_rebuild_from_the_first_event(
        self, life: Lifecycle, models: ReadModels
    ) -> None:
        for team in range(4):
            self.submit(life, team, "2025-01", 5 + team, 10, 0.1 * (team + 1))
        self.submit(life, 0, "2025-01", 2, 10, 0.2)
        life.run(WithdrawTeam(team_id=life.teams[3], reason="Lost its champion"))
        before = models.dashboard(life.collaborative_id)  # type: ignore[arg-type]
        tables = {table: rows(models, table) for table in Dashboard.tables}
        models.runner.rebuild("dashboard")
        assert {table: rows(models, table) for table in Dashboard.tables} == tables
        assert models.dashboard(life.collaborative_id) == before  # type: ignore[arg-type]
        self.agrees_with_a_recomputation(life, models)

    def test_a_data_point_stamps_only_its_own_team_and_an_attendance_only_its_teams(
        self, life: Lifecycle, models: ReadModels
    ) -> None:
        def stamped_after(position: int) -> set[UUID]:
            with models.store.transaction() as tx:
                found = tx.fetchall(f"SELECT team_id FROM {TEAM} WHERE changed_at > ?", (position,))
            return {UUID(str(t)) for (t,) in found}

        life.hold_session()  # the first attendance stamps every team
        models.dashboard(life.collaborative_id)  # type: ignore[arg-type]
        at = models.runner.position("dashboard")
        self.submit(life, 2, "2025-01", 5, 10, 0.5)
        models.dashboard(life.collaborative_id)  # type: ignore[arg-type]
        assert stamped_after(at) == {life.teams[2]}
        at = models.runner.position("dashboard")
        assert life.session_id
        life.run(RecordAttendance(activity_id=life.session_id, participant_id=life.members[life.teams[0]][0],
                                  minutes=60))  # fmt: skip
        models.dashboard(life.collaborative_id)  # type: ignore[arg-type]
        assert stamped_after(at) == {life.teams[0]}
        self.agrees_with_a_recomputation(life, models)


class TestIncrementalDashboardOnSQLite(OnSQLite, IncrementalContract):
    """The contract on SQLite."""


class TestIncrementalDashboardOnPostgreSQL(OnPostgreSQL, IncrementalContract):
    """The contract on PostgreSQL."""
