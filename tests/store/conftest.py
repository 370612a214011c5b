"""Fixtures every store test shares; `engine` comes from the OnSQLite / OnPostgreSQL mixin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.application import QIEngine
from engine.read_models import ReadModels


@pytest.fixture
def models(engine: QIEngine) -> Iterator[ReadModels]:
    """The read models over the test's engine, closed afterwards."""
    models = ReadModels(engine)
    yield models
    models.close()
