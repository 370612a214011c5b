"""The app gives back what it opened when it shuts down."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from adapters.http.app import app_from_settings, create_app
from engine.application import QIEngine


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
