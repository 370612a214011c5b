"""The team page's forms for a team's own work, through the pages as a browser sends them:
assessments built from their instrument, sharing the project with its storyboard, coaching
notes, and staff assigning the coach and adding a member. Each form's success, its refusal
beside the field with nothing stored, the phases that open it, and who may send it."""

from __future__ import annotations

import re
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from adapters.web import storyboard
from aggregates.base import Role
from aggregates.instruments import ENVIRONMENTAL_SCAN, GAP_ANALYSIS
from aggregates.resource import Resource
from aggregates.tokens import Grant, Principal
from aggregates.values import AssessmentKind, ResourceKind
from engine.application import QIEngine
from engine.errors import ConcurrencyConflict
from tests.api.conftest import Api, issue
from tests.api.flow import HttpFlow
from tests.conftest import Clock
from tests.web.pages import PageClient, signed_in

PASSWORD = "a long password here"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
INVITER = Principal.of_token(uuid4(), Grant(name="Test setup (staff)", role=Role.STAFF))


class Scene:
    """A collaborative walked over the API to a phase, with its two teams (Mercy ED, then
    Big Sky EMS), and browsers signed in as the people who use the team page."""

    def __init__(self, client: TestClient, engine: QIEngine, staff: Api, clock: Clock, phase: str) -> None:
        self.client, self.engine, self.clock = client, engine, clock
        self.flow = HttpFlow(staff, clock)
        self.flow.up_to(phase)
        self.team, self.other = self.flow.teams
        self.staff_token = staff.token or ""

    def advance(self, to: str) -> None:
        self.flow.advance(to, reason="the test moves on")

    def staff(self) -> PageClient:
        return signed_in(TestClient(self.client.app), self.staff_token, f"/ui/teams/{self.team}")

    def member(self, team: str | None = None) -> PageClient:
        team = team or self.team
        token = issue(self.engine, Role.TEAM, f"member of {team}", team_id=UUID(team))
        return signed_in(TestClient(self.client.app), token, f"/ui/teams/{team}")

    def coach(self, team: str | None = None, name: str = "Cora Coach") -> PageClient:
        """A person invited as the team's coach, who accepted and signs in with a password."""
        accounts = self.engine.accounts
        email = f"{name.lower().replace(' ', '.')}@coach.example"
        account_id = accounts.invite(
            INVITER, email=email, name=name, team_id=UUID(team or self.team), as_coach=True
        )
        account = accounts.account(account_id)
        assert account is not None
        accounts.accept(accounts.invitation_link(account) or "", PASSWORD)
        page = PageClient(TestClient(self.client.app))
        page.get("/ui/sign-in")
        assert (
            page.post(
                "/ui/sign-in", {"email": email, "password": PASSWORD}, follow_redirects=False
            ).status_code
            == 303
        )
        page.get("/ui/account")
        return page

    def stored(self) -> int:
        return self.engine.recorder.max_notification_id() or 0


@pytest.fixture
def at() -> str:
    """The phase the scene's collaborative is walked to (a test parametrizes another)."""
    return "orientation"


@pytest.fixture
def scene(client: TestClient, app_engine: QIEngine, staff: Api, clock: Clock, at: str) -> Scene:
    return Scene(client, app_engine, staff, clock, at)


