"""Concurrency: many clients hammer one team and one collaborative over HTTP.

Proves: every 2xx write is in the store exactly once; every conflict was a clear
409/412 that the client retried; the read models equal a full rebuild afterwards.
"""

from __future__ import annotations

import threading
import time

from engine.application import QIEngine
from engine.read_models import ReadModels
from engine.settings import Settings
from scripts.drills.checks import check_acknowledged, check_answers, check_rebuild
from scripts.drills.load import Ledger, hammer, set_up
from scripts.drills.processes import SHARED_POSTGRES, ApiServer, fresh_store, workspace
from scripts.drills.report import DrillReport

PROVES = (
    "every 2xx write is stored exactly once; every conflict is a clear 409/412, retried; "
    "read models equal a rebuild"
)


def concurrency(
    store_kind: str, clients: int = 32, seconds: float = 30.0, postgres: str = SHARED_POSTGRES
) -> DrillReport:
    """Run the drill on a fresh store of `store_kind` (sqlite or postgres)."""
    report = DrillReport("concurrency", PROVES, store_kind)
    with workspace("concurrency", report) as folder, fresh_store(store_kind, folder, postgres) as store:
        target = set_up(store)
        server = ApiServer({"QI_STORE": store, "QI_PROJECTIONS": "inprocess"}, folder)
        ledger = Ledger()
        try:
            server.start().wait_ready()
            stop = threading.Event()
            threads = hammer(server.base, target, ledger, clients, stop)
            time.sleep(seconds)
            stop.set()
            for thread in threads:
                thread.join(timeout=120)
        finally:
            server.stop()
        report.count("clients", clients)
        _compare(report, store, ledger)
    return report


def _compare(report: DrillReport, store: str, ledger: Ledger) -> None:
    engine = QIEngine(Settings(store=store))
    models = ReadModels(engine)
    try:
        check_answers(report, ledger)
        check_acknowledged(report, engine, ledger)
        models.runner.catch_up()
        check_rebuild(report, models)
    finally:
        models.close()
        engine.close()
