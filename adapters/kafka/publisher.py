"""The relay's Kafka publisher: sends a page of feed events to the events topic and
returns only once the broker acknowledged every record of it."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.kafka.producer import Producer, ProducerFactory, producer_factory
from adapters.kafka.records import kafka_headers, kafka_key, kafka_value
from engine.feed import FeedEvent
from engine.settings import Settings


class KafkaPublisher:
    """The engine's relay `Publisher` on Kafka: one producer, made on the first page and
    made afresh after `close` (a failed one may hold expired batches or a fenced id)."""

    def __init__(self, settings: Settings, factory: ProducerFactory | None = None) -> None:
        self.topic = settings.kafka_topic
        self.timeout = settings.kafka_send_timeout
        self._factory = factory or producer_factory(settings)
        self._producer: Producer | None = None

    def publish(self, events: Sequence[FeedEvent]) -> None:
        producer = self._producer = self._producer or self._factory()
        futures = [
            producer.send(self.topic, value=kafka_value(e), key=kafka_key(e), headers=kafka_headers(e))
            for e in events
        ]
        producer.flush(timeout=self.timeout + 1)
        for future in futures:
            future.get(timeout=0)  # raises the broker's error for any record not acknowledged

    def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.close(timeout=0)
