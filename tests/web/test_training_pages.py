"""QI training through the pages: staff publish a module with its knowledge check and CE
credit (a check line that cannot work is refused beside its field); a nurse on a team,
signed in to her account, fails the check, retakes and passes it, and finds the credit on
her transcript; the team's page of training shows her basics done."""

from __future__ import annotations

from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from engine.application import QIEngine
from tests.api.conftest import Api
from tests.conftest import Clock
from tests.web.pages import PageClient
from tests.web.test_team_forms import INVITER, PASSWORD, Scene, main

QUESTIONS = (
    "What does the S of PDSA stand for? | Start | *Study | Stop\nHow many points make a shift? | 4 | *6 | 10"
)


@pytest.fixture
def scene(client: TestClient, app_engine: QIEngine, staff: Api, clock: Clock) -> Scene:
    return Scene(client, app_engine, staff, clock, "orientation")


def _nurse(scene: Scene) -> tuple[PageClient, UUID]:
    """A nurse invited to the team, who accepted and signs in with her password."""
    accounts = scene.engine.accounts
    account_id = accounts.invite(INVITER, email="nia.nurse@mercy.example", name="Nia Nurse",
                                 team_id=UUID(scene.team), discipline="nurse")  # fmt: skip
    account = accounts.account(account_id)
    assert account is not None
    accounts.accept(accounts.invitation_link(account) or "", PASSWORD)
    page = PageClient(TestClient(scene.client.app))
    page.get("/ui/sign-in")
    page.post(
        "/ui/sign-in", {"email": "nia.nurse@mercy.example", "password": PASSWORD}, follow_redirects=False
    )
    return page, account.state.participant_id


def _publish(scene: Scene, **changes: str) -> object:
    form = {"title": "PDSA basics", "summary": "The model for improvement", "topics": "pdsa, measurement",
            "questions": QUESTIONS, "pass_mark": "100", "credit_types": ["cne", "cme"], "hours": "1",
            "accrediting_body": "AAP"} | changes  # fmt: skip
    return scene.staff().post(
        f"/ui/collaboratives/{scene.flow.collaborative}/training", form, follow_redirects=False
    )


def test_staff_publish_a_module_and_a_nurse_passes_its_check_on_the_second_try(scene: Scene) -> None:
    published = _publish(scene)
    assert published.status_code == 303, published.text
    module = published.headers["location"].rsplit("/", 1)[-1]
    page, nurse = _nurse(scene)
    html = main(page.get(f"/ui/training-modules/{module}").text)
    assert (
        "1. What does the S of PDSA stand for?" in html
        and "Passing the check earns 1 h of CE (CNE, CME, AAP)" in html
    )

    failed = page.post(
        f"/ui/training-modules/{module}/attempts", {"q1": "1", "q2": "0"}, follow_redirects=False
    )
    assert failed.status_code == 303
    again = main(page.get(f"/ui/training-modules/{module}").text)
    assert "Not passed yet</strong>: your best is 1 of 2 right, and the pass mark is 100%" in again
    assert (
        page.post(
            f"/ui/training-modules/{module}/attempts", {"q1": "1", "q2": "1"}, follow_redirects=False
        ).status_code
        == 303
    )
    done = main(page.get(f"/ui/training-modules/{module}").text)
    assert "<strong>Completed.</strong> Your best: 2 of 2 right." in done and "Send my answers" not in done

    transcript = scene.staff().get(f"/ui/participants/{nurse}/transcript").text
    assert "PDSA basics (enduring material)" in transcript
    team = main(scene.staff().get(f"/ui/teams/{scene.team}/training").text)
    assert "Nia Nurse" in team and "PDSA basics" in team
    listed = main(page.get(f"/ui/collaboratives/{scene.flow.collaborative}/training").text)
    assert "Completed</strong> · best 2 of 2 · 2 attempts" in listed


def test_an_unanswered_question_is_refused_beside_it_and_nothing_is_stored(scene: Scene) -> None:
    module = _publish(scene).headers["location"].rsplit("/", 1)[-1]
    page, _ = _nurse(scene)
    page.get(f"/ui/training-modules/{module}")
    before = scene.stored()
    refused = page.post(f"/ui/training-modules/{module}/attempts", {"q1": "1"}, follow_redirects=False)
    assert refused.status_code == 422 and 'id="q2-error">choose an answer' in refused.text, main(
        refused.text
    )[:600]
    assert scene.stored() == before


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        (
            {"questions": "A question without options"},
            "questions",
            "line 1: give the question, at least two options",
        ),
        ({"pass_mark": "most"}, "pass_mark", "give the pass mark as a whole percentage"),
        ({"hours": "0.3"}, "hours", "multiple of 0.25"),
        ({"title": ""}, "title", "this cannot be empty"),
    ],
)
def test_a_module_that_cannot_work_is_refused_beside_its_field(
    scene: Scene, changes: dict[str, str], field: str, says: str
) -> None:
    refused = _publish(scene, **changes)
    assert refused.status_code in (400, 422), refused.status_code
    assert (
        f'id="{field}-error">' in refused.text and says in refused.text.split(f'id="{field}-error">')[1][:200]
    )


def test_a_team_member_signed_in_with_a_team_token_is_told_to_use_their_own_account(scene: Scene) -> None:
    module = _publish(scene).headers["location"].rsplit("/", 1)[-1]
    html = main(scene.member().get(f"/ui/training-modules/{module}").text)
    assert "People take modules signed in to their own account." in html and "Send my answers" not in html
