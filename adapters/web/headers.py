"""The browser-facing hardening of every /ui response: a Content-Security-Policy
with no inline script or style (the pages keep theirs in /ui/static; a download
with inline styles names their hashes), no framing, no MIME sniffing, no referrer."""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
FIXED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def policy(**directives: str) -> str:
    """The pages' policy, with some directives replaced (e.g. a download's hashed styles)."""
    return "; ".join(
        f"{k} {v}" for k, v in (POLICY | {k.replace("_", "-"): v for k, v in directives.items()}).items()
    )


def hashed_styles_policy(html: str) -> str:
    """A policy for a self-contained HTML page: only its own <style> blocks, by hash, and no script."""
    hashes = [hashlib.sha256(block.encode()).digest() for block in _STYLE.findall(html)]
    styles = " ".join(f"'sha256-{base64.b64encode(h).decode()}'" for h in hashes) or "'none'"
    return policy(default_src="'none'", style_src=styles, script_src="'none'", img_src="data:")


class PageHeaders:
    """ASGI middleware: add the headers to every response under /ui (a route may set its own policy)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/ui"):
            await self.app(scope, receive, send)
            return

        async def send_hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.decode().lower() for name, _ in headers}
                wanted = FIXED | {"content-security-policy": policy()}
                headers += [(k.encode(), v.encode()) for k, v in wanted.items() if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_hardened)
