"""A real OpenID Connect provider for the single sign-on tests: oidc-provider-mock's Flask
app, served by werkzeug on a thread at http://localhost:<port> (a site other than the
engine's 127.0.0.1, as a real provider is).

The mock accepts any client and any redirect URI, and skips what PKCE asks of a provider,
so a thin WSGI layer in front of it adds that (RFC 7636): it remembers the S256 challenge
of each code it issues and refuses a code at the token endpoint without its verifier. It
also checks that the client authenticates as the provider advertises, and can advertise
client_secret_post only.

Under CI=true a provider that cannot start fails the test; locally it skips.
"""

from __future__ import annotations

import io
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from tests.conftest import IN_CI

StartResponse = Callable[..., Any]


@dataclass
class Checks:
    """What the WSGI layer requires of the client, and what it saw."""

    only_post: bool = False  # advertise client_secret_post as the only way to send the secret
    challenges: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (method, challenge)
    exchanges: list[dict[str, str]] = field(default_factory=list)  # how each code was exchanged


class ProviderChecks:
    """WSGI middleware: PKCE and the advertised client authentication, in front of the mock."""

    def __init__(self, app: Callable[..., Iterable[bytes]], checks: Checks) -> None:
        self.app = app
        self.checks = checks

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        if path == "/.well-known/openid-configuration" and self.checks.only_post:
            return self._advertise_post(environ, start_response)
        if path == "/oauth2/authorize" and method == "POST":
            return self._remember_challenge(environ, start_response)
        if path == "/oauth2/token" and method == "POST":
            return self._check_exchange(environ, start_response)
        return self.app(environ, start_response)

    def _advertise_post(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        document = json.loads(b"".join(self.app(environ, lambda *a, **k: None)))
        document["token_endpoint_auth_methods_supported"] = ["client_secret_post"]
        body = json.dumps(document).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def _remember_challenge(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        asked = (query.get("code_challenge_method", [""])[0], query.get("code_challenge", [""])[0])

        def remember(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            location = next((v for k, v in headers if k.lower() == "location"), "")
            for code in parse_qs(urlsplit(location).query).get("code", []):
                self.checks.challenges[code] = asked
            return start_response(status, headers, *rest)

        return self.app(environ, remember)

    def _check_exchange(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        basic = environ.get("HTTP_AUTHORIZATION", "").startswith("Basic ")
        self.checks.exchanges.append({**form, "auth": "basic" if basic else "post"})
        method, challenge = self.checks.challenges.pop(form.get("code", ""), ("", ""))
        verifier = form.get("code_verifier", "")
        if method != "S256" or not verifier or create_s256_code_challenge(verifier) != challenge:
            return _refuse(start_response, "the code_verifier is not the code's (PKCE)")
        as_advertised = (not basic and bool(form.get("client_secret"))) if self.checks.only_post else basic
        if not as_advertised:
            return _refuse(start_response, "the client did not authenticate as advertised", "invalid_client")
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        return self.app(environ, start_response)


def _refuse(start_response: StartResponse, why: str, error: str = "invalid_grant") -> Iterable[bytes]:
    body = json.dumps({"error": error, "error_description": why}).encode()
    start_response(
        "400 Bad Request", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


@dataclass
class Provider:
    """The running provider, and what a person does there."""

    issuer: str
    checks: Checks

    def person(self, email: str, *, verified: bool | None = True) -> str:
        """Register a person with these claims; their subject, to type at the provider."""
        claims: dict[str, object] = {"email": email, "name": email.split("@")[0]}
        if verified is not None:
            claims["email_verified"] = verified
        sub = f"sub-{email}"
        httpx.put(f"{self.issuer}/users/{sub}", json=claims).raise_for_status()
        return sub

    def authorize(self, authorization_url: str, sub: str) -> str:
        """Sign in at the provider as `sub`: the URL it sends the browser back to."""
        response = httpx.post(authorization_url, data={"sub": sub})
        assert response.status_code == 302, response.text
        return response.headers["location"]

    def deny(self, authorization_url: str) -> str:
        response = httpx.post(authorization_url, data={"action": "deny"})
        assert response.status_code == 302, response.text
        return response.headers["location"]


@contextmanager
def running_provider() -> Iterator[Provider]:
    """Start the provider; fail (CI=true) or skip if it cannot start."""
    try:
        import werkzeug.serving
        from oidc_provider_mock import app as provider_app

        checks = Checks()
        server = werkzeug.serving.make_server(
            "localhost", 0, ProviderChecks(provider_app(), checks), threaded=True
        )
    except Exception as error:
        message = f"the OpenID provider (oidc-provider-mock) could not start: {error!r}"
        if IN_CI:
            pytest.fail(f"{message} (CI=true: the single sign-on tests must run)", pytrace=False)
        pytest.skip(message)
    # The mock is an Authlib server, which refuses plain http unless told (tests only).
    previous = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Provider(f"http://localhost:{server.server_port}", checks)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        if previous is None:
            os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
        else:
            os.environ["AUTHLIB_INSECURE_TRANSPORT"] = previous
