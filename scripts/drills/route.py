"""What a write route of the drills' catalogue is, and how the catalogue is matched to
the live OpenAPI schema (so a route the catalogue lacks is found)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from scripts.drills.world import Flow

STAFF_ONLY = frozenset({"staff"})
TEAM_A = frozenset({"staff", "team_a"})
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


@dataclass
class Route:
    name: str
    phase: str
    method: str
    path: Callable[[Flow], str]
    body: Callable[[Flow], Any] = lambda f: {}
    allowed: frozenset[str] = STAFF_ONLY
    prepare: Callable[[Flow], Any] = lambda f: None
    # A multipart upload: the body is its form fields, and these its files.
    files: Callable[[Flow], Any] | None = None
    # A CSV body (text/csv) instead of JSON: the import of a measure's months.
    csv: Callable[[Flow], str] | None = None


def operations(openapi: dict[str, Any], methods: frozenset[str]) -> set[tuple[str, str]]:
    """(METHOD, path template) of each operation in an OpenAPI document with one of `methods`."""
    return {(m.upper(), p) for p, ops in openapi["paths"].items() for m in ops if m in methods}


def template_of(path: str, templates: Iterable[str]) -> str | None:
    """The path template a concrete path fills; the most literal one where several fit."""
    fits = [t for t in templates if re.fullmatch(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(t)), path)]
    return max(fits, key=lambda t: len(re.sub(r"\{[^}]+\}", "", t)), default=None)
