"""Single sign-on through a real OpenID Connect provider (tests.oidc_provider): a person
whose account staff invited signs in there and lands signed in on the page they asked
for; an answer that is not this browser's, an old or altered sign-in, an email the
provider did not verify, an email with no account here, a disabled account, a token
not signed by the provider, a decline and a provider that cannot be reached are all
refused on the sign-in page, and nothing is stored."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from joserfc import jwt
from joserfc.jwk import RSAKey

from adapters.app import create_app
from adapters.web import oidc
from adapters.web.session import COOKIE
from aggregates.accounts import Access
from aggregates.base import Role
from aggregates.tokens import Grant, Principal
from engine.application import QIEngine
from engine.commands.accounts import DisableAccount
from engine.settings import Settings
from tests.conftest import Clock, free_port
from tests.oidc_provider import Provider, running_provider

STAFF = Principal.of_token(uuid4(), Grant(name="Ann", role=Role.STAFF))
EMAIL = "dana@mercy.example"
NAME = "Mercy ID"
NO_ACCOUNT = f"No account here can sign in with that email through {NAME}; ask staff to invite you."


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


def sso_engine(tmp_path: Path, clock: Clock, issuer: str) -> QIEngine:
    settings = Settings(
        store=str(tmp_path / "qi.sqlite3"), oidc_issuer=issuer, oidc_client_id="qi-engine",
        oidc_client_secret="the client's secret", oidc_name=NAME,
    )  # fmt: skip
    return QIEngine(settings, clock)


@pytest.fixture
def engine(tmp_path: Path, clock: Clock, provider: Provider) -> Iterator[QIEngine]:
    engine = sso_engine(tmp_path, clock, provider.issuer)
    yield engine
    engine.close()


@pytest.fixture
def client(engine: QIEngine) -> Iterator[TestClient]:
    with TestClient(create_app(engine)) as test_client:
        yield test_client


def account_for(engine: QIEngine, email: str = EMAIL) -> UUID:
    """An account staff invited, its invitation accepted."""
    account_id = engine.accounts.invite(STAFF, email=email, name="Dana Reyes", access=Access(role=Role.STAFF))
    account = engine.accounts.account(account_id)
    assert account is not None
    link = engine.accounts.invitation_link(account)
    assert link is not None
    engine.accounts.accept(link, "a long password here, not guessed")
    return account_id


def start(client: TestClient, next_url: str = "/ui/audit") -> str:
    """Begin at the sign-in page's button: where the browser is sent at the provider."""
    response = client.get(f"/ui/sign-in/oidc?next={next_url}", follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def callback(client: TestClient, answer: str) -> Response:
    """The browser comes back from the provider."""
    return client.get(answer, follow_redirects=False)


def b64(part: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")


def onward(response: Response) -> str:
    """Where the "Signed in" page sends the browser on to (its Refresh header)."""
    assert response.status_code == 200 and "<h1>Signed in</h1>" in response.text, response.text
    delay, url = response.headers["refresh"].split("; url=")
    assert delay == "0" and f'<a href="{url}">Continue</a>' in response.text
    return url


def stored(engine: QIEngine) -> int:
    return engine.recorder.max_notification_id() or 0


def refusal(response: Response) -> str:
    """The message the sign-in page shows."""
    assert "<h1>Sign in</h1>" in response.text, response.text
    [message] = [line for line in response.text.splitlines() if 'role="alert"' in line]
    return message


def test_a_person_signs_in_with_the_provider_and_lands_signed_in_on_the_page_they_asked_for(
    client: TestClient, engine: QIEngine, provider: Provider
) -> None:
    account_for(engine)
    to_provider = start(client, "/ui/audit")
    asked = parse_qs(urlsplit(to_provider).query)
    assert to_provider.startswith(provider.issuer + "/oauth2/authorize?")
    assert asked["code_challenge_method"] == ["S256"] and asked["scope"] == ["openid email"]
    assert asked["redirect_uri"] == ["http://testserver/ui/sign-in/oidc/callback"]
    assert len(asked["state"][0]) >= 32 and len(asked["nonce"][0]) >= 32

    landed = callback(client, provider.authorize(to_provider, provider.person(EMAIL)))

    assert onward(landed) == "/ui/audit"
    cookies = landed.headers.get_list("set-cookie")
    assert any(c.startswith(f"{COOKIE}=") and "HttpOnly" in c and "SameSite=strict" in c for c in cookies)
    assert any(c.startswith(f"{oidc.FLOW_COOKIE}=") and "Max-Age=0" in c for c in cookies)  # used once
    page = client.get("/ui/audit")
    assert page.status_code == 200 and "Dana Reyes · staff" in page.text
    [exchange] = provider.checks.exchanges  # the provider checked the PKCE verifier
    assert exchange["auth"] == "basic" and "client_secret" not in exchange and exchange["code_verifier"]


def test_the_flow_cookie_is_sealed_short_lived_and_sent_back_from_the_provider(client: TestClient) -> None:
    response = client.get("/ui/sign-in/oidc?next=/ui/audit", follow_redirects=False)
    [flow_cookie] = [c for c in response.headers.get_list("set-cookie") if c.startswith(oidc.FLOW_COOKIE)]
    assert "HttpOnly" in flow_cookie and "SameSite=lax" in flow_cookie and "Max-Age=600" in flow_cookie
    assert "Path=/ui/sign-in/oidc" in flow_cookie
    state = parse_qs(urlsplit(response.headers["location"]).query)["state"][0]
    assert state not in flow_cookie and "/ui/audit" not in flow_cookie


def test_the_sign_in_page_offers_the_provider_only_when_single_sign_on_is_set_up(
    client: TestClient, tmp_path: Path, clock: Clock
) -> None:
    page = client.get("/ui/sign-in?next=/ui/teams/1?tab=data")
    assert 'href="/ui/sign-in/oidc?next=/ui/teams/1%3Ftab%3Ddata">Sign in with Mercy ID</a>' in page.text

    plain = QIEngine(Settings(store=str(tmp_path / "plain.sqlite3")), clock)
    with TestClient(create_app(plain)) as without:
        assert "/ui/sign-in/oidc" not in without.get("/ui/sign-in").text
        assert without.get("/ui/sign-in/oidc", follow_redirects=False).status_code == 404
        assert without.get("/ui/sign-in/oidc/callback?code=x&state=y").status_code == 404
    plain.close()


def test_only_a_local_page_is_where_a_sign_in_goes_on_to(
    client: TestClient, engine: QIEngine, provider: Provider
) -> None:
    account_for(engine)
    for asked, goes_to in [("//evil.example/steal", "/ui/"), ("https://evil.example", "/ui/"),
                           ("/%5Cevil.example", "/ui/")]:  # fmt: skip
        landed = callback(client, provider.authorize(start(client, asked), provider.person(EMAIL)))
        assert onward(landed) == goes_to


def test_an_answer_whose_state_is_not_this_browsers_is_refused_and_nothing_is_stored(
    client: TestClient, engine: QIEngine, provider: Provider
) -> None:
    account_for(engine)
    answer = provider.authorize(start(client), provider.person(EMAIL))
    before = stored(engine)
    forged = answer.replace("state=", "state=x")

    response = callback(client, forged)

    assert response.status_code == 400
    assert "started too long ago, or in another browser or tab" in refusal(response)
    assert stored(engine) == before and COOKIE not in client.cookies


def test_an_answer_brought_to_another_browser_is_refused(
    client: TestClient, engine: QIEngine, provider: Provider
) -> None:
    account_for(engine)
    answer = provider.authorize(start(client), provider.person(EMAIL))
    with TestClient(client.app) as other_browser:  # e.g. a link planted to sign the victim in as the attacker
        response = callback(other_browser, answer)
        assert response.status_code == 400 and COOKIE not in other_browser.cookies


def test_an_altered_flow_cookie_is_refused(client: TestClient, engine: QIEngine, provider: Provider) -> None:
    account_for(engine)
    answer = provider.authorize(start(client), provider.person(EMAIL))
    sealed = str(client.cookies.get(oidc.FLOW_COOKIE))
    altered = sealed[:20] + ("A" if sealed[20] != "A" else "B") + sealed[21:]
    client.cookies.set(oidc.FLOW_COOKIE, altered, path="/ui/sign-in/oidc")

    response = callback(client, answer)

    assert response.status_code == 400 and COOKIE not in client.cookies
    assert "started too long ago, or in another browser or tab" in refusal(response)


def test_a_sign_in_started_more_than_ten_minutes_ago_is_refused(
    client: TestClient, engine: QIEngine, provider: Provider, clock: Clock
) -> None:
    account_for(engine)
    answer = provider.authorize(start(client), provider.person(EMAIL))
    clock.advance(minutes=10, seconds=1)

    response = callback(client, answer)

    assert response.status_code == 400 and COOKIE not in client.cookies
    assert "started too long ago" in refusal(response)


def test_an_answer_is_used_once(client: TestClient, engine: QIEngine, provider: Provider) -> None:
    account_for(engine)
    answer = provider.authorize(start(client), provider.person(EMAIL))
    assert onward(callback(client, answer)) == "/ui/audit"
    client.cookies.clear()

    assert callback(client, answer).status_code == 400  # the flow cookie went with the first use


def test_an_id_token_for_another_sign_in_is_refused_by_its_nonce(
    client: TestClient, engine: QIEngine, provider: Provider
) -> None:
    account_for(engine)
    answer = provider.authorize(start(client), provider.person(EMAIL))
    flow = oidc.unseal(engine, str(client.cookies.get(oidc.FLOW_COOKIE)))
    assert flow is not None
    other = replace(flow, nonce="the nonce of some other sign-in")  # as if the token were replayed
    client.cookies.set(oidc.FLOW_COOKIE, oidc.seal(engine, other), path="/ui/sign-in/oidc")

    response = callback(client, answer)

    assert response.status_code == 401 and COOKIE not in client.cookies
    assert f"{NAME} did not confirm this sign-in" in refusal(response)


def test_an_id_token_not_signed_by_the_provider_is_refused(engine: QIEngine, provider: Provider) -> None:
    settings = engine.settings
    found = oidc.discover(settings)
    now = int(time.time())
    claims = {"iss": found.issuer, "aud": settings.oidc_client_id, "exp": now + 300, "iat": now,
              "nonce": "n", "email": EMAIL, "email_verified": True}  # fmt: skip
    forged = jwt.encode({"alg": "RS256"}, claims, RSAKey.generate_key(2048))
    with pytest.raises(oidc.SignOnRefused) as refused:
        oidc.verified_claims(found, settings, forged, "n")
    assert refused.value.status == 401
    unsigned = f"{b64({'alg': 'none'})}.{b64(claims)}."
    with pytest.raises(oidc.SignOnRefused):
        oidc.verified_claims(found, settings, unsigned, "n")


def test_an_email_the_provider_did_not_verify_is_refused(
    client: TestClient, engine: QIEngine, provider: Provider
) -> None:
    account_for(engine)
    before = stored(engine)
    for verified in (False, None):
        sub = provider.person(EMAIL, verified=verified)
        response = callback(client, provider.authorize(start(client), sub))
        assert response.status_code == 401 and COOKIE not in client.cookies
        assert f"{NAME} has not verified your email address" in refusal(response)
    assert stored(engine) == before


def test_an_email_with_no_account_here_is_refused_saying_only_that(
    client: TestClient, engine: QIEngine, provider: Provider
) -> None:
    account_for(engine)
    before = stored(engine)
    response = callback(client, provider.authorize(start(client), provider.person("someone@else.example")))
    assert response.status_code == 401 and COOKIE not in client.cookies
    assert NO_ACCOUNT in refusal(response)
    assert stored(engine) == before


def test_a_disabled_account_cannot_sign_in_through_the_provider(
    client: TestClient, engine: QIEngine, provider: Provider
) -> None:
    account_id = account_for(engine)
    engine.submit(STAFF, DisableAccount(account_id=account_id, reason="left the collaborative"))
    before = stored(engine)

    response = callback(client, provider.authorize(start(client), provider.person(EMAIL)))

    assert response.status_code == 401 and COOKIE not in client.cookies
    assert NO_ACCOUNT in refusal(response)  # the same answer as for no account at all
    assert stored(engine) == before


def test_declining_at_the_provider_is_reported(
    client: TestClient, engine: QIEngine, provider: Provider
) -> None:
    before = stored(engine)
    response = callback(client, provider.deny(start(client)))
    assert response.status_code == 401 and f"{NAME} did not sign you in" in refusal(response)
    assert stored(engine) == before


def test_a_provider_that_takes_the_secret_only_in_the_form_gets_it_there(
    client: TestClient, engine: QIEngine, provider: Provider
) -> None:
    account_for(engine)
    provider.checks.only_post = True
    try:
        landed = callback(client, provider.authorize(start(client), provider.person(EMAIL)))
    finally:
        provider.checks.only_post = False
    assert onward(landed) == "/ui/audit"
    assert provider.checks.exchanges[-1]["auth"] == "post"
    assert provider.checks.exchanges[-1]["client_secret"] == "the client's secret"


def test_a_provider_that_cannot_be_reached_is_reported_and_nothing_is_stored(
    tmp_path: Path, clock: Clock
) -> None:
    engine = sso_engine(tmp_path, clock, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    with TestClient(create_app(engine)) as client:
        before = stored(engine)
        response = client.get("/ui/sign-in/oidc?next=/ui/audit", follow_redirects=False)
        assert response.status_code == 502
        assert f"We could not reach {NAME} just now" in refusal(response)
        assert 'name="next" value="/ui/audit"' in response.text
        assert oidc.FLOW_COOKIE not in response.headers.get("set-cookie", "")
        assert stored(engine) == before
    engine.close()


def test_a_provider_set_up_without_a_client_id_is_reported_to_staff(
    tmp_path: Path, clock: Clock, provider: Provider
) -> None:
    engine = QIEngine(Settings(store=str(tmp_path / "qi.sqlite3"), oidc_issuer=provider.issuer), clock)
    with TestClient(create_app(engine)) as client:
        response = client.get("/ui/sign-in/oidc", follow_redirects=False)
        assert response.status_code == 502 and "not set up correctly here" in refusal(response)
    engine.close()
