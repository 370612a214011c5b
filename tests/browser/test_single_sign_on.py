"""Single sign-on in a real browser: from the sign-in page's button to the provider
(tests.oidc_provider, at localhost: another site than the engine's 127.0.0.1) and back,
signed in on the page asked for; and an email with no account refused on the sign-in page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pytest

from adapters.app import create_app
from adapters.web.oidc import FLOW_COOKIE
from adapters.web.session import COOKIE
from aggregates.accounts import Access
from aggregates.base import Role
from aggregates.tokens import Grant, Principal
from engine.application import QIEngine
from engine.settings import Settings
from tests.browser.conftest import REPORT_VIOLATIONS, _is_violation, shot
from tests.browser.serving import serve
from tests.oidc_provider import Provider, running_provider

Page = Any
STAFF = Principal.of_token(uuid4(), Grant(name="Ann", role=Role.STAFF))
EMAIL = "dana@mercy.example"


@dataclass
class SsoSite:
    url: str
    engine: QIEngine
    provider: Provider


@pytest.fixture(scope="module")
def sso_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SsoSite]:
    """The engine's pages at 127.0.0.1, signing in through the provider, with Dana's account."""
    with running_provider() as provider:
        settings = Settings(
            store=str(tmp_path_factory.mktemp("sso") / "qi.sqlite3"), oidc_issuer=provider.issuer,
            oidc_client_id="qi-engine", oidc_client_secret="the client's secret", oidc_name="Mercy ID",
        )  # fmt: skip
        engine = QIEngine(settings)
        _invite_and_accept(engine, EMAIL)
        with serve(create_app(engine)) as url:
            yield SsoSite(url, engine, provider)
        engine.close()


def _invite_and_accept(engine: QIEngine, email: str) -> None:
    account_id = engine.accounts.invite(STAFF, email=email, name="Dana Reyes", access=Access(role=Role.STAFF))
    account = engine.accounts.account(account_id)
    assert account is not None
    link = engine.accounts.invitation_link(account)
    assert link is not None
    engine.accounts.accept(link, "a long password here, not guessed")


@pytest.fixture
def sso_page(browser: Any, sso_site: SsoSite) -> Iterator[Page]:
    """A fresh browser page; the test fails on any Content-Security-Policy violation."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=sso_site.url)
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if _is_violation(m.text) else None)
    yield page
    context.close()
    assert not violations, f"the browser reported Content-Security-Policy violations: {violations[:4]}"


def sign_in_at_the_provider(page: Page, sub: str) -> None:
    """What the person does at the provider's page: say who they are and authorize."""
    page.wait_for_url("**/oauth2/authorize?**")
    page.locator('input[name="sub"]').fill(sub)
    page.get_by_role("button", name="Authorize").click()


def test_signing_in_with_the_provider_lands_signed_in_on_the_page_asked_for(
    sso_page: Page, sso_site: SsoSite
) -> None:
    sub = sso_site.provider.person(EMAIL)
    sso_page.goto("/ui/audit")
    assert "/ui/sign-in?next=/ui/audit" in sso_page.url
    shot(sso_page, "sso-01-sign-in")

    sso_page.get_by_role("link", name="Sign in with Mercy ID").click()
    sign_in_at_the_provider(sso_page, sub)

    sso_page.wait_for_url(f"{sso_site.url}/ui/audit")
    assert sso_page.get_by_text("Dana Reyes · staff").is_visible()
    shot(sso_page, "sso-02-signed-in")
    cookies = {c["name"]: c for c in sso_page.context.cookies()}
    assert cookies[COOKIE]["httpOnly"] and cookies[COOKIE]["sameSite"] == "Strict"
    assert FLOW_COOKIE not in cookies  # the sign-in's cookie went with its use


def test_an_email_with_no_account_is_refused_on_the_sign_in_page(sso_page: Page, sso_site: SsoSite) -> None:
    sub = sso_site.provider.person("stranger@elsewhere.example")
    sso_page.goto("/ui/sign-in?next=/ui/audit")
    sso_page.get_by_role("link", name="Sign in with Mercy ID").click()
    sign_in_at_the_provider(sso_page, sub)

    sso_page.wait_for_url(f"{sso_site.url}/ui/sign-in/oidc/callback?**")
    alert = sso_page.get_by_role("alert").inner_text()
    assert "No account here can sign in with that email through Mercy ID; ask staff to invite you." in alert
    assert COOKIE not in {c["name"] for c in sso_page.context.cookies()}
    shot(sso_page, "sso-03-no-account")
