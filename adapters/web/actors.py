"""Who did something, as a person reads it: the name of the account or token behind an
actor id, or the kind of person it was (never the id itself, such as `token:…`)."""

from __future__ import annotations

from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel

from adapters.actor_words import ROLE_WORDS, called

__all__ = ["ROLE_WORDS", "actor_names", "called", "named"]

Shown = TypeVar("Shown", bound=BaseModel)


def actor_names(request: Request) -> dict[str, str]:
    """Each actor id with a name (people's accounts, API tokens)."""
    names: dict[str, str] = request.app.state.engine.actor_names()
    return names


def named(view: Shown, field: str, role: str, names: dict[str, str]) -> Shown:
    """The view with its actor id `field` replaced by who that was."""
    return view.model_copy(update={field: called(getattr(view, field), role, names)})
