"""Who did something, as a person reads it: the name behind an actor id, or the kind of
person it was (never the id itself, such as `token:…`). Shared by the pages, the API's
drawings and the exports."""

from __future__ import annotations

from collections.abc import Mapping

ROLE_WORDS = {
    "staff": "the collaborative's staff", "auditor": "an auditor", "coach": "a coach", "team": "a team",
    "system": "the engine",
}  # fmt: skip


def called(actor_id: str, role: str, names: Mapping[str, str]) -> str:
    """The actor by name and role ("Jordan Ellis (staff)"), or by role alone ("a coach")."""
    name = names.get(actor_id)
    if name is None:
        return ROLE_WORDS.get(role, "someone")
    return name if name.endswith(f"({role})") else f"{name} ({role})"
