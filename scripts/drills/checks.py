"""The comparisons every drill ends with: what clients were told against the event
store, the read models against a full rebuild, and Kafka against the store."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import orjson

from engine.application import QIEngine
from engine.feed import FeedEvent, read_feed
from engine.read_models import ReadModels
from scripts.drills.load import Ledger
from scripts.drills.report import DrillReport

ACCEPTED = "aggregates.idempotency:CommandAccepted"
PAGE = 1000


def stored_commands(engine: QIEngine) -> tuple[Counter[str], Counter[str]]:
    """Per command id: how many events carry it, and how many records accepted it."""
    events: Counter[str] = Counter()
    accepted: Counter[str] = Counter()
    position = 0
    while page := engine.recorder.select_notifications(position, PAGE, inclusive_of_start=False):
        for n in page:
            command_id = orjson.loads(n.state).get("command_id")
            if command_id:
                events[command_id] += 1
                accepted[command_id] += n.topic == ACCEPTED
        position = page[-1].id
    return events, accepted


def check_acknowledged(report: DrillReport, engine: QIEngine, ledger: Ledger) -> None:
    """Every 2xx write is in the store exactly once, with the events it reported; nothing
    any client sent was accepted twice."""
    events, accepted = stored_commands(engine)
    report.count("writes acknowledged", len(ledger.acknowledged))
    found = [k for k in ledger.acknowledged if accepted[k] == 1]
    report.count("writes found", len(found))
    missing = [k for k in ledger.acknowledged if accepted[k] == 0]
    report.check(not missing, f"{len(missing)} acknowledged writes are not in the store, e.g. {missing[:3]}")
    twice = {k: n for k, n in accepted.items() if n > 1 and k in ledger.sent}
    report.count("duplicates", sum(n - 1 for n in twice.values()))
    report.check(not twice, f"{len(twice)} writes were accepted more than once, e.g. {list(twice)[:3]}")
    wrong = [k for k in found if events[k] != len(ledger.acknowledged[k]) + 1]
    report.check(not wrong, f"{len(wrong)} writes stored other events than they reported, e.g. {wrong[:3]}")
    unacknowledged = [k for k in ledger.sent if accepted[k] and k not in ledger.acknowledged]
    report.count("writes stored but never acknowledged", len(unacknowledged))


def check_answers(report: DrillReport, ledger: Ledger, allow_unavailable: bool = False) -> None:
    """Conflicts were clear problem+json answers the clients retried; no other error."""
    report.count("conflicts (409)", ledger.statuses[409])
    report.count("stale versions (412)", ledger.statuses[412])
    report.count("requests answered", sum(ledger.statuses.values()))
    report.count("retries", ledger.retries)
    report.count("5xx seen", ledger.server_errors)
    report.count("slowest answer (ms)", round(ledger.slowest * 1000))
    report.check(
        not ledger.unclear, f"{len(ledger.unclear)} retryable answers were unclear: {ledger.unclear[:2]}"
    )
    report.check(
        not ledger.unexpected, f"{len(ledger.unexpected)} unexpected answers: {ledger.unexpected[:3]}"
    )
    report.check(not ledger.gave_up, f"{ledger.gave_up} writes were never answered")
    other = ledger.server_errors - (ledger.unavailable if allow_unavailable else 0)
    report.check(other == 0, f"{other} answers were 5xx ({dict(ledger.statuses)})")


def read_model_rows(models: ReadModels) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every read-model table, sorted, so two states compare exactly."""
    tables = [t for p in models.runner.projections.values() for t in p.tables]
    with models.store.transaction() as tx:
        return {t: sorted(tx.fetchall(f"SELECT * FROM {t}"), key=repr) for t in tables}


