"""Where stored topics of moved classes point now.

A stored event names its class by topic (`module:qualname`). The identity and
bookkeeping aggregates (tokens, command records, id claims, page sessions, the
audit re-chain) were defined in `engine/` until they joined the rest of the domain
in `aggregates/`; events stored before the move keep their old topics, and the
mapper resolves those to the classes where they live now.
"""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType

from eventsourcing.utils import get_topic, register_topic

# old module -> the module its classes live in now
MOVED = {
    "engine.tokens": "aggregates.tokens",
    "engine.idempotency": "aggregates.idempotency",
    "engine.ids": "aggregates.ids",
    "engine.web_sessions": "aggregates.web_sessions",
    "engine.audit_rechain": "aggregates.audit_rechain",
}


def register_moved_topics() -> None:
    """Let every old topic of a moved class resolve to the class (idempotent)."""
    for old, new in MOVED.items():
        module = importlib.import_module(new)
        for qualname, cls in _classes(module):
            register_topic(f"{old}:{qualname}", cls)


def topics_of(cls: type) -> list[str]:
    """Every topic a class's records may be stored under: its own, and its old one if it moved."""
    topic = get_topic(cls)
    module, _, qualname = topic.partition(":")
    return [topic, *(f"{old}:{qualname}" for old, new in MOVED.items() if new == module)]


def _classes(module: ModuleType) -> list[tuple[str, type]]:
    found: list[tuple[str, type]] = []
    for value in vars(module).values():
        if inspect.isclass(value) and value.__module__ == module.__name__:
            found.append((value.__qualname__, value))
            found.extend(
                (nested.__qualname__, nested)
                for nested in vars(value).values()
                if inspect.isclass(nested) and nested.__qualname__.startswith(value.__qualname__ + ".")
            )
    return found
