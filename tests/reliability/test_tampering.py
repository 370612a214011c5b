"""Tampering: an event altered, deleted or reordered directly in the database is
named at its position by `qi audit verify`, which exits non-zero; the last events
truncated, or an edit re-chained by `qi rebuild audit`, fail against a digest saved
before; no route lets anyone alter history. On both stores."""

from __future__ import annotations

import pytest

from scripts.drills.report import DrillReport
from scripts.drills.tampering import tampering
from tests.reliability.conftest import drill


def _exercised(report: DrillReport) -> None:
    counts = report.counts
    assert counts["tamperings tried"] == counts["tamperings named at the first bad position"] == 3
    assert counts["digest tamperings tried"] == counts["digest tamperings caught by verify --digest"] == 2
    assert counts["rebuilds over tampered history refused"] == counts["overrides recorded as events"] == 1
    assert counts["non-POST write routes exercised"] >= 2 and counts["attempts to alter history"] == 20


@pytest.mark.slow
def test_tampering_with_sqlite_history_is_named_and_no_route_alters_it() -> None:
    _exercised(drill(tampering, "sqlite"))


@pytest.mark.slow
@pytest.mark.postgres
def test_tampering_with_postgresql_history_is_named_and_no_route_alters_it(postgres_server: str) -> None:
    _exercised(drill(tampering, "postgres", postgres=postgres_server))
