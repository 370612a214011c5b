"""The two stores every store test runs on: mix one into a contract class.

A test class named `...OnSQLite` or `...OnPostgreSQL` is counted per store in the
run's summary, so a skipped PostgreSQL run cannot hide.
"""

from __future__ import annotations

import pytest

from engine.application import QIEngine
from engine.read_models import ReadModels


class OnSQLite:
    @pytest.fixture
    def engine(self, sqlite_engine: QIEngine) -> QIEngine:
        return sqlite_engine


@pytest.mark.postgres
class OnPostgreSQL:
    @pytest.fixture
    def engine(self, postgres_engine: QIEngine) -> QIEngine:
        return postgres_engine


def rows(models: ReadModels, table: str) -> list[tuple[object, ...]]:
    """Every row of a read-model table, in a stable order, for rebuild comparisons."""
    with models.store.transaction() as tx:
        return tx.fetchall(f"SELECT * FROM {table} ORDER BY 1, 2")
