"""Projections on a real store, SQLite and PostgreSQL: exactly-once batches,
rebuilds, and an audit trail whose hash chain exposes tampering."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import psycopg
import pytest

from engine.application import QIEngine
from engine.read_models import ReadModels
from projections import audit
from projections.audit import AuditFilter, AuditTrail
from tests.conftest import Clock
from tests.store.backends import OnPostgreSQL, OnSQLite, rows
from tests.store.lifecycle import Lifecycle

Tamper = Callable[[str, int], None]  # SQL with one ? for the position, the position


class Killed(BaseException):
    """The process dying mid-batch: not an error a projection could record as the event's fault."""


class ReadModelContract:
    @pytest.fixture
    def life(self, engine: QIEngine, clock: Clock) -> Lifecycle:
        life = Lifecycle(engine, clock)
        life.through_every_phase()
        return life

    def test_the_audit_trail_has_one_row_per_event_with_who_what_and_when(
        self, life: Lifecycle, models: ReadModels
    ) -> None:
        trail = models.audit(AuditFilter(limit=10_000))
        assert [r.position for r in trail] == [
            n.id for n in life.engine.recorder.select_notifications(1, 10_000)
        ]
        first = trail[0]
        assert (first.action, first.aggregate_type, first.actor_id, first.actor_role) == (
            "CollaborativeCreated",
            "collaborative",
            "staff-ann",
            "staff",
        )
        assert first.collaborative_id == life.collaborative_id and first.payload["title"] == "PRQC"

    def test_the_audit_trail_filters_by_collaborative_aggregate_actor_action_and_time(
        self, life: Lifecycle, models: ReadModels
    ) -> None:
        team = life.teams[0]
        by_team = models.audit(AuditFilter(aggregate=team, limit=1000))
        assert by_team and {r.aggregate_id for r in by_team} == {team}
        advances = models.audit(AuditFilter(action="PhaseAdvanced", collaborative=life.collaborative_id))
        assert [r.payload["to_phase"] for r in advances][-1] == "closed"
        middle = advances[3].recorded_at
        assert all(
            r.recorded_at >= middle for r in models.audit(AuditFilter(action="PhaseAdvanced", since=middle))
        )
        page = models.audit(AuditFilter(limit=5))
        after = models.audit(AuditFilter(after=page[-1].position, limit=5))
        assert after[0].position > page[-1].position
        assert models.audit(AuditFilter(actor="nobody")) == []

    def test_an_untouched_store_verifies(self, life: Lifecycle, models: ReadModels) -> None:
        result = models.verify_audit()
        assert result.ok and result.checked == life.engine.recorder.max_notification_id()

    def test_verification_names_the_first_altered_event(
        self, life: Lifecycle, models: ReadModels, tamper: Tamper
    ) -> None:
        models.wait_for()
        tamper("UPDATE {events} SET state = ? WHERE {id} = ?", 17)
        result = models.verify_audit()
        assert (result.ok, result.first_bad_position) == (False, 17)
        assert result.problem == "the stored event at position 17 no longer matches"

    def test_verification_names_a_deleted_event(
        self, life: Lifecycle, models: ReadModels, tamper: Tamper
    ) -> None:
        models.wait_for()
        tamper("DELETE FROM {events} WHERE {id} = ?", 9)
        result = models.verify_audit()
        assert (result.ok, result.first_bad_position) == (False, 9)
        assert "missing from the store" in str(result.problem)

    def test_a_rebuilt_read_model_equals_the_incremental_one(
        self, life: Lifecycle, models: ReadModels
    ) -> None:
        models.wait_for()
        incremental = rows(models, audit.TABLE)
        models.runner.rebuild("audit")
        assert rows(models, audit.TABLE) == incremental

    def test_read_models_at_different_positions_catch_up_on_shared_pages_to_what_a_rebuild_makes(
        self, engine: QIEngine, life: Lifecycle
    ) -> None:
        ahead = ReadModels(engine, [AuditTrail()])
        ahead.runner.catch_up()  # the audit trail is at the head; the others start from nothing
        ahead.close()
        models = ReadModels(engine)
        models.runner.batch_size = 7  # many pages, each shared by projections at different positions
        models.runner.catch_up()
        tables = [t for p in models.runner.projections.values() for t in p.tables]
        caught_up = {t: rows(models, t) for t in tables}
        models.runner.rebuild_all()
        assert {t: rows(models, t) for t in tables} == caught_up
        assert all(models.runner.position(n) == models.runner.head() for n in models.runner.projections)
        models.close()

    def test_a_crash_inside_a_batch_leaves_no_partial_rows_and_no_duplicates(
        self, engine: QIEngine, life: Lifecycle, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        models = ReadModels(engine, [AuditTrail()])
        models.runner.batch_size = 50
        models.runner.run_batch("audit")
        original = AuditTrail.apply

        def crash_after_writing(self: AuditTrail, tx: object, batch: object) -> None:
            original(self, tx, batch)  # type: ignore[arg-type]
            raise Killed("killed between the rows and the commit")

        monkeypatch.setattr(AuditTrail, "apply", crash_after_writing)
        with pytest.raises(Killed):
            models.runner.run_batch("audit")
        assert len(rows(models, audit.TABLE)) == 50 and models.runner.position("audit") == 50
        monkeypatch.setattr(AuditTrail, "apply", original)
        models.runner.catch_up()
        positions = [r[0] for r in rows(models, audit.TABLE)]
        assert positions == sorted(set(positions)) and len(positions) == engine.recorder.max_notification_id()
        assert models.verify_audit().ok
        models.close()

    def test_a_projection_whose_version_changed_is_rebuilt(self, engine: QIEngine, life: Lifecycle) -> None:
        models = ReadModels(engine)
        models.wait_for()
        before = rows(models, audit.TABLE)
        with models.store.transaction(write=True) as tx:
            tx.execute("UPDATE qi_projection_positions SET version = 0 WHERE name = 'audit'")
        models.close()
        reopened = ReadModels(engine)
        assert reopened.runner.position("audit") == 0
        reopened.wait_for()
        assert rows(reopened, audit.TABLE) == before
        reopened.close()


class TestReadModelsOnSQLite(OnSQLite, ReadModelContract):
    """The contract on SQLite."""

    @pytest.fixture
    def tamper(self, engine: QIEngine) -> Tamper:
        def run(sql: str, position: int) -> None:
            statement = sql.format(events="stored_events", id="rowid")
            params = (b'{"forged": true}', position) if "SET state" in statement else (position,)
            with sqlite3.connect(engine.settings.store) as conn:
                conn.execute(statement, params)

        return run


class TestReadModelsOnPostgreSQL(OnPostgreSQL, ReadModelContract):
    """The contract on PostgreSQL."""

    @pytest.fixture
    def tamper(self, postgres_url: str) -> Tamper:
        def run(sql: str, position: int) -> None:
            statement = sql.format(events="qi_events", id="notification_id").replace("?", "%s")
            params = (b'{"forged": true}', position) if "SET state" in statement else (position,)
            with psycopg.connect(postgres_url, autocommit=True) as conn:
                conn.execute(statement, params)

        return run
