"""Schemas every write route shares, and request bodies derived from commands."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, create_model

from engine.commands import Command


class CommandResult(BaseModel):
    """What a write did: the resource it addressed, its new version, the events."""

    id: UUID
    version: int
    events: list[str]
    created: dict[str, list[UUID]]


def body_of(command: type[Command], *path_fields: str) -> type[BaseModel]:
    """A request body: the command's fields less those the URL path carries."""
    fields: dict[str, Any] = {
        name: (field.annotation, field)
        for name, field in command.model_fields.items()
        if name not in path_fields
    }
    return create_model(
        f"{command.__name__}Body",
        __config__=ConfigDict(frozen=True, extra="forbid"),
        __doc__=command.__doc__,
        **fields,
    )
