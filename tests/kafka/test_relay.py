"""The Kafka relay against a real broker: every event once, in store order per
collaborative, with CloudEvents headers; nothing lost across a broker outage;
a crash between sending and recording re-sends rather than skips."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import orjson
import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary
from cloudevents.core.formats.json import JSONFormat

from adapters.contracts import asyncapi, event_schema
from adapters.kafka.consumer import Deduplicator
from adapters.kafka.publisher import KafkaPublisher
from adapters.kafka.records import rfc3339
from aggregates.base import Actor, Role
from aggregates.participant import PersonDetails
from aggregates.phases import Phase
from engine.application import QIEngine
from engine.relay import Relay
from tests.api.conftest import issue
from tests.conftest import Clock
from tests.kafka.conftest import (
    Broker,
    expected_by_key,
    headers_of,
    ids_by_key,
    read_topic,
    relay_settings,
    stored_events,
)
from tests.store.lifecycle import Lifecycle


def _relay(engine: QIEngine) -> Relay:
    return Relay(engine, KafkaPublisher(engine.settings))


@pytest.fixture
def following(kafka_engine: QIEngine) -> Iterator[Callable[[QIEngine], Relay]]:
    """Starts relays that follow the log in a thread until the test ends."""
    started: list[tuple[Relay, threading.Event, threading.Thread]] = []

    def start(engine: QIEngine) -> Relay:
        relay, stop = _relay(engine), threading.Event()
        thread = threading.Thread(target=relay.run, args=(stop, 0.05), daemon=True)
        thread.start()
        started.append((relay, stop, thread))
        return relay

    yield start
    for _, stop, thread in started:
        stop.set()
        thread.join(timeout=15)


@pytest.mark.parametrize(
    ("moment", "spelled"),
    [
        (datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC), "2024-01-02T03:04:05.123456Z"),
        (datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), "2024-01-02T03:04:05Z"),
        (datetime(2024, 1, 2, 3, 4, 5, 7), "2024-01-02T03:04:05.000007Z"),
        (datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))), "2024-01-02T01:04:05Z"),
        (datetime(2024, 1, 2, 23, 4, 5, tzinfo=timezone(timedelta(hours=-5))), "2024-01-03T04:04:05Z"),
    ],
)
def test_ce_time_is_the_moment_in_utc_with_a_z_and_naive_times_count_as_utc(
    moment: datetime, spelled: str
) -> None:
    assert rfc3339(moment) == spelled


def _wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_every_stored_event_arrives_once_in_store_order_per_key_with_cloudevents_headers(
    kafka_engine: QIEngine, clock: Clock, kafka_bootstrap: str
) -> None:
    Lifecycle(kafka_engine, clock).through_every_phase()
    issue(kafka_engine, Role.SUBSCRIBER, "downstream")
    stored = stored_events(kafka_engine)
    relay = _relay(kafka_engine)
    assert relay.catch_up() == len(stored)
    records = read_topic(kafka_bootstrap, kafka_engine.settings.kafka_topic, len(stored))
    assert sorted(headers_of(r)["ce_id"] for r in records) == sorted(e.id for e in stored)
    assert ids_by_key(records) == expected_by_key(stored)
    assert relay.status().position == stored[-1].position and relay.status().lag == 0
    relay.close()


def test_each_record_carries_the_cloudevents_headers_and_the_event_as_json(
    kafka_engine: QIEngine, clock: Clock, kafka_bootstrap: str
) -> None:
    Lifecycle(kafka_engine, clock).create()
    stored = {e.id: e for e in stored_events(kafka_engine)}
    relay = _relay(kafka_engine)
    relay.catch_up()
    relay.close()
    document = asyncapi(kafka_engine.settings)
    for record in read_topic(kafka_bootstrap, kafka_engine.settings.kafka_topic, len(stored)):
        headers = headers_of(record)
        event = stored[headers["ce_id"]]
        name = event.type.removeprefix("org.qi.")
        headers_schema = document["components"]["messages"][name]["headers"]
        jsonschema.validate(headers, {**headers_schema, "components": document["components"]})
        assert headers == {
            "ce_specversion": "1.0",
            "ce_id": f"{event.subject}:{event.data['originator_version']}",
            "ce_source": "urn:qi-engine:events",
            "ce_type": event.type,
            "ce_time": event.data["timestamp"].replace("+00:00", "Z"),
            "ce_subject": event.subject,
            "ce_dataschema": f"urn:qi-engine:schemas:events#/$defs/{name}",
            "ce_position": str(event.position),
            "content-type": "application/json",
        }
        assert record.key.decode() == str(event.data["collaborative_id"] or event.subject)
        assert orjson.loads(record.value) == event.data
        jsonschema.validate(event.data, event_schema(name))


def test_the_cloudevents_sdk_reads_each_record_with_its_dataschema_and_the_feeds_position(
    tmp_path: Path, clock: Clock, kafka_bootstrap: str, topic: str
) -> None:
    settings = relay_settings(
        tmp_path / "qi.sqlite3", kafka_bootstrap, topic, public_url="https://qi.example.org"
    )
    engine = QIEngine(settings, clock)
    Lifecycle(engine, clock).create()
    fed = {e.id: e for e in stored_events(engine)}  # as the HTTP feed shows them
    relay = _relay(engine)
    relay.catch_up()
    relay.close()
    records = read_topic(kafka_bootstrap, topic, len(fed))
    engine.close()
    for record in records:
        message = KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value)
        event = from_binary(message, JSONFormat())
        same = fed[event.get_id()]
        assert event.get_source() == "urn:qi-engine:events" and event.get_type() == same.type
        assert event.get_dataschema() == same.dataschema
        assert event.get_dataschema() == f"https://qi.example.org/schemas/events#/$defs/{same.type[7:]}"
        assert int(event.get_extension("position")) == same.position
        assert event.get_extension("partitionkey") == same.partitionkey and event.get_data() == same.data
    assert len(records) == len(fed)


def test_a_broker_outage_delays_events_but_loses_none(
    tmp_path: Path, clock: Clock, private_broker: Broker, following: Callable[[QIEngine], Relay]
) -> None:
    settings = relay_settings(tmp_path / "qi.sqlite3", private_broker.bootstrap, "qi.events")
    engine = QIEngine(settings, clock)
    flow = Lifecycle(engine, clock)
    flow.create()
    relay = following(engine)
    _wait_for(lambda: relay.status().lag == 0)
    before = {e.id for e in stored_events(engine)}
    private_broker.stop()
    flow.advance(Phase.REGISTRATION)
    flow.register_teams()
    _wait_for(lambda: relay.failures >= 2)
    assert relay.status().lag > 0  # reported, and waiting
    private_broker.start()  # a new, empty broker on the same address
    _wait_for(lambda: relay.status().lag == 0)
    stored = stored_events(engine)
    meanwhile = [e for e in stored if e.id not in before]
    records = read_topic(private_broker.bootstrap, "qi.events", len(meanwhile))
    received = {headers_of(r)["ce_id"] for r in records}
    assert {e.id for e in meanwhile} <= received
    assert ids_by_key(records) == expected_by_key([e for e in stored if e.id in received])
    engine.close()


def test_a_relay_killed_after_sending_but_before_recording_sends_again(
    kafka_engine: QIEngine, clock: Clock, kafka_bootstrap: str
) -> None:
    Lifecycle(kafka_engine, clock).create()
    stored = stored_events(kafka_engine)
    crashing = _relay(kafka_engine)

    def killed(position: int) -> None:
        raise SystemExit("killed after the broker acknowledged, before the position was saved")

    crashing._record = killed  # type: ignore[method-assign]
    with pytest.raises(SystemExit):
        crashing.run_batch()
    crashing.close()
    successor = _relay(kafka_engine)
    assert successor.status().position == 0
    assert successor.catch_up() == len(stored)
    successor.close()
    records = read_topic(kafka_bootstrap, kafka_engine.settings.kafka_topic, 2 * len(stored))
    ids = [headers_of(r)["ce_id"] for r in records]
    assert len(ids) == 2 * len(stored) and set(ids) == {e.id for e in stored}
    dedup = Deduplicator()
    assert [i for i in ids if dedup.first_time(i)] == [e.id for e in stored]  # one partition: one key


def test_an_unreachable_broker_leaves_the_position_where_it_was(tmp_path: Path, clock: Clock) -> None:
    from tests.kafka.conftest import free_port

    settings = relay_settings(tmp_path / "qi.sqlite3", f"127.0.0.1:{free_port()}", "qi.events")
    engine = QIEngine(settings, clock)
    Lifecycle(engine, clock).create()
    relay = _relay(engine)
    with pytest.raises(Exception, match=r"(?i)kafka|broker|timeout|bootstrap"):
        relay.run_batch()
    assert relay.status().position == 0 and relay.status().lag == engine.recorder.max_notification_id()
    relay.close()
    engine.close()


def test_only_one_relay_per_topic_is_active_and_a_standby_takes_over(kafka_engine: QIEngine) -> None:
    first, second = _relay(kafka_engine), _relay(kafka_engine)
    stop = threading.Event()
    assert first.acquire(stop)
    assert not second.lock.try_acquire()
    first.close()
    assert second.acquire(stop)
    second.close()


@pytest.mark.postgres
def test_on_postgresql_the_relay_keeps_its_position_and_lock_in_the_database(
    postgres_engine: QIEngine, postgres_url: str, clock: Clock, kafka_bootstrap: str, topic: str
) -> None:
    engine = QIEngine(relay_settings(postgres_url, kafka_bootstrap, topic), clock)
    Lifecycle(engine, clock).create()
    first, second = _relay(engine), _relay(engine)
    assert first.lock.try_acquire() and not second.lock.try_acquire()
    sent = first.catch_up()
    first.close()
    assert second.lock.try_acquire()
    assert second.status().position == engine.recorder.max_notification_id() and second.catch_up() == 0
    second.close()
    assert len(read_topic(kafka_bootstrap, topic, sent)) == sent
    engine.close()


def test_the_api_relays_in_process_when_configured(
    tmp_path: Path, clock: Clock, kafka_bootstrap: str, topic: str
) -> None:
    from fastapi.testclient import TestClient

    from adapters.app import create_app

    engine = QIEngine(relay_settings(tmp_path / "qi.sqlite3", kafka_bootstrap, topic, relay="inprocess"))
    token = issue(engine, Role.STAFF, "ann")
    with TestClient(create_app(engine)) as client:
        created = client.post(
            "/collaboratives", json={"title": "Live"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert created.status_code == 201, created.text
        records = read_topic(kafka_bootstrap, topic, len(stored_events(engine)))
    types = [headers_of(r)["ce_type"] for r in records]
    assert "org.qi.CollaborativeCreated" in types and "org.qi.TokenIssued" in types
    engine.close()


def test_qi_relay_once_delivers_what_is_stored_and_reports_it(
    kafka_engine: QIEngine, clock: Clock, kafka_bootstrap: str
) -> None:
    Lifecycle(kafka_engine, clock).create()
    settings = kafka_engine.settings
    env = os.environ | {
        "QI_STORE": settings.store,
        "QI_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "QI_KAFKA_TOPIC": settings.kafka_topic,
    }
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "relay", "--once"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    count = len(stored_events(kafka_engine))
    assert f"relayed {count} events" in done.stdout and "0 waiting" in done.stdout
    assert len(read_topic(kafka_bootstrap, settings.kafka_topic, count)) == count


def test_personal_data_reaches_the_topic_sealed_and_nothing_of_an_erased_person_opens_from_it(
    kafka_engine: QIEngine, clock: Clock, kafka_bootstrap: str
) -> None:
    from engine.commands.activity import ErasePerson, RegisterParticipant
    from tests.privacy.test_erasure import PERSON, SEALED, _hits

    actor = kafka_engine.context(Actor(id="ann", role=Role.STAFF))
    details = PersonDetails.model_validate(PERSON)
    person = kafka_engine.execute(RegisterParticipant(details=details), actor).id
    stored = stored_events(kafka_engine)
    relay = _relay(kafka_engine)
    relay.catch_up()
    relay.close()
    topic = "\n".join(
        r.value.decode() for r in read_topic(kafka_bootstrap, kafka_engine.settings.kafka_topic, len(stored))
    )
    assert _hits(topic) == set()
    sealed = SEALED.findall(topic)
    assert sealed, "the topic carries the sealed values"

    kafka_engine.execute(
        ErasePerson(participant_id=person, reason="asked"), kafka_engine.context(actor.actor)
    )

    opened = [kafka_engine.sealer.open({"sealed": box, "key": key})[0] for box, key in sealed]
    assert not any(opened) and _hits(topic) == set()
