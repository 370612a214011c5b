"""Single sign-on for the pages with OpenID Connect: the authorization code flow with PKCE.

Off unless QI_OIDC_ISSUER names a provider (with QI_OIDC_CLIENT_ID and
QI_OIDC_CLIENT_SECRET); the sign-in page then offers "Sign in with <QI_OIDC_NAME>".

The flow, in two requests:

1. GET /ui/sign-in/oidc?next=… reads the provider's discovery document
   (`{issuer}/.well-known/openid-configuration`), draws a random `state`, `nonce` and PKCE
   `code_verifier`, keeps them and `next` in a sealed cookie, and sends the browser to the
   provider's authorization endpoint with the verifier's S256 challenge.
2. The provider sends the browser back to GET /ui/sign-in/oidc/callback?code=…&state=….
   The state must be the cookie's; the code is exchanged at the token endpoint with the
   client's secret (client_secret_basic, or client_secret_post when that is all the provider
   advertises) and the verifier; the ID token must be signed by a key of the provider's
   JWKS, issued by the issuer, for this client, unexpired, carry the cookie's nonce and say
   the email is verified. The account with that email (engine.accounts.single_sign_on) then
   gets a page session, as a password sign-in does, and the browser goes on to `next`.
   It goes on from a page of ours (a "Signed in" page whose Refresh header leads on), not
   by a redirect: a browser leaves the SameSite=Strict session cookie out of a redirect
   chain that began at another site, so a redirect would land on `next` signed out.

Why so:

- The flow's values live in the browser, not on the server: a sign-in started and left
  stores nothing, and nobody can make the server keep state of their choosing. The cookie
  is sealed (AES-GCM under a key derived by HKDF from the identity key,
  engine.link_tokens), so it can be neither read nor altered; HttpOnly; sent only to
  /ui/sign-in/oidc; gone after 10 minutes; and deleted by the callback whatever the
  outcome, so each answer is used once. It is SameSite=Lax, not Strict like the session's:
  the provider's redirect back is a cross-site top-level GET, which a Strict cookie misses.
- `state` ties the answer to the sign-in this browser started (no forced sign-in into
  someone else's account); the `nonce` ties the ID token to it (no replayed token); PKCE
  ties the code to it (a code seen on the way is of no use to whoever saw it).
- Only the ID token is believed, and only once checked (Authlib's joserfc); the access token
  is not used. The signing algorithms are the provider's asymmetric ones, never `none` or
  a shared-secret HMAC.
- Nothing is cached: sign-ins are rare, and a provider's new signing keys count at once.
  The calls to the provider use the standard library (urllib), only over http(s).
- Every refusal is the sign-in page saying what happened and what to do next. About
  accounts it says only that none here signs in with the email the provider verified,
  which is fair to tell the person the provider just proved owns that email.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import os
import secrets
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote, quote_plus, urlencode, urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from adapters.web.pages import render
from adapters.web.session import engine_of, secure, start_session
from adapters.web.sign_in import _local, _sign_in_form
from engine import web_sessions
from engine.application import QIEngine
from engine.link_tokens import identity_key
from engine.settings import Settings

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

START = "/ui/sign-in/oidc"
CALLBACK = "/ui/sign-in/oidc/callback"
FLOW_COOKIE = "qi_oidc_flow"
FLOW_SECONDS = 600  # how long a person has at the provider before the sign-in must start again
TIMEOUT = 10.0  # seconds for each call to the provider
LEEWAY = 60  # seconds the provider's clock may differ from ours
SCOPE = "openid email"
ASYMMETRIC = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"}
)
DECLINED_ERRORS = frozenset(
    {
        "access_denied",
        "login_required",
        "consent_required",
        "interaction_required",
        "account_selection_required",
    }
)
_SEAL_INFO = b"qi-oidc-flow-cookie-v1"


class SignOnRefused(Exception):
    """A single sign-on that cannot go on: what to tell the person, and the status."""

    def __init__(self, message: str, status: int, reason: str) -> None:
        super().__init__(reason)
        self.message = message
        self.status = status
        self.reason = reason  # for the log: staff's words, never the email


# -- what the person reads ---------------------------------------------------------------
def _unreachable(name: str) -> str:
    return f"We could not reach {name} just now, so you are not signed in. Try again in a minute."


def _misconfigured(name: str) -> str:
    return f"Signing in with {name} is not set up correctly here. Tell the collaborative's staff."


def _declined(name: str) -> str:
    return f"{name} did not sign you in. Try again if you meant to."


def _expired(name: str) -> str:
    return (
        f"This sign-in with {name} was started too long ago, or in another browser or tab. "
        "Start again from this page."
    )


def _not_confirmed(name: str) -> str:
    return f"{name} did not confirm this sign-in, so you are not signed in. Start again from this page."


def _unverified(name: str) -> str:
    return (
        f"{name} has not verified your email address, so it cannot sign you in here. "
        f"Verify your email with {name}, then try again."
    )


def _no_account(name: str) -> str:
    return f"No account here can sign in with that email through {name}; ask staff to invite you."


# -- the provider ------------------------------------------------------------------------
@dataclass(frozen=True)
class Provider:
    """What the discovery document says of the provider, as far as this flow needs."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    auth_methods: tuple[str, ...]
    algorithms: tuple[str, ...]


