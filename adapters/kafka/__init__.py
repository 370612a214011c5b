"""The Kafka edge: the producer set-up (producer.py), how a feed event becomes a record
(records.py), the relay's and the digests' publishers (publisher.py, digests.py), the
example consumer (consumer.py), and the pieces put together for an engine (wiring.py)."""

from adapters.kafka.wiring import digest_publisher_for, relay_for, start_relay

__all__ = ["digest_publisher_for", "relay_for", "start_relay"]
