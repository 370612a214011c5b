"""Forged cross-site posts: a form without this session's CSRF token (or with a
wrong one) is refused with a clear page error and changes nothing, on sign-in,
sign-out and every form of every page; the real forms still work."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from adapters.web import forms, learning_pages, pages, sign_in, toolkit_pages
from adapters.web.session import COOKIE
from aggregates.base import Role
from engine.application import QIEngine
from tests.api.conftest import Api, issue
from tests.api.flow import HttpFlow
from tests.conftest import Clock
from tests.web.pages import PageClient, signed_in

EXPIRED = "this form has expired; reload the page and try again"


def _ui_posts() -> list[str]:
    routes = [
        r for module in (pages, forms, learning_pages, sign_in, toolkit_pages) for r in module.router.routes
    ]
    return sorted(
        r.path
        for r in routes
        if isinstance(r, APIRoute) and "POST" in r.methods and r.path.startswith("/ui/")
    )


def _fill(path: str) -> str:
    """A path with every parameter filled (ids are random: the refusal comes first)."""
    fixed = {"stage": "do", "action": "aim"}
    return re.sub(r"\{(\w+)\}", lambda m: fixed.get(m[1], str(uuid4())), path)


def test_a_forged_sign_in_is_refused_and_starts_no_session(
    client: TestClient, staff: Api, app_engine: QIEngine
) -> None:
    before = app_engine.recorder.max_notification_id()
    forged = client.post("/ui/sign-in", data={"token": staff.token, "next": "/ui/"}, follow_redirects=False)
    assert forged.status_code == 403 and EXPIRED in forged.text
    page = PageClient(client)
    page.get("/ui/sign-in")
    wrong = client.post(
        "/ui/sign-in", data={"token": staff.token, "csrf_token": "guessed"}, follow_redirects=False
    )
    assert wrong.status_code == 403 and EXPIRED in wrong.text
    assert COOKIE not in client.cookies and app_engine.recorder.max_notification_id() == before


def test_a_forged_sign_out_leaves_the_session_open(client: TestClient, staff: Api) -> None:
    page = signed_in(client, str(staff.token))
    forged = client.post("/ui/sign-out", follow_redirects=False)
    assert forged.status_code == 403 and EXPIRED in forged.text and 'role="alert"' in forged.text
    assert page.get("/ui/", follow_redirects=False).status_code == 200


@pytest.mark.parametrize("sent", [None, "0" * 64])
def test_a_forged_post_to_any_form_is_refused_and_stores_nothing(
    client: TestClient, staff: Api, app_engine: QIEngine, sent: str | None
) -> None:
    signed_in(client, str(staff.token))
    paths = [p for p in _ui_posts() if p not in ("/ui/sign-in", "/ui/sign-out")]
    assert len(paths) >= 12  # every form of every page
    before = app_engine.recorder.max_notification_id()
    for path in paths:
        data = {"command_id": str(uuid4()), "title": "forged", "text": "forged"} | (
            {"csrf_token": sent} if sent else {}
        )
        upload = path.endswith("/files")  # a complete upload: only the token is missing
        files = {"file": ("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")} if upload else None
        data = {k: v for k, v in data.items() if k != "text"} | {"kind": "article"} if upload else data
        response = client.post(_fill(path), data=data, files=files, follow_redirects=False)
        assert response.status_code == 403 and EXPIRED in response.text, (path, response.status_code)
    assert app_engine.recorder.max_notification_id() == before


def test_a_token_of_another_session_is_refused(client: TestClient, staff: Api, app_engine: QIEngine) -> None:
    other = signed_in(TestClient(client.app), issue(app_engine, Role.STAFF, "bob"))
    signed_in(client, str(staff.token))
    response = client.post("/ui/sign-out", data={"csrf_token": other.csrf}, follow_redirects=False)
    assert response.status_code == 403 and EXPIRED in response.text


def test_every_form_on_the_pages_carries_the_sessions_token(
    client: TestClient, staff: Api, clock: Clock
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("sharing")
    page = signed_in(client, str(staff.token))
    c = flow.collaborative
    for path in (f"/ui/collaboratives/{c}", f"/ui/teams/{flow.teams[0]}", f"/ui/collaboratives/{c}/library",
                 f"/ui/collaboratives/{c}/driver-diagram", f"/ui/collaboratives/{c}/toolkits"):  # fmt: skip
        html = page.get(path).text
        forms = re.findall(r'<form method="post".*?</form>', html, re.S)
        assert forms and all(f'name="csrf_token" value="{page.csrf}"' in f for f in forms), path


def test_the_real_forms_work_with_their_token(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("sharing")
    page = signed_in(client, str(staff.token), f"/ui/collaboratives/{flow.collaborative}/driver-diagram")
    form = {"aim": "Every child weighed in kg", "command_id": str(uuid4())}
    sent = page.post(
        f"/ui/collaboratives/{flow.collaborative}/driver-diagram/aim", data=form, follow_redirects=False
    )
    assert sent.status_code == 303
    assert (
        "Every child weighed in kg"
        in page.get(f"/ui/collaboratives/{flow.collaborative}/driver-diagram").text
    )
    assert page.post("/ui/sign-out", follow_redirects=False).status_code == 303
    assert page.get("/ui/", follow_redirects=False).status_code == 303
