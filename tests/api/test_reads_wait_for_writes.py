"""Reads do not write: the projector thread projects each commit, a read waits for the
position of the log's head when it began (so a client sees what it wrote), and a read the
projections do not reach in time is answered 503 catching up, with Retry-After."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from aggregates.base import Role
from engine.application import QIEngine
from engine.read_models import ReadModels
from engine.settings import Settings
from tests.api.conftest import Api, issue
from tests.api.flow import HttpFlow
from tests.api.read_models_probe import latest, write_transactions
from tests.conftest import Clock

DATA = {"period": "2025-03", "numerator": 17, "denominator": 20}


def test_a_read_right_after_a_write_sees_it_and_only_the_projector_thread_writes_read_models(
    staff: Api, clock: Clock, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("sessions")
    models: ReadModels = client.app.state.read_models  # type: ignore[attr-defined]
    assert models.projector.running
    writers = write_transactions(models, monkeypatch)

    staff.ok(f"/teams/{flow.teams[0]}/measures/weight-kg/data", DATA)

    assert "2025-03" in latest(staff, flow.collaborative)
    assert writers and set(writers) == {"qi-projector"}


def test_without_a_projector_thread_a_read_catches_up_itself_and_sees_the_write(
    sqlite_engine: QIEngine, clock: Clock
) -> None:
    app = create_app(sqlite_engine)
    staff = Api(TestClient(app), issue(sqlite_engine, Role.STAFF, "ann"))  # no lifespan: no threads
    flow = HttpFlow(staff, clock)
    flow.up_to("sessions")

    staff.ok(f"/teams/{flow.teams[0]}/measures/weight-kg/data", DATA)

    assert not app.state.read_models.projector.running
    assert "2025-03" in latest(staff, flow.collaborative)


def test_a_read_the_projections_do_not_reach_in_time_is_answered_503_catching_up_with_retry_after(
    tmp_path: Path, clock: Clock
) -> None:
    engine = QIEngine(
        Settings(store=str(tmp_path / "qi.sqlite3"), read_wait_seconds=0.2, retry_after=3), clock
    )
    app = create_app(engine)
    release = threading.Event()  # until set, the projector's next catch-up is held back
    with TestClient(app) as client:
        try:
            staff = Api(client, issue(engine, Role.STAFF, "ann"))
            collaborative = HttpFlow(staff, clock).create()
            runner = app.state.read_models.runner
            original = runner.catch_up
            runner.catch_up = lambda *a, **k: (release.wait(), original(*a, **k))[1]

            staff.ok(f"/collaboratives/{collaborative}/phase", {"to": "registration"})
            behind = staff.get(f"/collaboratives/{collaborative}/dashboard")

            assert behind.status_code == 503 and behind.headers["retry-after"] == "3"
            assert behind.headers["content-type"] == "application/problem+json"
            assert "catching up" in behind.json()["detail"]
            release.set()
            caught_up = staff.get(f"/collaboratives/{collaborative}/dashboard")
            assert caught_up.status_code == 200 and caught_up.json()["phase"] == "registration"
        finally:
            release.set()
    engine.close()


def test_a_reader_waits_for_a_position_on_the_projector_instead_of_projecting(
    sqlite_engine: QIEngine, clock: Clock
) -> None:
    models = ReadModels(sqlite_engine)
    projecting: list[str] = []
    original = models.runner.catch_up
    models.runner.catch_up = lambda *a, **k: (
        projecting.append(threading.current_thread().name),
        original(*a, **k),
    )[1]  # type: ignore[method-assign]
    models.projector.start()
    try:
        issue(sqlite_engine, Role.STAFF, "ann")  # written past the commands: no commit wakes the projector
        head = sqlite_engine.recorder.max_notification_id() or 0

        models.wait_for()

        assert models.projector.reached >= head
        assert projecting and set(projecting) == {"qi-projector"}
    finally:
        models.close()
    assert not models.projector.running
