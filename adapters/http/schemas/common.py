"""Schemas every write route shares, and request bodies derived from commands."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, create_model, model_validator

from aggregates.idempotency import CommandResult as CommandResult  # the engine's result is the response
from engine.commands import Command


class NoNul(BaseModel):
    """Refuses U+0000 anywhere in the input: it is no character of any text people write,
    and PostgreSQL's text columns cannot hold it, so one stored NUL would stop every
    projection that reads its event."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if _has_nul(data):
            raise ValueError("text must not contain the NUL character (U+0000)")
        return data


def _has_nul(data: Any) -> bool:
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in data.items())
    if isinstance(data, list | tuple):
        return any(_has_nul(v) for v in data)
    return False


def body_of(command: type[Command], *path_fields: str) -> type[BaseModel]:
    """A request body: the command's fields less those the URL path carries; no NUL in any text."""
    fields: dict[str, Any] = {
        name: (field.annotation, field)
        for name, field in command.model_fields.items()
        if name not in path_fields
    }
    return create_model(
        f"{command.__name__}Body",
        __base__=NoNul,
        __doc__=command.__doc__,
        **fields,
    )
