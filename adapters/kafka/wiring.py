"""The Kafka edge put together for an engine: its relay, the in-process relay thread,
and the digests' publisher; each None when Kafka (or that use of it) is off."""

from __future__ import annotations

from collections.abc import Callable

from adapters.kafka.digests import DigestPublisher
from adapters.kafka.publisher import KafkaPublisher
from engine.application import QIEngine
from engine.relay import Relay, run_in_thread
from engine.settings import Settings


def relay_for(engine: QIEngine) -> Relay | None:
    """The relay of `engine`'s log to QI_KAFKA_TOPIC, when QI_KAFKA_BOOTSTRAP is set."""
    if not engine.settings.kafka_bootstrap:
        return None
    return Relay(engine, KafkaPublisher(engine.settings))


def start_relay(engine: QIEngine) -> Callable[[], None] | None:
    """Start the relay in a thread of this process when Kafka is configured and QI_RELAY=inprocess;
    returns the function that stops it."""
    if engine.settings.relay != "inprocess":
        return None
    relay = relay_for(engine)
    return None if relay is None else run_in_thread(relay)


def digest_publisher_for(settings: Settings) -> DigestPublisher | None:
    """Where the digest recorder sends digests, when QI_KAFKA_BOOTSTRAP is set."""
    return DigestPublisher(settings) if settings.kafka_bootstrap else None
