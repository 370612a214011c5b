"""Schemathesis hooks for the suite's run (loaded through schemathesis.toml `hooks`).

A client sends a fresh Idempotency-Key with every new command; reusing one for another
command is refused (422, as the IETF idempotency-key draft says). Schemathesis draws the
same few keys ("0", "00") for every operation, so each well-formed key is made unique here
and the run reaches the commands instead of the idempotency check. Keys outside the
declared 1..200 characters are sent as drawn, so negative cases stay negative.
"""

from __future__ import annotations

import itertools
from typing import Any

import schemathesis

HEADER = "Idempotency-Key"
_sent = itertools.count(1)


@schemathesis.hook
def map_headers(context: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    """Each well-formed Idempotency-Key, made unique to its request."""
    key = (headers or {}).get(HEADER)
    if isinstance(key, str) and 1 <= len(key) <= 200 and key.isprintable() and key.strip():
        suffix = f"~{next(_sent):08d}"
        headers = {**(headers or {}), HEADER: key[: 200 - len(suffix)] + suffix}
    return headers
