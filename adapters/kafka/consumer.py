"""The example consumer (`qi consume`): joins a consumer group, hands each event to a
handler once, and commits offsets only after handling.

The relay delivers at least once, so a consumer sees an event again after a relay
crash or a broker outage; it deduplicates by `ce_id`, the id every channel shares.
kafka-python is imported when the consumer starts, not with this module.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from engine.settings import Settings


class Deduplicator:
    """Remembers the most recent event ids, so a re-delivered event is seen once.

    Bounded, because a relay re-sends at most a batch or two; a consumer whose
    effects must survive its own restart keeps the ids (or each aggregate's last
    version) with those effects, in one transaction.
    """

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[str, None] = OrderedDict()

    def first_time(self, event_id: str) -> bool:
        if event_id in self._seen:
            self._seen.move_to_end(event_id)
            return False
        self._seen[event_id] = None
        if len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return True


@dataclass(frozen=True)
class Received:
    """A record read back from the topic: its CloudEvents headers, key, place and event."""

    headers: dict[str, str]
    key: str
    partition: int
    offset: int
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return self.headers["ce_id"]


@dataclass
class Consumed:
    received: int = 0
    handled: int = 0

    @property
    def duplicates(self) -> int:
        return self.received - self.handled


def consume(
    settings: Settings,
    group: str,
    handle: Callable[[Received], None],
    stop: threading.Event,
    idle_exit: float | None = None,
) -> Consumed:
    """The example consumer: join `group`, hand each event to `handle` once (deduplicated by
    `ce_id`), commit offsets after handling; stop on `stop`, or after `idle_exit` quiet seconds."""
    from kafka import KafkaConsumer  # type: ignore[import-untyped]

    assert settings.kafka_bootstrap, "Kafka is off: set QI_KAFKA_BOOTSTRAP"
    consumer = KafkaConsumer(
        settings.kafka_topic,
        bootstrap_servers=settings.kafka_bootstrap.split(","),
        group_id=group,
        enable_auto_commit=False,  # committed after handling: a crash re-reads, never skips
        auto_offset_reset="earliest",
    )
    try:
        return _consume_loop(consumer, handle, stop, idle_exit)
    finally:
        consumer.close()


def _consume_loop(
    consumer: Any, handle: Callable[[Received], None], stop: threading.Event, idle_exit: float | None
) -> Consumed:
    dedup, done = Deduplicator(), Consumed()
    last_seen: float | None = None
    while not stop.is_set():
        polled = consumer.poll(timeout_ms=200)
        for record in (r for records in polled.values() for r in records):
            event = received(record)
            done.received += 1
            if dedup.first_time(event.id):
                handle(event)
                done.handled += 1
        if polled:
            consumer.commit()
            last_seen = time.monotonic()
        elif idle_exit is not None and last_seen is not None and time.monotonic() - last_seen > idle_exit:
            break
    return done


def received(record: Any) -> Received:
    """A kafka-python ConsumerRecord as the envelope it carries."""
    return Received(
        headers={name: value.decode() for name, value in record.headers},
        key=record.key.decode(),
        partition=record.partition,
        offset=record.offset,
        data=orjson.loads(record.value),
    )
