"""The engine on a real store: the same cases on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import orjson
import pytest
from eventsourcing.application import project_aggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from aggregates.activity import AttendanceRecorded
from aggregates.base import Actor, Role
from aggregates.criteria import PhaseExitBlocked
from aggregates.errors import ActivityNotAllowed
from aggregates.phases import PHASES, Phase
from aggregates.team import Team
from engine.application import QIEngine
from engine.commands.collaborative import NewMember, RegisterTeam
from engine.commands.team import AddCoachingNote, AssignCoach, DefineMeasure, SubmitData
from engine.errors import (
    ConcurrencyConflict,
    IdempotencyKeyReused,
    NotFound,
    StaleVersion,
    UnknownReference,
)
from tests.conftest import Clock
from tests.store.backends import OnPostgreSQL, OnSQLite
from tests.store.lifecycle import STAFF, WEIGHT, Lifecycle


def stored_count(engine: QIEngine) -> int:
    """Events stored (counted: PostgreSQL's notification ids may skip after a collision)."""
    return len(engine.recorder.select_notifications(0, 1_000_000))


class StoreContract:
    """Cases every store must pass; subclasses provide the `engine` fixture."""

    @pytest.fixture
    def life(self, engine: QIEngine, clock: Clock) -> Lifecycle:
        return Lifecycle(engine, clock)

    def test_drives_a_collaborative_through_every_phase_without_overrides(self, life: Lifecycle) -> None:
        life.through_every_phase()
        collaborative = life.engine.collaborative(life.collaborative_id)  # type: ignore[arg-type]
        history = collaborative.state.phase_history
        assert [c.to_phase for c in history] == list(PHASES)
        assert all(c.override_reason is None and not c.unmet for c in history)
        assert len(collaborative.state.outputs) == 1 and len(collaborative.state.community) == 1

    def test_every_stored_event_names_actor_command_and_collaborative(self, life: Lifecycle) -> None:
        life.create()
        life.advance(Phase.REGISTRATION)
        life.register_teams()
        notifications = life.engine.recorder.select_notifications(start=1, limit=100)
        assert notifications
        for notification in notifications:
            state = orjson.loads(notification.state)
            assert state["actor_id"] == "staff-ann" and state["actor_role"] == "staff"
            assert state["command_id"] and state["collaborative_id"] == str(life.collaborative_id)

    def test_a_refused_phase_advance_lists_unmet_criteria_and_stores_nothing(self, life: Lifecycle) -> None:
        life.create()
        life.advance(Phase.REGISTRATION)
        before = stored_count(life.engine)
        with pytest.raises(PhaseExitBlocked) as refused:
            life.advance(Phase.ORIENTATION)
        assert [u.criterion.value for u in refused.value.unmet] == ["min_teams"]
        assert stored_count(life.engine) == before

    def test_an_override_is_stored_with_its_reason_and_the_unmet_criteria(self, life: Lifecycle) -> None:
        life.create()
        life.advance(Phase.REGISTRATION)
        life.advance(Phase.ORIENTATION, reason="Two teams join late; board agreed")
        change = life.engine.collaborative(life.collaborative_id).state.phase_history[-1]  # type: ignore[arg-type]
        assert change.override_reason == "Two teams join late; board agreed"
        assert [u.criterion.value for u in change.unmet] == ["min_teams"]

    def test_registration_after_it_closed_stores_no_team_and_no_person(self, life: Lifecycle) -> None:
        life.create()
        life.advance(Phase.REGISTRATION)
        life.register_teams()
        life.advance(Phase.ORIENTATION)
        before = stored_count(life.engine)
        with pytest.raises(ActivityNotAllowed):
            life.run(
                RegisterTeam(
                    collaborative_id=life.collaborative_id,
                    name="Late ED",
                    organization="Late",
                    care_setting="community_ed",
                    members=(NewMember(person={"name": "Lee"}, discipline="nurse"),),
                )
            )
        assert stored_count(life.engine) == before

    def test_a_retried_command_returns_the_first_outcome_and_stores_nothing_new(
        self, life: Lifecycle
    ) -> None:
        life.create()
        life.advance(Phase.REGISTRATION)
        command = RegisterTeam(
            collaborative_id=life.collaborative_id,
            name="Mercy ED",
            organization="Mercy",
            care_setting="community_ed",
            members=(NewMember(person={"name": "Lee"}, discipline="nurse"),),
        )
        ctx = life.engine.context(STAFF, command_id="retry-me")
        first = life.engine.execute(command, ctx)
        before = stored_count(life.engine)
        again = life.engine.execute(command, life.engine.context(STAFF, command_id="retry-me"))
        assert again == first and stored_count(life.engine) == before
        assert len(life.engine.collaborative(life.collaborative_id).state.teams) == 1  # type: ignore[arg-type]

    def test_the_same_command_id_for_a_different_command_is_refused(self, life: Lifecycle) -> None:
        collaborative_id = life.create()
        life.advance(Phase.REGISTRATION)
        ctx = life.engine.context(STAFF, command_id="k")
        life.engine.execute(
            RegisterTeam(
                collaborative_id=collaborative_id,
                name="A",
                organization="A",
                care_setting="community_ed",
                members=(NewMember(person={"name": "Lee"}, discipline="nurse"),),
            ),
            ctx,
        )
        with pytest.raises(IdempotencyKeyReused, match="already used"):
            life.engine.execute(
                RegisterTeam(
                    collaborative_id=collaborative_id,
                    name="B",
                    organization="B",
                    care_setting="community_ed",
                    members=(NewMember(person={"name": "Kim"}, discipline="nurse"),),
                ),
                ctx,
            )

    def test_a_concurrent_change_to_the_same_team_is_decided_again_on_fresh_state(
        self, life: Lifecycle, engine: QIEngine, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self._team_in_sessions(life)
        team_id = life.teams[0]
        engine.team(team_id)  # cached here, then changed by another process
        other = QIEngine(engine.settings, engine.clock)
        other.execute(AssignCoach(team_id=team_id, coach_id=life.members[team_id][0]), other.context(STAFF))
        before = stored_count(engine)
        life.run(
            SubmitData(team_id=team_id, measure_key="weight-kg", period="2025-01", numerator=1, denominator=2)
        )
        team = engine.team(team_id)
        assert team.state.coach_id == life.members[team_id][0]
        assert team.state.measures["weight-kg"].data["2025-01"].current.numerator == 1
        assert stored_count(engine) == before + 2  # the data point and its record, once
        other.close()

    def test_a_change_that_keeps_colliding_is_a_conflict_and_stores_nothing(
        self, life: Lifecycle, engine: QIEngine, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self._team_in_sessions(life)
        team_id = life.teams[0]
        other = QIEngine(engine.settings, engine.clock)
        original_save = engine.save
        notes = iter(range(100))

        def save_after_someone_else(*objs: object) -> object:
            other.execute(AddCoachingNote(team_id=team_id, text=f"note {next(notes)}"), other.context(STAFF))
            return original_save(*objs)  # type: ignore[arg-type]

        monkeypatch.setattr(engine, "save", save_after_someone_else)
        before = stored_count(engine)
        with pytest.raises(ConcurrencyConflict, match="reload and retry"):
            life.run(
                SubmitData(
                    team_id=team_id, measure_key="weight-kg", period="2025-01", numerator=1, denominator=2
                )
            )
        assert stored_count(engine) == before + 4  # only the other engine's two notes and their records
        assert engine.team(team_id).state.measures["weight-kg"].data == {}
        other.close()

    def test_a_stale_expected_version_is_refused(self, life: Lifecycle) -> None:
        self._team_in_sessions(life)
        team_id = life.teams[0]
        version = life.engine.team(team_id).version
        command = SubmitData(
            team_id=team_id, measure_key="weight-kg", period="2025-01", numerator=1, denominator=2
        )
        with pytest.raises(StaleVersion, match=f"not the expected version {version - 1}"):
            life.engine.execute(command, life.engine.context(STAFF), expected_version=version - 1)
        outcome = life.engine.execute(command, life.engine.context(STAFF), expected_version=version)
        assert outcome.version == version + 1

    def test_reads_a_team_as_of_a_past_moment_and_version(self, life: Lifecycle, clock: Clock) -> None:
        self._team_in_sessions(life)
        team_id = life.teams[0]
        moments = []
        for month in range(1, 13):
            clock.advance(days=31)
            life.engine.execute(
                SubmitData(
                    team_id=team_id,
                    measure_key="weight-kg",
                    period=f"2025-{month:02d}",
                    numerator=month,
                    denominator=20,
                ),
                life.engine.context(STAFF),
            )
            moments.append((clock.now, life.engine.team(team_id).version))
        assert life.engine.snapshots is not None and list(life.engine.snapshots.get(team_id))
        for month, (moment, version) in enumerate(moments, start=1):
            by_time = life.engine.team(team_id, as_of=moment + timedelta(hours=1))
            by_version = life.engine.team(team_id, as_of=version)
            assert sorted(by_time.state.measures["weight-kg"].data) == [
                f"2025-{m:02d}" for m in range(1, month + 1)
            ]
            assert by_time.state == by_version.state and by_time.version == version
        with pytest.raises(NotFound):
            life.engine.team(team_id, as_of=moments[0][0] - timedelta(days=3650))

    def test_a_snapshot_loads_the_same_team_as_a_full_replay(self, life: Lifecycle) -> None:
        self._team_in_sessions(life)
        team_id = life.teams[0]
        for month in range(1, 13):
            life.run(
                SubmitData(
                    team_id=team_id,
                    measure_key="weight-kg",
                    period=f"2024-{month:02d}",
                    numerator=3,
                    denominator=9,
                )
            )
        replayed = project_aggregate(None, life.engine.events.get(team_id))
        loaded = life.engine.team(team_id)
        assert isinstance(replayed, Team)
        assert loaded.state == replayed.state and loaded.version == replayed.version

    def test_a_stored_version_1_event_loads_as_version_2(self, life: Lifecycle) -> None:
        life.create()
        life.advance(Phase.REGISTRATION)
        life.register_teams()
        life.advance(Phase.ORIENTATION)
        life.orient()
        life.advance(Phase.SESSIONS)
        life.hold_session()
        activity_id = life.session_id
        assert activity_id
        version = life.engine.activity(activity_id).version
        person = uuid4()
        v1_state = {
            "timestamp": life.clock.now.isoformat(),
            "actor_id": "legacy",
            "actor_role": "staff",
            "command_id": "legacy-1",
            "collaborative_id": str(life.collaborative_id),
            "participant_id": str(person),
            "hours": 1.25,
        }
        life.engine.recorder.insert_events(
            [
                StoredEvent(
                    originator_id=activity_id,
                    originator_version=version + 1,
                    topic=get_topic(AttendanceRecorded),
                    state=orjson.dumps(v1_state),
                )
            ]
        )
        assert life.engine.activity(activity_id).state.attendance[person].minutes == 75

    def test_missing_resources_and_references_are_named(self, life: Lifecycle) -> None:
        missing = uuid4()
        with pytest.raises(NotFound, match=f"no team with id {missing}"):
            life.engine.team(missing)
        self._team_in_sessions(life)
        with pytest.raises(UnknownReference, match="to be the coach"):
            life.run(AssignCoach(team_id=life.teams[0], coach_id=missing))
        collaborative_id = life.collaborative_id
        assert collaborative_id
        with pytest.raises(NotFound, match="no team with id"):
            life.engine.team(collaborative_id)

    def test_team_tokens_act_with_their_own_role_on_record(self, life: Lifecycle) -> None:
        self._team_in_sessions(life)
        team_actor = Actor(id="mercy-ed-token", role=Role.TEAM)
        life.run(
            SubmitData(
                team_id=life.teams[0], measure_key="weight-kg", period="2025-01", numerator=5, denominator=9
            ),
            team_actor,
        )
        [*_, last] = life.engine.events.get(life.teams[0])
        assert (last.actor_id, last.actor_role) == ("mercy-ed-token", Role.TEAM)  # type: ignore[attr-defined]

    @staticmethod
    def _team_in_sessions(life: Lifecycle) -> None:
        life.create()
        life.advance(Phase.REGISTRATION)
        life.register_teams()
        life.advance(Phase.ORIENTATION)
        life.orient()
        life.advance(Phase.SESSIONS)
        for team_id in life.teams:
            life.run(DefineMeasure(team_id=team_id, measure=WEIGHT))


class TestOnSQLite(OnSQLite, StoreContract):
    """The contract on SQLite."""


class TestOnPostgreSQL(OnPostgreSQL, StoreContract):
    """The contract on PostgreSQL."""


class ConcurrentWritesContract:
    @pytest.fixture
    def life(self, engine: QIEngine, clock: Clock) -> Lifecycle:
        life = Lifecycle(engine, clock)
        life.create()
        life.advance(Phase.REGISTRATION)
        for n in range(3):
            life.run(RegisterTeam(
                collaborative_id=life.collaborative_id, name=f"Team {n}", organization="O", care_setting="community_ed",
                members=(NewMember(person={"name": f"P{n}"}, discipline="nurse"),),
            ))  # fmt: skip
        life.advance(Phase.ORIENTATION, reason="set-up")
        life.advance(Phase.SESSIONS, reason="set-up")
        for team_id in life.engine.collaborative(life.collaborative_id).state.teams:  # type: ignore[arg-type]
            life.run(DefineMeasure(team_id=team_id, measure=WEIGHT))
        return life

    def test_concurrent_commands_on_different_teams_are_all_stored_exactly_once(
        self, life: Lifecycle
    ) -> None:
        import threading

        teams = list(life.engine.collaborative(life.collaborative_id).state.teams)  # type: ignore[arg-type]
        before = stored_count(life.engine)
        errors: list[BaseException] = []

        def submit(team_id: object, months: range) -> None:
            for month in months:
                try:
                    command = SubmitData(
                        team_id=team_id,
                        measure_key="weight-kg",
                        period=f"2024-{month:02d}",
                        numerator=1,
                        denominator=2,
                    )
                    life.engine.execute(command, life.engine.context(STAFF))
                except BaseException as error:
                    errors.append(error)

        threads = [threading.Thread(target=submit, args=(t, range(1, 13))) for t in teams]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        assert stored_count(life.engine) == before + 2 * 12 * len(teams)
        for team_id in teams:
            assert len(life.engine.team(team_id).state.measures["weight-kg"].data) == 12


class TestConcurrentWritesOnSQLite(OnSQLite, ConcurrentWritesContract):
    """The contract on SQLite."""


class TestConcurrentWritesOnPostgreSQL(OnPostgreSQL, ConcurrentWritesContract):
    """The contract on PostgreSQL."""
