"""The one gate between a stored URL and an href: only absolute http(s) URLs become
links. History is immutable, so URLs stored before commands checked them (a
`javascript:` storyboard, a `data:` resource) must still load, and are shown as
inert text instead."""

from __future__ import annotations

from urllib.parse import urlsplit

from jinja2 import Environment

SCHEMES = frozenset({"http", "https"})


def safe_url(value: object) -> str | None:
    """The URL if it is an absolute http(s) URL with a host; None for anything else."""
    if not isinstance(value, str):
        return None
    candidate = value.strip()
    # Browsers drop tabs, newlines and other controls inside a URL, so "java\tscript:" runs.
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        return None
    return candidate


def install_safe_url(env: Environment) -> None:
    """Register `safe_url`, the filter every template turns a stored URL into an href with."""
    env.filters["safe_url"] = safe_url
