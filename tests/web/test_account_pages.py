"""The account pages over HTTP: a person lands on what is theirs; the forgotten-password
form answers the same for any email; bad links and bad passwords are refused beside the
field, changing nothing; changing a password signs out every other session; only staff
see the People page; the audit explorer names people and finds them by name; too many
sign-ins from one address are slowed down."""

from __future__ import annotations

import re
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from aggregates.accounts import Access
from aggregates.base import Role
from aggregates.reminders import ReminderKind
from aggregates.tokens import Grant, Principal
from engine.application import QIEngine
from engine.errors import Forbidden
from engine.queries import Queries
from engine.read_models import ReadModels
from engine.settings import Settings
from tests.api.conftest import Api
from tests.web.pages import PageClient, signed_in

STAFF = Principal.of_token(uuid4(), Grant(name="Ann (staff)", role=Role.STAFF))
PASSWORD = "correct horse battery staple"


def person(engine: QIEngine, email: str, role: Role = Role.AUDITOR) -> UUID:
    """An account with access (no team needed), accepted with PASSWORD."""
    account_id = engine.accounts.invite(STAFF, email=email, name="Robin Auditor", access=Access(role=role))
    account = engine.accounts.account(account_id)
    assert account is not None
    engine.accounts.accept(engine.accounts.invitation_link(account) or "", PASSWORD)
    return account_id


def signs_in(client: TestClient, email: str, password: str = PASSWORD) -> tuple[PageClient, int]:
    page = PageClient(client)
    page.get("/ui/sign-in")
    response = page.post("/ui/sign-in", data={"email": email, "password": password}, follow_redirects=False)
    return page, response.status_code