def check_rebuild(report: DrillReport, models: ReadModels) -> None:
    """The read models as they stand equal a replay of every event from zero."""
    head = models.runner.head()
    behind = {n: models.runner.position(n) for n in models.runner.projections}
    report.check(all(p == head for p in behind.values()), f"read models are not at the head {head}: {behind}")
    before = read_model_rows(models)
    for name in models.runner.projections:
        models.runner.rebuild(name)
    after = read_model_rows(models)
    report.count("read-model rows compared", sum(len(rows) for rows in after.values()))
    for table in sorted(after):
        extra = Counter(map(repr, before[table])) - Counter(map(repr, after[table]))
        lacking = Counter(map(repr, after[table])) - Counter(map(repr, before[table]))
        if extra or lacking:
            example = next(iter(extra or lacking))[:200]
            report.check(
                False,
                f"read model {table} differs from its rebuild: {sum(extra.values())} rows too many "
                f"or changed, {sum(lacking.values())} missing; e.g. {example}",
            )


def wait_for_projections(models: ReadModels, timeout: float) -> bool:
    """Wait until every projection's position reaches the head of the log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        head = models.runner.head()
        if all(models.runner.position(n) >= head for n in models.runner.projections):
            return True
        time.sleep(0.2)
    return False


def stored_events(engine: QIEngine, after: int = 0) -> list[FeedEvent]:
    events: list[FeedEvent] = []
    while page := read_feed(engine, events[-1].position if events else after, PAGE):
        events += page
    return events


def read_topic(bootstrap: str, topic: str, at_least: int, timeout: float = 60.0) -> list[Any]:
    """Every record on the topic by partition and offset, once `at_least` arrived (or the
    timeout passed). Partitions are assigned directly: a group join is slow on Tansu."""
    from kafka import KafkaConsumer, TopicPartition  # type: ignore[import-untyped]

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        deadline = time.monotonic() + timeout
        while not (partitions := consumer.partitions_for_topic(topic)):
            if time.monotonic() > deadline:
                return []
            time.sleep(0.1)
        consumer.assign([TopicPartition(topic, p) for p in sorted(partitions)])
        consumer.seek_to_beginning()
        records: list[Any] = []
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            polled = [r for batch in consumer.poll(timeout_ms=200).values() for r in batch]
            records += polled
            if polled:
                quiet_since = time.monotonic()
            elif len(records) >= at_least and time.monotonic() - quiet_since > 0.5:
                break
        return sorted(records, key=lambda r: (r.partition, r.offset))
    finally:
        consumer.close()


def ce_id(record: Any) -> str:
    return dict(record.headers)["ce_id"].decode()


def check_kafka(
    report: DrillReport, expected: list[FeedEvent], records: Iterable[Any], stored: set[str]
) -> None:
    """Kafka holds every expected event, in store order per key, and nothing the store does
    not hold: deduplicated by ce_id it is the store; any copy is one at-least-once allows."""
    records = list(records)
    want = {e.id for e in expected}
    seen: dict[str, list[str]] = defaultdict(list)
    first: set[str] = set()
    for record in records:
        event_id = ce_id(record)
        if event_id not in first:
            first.add(event_id)
            seen[record.key.decode()].append(event_id)
    report.count("events expected on Kafka", len(want))
    report.count("events found on Kafka", len(want & first))
    report.count("Kafka duplicates (at least once)", len(records) - len(first))
    missing = want - first
    report.check(not missing, f"{len(missing)} events never reached Kafka, e.g. {sorted(missing)[:3]}")
    unknown = first - stored
    report.check(
        not unknown, f"Kafka holds {len(unknown)} events the store does not, e.g. {sorted(unknown)[:3]}"
    )
    order: dict[str, list[str]] = defaultdict(list)
    for event in expected:
        order[event.partitionkey].append(event.id)
    disordered = [key for key, ids in order.items() if [i for i in seen.get(key, []) if i in want] != ids]
    report.check(
        not disordered, f"Kafka holds {len(disordered)} keys out of store order, e.g. {disordered[:2]}"
    )
