"""The hostile requests made of a write route: raw bodies that are too large, too deep or
not JSON at all, then the route's own body with each leaf bent to an injection string, an
unknown enum value, an impossible date or a number JSON libraries disagree on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import orjson

from scripts.drills.route import Route
from scripts.drills.world import World

INJECTIONS = (
    "Robert'); DROP TABLE stored_events; --",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "../../../../etc/passwd",
    "nul\x00byte",
    "\u202eevil\u202c rtl override",
    "\U0001f9ea\u0301\ufeff zero\u200bwidth",
    "x" * 5000,
)
UNKNOWN_ENUM = "not-a-known-value"
DATES = (
    "0000-01-01",
    "0001-01-01",
    "99999-12-31",
    "2024-13-45",
    "2024-02-30T25:61:00Z",
    "9999-12-31T23:59:59+14:00",
)
NUMBERS = (b"1e400", b"-1e400", str(10**100).encode(), b"NaN", b"Infinity", b"1.5", b"-1")
DATE_LIKE = re.compile(r"^\d{4}-\d{2}")
# Raw bodies: (name, bytes, chunked). Each is sent as application/json to every write route.
NESTED = 10_000
RAW = (
    ("oversized", b'{"pad": "' + b"x" * (2 * 2**20) + b'"}', False),
    ("oversized and chunked", b'{"pad": "' + b"x" * (2 * 2**20) + b'"}', True),
    ("nested arrays", b"[" * NESTED + b"]" * NESTED, False),
    ("nested objects", b'{"a":' * NESTED + b"1" + b"}" * NESTED, False),
    ("invalid UTF-8", b'{"title": "\xff\xfe\xc3\x28"}', False),
    ("lone surrogate", b'{"title": "\\ud800"}', False),
    ("truncated JSON", b'{"title": "unterminated', False),
    ("not an object", b'"just a string"', False),
    ("empty", b"", False),
)

Send = dict[str, Any]


def variants(route: Route, world: World) -> Iterator[tuple[str, Send]]:
    """Each hostile request for one route: raw bodies, then every leaf of its body bent."""
    path, method = route.path(world.flow), route.method
    if route.files is None:
        for name, raw, chunked in RAW:
            content: Any = _chunks(raw) if chunked else raw
            yield name, {"method": method, "url": path, "content": content, "raw": name}
    if method == "DELETE":
        return
    body = route.body(world.flow)
    for where, value in _leaves(body):
        for text, label in _bent(value):
            # A fresh body each time: one may hold something unique (an invitation's email)
            bent = _replace(route.body(world.flow), where, text)
            if route.files is not None:
                send = {"data": bent, "files": route.files(world.flow)}
            else:
                send = (
                    {"json": bent}
                    if not isinstance(text, bytes)
                    else {"content": _raw_json(body, where, text)}
                )
            yield (
                f"{'.'.join(map(str, where))} = {label}",
                {"method": method, "url": path, **send, "text": text},
            )


def _bent(value: Any) -> Iterator[tuple[Any, str]]:
    if isinstance(value, str):
        for text in INJECTIONS:
            yield text, repr(text[:40])
        yield UNKNOWN_ENUM, "an unknown enum value"
        if DATE_LIKE.match(value):
            for date in DATES:
                yield date, date
    elif isinstance(value, int | float) and not isinstance(value, bool):
        for number in NUMBERS:
            yield number, number.decode()


def _leaves(body: Any, where: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(body, dict):
        for key, value in body.items():
            yield from _leaves(value, (*where, key))
    elif isinstance(body, list):
        for index, value in enumerate(body):
            yield from _leaves(value, (*where, index))
    else:
        yield where, body


def _replace(body: Any, where: tuple[Any, ...], value: Any) -> Any:
    if not where:
        return value
    head, rest = where[0], where[1:]
    if isinstance(body, dict):
        return {k: _replace(v, rest, value) if k == head else v for k, v in body.items()}
    return [_replace(v, rest, value) if i == head else v for i, v in enumerate(body)]


def _raw_json(body: Any, where: tuple[Any, ...], number: bytes) -> bytes:
    """The body as JSON with one leaf replaced by a number literal JSON libraries disagree on."""
    marker = "\x01number\x01"
    return orjson.dumps(_replace(body, where, marker)).replace(orjson.dumps(marker), number)


def _chunks(raw: bytes) -> Iterator[bytes]:
    for start in range(0, len(raw), 2**16):
        yield raw[start : start + 2**16]
