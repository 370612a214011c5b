"""A whole collaborative run from the pages only, in headless Chromium: after one staff
sign-in, nothing but clicks and typing, from starting the collaborative to its community of
practice (whole_pages.py); then the same collaborative built over the HTTP API on an engine
of its own (whole_api.py). Their dashboards and credit ledgers must be the same, figure for
figure, once ids, timestamps and positions are set aside; and so must their records (the
collaborative, each team with its answers, months and cycles, the session, the library)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from aggregates.base import Actor, Role
from aggregates.tokens import Grant
from engine.application import QIEngine
from engine.settings import Settings
from tests.browser.serving import serve
from tests.browser.whole_api import ApiTwin, differences, read
from tests.browser.whole_pages import Pages
from tests.browser.whole_values import INVITED, ROSTER, TEAMS, ZOOM_MINUTES

SETUP = Actor(id="whole-collaborative-setup", role=Role.SYSTEM)


def _engine(folder: Path) -> tuple[QIEngine, str]:
    """A fresh engine on its own SQLite file, and a staff token (the one set-up allowed)."""
    engine = QIEngine(Settings(store=str(folder / "qi.sqlite3")))
    token = engine.issue_token(Grant(name="Ann Staff", role=Role.STAFF), engine.context(SETUP))
    return engine, token


@pytest.fixture
def paged(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The served app on an engine no other test touches: its URL and a staff token."""
    (tmp_path / "pages").mkdir()
    engine, token = _engine(tmp_path / "pages")
    try:
        with serve(create_app(engine)) as url:
            yield url, token
    finally:
        engine.close()


def run_through_the_pages(pages: Pages) -> str:
    """The whole collaborative, phase by phase, every exit criterion met: its id."""
    collaborative = pages.create()
    pages.set_zone_measure_and_criteria()
    pages.advance("registration")
    for team in TEAMS:
        pages.register(team)
    pages.invite(TEAMS[0])
    pages.advance("orientation")
    for team in TEAMS:
        pages.gap_analysis(team)
    pages.shot("gap-analyses-submitted")
    pages.schedule_session()
    pages.advance("sessions")
    pages.attendance()
    for team in TEAMS:
        pages.report_measure_and_upload(team)
    pages.shot("a-year-of-data")
    pages.advance("projects")
    for team in TEAMS:
        pages.pdsa(team)
    pages.shot("pdsa-acted")
    pages.advance("sharing")
    for team in TEAMS:
        pages.share(team)
    pages.shot("project-shared")
    pages.record_output()
    pages.advance("community of practice")
    pages.join_community()
    pages.overview()
    pages.shot("the-collaborative-at-the-end")
    return collaborative


def _by_the_api(folder: Path) -> dict[str, Any]:
    folder.mkdir()
    engine, token = _engine(folder)
    try:
        with TestClient(create_app(engine)) as client:
            collaborative = ApiTwin(client, token).build()
            return read(client, token, collaborative)
    finally:
        engine.close()


def test_a_collaborative_run_from_the_pages_only_ends_with_the_dashboard_and_credits_of_the_same_run_over_the_api(
    browser: Any, paged: tuple[str, str], tmp_path: Path
) -> None:
    url, token = paged
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=url)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        pages = Pages(page)
        pages.sign_in(token)
        collaborative = run_through_the_pages(pages)
    finally:
        context.close()

    with httpx.Client(base_url=url, timeout=30) as client:  # read only, once the pages are done
        by_pages = read(client, token, collaborative)
    by_api = _by_the_api(tmp_path / "api")

    board = by_pages["dashboard"]
    assert board["phase"] == "community_of_practice" and not board["unmet_for_next_phase"]
    assert all(h.get("override_reason") is None for h in board["phase_history"])  # every criterion met
    assert {name: t["members"] for name, t in board["teams"].items()} == {TEAMS[0].name: 2, TEAMS[1].name: 1}
    assert all(
        t["measures"] and next(iter(t["measures"].values()))["points"] == 12 for t in board["teams"].values()
    )
    minutes = {
        name: {e["minutes"] for e in entries.values()} for name, entries in by_pages["credits"].items()
    }
    assert minutes == {**{n: {m} for n, m in ROSTER.items()}, INVITED.name: {ZOOM_MINUTES}}
    found = differences(by_pages, by_api)
    assert not found, "the pages and the API disagree at:\n" + "\n".join(found)
