"""The audit digests' Kafka copy: one record per digest on QI_AUDIT_DIGEST_TOPIC, a
CloudEvent of type `org.qi.AuditDigest` keyed by the signing key's id, so the proof
of the history is held outside the database that holds the history."""

from __future__ import annotations

from adapters.kafka.producer import Producer, ProducerFactory, producer_factory
from engine.audit_digest import AuditDigest
from engine.feed import CONTENT_TYPE, SPECVERSION
from engine.settings import Settings

CE_TYPE = "org.qi.AuditDigest"


class DigestPublisher:
    """The digest recorder's `DigestSink` on Kafka: sends each recorded digest to
    QI_AUDIT_DIGEST_TOPIC (one partition), acknowledged by every replica."""

    def __init__(self, settings: Settings, factory: ProducerFactory | None = None) -> None:
        self.topic = settings.audit_digest_topic
        self.source = settings.event_source
        self.timeout = settings.kafka_send_timeout
        digests_topic = {"kafka_topic": self.topic, "kafka_partitions": 1}
        self._factory = factory or producer_factory(settings.model_copy(update=digests_topic))
        self._producer: Producer | None = None

    def publish(self, digest: AuditDigest) -> None:
        producer = self._producer = self._producer or self._factory()
        future = producer.send(
            self.topic, value=digest.model_dump_json().encode(), key=digest.key_id.encode(),
            headers=_headers(digest, self.source),
        )  # fmt: skip
        producer.flush(timeout=self.timeout + 1)
        future.get(timeout=0)

    def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.close(timeout=0)


def _headers(digest: AuditDigest, source: str) -> list[tuple[str, bytes]]:
    attributes = {
        "ce_specversion": SPECVERSION,
        "ce_id": f"audit-digest:{digest.key_id}:{digest.position}",
        "ce_source": source,
        "ce_type": CE_TYPE,
        "ce_time": digest.at,
        "content-type": CONTENT_TYPE,
    }
    return [(name, value.encode()) for name, value in attributes.items()]
