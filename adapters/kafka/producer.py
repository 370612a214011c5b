"""The kafka-python producer, set up once for every sender here (the relay and the
audit digests): acknowledged by every replica, one request in flight, batches sized
for the relay's pages; and the topic created on first connect.

kafka-python is imported when a client is made, not with this module: an API that
never sends to Kafka does not pay for loading it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from engine.settings import Settings


class Producer(Protocol):
    """The part of kafka-python's KafkaProducer we use (a test may stand in for it)."""

    def send(self, topic: str, value: bytes, key: bytes, headers: list[tuple[str, bytes]]) -> Any: ...
    def flush(self, timeout: float | None = None) -> None: ...
    def close(self, timeout: float | None = None) -> None: ...


ProducerFactory = Callable[[], Producer]


def producer_factory(settings: Settings) -> ProducerFactory:
    """Makes producers for `settings`; no client exists until a sender asks for one."""

    def create() -> Producer:
        from kafka import KafkaProducer  # type: ignore[import-untyped]

        ensure_topic(settings)
        timeout_ms = int(settings.kafka_send_timeout * 1000)
        producer: Producer = KafkaProducer(
            **client_config(settings),
            acks="all",
            # Idempotence stays at kafka-python's default: on where the broker supports it,
            # quietly off where it does not. One request in flight means a retried batch
            # can never overtake the next one, with or without idempotence.
            max_in_flight_requests_per_connection=1,
            linger_ms=5,
            # Room for a whole relay batch per partition: kafka-python wakes its sender
            # (a socket write) whenever a record batch fills, which at the 16 KiB default
            # happened every few events and capped the relay near 2,500 events/s.
            batch_size=1024 * 1024,
            max_request_size=4 * 1024 * 1024,
            delivery_timeout_ms=timeout_ms + 10,
            max_block_ms=timeout_ms,
        )
        return producer

    return create


def ensure_topic(settings: Settings) -> None:
    """Create the topic with the configured partitions unless it exists."""
    from kafka.admin import KafkaAdminClient, NewTopic  # type: ignore[import-untyped]
    from kafka.errors import TopicAlreadyExistsError  # type: ignore[import-untyped]

    admin = KafkaAdminClient(**client_config(settings))
    try:
        if settings.kafka_topic not in admin.list_topics():
            topic = NewTopic(settings.kafka_topic, settings.kafka_partitions, settings.kafka_replication)
            admin.create_topics([topic])
    except TopicAlreadyExistsError:
        pass  # another relay created it a moment ago
    finally:
        admin.close()


def client_config(settings: Settings) -> dict[str, Any]:
    """What every client here shares: the brokers, the timeouts, quick reconnects."""
    assert settings.kafka_bootstrap, "Kafka is off: set QI_KAFKA_BOOTSTRAP"
    timeout_ms = int(settings.kafka_send_timeout * 1000)
    return {
        "bootstrap_servers": [s.strip() for s in settings.kafka_bootstrap.split(",") if s.strip()],
        "client_id": "qi-relay",
        "request_timeout_ms": timeout_ms,
        "bootstrap_timeout_ms": timeout_ms,
        # The relay paces its own retries; the client should reconnect as soon as it is asked.
        "reconnect_backoff_max_ms": 1000,
    }
