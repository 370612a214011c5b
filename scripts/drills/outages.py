"""Outages: the database and the Kafka broker go away while clients write.

PostgreSQL (a private cluster: the shared server is never stopped) is stopped and
started under load. Proves: while it is down the API answers 503 with Retry-After
(never another 5xx, never a hang), and it recovers without a restart; everything
acknowledged is stored once and the read models equal a rebuild.

The Kafka broker is stopped for a while (the test broker keeps nothing across its
own restart). Proves: writes keep being acknowledged, and once the broker is back
the relay delivers every event it had not delivered before the outage, which
includes every event written while the broker was down.
"""

from __future__ import annotations

import threading
import time
from uuid import uuid4

from engine.application import QIEngine
from engine.log_position import LogPosition
from engine.read_models import ReadModels
from engine.settings import Settings
from scripts.drills.checks import (
    check_acknowledged,
    check_answers,
    check_kafka,
    check_rebuild,
    read_topic,
    stored_events,
)
from scripts.drills.load import Ledger, hammer, set_up
from scripts.drills.processes import (
    ApiServer,
    Broker,
    Service,
    fresh_store,
    private_postgres,
    wait_until,
    workspace,
)
from scripts.drills.report import DrillReport

POSTGRES_PROVES = (
    "PostgreSQL down under load: 503 + Retry-After, no other 5xx; recovers without a restart; "
    "nothing acknowledged lost"
)
# A request in flight when the database goes away waits out eventsourcing's own retries
# (10 attempts, each up to QI_POSTGRES_CONNECT_TIMEOUT); later ones meet the closed gate.
HANG_LIMIT = 20.0
KAFKA_PROVES = (
    "Kafka down under load: writes go on; the relay catches up and delivers every event written meanwhile"
)


def postgres_outage(
    clients: int = 8, before: float = 3.0, down: float = 5.0, after: float = 5.0
) -> DrillReport:
    report = DrillReport("outage: PostgreSQL", POSTGRES_PROVES, "postgres")
    with (
        workspace("pg-outage", report) as folder,
        private_postgres() as cluster,
        fresh_store("postgres", folder, cluster.url.rsplit("/", 1)[0]) as store,
    ):
        target = set_up(store)
        api = ApiServer({"QI_STORE": store, "QI_PROJECTIONS": "inprocess", "QI_RETRY_AFTER": "1"}, folder)
        ledger = Ledger()
        try:
            api.start().wait_ready()
            stop = threading.Event()
            threads = hammer(api.base, target, ledger, clients, stop)
            time.sleep(before)
            acknowledged_before = len(ledger.acknowledged)
            cluster.stop()
            report.count("seconds down", round(down))
            time.sleep(down)
            unavailable_while_down = ledger.unavailable
            cluster.start()
            back = len(ledger.acknowledged)
            time.sleep(after)
            stop.set()
            for thread in threads:
                thread.join(timeout=120)
            report.check(acknowledged_before > 0, "no write was acknowledged before the outage")
            report.check(unavailable_while_down > 0, "the API never answered 503 while PostgreSQL was down")
            report.check(
                len(ledger.acknowledged) > back, "no write was acknowledged after PostgreSQL came back"
            )
            report.check(api.alive and api.starts == 1, "the API had to be restarted")
            report.check(
                ledger.slowest < HANG_LIMIT,
                f"a request hung for {ledger.slowest:.0f} s before it was answered",
            )
        finally:
            api.stop()
        report.count("503 answers", ledger.unavailable)
        _compare(report, Settings(store=store), ledger)
    return report


def _compare(report: DrillReport, settings: Settings, ledger: Ledger) -> None:
    engine = QIEngine(settings)
    models = ReadModels(engine)
    try:
        check_answers(report, ledger, allow_unavailable=True)
        check_acknowledged(report, engine, ledger)
        models.runner.catch_up()
        check_rebuild(report, models)
    finally:
        models.close()
        engine.close()


def kafka_outage(
    clients: int = 4, before: float = 3.0, down: float = 30.0, after_timeout: float = 60.0
) -> DrillReport:
    """On SQLite: the relay's behaviour does not depend on the store (the crash drill runs both)."""
    report = DrillReport("outage: Kafka", KAFKA_PROVES, "sqlite")
    broker = Broker().start()
    topic = f"qi.drill.{uuid4().hex[:10]}"
    with workspace("kafka-outage", report) as folder, fresh_store("sqlite", folder) as store:
        settings = Settings(store=store, kafka_bootstrap=broker.bootstrap, kafka_topic=topic, relay="off")
        target = set_up(store)
        env = {"QI_STORE": store, "QI_KAFKA_BOOTSTRAP": broker.bootstrap, "QI_KAFKA_TOPIC": topic,
               "QI_RELAY": "off", "QI_KAFKA_SEND_TIMEOUT": "3", "QI_RELAY_BACKOFF_MAX": "2"}  # fmt: skip
        api, relay = ApiServer(env, folder), Service("relay", ["relay", "--interval", "0.1"], env, folder)
        ledger = Ledger()
        engine = QIEngine(settings)
        position = LogPosition.of(settings)
        try:
            api.start()
            relay.start()
            api.wait_ready()
            stop = threading.Event()
            threads = hammer(api.base, target, ledger, clients, stop)
            time.sleep(before)
            broker.stop()
            acknowledged_up = len(ledger.acknowledged)
            head_at_stop = engine.recorder.max_notification_id() or 0
            # A batch the old broker acknowledged just before it stopped may still be moving the
            # position; once it rests, nothing more can move it while the broker is down (and
            # what the old broker held is gone: it comes back empty).
            delivered_before = _resting(position, settle=1.0, longest=min(down, 10.0))
            time.sleep(max(down - 1.0, 0.0))
            written_down = (engine.recorder.max_notification_id() or 0) - head_at_stop
            acknowledged_down = len(ledger.acknowledged) - acknowledged_up
            broker.start()  # empty, on the same address
            time.sleep(1.0)
            stop.set()
            for thread in threads:
                thread.join(timeout=120)
            head = engine.recorder.max_notification_id() or 0
            try:
                wait_until(lambda: position.get() >= head, after_timeout, "the relay to catch up")
            except TimeoutError:
                report.check(False, f"the relay did not catch up after the outage:\n{relay.log_tail()}")
            report.check(acknowledged_down > 0, "no write was acknowledged while the broker was down")
            report.check(relay.alive and relay.starts == 1, "the relay had to be restarted")
            report.count("events written while Kafka was down", written_down)
            report.count("writes acknowledged while Kafka was down", acknowledged_down)
        finally:
            api.stop()
            relay.stop()
            position.store.close()
        check_answers(report, ledger)
        check_acknowledged(report, engine, ledger)
        stored = stored_events(engine)
        owed = [e for e in stored if e.position > delivered_before]
        records = read_topic(broker.bootstrap, topic, len(owed))
        check_kafka(report, owed, records, {e.id for e in stored})
        engine.close()
    broker.stop()
    return report


def _resting(position: LogPosition, settle: float, longest: float) -> int:
    """The position once it has not moved for `settle` seconds (or after `longest`)."""
    deadline, last, since = time.monotonic() + longest, position.get(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = position.get()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= settle:
            break
    return last
