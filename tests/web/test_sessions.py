"""Page sessions live on the server: the cookie holds a random secret (never the
token), the session expires, ends on sign-out and with its token, and signing in
and out is in the audit."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from adapters.app import create_app
from adapters.web.session import COOKIE
from aggregates.base import Role
from engine.application import QIEngine
from engine.settings import Settings
from tests.api.conftest import SYSTEM, Api, issue
from tests.conftest import Clock
from tests.web.pages import CSRF_FIELD, PageClient, signed_in


def _stored_topics_and_bytes(engine: QIEngine) -> list[tuple[str, bytes]]:
    return [(n.topic, n.state) for n in engine.recorder.select_notifications(1, 10_000)]


def test_the_session_cookie_holds_a_random_secret_not_the_token(client: TestClient, staff: Api) -> None:
    page = signed_in(client, str(staff.token))
    assert page.session and page.session != staff.token and str(staff.token) not in page.session
    assert page.get("/ui/").status_code == 200


def test_signing_out_ends_the_session_and_replaying_its_cookie_is_refused(
    client: TestClient, staff: Api, app_engine: QIEngine
) -> None:
    page = signed_in(client, str(staff.token))
    stolen = page.session
    assert page.post("/ui/sign-out", follow_redirects=False).status_code == 303
    replay = TestClient(client.app, cookies={COOKIE: str(stolen)})
    response = replay.get("/ui/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/ui/sign-in")
    forged = PageClient(replay)
    assert forged.post("/ui/sign-out", follow_redirects=False).headers["location"] == "/ui/sign-in"


def test_signing_in_and_out_is_recorded_without_the_secret(
    client: TestClient, staff: Api, app_engine: QIEngine
) -> None:
    page = signed_in(client, str(staff.token))
    secret = str(page.session)
    page.post("/ui/sign-out", follow_redirects=False)
    stored = _stored_topics_and_bytes(app_engine)
    topics = [t for t, _ in stored]
    assert any(t.endswith("SessionStarted") for t in topics) and any(
        t.endswith("SessionEnded") for t in topics
    )
    assert not any(secret.encode() in state or str(staff.token).encode() in state for _, state in stored)


def test_a_session_expires_after_the_configured_hours(tmp_path: object, clock: Clock) -> None:
    engine = QIEngine(Settings(store=f"{tmp_path}/qi.sqlite3", session_hours=2), clock)
    client = TestClient(create_app(engine))
    page = signed_in(client, issue(engine, Role.STAFF, "ann"))
    clock.advance(hours=1, minutes=59)
    assert page.get("/ui/", follow_redirects=False).status_code == 200
    clock.advance(minutes=1)
    assert page.get("/ui/", follow_redirects=False).status_code == 303
    engine.close()


def test_revoking_the_token_ends_its_page_sessions(client: TestClient, app_engine: QIEngine) -> None:
    token = issue(app_engine, Role.STAFF, "to-revoke")
    page = signed_in(client, token)
    [issued] = [t for t in app_engine.tokens() if t.state.name == "to-revoke"]
    app_engine.revoke_token(issued.id, app_engine.context(SYSTEM))
    response = page.get("/ui/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/ui/sign-in")


def test_an_expired_token_ends_its_page_sessions(
    client: TestClient, app_engine: QIEngine, clock: Clock
) -> None:
    page = signed_in(
        client, issue(app_engine, Role.STAFF, "brief", expires_at=clock.now + timedelta(hours=1))
    )
    clock.advance(hours=1)
    assert page.get("/ui/", follow_redirects=False).status_code == 303


def _set_cookie_on_sign_in(client: TestClient, token: str) -> str:
    """The session cookie's Set-Cookie line; the CSRF cookie is sent by hand, since a
    client on plain http would not send back a cookie marked Secure."""
    form = client.get("/ui/sign-in")
    csrf = dict(c.split(";")[0].split("=", 1) for c in form.headers.get_list("set-cookie"))
    data = {"token": token, "csrf_token": CSRF_FIELD.findall(form.text)[0]}
    cookie = "; ".join(f"{k}={v}" for k, v in csrf.items())
    client.cookies.clear()
    response = client.post("/ui/sign-in", data=data, headers={"Cookie": cookie}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return next(c for c in response.headers.get_list("set-cookie") if c.startswith(f"{COOKIE}=")).lower()


def test_the_cookie_is_secure_over_https_only(app_engine: QIEngine) -> None:
    token = issue(app_engine, Role.STAFF, "ann")
    assert "secure" not in _set_cookie_on_sign_in(TestClient(create_app(app_engine)), token)
    https = TestClient(create_app(app_engine), base_url="https://testserver")
    assert "; secure" in _set_cookie_on_sign_in(https, token)


def test_the_cookie_is_secure_behind_a_tls_proxy_that_forwards_the_scheme(app_engine: QIEngine) -> None:
    proxied = ProxyHeadersMiddleware(create_app(app_engine), trusted_hosts="*")
    client = TestClient(proxied, headers={"X-Forwarded-Proto": "https"})  # type: ignore[arg-type]
    assert "; secure" in _set_cookie_on_sign_in(client, issue(app_engine, Role.STAFF, "ann"))


def test_the_cookie_is_secure_when_configured(tmp_path: object, clock: Clock) -> None:
    engine = QIEngine(Settings(store=f"{tmp_path}/qi.sqlite3", cookie_secure=True), clock)
    assert "; secure" in _set_cookie_on_sign_in(
        TestClient(create_app(engine)), issue(engine, Role.STAFF, "a")
    )
    engine.close()
