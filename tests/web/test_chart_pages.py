"""A measure's chart page, as the people of a team use it in a browser: the chart and how
it is drawn (the baseline and its reason, the phases and theirs, the rules used); the
coach deciding a new phase through the form, a member's same form becoming a proposal the
coach accepts on the page; refused decisions shown beside their fields with nothing
stored; an auditor seeing no forms; notes at a month with or without data, withdrawn with
a reason, and only by those who may; the page before the sessions phase; a form sent
twice stored once."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from aggregates.accounts import Access
from aggregates.base import Role
from aggregates.tokens import Grant, Principal
from engine.application import QIEngine
from tests.api.conftest import Api
from tests.api.flow import HttpFlow
from tests.conftest import Clock
from tests.web.pages import PageClient

INVITER = Principal.of_token(uuid4(), Grant(name="Setup (staff)", role=Role.STAFF))
PASSWORD = "a long password here"
# Twenty-four months of a team's weighings in kg: steady near 50%, then about 70%.
MONTHS = [f"{2023 + i // 12}-{i % 12 + 1:02d}" for i in range(24)]
VALUES = [50, 52, 48, 51, 49, 50, 53, 47, 50, 52, 48, 51, 49, 50, 51, 49, 50, 52, 48, 50, 70, 72, 69, 71]


def person(client: TestClient, engine: QIEngine, name: str, **membership: Any) -> PageClient:
    """Someone with an account of their own, signed in through the form in their own browser."""
    email = f"{name.lower().replace(' ', '.')}@charts.example"
    accounts = engine.accounts
    account = accounts.account(accounts.invite(INVITER, email=email, name=name, **membership))
    assert account is not None
    accounts.accept(accounts.invitation_link(account) or "", PASSWORD)
    page = PageClient(TestClient(client.app))
    page.get("/ui/sign-in")
    signed = page.post("/ui/sign-in", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    return page


@dataclass
class Scene:
    engine: QIEngine
    flow: HttpFlow
    coach: PageClient
    member: PageClient
    other_member: PageClient
    auditor: PageClient

    @property
    def team(self) -> str:
        return self.flow.teams[0]

    @property
    def chart(self) -> str:
        return f"/ui/teams/{self.team}/measures/weight-kg/chart"

    def stored(self) -> int:
        return self.engine.recorder.max_notification_id() or 0


@pytest.fixture
def scene(client: TestClient, app_engine: QIEngine, staff: Api, clock: Clock) -> Scene:
    flow = HttpFlow(staff, clock)
    flow.up_to("sessions")
    for period, value in zip(MONTHS, VALUES, strict=True):
        staff.ok(f"/teams/{flow.teams[0]}/measures/weight-kg/data", {"period": period, "numerator": value,
                                                                     "denominator": 100})  # fmt: skip
    team = flow.teams[0]
    auditor = Access(role=Role.AUDITOR, collaborative_id=flow.collaborative)
    return Scene(
        app_engine, flow,
        coach=person(client, app_engine, "Cleo Coach", team_id=team, as_coach=True),
        member=person(client, app_engine, "Mo Member", team_id=team, discipline="nurse"),
        other_member=person(client, app_engine, "Ola Other", team_id=team, discipline="nurse"),
        auditor=person(client, app_engine, "Aude Auditor", access=auditor),
    )  # fmt: skip


def text_of(page: str) -> str:
    """The page's main text, without markup, as a reader takes it in."""
    main = page.split('<main id="main" tabindex="-1">', 1)[-1]
    inline = re.sub(r"</?(?:strong|em|span|a)\b[^>]*>", "", main)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def section(page: str, id_: str) -> str:
    found = re.search(rf'<section id="{id_}".*?</section>', page, re.S)
    assert found, f"no section {id_}"
    return text_of(found[0])


def decide(page: PageClient, chart: str, **fields: str) -> Any:
    page.get(chart)
    return page.post(f"{chart}/decisions", data={"percent": "yes", "decides": "yes", **fields})


def test_the_chart_page_shows_the_chart_its_description_and_how_it_is_drawn(scene: Scene) -> None:
    page = scene.member.get(scene.chart)
    assert page.status_code == 200
    assert "<svg" in page.text and 'class="chart wide"' in page.text
    caption = re.search(r"<figcaption>(.*?)</figcaption>", page.text, re.S)
    assert caption, "the chart has no description"
    described = " ".join(html.unescape(caption[1]).split())
    assert described.startswith("P chart of Weight in kilograms: the measure's control chart"), described
    assert "24 months with data" in described and "baseline of the first 20 point" in described
    drawn = section(page.text, "decisions")
    assert "Limits from 20 months, through Aug 2024" in drawn
    assert "One phase: nobody has started a new one." in drawn
    assert re.search(r"Rules .+, version \S+: .*Anhøj", drawn), drawn
    team_page = scene.member.get(f"/ui/teams/{scene.team}")
    assert f'href="{scene.chart}"' in team_page.text and "Chart settings and notes" in team_page.text


