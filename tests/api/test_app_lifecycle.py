"""The app gives back what it opened when it shuts down, and its lifespan owns every thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from adapters.app import app_for, app_from_settings, create_app
from adapters.bootstrap import bootstrap
from engine.application import QIEngine
from engine.audit_key import generate_pem
from engine.settings import Settings


def test_shutting_the_app_down_closes_its_read_model_connections(sqlite_engine: QIEngine) -> None:
    app = create_app(sqlite_engine)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        client.get("/collaboratives")  # opens the read-model connection
        assert app.state.read_models.store._sqlite is not None
    assert app.state.read_models.store._sqlite is None


def test_an_app_made_from_settings_serves_and_closes_its_own_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QI_STORE", str(tmp_path / "worker.sqlite3"))
    app = app_from_settings()
    closed: list[bool] = []
    engine = app.state.engine
    original = engine.close
    monkeypatch.setattr(engine, "close", lambda: (closed.append(True), original())[1])
    with TestClient(app) as client:
        assert client.get("/healthz").json()["status"] == "ok"
    assert closed == [True]


def test_the_lifespan_starts_the_projector_relay_digest_recorder_erasure_sweep_reminders_and_outbox_and_leaves_none_running(
    tmp_path: Path,
) -> None:
    settings = Settings(
        store=str(tmp_path / "qi.sqlite3"),
        kafka_bootstrap="127.0.0.1:1",  # never reached: the store holds no event to relay
        kafka_send_timeout=1,
        audit_key=generate_pem(),
        audit_digest_interval=60,
    )
    app = app_for(bootstrap(settings))
    before = _ours()
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        started = [name for name in _ours() if name not in before]
        assert sorted(started) == [
            "qi-audit-digests",
            "qi-erasures",
            "qi-outbox",
            "qi-projector",
            "qi-relay",
            "qi-reminders",
        ]  # once each
    assert _ours() == before


def _ours() -> list[str]:
    """The names of this process's running threads that the runtime starts."""
    return [t.name for t in threading.enumerate() if t.name.startswith("qi-")]