def test_an_auditor_lands_on_the_audit_explorer_and_staff_on_the_collaboratives(
    client: TestClient, app_engine: QIEngine
) -> None:
    person(app_engine, "robin@audit.example")
    page, status = signs_in(client, "robin@audit.example")
    assert status == 303
    home = page.get("/ui/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/ui/audit"
    assert page.get("/ui/audit").status_code == 200


def test_a_wrong_password_is_refused_beside_nothing_and_an_empty_field_is_named(
    client: TestClient, app_engine: QIEngine
) -> None:
    person(app_engine, "robin@audit.example")
    page, status = signs_in(client, "robin@audit.example", "not it at all")
    assert status == 401
    page.get("/ui/sign-in")
    empty = page.post("/ui/sign-in", data={"email": "robin", "password": ""})
    assert empty.status_code == 422
    assert 'id="email-error"' in empty.text and 'id="password-error"' in empty.text


def test_the_forgotten_password_form_answers_the_same_for_an_unknown_email(
    client: TestClient, app_engine: QIEngine
) -> None:
    person(app_engine, "robin@audit.example")
    answers = []
    for email in ("robin@audit.example", "nobody@audit.example"):
        page = PageClient(client)
        page.get("/ui/password-reset")
        response = page.post("/ui/password-reset", data={"email": email})
        answers.append((response.status_code, response.text.replace(email, "EMAIL")))
    assert answers[0] == answers[1] and answers[0][0] == 200


def test_a_link_that_is_not_ours_is_refused_with_what_to_do(client: TestClient) -> None:
    for path in (
        "/ui/invitations/nonsense",
        "/ui/password-reset/nonsense",
        f"/ui/invitations/{uuid4()}.{uuid4()}.AAAA",
    ):
        response = client.get(path)
        assert response.status_code == 410 and "not one this site sent" in response.text


def test_a_short_new_password_is_refused_beside_the_field_and_the_invitation_still_works(
    client: TestClient, app_engine: QIEngine
) -> None:
    account_id = app_engine.accounts.invite(
        STAFF, email="sky@audit.example", name="Sky", access=Access(role=Role.AUDITOR)
    )
    link = app_engine.accounts.invitation_link(app_engine.accounts.account(account_id))  # type: ignore[arg-type]
    page = PageClient(client)
    page.get(f"/ui/invitations/{link}")
    short = page.post(f"/ui/invitations/{link}", data={"password": "short", "confirm": "short"})
    assert short.status_code == 422 and 'id="password-error"' in short.text and "at least 12" in short.text
    differ = page.post(f"/ui/invitations/{link}", data={"password": PASSWORD, "confirm": PASSWORD + "!"})
    assert differ.status_code == 422 and 'id="confirm-error"' in differ.text
    done = page.post(
        f"/ui/invitations/{link}", data={"password": PASSWORD, "confirm": PASSWORD}, follow_redirects=False
    )
    assert done.status_code == 303


def test_changing_the_password_keeps_this_browser_in_and_signs_out_the_others(
    client: TestClient, app_engine: QIEngine
) -> None:
    person(app_engine, "robin@audit.example")
    here, _ = signs_in(client, "robin@audit.example")
    there_cookie = here.session
    with TestClient(create_app(app_engine)) as other_client:
        there, _ = signs_in(other_client, "robin@audit.example")
        here.get("/ui/account")
        wrong = here.post(
            "/ui/account/password",
            data={"current": "nope", "password": "a new passphrase", "confirm": "a new passphrase"},
        )
        assert wrong.status_code == 422 and 'id="current-error"' in wrong.text
        changed = here.post(
            "/ui/account/password",
            data={"current": PASSWORD, "password": "a new passphrase", "confirm": "a new passphrase"},
        )
        assert changed.status_code == 200 and "Your password is changed" in changed.text
        assert here.session != there_cookie
        assert "/ui/sign-in" in str(there.get("/ui/account").url)


def test_only_staff_see_the_people_page(client: TestClient, app_engine: QIEngine, staff: Api) -> None:
    person(app_engine, "robin@audit.example")
    auditor, _ = signs_in(client, "robin@audit.example")
    assert auditor.get("/ui/people").status_code == 403
    client.cookies.clear()
    page = signed_in(client, staff.token or "", "/ui/people")
    invited = page.post(
        "/ui/people/invitations", data={"name": "Lee", "email": "lee@org.example", "role": "staff"}
    )
    assert invited.status_code == 200 and "Invitation sent to" in invited.text
    again = page.post(
        "/ui/people/invitations", data={"name": "Lee", "email": "LEE@org.example", "role": "staff"}
    )
    assert again.status_code == 200  # invited again: a fresh link, the same account
    refused = page.post("/ui/people/invitations", data={"name": "", "email": "nope", "role": "boss"})
    assert refused.status_code == 422 and all(
        f'id="{f}-error"' in refused.text for f in ("name", "email", "role")
    )


def test_the_audit_explorer_names_people_and_finds_them_by_name(
    client: TestClient, app_engine: QIEngine, staff: Api
) -> None:
    account_id = person(app_engine, "robin@audit.example")
    page = signed_in(client, staff.token or "", "/ui/audit")
    found = page.get("/ui/audit", params={"who": "robin"}).text.split("<table")[1]
    assert "Robin Auditor (auditor)" in found and f"account:{account_id}" not in found
    assert "Invitation accepted" in found
    nobody = page.get("/ui/audit", params={"who": "no such person"}).text.split("<table")[1]
    assert "Robin Auditor" not in nobody


@pytest.mark.parametrize("limit", [3])
def test_too_many_sign_ins_from_one_address_are_slowed_down(tmp_path: object, limit: int) -> None:
    engine = QIEngine(Settings(store=f"{tmp_path}/qi.sqlite3", sign_in_per_minute=limit))
    try:
        with TestClient(create_app(engine)) as client:
            statuses = [signs_in(client, "who@example.org", "guess guess guess")[1] for _ in range(limit + 1)]
            assert statuses[:limit] == [401] * limit and statuses[-1] == 429
    finally:
        engine.close()


def test_a_person_downloads_everything_held_about_them_and_nobody_else_s(
    client: TestClient, app_engine: QIEngine
) -> None:
    account_id = person(app_engine, "robin@audit.example")
    page, _ = signs_in(client, "robin@audit.example")
    download = page.get("/ui/account/export")
    assert download.status_code == 200 and download.headers["content-disposition"].startswith("attachment")
    held = download.json()
    assert held["details"]["name"] == "Robin Auditor" and held["account"]["email"] == "robin@audit.example"
    assert held["account"]["account_id"] == str(account_id)
    other = app_engine.accounts.invite(
        STAFF, email="kai@audit.example", name="Kai", access=Access(role=Role.AUDITOR)
    )
    kai = app_engine.accounts.account(other).state.participant_id  # type: ignore[union-attr]
    me = app_engine.accounts.sign_in("robin@audit.example", PASSWORD)
    assert me is not None
    just_a_person = me.principal.model_copy(update={"audits": (), "role": Role.PERSON})
    models = ReadModels(app_engine)
    try:
        queries = Queries(app_engine, models)
        assert queries.personal_data_export(just_a_person, just_a_person.participant_id)["account"]  # type: ignore[arg-type]
        with pytest.raises(Forbidden):
            queries.personal_data_export(just_a_person, kai)
    finally:
        models.close()


def test_staff_issue_a_service_token_shown_once_and_revoke_it_from_the_people_page(
    client: TestClient, staff: Api
) -> None:
    page = signed_in(client, staff.token or "", "/ui/people")
    refused = page.post("/ui/people/tokens", data={"name": "", "role": "team", "expires_in_days": "forever"})
    assert refused.status_code == 422
    assert all(f'id="{f}-error"' in refused.text for f in ("token-name", "token-role", "token-expires"))
    issued = page.post(
        "/ui/people/tokens", data={"name": "warehouse feed", "role": "subscriber", "expires_in_days": "30"}
    )
    assert issued.status_code == 201
    secret = re.search(r"<code>(qi_[^<]+)</code>", issued.text)
    assert secret is not None
    assert (
        issued.text.count(secret[1]) == 1 and "<title>People · QI Collaborative Engine</title>" in issued.text
    )
    feed = Api(client, secret[1])
    assert feed.get("/events").status_code == 200
    assert secret[1] not in page.get("/ui/people").text  # shown once only
    listed = page.get("/ui/people").text
    token = re.search(
        r"<td[^>]*>warehouse feed</td>.*?/ui/people/tokens/([0-9a-f-]+)/revocation", listed, re.S
    )
    assert token is not None
    assert page.post(f"/ui/people/tokens/{token[1]}/revocation", follow_redirects=False).status_code == 303
    assert feed.get("/events").status_code == 401


def test_a_person_turns_a_kind_of_reminder_off_on_their_account_page_and_a_made_up_kind_is_refused(
    client: TestClient, app_engine: QIEngine
) -> None:
    account_id = person(app_engine, "robin@audit.example")
    page, _ = signs_in(client, "robin@audit.example")
    shown = page.get("/ui/account")
    assert shown.text.count('name="receive"') == 3 and shown.text.count(" checked>") == 3
    saved = page.post("/ui/account/reminders", data={"receive": ["data due", "report due"]})
    assert saved.status_code == 200 and "Your reminder choices are saved." in saved.text
    assert saved.text.count(" checked>") == 2
    account = app_engine.accounts.account(account_id)
    assert account is not None and account.state.reminders_off == (ReminderKind.SESSION_SOON,)

    refused = page.post("/ui/account/reminders", data={"receive": ["data due", "birthday"]})
    assert refused.status_code == 422
    assert "there is no kind of reminder called &#39;birthday&#39;" in refused.text
    assert 'aria-describedby="reminders-error"' in refused.text
    again = app_engine.accounts.account(account_id)
    assert again is not None and again.state.reminders_off == (ReminderKind.SESSION_SOON,)