def test_the_coach_starts_a_new_phase_through_the_form_and_the_page_shows_it_with_its_reason(
    scene: Scene,
) -> None:
    done = decide(
        scene.coach, scene.chart, kind="split", starts="2024-09", reason="Kg-only scales in every bay"
    )
    assert done.status_code == 200 and "Decided: the chart below is drawn that way now." in done.text
    phases = section(done.text, "decisions")
    assert "Jan 2023 to Aug 2024" in phases
    assert "Sep 2024 to Dec 2024: Kg-only scales in every bay — Cleo Coach" in phases
    assert (
        "Kg-only scales in every bay" in done.text.split('<section id="decisions"')[0]
    )  # drawn on the chart


def test_a_members_form_is_a_proposal_that_decides_nothing_until_the_coach_accepts_it(scene: Scene) -> None:
    page = scene.member.get(scene.chart)
    assert 'name="decides" value="no"' in page.text and "Propose this to the coach" in page.text
    sent = scene.member.post(f"{scene.chart}/decisions", data={"kind": "split", "starts": "2024-09", "percent":
                             "yes", "decides": "no", "reason": "Our new scales went in"})  # fmt: skip
    assert "Proposed: the coach or staff will see it under Proposals" in sent.text
    assert "One phase: nobody has started a new one." in section(sent.text, "decisions")
    assert "A new phase from Sep 2024: Our new scales went in" in section(sent.text, "proposals")
    assert "Accept" not in section(sent.text, "proposals")  # a member does not answer

    coach_page = scene.coach.get(scene.chart)
    answer = re.search(r'action="([^"]+/proposals/[^"]+/answer)"', coach_page.text)
    assert answer, "the coach's page offers no answer"
    accepted = scene.coach.post(answer[1], data={"accept": "yes", "reason": "Agreed: a new phase from then"})
    assert "Answered" in accepted.text
    assert "Sep 2024 to Dec 2024: Our new scales went in" in section(accepted.text, "decisions")
    answered = section(accepted.text, "proposals")
    assert "A new phase from Sep 2024: Our new scales went in (proposed by Mo Member" in answered
    assert "accepted by Cleo Coach (coach): Agreed: a new phase from then" in answered


@pytest.mark.parametrize(
    ("fields", "field", "words", "kept"),
    [
        (
            {"kind": "goal", "goal": "150", "reason": "Stretch goal"},
            "goal",
            "between 0 and 100",
            ('id="goal" name="goal" inputmode="decimal" value="150"', ">Stretch goal</textarea>"),
        ),
        (
            {"kind": "baseline", "points": "3", "reason": "Short baseline"},
            "points",
            "from 8 to",
            ('value="3"', ">Short baseline</textarea>"),
        ),
        (
            {"kind": "split", "starts": "2024-09", "reason": ""},
            "reason",
            "empty",
            ('<option value="2024-09" selected>',),
        ),
    ],
    ids=["a goal of 150% on a proportion", "a baseline of 3 months", "an empty reason"],
)
def test_a_refused_decision_is_shown_beside_its_field_with_the_values_kept_and_nothing_stored(
    scene: Scene, fields: dict[str, str], field: str, words: str, kept: tuple[str, ...]
) -> None:
    scene.coach.get(scene.chart)
    before = scene.stored()
    refused = decide(scene.coach, scene.chart, **fields)
    assert refused.status_code in (409, 422), refused.status_code
    assert scene.stored() == before
    element = re.search(rf'<(?:input|select|textarea)[^>]*name="{field}"[^>]*aria-invalid="true"[^>]*>',
                        refused.text)  # fmt: skip
    assert element, f"the {field} field is not marked invalid"
    error = re.search(rf'id="{re.escape(field)}-error">([^<]*)<', refused.text)
    assert error and words in error[1], (field, error)
    assert all(k in refused.text for k in kept), [k for k in kept if k not in refused.text]
    assert "<details open><summary>" in refused.text  # the refused form stays open


def test_an_auditor_reads_the_chart_and_sees_no_forms(scene: Scene) -> None:
    page = scene.auditor.get(scene.chart)
    assert page.status_code == 200 and "How this chart is drawn" in page.text
    assert "<form" not in page.text.split('<main id="main"', 1)[1]


def test_before_the_sessions_phase_no_team_reports_the_measure_and_the_chart_page_says_so(
    client: TestClient, app_engine: QIEngine, staff: Api, clock: Clock
) -> None:
    """Charts are decided from the sessions phase on, when teams take up the measures; before,
    the collaborative's chart has no team to draw (so the page's "decided from the sessions
    phase on" cannot show: there is no chart page before sessions)."""
    flow = HttpFlow(staff, clock)
    flow.up_to("orientation")
    staff_page = person(client, app_engine, "Stan Staff", access=Access(role=Role.STAFF))
    page = staff_page.get(f"/ui/collaboratives/{flow.collaborative}/measures/weight-kg/chart")
    assert page.status_code == 404
    assert "No measure 'weight-kg' in any team of collaborative" in text_of(page.text)


