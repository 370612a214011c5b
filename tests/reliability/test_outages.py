"""Outages: PostgreSQL stopped under load is answered 503 with Retry-After and the
API recovers without a restart; a Kafka outage delays events but the relay delivers
every one written meanwhile. And which store errors count as an outage (503) rather
than a defect (500)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from eventsourcing.persistence import InterfaceError, OperationalError, ProgrammingError
from fastapi.testclient import TestClient

from adapters.app import create_app
from adapters.http.errors import StoreUnavailable, is_outage
from aggregates.base import Role
from engine import store_watch
from engine.application import QIEngine
from engine.settings import Settings
from engine.store_watch import StoreUnreachable, StoreWatch
from scripts.drills.outages import kafka_outage, postgres_outage
from tests.api.conftest import issue
from tests.reliability.conftest import drill


@pytest.mark.slow
@pytest.mark.postgres
def test_postgresql_stopped_under_load_is_answered_503_with_retry_after_and_recovers_without_restart(
    postgres_url: str,
) -> None:
    report = drill(postgres_outage, clients=4, before=2.0, down=16.0, after=8.0)
    assert report.counts["503 answers"] > 0 and report.counts["writes found"] > 0


@pytest.mark.slow
def test_a_kafka_outage_delays_events_and_the_relay_delivers_every_one_written_meanwhile() -> None:
    report = drill(kafka_outage, clients=4, before=2.0, down=8.0)
    assert report.counts["events written while Kafka was down"] > 0
    assert report.counts["events found on Kafka"] == report.counts["events expected on Kafka"]


def _caused(outer: Exception, cause: Exception) -> Exception:
    outer.__cause__ = cause
    return outer


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (_caused(OperationalError("no connection"), psycopg.OperationalError("refused")), True),
        (_caused(InterfaceError("closed"), psycopg.InterfaceError("connection closed")), True),
        (psycopg.OperationalError("couldn't get a connection after 1.00 sec"), True),
        (_caused(OperationalError("locked"), sqlite3.OperationalError("database is locked")), True),
        (StoreUnavailable("down"), True),
        (_caused(OperationalError("no such table"), sqlite3.OperationalError("no such table: x")), False),
        (_caused(InterfaceError("bad binding"), sqlite3.InterfaceError("bad binding")), False),
        (_caused(ProgrammingError("syntax"), psycopg.ProgrammingError("syntax error")), False),
        (RuntimeError("a bug"), False),
    ],
)
def test_only_an_unreachable_or_busy_store_counts_as_an_outage(error: Exception, outage: bool) -> None:
    assert is_outage(error) is outage


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[QIEngine]:
    engine = QIEngine(Settings(store=str(tmp_path / "qi.sqlite3"), retry_after=7))
    yield engine
    engine.close()


def test_an_unreachable_store_is_answered_503_problem_json_with_retry_after(
    engine: QIEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = issue(engine, Role.STAFF, "ann")

    def down(secret: str) -> None:
        raise _caused(OperationalError("server closed the connection"), psycopg.OperationalError("closed"))

    monkeypatch.setattr(engine, "authenticate", down)
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:
        response = client.post(
            "/collaboratives", json={"title": "T"}, headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 503 and response.headers["retry-after"] == "7"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "send the request again" in response.json()["detail"]


def test_a_store_defect_stays_a_500_without_retry_after(
    engine: QIEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = issue(engine, Role.STAFF, "ann")

    def broken(secret: str) -> None:
        raise _caused(
            OperationalError("no such table"), sqlite3.OperationalError("no such table: stored_events")
        )

    monkeypatch.setattr(engine, "authenticate", broken)
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:
        response = client.get("/collaboratives", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500 and "retry-after" not in response.headers


def test_the_store_watch_answers_at_once_while_the_database_is_down_and_opens_when_it_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    watch = StoreWatch("postgresql://postgres@127.0.0.1:1/none")
    watch.check()  # open until something met the outage
    watch.failed()
    probes: list[bool] = []
    monkeypatch.setattr(watch, "answers", lambda: probes.append(True) or len(probes) > 1)
    with pytest.raises(StoreUnreachable):
        watch.check()  # the failure just now was the probe
    watch.probed_at -= store_watch.PROBE_EVERY
    with pytest.raises(StoreUnreachable):
        watch.check()
    with pytest.raises(StoreUnreachable):
        watch.check()  # within PROBE_EVERY: no second probe
    assert len(probes) == 1
    watch.probed_at -= store_watch.PROBE_EVERY
    watch.check()  # the database answers again
    watch.check()
    assert len(probes) == 2


def test_the_http_api_fails_fast_with_503_while_the_store_watch_knows_postgresql_is_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = QIEngine(Settings(store=str(tmp_path / "qi.sqlite3"), retry_after=7))
    engine.watch = StoreWatch("postgresql://postgres@127.0.0.1:1/none")
    monkeypatch.setattr(engine.watch, "answers", lambda: False)
    engine.watch.failed()
    client = TestClient(create_app(engine), raise_server_exceptions=False)
    response = client.get("/collaboratives", headers={"Authorization": "Bearer qi_whatever"})
    assert response.status_code == 503 and response.headers["retry-after"] == "7"
    engine.close()


def test_commands_queued_while_the_store_is_down_fail_with_the_batch_ahead_instead_of_waiting_again() -> None:
    import threading
    import time

    from engine.group_commit import GroupCommitter

    saves: list[int] = []

    def down(*events: object) -> None:
        saves.append(len(events))
        time.sleep(0.3)  # eventsourcing's retries, shortened
        raise OperationalError("couldn't get a connection after 1.00 sec")

    committer = GroupCommitter(down)
    errors: list[BaseException] = []

    def commit(n: int) -> None:
        try:
            committer.commit([n])
        except OperationalError as error:
            errors.append(error)

    first = threading.Thread(target=commit, args=(0,))
    first.start()
    time.sleep(0.05)  # the leader is saving: the others queue behind it
    queued = [threading.Thread(target=commit, args=(n,)) for n in (1, 2)]
    began = time.monotonic()
    for thread in queued:
        thread.start()
    for thread in (first, *queued):
        thread.join()
    assert len(errors) == 3
    assert time.monotonic() - began < 0.4, f"{len(saves)} saves against a store that is down"


@pytest.mark.postgres
def test_commands_waiting_their_turn_fail_at_once_while_postgresql_was_just_found_unreachable(
    postgres_engine: QIEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aggregates.base import Actor
    from engine.commands.collaborative import CreateCollaborative

    engine = postgres_engine
    ctx = engine.context(Actor(id="t", role=Role.STAFF))
    tries: list[int] = []

    def unreachable(*args: object, **kwargs: object) -> None:
        tries.append(1)
        raise OperationalError("couldn't get a connection after 1.00 sec")

    # The database gone: every query the event store sends fails as psycopg's pool does.
    monkeypatch.setattr(engine.recorder, "select_events", unreachable)
    monkeypatch.setattr(engine.recorder, "insert_events", unreachable)
    command = CreateCollaborative.model_validate(
        {
            "title": "C",
            "focus": {
                "focus_area": "Readiness",
                "aim": "Kg",
                "starts_on": "2025-01-01",
                "ends_on": "2025-12-31",
            },
        }
    )
    with pytest.raises(OperationalError):
        engine.execute(command, ctx)
    with pytest.raises(OperationalError, match="did not answer a moment ago"):
        engine.execute(command, ctx)  # no second wait on the store
    assert len(tries) == 1
    engine.watch.probed_at -= store_watch.PROBE_EVERY
    with pytest.raises(OperationalError):
        engine.execute(command, ctx)  # a moment later it tries the store again
    assert len(tries) == 2
