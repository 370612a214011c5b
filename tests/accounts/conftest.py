"""A collaborative with two teams, and staff to invite people to it, on both stores."""

from __future__ import annotations

import pytest

from aggregates.base import Role
from aggregates.phases import Phase
from aggregates.tokens import Grant, Principal
from engine.application import QIEngine
from engine.commands.team import DefineMeasure
from tests.conftest import Clock
from tests.store.lifecycle import WEIGHT, Lifecycle

STAFF = Principal.of_token(
    __import__("uuid").UUID("00000000-0000-4000-8000-00000000057a"),
    Grant(name="Ann (staff)", role=Role.STAFF),
)


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> QIEngine:
    return request.getfixturevalue(f"{request.param}_engine")


@pytest.fixture
def life(engine: QIEngine, clock: Clock) -> Lifecycle:
    life = Lifecycle(engine, clock)
    life.create()
    life.advance(Phase.REGISTRATION)
    life.register_teams()
    life.advance(Phase.ORIENTATION)
    life.orient()
    life.advance(Phase.SESSIONS, reason="sessions start before the first is held")
    for team_id in life.teams:
        life.run(DefineMeasure(team_id=team_id, measure=WEIGHT))
    return life
