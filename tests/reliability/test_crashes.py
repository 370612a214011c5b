"""Crashes: kill -9 of the API, a projection worker and the relay while clients
write loses nothing acknowledged, double-counts nothing, and Kafka holds every
event; and the Kafka comparison does catch a lost, unknown or reordered event."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from engine.feed import FeedEvent
from scripts.drills.checks import check_kafka
from scripts.drills.crashes import crashes
from scripts.drills.report import DrillReport
from tests.reliability.conftest import drill


@pytest.mark.slow
def test_twelve_kills_of_api_worker_and_relay_lose_nothing_and_double_count_nothing(
    broker_bootstrap: str,
) -> None:
    report = drill(crashes, "sqlite", kills=12, clients=4, bootstrap=broker_bootstrap, seed=10)
    counts = report.counts
    assert counts["crashes survived"] == 12
    assert all(counts[f"kills: qi {name}"] == 4 for name in ("serve", "project", "relay"))
    assert counts["writes acknowledged"] > 100 and counts["writes found"] == counts["writes acknowledged"]
    assert counts["events found on Kafka"] == counts["events expected on Kafka"] > counts["writes found"]


@dataclass
class Record:
    key: bytes
    headers: list[tuple[str, bytes]]


def _events(*ids: tuple[str, str]) -> list[FeedEvent]:
    return [
        FeedEvent.model_construct(id=i, partitionkey=k, position=n) for n, (k, i) in enumerate(ids, start=1)
    ]


def _records(*ids: tuple[str, str]) -> list[Record]:
    return [Record(k.encode(), [("ce_id", i.encode())]) for k, i in ids]


def test_kafka_copies_of_one_event_count_as_duplicates_not_failures() -> None:
    report = DrillReport("check", "")
    stored = _events(("c", "a:1"), ("c", "a:2"))
    check_kafka(report, stored, _records(("c", "a:1"), ("c", "a:2"), ("c", "a:2")), {"a:1", "a:2"})
    assert report.held and report.counts["Kafka duplicates (at least once)"] == 1


def test_kafka_missing_unknown_or_reordered_events_are_named() -> None:
    stored = _events(("c", "a:1"), ("c", "a:2"), ("d", "b:1"))
    ids = {"a:1", "a:2", "b:1"}
    missing, unknown, reordered = DrillReport("check", ""), DrillReport("check", ""), DrillReport("check", "")
    check_kafka(missing, stored, _records(("c", "a:1"), ("c", "a:2")), ids)
    check_kafka(unknown, stored, _records(("c", "a:1"), ("c", "a:2"), ("d", "b:1"), ("d", "x:9")), ids)
    check_kafka(reordered, stored, _records(("c", "a:2"), ("c", "a:1"), ("d", "b:1")), ids)
    assert any("1 events never reached Kafka" in f for f in missing.failures)
    assert any("the store does not" in f for f in unknown.failures)
    assert any("out of store order" in f for f in reordered.failures)
