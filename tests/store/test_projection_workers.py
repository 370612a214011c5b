"""Projections as separate workers: `qi project` on PostgreSQL, and readers
that do not project themselves when workers do."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from engine.application import QIEngine
from engine.read_models import ReadModels
from engine.settings import Settings
from projections.audit import AuditFilter
from tests.conftest import Clock
from tests.store.lifecycle import Lifecycle


@pytest.mark.postgres
def test_qi_project_catches_postgres_read_models_up_in_a_separate_process(
    postgres_engine: QIEngine, postgres_url: str, clock: Clock
) -> None:
    Lifecycle(postgres_engine, clock).through_every_phase()
    env = os.environ | {"QI_STORE": postgres_url, "QI_PROJECTIONS": "worker"}
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "project", "--once"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    head = postgres_engine.recorder.max_notification_id()
    worker_settings = Settings(store=postgres_url, projections="worker")
    models = ReadModels(QIEngine(worker_settings))
    assert models.runner.position("audit") == head and models.runner.position("dashboard") == head
    assert models.verify_audit().ok
    models.close()


def test_a_worker_mode_reader_reads_what_the_workers_wrote_without_projecting(
    tmp_path: object, clock: Clock
) -> None:
    settings = Settings(store=f"{tmp_path}/qi.sqlite3", projections="worker")
    engine = QIEngine(settings, clock)
    Lifecycle(engine, clock).create()
    reader = ReadModels(engine)
    assert reader.audit(AuditFilter()) == []
    worker = ReadModels(engine)
    worker.projector.poll = 0.05
    worker.projector.start()
    try:
        for _ in range(100):
            if reader.audit(AuditFilter()):
                break
            threading.Event().wait(0.05)
        assert [r.action for r in reader.audit(AuditFilter())] == ["CollaborativeCreated", "CommandAccepted"]
    finally:
        worker.projector.stop()
    reader.close()
    worker.close()
