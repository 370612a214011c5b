"""Concurrency: clients hammering one team and one collaborative over HTTP lose
nothing and duplicate nothing; and the comparisons the drills end with do catch a
lost write, a duplicate and a read model that drifted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.application import QIEngine
from engine.read_models import ReadModels
from engine.settings import Settings
from projections import audit
from scripts.drills.checks import check_acknowledged, check_rebuild
from scripts.drills.concurrency import concurrency
from scripts.drills.load import Ledger
from scripts.drills.report import DrillReport
from tests.conftest import Clock
from tests.reliability.conftest import drill
from tests.store.lifecycle import Lifecycle


def _exercised(report: DrillReport) -> None:
    counts = report.counts
    assert counts["writes acknowledged"] > 50 and counts["writes found"] == counts["writes acknowledged"]
    assert counts["conflicts (409)"] + counts["stale versions (412)"] > 0, "no client ever met a conflict"
    assert counts["duplicates"] == 0 and counts["5xx seen"] == 0


@pytest.mark.slow
def test_concurrent_clients_on_sqlite_store_every_acknowledged_write_exactly_once() -> None:
    _exercised(drill(concurrency, "sqlite", clients=12, seconds=4))


@pytest.mark.slow
@pytest.mark.postgres
def test_concurrent_clients_on_postgresql_store_every_acknowledged_write_exactly_once(
    postgres_server: str,
) -> None:
    _exercised(drill(concurrency, "postgres", clients=12, seconds=4, postgres=postgres_server))


@pytest.fixture
def engine(tmp_path: Path, clock: Clock) -> QIEngine:
    engine = QIEngine(Settings(store=str(tmp_path / "qi.sqlite3")), clock)
    Lifecycle(engine, clock).create()
    return engine


def _accepted_command_ids(engine: QIEngine) -> list[str]:
    import orjson

    notes = engine.recorder.select_notifications(0, 1000)
    return [orjson.loads(n.state)["command_id"] for n in notes if n.topic.endswith(":CommandAccepted")]


def test_the_check_names_an_acknowledged_write_the_store_does_not_hold(engine: QIEngine) -> None:
    ledger = Ledger()
    ledger.acknowledged["never-stored"] = ["DataPointSubmitted"]
    ledger.sent.add("never-stored")
    report = DrillReport("check", "")
    check_acknowledged(report, engine, ledger)
    assert report.counts["writes found"] == 0
    assert any("1 acknowledged writes are not in the store" in f for f in report.failures)


def test_the_check_passes_writes_stored_once_with_the_events_they_reported(engine: QIEngine) -> None:
    (key,) = _accepted_command_ids(engine)
    ledger = Ledger(acknowledged={key: ["CollaborativeCreated"]}, sent={key})
    report = DrillReport("check", "")
    check_acknowledged(report, engine, ledger)
    assert report.held and report.counts["writes found"] == 1
    ledger.acknowledged[key] = ["CollaborativeCreated", "Something"]
    check_acknowledged(report, engine, ledger)
    assert any("stored other events than they reported" in f for f in report.failures)


def test_the_check_names_a_read_model_row_that_a_rebuild_does_not_produce(engine: QIEngine) -> None:
    models = ReadModels(engine)
    models.runner.catch_up()
    report = DrillReport("check", "")
    check_rebuild(report, models)
    assert report.held and report.counts["read-model rows compared"] > 0
    with models.store.transaction(write=True) as tx:  # a projection that counted one event twice
        tx.execute(f"UPDATE {audit.TABLE} SET actor_id = 'twice' WHERE position = 1")
    check_rebuild(report, models)
    assert len(report.failures) == 1 and report.failures[0].startswith(
        f"read model {audit.TABLE} differs from its rebuild: 1 rows too many or changed, 1 missing"
    )
    models.close()


def test_qi_drill_prints_every_report_and_exits_1_when_a_promise_broke(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    import scripts.__main__ as cli
    from scripts.drills import run

    def held(options: run.DrillOptions) -> Iterator[DrillReport]:
        report = DrillReport("steady", "it holds", options.stores[0], counts={"writes acknowledged": 12})
        yield report

    def broken(options: run.DrillOptions) -> Iterator[DrillReport]:
        report = DrillReport("leaky", "it leaks", options.stores[0])
        report.check(False, "3 acknowledged writes are not in the store")
        yield report

    monkeypatch.setattr(run, "DRILLS", {"steady": held, "leaky": broken})
    runner = CliRunner()
    fine = runner.invoke(cli.app, ["drill", "--drill", "steady", "--store", "sqlite"])
    assert fine.exit_code == 0 and "held" in fine.output and "12" in fine.output
    failed = runner.invoke(cli.app, ["drill", "--store", "sqlite"])
    assert failed.exit_code == 1
    assert "FAILED" in failed.output and "3 acknowledged writes are not in the store" in failed.output
    unknown = runner.invoke(cli.app, ["drill", "--drill", "nonsense"])
    assert unknown.exit_code == 2
