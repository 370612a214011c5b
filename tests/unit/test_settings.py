"""Settings turn QI_* variables into the store eventsourcing opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.application import QIEngine
from engine.settings import Settings


def test_a_postgresql_url_becomes_the_postgres_store() -> None:
    env = Settings(store="postgresql://qi:s%40cret@db.example:5433/qi").eventsourcing_env()
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_USER"]) == ("db.example", "5433", "qi")
    assert (env["POSTGRES_PASSWORD"], env["POSTGRES_DBNAME"]) == ("s@cret", "qi")


def test_a_path_becomes_a_sqlite_store_whose_folder_the_engine_makes(tmp_path: Path) -> None:
    store = tmp_path / "nested" / "qi.sqlite3"
    env = Settings(store=str(store)).eventsourcing_env()
    assert (env["PERSISTENCE_MODULE"], env["SQLITE_DBNAME"]) == ("eventsourcing.sqlite", str(store))
    assert not store.parent.exists()
    QIEngine(Settings(store=str(store))).close()
    assert store.exists()


def test_a_cache_size_of_zero_means_no_cache() -> None:
    assert "AGGREGATE_CACHE_MAXSIZE" not in Settings(store="x/qi.sqlite3", cache_size=0).eventsourcing_env()
    assert Settings(store="x/qi.sqlite3").eventsourcing_env()["AGGREGATE_CACHE_MAXSIZE"] == "1000"


def test_settings_are_read_from_qi_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QI_STORE", "postgresql://postgres@127.0.0.1/qi")
    monkeypatch.setenv("QI_SNAPSHOT_INTERVAL", "50")
    settings = Settings()
    assert settings.uses_postgres and settings.snapshot_interval == 50