def phase(name: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("at", [name])


def main(html: str) -> str:
    return html.split('<main id="main" tabindex="-1">', 1)[-1]


def answers(instrument=GAP_ANALYSIS, label: str = "yes", **others: str) -> dict[str, str]:
    """Every item of the instrument answered `label`, except those given (key -> answer)."""
    return {i.key: others.get(i.key.replace("-", "_"), label) for i in instrument.items}


# -- assessments ----------------------------------------------------------------------------
def test_a_gap_analysis_filled_in_on_the_page_is_stored_with_each_answer_scored_and_shown(
    scene: Scene,
) -> None:
    page = scene.member()
    form = answers(gap_weight_kg="no", gap_qi_plan="partly") | {"kind": "gap_analysis", "command_id": "gap-1"}
    response = page.post(f"/ui/teams/{scene.team}/assessments", form, follow_redirects=False)
    assert (
        response.status_code == 303 and response.headers["location"] == f"/ui/teams/{scene.team}#assessments"
    )
    team = scene.engine.team(UUID(scene.team)).state
    [assessment] = [a for a in team.assessments.values() if len(a.items) == len(GAP_ANALYSIS.items)]
    scores = {i.item: (i.score, i.max_score) for i in assessment.items}
    assert scores["Children are weighed in kilograms and the weight is recorded in kilograms only"] == (
        0,
        100,
    )
    assert scores["The quality improvement plan tracks pediatric measures and reviews them regularly"] == (
        50,
        100,
    )
    assert assessment.kind is AssessmentKind.GAP_ANALYSIS and round(assessment.score_percent) == 89
    html = main(page.get(f"/ui/teams/{scene.team}").text)
    assert "Pediatric readiness gap analysis: 89% across 14 items" in html
    row = re.search(
        r"<td[^>]*>Children are weighed in kilograms[^<]*</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>",
        html,
    )
    assert row is not None and row.groups() == ("no", "0 of 100")


def test_the_environmental_scan_has_its_own_answers_and_is_stored_as_a_scan(scene: Scene) -> None:
    page = scene.member()
    form = answers(ENVIRONMENTAL_SCAN, "being set up") | {"kind": "environmental_scan"}
    assert page.post(f"/ui/teams/{scene.team}/assessments", form, follow_redirects=False).status_code == 303
    scans = [
        a
        for a in scene.engine.team(UUID(scene.team)).state.assessments.values()
        if a.kind == "environmental_scan"
    ]
    assert len(scans) == 1 and scans[0].score_percent == 50
    assert (
        "Pediatric readiness environmental scan: 50% across 8 items"
        in page.get(f"/ui/teams/{scene.team}").text
    )


def test_unanswered_items_are_refused_beside_each_one_the_answers_given_are_kept_and_nothing_is_stored(
    scene: Scene,
) -> None:
    page = scene.member()
    before = scene.stored()
    form = {
        k: v
        for k, v in answers(gap_pecc_nurse="partly").items()
        if k not in ("gap-weight-kg", "gap-disaster")
    }
    response = page.post(f"/ui/teams/{scene.team}/assessments", form | {"kind": "gap_analysis"})
    assert response.status_code == 422 and scene.stored() == before
    html = main(response.text)
    assert "2 questions still need an answer" in html
    for key in ("gap-weight-kg", "gap-disaster"):
        assert f'<p class="field-error" id="{key}-error">choose an answer</p>' in html
        assert f'aria-describedby="{key}-error"' in html
        assert re.search(f'name="{key}" id="{key}-1" value="yes" aria-invalid="true"', html)
    assert html.count('class="field-error" id=') == 2
    assert 'name="gap-pecc-nurse" id="gap-pecc-nurse-2" value="partly" checked' in html
    assert "Unprocessable" not in html and "body." not in html
    assert "<details open><summary>Fill in the pediatric readiness gap analysis" in html


def test_an_answer_the_item_does_not_offer_is_refused_beside_it(scene: Scene) -> None:
    page = scene.member()
    before = scene.stored()
    form = answers() | {"gap-equipment": "maybe", "kind": "gap_analysis"}
    response = page.post(f"/ui/teams/{scene.team}/assessments", form)
    assert response.status_code == 422 and scene.stored() == before
    assert (
        '<p class="field-error" id="gap-equipment-error">choose one of: yes, partly, no</p>' in response.text
    )


def test_an_assessment_of_no_known_kind_is_refused_in_words_and_nothing_is_stored(scene: Scene) -> None:
    page = scene.member()
    before = scene.stored()
    response = page.post(f"/ui/teams/{scene.team}/assessments", answers() | {"kind": "survey"})
    assert response.status_code == 422 and scene.stored() == before
    assert "Choose the gap analysis or the environmental scan." in main(response.text)
    assert "body." not in response.text


@phase("registration")
def test_the_assessment_forms_open_only_in_the_orientation_phase_and_are_refused_before(scene: Scene) -> None:
    page = scene.member()
    html = main(page.get(f"/ui/teams/{scene.team}").text)
    assert 'action="/ui/teams/' not in html.split('id="assessments"', 1)[1].split("</section>", 1)[0]
    assert (
        "You can submit a gap analysis or environmental scan from the orientation phase on; "
        "the collaborative is in its registration phase." in html
    )
    before = scene.stored()
    response = page.post(f"/ui/teams/{scene.team}/assessments", answers() | {"kind": "gap_analysis"})
    assert response.status_code == 409 and scene.stored() == before
    assert "allowed in: orientation" in response.text


def test_a_member_of_another_team_and_the_coach_may_not_submit_the_teams_assessment(scene: Scene) -> None:
    coach, outsider = scene.coach(), scene.member(scene.other)
    before = scene.stored()
    form = answers() | {"kind": "gap_analysis"}
    assert outsider.post(f"/ui/teams/{scene.team}/assessments", form).status_code == 403
    assert coach.post(f"/ui/teams/{scene.team}/assessments", form).status_code == 403
    assert scene.stored() == before
    assert "Fill in the pediatric readiness gap analysis" not in coach.get(f"/ui/teams/{scene.team}").text


# -- coaching notes -------------------------------------------------------------------------
@phase("sessions")
def test_the_coach_writes_a_note_shown_with_their_name_and_the_day(scene: Scene) -> None:
    scene.clock.advance(days=3)
    coach = scene.coach()
    day = f"{scene.clock.now:%d %b %Y}".lstrip("0")
    response = coach.post(f"/ui/teams/{scene.team}/coaching-notes", {"note_text": "Weigh every child on arrival."},
                          follow_redirects=False)  # fmt: skip
    assert response.status_code == 303 and response.headers["location"].endswith("#coaching")
    [note] = scene.engine.team(UUID(scene.team)).state.coaching_notes.values()
    assert note.text == "Weigh every child on arrival."
    for reader in (coach, scene.member(), scene.staff()):
        html = main(reader.get(f"/ui/teams/{scene.team}").text)
        assert "<p>Weigh every child on arrival.</p>" in html
        assert re.search(rf"Cora Coach · <time datetime=\"[^\"]+\">{day}</time>", html), html


@phase("sessions")
def test_a_note_about_one_member_names_them(scene: Scene) -> None:
    lead = scene.flow.members[scene.team]
    page = scene.staff()
    form = {"note_text": "Ready to lead the huddle.", "note_about": lead}
    assert (
        page.post(f"/ui/teams/{scene.team}/coaching-notes", form, follow_redirects=False).status_code == 303
    )
    [note] = scene.engine.team(UUID(scene.team)).state.coaching_notes.values()
    assert note.about == UUID(lead)
    assert "about Mercy ED lead</p>" in page.get(f"/ui/teams/{scene.team}").text


@phase("sessions")
def test_an_empty_note_is_refused_beside_the_note_and_nothing_is_stored(scene: Scene) -> None:
    coach = scene.coach()
    before = scene.stored()
    response = coach.post(f"/ui/teams/{scene.team}/coaching-notes", {"note_text": "   "})
    assert response.status_code == 422 and scene.stored() == before
    html = main(response.text)
    assert '<p class="field-error" id="note_text-error">write the note first</p>' in html
    assert (
        'aria-describedby="note_text-error"' in html
        and "<details open><summary>Write a coaching note" in html
    )


@phase("sessions")
def test_a_coach_of_another_team_and_a_member_may_not_write_the_teams_coaching_notes(scene: Scene) -> None:
    other_coach = scene.coach(scene.other, "Otto Othercoach")
    member = scene.member()
    before = scene.stored()
    assert (
        other_coach.post(f"/ui/teams/{scene.team}/coaching-notes", {"note_text": "Hello"}).status_code == 403
    )
    assert member.post(f"/ui/teams/{scene.team}/coaching-notes", {"note_text": "Hello"}).status_code == 403
    assert scene.stored() == before
    assert "Write a coaching note" not in member.get(f"/ui/teams/{scene.team}").text


def test_coaching_notes_open_in_the_sessions_phase(scene: Scene) -> None:
    coach = scene.coach()
    html = main(coach.get(f"/ui/teams/{scene.team}").text)
    assert "Write a coaching note" not in html
    assert (
        "You can add a coaching note from the sessions phase on; the collaborative is in its orientation phase."
        in html
    )
    before = scene.stored()
    assert coach.post(f"/ui/teams/{scene.team}/coaching-notes", {"note_text": "Too soon"}).status_code == 409
    assert scene.stored() == before


# -- the coach and the members ------------------------------------------------------------
def test_staff_assign_a_coach_chosen_by_name_among_the_collaboratives_people(scene: Scene) -> None:
    page = scene.staff()
    other_lead = scene.flow.members[scene.other]
    html = main(page.get(f"/ui/teams/{scene.team}").text)
    assert "No coach assigned yet." in html
    assert f'<option value="{other_lead}">Big Sky EMS lead (member of Big Sky EMS)</option>' in html
    response = page.post(f"/ui/teams/{scene.team}/coach", {"coach_id": other_lead}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].endswith("#members")
    assert scene.engine.team(UUID(scene.team)).state.coach_id == UUID(other_lead)
    assert "Coach: <strong>Big Sky EMS lead</strong>" in page.get(f"/ui/teams/{scene.team}").text


def test_assigning_no_one_as_coach_is_refused_beside_the_choice(scene: Scene) -> None:
    page = scene.staff()
    before = scene.stored()
    response = page.post(f"/ui/teams/{scene.team}/coach", {"coach_id": ""})
    assert response.status_code == 422 and scene.stored() == before
    html = main(response.text)
    assert '<p class="field-error" id="coach_id-error">choose the person who will coach the team</p>' in html
    assert "<details open><summary>Assign a coach" in html


def test_staff_add_someone_already_in_the_collaborative_to_the_team(scene: Scene) -> None:
    page = scene.staff()
    other_lead = scene.flow.members[scene.other]
    form = {"add_participant_id": other_lead, "add_discipline": "paramedic", "add_role": "team_lead"}
    response = page.post(f"/ui/teams/{scene.team}/members", form, follow_redirects=False)
    assert response.status_code == 303
    member = scene.engine.team(UUID(scene.team)).state.members[UUID(other_lead)]
    assert (member.discipline, member.role) == ("paramedic", "team_lead")
    html = main(page.get(f"/ui/teams/{scene.team}").text)
    assert 'Big Sky EMS lead</a> <span class="hint">paramedic, team lead</span>' in html
    assert "Everyone who works in this collaborative is on this team already" in html


def test_adding_a_member_without_their_discipline_is_refused_beside_it_and_the_choice_is_kept(
    scene: Scene,
) -> None:
    page = scene.staff()
    other_lead = scene.flow.members[scene.other]
    before = scene.stored()
    response = page.post(
        f"/ui/teams/{scene.team}/members", {"add_participant_id": other_lead, "add_discipline": ""}
    )
    assert response.status_code == 422 and scene.stored() == before
    html = main(response.text)
    assert (
        '<p class="field-error" id="add_discipline-error">choose the discipline they work in on the team</p>'
        in html
    )
    assert f'<option value="{other_lead}" selected>' in html


def test_a_member_sees_no_staff_forms_and_may_not_assign_the_coach(scene: Scene) -> None:
    member = scene.member()
    html = main(member.get(f"/ui/teams/{scene.team}").text)
    assert "Assign a coach" not in html and "Add someone already in the collaborative" not in html
    before = scene.stored()
    response = member.post(f"/ui/teams/{scene.team}/coach", {"coach_id": scene.flow.members[scene.team]})
    assert response.status_code == 403 and scene.stored() == before


# -- sharing the project --------------------------------------------------------------------
def share(
    page: PageClient,
    team: str,
    data: dict[str, str],
    file: tuple[str, bytes, str] | None = ("story.pdf", PDF, "application/pdf"),
    **kw,
):
    files = {"file": file} if file else {"file": ("", b"", "application/octet-stream")}
    return page.post(f"/ui/teams/{team}/share", data, files=files, **kw)


PROJECT = {"project_title": "Kilograms only", "project_summary": "Every child weighed in kg at triage."}


@phase("projects")
def test_a_team_shares_its_project_with_a_storyboard_kept_in_the_library(scene: Scene) -> None:
    page = scene.member()
    response = share(page, scene.team, PROJECT | {"command_id": "share-1"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/ui/teams/{scene.team}#shared"
    shared = scene.engine.team(UUID(scene.team)).state.shared
    assert shared is not None and (shared.title, shared.summary) == (
        "Kilograms only",
        "Every child weighed in kg at triage.",
    )
    found = re.fullmatch(r"http://testserver/ui/resources/([0-9a-f-]{36})/file", shared.storyboard_url or "")
    assert found is not None
    resource = scene.engine.get(Resource, UUID(found[1])).state
    assert (
        resource.details.kind is ResourceKind.STORYBOARD
        and resource.details.title == "Storyboard: Kilograms only"
    )
    assert resource.file is not None and resource.file.filename == "story.pdf"
    assert page.get(f"/ui/resources/{found[1]}/file").content == PDF
    html = main(page.get(f"/ui/teams/{scene.team}").text)
    assert "Shared project: Kilograms only" in html and f'href="{shared.storyboard_url}"' in html
    library = main(page.get(f"/ui/collaboratives/{scene.flow.collaborative}/library").text)
    assert "Storyboard: Kilograms only" in library and f'href="{shared.storyboard_url}"' in library


@phase("projects")
def test_sending_the_share_form_twice_stores_the_project_and_its_storyboard_once(scene: Scene) -> None:
    page = scene.member()
    assert (
        share(page, scene.team, PROJECT | {"command_id": "twice"}, follow_redirects=False).status_code == 303
    )
    after_first = scene.stored()
    assert (
        share(page, scene.team, PROJECT | {"command_id": "twice"}, follow_redirects=False).status_code == 303
    )
    assert scene.stored() == after_first


@phase("projects")
def test_a_share_without_title_or_storyboard_is_refused_beside_each_field_kept_open_and_filled(
    scene: Scene,
) -> None:
    page = scene.member()
    before = scene.stored()
    response = share(page, scene.team, {"project_title": "", "project_summary": "Kept as typed"}, file=None)
    assert response.status_code == 422 and scene.stored() == before
    html = main(response.text)
    assert '<p class="field-error" id="project_title-error">this cannot be empty</p>' in html
    assert re.search(
        r'<p class="field-error" id="file-error">choose the storyboard file: a PDF, a PowerPoint', html
    )
    assert ">Kept as typed</textarea>" in html and "<details open><summary>Share the project" in html


@phase("projects")
def test_a_storyboard_that_is_no_pdf_powerpoint_or_picture_we_accept_is_refused_beside_the_file(
    scene: Scene,
) -> None:
    page = scene.member()
    before = scene.stored()
    response = share(page, scene.team, PROJECT, file=("story.gif", GIF, "image/gif"))
    assert response.status_code == 422 and scene.stored() == before
    assert (
        'id="file-error">a storyboard is a PDF, a PowerPoint (.pptx) or a PNG or JPEG picture'
        in response.text
    )
    assert 'value="Kilograms only"' in response.text


@phase("sessions")
def test_sharing_opens_in_the_projects_phase_and_before_it_nothing_is_stored_not_even_the_storyboard(
    scene: Scene,
) -> None:
    page = scene.member()
    html = main(page.get(f"/ui/teams/{scene.team}").text)
    assert (
        "You can share a project from the projects phase on; the collaborative is in its sessions phase."
        in html
    )
    assert f'action="/ui/teams/{scene.team}/share"' not in html
    before = scene.stored()
    response = share(page, scene.team, PROJECT)
    assert response.status_code == 409 and scene.stored() == before
    assert "allowed in: projects" in response.text


@phase("projects")
def test_a_member_of_another_team_and_the_coach_may_not_share_the_teams_project(scene: Scene) -> None:
    coach, outsider = scene.coach(), scene.member(scene.other)
    before = scene.stored()
    assert share(outsider, scene.team, PROJECT).status_code == 403
    assert share(coach, scene.team, PROJECT).status_code == 403
    assert scene.stored() == before


@phase("projects")
def test_a_share_whose_storyboard_failed_to_store_completes_when_sent_again(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = scene.member()
    real = storyboard.file_command

    def store_went_away(*args: object) -> object:
        raise ConcurrencyConflict(
            "the library was changed by another command at the same time; reload and retry"
        )

    monkeypatch.setattr(storyboard, "file_command", store_went_away)
    response = share(page, scene.team, PROJECT | {"command_id": "half-done"})
    assert response.status_code == 409 and "reload and retry" in response.text
    assert 'name="command_id" value="half-done"' in response.text  # the retry is the same share
    assert 'id="file-error">the project is shared, but its storyboard is not stored yet' in response.text
    monkeypatch.setattr(storyboard, "file_command", real)
    assert (
        share(page, scene.team, PROJECT | {"command_id": "half-done"}, follow_redirects=False).status_code
        == 303
    )
    url = scene.engine.team(UUID(scene.team)).state.shared.storyboard_url
    assert page.get(url.removeprefix("http://testserver")).content == PDF


# -- forms shown only in the phases that open them -------------------------------------------
def test_planning_a_cycle_opens_in_the_sessions_phase(scene: Scene) -> None:
    page = scene.member()
    html = main(page.get(f"/ui/teams/{scene.team}").text)
    assert "Plan a new cycle" not in html
    assert (
        "You can run a PDSA cycle from the sessions phase on; the collaborative is in its orientation phase."
        in html
    )
    scene.advance("sessions")
    assert "Plan a new cycle" in scene.member().get(f"/ui/teams/{scene.team}").text


@phase("registration")
def test_the_librarys_share_forms_open_in_the_orientation_phase(scene: Scene) -> None:
    page = scene.member()
    library = f"/ui/collaboratives/{scene.flow.collaborative}/library"
    html = main(page.get(library).text)
    assert "Share a link" not in html and "Upload a file" not in html
    assert "You can add a resource to the library from the orientation phase on" in html
    scene.advance("orientation")
    html = main(scene.member().get(library).text)
    assert "Share a link" in html and "Upload a file" in html


@phase("sharing")
def test_comments_and_trying_a_change_close_with_the_collaborative(scene: Scene) -> None:
    page = scene.member()
    library = f"/ui/collaboratives/{scene.flow.collaborative}/library"
    assert "Post comment" in page.get(library).text
    scene.advance("community_of_practice")
    scene.advance("closed")
    html = main(scene.member().get(library).text)
    assert "Post comment" not in html and "We are trying this" not in html
    assert (
        "You could comment on a shared project through the community of practice phase; the collaborative is closed."
        in html
    )


@phase("projects")
def test_the_team_page_with_every_form_open_to_staff_has_no_duplicate_ids_and_a_label_for_each_control(
    scene: Scene,
) -> None:
    html = main(scene.staff().get(f"/ui/teams/{scene.team}").text)
    for form in ("/assessments", "/coaching-notes", "/coach", "/members", "/share", "/invitations"):
        assert f'action="/ui/teams/{scene.team}{form}"' in html, form
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    labelled = set(re.findall(r'<label for="([^"]+)"', html))
    for control in re.finditer(r'<(?:select|textarea|input)\s[^>]*\bid="([^"]+)"[^>]*>', html):
        if 'type="hidden"' not in control[0] and 'type="radio"' not in control[0]:
            assert control[1] in labelled or 'aria-label="' in control[0], control[0]
    radios = re.findall(r'<label class="inline"><input type="radio"[^>]*> ([^<]+)</label>', html)
    assert len(radios) == 3 * (len(GAP_ANALYSIS.items) + len(ENVIRONMENTAL_SCAN.items))