def discover(settings: Settings) -> Provider:
    """The provider's endpoints, from its discovery document, whose issuer must be ours."""
    issuer, name = settings.oidc_issuer or "", settings.oidc_name
    if not settings.oidc_client_id:
        raise SignOnRefused(_misconfigured(name), 502, "QI_OIDC_CLIENT_ID is not set")
    document = _provider_json(issuer.rstrip("/") + "/.well-known/openid-configuration", name)
    try:
        provider = Provider(
            issuer=_text(document, "issuer"),
            authorization_endpoint=_web_url(document, "authorization_endpoint"),
            token_endpoint=_web_url(document, "token_endpoint"),
            jwks_uri=_web_url(document, "jwks_uri"),
            auth_methods=tuple(
                document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
            ),
            algorithms=tuple(document.get("id_token_signing_alg_values_supported") or ["RS256"]),
        )
    except (ValueError, TypeError) as error:
        raise SignOnRefused(_misconfigured(name), 502, f"discovery document: {error}") from error
    if provider.issuer.rstrip("/") != issuer.rstrip("/"):
        raise SignOnRefused(_misconfigured(name), 502, f"the provider calls itself {provider.issuer!r}")
    return provider


def _text(document: dict[str, Any], field: str) -> str:
    value = document.get(field)
    if not isinstance(value, str) or not value:
        raise ValueError(f"no {field}")
    return value


def _web_url(document: dict[str, Any], field: str) -> str:
    url = _text(document, field)
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"{field} is not an http(s) URL")
    return url


