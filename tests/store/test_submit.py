"""A caller's command is authorised by the engine itself (`QIEngine.submit`), on both
stores: a refused command writes nothing, and is refused before anything else is said."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from aggregates.base import Role
from aggregates.phases import Phase
from aggregates.team import Team
from aggregates.tokens import Grant, Principal
from engine.application import QIEngine
from engine.commands.team import AddCoachingNote, AssignCoach, SubmitData
from engine.errors import Forbidden, StaleVersion
from tests.conftest import Clock
from tests.store.backends import OnPostgreSQL, OnSQLite
from tests.store.lifecycle import Lifecycle
from tests.store.test_store_contract import stored_count


def principal(role: Role, team_id: UUID | None = None, participant_id: UUID | None = None) -> Principal:
    grant = Grant(name=role.value, role=role, team_id=team_id, participant_id=participant_id)
    return Principal.of_token(uuid4(), grant)


def note(team_id: UUID) -> AddCoachingNote:
    return AddCoachingNote(team_id=team_id, text="Try a weight-in-kg sticker on the scale")


class SubmitContract:
    @pytest.fixture
    def life(self, engine: QIEngine, clock: Clock) -> Lifecycle:
        life = Lifecycle(engine, clock)
        life.create()
        life.advance(Phase.REGISTRATION)
        life.register_teams()
        life.advance(Phase.ORIENTATION)
        life.orient()
        life.advance(Phase.SESSIONS, reason="sessions start before the first is held")
        return life

    def coach(self, life: Lifecycle) -> Principal:
        """The first team's coach: the second team's lead."""
        coach_id = life.members[life.teams[1]][0]
        life.run(AssignCoach(team_id=life.teams[0], coach_id=coach_id))
        return principal(Role.COACH, participant_id=coach_id)

    def test_a_team_token_s_command_for_another_team_is_refused_and_writes_nothing(
        self, life: Lifecycle
    ) -> None:
        before = stored_count(life.engine)
        command = SubmitData(team_id=life.teams[1], measure_key="weight-kg", period="2025-01", numerator=1)
        with pytest.raises(Forbidden, match="only change its own team"):
            life.engine.submit(principal(Role.TEAM, team_id=life.teams[0]), command)
        assert stored_count(life.engine) == before

    def test_a_coach_s_note_for_a_team_they_do_not_coach_is_refused_and_writes_nothing(
        self, life: Lifecycle
    ) -> None:
        coach = self.coach(life)
        before = stored_count(life.engine)
        with pytest.raises(Forbidden, match="teams they coach"):
            life.engine.submit(coach, note(life.teams[1]))
        assert stored_count(life.engine) == before

    def test_an_auditor_may_not_write_at_all(self, life: Lifecycle) -> None:
        before = stored_count(life.engine)
        with pytest.raises(Forbidden, match="the auditor role may not add coaching note"):
            life.engine.submit(principal(Role.AUDITOR), note(life.teams[0]))
        assert stored_count(life.engine) == before

    def test_a_refused_caller_with_a_stale_if_match_is_told_they_may_not_rather_than_stale(
        self, life: Lifecycle
    ) -> None:
        coach = self.coach(life)
        with pytest.raises(Forbidden):
            life.engine.submit(coach, note(life.teams[1]), expected_version=1)

    def test_a_coach_s_note_for_their_team_is_accepted_and_the_rules_load_no_second_team(
        self, life: Lifecycle, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        coach = self.coach(life)
        team_id = life.teams[0]
        version = life.engine.team(team_id).version
        loads: list[UUID] = []
        real_get = life.engine.repository.get

        def counting_get(aggregate_id: UUID, *args: object, **kwargs: object) -> object:
            loads.append(aggregate_id)
            return real_get(aggregate_id, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(life.engine.repository, "get", counting_get)
        outcome = life.engine.submit(coach, note(team_id), expected_version=version)
        assert outcome.events == ["CoachingNoteAdded"] and outcome.version == version + 1
        # The rules and the handler share the one copy the first attempt takes from the
        # cache, so the store is not asked for the team at all (it was, for the rules).
        assert loads.count(team_id) == 0
        monkeypatch.undo()
        assert life.engine.get(Team, team_id).state.coaching_notes

    def test_a_stale_if_match_from_an_allowed_coach_is_still_412(self, life: Lifecycle) -> None:
        coach = self.coach(life)
        with pytest.raises(StaleVersion):
            life.engine.submit(coach, note(life.teams[0]), expected_version=1)

    def test_a_retry_once_the_caller_lost_the_right_is_refused_not_answered_with_the_first_result(
        self, life: Lifecycle
    ) -> None:
        coach = self.coach(life)
        life.engine.submit(coach, note(life.teams[0]), command_id="note-1")
        life.run(AssignCoach(team_id=life.teams[0], coach_id=life.members[life.teams[0]][0]))
        with pytest.raises(Forbidden):
            life.engine.submit(coach, note(life.teams[0]), command_id="note-1")


class TestSubmitOnSQLite(OnSQLite, SubmitContract):
    pass


class TestSubmitOnPostgreSQL(OnPostgreSQL, SubmitContract):
    pass
