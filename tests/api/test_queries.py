"""The read side's own room: every query authorises its caller before it reads, so
scope holds whichever edge (API, pages, CLI) asks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from adapters.http.schemas.collaboratives import CollaborativeSummary
from aggregates.tokens import Principal
from engine.application import QIEngine
from engine.errors import Forbidden
from engine.queries import Queries
from projections.audit import AuditFilter
from projections.charts import ChartOptions
from scripts.drills.world import World, build_world


@pytest.fixture
def setting(sqlite_engine: QIEngine) -> Iterator[tuple[Queries, World, UUID]]:
    """Collaborative A in its sessions phase (two teams, a coach of team A, a session
    attended), collaborative B in focus, and the queries over both."""
    client = TestClient(create_app(sqlite_engine))
    ours = build_world(client, sqlite_engine, "sessions", "A")
    theirs = UUID(build_world(client, sqlite_engine, "focus", "B").flow.collaborative)
    yield Queries(sqlite_engine, client.app.state.read_models), ours, theirs  # type: ignore[attr-defined]


def principal(engine: QIEngine, world: World, name: str) -> Principal:
    found = engine.authenticate(world.callers[name].token or "")
    assert found is not None
    return found


def collaborative_reads(queries: Queries, collaborative_id: UUID) -> dict[str, Callable[[Principal], Any]]:
    """Every query scoped to one collaborative, by name."""
    return {
        "collaborative": lambda p: queries.collaborative(p, collaborative_id),
        "as of a version": lambda p: queries.collaborative(p, collaborative_id, 1),
        "phase exit": lambda p: queries.phase_exit(p, collaborative_id),
        "dashboard": lambda p: queries.dashboard(p, collaborative_id),
        "overview": lambda p: queries.overview(p, collaborative_id),
        "chart": lambda p: queries.collaborative_chart(p, collaborative_id, "weight-kg", ChartOptions()),
        "library": lambda p: queries.library(p, collaborative_id),
        "library page": lambda p: queries.library_page(p, collaborative_id),
        "driver diagram": lambda p: queries.driver_diagram(p, collaborative_id),
        "shared projects": lambda p: queries.shared_projects(p, collaborative_id),
        "toolkits": lambda p: queries.toolkits(p, collaborative_id),
    }


def refusals(reads: dict[str, Callable[[Principal], Any]], caller: Principal) -> dict[str, str]:
    """Each read's refusal message for the caller (a read served is left out)."""
    refused = {}
    for name, read in reads.items():
        try:
            read(caller)
        except Forbidden as error:
            refused[name] = str(error)
    return refused


def test_a_team_token_is_refused_every_read_of_another_collaborative(
    setting: tuple[Queries, World, UUID], sqlite_engine: QIEngine
) -> None:
    queries, ours, theirs = setting
    team = principal(sqlite_engine, ours, "team_a")
    reads = collaborative_reads(queries, theirs)
    assert refusals(reads, team) == dict.fromkeys(reads, "a team token may only read its own collaborative")


def test_a_coach_reads_the_collaborative_where_they_coach_and_no_other(
    setting: tuple[Queries, World, UUID], sqlite_engine: QIEngine
) -> None:
    queries, ours, theirs = setting
    coach = principal(sqlite_engine, ours, "coach_of_a")
    own = UUID(ours.flow.collaborative)
    assert refusals(collaborative_reads(queries, own), coach) == {}
    refused = refusals(collaborative_reads(queries, theirs), coach)
    assert set(refused.values()) == {"a coach may only read the collaboratives where they coach a team"}
    assert len(refused) == len(collaborative_reads(queries, theirs))


def test_a_subscriber_is_refused_every_read_but_the_feed(
    setting: tuple[Queries, World, UUID], sqlite_engine: QIEngine
) -> None:
    queries, ours, _ = setting
    subscriber = principal(sqlite_engine, ours, "subscriber")
    reads = collaborative_reads(queries, UUID(ours.flow.collaborative))
    reads["list"] = queries.collaboratives
    assert refusals(reads, subscriber) == dict.fromkeys(
        reads, "the subscriber role may only read the event feed"
    )
    assert queries.feed_page(subscriber, 0, 5).events


