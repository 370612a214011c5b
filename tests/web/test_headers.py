"""Every /ui response carries a strict Content-Security-Policy (no inline script
or style unless hashed), forbids framing and sniffing and sends no referrer; the
pages hold no inline script or style for the policy to block."""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi.testclient import TestClient

from engine.application import QIEngine
from tests.api.conftest import Api
from tests.api.flow import HttpFlow
from tests.conftest import Clock
from tests.web.pages import compile_toolkit, signed_in

POLICY = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data:",
    "object-src": "'none'", "base-uri": "'none'", "form-action": "'self'", "frame-ancestors": "'none'",
}  # fmt: skip


def _policy(header: str) -> dict[str, str]:
    return dict(([*d.strip().split(" ", 1), ""])[:2] for d in header.split(";") if d.strip())  # type: ignore[misc]


def _assert_hardened(response: object, path: str) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert _policy(headers.get("content-security-policy", "")) == POLICY, path
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff", path
    assert headers["referrer-policy"] == "no-referrer", path


def test_every_ui_response_forbids_inline_code_framing_and_sniffing(client: TestClient, staff: Api) -> None:
    for path in ("/ui/sign-in", "/ui/", "/ui/static/app.css", "/ui/audit", "/ui/no-such-page"):
        _assert_hardened(client.get(path, follow_redirects=False), path)
    page = signed_in(client, str(staff.token))
    for path in ("/ui/", "/ui/audit", f"/ui/teams/{'0' * 8}-0000-0000-0000-{'0' * 12}"):
        _assert_hardened(page.get(path), path)
    _assert_hardened(page.post("/ui/sign-out", follow_redirects=False), "/ui/sign-out")


def _pages(flow: HttpFlow) -> list[str]:
    c = flow.collaborative
    return [
        "/ui/", f"/ui/collaboratives/{c}", f"/ui/collaboratives/{c}/as-of?at={flow.clock.now:%Y-%m-%dT%H:%M}", f"/ui/teams/{flow.teams[0]}",
        f"/ui/collaboratives/{c}/library", f"/ui/collaboratives/{c}/driver-diagram", f"/ui/collaboratives/{c}/toolkits",
        "/ui/audit", f"/ui/participants/{flow.members[flow.teams[0]]}/transcript", "/ui/sign-in",
    ]  # fmt: skip


def test_no_page_holds_inline_script_or_style(client: TestClient, staff: Api, clock: Clock) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("sharing")
    base = f"/collaboratives/{flow.collaborative}/driver-diagram"
    primary = flow.ok(f"{base}/drivers", {"level": "primary", "name": "Weights"})["created"]["Driver"][0]
    flow.ok(f"{base}/drivers", {"level": "secondary", "name": "On records", "primary_driver_id": primary})
    page = signed_in(client, str(staff.token))
    for path in _pages(flow):
        html = page.get(path).text
        assert page.get(path).status_code == 200, path
        found = re.findall(r"<script|<style|\sstyle=|\son[a-z]+=", html, re.I)
        assert not found, (path, found)


def test_the_toolkit_download_allows_only_its_own_hashed_styles(
    client: TestClient, staff: Api, clock: Clock, app_engine: QIEngine
) -> None:
    flow = HttpFlow(staff, clock)
    flow.up_to("sharing")
    toolkit = compile_toolkit(flow)
    page = signed_in(client, str(staff.token))
    response = page.get(f"/ui/toolkits/{toolkit}.html")
    [style] = re.findall(r"<style>(.*?)</style>", response.text, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = _policy(response.headers["content-security-policy"])
    assert policy["style-src"] == f"'sha256-{digest}'" and policy["frame-ancestors"] == "'none'"
    assert policy["script-src"] == "'none'"
