"""A live server on the demo data, and headless Chromium (Debian's, no download)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import pytest

from adapters.app import create_app
from aggregates.base import Actor, Role
from aggregates.tokens import Grant
from engine.application import QIEngine
from engine.settings import Settings
from scripts.demo.seed import seed_demo
from scripts.demo.steps import DEMO_COLLABORATIVE_ID
from tests.browser.serving import serve
from tests.browser.tour import Tour, tour_of
from tests.conftest import IN_CI

CHROMIUM = os.environ.get("QI_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


@dataclass
class Site:
    url: str
    engine: QIEngine
    staff_token: str

    def token(self, role: Role, name: str, **scope: object) -> str:
        ctx = self.engine.context(Actor(id="browser-tests", role=Role.SYSTEM))
        return self.engine.issue_token(Grant(name=name, role=role, **scope), ctx)  # type: ignore[arg-type]

    @property
    def demo(self) -> UUID:
        return DEMO_COLLABORATIVE_ID


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    engine = QIEngine(Settings(store=str(tmp_path_factory.mktemp("web") / "qi.sqlite3")))
    seed_demo(engine)
    staff = engine.issue_token(
        Grant(name="staff-sam", role=Role.STAFF), engine.context(Actor(id="t", role=Role.SYSTEM))
    )
    with serve(create_app(engine)) as url:
        yield Site(url, engine, staff)


@pytest.fixture(scope="session")
def tour(site: Site) -> Tour:
    """The demo's people signed in one by one, and every page by name (tests/browser/tour.py)."""
    return tour_of(site.engine)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        message = f"Chromium is not installed at {CHROMIUM} (scripts/test installs Debian's chromium)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


# Runs in every page before its own scripts: a blocked inline script or style, or a
# resource the policy refuses, is reported on the console, where the fixture collects it.
REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", e =>
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} in ${e.documentURI}`));"""


@pytest.fixture
def page(browser: object, site: Site) -> Iterator[object]:
    """A page whose test fails if the browser reports any Content-Security-Policy violation."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site.url)  # type: ignore[attr-defined]
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if _is_violation(m.text) else None)
    yield page
    context.close()
    assert not violations, (
        f"the browser reported {len(violations)} Content-Security-Policy violations: {violations[:4]}"
    )


def _is_violation(text: str) -> bool:
    return text.startswith("CSP violation") or "Content Security Policy" in text


def shot(page: object, name: str) -> Path:
    """Save a full-page screenshot as a test artifact."""
    path = ARTIFACTS / f"{name}.png"  # a name may hold a folder: "whole/01-start"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
