"""Recorded audit digests on both stores: each continues the chain from the last one,
equals the chain recomputed from the first event, is recorded only when the head moved,
and goes to Kafka as a CloudEvent."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.kafka.digests import CE_TYPE, DigestPublisher
from aggregates.base import Actor, Role
from aggregates.tokens import Grant
from engine.application import QIEngine
from engine.audit_anchor import DigestRecorder, record_digest
from engine.audit_digest import check_store, head_of
from engine.audit_key import SigningKey, generate_pem, signing_key
from engine.leader_locks import FileLock
from engine.read_models import ReadModels
from tests.store.backends import OnPostgreSQL, OnSQLite


class SentRecord:
    def get(self, timeout: float | None = None) -> None:
        return None


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send(self, topic: str, value: bytes, key: bytes, headers: list[tuple[str, bytes]]) -> SentRecord:
        self.sent.append({"topic": topic, "value": value, "key": key, "headers": dict(headers)})
        return SentRecord()

    def flush(self, timeout: float | None = None) -> None: ...

    def close(self, timeout: float | None = None) -> None: ...


def _write(engine: QIEngine, n: int) -> None:
    ctx = engine.context(Actor(id="setup", role=Role.SYSTEM))
    for i in range(n):
        engine.issue_token(Grant(name=f"t{i}", role=Role.AUDITOR), ctx)


@pytest.fixture
def key() -> SigningKey:
    return signing_key(generate_pem())


class AuditDigests:
    def test_a_digest_continues_from_the_last_and_equals_the_chain_from_the_first_event(
        self, engine: QIEngine, key: SigningKey
    ) -> None:
        models = ReadModels(engine)
        digests = models.digests
        _write(engine, 4)
        first = record_digest(engine, digests, key)
        assert first is not None and first.position == 4
        assert record_digest(engine, digests, key) is None  # the head did not move
        _write(engine, 3)
        second = record_digest(engine, digests, key)
        assert second is not None and (second.position, second.events) == (7, 7)
        assert second.head == head_of(engine)
        assert check_store(engine, first).ok and check_store(engine, second).ok
        assert digests.count() == 2 and digests.last() == second
        models.close()

    def test_the_recorder_publishes_each_recorded_digest_once_as_a_cloudevent(
        self, engine: QIEngine, key: SigningKey, tmp_path: Any
    ) -> None:
        producer = FakeProducer()
        publisher = DigestPublisher(engine.settings, factory=lambda: producer)
        recorder = DigestRecorder(engine, key, publisher, FileLock(str(tmp_path / "digests.lock")))
        _write(engine, 2)
        digest = recorder.tick()
        assert recorder.tick() is None
        assert digest is not None and len(producer.sent) == 1
        (record,) = producer.sent
        assert record["topic"] == engine.settings.audit_digest_topic
        assert record["headers"]["ce_type"] == CE_TYPE.encode()
        assert record["headers"]["ce_id"] == f"audit-digest:{key.verifying.id}:2".encode()
        assert record["value"] == digest.model_dump_json().encode()
        recorder.close()


class TestAuditDigestsOnSQLite(OnSQLite, AuditDigests):
    pass


class TestAuditDigestsOnPostgreSQL(OnPostgreSQL, AuditDigests):
    pass
