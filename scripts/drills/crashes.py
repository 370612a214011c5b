"""Crashes: `kill -9` the API server, a projection worker and the Kafka relay at
random moments while clients write, and start each again.

Proves: after every restart nothing acknowledged is missing, no projection
double-counts (the read models equal a rebuild), and Kafka holds every stored
event (copies only where at-least-once allows; deduplicated by ce_id, exactly
the store's events, in store order per collaborative).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
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
    wait_for_projections,
)
from scripts.drills.load import Ledger, hammer, set_up
from scripts.drills.processes import (
    SHARED_POSTGRES,
    ApiServer,
    Broker,
    Service,
    fresh_store,
    wait_until,
    workspace,
)
from scripts.drills.report import DrillReport

PROVES = (
    "after kill -9 of the API, a projection worker and the relay: nothing acknowledged is missing, "
    "no projection double-counts, Kafka holds every event (deduplicated by ce_id)"
)
WARM_UP = 1.2  # seconds a restarted worker or relay runs before it may be killed again


@contextmanager
def kafka(bootstrap: str | None) -> Iterator[str]:
    """The given broker, or a private one for the drill."""
    if bootstrap:
        yield bootstrap
        return
    broker = Broker().start()
    try:
        yield broker.bootstrap
    finally:
        broker.stop()


def crashes(
    store_kind: str,
    kills: int = 60,
    clients: int = 4,
    bootstrap: str | None = None,
    postgres: str = SHARED_POSTGRES,
    seed: int | None = None,
) -> DrillReport:
    """Kill the three processes `kills` times in all, in a random order at random moments."""
    report = DrillReport("crashes", PROVES, store_kind)
    rng = random.Random(seed)
    with (
        workspace("crashes", report) as folder,
        kafka(bootstrap) as broker,
        fresh_store(store_kind, folder, postgres) as store,
    ):
        settings = Settings(
            store=store, kafka_bootstrap=broker, kafka_topic=f"qi.drill.{uuid4().hex[:10]}",
            kafka_partitions=3, projections="worker", relay="off",
        )  # fmt: skip
        target = set_up(store)
        services = _services(settings, folder)
        ledger = Ledger()
        try:
            for service in services.values():
                service.start()
            api = services["serve"]
            assert isinstance(api, ApiServer)
            api.wait_ready()
            stop = threading.Event()
            threads = hammer(api.base, target, ledger, clients, stop)
            _kill_repeatedly(report, services, kills, rng)
            stop.set()
            for thread in threads:
                thread.join(timeout=120)
            _settle(report, services, settings)
        finally:
            for service in services.values():
                service.stop()
        _compare(report, settings, ledger)
    return report


def _services(settings: Settings, folder: Path) -> dict[str, Service]:
    env = {
        "QI_STORE": settings.store,
        "QI_KAFKA_BOOTSTRAP": settings.kafka_bootstrap or "",
        "QI_KAFKA_TOPIC": settings.kafka_topic,
        "QI_KAFKA_PARTITIONS": str(settings.kafka_partitions),
        "QI_KAFKA_SEND_TIMEOUT": "5",
        "QI_RELAY_BACKOFF_MAX": "1",
        "QI_RELAY_BATCH": "20",  # small batches: kills land between and inside them
        "QI_PROJECTION_BATCH": "20",
        "QI_PROJECTIONS": "worker",
        "QI_RELAY": "off",
    }
    return {
        "serve": ApiServer(env, folder),
        "project": Service("project", ["project", "--interval", "0.1"], env, folder),
        "relay": Service("relay", ["relay", "--interval", "0.1"], env, folder),
    }


def _kill_repeatedly(
    report: DrillReport, services: dict[str, Service], kills: int, rng: random.Random
) -> None:
    """Each kill picks a victim that has been up a while, kills it at once and starts it again."""
    started = {name: time.monotonic() for name in services}
    names = list(services)
    order = [names[i % len(names)] for i in range(kills)]  # each about as often, in a random order
    rng.shuffle(order)
    for victim in order:
        time.sleep(rng.uniform(0.05, 0.4))
        warm = started[victim] + WARM_UP + rng.uniform(0, 0.8)
        time.sleep(max(0.0, warm - time.monotonic()))
        service = services[victim]
        if not service.alive:
            report.check(False, f"{victim} had died on its own before kill {report.counts.get('kills', 0) + 1}:\n"
                         f"{service.log_tail()}")  # fmt: skip
        service.kill()
        report.count("kills")
        report.count(f"kills: qi {victim}")
        service.start()
        started[victim] = time.monotonic()
        if isinstance(service, ApiServer):
            service.wait_ready()  # so writes keep flowing between kills


def _settle(report: DrillReport, services: dict[str, Service], settings: Settings) -> None:
    """Let the last worker and relay catch up to the head of the log."""
    for name, service in services.items():
        report.check(service.alive, f"qi {name} is not running after the last restart:\n{service.log_tail()}")
    engine = QIEngine(settings)
    models = ReadModels(engine)
    relayed = LogPosition.of(settings)
    try:
        caught_up = wait_for_projections(models, 90)
        report.check(caught_up, f"the projection worker did not catch up:\n{services['project'].log_tail()}")
        head = engine.recorder.max_notification_id() or 0
        try:
            wait_until(lambda: relayed.get() >= head, 90, "the relay to reach the head")
        except TimeoutError:
            report.check(False, f"the relay did not catch up to {head}:\n{services['relay'].log_tail()}")
    finally:
        models.close()
        engine.close()


def _compare(report: DrillReport, settings: Settings, ledger: Ledger) -> None:
    engine = QIEngine(settings)
    models = ReadModels(engine)
    try:
        check_answers(report, ledger, allow_unavailable=True)
        check_acknowledged(report, engine, ledger)
        check_rebuild(report, models)
        stored = stored_events(engine)
        assert settings.kafka_bootstrap
        records = read_topic(settings.kafka_bootstrap, settings.kafka_topic, len(stored))
        check_kafka(report, stored, records, {e.id for e in stored})
        if report.held:
            report.count("crashes survived", report.counts.get("kills", 0))
    finally:
        models.close()
        engine.close()
