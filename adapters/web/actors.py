"""Who did something, as a person reads it: the name of the account or token behind an
actor id, or the kind of person it was (never the id itself, such as `token:…`)."""

from __future__ import annotations

from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel

ROLE_WORDS = {
    "staff": "the collaborative's staff", "auditor": "an auditor", "coach": "a coach", "team": "a team",
    "system": "the engine",
}  # fmt: skip
Shown = TypeVar("Shown", bound=BaseModel)


def actor_names(request: Request) -> dict[str, str]:
    """Each actor id with a name (people's accounts, API tokens)."""
    names: dict[str, str] = request.app.state.engine.actor_names()
    return names


def called(actor_id: str, role: str, names: dict[str, str]) -> str:
    """The actor by name and role ("Jordan Ellis (staff)"), or by role alone ("a coach")."""
    name = names.get(actor_id)
    if name is None:
        return ROLE_WORDS.get(role, "someone")
    return name if name.endswith(f"({role})") else f"{name} ({role})"


def named(view: Shown, field: str, role: str, names: dict[str, str]) -> Shown:
    """The view with its actor id `field` replaced by who that was."""
    return view.model_copy(update={field: called(getattr(view, field), role, names)})
