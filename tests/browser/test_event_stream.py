"""Chromium's own EventSource reads the event stream with the signed-in session: a
browser cannot send an Authorization header from EventSource."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.browser.conftest import Site
from tests.browser.test_pages import sign_in

# Opens an EventSource on the stream and resolves with its first event (or the error).
FIRST_EVENT = """() => new Promise(resolve => {
  const source = new EventSource("/events/stream");
  source.onmessage = e => { source.close(); resolve({id: e.lastEventId, event: JSON.parse(e.data)}); };
  source.onerror = () => { source.close(); resolve({error: source.readyState}); };
})"""


def test_a_signed_in_browsers_event_source_receives_the_stream(page: Page, site: Site) -> None:
    sign_in(page, site.staff_token)
    first: dict[str, Any] = page.evaluate(FIRST_EVENT)
    assert "error" not in first, "the browser's EventSource was refused the stream"
    assert first["event"]["type"].startswith("org.qi.") and first["id"] == str(first["event"]["position"])


def test_an_event_source_without_a_session_is_refused(page: Page) -> None:
    page.goto("/ui/sign-in")
    assert page.evaluate(FIRST_EVENT) == {"error": 2}  # CLOSED: a 401 is not retried
