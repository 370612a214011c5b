"""The dashboard read model on SQLite and PostgreSQL, against the aggregates."""

from __future__ import annotations

import pytest

from aggregates.criteria import PhaseFacts, UnmetCriterion, gather_facts
from aggregates.phases import Phase
from engine.application import QIEngine
from engine.commands.collaborative import WithdrawTeam
from engine.commands.team import DefineMeasure, SubmitData
from engine.handlers.collaborative import criteria_input, phase_facts
from engine.read_models import ReadModels
from engine.unit_of_work import UnitOfWork
from projections import dashboard_view
from projections.dashboard import Dashboard
from tests.conftest import Clock
from tests.store.backends import OnPostgreSQL, OnSQLite, rows
from tests.store.lifecycle import WEIGHT, Lifecycle, world_in_projects

Judgement = tuple[PhaseFacts | None, list[UnmetCriterion]]


def judged_by_the_engine(life: Lifecycle) -> Judgement:
    """The facts and unmet criteria a phase advance is refused with (the 409)."""
    uow = UnitOfWork(life.engine.repository, None, None)
    collaborative = uow.collaborative(life.collaborative_id)  # type: ignore[arg-type]
    facts = gather_facts(criteria_input(uow, collaborative))
    return facts, collaborative.unmet_exit_criteria(*phase_facts(uow, collaborative))


def judged_by_the_dashboard(life: Lifecycle, models: ReadModels) -> Judgement:
    """The facts and unmet criteria the dashboard shows, from its rows."""
    view = models.dashboard(life.collaborative_id)  # type: ignore[arg-type]
    assert view is not None
    with models.store.transaction() as tx:
        facts = dashboard_view.phase_facts(tx, life.collaborative_id)  # type: ignore[arg-type]
    return facts, view.unmet_for_next_phase


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
            assert (
                measure.chart,
                measure.points,
                measure.latest_period,
                measure.latest_value,
            ) == (  # one month: a run chart
                "run",
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

    def test_the_dashboard_and_a_phase_advance_judge_the_exit_criteria_on_the_same_facts(
        self, engine: QIEngine, clock: Clock, models: ReadModels
    ) -> None:
        life = Lifecycle(engine, clock)
        judgements = []

        def both_agree() -> None:
            by_engine, by_dashboard = judged_by_the_engine(life), judged_by_the_dashboard(life, models)
            assert by_dashboard == by_engine
            judgements.append(by_engine)

        life.create()
        both_agree()
        life.advance(Phase.REGISTRATION)
        both_agree()  # no teams yet
        life.register_teams()
        life.advance(Phase.ORIENTATION)
        both_agree()  # neither team has assessed itself
        life.orient()
        life.advance(Phase.SESSIONS)
        both_agree()  # no session held
        life.hold_session()
        life.advance(Phase.PROJECTS)
        life.run(DefineMeasure(team_id=life.teams[1], measure=WEIGHT))
        both_agree()  # one team has a measure without data, neither an acted cycle
        life.work_projects()
        life.advance(Phase.SHARING)
        both_agree()  # nothing shared
        life.run(WithdrawTeam(team_id=life.teams[0], reason="Lost its champion"))
        both_agree()
        unmet = [[u.criterion.value for u in found] for _, found in judgements]
        assert unmet == [
            [],
            ["min_teams"],
            ["assessments_complete"],
            ["session_held"],
            ["pdsa_completed", "measure_data"],
            ["projects_shared"],
            ["projects_shared"],
        ]
        assert "2 of 2 active teams have not submitted a gap analysis" in judgements[2][1][0].detail
        assert judgements[2][1][0].detail.endswith(": Big Sky EMS, Mercy ED")  # by name, on both paths


class TestDashboardOnSQLite(OnSQLite, DashboardContract):
    """The contract on SQLite."""


class TestDashboardOnPostgreSQL(OnPostgreSQL, DashboardContract):
    """The contract on PostgreSQL."""
