"""Progress scores through the pages: a team scores itself and its coach scores it, the
scale's levels beside the form; a refusal stays beside its field and stores nothing; the
collaborative's page shows the headline and where a team and its coach disagree."""

from __future__ import annotations

from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from engine.application import QIEngine
from tests.api.conftest import Api
from tests.conftest import Clock
from tests.web.test_team_forms import Scene, main, phase


@pytest.fixture
def at() -> str:
    """The phase the scene's collaborative is walked to (a test parametrizes another)."""
    return "orientation"


@pytest.fixture
def scene(client: TestClient, app_engine: QIEngine, staff: Api, clock: Clock, at: str) -> Scene:
    return Scene(client, app_engine, staff, clock, at)


def _score(
    page, scene: Scene, rater: str, score: str, rationale: str, month: str = "2025-02", team: str = ""
):  # type: ignore[no-untyped-def]
    body = {"rater": rater, "month": month, "score": score, "rationale": rationale}
    return page.post(f"/ui/teams/{scene.team}/progress", body, follow_redirects=False)


@phase("sessions")
def test_a_member_scores_the_team_with_the_levels_beside_the_form_and_sees_it(scene: Scene) -> None:
    page = scene.member()
    form = main(page.get(f"/ui/teams/{scene.team}/progress").text)
    assert "2.5 Changes tested, no improvement" in form and "PDSA cycles are run" in form
    assert (
        'name="rater" value="team"' in form and 'value="coach"' not in form
    )  # a member gives the team's own
    done = _score(page, scene, "team", "2.5", "Two cycles run on the scale")
    assert done.status_code == 303 and done.headers["location"] == f"/ui/teams/{scene.team}/progress#scores"
    shown = main(page.get(f"/ui/teams/{scene.team}/progress").text)
    assert "Feb 2025" in shown and "<strong>2.5</strong> Changes tested, no improvement" in shown
    assert "Two cycles run on the scale" in shown
    assert "What the record suggests" in shown and "a measure defined" in shown


@phase("sessions")
def test_the_coach_gives_the_coachs_score_and_a_level_apart_is_flagged(scene: Scene) -> None:
    _score(scene.member(), scene, "team", "4", "We are nearly there")
    coach = scene.coach()
    form = main(coach.get(f"/ui/teams/{scene.team}/progress").text)
    assert '<input type="hidden" name="rater" value="coach">' in form
    assert _score(coach, scene, "coach", "2.5", "No signal on the chart yet").status_code == 303
    shown = main(coach.get(f"/ui/teams/{scene.team}/progress").text)
    assert "1.5: talk it over" in shown and "Cora Coach" in shown

    front = main(scene.staff().get(f"/ui/collaboratives/{scene.flow.collaborative}").text)
    assert "Progress: <strong>0 of 1 team</strong> at 4 or more in Feb 2025" in front
    overview = main(scene.staff().get(f"/ui/collaboratives/{scene.flow.collaborative}/progress").text)
    assert "0 of 1 team</strong> at 4 or more in Feb 2025" in overview
    assert (
        f'<a href="/ui/teams/{scene.team}/progress">Mercy ED</a>, Feb 2025: the team 4, the coach 2.5'
        in overview
    )


@phase("sessions")
def test_a_score_without_its_reason_is_refused_beside_the_field_and_stores_nothing(scene: Scene) -> None:
    page, before = scene.member(), scene.stored()
    refused = _score(page, scene, "team", "", "  ")
    assert refused.status_code == 422
    html = main(refused.text)
    assert 'id="score-error">choose a score from 1 to 5' in html
    assert 'id="rationale-error">say in a sentence why this score' in html
    assert scene.stored() == before


@phase("sessions")
def test_a_member_of_another_team_may_not_score_this_one(scene: Scene) -> None:
    other = scene.member(scene.other)
    before = scene.stored()
    refused = _score(other, scene, "team", "3", "Not ours to say")
    assert refused.status_code == 403 and scene.stored() == before
    assert scene.engine.team(UUID(scene.team)).state.progress == {}


def test_before_the_learning_sessions_the_page_says_when_scoring_opens(scene: Scene) -> None:
    html = main(scene.member().get(f"/ui/teams/{scene.team}/progress").text)
    assert "<form" not in html.split('id="suggested"')[0].split('id="scores"')[1]
    assert "sessions" in html and "No month is scored yet." in html