def _provider_json(
    url: str, name: str, form: dict[str, str] | None = None, headers: dict[str, str] | None = None
) -> Any:
    """A JSON object from the provider (a GET, or a POST of `form`); SignOnRefused if none comes:
    401 when the token endpoint refuses the code (400 or 401), else 502."""
    data = urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(
        url, data=data, headers={"Accept": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            body = json.load(response)
    except urllib.error.HTTPError as error:
        said = f"{url} answered {error.code} {_oauth_error(error)}"
        if form is not None and error.code in (400, 401):
            raise SignOnRefused(_not_confirmed(name), 401, said) from error
        raise SignOnRefused(_unreachable(name), 502, said) from error
    except (OSError, ValueError) as error:
        raise SignOnRefused(_unreachable(name), 502, f"{url}: {error}") from error
    if not isinstance(body, dict):
        raise SignOnRefused(_unreachable(name), 502, f"{url} did not answer a JSON object")
    return body


def _oauth_error(error: urllib.error.HTTPError) -> str:
    """The OAuth error code of a refusal (e.g. invalid_grant), for the log."""
    try:
        code = json.load(error).get("error")
    except (OSError, ValueError, AttributeError):
        return ""
    return str(code)[:80] if code else ""


# -- the flow's cookie -------------------------------------------------------------------
@dataclass(frozen=True)
class Flow:
    """One sign-in in flight: kept sealed in the browser between the two requests."""

    state: str
    nonce: str
    verifier: str
    next_url: str
    started: float  # the engine's clock, as a POSIX timestamp

    @classmethod
    def begin(cls, next_url: str, now: float) -> Flow:
        return cls(
            secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64), next_url, now
        )


def _cipher(engine: QIEngine) -> AESGCM:
    """AES-GCM under a key of its own, derived from the identity key (engine.link_tokens)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SEAL_INFO)
    return AESGCM(hkdf.derive(identity_key(engine.data_keys)))


def seal(engine: QIEngine, flow: Flow) -> str:
    iv = os.urandom(12)
    sealed = _cipher(engine).encrypt(iv, json.dumps(asdict(flow)).encode(), _SEAL_INFO)
    return base64.urlsafe_b64encode(iv + sealed).decode().rstrip("=")


def unseal(engine: QIEngine, value: str) -> Flow | None:
    """The flow a cookie holds; None if it is not one this engine sealed, or was altered."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        fields = json.loads(_cipher(engine).decrypt(raw[:12], raw[12:], _SEAL_INFO))
        return Flow(**fields)
    except (InvalidTag, ValueError, TypeError, binascii.Error):
        return None


def _flow_of(request: Request, engine: QIEngine) -> Flow | None:
    """The flow this browser started, if its cookie is ours and younger than FLOW_SECONDS."""
    flow = unseal(engine, request.cookies.get(FLOW_COOKIE, ""))
    if flow is None or engine.clock().timestamp() - flow.started > FLOW_SECONDS:
        return None
    return flow


def _remember_flow(request: Request, response: Response, flow: Flow) -> Response:
    response.set_cookie(
        FLOW_COOKIE, seal(engine_of(request), flow), max_age=FLOW_SECONDS, path=START, httponly=True,
        samesite="lax", secure=secure(request),
    )  # fmt: skip
    return response


def _forget_flow(response: Response) -> Response:
    response.delete_cookie(FLOW_COOKIE, path=START)
    return response


# -- the routes --------------------------------------------------------------------------
@router.get(START)
def start(request: Request, next: str = "/ui/") -> Response:
    """Send the browser to the provider, with a fresh state, nonce and PKCE challenge."""
    engine = engine_of(request)
    settings = _configured(engine)
    flow = Flow.begin(_local(next), engine.clock().timestamp())
    try:
        provider = discover(settings)
    except SignOnRefused as refused:
        return _refusal(request, flow.next_url, refused)
    target = authorization_url(provider, settings, flow, _redirect_uri(request, settings))
    return _remember_flow(request, RedirectResponse(target, status_code=303), flow)


@router.get(CALLBACK, name="oidc_callback")
def callback(request: Request) -> Response:
    """The provider's answer: sign in the account of the verified email, or say why not."""
    engine = engine_of(request)
    settings = _configured(engine)
    flow = _flow_of(request, engine)
    next_url = flow.next_url if flow else "/ui/"
    try:
        email = verified_email(request, settings, flow)
        signed_in = engine.accounts.single_sign_on(email)
        if signed_in is None:
            raise SignOnRefused(
                _no_account(settings.oidc_name), 401, "no account may sign in with that email"
            )
    except SignOnRefused as refused:
        return _forget_flow(_refusal(request, next_url, refused))
    secret = web_sessions.start_for(engine, signed_in.principal)
    return _forget_flow(start_session(request, _onward(request, settings, _local(next_url)), secret))


def _onward(request: Request, settings: Settings, next_url: str) -> Response:
    """The page that sends a person just signed in on to `next_url`: from our own page, not
    by a redirect, since the browser then sends the SameSite=Strict session cookie (it
    leaves it out of a redirect chain that started at the provider, another site)."""
    onward = quote(next_url, safe=":/%#?=@[]!$&'()*+,;")  # as a RedirectResponse quotes its URL
    page = render(request, "signed_in.html", None, 200, next=onward, oidc_name=settings.oidc_name)
    page.headers["Refresh"] = f"0; url={onward}"
    return page


def _configured(engine: QIEngine) -> Settings:
    """The settings, when single sign-on is on; 404 when it is off."""
    if not engine.settings.oidc_issuer:
        raise HTTPException(status_code=404, detail="single sign-on is not set up here")
    return engine.settings


def _refusal(request: Request, next_url: str, refused: SignOnRefused) -> Response:
    log.warning("single sign-on refused (%s): %s", refused.status, refused.reason)
    return _sign_in_form(request, next_url, refused.message, refused.status)


def _redirect_uri(request: Request, settings: Settings) -> str:
    """Where the provider sends the browser back: under QI_PUBLIC_URL when set (the URL
    registered with the provider must not depend on how a request reached us)."""
    if settings.public_url:
        return settings.public_url + CALLBACK
    return str(request.url_for("oidc_callback"))


def authorization_url(provider: Provider, settings: Settings, flow: Flow, redirect_uri: str) -> str:
    query = urlencode({
        "response_type": "code",
        "client_id": settings.oidc_client_id or "",
        "redirect_uri": redirect_uri,
        "scope": SCOPE,
        "state": flow.state,
        "nonce": flow.nonce,
        "code_challenge": create_s256_code_challenge(flow.verifier),
        "code_challenge_method": "S256",
    })  # fmt: skip
    separator = "&" if urlsplit(provider.authorization_endpoint).query else "?"
    return provider.authorization_endpoint + separator + query


# -- the answer --------------------------------------------------------------------------
def verified_email(request: Request, settings: Settings, flow: Flow | None) -> str:
    """The email the provider verified for the person who started `flow` in this browser."""
    name = settings.oidc_name
    _refuse_provider_error(request, name)
    if flow is None:
        raise SignOnRefused(
            _expired(name), 400, "no sign-in in flight: the flow cookie is missing, altered or old"
        )
    code = _code(request, name, flow)
    provider = discover(settings)
    id_token = exchange(provider, settings, code, flow.verifier, _redirect_uri(request, settings))
    claims = verified_claims(provider, settings, id_token, flow.nonce)
    email = claims.get("email")
    if claims.get("email_verified") is not True or not isinstance(email, str) or "@" not in email:
        raise SignOnRefused(_unverified(name), 401, "the provider did not verify an email")
    return email


def _refuse_provider_error(request: Request, name: str) -> None:
    """The provider answered with an error instead of a code: declined, or it went wrong."""
    error = request.query_params.get("error")
    if error is None:
        return
    if error in DECLINED_ERRORS:
        raise SignOnRefused(_declined(name), 401, f"the provider answered {error}")
    raise SignOnRefused(_misconfigured(name), 502, f"the provider answered {error[:80]!r}")


def _code(request: Request, name: str, flow: Flow) -> str:
    """The authorization code of an answer to the flow this browser started."""
    params = request.query_params
    if not hmac.compare_digest(params.get("state", "").encode(), flow.state.encode()):
        raise SignOnRefused(_expired(name), 400, "the answer's state is not the flow's")
    code = params.get("code")
    if not code:
        raise SignOnRefused(_not_confirmed(name), 400, "the answer has no code")
    return code


def exchange(provider: Provider, settings: Settings, code: str, verifier: str, redirect_uri: str) -> str:
    """The ID token the token endpoint gives for the code and the PKCE verifier."""
    client_id, client_secret = settings.oidc_client_id or "", settings.oidc_client_secret or ""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": verifier, "client_id": client_id}  # fmt: skip
    headers: dict[str, str] = {}
    if "client_secret_basic" in provider.auth_methods or "client_secret_post" not in provider.auth_methods:
        pair = f"{quote_plus(client_id)}:{quote_plus(client_secret)}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    else:
        form["client_secret"] = client_secret
    answer = _provider_json(provider.token_endpoint, settings.oidc_name, form, headers)
    id_token = answer.get("id_token")
    if not isinstance(id_token, str):
        raise SignOnRefused(_not_confirmed(settings.oidc_name), 502, "the token endpoint gave no ID token")
    return id_token


def verified_claims(provider: Provider, settings: Settings, id_token: str, nonce: str) -> dict[str, Any]:
    """The ID token's claims, once its signature, issuer, audience, expiry and nonce check out."""
    name = settings.oidc_name
    keys = _signing_keys(provider, name)
    algorithms = [a for a in provider.algorithms if a in ASYMMETRIC]
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY,
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": settings.oidc_client_id or ""},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        claims = jwt.decode(id_token, keys, algorithms=algorithms).claims
        registry.validate(claims)
    except (JoseError, ValueError) as error:
        raise SignOnRefused(_not_confirmed(name), 401, f"the ID token does not check out: {error}") from error
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != settings.oidc_client_id:
        raise SignOnRefused(
            _not_confirmed(name), 401, "the ID token is for several clients, not authorized for us"
        )
    return claims


def _signing_keys(provider: Provider, name: str) -> KeySet:
    document = _provider_json(provider.jwks_uri, name)
    try:
        return KeySet.import_key_set(document)
    except (JoseError, ValueError, KeyError, TypeError) as error:
        raise SignOnRefused(_misconfigured(name), 502, f"the provider's keys: {error}") from error
