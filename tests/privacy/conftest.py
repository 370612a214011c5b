"""The privacy tests run on both stores: `engine` is the SQLite one, then the PostgreSQL one."""

from __future__ import annotations

import pytest

from engine.application import QIEngine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> QIEngine:
    return request.getfixturevalue(f"{request.param}_engine")  # type: ignore[no-any-return]
