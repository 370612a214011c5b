"""The audit explorer's reads on a real store, SQLite and PostgreSQL: keyset pages newest
first that meet exactly going older and back newer, the engine's records left out on
request, a date read back from, and the dashboard replayed as of a past moment."""

from __future__ import annotations

import pytest

from engine.application import QIEngine
from engine.dashboard_replay import dashboard_then
from engine.read_models import ReadModels
from projections.audit import AuditFilter
from projections.audit_query import ENGINE_RECORDS
from tests.conftest import Clock
from tests.store.backends import OnPostgreSQL, OnSQLite
from tests.store.lifecycle import Lifecycle


class AuditPagingContract:
    @pytest.fixture
    def life(self, engine: QIEngine, clock: Clock) -> Lifecycle:
        life = Lifecycle(engine, clock)
        life.through_every_phase()
        return life

    def test_pages_newest_first_meet_exactly_going_older_and_back(
        self, life: Lifecycle, models: ReadModels
    ) -> None:
        every = [r.position for r in models.audit(AuditFilter(limit=10_000))][::-1]
        walked, page = [], models.audit_page(AuditFilter(), 7)
        pages = [page]
        while True:
            walked += [r.position for r in page.rows]
            if page.older is None:
                break
            page = models.audit_page(AuditFilter(before=page.older), 7)
            pages.append(page)
        assert walked == every and pages[0].newer is None
        back = models.audit_page(AuditFilter(), 7, after=pages[-1].newer)
        assert [r.position for r in back.rows] == [r.position for r in pages[-2].rows]

    def test_the_engines_records_are_left_out_when_asked(self, life: Lifecycle, models: ReadModels) -> None:
        rows = models.audit_page(AuditFilter(without_actions=ENGINE_RECORDS), 10_000).rows
        everything = models.audit_page(AuditFilter(), 10_000).rows
        assert rows and all(r.action not in ENGINE_RECORDS for r in rows)
        assert any(r.action == "CommandAccepted" for r in everything)

    def test_a_date_is_read_back_from_its_first_event(self, life: Lifecycle, models: ReadModels) -> None:
        trail = models.audit(AuditFilter(limit=10_000))
        middle = trail[len(trail) // 2]
        first = models.audit_first_from(middle.recorded_at)
        assert first is not None and first <= middle.position
        assert all(r.recorded_at < middle.recorded_at for r in trail if r.position < first)

    def test_the_dashboard_replayed_as_of_a_moment_matches_the_collaborative_then(
        self, life: Lifecycle, models: ReadModels
    ) -> None:
        assert life.collaborative_id
        history = life.engine.collaborative(life.collaborative_id).state.phase_history
        moment = history[2].at  # when it entered orientation
        then = life.engine.collaborative(life.collaborative_id, as_of=moment)
        view, charts = dashboard_then(life.engine, models, then, moment)
        assert view is not None and view.phase == then.phase
        assert {t.team_id for t in view.teams} == set(then.state.teams)
        assert [name for name, _ in charts] == [m.name for m in then.state.measures.values()]
        now = models.dashboard(life.collaborative_id)
        assert now is not None and now.phase != view.phase


class TestAuditPagingOnSQLite(OnSQLite, AuditPagingContract):
    pass


class TestAuditPagingOnPostgreSQL(OnPostgreSQL, AuditPagingContract):
    pass
