"""The dashboard read model on SQLite and PostgreSQL, against the aggregates."""

from __future__ import annotations

import pytest

from aggregates.phases import Phase
from engine.application import QIEngine
from engine.commands.collaborative import WithdrawTeam
from engine.commands.team import SubmitData
from engine.read_models import ReadModels
from projections.dashboard import Dashboard
from tests.conftest import Clock
from tests.store.backends import OnPostgreSQL, OnSQLite, rows
from tests.store.lifecycle import Lifecycle, world_in_projects


class DashboardContract:
    @pytest.fixture
    def life(self, engine: QIEngine, clock: Clock) -> Lifecycle:
        return world_in_projects(engine, clock)

    def test_the_dashboard_shows_phase_teams_attendance_cycles_and_measures(
        self, life: Lifecycle, models: ReadModels
    ) -> None:
        view = models.dashboard(life.collaborative_id)  # type: ignore[arg-type]
        assert view is not None
        assert view.phase is Phase.PROJECTS and view.next_phase is Phase.SHARING
        assert [h["to_phase"] for h in view.phase_history] == [
            "focus",
            "registration",
            "orientation",
            "sessions",
            "projects",
        ]
        assert view.unmet_for_next_phase == []
        assert view.teams_by_setting == {
            "community_ed": {"active": 1, "withdrawn": 0},
            "ems_agency": {"active": 1, "withdrawn": 0},
        }
        assert view.assessment_completion == 1.0
        [session] = view.activities
        assert (session.attendees, session.expected, session.attendance_rate) == (2, 2, 1.0)
        for team in view.teams:
            assert team.attendance_rate == 1.0 and team.cycles_by_stage == {"acted": 1}
            assert team.cycles_by_decision == {"adopt": 1}
            [measure] = team.measures
            assert (measure.chart, measure.points, measure.latest_period, measure.latest_value) == (
                "p",
                1,
                "2025-01",
                0.6,
            )

    def test_the_next_phase_blockers_follow_the_teams(self, life: Lifecycle, models: ReadModels) -> None:
        life.advance(Phase.SHARING)
        view = models.dashboard(life.collaborative_id)  # type: ignore[arg-type]
        assert view is not None
        [unmet] = view.unmet_for_next_phase
        assert unmet.criterion.value == "projects_shared" and "Mercy ED" in unmet.detail
        life.run(WithdrawTeam(team_id=life.teams[0], reason="Lost its champion"))
        view = models.dashboard(life.collaborative_id)  # type: ignore[arg-type]
        assert view is not None
        assert view.teams_by_setting["community_ed"] == {"active": 0, "withdrawn": 1}

    def test_a_corrected_month_replaces_the_value_on_the_dashboard(
        self, life: Lifecycle, models: ReadModels
    ) -> None:
        team_id = life.teams[0]
        life.run(
            SubmitData(
                team_id=team_id, measure_key="weight-kg", period="2025-01", numerator=18, denominator=20
            )
        )
        view = models.dashboard(life.collaborative_id)  # type: ignore[arg-type]
        assert view is not None
        team = next(t for t in view.teams if t.team_id == team_id)
        assert team.measures[0].latest_value == 0.9 and team.measures[0].points == 1

    def test_the_dashboard_agrees_with_the_aggregates_and_survives_a_rebuild(
        self, life: Lifecycle, models: ReadModels
    ) -> None:
        before = models.dashboard(life.collaborative_id)  # type: ignore[arg-type]
        tables = {table: rows(models, table) for table in Dashboard.tables}
        models.runner.rebuild("dashboard")
        assert {table: rows(models, table) for table in Dashboard.tables} == tables
        assert models.dashboard(life.collaborative_id) == before  # type: ignore[arg-type]
        collaborative = life.engine.collaborative(life.collaborative_id)  # type: ignore[arg-type]
        assert before is not None and before.phase is collaborative.phase
        assert {t.team_id for t in before.teams} == set(collaborative.state.teams)


class TestDashboardOnSQLite(OnSQLite, DashboardContract):
    """The contract on SQLite."""


class TestDashboardOnPostgreSQL(OnPostgreSQL, DashboardContract):
    """The contract on PostgreSQL."""
