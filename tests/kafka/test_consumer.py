"""The example consumer (`qi consume`): it joins a consumer group, reads every
event, and hides the duplicates an at-least-once relay may send.

The only consumer-group test: a group join takes 10-25 s on the test broker."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from adapters.kafka.publisher import KafkaPublisher
from engine.application import QIEngine
from engine.relay import Relay
from tests.conftest import Clock
from tests.kafka.conftest import stored_events
from tests.store.lifecycle import Lifecycle


def test_qi_consume_prints_each_event_once_though_a_crashed_relay_sent_it_twice(
    kafka_engine: QIEngine, clock: Clock, kafka_bootstrap: str
) -> None:
    flow = Lifecycle(kafka_engine, clock)
    flow.create()
    crashed = Relay(kafka_engine, KafkaPublisher(kafka_engine.settings))
    crashed._record = _killed  # type: ignore[method-assign]
    with pytest.raises(SystemExit):
        crashed.catch_up()
    crashed.close()
    successor = Relay(kafka_engine, KafkaPublisher(kafka_engine.settings))
    successor.catch_up()  # sends the first batch again, then the rest
    successor.close()
    stored = stored_events(kafka_engine)
    env = os.environ | {
        "QI_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "QI_KAFKA_TOPIC": kafka_engine.settings.kafka_topic,
    }
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "consume", "--group", "example", "--stop-when-idle", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()  # one collaborative: one key, one partition, store order
    assert [line.rsplit("id=", 1)[1] for line in printed] == [e.id for e in stored]
    assert f"{len(stored)} events, {len(stored)} duplicates hidden" in done.stderr


def _killed(position: int) -> None:
    raise SystemExit("killed after the broker acknowledged, before the position was saved")
