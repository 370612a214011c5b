"""The demo seed: a year of a pediatric readiness collaborative, run through the
engine's own commands on a temporary SQLite store."""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from rich.console import Console

from adapters.app import create_app
from adapters.web.session import COOKIE
from aggregates.activity import LearningActivity
from aggregates.base import Actor, QIEvent, Role
from aggregates.collaborative import Collaborative
from aggregates.criteria import Criterion
from aggregates.pdsa import PdsaCycle
from aggregates.phases import PHASES, Phase
from aggregates.team import Team
from aggregates.tokens import Grant
from aggregates.values import ActivityKind, CareSetting, CreditType, OutputKind
from engine.application import QIEngine
from engine.settings import Settings
from engine.web_sessions import sign_in
from scripts.demo import learning, library
from scripts.demo.data import AIM
from scripts.demo.render import render_summary
from scripts.demo.seed import seed_demo
from scripts.demo.steps import DEMO_COLLABORATIVE_ID, demo_id
from scripts.demo.summary import summarize

WEIGHT = "weight-kg"
SETUP = Actor(id="demo-tests", role=Role.SYSTEM)


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


@pytest.fixture(scope="module")
def api(engine: QIEngine) -> Iterator[TestClient]:
    """The API over the seeded store, signed in as staff (the read models catch up on first read)."""
    token = engine.issue_token(Grant(name="demo-reader", role=Role.STAFF), engine.context(SETUP))
    with TestClient(create_app(engine), headers={"Authorization": f"Bearer {token}"}) as client:
        client.cookies.set(COOKIE, str(sign_in(engine, token)))
        yield client


@pytest.fixture(scope="module")
def diagram(api: TestClient) -> dict[str, Any]:
    response = api.get(f"/collaboratives/{DEMO_COLLABORATIVE_ID}/driver-diagram")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _ideas(diagram: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["name"]: i for p in diagram["primary_drivers"] for s in p["children"] for i in s["children"]}


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


def _ramp(team: Team) -> list[tuple[UUID, PdsaCycle]]:
    """The team's linked cycles, in order; a cycle with neither parent nor child stands alone."""
    cycles = sorted(team.state.cycles.items(), key=lambda item: item[1].planned_at)
    return [(i, c) for i, c in cycles if c.plan.ramp_parent_id or c.ramp_children]


def test_every_team_runs_a_ramp_of_linked_pdsa_cycles_through_to_a_decision(
    teams: list[Team],
) -> None:
    for team in teams:
        cycles, ramp = team.state.cycles, _ramp(team)
        assert 2 <= len(ramp) <= 3 and len(cycles) - len(ramp) <= 1
        assert all(cycle.act is not None and cycle.plan.prediction for cycle in cycles.values())
        assert ramp[0][1].plan.ramp_parent_id is None
        for (parent_id, _), (_, child) in pairwise(ramp):
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
        # The ramp as it stood when shared; a cycle borrowed from another team came later.
        assert list(shared.cycle_ids) == [i for i, _ in _ramp(team)][: len(shared.cycle_ids)]
        assert len(shared.cycle_ids) >= 2 and shared.measure_keys == (WEIGHT,)
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
        assert _stored_files(other).keys() == _stored_files(engine).keys()  # the same bytes, by SHA-256
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


# Shared learning -------------------------------------------------------------------


def test_the_change_package_holds_the_aim_drivers_and_readiness_change_ideas(diagram: dict[str, Any]) -> None:
    assert diagram["aim"] == AIM
    primaries = diagram["primary_drivers"]
    assert len(primaries) == 4 and all(p["children"] for p in primaries)
    assert all(s["children"] for p in primaries for s in p["children"])
    names = " | ".join(_ideas(diagram))
    for topic in ("kilograms only", "(PECC)", "equipment checklist", "mock codes", "transfer agreements",
                  "Patient safety policies for children"):  # fmt: skip
        assert topic in names
    retired = [i for i in _ideas(diagram).values() if i["retired"]]
    assert [i["name"] for i in retired] == ["Pounds-to-kilograms conversion chart"]
    assert "6 times in 14" in retired[0]["retired_reason"] and retired[0]["figures"]["abandon"] == 3


def test_every_pdsa_cycle_tests_a_change_idea_and_adopted_ideas_show_medians_before_and_after(
    teams: list[Team], diagram: dict[str, Any]
) -> None:
    cycles = [cycle for team in teams for cycle in team.state.cycles.values()]
    ideas = {UUID(i["node_id"]): i for i in _ideas(diagram).values()}
    assert all(cycle.plan.change_idea_id in ideas for cycle in cycles)
    assert sum(i["figures"]["cycles"] for i in ideas.values()) == len(cycles)
    adopted = [i for i in ideas.values() if i["figures"]["adopt"]]
    assert len(adopted) >= 8
    for idea in adopted:
        for result in idea["figures"]["results"]:
            assert result["before_points"] >= 2 and result["after_points"] >= 2
            assert result["after_median"] > result["before_median"] and result["improved"]


