"""The relay runner without a broker: it hands pages of feed events to whatever
publisher it is given, records a page's position only once the publisher returned,
and after a failure closes the publisher and sends the same page again. Without
Kafka configured, the Kafka edge builds no relay and no digest publisher."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from adapters.kafka import digest_publisher_for, relay_for, start_relay
from engine.application import QIEngine
from engine.feed import FeedEvent, read_feed
from engine.relay import Relay
from engine.settings import Settings
from tests.conftest import Clock
from tests.store.lifecycle import Lifecycle


class Recorded:
    """A publisher that keeps the pages it was given and can be told to fail the next ones."""

    def __init__(self, failing: int = 0) -> None:
        self.pages: list[list[str]] = []
        self.failing = failing
        self.closed = 0

    def publish(self, events: Sequence[FeedEvent]) -> None:
        if self.failing:
            self.failing -= 1
            raise ConnectionError("broker unreachable")
        self.pages.append([e.id for e in events])

    def close(self) -> None:
        self.closed += 1


def _engine(tmp_path: Path, clock: Clock, **settings: Any) -> QIEngine:
    engine = QIEngine(Settings(store=str(tmp_path / "qi.sqlite3"), **settings), clock)
    Lifecycle(engine, clock).create()
    return engine


def test_the_relay_hands_every_event_in_log_order_to_its_publisher_in_pages_and_records_the_position(
    tmp_path: Path, clock: Clock
) -> None:
    engine = _engine(tmp_path, clock, relay_batch=2)
    stored = read_feed(engine, 0, 1000)
    publisher = Recorded()
    relay = Relay(engine, publisher)
    assert relay.catch_up() == len(stored)
    assert [i for page in publisher.pages for i in page] == [e.id for e in stored]
    assert max(len(page) for page in publisher.pages) == 2
    assert relay.status().position == stored[-1].position and relay.status().lag == 0
    relay.close()
    engine.close()


def test_a_failing_publisher_is_closed_and_the_same_page_sent_again_from_the_recorded_position(
    tmp_path: Path, clock: Clock
) -> None:
    engine = _engine(tmp_path, clock, relay_batch=1000, relay_backoff_max=0.01)
    stored = read_feed(engine, 0, 1000)
    publisher = Recorded(failing=2)
    relay = Relay(engine, publisher)
    stop = threading.Event()
    follower = threading.Thread(target=relay.follow, args=(stop, 0.01), daemon=True)
    follower.start()
    for _ in range(500):
        if publisher.pages:
            break
        stop.wait(0.01)
    stop.set()
    follower.join(timeout=5)
    assert publisher.pages == [[e.id for e in stored]]
    assert publisher.closed == 2 and relay.failures == 0
    assert relay.last_error == "ConnectionError: broker unreachable"
    assert relay.status().position == stored[-1].position
    relay.close()
    engine.close()


def test_without_kafka_configured_there_is_no_relay_no_relay_thread_and_no_digest_publisher(
    tmp_path: Path, clock: Clock
) -> None:
    engine = _engine(tmp_path, clock, relay="inprocess")
    assert relay_for(engine) is None
    assert start_relay(engine) is None
    assert digest_publisher_for(engine.settings) is None
    engine.close()


def test_with_kafka_configured_the_relay_starts_in_process_only_when_qi_relay_says_so(
    tmp_path: Path, clock: Clock
) -> None:
    engine = _engine(tmp_path, clock, kafka_bootstrap="127.0.0.1:9", relay="off")
    assert start_relay(engine) is None
    relay = relay_for(engine)
    assert relay is not None and relay.status().position == 0  # built, but nothing sent yet
    relay.close()
    assert digest_publisher_for(engine.settings) is not None
    engine.close()
