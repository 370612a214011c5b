"""The demo seed: a year of a pediatric readiness collaborative, run through the
engine's own commands on a temporary SQLite store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from aggregates.activity import LearningActivity
from aggregates.base import QIEvent
from aggregates.collaborative import Collaborative
from aggregates.criteria import Criterion
from aggregates.phases import PHASES, Phase
from aggregates.team import Team
from aggregates.values import ActivityKind, CareSetting, CreditType, OutputKind
from engine.application import QIEngine
from engine.demo import DEMO_COLLABORATIVE_ID, render_summary, seed_demo, summarize
from engine.settings import Settings

WEIGHT = "weight-kg"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QIEngine]:
    tmp_path: Path = tmp_path_factory.mktemp("demo")
    engine = QIEngine(Settings(store=str(tmp_path / "demo.sqlite3")))
    result = seed_demo(engine)
    assert result.created and result.collaborative_id == DEMO_COLLABORATIVE_ID
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def collaborative(engine: QIEngine) -> Collaborative:
    return engine.collaborative(DEMO_COLLABORATIVE_ID)


@pytest.fixture(scope="module")
def teams(engine: QIEngine, collaborative: Collaborative) -> list[Team]:
    return [engine.team(team_id) for team_id in collaborative.active_team_ids()]


@pytest.fixture(scope="module")
def activities(engine: QIEngine, collaborative: Collaborative) -> list[LearningActivity]:
    return [engine.activity(activity_id) for activity_id in collaborative.state.activities]


def _kind(activities: list[LearningActivity], kind: ActivityKind) -> list[LearningActivity]:
    return [a for a in activities if a.state.details.kind is kind]


def test_seed_walks_every_phase_in_order_and_stays_in_community_of_practice(
    collaborative: Collaborative,
) -> None:
    history = collaborative.state.phase_history
    assert collaborative.phase is Phase.COMMUNITY_OF_PRACTICE
    assert [change.to_phase for change in history] == list(PHASES[:-1])
    assert [change.at for change in history] == sorted(change.at for change in history)


def test_the_only_override_is_one_late_storyboard_with_a_written_reason(
    collaborative: Collaborative,
) -> None:
    overridden = [c for c in collaborative.state.phase_history if c.override_reason]
    assert [c.to_phase for c in overridden] == [Phase.COMMUNITY_OF_PRACTICE]
    (unmet,) = overridden[0].unmet
    assert unmet.criterion is Criterion.PROJECTS_SHARED
    assert "Three Rivers" in unmet.detail and "Three Rivers" in (overridden[0].override_reason or "")


def test_twelve_teams_cover_all_five_care_settings_with_coached_multidisciplinary_members(
    engine: QIEngine, teams: list[Team]
) -> None:
    assert len(teams) == 12
    assert {team.state.care_setting for team in teams} == set(CareSetting)
    for team in teams:
        members = team.state.members.values()
        assert 3 <= len(members) <= 5
        assert len({m.discipline for m in members}) >= 3
        assert team.state.coach_id is not None
        assert engine.participant(team.state.coach_id).state.details.credentials
    people = [engine.participant(pid).state.details for t in teams for pid in t.state.members]
    assert sum(1 for p in people if p.licences) >= len(people) // 2
    assert sum(1 for p in people if p.credentials) >= len(people) - 3


def test_every_team_submits_at_least_twelve_improving_months_after_each_month_ends(
    teams: list[Team],
) -> None:
    for team in teams:
        data = team.state.measures[WEIGHT].data
        assert len(data) >= 12
        periods = sorted(data)
        assert data[periods[0]].value < 0.75 and data[periods[-1]].value >= 0.8
        for period, point in data.items():
            assert point.current.submitted_at.strftime("%Y-%m") > period


def test_every_team_runs_a_ramp_of_linked_pdsa_cycles_through_to_a_decision(
    teams: list[Team],
) -> None:
    for team in teams:
        cycles = sorted(team.state.cycles.items(), key=lambda item: item[1].planned_at)
        assert 2 <= len(cycles) <= 3
        assert all(cycle.act is not None and cycle.plan.prediction for _, cycle in cycles)
        assert cycles[0][1].plan.ramp_parent_id is None
        for (parent_id, _), (_, child) in pairwise(cycles):
            assert child.plan.ramp_parent_id == parent_id
    decisions = Counter(c.act.decision for t in teams for c in t.state.cycles.values() if c.act)
    assert len(decisions) == 3


def test_nine_learning_sessions_and_three_fireside_chats_are_held_with_some_partial_attendance(
    activities: list[LearningActivity],
) -> None:
    sessions = _kind(activities, ActivityKind.LEARNING_SESSION)
    assert len(sessions) == 9 and len(_kind(activities, ActivityKind.FIRESIDE_CHAT)) == 3
    assert {s.state.details.starts_at.month for s in sessions} == set(range(2, 11))
    for session in sessions:
        details = session.state.details
        assert details.duration_minutes == 90 and details.ce is not None
        assert set(details.ce.credit_types) == {CreditType.CME, CreditType.CNE, CreditType.CAPCE}
        assert details.ce.max_hours == 1.5
    records = [r for a in activities for r in a.state.attendance.values()]
    assert all(a.held_with_attendance for a in activities)
    assert any(r.minutes < 90 for r in records) and any(r.minutes == 90 for r in records)


def test_every_team_shares_its_project_and_the_collaborative_records_its_outputs(
    collaborative: Collaborative, teams: list[Team]
) -> None:
    for team in teams:
        shared = team.state.shared
        assert shared is not None and shared.storyboard_url
        assert set(shared.cycle_ids) == set(team.state.cycles) and shared.measure_keys == (WEIGHT,)
    kinds = {o.details.kind for o in collaborative.state.outputs.values()}
    assert kinds == {OutputKind.TOOLKIT, OutputKind.SUMMATIVE_PAPER}
    assert len(collaborative.state.community) >= 12


def test_every_event_is_stamped_with_its_simulated_date_in_order(engine: QIEngine) -> None:
    notifications = engine.recorder.select_notifications(start=1, limit=100_000)
    events = [engine.mapper.to_domain_event(n) for n in notifications]
    stamps = [event.timestamp for event in events if isinstance(event, QIEvent)]
    assert len(stamps) == len(events)
    assert stamps == sorted(stamps)
    assert stamps[0] == datetime(2024, 10, 1, 15, tzinfo=UTC)
    assert stamps[-1] < datetime(2026, 4, 1, tzinfo=UTC)


def test_seeding_again_reports_the_existing_demo_and_writes_no_events(engine: QIEngine) -> None:
    before = engine.recorder.max_notification_id()
    again = seed_demo(engine)
    assert not again.created and again.collaborative_id == DEMO_COLLABORATIVE_ID
    assert engine.recorder.max_notification_id() == before


def test_summary_figures_match_the_aggregates(
    engine: QIEngine,
    collaborative: Collaborative,
    teams: list[Team],
    activities: list[LearningActivity],
) -> None:
    summary = summarize(engine, DEMO_COLLABORATIVE_ID)
    assert summary.phase is collaborative.phase and summary.title == collaborative.state.title
    assert summary.teams_by_setting == Counter(t.state.care_setting for t in teams)
    assert summary.members == sum(len(t.state.members) for t in teams)
    assert summary.learning_sessions_held == 9 and summary.fireside_chats_held == 3
    assert summary.attendance_records == sum(len(a.state.attendance) for a in activities)
    assert sum(summary.pdsa_by_decision.values()) == sum(len(t.state.cycles) for t in teams)
    assert summary.community_members == len(collaborative.state.community)
    assert len(summary.outputs) == 2 and summary.phase_history[-1].override_reason
    by_name = {t.state.name: t for t in teams}
    for row in summary.teams:
        data = by_name[row.name].state.measures[WEIGHT].data
        assert row.data_points == len(data)
        assert row.first_value == data[min(data)].value and row.last_value == data[max(data)].value


def test_rendered_summary_names_the_collaborative_and_every_team(engine: QIEngine) -> None:
    summary = summarize(engine, DEMO_COLLABORATIVE_ID)
    console = Console(record=True, width=200)
    console.print(render_summary(summary))
    text = console.export_text()
    assert summary.title in text and "community_of_practice" in text
    assert all(team.name in text for team in summary.teams)


def test_a_second_store_seeded_from_scratch_holds_the_same_demo(engine: QIEngine, tmp_path: Path) -> None:
    other = QIEngine(Settings(store=str(tmp_path / "again.sqlite3")))
    try:
        assert seed_demo(other).created
        assert summarize(other, DEMO_COLLABORATIVE_ID) == summarize(engine, DEMO_COLLABORATIVE_ID)
        assert other.recorder.max_notification_id() == engine.recorder.max_notification_id()
    finally:
        other.close()


def test_an_interrupted_seed_finishes_when_run_again_without_repeating_anything(
    engine: QIEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = QIEngine(Settings(store=str(tmp_path / "interrupted.sqlite3")))
    execute, calls = other.execute, Counter[str]()

    def failing_midway(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > 300:
            raise ConnectionError("the store went away")
        return execute(*args, **kwargs)

    try:
        monkeypatch.setattr(other, "execute", failing_midway)
        with pytest.raises(ConnectionError):
            seed_demo(other)
        monkeypatch.setattr(other, "execute", execute)
        assert seed_demo(other).created
        assert other.recorder.max_notification_id() == engine.recorder.max_notification_id()
    finally:
        other.close()