def test_the_list_holds_only_what_the_caller_may_read(
    setting: tuple[Queries, World, UUID], sqlite_engine: QIEngine
) -> None:
    queries, ours, theirs = setting
    own = UUID(ours.flow.collaborative)
    listed = {name: [c.id for c in queries.collaboratives(principal(sqlite_engine, ours, name))]
              for name in ("staff", "auditor", "team_a", "coach_of_a", "coach_of_none")}  # fmt: skip
    assert listed == {"staff": [own, theirs], "auditor": [own, theirs], "team_a": [own], "coach_of_a": [own],
                      "coach_of_none": []}  # fmt: skip


def test_the_list_from_the_read_model_says_what_the_aggregates_say(
    setting: tuple[Queries, World, UUID], sqlite_engine: QIEngine
) -> None:
    queries, ours, _ = setting
    staff = principal(sqlite_engine, ours, "staff")
    from_aggregates = [CollaborativeSummary.of(c) for c in sqlite_engine.collaboratives()]
    assert [CollaborativeSummary(**c.model_dump()) for c in queries.collaboratives(staff)] == from_aggregates
    assert [c.active_teams for c in from_aggregates] == [2, 0]


def test_a_team_token_reads_only_its_own_team_and_a_coach_only_the_team_they_coach(
    setting: tuple[Queries, World, UUID], sqlite_engine: QIEngine
) -> None:
    queries, ours, _ = setting
    team_a, team_b = (UUID(t) for t in ours.flow.teams)
    name_of_a = sqlite_engine.team(team_a).state.name
    reads: dict[str, Callable[[Principal, UUID], str]] = {
        "team": lambda p, t: queries.team(p, t).state.name,
        "team page": lambda p, t: queries.team_page(p, t).team.state.name,
        "chart": lambda p, t: queries.team_chart(p, t, "weight-kg", ChartOptions()).of,
    }
    for read in reads.values():
        assert read(principal(sqlite_engine, ours, "team_a"), team_a) == name_of_a
        assert read(principal(sqlite_engine, ours, "coach_of_a"), team_a) == name_of_a
        with pytest.raises(Forbidden, match="a team token may only read its own team"):
            read(principal(sqlite_engine, ours, "team_a"), team_b)
        with pytest.raises(Forbidden, match="a coach may only read the teams they coach"):
            read(principal(sqlite_engine, ours, "coach_of_a"), team_b)


def test_a_team_token_sees_the_attendance_of_its_own_members_only(
    setting: tuple[Queries, World, UUID], sqlite_engine: QIEngine
) -> None:
    queries, ours, _ = setting
    session = UUID(ours.flow.session)
    team_a = UUID(ours.flow.teams[0])
    seen = queries.activity(principal(sqlite_engine, ours, "team_a"), session).attendance_of
    assert seen == frozenset(sqlite_engine.team(team_a).state.members)
    assert queries.activity(principal(sqlite_engine, ours, "staff"), session).attendance_of is None


def test_staff_only_reads_refuse_teams_and_coaches_in_words(
    setting: tuple[Queries, World, UUID], sqlite_engine: QIEngine
) -> None:
    queries, ours, _ = setting
    own, person = UUID(ours.flow.collaborative), UUID(ours.flow.members[ours.flow.teams[0]])
    reads: dict[str, Callable[[Principal], Any]] = {
        "read the audit trail": lambda p: queries.audit_trail(p, AuditFilter()),
        "verify the audit trail": queries.verify_audit,
        "explore the audit trail": queries.audit_explorer,
        "read the audit digest key": queries.audit_public_key,
        "read credit transcripts": lambda p: queries.transcript(p, person),
        "export credit transcripts": lambda p: queries.transcript(
            p, person, what="export credit transcripts"
        ),
        "read the credit ledger": lambda p: queries.credits(p, own),
        "read participants' details": lambda p: queries.participant(p, person),
    }
    for name in ("team_a", "coach_of_a"):
        refused = refusals(reads, principal(sqlite_engine, ours, name))
        assert refused == {what: f"only staff and auditors may {what}" for what in reads}
    assert queries.audit_trail(principal(sqlite_engine, ours, "auditor"), AuditFilter(limit=3))


def test_the_feed_is_refused_to_teams_and_coaches(
    setting: tuple[Queries, World, UUID], sqlite_engine: QIEngine
) -> None:
    queries, ours, _ = setting
    for name, role in (("team_a", "team"), ("coach_of_a", "coach")):
        caller = principal(sqlite_engine, ours, name)
        message = f"the {role} role may not read the event feed of every collaborative"
        with pytest.raises(Forbidden, match=message):
            queries.feed_page(caller, 0, 5)
        with pytest.raises(Forbidden, match=message):
            queries.feed_reader(caller)
