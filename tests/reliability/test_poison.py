"""The poison-event drill: an event a read model cannot apply, written straight into the
store, stops that read model alone; on both stores."""

from __future__ import annotations

from engine.application import QIEngine
from scripts.drills.poison import run_poison
from tests.reliability.conftest import held
from tests.store.backends import OnPostgreSQL, OnSQLite


class PoisonDrill:
    def test_a_poison_event_stops_one_read_model_and_everything_else_keeps_working(
        self, engine: QIEngine
    ) -> None:
        counts = held(run_poison(engine)).counts

        assert counts["poison events written"] == 2 and counts["writes acknowledged"] == 2
        assert counts["503s naming the stopped read model"] == 1 + 5  # credits; then three models, five reads
        assert counts["positions named"] == 1 + 3 and counts["recoveries"] == 1
        assert counts.get("5xx seen", 0) == 0 and counts["reads tried"] == 12
        assert counts["feed reads past the damaged record"] == 1


class TestPoisonDrillOnSQLite(OnSQLite, PoisonDrill):
    pass


class TestPoisonDrillOnPostgreSQL(OnPostgreSQL, PoisonDrill):
    pass