def test_the_library_holds_links_and_pdf_documents_that_download_byte_for_byte(api: TestClient) -> None:
    resources = api.get(f"/collaboratives/{DEMO_COLLABORATIVE_ID}/resources").json()
    assert {r["title"] for r in resources} == {spec.title for spec in library.RESOURCES}
    files = [r for r in resources if r["file"]]
    assert len(files) == 3 and all(r["file"]["media_type"] == "application/pdf" for r in files)
    for resource in files:
        response = api.get(f"/resources/{resource['resource_id']}/file")
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == resource["file"]["sha256"]
        [page] = PdfReader(io.BytesIO(response.content), strict=True).pages
        spec = next(s for s in library.RESOURCES if s.title == resource["title"])
        assert spec.document is not None and page.extract_text().startswith(spec.document.heading)
    checklist = api.get(f"/collaboratives/{DEMO_COLLABORATIVE_ID}/resources", params={"tag": "checklist"})
    assert [r["title"] for r in checklist.json()] == ["Pediatric emergency equipment and supplies checklist"]


def test_teams_comment_on_shared_projects_and_try_the_changes_of_others(
    api: TestClient, engine: QIEngine
) -> None:
    projects = api.get(f"/collaboratives/{DEMO_COLLABORATIVE_ID}/shared-projects").json()
    assert sum(len(p["comments"]) for p in projects) == len(learning.COMMENTS)
    answered = [p for p in projects if any(c["team_id"] == p["team_id"] for c in p["comments"])]
    assert len(answered) == 2  # two teams answered questions on their own projects
    trying = [(p, t) for p in projects for t in p["trying"]]
    assert len(trying) == len(learning.BORROWED)
    for project, tried in trying:
        cycle = engine.team(UUID(tried["team_id"])).state.cycles[UUID(tried["cycle_id"])]
        assert tried["team_id"] != project["team_id"] and cycle.act is not None
        assert str(cycle.plan.change_idea_id) in project["change_ideas"]
        assert cycle.planned_at.isoformat() > project["shared_at"]


def test_one_toolkit_is_compiled_in_the_sharing_phase_from_live_ideas_and_library_resources(
    api: TestClient, collaborative: Collaborative, diagram: dict[str, Any]
) -> None:
    [toolkit] = api.get(f"/collaboratives/{DEMO_COLLABORATIVE_ID}/toolkits").json()
    phases = {c.to_phase: c.at for c in collaborative.state.phase_history}
    compiled_at = datetime.fromisoformat(toolkit["compiled_at"])
    assert phases[Phase.SHARING] < compiled_at < phases[Phase.COMMUNITY_OF_PRACTICE]
    view = api.get(f"/toolkits/{toolkit['toolkit_id']}").json()
    live = {name for name, idea in _ideas(diagram).items() if not idea["retired"]}
    chosen = [i["idea"]["name"] for i in view["change_ideas"]]
    assert len(chosen) == len(learning.TOOLKIT_IDEAS) and set(chosen) <= live
    assert len(view["resources"]) == len(learning.TOOLKIT_RESOURCES)
    outputs = [o for o in collaborative.state.outputs.values() if o.details.kind is OutputKind.TOOLKIT]
    assert [o.details.url for o in outputs] == [f"/toolkits/{toolkit['toolkit_id']}"]


def test_the_pages_show_the_diagram_with_figures_the_library_the_toolkit_and_linked_cycles(
    api: TestClient,
) -> None:
    base = f"/ui/collaboratives/{DEMO_COLLABORATIVE_ID}"
    diagram = api.get(f"{base}/driver-diagram")
    assert diagram.status_code == 200
    assert "Designate a pediatric emergency care coordinator (PECC)" in diagram.text
    assert "adopt 8 · adapt 0 · abandon 0" in diagram.text  # the dedicated pediatric scale
    library = api.get(f"{base}/library").text
    assert "Pediatric emergency equipment and supplies checklist" in library
    assert "We are trying this:" in library and "Sweetgrass County Hospital" in library
    toolkits = api.get(f"{base}/toolkits").text
    assert "Every Child, Every Time, in Kilograms" in toolkits
    team = api.get(f"/ui/teams/{demo_id('team', 'prairie-view')}").text
    assert (
        '<dd class="linked-idea">' in team and "Lock every scale used for children to kilograms</a>" in team
    )


def _stored_files(engine: QIEngine) -> dict[str, float]:
    folder = engine.settings.files_folder
    return {p.name: p.stat().st_mtime for p in folder.rglob("*") if p.is_file()}


def test_seeding_again_leaves_the_file_store_untouched(engine: QIEngine) -> None:
    before = _stored_files(engine)
    assert len(before) == 3
    assert not seed_demo(engine).created
    assert _stored_files(engine) == before


def test_the_demo_s_credit_check_lists_the_learners_and_the_fireside_chats_still_to_complete(
    api: TestClient,
) -> None:
    check = api.get(f"/collaboratives/{DEMO_COLLABORATIVE_ID}/credit-check").json()
    reports = {r["report"]: r for r in check["reports"]}
    assert {"ACCME PARS (CME)", "ANCC contact hours", "CAPCE"} <= reports.keys()
    assert all(0 < r["ready"] < r["completions"] for r in reports.values())  # most, not all, can go
    assert check["learners"] and all(m["lacks"] for m in check["learners"])
    waiting = {a["title"] for a in check["activities"]}
    assert waiting and all(title.startswith("Fireside chat") for title in waiting)
    assert len(check["figures"]) == 12 and all(f["physicians"] + f["others"] > 0 for f in check["figures"])
    page = api.get(f"/ui/collaboratives/{DEMO_COLLABORATIVE_ID}/credit-check")
    assert page.status_code == 200 and "Learners to complete" in page.text
