"""The error page speaks to people: what happened as its heading, no ids, and no field
paths or parser messages for an address typed wrong; then where to go."""

from __future__ import annotations

import re
from uuid import uuid4

from fastapi.testclient import TestClient

from aggregates.base import Role
from engine.application import QIEngine
from tests.api.conftest import Api, issue
from tests.web.pages import signed_in

UUID_SHAPED = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _main_text(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_a_page_that_is_not_there_says_so_without_its_id(client: TestClient, staff: Api) -> None:
    page = signed_in(client, str(staff.token))
    missing = uuid4()
    response = page.get(f"/ui/teams/{missing}")
    text = _main_text(response.text)
    assert response.status_code == 404 and "<h1>Not found</h1>" in response.text
    assert "No team here: the link may be old or mistyped." in text
    assert not UUID_SHAPED.search(text) and "Back to the collaboratives" in text


def test_an_address_typed_wrong_is_explained_without_parser_words(client: TestClient, staff: Api) -> None:
    page = signed_in(client, str(staff.token))
    for path in ("/ui/teams/not-an-id", f"/ui/teams/{uuid4()}?invited=many"):
        response = page.get(path)
        text = _main_text(response.text)
        assert response.status_code == 422, path
        assert "Open the page from a link instead" in text, text
        assert not re.search(r"Unprocessable|path\.|query\.|Input should", text), text


def test_a_page_not_open_to_someone_says_so_and_sends_them_to_their_start(
    client: TestClient, app_engine: QIEngine
) -> None:
    page = signed_in(client, issue(app_engine, Role.AUDITOR, "casey-auditor"))
    response = page.get("/ui/people")
    text = _main_text(response.text)
    assert response.status_code == 403 and "<h1>Not open to you</h1>" in response.text
    assert not UUID_SHAPED.search(text) and "Back to your start page" in text, text