def test_a_note_at_a_month_without_data_is_listed_and_withdrawn_with_a_reason(scene: Scene) -> None:
    scene.member.get(scene.chart)
    noted = scene.member.post(f"{scene.chart}/annotations", data={"period": "2025-02",
                              "text": "New triage nurse started"})  # fmt: skip
    assert "The note is on the chart at its month." in noted.text
    assert re.search(
        r"Feb 2025: New triage nurse started Mo Member \(team\), \d+ \w+ 2025", section(noted.text, "notes")
    )
    withdraw = re.search(r'action="([^"]+/annotations/[^"]+/withdraw)"', noted.text)
    assert withdraw
    gone = scene.member.post(withdraw[1], data={"reason": "Posted on the wrong chart"})
    assert "The note is withdrawn" in gone.text
    assert "No notes yet." in section(gone.text, "notes")


def test_a_member_is_offered_no_withdrawal_of_another_members_note_and_if_sent_is_told_why(
    scene: Scene,
) -> None:
    scene.member.get(scene.chart)
    noted = scene.member.post(
        f"{scene.chart}/annotations", data={"period": "2024-03", "text": "Scales fixed"}
    )
    withdraw = re.search(r'action="([^"]+/annotations/[^"]+/withdraw)"', noted.text)
    assert withdraw
    theirs = scene.other_member.get(scene.chart)
    assert (
        "Scales fixed" in section(theirs.text, "notes") and withdraw[1] not in theirs.text
    )  # no form offered
    assert withdraw[1] in scene.coach.get(scene.chart).text  # the coach withdraws anyone's
    scene.other_member.get(scene.chart)
    before = scene.stored()
    refused = scene.other_member.post(withdraw[1], data={"reason": "Not needed"})
    assert refused.status_code == 403 and scene.stored() == before
    assert "you may withdraw only your own notes" in text_of(refused.text)
    assert "Scales fixed" in section(refused.text, "notes")


def test_a_decision_sent_twice_is_stored_once(scene: Scene) -> None:
    page = scene.coach.get(scene.chart)
    command_id = re.search(r'name="command_id" value="([^"]+-goal)"', page.text)
    assert command_id
    fields = {"kind": "goal", "goal": "85", "percent": "yes", "decides": "yes", "reason": "The aim's 85%",
              "command_id": command_id[1]}  # fmt: skip
    before = scene.stored()
    first = scene.coach.post(f"{scene.chart}/decisions", data=fields)
    after_first = scene.stored()
    second = scene.coach.post(f"{scene.chart}/decisions", data=fields)
    assert first.status_code == second.status_code == 200
    assert after_first > before and scene.stored() == after_first
    assert "85%" in section(second.text, "decisions")


def invalid(page: str, field: str) -> str:
    """The error shown beside the field marked invalid (the field found by its error's id)."""
    assert re.search(rf'aria-invalid="true" aria-describedby="{field}-error"', page), (
        f"{field} not marked invalid"
    )
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    assert error, f"no error beside {field}"
    return error[1]


def test_an_answer_a_withdrawal_and_a_note_without_their_words_are_refused_beside_their_fields(
    scene: Scene,
) -> None:
    scene.member.get(scene.chart)
    scene.member.post(f"{scene.chart}/decisions", data={"kind": "split", "starts": "2024-09", "percent": "yes",
                      "decides": "no", "reason": "Our new scales went in"})  # fmt: skip
    noted = scene.member.post(
        f"{scene.chart}/annotations", data={"period": "2024-03", "text": "Scales fixed"}
    )
    withdraw = re.search(r'action="([^"]+/annotations/[^"]+/withdraw)"', noted.text)
    answer = re.search(r'action="([^"]+/proposals/[^"]+/answer)"', scene.coach.get(scene.chart).text)
    assert withdraw and answer
    before = scene.stored()

    unanswered = scene.coach.post(answer[1], data={"accept": "yes", "reason": ""})
    assert unanswered.status_code == 422 and "empty" in invalid(unanswered.text, "answer_reason")
    kept = scene.member.post(withdraw[1], data={"reason": "no"})
    assert kept.status_code == 422 and invalid(kept.text, "withdraw_reason")
    assert re.search(r"<details open><summary>Withdraw this note</summary>.*?>no</textarea>", kept.text, re.S)
    empty = scene.member.post(f"{scene.chart}/annotations", data={"period": "", "text": ""})
    assert empty.status_code == 422
    assert invalid(empty.text, "note_period") == "choose the month the note is about"
    assert invalid(empty.text, "text") == "write the note first"
    assert scene.stored() == before
