"""A read model that cannot apply an event fails alone: the others keep catching up and
serving, the failure names its position, and a resume or a rebuild continues from it.

The poison is written straight into the store, past every command's checks: a PDSA cycle
planned by one team under another team's cycle id (what the review's attack stored before
ids were claimed), and a record that no longer decodes at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from aggregates.base import Actor, Role
from aggregates.pdsa import PdsaPlan
from aggregates.phases import Phase
from aggregates.team import PdsaPlanned
from engine.application import QIEngine
from engine.commands.team import SubmitData
from engine.projection_failures import ReadModelUnavailable
from engine.read_models import ReadModels
from projections.base import Recorded, Tx
from projections.credits.ledger import CreditLedger
from tests.conftest import Clock
from tests.store.backends import OnPostgreSQL, OnSQLite, rows
from tests.store.lifecycle import Lifecycle, world_in_projects

INTRUDER = Actor(id="intruder", role=Role.TEAM)


def plan_under_another_teams_cycle(engine: QIEngine, lc: Lifecycle) -> int:
    """Team A plans a cycle with team B's cycle id, saved directly; returns its position."""
    team_a, team_b = (engine.team(t) for t in lc.teams)
    stolen = next(iter(team_b.state.cycles))
    plan = PdsaPlan(title="Same id", change_idea="x", objective="o", prediction="p", plan="pl")
    team_a.plan_cycle(engine.context(INTRUDER), Phase.PROJECTS, stolen, plan)
    engine.save(team_a)
    return engine.recorder.max_notification_id() or 0


def write_undecodable(engine: QIEngine, team_id: UUID) -> int:
    team = engine.team(team_id)
    damaged = StoredEvent(
        originator_id=team.id,
        originator_version=team.version + 1,
        topic=get_topic(PdsaPlanned),
        state=b"{not json",
    )
    engine.recorder.insert_events([damaged])
    return engine.recorder.max_notification_id() or 0


def more_data(engine: QIEngine, lc: Lifecycle) -> None:
    lc.run(
        SubmitData(
            team_id=lc.teams[1], measure_key="weight-kg", period="2025-02", numerator=15, denominator=20
        )
    )


class KeyedByTeam(CreditLedger):
    """The fix for the poison: the credit ledger keeps the first team to use a cycle id."""

    def apply(self, tx: Tx, batch: Sequence[Recorded]) -> None:
        kept = [
            r for r in batch if not (isinstance(r.event, PdsaPlanned) and r.event.actor_id == INTRUDER.id)
        ]
        super().apply(tx, kept)


class PoisonContract:
    @pytest.fixture
    def world(self, engine: QIEngine, clock: Clock, models: ReadModels) -> Lifecycle:
        lc = world_in_projects(engine, clock)
        models.runner.catch_up()
        return lc

    def test_a_projection_that_cannot_apply_an_event_stops_alone_and_names_it(
        self, engine: QIEngine, world: Lifecycle, models: ReadModels
    ) -> None:
        poison = plan_under_another_teams_cycle(engine, world)
        more_data(engine, world)

        models.runner.catch_up()

        failures = models.failures()
        assert list(failures) == ["credits"]
        assert failures["credits"].position == poison
        assert failures["credits"].event_type == "PdsaPlanned"
        assert models.runner.position("credits") == poison - 1
        head = engine.recorder.max_notification_id()
        assert {
            name: models.runner.position(name) for name in ("audit", "dashboard", "learning")
        } == dict.fromkeys(("audit", "dashboard", "learning"), head)

    def test_the_other_read_models_keep_serving_and_the_failed_one_says_so(
        self, engine: QIEngine, world: Lifecycle, models: ReadModels
    ) -> None:
        plan_under_another_teams_cycle(engine, world)
        more_data(engine, world)
        assert world.collaborative_id is not None

        models.wait_for()

        assert models.dashboard(world.collaborative_id) is not None
        assert models.verify_audit().ok
        assert models.shared_projects(world.collaborative_id) == []
        with pytest.raises(ReadModelUnavailable, match="credits read model stopped at event"):
            models.credits(world.collaborative_id)

    def test_resuming_after_the_fix_continues_from_the_failed_position(
        self, engine: QIEngine, world: Lifecycle, models: ReadModels
    ) -> None:
        poison = plan_under_another_teams_cycle(engine, world)
        more_data(engine, world)
        models.runner.catch_up()
        models.runner.resume("credits")
        models.runner.catch_up()
        assert models.failures()["credits"].position == poison  # not fixed yet: it stops again

        models.runner.projections["credits"] = KeyedByTeam()
        assert models.runner.resume("credits") is not None
        processed = models.runner.catch_up()

        assert processed["credits"] == engine.recorder.max_notification_id() - poison + 1
        assert models.failures() == {}
        resumed = rows(models, "rm_credit_entries")
        models.runner.rebuild("credits")
        assert rows(models, "rm_credit_entries") == resumed

    def test_a_record_that_no_longer_decodes_stops_the_read_models_that_need_it_but_not_the_audit(
        self, engine: QIEngine, world: Lifecycle, models: ReadModels
    ) -> None:
        damaged = write_undecodable(engine, world.teams[0])

        models.runner.catch_up()

        failures = models.failures()
        assert "audit" not in failures and failures
        assert {f.position for f in failures.values()} == {damaged}
        assert models.runner.position("audit") == damaged
        assert models.verify_audit().ok

    def test_a_rebuild_over_a_poisoned_history_rebuilds_the_others_and_records_the_failure(
        self, engine: QIEngine, world: Lifecycle, models: ReadModels
    ) -> None:
        poison = plan_under_another_teams_cycle(engine, world)
        more_data(engine, world)
        before = rows(models, "rm_audit")

        totals = models.runner.rebuild_all()

        assert models.failures()["credits"].position == poison
        assert totals["audit"] == engine.recorder.max_notification_id()
        assert rows(models, "rm_audit")[: len(before)] == before


class TestPoisonOnSQLite(OnSQLite, PoisonContract):
    pass


class TestPoisonOnPostgreSQL(OnPostgreSQL, PoisonContract):
    pass
