"""A client that uses the pages as a browser does: it signs in through the form
(with the sign-in page's CSRF token) and sends each page's CSRF token with its forms."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from adapters.web.session import COOKIE

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')


class PageClient:
    """A TestClient that remembers the CSRF token of the last page it read and sends it with every post."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = ""

    def get(self, path: str, **kw: Any) -> Response:
        response = self.client.get(path, **kw)
        self.remember(response)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Response:
        response = self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kw)
        self.remember(response)
        return response

    def remember(self, response: Response) -> None:
        found = (
            CSRF_FIELD.search(response.text)
            if "text/html" in response.headers.get("content-type", "")
            else None
        )
        if found:
            self.csrf = found[1]

    @property
    def session(self) -> str | None:
        """The session cookie's value: what a stolen cookie would replay."""
        return self.client.cookies.get(COOKIE)


def signed_in(client: TestClient, token: str, next_url: str = "/ui/") -> PageClient:
    """Sign in through the sign-in form; the client then holds the session cookie."""
    page = PageClient(client)
    page.get(f"/ui/sign-in?next={next_url}")
    response = page.post("/ui/sign-in", data={"token": token, "next": next_url}, follow_redirects=False)
    assert response.status_code == 303, response.text
    page.get(next_url)
    return page


def compile_toolkit(flow: Any, resource_ids: list[str] | None = None) -> str:
    """A toolkit of the flow's collaborative, over one new change idea: its id."""
    base = f"/collaboratives/{flow.collaborative}/driver-diagram"
    primary = flow.ok(f"{base}/drivers", {"level": "primary", "name": "Weights"})["created"]["Driver"][0]
    body = {"level": "secondary", "name": "On records", "primary_driver_id": primary}
    secondary = flow.ok(f"{base}/drivers", body)["created"]["Driver"][0]
    idea = flow.ok(f"{base}/change-ideas", {"name": "Kg box", "secondary_driver_id": secondary})["created"]
    body = {"title": "Kg toolkit", "change_idea_ids": idea["ChangeIdea"], "resource_ids": resource_ids or []}
    return str(flow.ok(f"/collaboratives/{flow.collaborative}/toolkits", body)["id"])
